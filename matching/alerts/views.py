"""Pages of saved searches and alerts: the list of saved searches (save from the search page,
rename, delete), the alert settings (e-mail mode, following my organisations' listings) and
the one-click unsubscribe page of the alert e-mails (no login: its signed link says who)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kernel.web import error_status, form_page_status, request_actor, run_service
from matching.search.forms import SearchForm

from . import selectors, services
from .delivery import user_for_token
from .forms import AlertSettingsForm, FollowForm, SavedSearchNameForm
from .queries import clean_params, search_url


def _list_page(request: HttpRequest, status: int = 200, **extra: object) -> HttpResponse:
    actor = request_actor(request)
    searches = [
        (saved, search_url(saved.query), extra.get(f"form_{saved.pk}") or
         SavedSearchNameForm(initial={"name": saved.name}, prefix=f"s{saved.pk}"))
        for saved in selectors.saved_search_list(viewer=actor)
    ]
    return render(
        request,
        "matching/alerts/saved_searches.html",
        {"searches": searches, "new_form": extra.get("new_form")},
        status=status,
    )


@login_required
def saved_search_list(request: HttpRequest) -> HttpResponse:
    """GET /saved-searches/ (name "saved-search-list"): my saved searches."""
    return _list_page(request)


@require_POST
@login_required
def saved_search_create(request: HttpRequest) -> HttpResponse:
    """POST /saved-searches/new/ (name "saved-search-create"): save the search whose
    parameters the search page posts (invalid ones are dropped, as the page drops them) under
    the posted name."""
    search = SearchForm(request.POST)
    search.is_valid()
    params = clean_params(search)
    form = SavedSearchNameForm(request.POST)
    if not form.is_valid():
        return _list_page(request, 400, new_form=form)
    run = run_service(
        request,
        lambda: services.saved_search_create(
            actor=request_actor(request), name=form.cleaned_data["name"], query=params
        ),
        form,
    )
    if not run.ok:
        return _list_page(request, error_status(run.error), new_form=form)
    messages.success(request, _("Search saved. You will hear of new listings it finds."))
    return redirect("saved-search-list")


@require_POST
@login_required
def saved_search_rename(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /saved-searches/<pk>/rename/ (name "saved-search-rename"); 404 for others'."""
    actor = request_actor(request)
    saved = selectors.saved_search_get(viewer=actor, pk=pk)
    form = SavedSearchNameForm(request.POST, prefix=f"s{saved.pk}")
    run = None
    if form.is_valid():
        run = run_service(
            request,
            lambda: services.saved_search_update(
                saved_search=saved, actor=actor, name=form.cleaned_data["name"]
            ),
            form,
        )
        if run.ok:
            messages.success(request, _("Saved search renamed."))
            return redirect("saved-search-list")
    return _list_page(request, form_page_status(request, run), **{f"form_{saved.pk}": form})


@require_POST
@login_required
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /saved-searches/<pk>/delete/ (name "saved-search-delete"); 404 for others'."""
    actor = request_actor(request)
    saved = selectors.saved_search_get(viewer=actor, pk=pk)
    services.saved_search_delete(saved_search=saved, actor=actor)
    messages.success(request, _("Saved search deleted."))
    return redirect("saved-search-list")


@require_http_methods(["GET", "POST"])
@login_required
def alert_settings(request: HttpRequest) -> HttpResponse:
    """GET/POST /alerts/ (name "alert-settings"): how alerts are e-mailed, and which of my
    organisations' listings I follow."""
    actor = request_actor(request)
    current = selectors.alert_settings_for(actor)
    form = AlertSettingsForm(
        request.POST or None, initial={"email_mode": current.email_mode}
    )
    if request.method == "POST" and form.is_valid():
        services.alert_settings_update(actor=actor, email_mode=form.cleaned_data["email_mode"])
        messages.success(request, _("Alert settings saved."))
        return redirect("alert-settings")
    return render(
        request,
        "matching/alerts/settings.html",
        {"form": form, "listings": selectors.followed_listings(actor)},
        status=form_page_status(request),
    )


@require_POST
@login_required
def listing_follow(request: HttpRequest) -> HttpResponse:
    """POST /alerts/follow/ (name "alert-follow"): kind, object_id, follow ("on" or absent)."""
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a listing of your organisation."))
        return redirect("alert-settings")
    data = form.cleaned_data
    run = run_service(
        request,
        lambda: services.listing_follow_set(
            actor=request_actor(request), kind=data["kind"], object_id=data["object_id"],
            follow=data["follow"],
        ),
    )
    if run.ok:
        messages.success(
            request,
            _("You will hear of new matches of this listing.") if data["follow"]
            else _("You will no longer hear of new matches of this listing."),
        )
    return redirect("alert-settings")


@csrf_exempt  # RFC 8058: mail clients POST the one-click form without a session or token
@require_http_methods(["GET", "POST"])
def alerts_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET/POST /alerts/unsubscribe/<token>/ (name "alerts-unsubscribe"): GET asks to
    confirm, POST turns alert e-mails off for the user the signed token names. No login; a
    bad token answers 404."""
    user = user_for_token(token)
    if user is None:
        return render(request, "matching/alerts/unsubscribe.html", {"invalid": True}, status=404)
    done = False
    if request.method == "POST":
        services.alerts_unsubscribe(user=user)
        done = True
    return render(
        request, "matching/alerts/unsubscribe.html", {"done": done, "token": token}
    )
