"""`manage.py load_demo`: load the bundled real listings, demo users and demo listings, rebuild
the search index, then let every app that has demo objects add them (an AppConfig with a
`load_demo(stdout)` method: roadshows, agreements), so that this core app imports none of them.
Idempotent. Demo data sends no e-mail (in-app notifications are still created)."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from marketplace import demo


class Command(BaseCommand):
    help = "Load the bundled listings and one demo user per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not settings.KEQIAO_DEMO_PASSWORD:
            raise CommandError(
                "Refusing to create demo users with DEBUG off: set KEQIAO_DEMO_PASSWORD. "
                "/ DEBUG 关闭时必须设置 KEQIAO_DEMO_PASSWORD 才能创建演示用户。"
            )
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load()
        usernames = ", ".join(account.username for account in demo.DEMO_ACCOUNTS)
        password_hint = (
            "the password in KEQIAO_DEMO_PASSWORD"
            if settings.KEQIAO_DEMO_PASSWORD
            else f"password {demo.DEFAULT_DEMO_PASSWORD!r}"
        )
        self.stdout.write(self.style.SUCCESS(f"Demo users: {usernames} ({password_hint})."))

    def _load(self) -> None:
        for report in demo.load_bundled_listings():
            self.stdout.write(
                f"{report.kind}: {report.created} created, {report.updated} updated"
            )
        organizations = demo.create_demo_accounts()
        demo.create_demo_listings(organizations)
        call_command("update_index", stdout=self.stdout, stderr=self.stderr)
        for app_config in apps.get_app_configs():
            load_app_demo = getattr(app_config, "load_demo", None)
            if load_app_demo is not None:
                load_app_demo(self.stdout)
