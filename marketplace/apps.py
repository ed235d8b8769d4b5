from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Listings and organisations")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save, pre_save

        from marketplace.auth_apis import revoke_tokens_when_password_changes
        from marketplace.models import MembershipEvent
        from marketplace.organizations.announcements import announce_member_joined
        from marketplace.sqlite_file import make_database_file_private

        pre_save.connect(
            revoke_tokens_when_password_changes,
            sender=get_user_model(),
            dispatch_uid="keqiao-revoke-tokens-on-password-change",
        )
        post_save.connect(
            announce_member_joined, sender=MembershipEvent,
            dispatch_uid="keqiao-announce-member-joined",
        )
        connection_created.connect(
            make_database_file_private, dispatch_uid="keqiao-private-sqlite-file"
        )
