from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """User accounts through django-allauth's `account` app: sign-up with e-mail verification,
    log-in by e-mail or username, password reset, e-mail change, account deletion."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from allauth.account.signals import email_confirmed

        from accounts.verification import activate_on_verification

        email_confirmed.connect(
            activate_on_verification, dispatch_uid="keqiao-activate-on-verification"
        )
