"""Web pages of the listings domain: research result and technology need details, their
create/edit forms, owner actions (submit, renew, archive, close) and the brokers' moderation
queue.

Views are thin: they validate input with a form, call a selector (reads, visibility) or a
service (writes, permissions) and render. Domain errors from services are shown per field or
as messages (`kernel.web.run_service`); permission errors are 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kernel.templatetags.keqiao import join_list
from kernel.web import MAX_RETURN_PATH, form_page_status, request_actor, run_service
from marketplace import roles, selectors, services
from marketplace.choices import ListingStatus, TransferMode, choice_label
from marketplace.forms import (
    RejectListingForm,
    ResearchResultForm,
    TechnologyNeedForm,
    add_owner_field,
)
from marketplace.models import Listing, Organization, ResearchResult, TechnologyNeed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

KIND_RESULT = "result"
KIND_NEED = "need"

# Owner actions per listing kind: action name -> status it applies to.
_ACTIONS: dict[str, dict[str, str]] = {
    KIND_RESULT: {
        "submit": ListingStatus.DRAFT,
        "renew": ListingStatus.PUBLISHED,
        "archive": ListingStatus.PUBLISHED,
    },
    KIND_NEED: {
        "submit": ListingStatus.DRAFT,
        "renew": ListingStatus.PUBLISHED,
        "archive": ListingStatus.PUBLISHED,
        "close": ListingStatus.PUBLISHED,
    },
}


def _get_listing(request: HttpRequest, kind: str, pk: int) -> ResearchResult | TechnologyNeed:
    """The listing the viewer may see, or 404 (the selectors apply visibility)."""
    if kind == KIND_RESULT:
        return selectors.research_result_get(viewer=request.user, pk=pk)
    if kind == KIND_NEED:
        return selectors.technology_need_get(viewer=request.user, pk=pk)
    raise Http404


def _detail_url(listing: Listing) -> str:
    if isinstance(listing, ResearchResult):
        return reverse("result-detail", kwargs={"pk": listing.pk})
    return reverse("need-detail", kwargs={"pk": listing.pk})


def _held_reason(user: Any, organization: Organization | None) -> str:
    """Why `user` may not publish or send requests for `organization` yet (the rule of
    `roles.require_organization_in_good_standing`), or "" when they may."""
    if organization is None or roles.in_good_standing(organization) or roles.is_broker(user):
        return ""
    return roles.unverified_reason(organization)


def _permissions(request: HttpRequest, listing: Listing) -> dict[str, bool | str]:
    """What the viewer may do with the listing (drives which buttons the page shows; the
    services check again). ``held_submit`` / ``held_request``: why the submit or request
    button is shown disabled (the organisation is not verified yet), or ""."""
    user = request.user
    owner_member = roles.is_member(user, listing.owner_id)
    editor = selectors.can_edit_listing(user, listing)
    status = listing.status
    is_need = isinstance(listing, TechnologyNeed)
    return {
        "owner_member": owner_member,
        "can_edit": editor and status in services.EDITABLE_STATUSES,
        "can_submit": editor and status == ListingStatus.DRAFT,
        "can_renew": owner_member and status == ListingStatus.PUBLISHED,
        "can_archive": editor and status == ListingStatus.PUBLISHED,
        "can_close": is_need and owner_member and status == ListingStatus.PUBLISHED,
        "can_see_confidential": selectors.can_see_confidential(user, listing),
        # Asking for an introduction / proposing: anyone outside the owner organisation, on a
        # listing that is in search (anonymous visitors are sent to the login page first).
        "can_request": not owner_member and listing.is_searchable(),
        "held_submit": _held_reason(user, listing.owner) if owner_member else "",
        "held_request": (
            _held_reason(user, roles.primary_organization(user))
            if user.is_authenticated and not owner_member else ""
        ),
    }


def _detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    listing = _get_listing(request, kind, pk)
    modes = (
        listing.transfer_modes if isinstance(listing, ResearchResult) else listing.cooperation_modes
    )
    return render(
        request,
        f"marketplace/{kind}_detail.html",
        {
            "listing": listing,
            "kind": kind,
            "perms": _permissions(request, listing),
            # transfer modes of a result, cooperation modes of a need, in the active language
            "mode_labels": [choice_label(TransferMode, code) for code in modes or []],
        },
    )


def listing_index(request: HttpRequest, kind: str) -> HttpResponse:
    """GET /results/ and /needs/ (a listing page's address trimmed): the search page of that
    type, with the other parameters given (302), or without them beyond `MAX_RETURN_PATH`
    characters (Django refuses to redirect to more than 16,384)."""
    query = request.GET.copy()
    query["kind"] = kind
    target = f"{reverse('home')}?{query.urlencode()}"
    if len(target) > MAX_RETURN_PATH:  # a hand-made address no link carries: the type alone
        target = f"{reverse('home')}?kind={kind}"
    return redirect(target)


def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /results/<pk>/: a research result with the buttons the viewer may use."""
    return _detail(request, KIND_RESULT, pk)


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /needs/<pk>/: a technology need with the buttons the viewer may use."""
    return _detail(request, KIND_NEED, pk)


# --- create and edit ----------------------------------------------------------------------


def _listing_form(
    kind: str, listing: ResearchResult | TechnologyNeed | None, data: QueryDict | None = None
) -> ResearchResultForm | TechnologyNeedForm:
    """The form of `kind` bound to `data` (None: unbound) editing `listing` (None: a new one).
    `listing` is of `kind` (`_get_listing` picks it by kind)."""
    if kind == KIND_RESULT:
        assert listing is None or isinstance(listing, ResearchResult)
        return ResearchResultForm(data, instance=listing)
    assert listing is None or isinstance(listing, TechnologyNeed)
    return TechnologyNeedForm(data, instance=listing)


def _save_form(
    request: HttpRequest, kind: str, listing: ResearchResult | TechnologyNeed | None
) -> HttpResponse:
    """The create (`listing` None) or edit page. A new listing is listed by the user's
    organisation, chosen on the form by a member of several; a user of none (not a broker)
    is told to register, join or claim one instead of being given a form to fill in vain."""
    if listing is not None and not selectors.can_edit_listing(request.user, listing):
        raise PermissionDenied
    own = selectors.own_organizations(request.user)
    own_count = len(roles.organization_ids(request.user))  # read once per request
    if listing is None and not own_count and not roles.is_broker(request.user):
        return render(
            request, "marketplace/listing_form.html", {"form": None, "kind": kind, "listing": None},
            status=form_page_status(request),  # a POST is refused: no organisation to list it
        )
    choose_owner = listing is None and own_count > 1
    saved = None
    if request.method == "POST":
        form = _listing_form(kind, listing, request.POST)
        if choose_owner:
            add_owner_field(form, own, roles.primary_organization(request.user))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            owner = form.cleaned_data.get("owner")
            was_published = listing is not None and listing.status == ListingStatus.PUBLISHED
            saved = run_service(
                request, lambda: _call_save(request, kind, listing, data, owner), form
            )
            if saved.result is not None:
                if listing is None:
                    notice = _("Draft saved. Submit it for review when it is complete.")
                elif was_published and saved.result.status == ListingStatus.PENDING_REVIEW:
                    notice = _(
                        "Saved. The changes go to a broker for review; the listing is out of "
                        "search until it is approved again."
                    )
                else:
                    notice = _("Saved.")
                messages.success(request, notice)
                return redirect(_detail_url(saved.result))
    else:
        form = _listing_form(kind, listing)
        if choose_owner:
            add_owner_field(form, own, roles.primary_organization(request.user))
    return render(
        request,
        "marketplace/listing_form.html",
        {"form": form, "kind": kind, "listing": listing},
        status=form_page_status(request, saved),
    )


def _call_save(
    request: HttpRequest,
    kind: str,
    listing: ResearchResult | TechnologyNeed | None,
    data: dict[str, Any],
    owner: Organization | None = None,
) -> ResearchResult | TechnologyNeed:
    user = request_actor(request)
    if kind == KIND_RESULT:
        if listing is None:
            return services.research_result_create(actor=user, data=data, owner=owner)
        assert isinstance(listing, ResearchResult)
        return services.research_result_update(research_result=listing, actor=user, data=data)
    if listing is None:
        return services.technology_need_create(actor=user, data=data, owner=owner)
    assert isinstance(listing, TechnologyNeed)
    return services.technology_need_update(technology_need=listing, actor=user, data=data)


@login_required
def result_create(request: HttpRequest) -> HttpResponse:
    """GET/POST /results/new/: a new draft research result of the user's organisation."""
    return _save_form(request, KIND_RESULT, None)


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    """GET/POST /needs/new/: a new draft technology need of the user's organisation."""
    return _save_form(request, KIND_NEED, None)


@login_required
def result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /results/<pk>/edit/ (owner members and brokers)."""
    return _save_form(request, KIND_RESULT, _get_listing(request, KIND_RESULT, pk))


@login_required
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /needs/<pk>/edit/ (owner members and brokers)."""
    return _save_form(request, KIND_NEED, _get_listing(request, KIND_NEED, pk))


# --- owner actions ---------------------------------------------------------------------------


_ACTION_DONE = {
    "submit": gettext_lazy("Submitted for review."),
    "renew": gettext_lazy("Renewed: the listing stays in search for another year."),
    "archive": gettext_lazy("Archived."),
    "close": gettext_lazy("Closed."),
}


@require_POST
@login_required
def listing_action(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """POST /results/<pk>/<action>/ or /needs/<pk>/<action>/ with action one of submit, renew,
    archive (and close for needs). Back to the detail page with a message."""
    if action not in _ACTIONS.get(kind, {}):
        raise Http404
    listing = _get_listing(request, kind, pk)
    user = request_actor(request)
    # A forced submit of a held listing (the button is disabled) gets the held reason the
    # service raises as a message on the listing's page, not the bare 403 page.
    held = action == "submit" and bool(_held_reason(user, listing.owner))
    done = run_service(
        request, lambda: _run_action(listing, action, user), permission_as_message=held
    )
    if done.error is None:
        messages.success(request, str(_ACTION_DONE[action]))
    elif done.error.fields:
        labels = join_list(
            str(_field_label(listing, name))
            for name in done.error.fields
            if name != "non_field_errors"
        )
        if labels:
            messages.error(request, _("Missing: %(fields)s") % {"fields": labels})
    return redirect(_detail_url(listing))


def _run_action(listing: ResearchResult | TechnologyNeed, action: str, user: User) -> None:
    """The service of a listing action (`listing_action`)."""
    if action == "submit":
        services.listing_submit(listing=listing, actor=user)
    elif action == "renew":
        services.listing_renew(listing=listing, actor=user)
    elif action == "archive":
        services.listing_archive(listing=listing, actor=user)
    else:
        assert isinstance(listing, TechnologyNeed)
        services.need_close(need=listing, actor=user)


def _field_label(listing: Listing, name: str) -> str:
    try:
        field = type(listing)._meta.get_field(name)
    except FieldDoesNotExist:  # an unknown name from the service: show it as it is
        return name
    return str(getattr(field, "verbose_name", name))


# --- moderation ------------------------------------------------------------------------------


def _require_broker(request: HttpRequest) -> None:
    roles.require_broker(request.user, _("Only brokers can review listings."))


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    """GET /moderation/: listings waiting for review (brokers only), oldest first."""
    _require_broker(request)
    queue = selectors.moderation_queue(viewer=request.user)
    groups = [
        {
            "kind": KIND_RESULT,
            "title": _("Research results"),
            "items": list(queue.research_results),
        },
        {"kind": KIND_NEED, "title": _("Technology needs"), "items": list(queue.needs)},
    ]
    return render(request, "marketplace/moderation_queue.html", {"groups": groups})


@require_POST
@login_required
def moderation_decide(request: HttpRequest, kind: str, pk: int, decision: str) -> HttpResponse:
    """POST /moderation/<kind>/<pk>/approve/ or /reject/ (with `reason`); brokers only."""
    _require_broker(request)
    if decision not in ("approve", "reject"):
        raise Http404
    listing = _get_listing(request, kind, pk)
    user = request_actor(request)
    if decision == "approve":
        if run_service(request, lambda: services.listing_approve(listing=listing, actor=user)).ok:
            messages.success(
                request, _("Approved and published: %(title)s") % {"title": listing.title}
            )
        return redirect("moderation-queue")
    form = RejectListingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for the rejection."))
        return redirect("moderation-queue")
    rejected = run_service(
        request,
        lambda: services.listing_reject(
            listing=listing, actor=user, reason=form.cleaned_data["reason"]
        ),
    )
    if rejected.ok:
        messages.success(
            request, _("Sent back to the owner: %(title)s") % {"title": listing.title}
        )
    return redirect("moderation-queue")
