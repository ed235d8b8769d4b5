"""Web pages of matching: the home page search, explained matches of a listing, match
requests (对接) with their thread, and the user's dashboard.

Views are thin: validate input with a form, call a selector/search/matcher or a service,
render. Service errors are shown per field or as messages (`show_domain_error`); permission
errors are 403, invisible objects 404 (the selectors decide).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import roles
from marketplace import selectors as listing_selectors
from marketplace.api.throttling import throttle_wait, throttle_web, throttled_page
from marketplace.choices import ListingStatus
from marketplace.errors import DomainError
from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.notifications import notification_mark_all_read
from marketplace.templatetags.keqiao import field_label, mode_label, stage_label
from marketplace.web_helpers import show_domain_error
from matching import selectors, services
from matching.forms import DeclineForm, MatchRequestForm, MessageForm, ProposeForm, SearchForm
from matching.matcher import COMPONENT_LABELS, Match, matches_for_need, matches_for_result
from matching.models import MatchRequest, MatchRequestStatus
from matching.search import get_search_backend
from matching.search.backends.base import SearchHit, SearchUnavailable

logger = logging.getLogger(__name__)


def _actor(request: HttpRequest) -> Any:
    """The signed-in user (views that call services are behind login_required)."""
    return request.user


# --- home: search ----------------------------------------------------------------------------

#: Facets shown in the sidebar, in order: (facet name in SearchResults.facets, URL parameter).
_SIDEBAR_FACETS: tuple[tuple[str, str], ...] = (
    ("field", "field"),
    ("province", "province"),
    ("stage", "stage"),
    ("trl", "trl"),
    ("modes", "modes"),
)
_FACET_TITLES = {
    "field": gettext_lazy("Field"),
    "province": gettext_lazy("Province"),
    "stage": gettext_lazy("Stage"),
    "trl": gettext_lazy("TRL"),
    "modes": gettext_lazy("Transfer / cooperation modes"),
}
_FACET_LABELS: dict[str, Callable[[str], str]] = {
    "field": field_label,
    "stage": stage_label,
    "modes": mode_label,
    "trl": lambda value: _("TRL %(level)s") % {"level": value},
}


def _url_with(request: HttpRequest, **changes: list[str]) -> str:
    """The current query string with some parameters replaced (empty list: removed); the page
    is reset."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, values in changes.items():
        query.setlist(name, values)
    return "?" + query.urlencode()


