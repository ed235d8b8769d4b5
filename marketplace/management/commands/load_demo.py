"""`manage.py load_demo`: load the bundled real listings, demo users and demo listings, then
rebuild the search index. Idempotent."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from contracts.demo import create_demo_agreement
from marketplace import demo
from projects.demo import create_demo_roadshow


class Command(BaseCommand):
    help = "Load the bundled listings and one demo user per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not settings.KEQIAO_DEMO_PASSWORD:
            raise CommandError(
                "Refusing to create demo users with DEBUG off: set KEQIAO_DEMO_PASSWORD. "
                "/ DEBUG 关闭时必须设置 KEQIAO_DEMO_PASSWORD 才能创建演示用户。"
            )
        for report in demo.load_bundled_listings():
            self.stdout.write(
                f"{report.kind}: {report.created} created, {report.updated} updated"
            )
        organizations = demo.create_demo_accounts()
        demo.create_demo_listings(organizations)
        call_command("update_index", stdout=self.stdout, stderr=self.stderr)
        roadshow = create_demo_roadshow()
        self.stdout.write(f"Demo roadshow: {roadshow} ({roadshow.slots.count()} projects)")
        agreement = create_demo_agreement()
        self.stdout.write(f"Demo agreement: {agreement} ({agreement.get_status_display()})")
        usernames = ", ".join(account.username for account in demo.DEMO_ACCOUNTS)
        password_hint = (
            "the password in KEQIAO_DEMO_PASSWORD"
            if settings.KEQIAO_DEMO_PASSWORD
            else f"password {demo.DEFAULT_DEMO_PASSWORD!r}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo users: {usernames} ({password_hint}).")
        )
