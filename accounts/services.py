"""Writes on accounts: deletion by the user, the name on record, and sign-up through the API.

Deleting an account deactivates and anonymises the user; the row stays, so nothing that
points at it cascades away: the listings, match requests, agreements and history of the
user's organisation stay as they were, their author now shown as the anonymous account.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from knox.models import AuthToken

from contracts.selectors import has_signed_an_agreement
from kernel.errors import DomainError
from marketplace.services.joining import requests_withdraw
from marketplace.services.members import account_deletion_check

DELETED_USERNAME = "deleted-{pk}"


@transaction.atomic
def delete_account(*, user: User) -> None:
    """Deactivate `user` and leave no personal data on it: the username becomes
    ``deleted-<id>``, names and e-mail are emptied, the password unusable; the user's e-mail
    address records, API tokens and log-in records (which name the username) are deleted.
    Memberships stay, so the organisation's history still shows who did what (an anonymous,
    inactive account, never notified: `marketplace.notifications.notify` skips inactive
    users). Refused (ConflictError 409 ``last_administrator``) while the user is the only
    administrator of an organisation with other active members
    (`marketplace.services.members.account_deletion_check`). The user's open requests to join
    and claims are withdrawn (`marketplace.services.joining.requests_withdraw`)."""
    account_deletion_check(user=user)
    requests_withdraw(user=user)
    old_username = user.get_username()
    EmailAddress.objects.filter(user=user).delete()
    AuthToken.objects.filter(user=user).delete()
    for log in (AccessAttempt, AccessLog, AccessFailureLog):
        log.objects.filter(username=old_username).delete()
    user.username = DELETED_USERNAME.format(pk=user.pk)
    user.first_name = ""
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


#: The name on record's longest length: the longest typed name a signature takes
#: (contracts.limits.TYPED_NAME_MAX_LENGTH), since signers type it.
NAME_MAX_LENGTH = 100


def name_frozen_reason(user: User) -> str:
    """Why the name on record of `user` can no longer change (empty when it can): a signed
    agreement carries it. Staff correct it in the admin."""
    if has_signed_an_agreement(user):
        return str(_("A signed agreement carries this name; ask the transfer centre to "
                     "correct it."))
    return ""


def account_name_set(*, user: User, name: str) -> User:
    """Record `name` (stripped) as the account's name on record (姓名), the name its holder
    types to sign agreements (contracts.services.signing.name_on_record): the whole name in
    Django's ``first_name``, ``last_name`` emptied. The form checks it (not blank, at most
    NAME_MAX_LENGTH characters, no invisible characters, plain spaces only). Refused (400 on
    ``name``) once the user has signed an agreement (`name_frozen_reason`)."""
    reason = name_frozen_reason(user)
    if reason and name.strip() != user.get_full_name():
        raise DomainError(reason, code="name_frozen", fields={"name": [reason]})
    user.first_name = name.strip()
    user.last_name = ""
    user.save(update_fields=["first_name", "last_name"])
    return user


def sign_up(request: HttpRequest, data: dict[str, Any]) -> dict[str, list[str]]:
    """Sign up through allauth's own sign-up form and flow, as the web page does: the
    verification e-mail is sent, or, for an address that already has an account, the "account
    already exists" e-mail (``ACCOUNT_PREVENT_ENUMERATION``), and the answer is the same.
    Returns the form's errors by API field name ({} when signed up)."""
    form = SignupForm(
        data={
            "username": data.get("username", ""),
            "email": data.get("email", ""),
            "password1": data.get("password", ""),
            "password2": data.get("password", ""),
        }
    )
    if not form.is_valid():
        renamed = {"password1": "password", "password2": "password", "__all__": "non_field_errors"}
        errors: dict[str, list[str]] = {}
        for name, field_errors in form.errors.items():
            errors.setdefault(renamed.get(name, name), []).extend(str(m) for m in field_errors)
        return errors
    session_keys = set(request.session.keys())
    user, _response = form.try_save(request)
    if user is not None:
        complete_signup(request, user=user)
    # What the web flow keeps for its next page (the pending log-in and the address in the
    # session, the "e-mail sent" message) has no next page here: neither is kept, so the
    # answer sets no session or message cookie.
    for key in set(request.session.keys()) - session_keys:
        del request.session[key]
    for _message in messages.get_messages(request):
        pass  # read, so not stored
    return {}