def _facet_sections(
    request: HttpRequest, facets: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """Sidebar sections: each value with its count, whether it is selected, and the link that
    toggles it."""
    sections: list[dict[str, Any]] = []
    for name, param in _SIDEBAR_FACETS:
        counts = facets.get(name) or {}
        items = []
        for value, count in sorted(
            counts.items(), key=lambda kv: (int(kv[0]) if name == "trl" else -kv[1], kv[0])
        ):
            if value in ("", None):
                continue
            value = str(value)
            if name == "trl":
                active = request.GET.get("trl_min") == value and request.GET.get("trl_max") == value
                url = _url_with(
                    request, trl_min=[] if active else [value], trl_max=[] if active else [value]
                )
            elif name == "province":
                active = request.GET.get("province") == value
                url = _url_with(request, province=[] if active else [value])
            else:
                selected = request.GET.getlist(param)
                active = value in selected
                url = _url_with(
                    request,
                    **{
                        param: [v for v in selected if v != value] if active else [*selected, value]
                    },
                )
            label = _FACET_LABELS.get(name, str)(value)
            items.append(
                {"value": value, "label": label, "count": count, "active": active, "url": url}
            )
        if items:
            sections.append({"name": name, "title": _FACET_TITLES[name], "items": items})
    return sections


def _hit_rows(viewer: Any, kind: str, hits: list[SearchHit]) -> list[dict[str, Any]]:
    """Hits with their listings (in rank order); hits whose listing the viewer cannot see (e.g.
    unpublished since indexing) are dropped."""
    ids = [hit.object_id for hit in hits]
    queryset: Any = (
        listing_selectors.research_result_list(viewer=viewer)
        if kind == "result"
        else listing_selectors.technology_need_list(viewer=viewer)
    )
    listings = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
    rows = []
    for hit in hits:
        listing = listings.get(hit.object_id)
        if listing is None:
            continue
        # The backend's highlight snippets are HTML in which every piece of listing text is
        # already escaped and only <mark>…</mark> is added (SearchHit contract, base.py); the
        # template renders them with |safe. Nothing else on the page is marked safe.
        rows.append(
            {
                "listing": listing,
                "title_html": next(iter(hit.highlights.get("title") or []), None),
                "snippets": hit.highlights.get("body") or [],
                "keywords_html": hit.highlights.get("keywords") or [],
            }
        )
    return rows


def home(request: HttpRequest) -> HttpResponse:
    """GET / (name "home"): search research results or technology needs.

    Parameters: q (text), kind ("result" | "need"), field/stage/modes (repeatable), province,
    trl_min/trl_max (1–9), page. An empty q lists the newest listings. If the search service is
    down the page says so and lists the newest listings from the database.
    """
    if request.GET:  # a search, not the bare home page
        wait = throttle_wait(request, scope="search", methods=("GET",))
        if wait is not None:
            return throttled_page(request, wait)
    form = SearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid values are dropped by form.query()
    query = form.query()
    kind = query.kind or "result"
    unavailable = False
    try:
        results = get_search_backend().search(query)
        rows = _hit_rows(request.user, kind, results.hits)
        total, facets = results.total, results.facets
    except SearchUnavailable:
        logger.warning("Search unavailable; showing the newest listings from the database")
        unavailable = True
        queryset: Any = (
            listing_selectors.research_result_list(viewer=request.user)
            if kind == "result"
            else listing_selectors.technology_need_list(viewer=request.user)
        )
        queryset = queryset.filter(status=ListingStatus.PUBLISHED)
        start = (query.page - 1) * query.page_size
        rows = [
            {"listing": obj, "title_html": None, "snippets": [], "keywords_html": []}
            for obj in queryset[start : start + query.page_size]
        ]
        total, facets = queryset.count(), {}
    num_pages = max(1, math.ceil(total / query.page_size))
    sections = _facet_sections(request, facets)
    return render(
        request,
        "matching/home.html",
        {
            "form": form,
            "q": query.text,
            "kind": kind,
            "rows": rows,
            "total": total,
            "page": query.page,
            "num_pages": num_pages,
            "facet_sections": sections,
            "active_filters": sum(item["active"] for s in sections for item in s["items"]),
            # Switching the type keeps the text and filters, except stage (results only).
            "kind_urls": {
                "result": _url_with(request, kind=["result"]),
                "need": _url_with(request, kind=["need"], stage=[]),
            },
            "search_unavailable": unavailable,
        },
    )


# --- matches ---------------------------------------------------------------------------------



def _match_rows(matches: list[Match]) -> list[dict[str, Any]]:
    language = get_language() or "zh-hans"
    return [
        {
            "listing": match.listing,
            "kind": match.kind,
            "score": match.score,
            "reason": match.scored.reason(language),
            "components": [
                {
                    "name": component.name,
                    "label": COMPONENT_LABELS.get(component.name, component.name),
                    "score": component.score,
                    "weight": component.weight,
                    "known": component.known,
                    "reason": component.reason(language),
                }
                for component in match.scored.components
            ],
        }
        for match in matches
    ]


def _matches_page(
    request: HttpRequest, listing: ResearchResult | TechnologyNeed, kind: str
) -> HttpResponse:
    try:
        if isinstance(listing, TechnologyNeed):
            matches = matches_for_need(need=listing, viewer=request.user)
        else:
            matches = matches_for_result(result=listing, viewer=request.user)
    except SearchUnavailable:
        logger.warning("Search unavailable; cannot compute matches for %s %s", kind, listing.pk)
        messages.error(request, _("Matching is unavailable right now. Please try again later."))
        matches = []
    owner_member = roles.is_member(request.user, listing.owner_id)
    return render(
        request,
        "matching/matches.html",
        {
            "listing": listing,
            "kind": kind,
            "rows": _match_rows(matches),
            # Enterprises ask for introductions from a need's matches; a result's owner
            # proposes the result to the needs it matches.
            "can_act": owner_member,
        },
    )


@throttle_web("matches", methods=("GET",))
def need_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /needs/<pk>/matches/: research results that fit the need, explained."""
    need = listing_selectors.technology_need_get(viewer=request.user, pk=pk)
    return _matches_page(request, need, "need")


@throttle_web("matches", methods=("GET",))
def result_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /results/<pk>/matches/: technology needs the result may solve, explained."""
    result = listing_selectors.research_result_get(viewer=request.user, pk=pk)
    return _matches_page(request, result, "result")


# --- match requests --------------------------------------------------------------------------


@login_required
@throttle_web("match_request")
def match_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /results/<pk>/request/: ask to be introduced to a result's owner (申请对接),
    optionally for one of the user's organisation's published needs."""
    result = listing_selectors.research_result_get(viewer=request.user, pk=pk)
    needs = listing_selectors.technology_need_list(
        viewer=request.user, filters={"status": ListingStatus.PUBLISHED}
    ).filter(owner_id__in=roles.organization_ids(request.user))
    form = MatchRequestForm(
        request.POST or None, needs=needs, initial={"technology_need": request.GET.get("need")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.match_request_create(
                actor=_actor(request),
                research_result=result,
                technology_need=form.cleaned_data["technology_need"],
                message=form.cleaned_data["message"],
            )
        except DomainError as exc:
            show_domain_error(request, exc, form)
        else:
            messages.success(
                request, _("Your request was sent. You will be notified of the answer.")
            )
            return redirect("match-request-detail", pk=created.pk)
    return render(
        request,
        "matching/match_request_form.html",
        {"form": form, "listing": result, "kind": "result"},
    )


@login_required
@throttle_web("match_request")
def match_request_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """GET/POST /needs/<pk>/propose/: a researcher proposes one of their organisation's
    published results to a need (推荐给需求)."""
    need = listing_selectors.technology_need_get(viewer=request.user, pk=pk)
    results = listing_selectors.research_result_list(
        viewer=request.user, filters={"status": ListingStatus.PUBLISHED}
    ).filter(owner_id__in=roles.organization_ids(request.user))
    form = ProposeForm(
        request.POST or None,
        results=results,
        initial={"research_result": request.GET.get("result")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.match_request_propose(
                actor=_actor(request),
                research_result=form.cleaned_data["research_result"],
                technology_need=need,
                message=form.cleaned_data["message"],
            )
        except DomainError as exc:
            show_domain_error(request, exc, form)
        else:
            messages.success(
                request, _("Your proposal was sent. You will be notified of the answer.")
            )
            return redirect("match-request-detail", pk=created.pk)
    return render(
        request,
        "matching/match_request_form.html",
        {"form": form, "listing": need, "kind": "need", "has_results": results.exists()},
    )


_ROLE_ALL = "all"


def _default_role(user: Any) -> str:
    """The tab /requests/ opens on without `role`: brokers see all requests; others the
    requests their organisations received if there are any, else those they sent (so a user
    who has only sent requests does not land on an empty tab)."""
    if roles.is_broker(user):
        return _ROLE_ALL
    received = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_RECEIVED})
    if received.exists():
        return selectors.ROLE_RECEIVED
    sent = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_SENT})
    return selectors.ROLE_SENT if sent.exists() else selectors.ROLE_RECEIVED


@login_required
def match_request_list(request: HttpRequest) -> HttpResponse:
    """GET /requests/?role=received|sent|all[&status=...]: the user's match requests. Without
    a valid `role` the page opens on the tab that has requests (`_default_role`)."""
    role = request.GET.get("role", "")
    if role not in (selectors.ROLE_SENT, selectors.ROLE_RECEIVED, _ROLE_ALL):
        role = _default_role(request.user)
    status = request.GET.get("status", "")
    if status not in MatchRequestStatus.values:
        status = ""
    filters = {"role": role if role != _ROLE_ALL else None, "status": status or None}
    requests = selectors.match_request_list(viewer=request.user, filters=filters)
    return render(
        request,
        "matching/match_request_list.html",
        {
            "requests": requests[:200],
            "role": role,
            "status": status,
            "statuses": MatchRequestStatus.choices,
            "show_all_tab": roles.is_broker(request.user),
        },
    )


def _contact_sides(request: HttpRequest, match_request: MatchRequest) -> list[Any]:
    sides = selectors.visible_contact_sides(request.user, match_request)
    organizations = []
    if selectors.REQUESTER in sides:
        organizations.append(match_request.requester)
    if selectors.ADDRESSEE in sides:
        organizations.append(match_request.addressee)
    return organizations


def _render_detail(
    request: HttpRequest,
    match_request: MatchRequest,
    *,
    decline_form: DeclineForm | None = None,
    message_form: MessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_open = match_request.status == MatchRequestStatus.OPEN
    party = selectors.is_party(user, match_request)
    broker = roles.is_broker(user)
    may_decide = is_open and (roles.is_member(user, match_request.addressee_id) or broker)
    context = {
        "mr": match_request,
        "contacts": _contact_sides(request, match_request),
        "thread": selectors.match_request_messages(request=match_request),
        "can_decide": may_decide,
        "on_behalf": may_decide and not roles.is_member(user, match_request.addressee_id),
        "can_withdraw": is_open and roles.is_member(user, match_request.requester_id),
        "can_post": broker or (party and match_request.status == MatchRequestStatus.ACCEPTED),
        "decline_form": decline_form or DeclineForm(),
        "message_form": message_form or MessageForm(),
    }
    return render(request, "matching/match_request_detail.html", context, status=status)


@login_required
def match_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET /requests/<pk>/: the request, the decision buttons the user may use, contacts after
    acceptance and the message thread."""
    return _render_detail(request, selectors.match_request_get(viewer=request.user, pk=pk))


@require_POST
@login_required
def match_request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/accept/ (members of the addressee, or brokers on their behalf)."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    try:
        services.match_request_accept(request=match_request, actor=_actor(request))
    except DomainError as exc:
        show_domain_error(request, exc)
    else:
        messages.success(request, _("Accepted. Contact details are now visible to both sides."))
    return redirect("match-request-detail", pk=pk)


@require_POST
@login_required
def match_request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/decline/ with `reason` (DeclineReason) and `text`."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.match_request_decline(
                request=match_request,
                actor=_actor(request),
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            show_domain_error(request, exc, form)
        else:
            messages.success(request, _("Declined. The requester has been notified."))
            return redirect("match-request-detail", pk=pk)
    return _render_detail(request, match_request, decline_form=form, status=400)


@require_POST
@login_required
def match_request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/withdraw/ (members of the requesting organisation)."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    try:
        services.match_request_withdraw(request=match_request, actor=_actor(request))
    except DomainError as exc:
        show_domain_error(request, exc)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("match-request-detail", pk=pk)


@require_POST
@login_required
@throttle_web("message")
def match_request_message(request: HttpRequest, pk: int) -> HttpResponse:
    """POST /requests/<pk>/messages/ with `body`: a message in the thread."""
    match_request = selectors.match_request_get(viewer=request.user, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.match_request_message_post(
                request=match_request, actor=_actor(request), body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            show_domain_error(request, exc, form)
        else:
            return redirect(reverse("match-request-detail", kwargs={"pk": pk}) + "#thread")
    return _render_detail(request, match_request, message_form=form, status=400)


# --- dashboard -------------------------------------------------------------------------------


def _listings_by_status(
    listings: list[ResearchResult] | list[TechnologyNeed],
) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = []
    for code, label in ListingStatus.choices:
        items = [listing for listing in listings if listing.status == code]
        if items:
            groups.append({"status": code, "label": label, "items": items})
    return groups


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """GET /dashboard/ (name "dashboard"): my organisations' listings by status, my match
    requests sent and received, unread notifications."""
    user = request.user
    org_ids = sorted(roles.organization_ids(user))
    results: list[ResearchResult] = []
    needs: list[TechnologyNeed] = []
    for org_id in org_ids:
        results += list(
            listing_selectors.research_result_list(viewer=user, filters={"owner": org_id})
        )
        needs += list(
            listing_selectors.technology_need_list(viewer=user, filters={"owner": org_id})
        )
    sent = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_SENT})
    received = selectors.match_request_list(viewer=user, filters={"role": selectors.ROLE_RECEIVED})
    notifications = listing_selectors.notification_list(viewer=user, unread_only=True)
    return render(
        request,
        "matching/dashboard.html",
        {
            "organization": roles.primary_organization(user),
            "result_groups": _listings_by_status(results),
            "need_groups": _listings_by_status(needs),
            "sent": sent[:10],
            "received": received[:10],
            "open_received": received.filter(status=MatchRequestStatus.OPEN).count(),
            "notifications": notifications[:20],
            "unread_count": notifications.count(),
        },
    )


@require_POST
@login_required
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    """POST /notifications/read/: mark all of the user's notifications as read."""
    notification_mark_all_read(actor=_actor(request))
    return redirect("dashboard")
