"""`manage.py load_demo`: load the bundled real listings, demo users and demo listings, rebuild
the search index, then let every app that has demo objects add them (an AppConfig with a
`load_demo(stdout)` method: roadshows, agreements), so that this core app imports none of them.
Idempotent. Demo data sends no e-mail (in-app notifications are still created). Its report is in
the active language (a management command's is settings.LANGUAGE_CODE), like update_index's."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.translation import gettext as _

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
            _("the password in KEQIAO_DEMO_PASSWORD")
            if settings.KEQIAO_DEMO_PASSWORD
            else _("password %(password)s") % {"password": demo.DEFAULT_DEMO_PASSWORD}
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo users: %(usernames)s (%(password)s).")
                % {"usernames": usernames, "password": password_hint}
            )
        )

    def _load(self) -> None:
        kinds = {"result": _("Research results"), "need": _("Technology needs")}
        for report in demo.load_bundled_listings():
            self.stdout.write(
                _("%(kind)s: %(created)d created, %(updated)d updated")
                % {"kind": kinds[report.kind], "created": report.created, "updated": report.updated}
            )
        organizations = demo.create_demo_accounts()
        demo.create_demo_listings(organizations)
        call_command("update_index", stdout=self.stdout, stderr=self.stderr)
        for app_config in apps.get_app_configs():
            load_app_demo = getattr(app_config, "load_demo", None)
            if load_app_demo is not None:
                load_app_demo(self.stdout)
