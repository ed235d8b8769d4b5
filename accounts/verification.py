"""E-mail verification (allauth's mandatory verification, ``ACCOUNT_EMAIL_VERIFICATION``).

An account made through sign-up (the web page or ``POST /api/v1/auth/signup/``) is saved
inactive (`accounts.adapter.AccountAdapter.save_user`) and becomes active when its address is
verified (`activate_on_verification`). Until then no way in lets it through: the log-in page
sends the verification e-mail again instead of logging in, the API token endpoint and the
admin refuse it (Django's backends refuse inactive users), so it can neither log in nor act.

Accounts made by staff (the admin, ``createsuperuser``) or by ``load_demo`` are active and have
no allauth address record: their e-mail was given by the platform, so `EmailVerificationStage`
(`accounts.stages`)
lets them in as before. Once they record an address through the account pages, allauth's rule
applies to them as to everyone.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.http import HttpRequest

ALLAUTH_STAGE = "allauth.account.stages.EmailVerificationStage"
STAGE = "accounts.stages.EmailVerificationStage"


def awaiting_verification(user: AbstractBaseUser) -> bool:
    """True for a signed-up account whose address is not verified yet (inactive, with an
    address record, none verified). Deactivated and deleted accounts are not awaiting."""
    if user.is_active:
        return False
    addresses = EmailAddress.objects.filter(user_id=user.pk)
    return addresses.exists() and not addresses.filter(verified=True).exists()


def activate_on_verification(
    sender: object, request: HttpRequest | None, email_address: EmailAddress, **_kwargs: Any
) -> None:
    """``email_confirmed`` receiver: the first verified address activates an account that
    signed up and never logged in (a pending sign-up). An account that staff deactivated
    after it was used stays inactive."""
    user: User = email_address.user
    if not user.is_active and user.last_login is None:
        user.is_active = True
        user.save(update_fields=["is_active"])
