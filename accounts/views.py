"""Account pages of our own (allauth's pages cover the rest: e-mail, password, sign-up):
the settings page that links them, the name on record, and account deletion."""

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
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import NameForm
from accounts.services import account_name_set, delete_account, name_frozen_reason
from accounts.verification import record_given_address
from kernel.errors import ConflictError
from kernel.web import form_page_status, request_actor, run_service


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


@require_http_methods(["GET", "POST"])
@login_required
def account_name(request: HttpRequest) -> HttpResponse:
    """The name on record (姓名); after saving, back to ``next`` (a page of this site, e.g.
    the signing page that sent the user here) or the settings page."""
    user = request_actor(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = NameForm(request.POST or None, initial={"name": user.get_full_name()})
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = run_service(request, lambda: account_name_set(
            user=user, name=form.cleaned_data["name"]), form)
        if saved.ok:
            messages.success(request, _("Your name on record was saved."))
            return redirect(next_url or "account-settings")
    return render(
        request,
        "account/name.html",
        {"form": form, "next": next_url, "frozen_reason": name_frozen_reason(user),
         "name_on_record": user.get_full_name()},
        status=form_page_status(request, saved),
    )


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
