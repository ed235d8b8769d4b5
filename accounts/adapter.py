"""``ACCOUNT_ADAPTER``: Keqiao's rules on top of django-allauth's default adapter.

- Links in e-mails are absolute under ``settings.SITE_URL`` (environment ``KEQIAO_SITE_URL``),
  never built from the request's Host header: a forged Host must not turn a password-reset or
  verification link into a link to somebody else's site (Django's password-reset docs warn of
  it; allauth builds its links from the request). Every link allauth puts into an e-mail's
  context is re-based on ``SITE_URL``, and the e-mails name the site and its host from
  ``SITE_URL`` (``templates/account/email/base_message.txt``), not the request's host.
- Sign-up saves the account inactive until its address is verified, and the log-in of such an
  account sends the verification e-mail again (`accounts.verification`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts import verification

# The links allauth's account e-mails carry (their templates' context names).
EMAIL_LINKS = ("activate_url", "password_reset_url", "signup_url")
SITE_NAME = "科桥 Keqiao"


def site_url(url: str) -> str:
    """`url` (a path, or an absolute URL on whatever host) as the same path and query under
    ``settings.SITE_URL``."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    """See the module docstring."""

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        user.is_active = False  # until the address is verified (accounts.verification)
        saved: AbstractBaseUser = super().save_user(request, user, form, commit)
        return saved

    def pre_login(
        self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
    ) -> HttpResponse | None:
        # A pending sign-up goes on to the verification step (which sends the e-mail again)
        # instead of allauth's "account inactive" page.
        if verification.awaiting_verification(user):
            return None
        response: HttpResponse | None = super().pre_login(request, user, **kwargs)
        return response

    def get_login_stages(self) -> list[str]:
        return [
            verification.STAGE if path == verification.ALLAUTH_STAGE else path
            for path in super().get_login_stages()
        ]

    def get_email_confirmation_url(
        self, request: HttpRequest | None, emailconfirmation: EmailConfirmation
    ) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        return site_url(super().get_reset_password_from_key_url(key))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth's templates name `current_site` (the request's host without the sites app).
        site = SimpleNamespace(name=SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)
        context = {
            **context,
            "current_site": site,
            "site_name": SITE_NAME,
            "site_url": settings.SITE_URL,
        }
        for name in EMAIL_LINKS:
            if context.get(name):
                context[name] = site_url(context[name])
        super().send_mail(template_prefix, email, context)
