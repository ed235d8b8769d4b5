"""The home page: search research results or technology needs, with facet filters in a
sidebar, highlighted hits, and the newest listings from the database when search is down.

The view is thin: `SearchForm` turns the query string into a `SearchQuery`, the configured
backend (`matching.search.get_search_backend`) answers it, the listings selectors drop hits
the viewer may not see.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.api.throttling import throttle_wait, throttled_page
from kernel.invisible_text import without_invisible
from marketplace import selectors as listing_selectors
from marketplace.choices import Field, ListingStatus, Stage, TransferMode, choice_label
from marketplace.regions import province_label
from matching.alerts.queries import clean_params
from matching.search.backends.base import SearchHit, SearchQuery, SearchUnavailable
from matching.search.fallback import MatchMode, search_listings
from matching.search.forms import FILTER_FIELDS, MAX_QUERY_CHARS, SearchForm

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from marketplace.models import ResearchResult, TechnologyNeed
    from marketplace.roles import AnyUser

logger = logging.getLogger(__name__)

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
    "field": partial(choice_label, Field),
    "stage": partial(choice_label, Stage),
    "modes": partial(choice_label, TransferMode),
    "trl": lambda value: _("TRL %(level)s") % {"level": value},
    "province": province_label,
}


def _link_params(form: SearchForm) -> QueryDict:
    """The parameters the search used (`clean_params`), which the page's links carry: a
    refused or unknown value is not copied into each of them (a refused 5,000-character text
    in every facet link made a 2.5 MB page)."""
    params = QueryDict(mutable=True)
    if form.is_bound:
        for name, given in clean_params(form).items():
            params.setlist(name, [str(v) for v in (given if isinstance(given, list) else [given])])
    return params


def _url_with(params: QueryDict, **changes: list[str]) -> str:
    """The query string of `params` with some parameters replaced (empty list: removed); the
    page is reset unless `changes` sets it."""
    query = params.copy()
    query.pop("page", None)
    for name, values in changes.items():
        query.setlist(name, values)
    return "?" + query.urlencode()


def _return_path(request: HttpRequest, params: QueryDict, page: int) -> str:
    """This search's address with only the parameters it used (and its page beyond the
    first): where log-in and the language switch return."""
    query = _url_with(params, page=[str(page)] if page > 1 else [])
    return escape_uri_path(request.path) + (query if query != "?" else "")


def _page_urls(params: QueryDict, page: int) -> dict[str, str]:
    """The links to the previous and the next page of the search `params`."""
    return {
        "previous": _url_with(params, page=[str(page - 1)]),
        "next": _url_with(params, page=[str(page + 1)]),
    }


def _facet_sections(params: QueryDict, facets: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
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
                active = params.get("trl_min") == value and params.get("trl_max") == value
                url = _url_with(
                    params, trl_min=[] if active else [value], trl_max=[] if active else [value]
                )
            elif name == "province":
                active = params.get("province") == value
                url = _url_with(params, province=[] if active else [value])
            else:
                selected = params.getlist(param)
                active = value in selected
                url = _url_with(
                    params,
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


def _active_filters(params: QueryDict, query: SearchQuery) -> list[dict[str, str]]:
    """The filters `query` applies, each with its label and the link that removes it: shown
    even when the sidebar has no facet values to toggle (no hits, or hits found by meaning)."""
    active: list[dict[str, str]] = []
    for param, values, label in (
        ("field", query.fields, _FACET_LABELS["field"]),
        ("province", query.provinces, _FACET_LABELS["province"]),
        ("stage", query.stages, _FACET_LABELS["stage"]),
        ("modes", query.modes, _FACET_LABELS["modes"]),
    ):
        for value in values:
            # The form reads one province (the last given) and normalises it: its link
            # removes the parameter. The lists' values are choice codes, compared as given.
            kept = [] if param == "province" else [v for v in params.getlist(param) if v != value]
            active.append({"label": label(value), "url": _url_with(params, **{param: kept})})
    if query.trl_min is not None or query.trl_max is not None:
        low, high = query.trl_min or 1, query.trl_max or 9
        level = str(low) if low == high else f"{low}–{high}"
        active.append(
            {
                "label": _("TRL %(level)s") % {"level": level},
                "url": _url_with(params, trl_min=[], trl_max=[]),
            }
        )
    return active


def _saved_params(params: QueryDict) -> list[tuple[str, str]]:
    """(name, value) of each parameter the search used (`_link_params`), but its type (the
    save form has its own)."""
    return [(name, value) for name, values in params.lists() if name != "kind" for value in values]


def _hit_rows(viewer: AnyUser, kind: str, hits: list[SearchHit]) -> list[dict[str, Any]]:
    """Hits with their listings (in rank order); hits whose listing the viewer cannot see (e.g.
    unpublished since indexing) are dropped."""
    ids = [hit.object_id for hit in hits]
    queryset: QuerySet[ResearchResult] | QuerySet[TechnologyNeed] = (
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
    trl_min/trl_max (1–9), page. Bad values are left out and named on the page; the filters
    in force are listed with a link removing each. An empty q lists the newest listings. When
    no listing has the words, the page says so and shows those with some of them, else those
    close in meaning (`matching.search.fallback`). If the search service is down the page
    says so and lists the newest listings from the database.
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
    mode = MatchMode.ALL_WORDS
    try:
        found = search_listings(query)
        results, mode = found.results, found.mode
        rows = _hit_rows(request.user, kind, results.hits)
        total, facets = results.total, results.facets
    except SearchUnavailable:
        logger.warning("Search unavailable; showing the newest listings from the database")
        unavailable = True
        queryset: QuerySet[ResearchResult] | QuerySet[TechnologyNeed] = (
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
    params = _link_params(form)
    if query.page > num_pages and total:
        # A page past the end (an old link, a hand-typed number): the last page instead.
        return redirect(request.path + _url_with(params, page=[str(num_pages)]))
    sections = _facet_sections(params, facets)
    # The database's newest listings, shown while search is down, apply no filter.
    active = [] if unavailable else _active_filters(params, query)
    return render(
        request,
        "matching/home.html",
        {
            "form": form,
            "q": query.text,
            # The box keeps what was typed, also when the search left it out.
            "typed_q": without_invisible(str(form.data.get("q", ""))).strip()[:MAX_QUERY_CHARS],
            "kind": kind,
            "rows": rows,
            "total": total,
            "page": query.page,
            "num_pages": num_pages,
            "return_path": _return_path(request, params, query.page),
            "page_urls": _page_urls(params, query.page),
            "facet_sections": sections,
            "active_filters": active,
            "ignored_inputs": form.ignored() if form.is_bound else [],
            # "Save this search" saves what the search used, never what it left out.
            "saved_search_params": _saved_params(params),
            # Switching the type keeps the text and filters, except stage (results only).
            "kind_urls": {
                "result": _url_with(params, kind=["result"]),
                "need": _url_with(params, kind=["need"], stage=[]),
            },
            # "Clear all" in the filters panel clears the filters, not the text or the type.
            "clear_filters_url": _url_with(params, **{name: [] for name in FILTER_FIELDS}),
            "search_unavailable": unavailable,
            "match_mode": str(mode),
        },
    )
