"""Account pages of our own (allauth's pages cover the rest: e-mail, password, sign-up):
the settings page that links them, and account deletion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.account.views import EmailView
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import delete_account
from accounts.verification import record_given_address
from kernel.errors import ConflictError
from kernel.web import request_actor


class EmailAddressesView(EmailView):
    """allauth's e-mail page (add, verify, make primary, remove), after recording the address
    a staff-made account was given (`accounts.verification.record_given_address`)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            record_given_address(request_actor(request))
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "account/settings.html")


View = Callable[..., HttpResponse]
# Deleting asks for the password again (allauth's reauthentication page, rate-limited per user,
# valid ACCOUNT_REAUTHENTICATION_TIMEOUT seconds); the page itself may be viewed without it.
recent_login_required: Callable[[View], View] = reauthentication_required(allow_get=True)


@require_http_methods(["GET", "POST"])
@login_required
@recent_login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            delete_account(user=request_actor(request))
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            return render(request, "account/delete.html", status=409)
        logout(request)
        messages.success(request, _("Your account was deleted."))
        return redirect("home")
    return render(request, "account/delete.html")
