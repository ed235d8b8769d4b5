from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from marketplace.auth_apis import revoke_tokens_when_password_changes

        pre_save.connect(
            revoke_tokens_when_password_changes,
            sender=get_user_model(),
            dispatch_uid="keqiao-revoke-tokens-on-password-change",
        )
