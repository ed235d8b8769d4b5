"""Web pages of explained matches: the research results that fit a technology need, and the
needs a research result may solve, each score with its components and reasons.

Views are thin: the listing is loaded through the listings selectors (invisible: 404), the
matcher (`matching.matcher`) ranks and explains; a search outage shows a message, not an error.
Matches are grouped by strength (`matching.matches.grouping`): strong, then possible, each in
the matcher's order, with a badge; weak ones only behind a "more" divider (a closed <details>).
The list is paged, `MATCHES_PER_PAGE` at a time, in that order.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kernel.api.throttling import throttle_web
from kernel.pages import page_of
from marketplace import roles
from marketplace import selectors as listing_selectors
from marketplace.models import ResearchResult, TechnologyNeed
from matching.matcher import (
    COMPONENT_LABELS,
    Match,
    candidate_limit,
    matches_for_need,
    matches_for_result,
    with_owners,
)
from matching.matches.grouping import STRENGTH_HELP, STRENGTH_LABELS, group_by_strength
from matching.search.backends.base import SearchUnavailable

logger = logging.getLogger(__name__)

#: Matches a page shows; later ones are on the next pages (only the shown ones are explained).
MATCHES_PER_PAGE = 20


def _match_rows(matches: list[Match]) -> list[dict[str, Any]]:
    language = get_language() or "zh-hans"
    return [
        {
            "listing": match.listing,
            "kind": match.kind,
            # The page explains the weighted mean of the components; the order is the fused
            # relevance (`Match.relevance`) within each strength.
            "score": match.scored.total,
            "strength": match.strength,
            "strength_label": STRENGTH_LABELS[match.strength],
            "strength_help": STRENGTH_HELP[match.strength],
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


def _page_context(matches: list[Match], page_number: str | None) -> dict[str, Any]:
    """The page `page_number` (`kernel.pages.page_of`: a bad number, or one below 1, shows
    the first page, one past the end the last) of `matches` in the page's order: strong, then
    possible, then weak, each in the matcher's order. `rows` are the page's, numbered by
    their `position` in the whole list; `shown_rows` (strong and possible) and `weak_rows`
    split them; `any_shown` says whether any page has a strong or possible match."""
    groups = group_by_strength(matches)
    ordered = groups["strong"] + groups["possible"] + groups["weak"]
    page = page_of(ordered, MATCHES_PER_PAGE, page_number)
    on_page = list(with_owners(list(page.object_list)))
    rows = _match_rows(on_page)
    for position, row in enumerate(rows, start=page.start_index()):
        row["position"] = position
    return {
        "rows": rows,
        "shown_rows": [row for row in rows if row["strength"] != "weak"],
        "weak_rows": [row for row in rows if row["strength"] == "weak"],
        "any_shown": bool(groups["strong"] or groups["possible"]),
        "page_obj": page,
        "pager_keep": (),  # the pager's links carry the page number only
    }


def _matches_page(
    request: HttpRequest, listing: ResearchResult | TechnologyNeed, kind: str
) -> HttpResponse:
    try:
        if isinstance(listing, TechnologyNeed):
            matches = matches_for_need(need=listing, viewer=request.user, limit=candidate_limit())
        else:
            matches = matches_for_result(
                result=listing, viewer=request.user, limit=candidate_limit()
            )
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
            **_page_context(matches, request.GET.get("page")),
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
