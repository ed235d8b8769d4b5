"""E-mail verification (allauth's mandatory verification, ``ACCOUNT_EMAIL_VERIFICATION``).

An account made through sign-up (the web page or ``POST /api/v1/auth/signup/``) is saved
inactive (`accounts.adapter.AccountAdapter.save_user`) and becomes active when its address is
verified (`activate_on_verification`). Until then no way in lets it through: the log-in page
sends the verification e-mail again instead of logging in, the API token endpoint and the
admin refuse it (Django's backends refuse inactive users), so it can neither log in nor act.

Accounts made by staff (the admin, ``createsuperuser``) or by ``load_demo`` are active and have
no allauth address record: their e-mail was given by the platform, so the log-in's
verification step (`accounts.stages.EmailVerificationStage`) lets them in as before. A new
address (e-mail change) counts only once verified, for every account: until then it is not
the account's e-mail, and logging in with it sends its verification e-mail instead. Before
such an account first manages its addresses, its given address is recorded as its verified,
primary one (`record_given_address`): allauth would otherwise empty ``User.email`` when the
first address it records is the new, unverified one.
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


def record_given_address(user: User) -> None:
    """Record the e-mail address staff or load_demo gave an active account as its verified,
    primary address, if the account has no address record yet (see the module docstring)."""
    if user.is_active and user.email and not EmailAddress.objects.filter(user=user).exists():
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


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
