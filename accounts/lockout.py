"""Log-in lockout after repeated failures (django-axes), for the web log-in form (allauth's)
and the API token endpoint.

django-axes counts failed log-ins in the database (every worker process sees the same
counts). `LoginLockoutHandler` (``AXES_HANDLER``) refuses a log-in for ``AXES_COOLOFF_TIME``,
even with the right password, once any of three counts reaches its own limit. Attempts refused
by a lockout are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so
one address adds at most ``AXES_FAILURE_LIMIT`` failures to a username's count:

- the username from this address: ``AXES_FAILURE_LIMIT`` (10);
- this address, whatever the username: ``LOGIN_ADDRESS_FAILURE_LIMIT`` (30), against one
  address trying many accounts;
- the username, from any address: ``LOGIN_USERNAME_FAILURE_LIMIT`` (100), against guessing
  spread over many addresses.

The pair comes first so that one address cannot lock somebody else out of their account: a
lockout per username alone lets anyone keep any account locked by failing on purpose (OWASP
Authentication Cheat Sheet, "Account Lockout": lockouts are a denial-of-service tool). Only
guessing from many addresses at once (at least ``LOGIN_USERNAME_FAILURE_LIMIT`` /
``AXES_FAILURE_LIMIT`` of them) reaches the username's own, higher limit.
`lockout_response` is ``AXES_LOCKOUT_CALLABLE``: it answers HTTP 429 with ``Retry-After``
(seconds), in the API's error shape (code ``locked_out``) under ``/api/`` and as the log-in
page with the message elsewhere.

The log-in page takes an e-mail address or a username (allauth's ``login`` field), and allauth
passes it to the backends as ``username`` (and ``email``). `login_username` is
``AXES_USERNAME_CALLABLE``: it counts an address against the account's username, so that
alternating the two does not double the guesses (django-axes documents its allauth support
through this field and callable).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from allauth.account.forms import LoginForm
from allauth.account.utils import filter_users_by_email
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.verification import awaiting_verification
from kernel.api.errors import error_response, is_api_request

LOCKOUT_CODE = "locked_out"


def lockout_message(cool_off: dt.timedelta | None) -> str:
    """The translated sentence shown to a locked-out caller."""
    if cool_off is None:
        return _("Too many failed log-in attempts. Log-in is locked; contact the platform staff.")
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    return ngettext(
        "Too many failed log-in attempts. Try again in %(minutes)d minute.",
        "Too many failed log-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 for a locked-out log-in (see the module docstring)."""
    cool_off = get_cool_off(request)
    message = lockout_message(cool_off)
    response: HttpResponse
    if is_api_request(request):
        response = error_response(message=message, code=LOCKOUT_CODE, status=429)
    else:
        login = (credentials or {}).get("username") or request.POST.get("login", "")
        form = LoginForm(request=request, initial={"login": login})
        response = render(
            request,
            "account/login.html",
            {"form": form, "lockout_message": message, "next": request.POST.get("next", "")},
            status=429,
        )
    if cool_off is not None:
        response["Retry-After"] = str(max(1, math.ceil(cool_off.total_seconds())))
    return response


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: what the caller logs in as (the credentials' ``username``,
    else the form's ``login`` or ``username`` field), and for an e-mail address of exactly one
    account that account's username."""
    login = (credentials or {}).get("username")
    if login is None:
        data = getattr(request, "data", request.POST)
        login = data.get("login") or data.get("username")
    if not isinstance(login, str) or "@" not in login:
        return login
    users = filter_users_by_email(login.strip())
    return users[0].get_username() if len(users) == 1 else login


def _pending_sign_up_with_its_password(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> bool:
    """Whether the log-in names an account awaiting verification and gives its password (read
    from the request: the credentials Django passes to failure handlers are masked)."""
    data = getattr(request, "data", request.POST)
    password = data.get("password")
    username = login_username(request, credentials)
    if not isinstance(password, str) or not isinstance(username, str):
        return False
    user = get_user_model().objects.filter(username=username, is_active=False).first()
    return (
        user is not None and awaiting_verification(user) and user.check_password(password)
    )


class LoginLockoutHandler(AxesDatabaseHandler):
    """``AXES_HANDLER``: django-axes' database handler with a limit per count (see the module
    docstring), and a successful log-in clears only the failures recorded against that
    username. Axes' own reset deletes every failure
    row matching the username *or the client address*, so an attacker could guess at another
    account and log into their own from the same address between guesses, wiping the count
    each time; the address's failures against other usernames must stay."""

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        """Count the failure, except a pending sign-up's right password: Django's backends
        refuse an inactive account, so Django reports the log-in as failed, but the account
        is only waiting for its address to be verified and the log-in page sends it on to
        that step (`accounts.verification`); counting it would lock its owner out for
        trying to log in before opening the e-mail."""
        if request is not None and _pending_sign_up_with_its_password(request, credentials):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """The failures that count, scaled to ``AXES_FAILURE_LIMIT``: axes locks when this
        reaches that limit, which happens exactly when one count reaches its own limit. The
        counts come in the order of ``AXES_LOCKOUT_PARAMETERS`` (pair, address, username)."""
        pair_limit: int = get_failure_limit(request, credentials)
        limits = (
            pair_limit,
            int(settings.LOGIN_ADDRESS_FAILURE_LIMIT),
            int(settings.LOGIN_USERNAME_FAILURE_LIMIT),
        )
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        return max(
            count * pair_limit // max(1, limit) for count, limit in zip(counts, limits, strict=True)
        )

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _deleted = AccessAttempt.objects.filter(username=username).delete()
        return int(count)
