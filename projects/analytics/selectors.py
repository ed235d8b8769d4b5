"""The deal funnel: from published listings to signed agreements and their value. One selector,
`deal_funnel`, builds the figures that the page, its CSV and XLSX exports and the API show.

**A deal** is one match request (`matching.MatchRequest`). Its **listing** is the listing the
request is addressed about: the research result when an enterprise asks for an introduction
(``need_to_result``), the technology need when a researcher proposes a result
(``result_to_need``). Its **parties** are the requester and the addressee.

**Stages**, each counted once per unit, with the moment it was reached:

1. *Listing*: research results and technology needs that have been published
   (``published_at`` set, whatever their status now) — counted per listing, at ``published_at``.
2. *Match request*: every deal, at the request's ``created_at``.
3. *Accepted*: deals whose request is accepted or has an agreement (an agreement is drafted
   only from an accepted request), at ``decided_at``.
4. *1:1 meeting*: deals with a roadshow 1:1 `Meeting` of a published schedule (a draft one may
   still change entirely) between the deal's two parties (the meeting request's requesting and
   presenter organisations, either way round) about an agenda
   slot whose listing is the deal's research result or technology need — at the earliest such
   meeting's start. The meeting is optional: a deal may reach the later stages without one.
5. *Agreement drafted*: deals with an agreement (`contracts.Agreement`) made from their match
   request (``match_request`` link; amendments excluded: each request has at most one
   original agreement), at the original agreement's ``created_at``.
6. *Signed*: deals with a signed agreement, at the original's ``signed_at`` (or the first
   signed amendment's, should the original not be signed).

**Contract value**: the sum over signed deals of the value of the deal's most recently signed
agreement (an amendment restates the terms it amends, so a deal's value counts once): the
frozen version's ``payment["total_cny"]`` read by the roadshow report's rule
(`projects.reports.selectors.agreement_value`); an agreement without a readable value adds 0
and is counted in ``value_missing``. Decimal CNY, 2 places.

**Conversion** from one stage to the next is the share of the units counted at a stage that
were also counted at the next: of the listings counted, those with a counted deal about them;
of the deals counted at stage k (k ≥ 2), those also counted at stage k + 1. So a deal signed
without a meeting lowers no rate (it is not in the meeting stage's denominator) and no rate
passes 100 %. **Overall**: of the listings counted, those with a signed counted deal
(``overall_listing_rate``); and of the deals counted, those signed (``overall_deal_rate``).
Rates are 0–1 with 4 places, None when their denominator is 0.

The 1:1 meeting is optional (`OPTIONAL_STAGES`): a stage before it also gives its conversion
to the next stage of the main chain (``converted_main``, ``rate_to_main``: accepted ->
agreement drafted), which the page shows, with the meeting as "of which with a 1:1 meeting".

**Median days** between consecutive stages: over the deals that reached both stages with both
moments known (``count`` says how many), in days (1 place). A meeting held before the request
was accepted gives a negative interval and is kept as it is. ``match_request -> signed``
summarises the whole path.

**Filters** (`projects.analytics.filters`): the *period* selects listings by ``published_at``
and deals by the request's ``created_at`` (days in Asia/Shanghai); a deal's later stages count
whenever they happened (a cohort). *Field* and *province* are those of the listing (the
deal's listing); a province matches the listing's region code or its province name.
*Organisation*: listings it owns, deals in which it is a party. *Roadshow*: the listings on
its agenda and the deals that came from it under the outcome report's attribution rule
(`projects.reports.selectors.attributed_match_requests`).

**Who sees what**: brokers (`marketplace.roles.is_broker`) every listing and deal; a member of
organisations the listings they own and the deals in which one of them is a party
(`marketplace.selectors.visible_to_parties` over requester and addressee: the match requests
they may open, `matching.match_requests.selectors`; the addressee is the listing's owner
whenever the request services made the request); the callers refuse everyone else.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import AgreementStatus
from contracts.models import Agreement
from contracts.selectors.agreements import PDF_COLUMNS
from kernel.errors import PermissionDeniedError
from kernel.money import CENT
from marketplace import roles
from marketplace.models import ResearchResult, TechnologyNeed
from marketplace.selectors import visible_to_parties
from matching.models import MatchRequest, MatchRequestDirection, MatchRequestStatus
from projects.analytics.filters import FunnelFilters
from projects.models import Meeting, RoadshowSlot
from projects.reports.selectors import agreement_value, attributed_match_requests

#: The stages in funnel order (their labels: `projects.analytics.export.STAGE_LABELS`).
STAGES = ("listing", "match_request", "accepted", "meeting", "drafted", "signed")
#: Stages a deal may skip on its way to a signature: the main chain goes around them.
OPTIONAL_STAGES = frozenset({"meeting"})
#: The intervals whose medians are given: consecutive stages, then the whole path.
STEPS = (*pairwise(STAGES), ("match_request", "signed"))

ListingKey = tuple[str, int]  # ("result" | "need", id)
#: A match request whose listing is its technology need (else its research result).
ON_NEED = Q(direction=MatchRequestDirection.RESULT_TO_NEED, technology_need__isnull=False)


@dataclass
class StageFigure:
    key: str
    count: int
    # Of the units counted here, how many were counted at the next stage, and the share.
    converted: int = 0
    rate_to_next: float | None = None
    #: A stage a deal may skip (the 1:1 meeting, `OPTIONAL_STAGES`).
    optional: bool = False
    # Before an optional stage: of the units counted here, how many were counted at the next
    # stage that is not optional, and the share (the main chain's conversion); else None.
    converted_main: int | None = None
    rate_to_main: float | None = None


@dataclass
class StepMedian:
    from_stage: str
    to_stage: str
    median_days: float | None
    count: int


@dataclass
class DealFunnel:
    generated_at: datetime
    filters: dict[str, str]
    stages: list[StageFigure]
    medians: list[StepMedian]
    value_cny: Decimal = Decimal("0.00")
    value_missing: int = 0
    overall_listing_rate: float | None = None
    overall_deal_rate: float | None = None

    def stage(self, key: str) -> StageFigure:
        return next(s for s in self.stages if s.key == key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes in ISO 8601, money as a string with 2 places."""
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        data["value_cny"] = str(self.value_cny.quantize(CENT))
        return data


@dataclass
class _Deal:
    pk: int
    listing: ListingKey
    listing_published_at: datetime | None
    parties: frozenset[int]
    result_id: int
    need_id: int | None
    # The moment each reached stage was reached (None when reached at an unknown moment).
    reached: dict[str, datetime | None] = field(default_factory=dict)
    value: Decimal | None = None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _visible_listings(model: type[ResearchResult] | type[TechnologyNeed], viewer: Any,
                      filters: FunnelFilters) -> QuerySet[Any]:
    rows = model.objects.filter(published_at__isnull=False)
    if not roles.is_broker(viewer):
        rows = rows.filter(owner_id__in=roles.organization_ids(viewer))
    start, end = filters.period()
    if start:
        rows = rows.filter(published_at__gte=start)
    if end:
        rows = rows.filter(published_at__lt=end)
    if filters.field:
        rows = rows.filter(field=filters.field)
    if filters.region:
        rows = rows.filter(Q(region_code__startswith=filters.region[:2])
                           | Q(province__in=filters.province_names()))
    if filters.organization:
        rows = rows.filter(owner=filters.organization)
    if filters.roadshow:
        slots = RoadshowSlot.objects.filter(roadshow=filters.roadshow)
        column = ("research_result_id" if model is ResearchResult else "technology_need_id")
        rows = rows.filter(pk__in=slots.values(column))
    return rows


def _listings(viewer: Any, filters: FunnelFilters,
              rows: QuerySet[MatchRequest]) -> tuple[int, set[ListingKey]]:
    """The number of listings counted, and those of them that are a deal's listing (`rows`,
    the deals' match requests, as subqueries: the count alone is taken in the database)."""
    results = _visible_listings(ResearchResult, viewer, filters)
    needs = _visible_listings(TechnologyNeed, viewer, filters)
    found = {("result", pk) for pk in results.filter(
        pk__in=rows.exclude(ON_NEED).values("research_result_id")).values_list("pk", flat=True)}
    found |= {("need", pk) for pk in needs.filter(
        pk__in=rows.filter(ON_NEED).values("technology_need_id")).values_list("pk", flat=True)}
    return results.count() + needs.count(), found


def _listing_q(prefix: str, filters: FunnelFilters) -> Q:
    """The field and province filters on the listing at `prefix` (``research_result__``)."""
    condition = Q()
    if filters.field:
        condition &= Q(**{f"{prefix}field": filters.field})
    if filters.region:
        condition &= (Q(**{f"{prefix}region_code__startswith": filters.region[:2]})
                      | Q(**{f"{prefix}province__in": filters.province_names()}))
    return condition


def _deal_rows(viewer: Any, filters: FunnelFilters) -> QuerySet[MatchRequest]:
    rows = visible_to_parties(MatchRequest.objects.all(), viewer=viewer,
                              parties=("requester", "addressee"))
    start, end = filters.period()
    if start:
        rows = rows.filter(created_at__gte=start)
    if end:
        rows = rows.filter(created_at__lt=end)
    if filters.field or filters.region:
        rows = rows.filter((ON_NEED & _listing_q("technology_need__", filters))
                           | (~ON_NEED & _listing_q("research_result__", filters)))
    if filters.organization:
        rows = rows.filter(Q(requester=filters.organization) | Q(addressee=filters.organization))
    if filters.roadshow:
        rows = rows.filter(pk__in=list(attributed_match_requests(filters.roadshow)))
    return rows


def _deals(rows: QuerySet[MatchRequest]) -> dict[int, _Deal]:
    deals: dict[int, _Deal] = {}
    for row in rows.values(
        "pk", "direction", "research_result_id", "technology_need_id", "requester_id",
        "addressee_id", "status", "created_at", "decided_at",
        "research_result__published_at", "technology_need__published_at",
    ):
        on_need = (row["direction"] == MatchRequestDirection.RESULT_TO_NEED
                   and row["technology_need_id"] is not None)
        deal = _Deal(
            pk=row["pk"],
            listing=("need", row["technology_need_id"]) if on_need
            else ("result", row["research_result_id"]),
            listing_published_at=row["technology_need__published_at"] if on_need
            else row["research_result__published_at"],
            parties=frozenset((row["requester_id"], row["addressee_id"])),
            result_id=row["research_result_id"], need_id=row["technology_need_id"],
        )
        deal.reached["match_request"] = row["created_at"]
        if row["status"] == MatchRequestStatus.ACCEPTED:
            deal.reached["accepted"] = row["decided_at"]
        deals[deal.pk] = deal
    return deals


def _add_meetings(deals: dict[int, _Deal], rows: QuerySet[MatchRequest]) -> None:
    """The earliest linked 1:1 meeting of each deal (rule in the module docstring); `rows`
    are the deals' match requests, a subquery here."""
    meetings = Meeting.objects.filter(roadshow__meeting_publication__isnull=False).filter(
        Q(request__slot__research_result_id__in=rows.values("research_result_id"))
        | Q(request__slot__technology_need_id__in=rows.filter(
            technology_need_id__isnull=False).values("technology_need_id"))
    ).values_list("request__slot__research_result_id", "request__slot__technology_need_id",
                  "request__requester_organization_id", "request__presenter_organization_id",
                  "starts_at")
    earliest: dict[tuple[ListingKey, frozenset[int]], datetime] = {}
    for result_id, need_id, requester_id, presenter_id, starts_at in meetings:
        listing: ListingKey = ("result", result_id) if result_id else ("need", need_id)
        key = (listing, frozenset((requester_id, presenter_id)))
        if key not in earliest or starts_at < earliest[key]:
            earliest[key] = starts_at
    for deal in deals.values():
        candidates = [earliest.get((listing, deal.parties))
                      for listing in _deal_listings(deal)]
        starts = [c for c in candidates if c is not None]
        if starts:
            deal.reached["meeting"] = min(starts)


def _deal_listings(deal: _Deal) -> Iterable[ListingKey]:
    yield ("result", deal.result_id)
    if deal.need_id is not None:
        yield ("need", deal.need_id)


def _add_agreements(deals: dict[int, _Deal], rows: QuerySet[MatchRequest]) -> None:
    """Drafted (the original agreement), signed and the value (rules in the module
    docstring)."""
    agreements = (
        Agreement.objects.filter(match_request_id__in=rows.values("pk"))
        .select_related("frozen_version")
        .defer(*PDF_COLUMNS)
        .order_by("created_at", "id")
    )
    latest_signed: dict[int, Agreement] = {}
    for agreement in agreements:
        deal = deals.get(agreement.match_request_id or 0)
        if deal is None:  # made after the deals were read
            continue
        deal.reached.setdefault("accepted", None)  # drafted only from an accepted request
        if agreement.amends_id is None:
            deal.reached["drafted"] = agreement.created_at
        if agreement.status == AgreementStatus.SIGNED and agreement.signed_at is not None:
            first = deal.reached.get("signed")
            if agreement.amends_id is None or first is None:
                deal.reached["signed"] = agreement.signed_at
            held = latest_signed.get(deal.pk)
            if held is None or (agreement.signed_at, agreement.pk) > (held.signed_at, held.pk):
                latest_signed[deal.pk] = agreement
    for pk, agreement in latest_signed.items():
        deals[pk].value = agreement_value(agreement)


def _medians(deals: Iterable[_Deal]) -> list[StepMedian]:
    medians = []
    for earlier, later in STEPS:
        days = []
        for deal in deals:
            moments = {**deal.reached, "listing": deal.listing_published_at}
            start, end = moments.get(earlier), moments.get(later)
            if start is not None and end is not None and later in deal.reached:
                days.append((end - start).total_seconds() / 86400)
        # + 0.0: a median that rounds to zero from below is 0.0, not -0.0
        median = round(statistics.median(days), 1) + 0.0 if days else None
        medians.append(StepMedian(from_stage=earlier, to_stage=later, median_days=median,
                                  count=len(days)))
    return medians


def deal_funnel(*, viewer: Any, filters: FunnelFilters | None = None,
                now: datetime | None = None) -> DealFunnel:
    """The deal funnel that `viewer` may see under `filters` (rules in the module docstring).
    Callers let only brokers and members of an organisation call it (`may_see_funnel`)."""
    filters = filters or FunnelFilters()
    rows = _deal_rows(viewer, filters)
    deals = _deals(rows)
    _add_meetings(deals, rows)
    _add_agreements(deals, rows)
    counted = list(deals.values())
    listing_count, listings = _listings(viewer, filters, rows)
    requested = {d.listing for d in counted if d.listing in listings}
    signed_listings = {d.listing for d in counted
                       if d.listing in listings and "signed" in d.reached}
    stages = [StageFigure(key="listing", count=listing_count, converted=len(requested),
                          rate_to_next=_rate(len(requested), listing_count))]
    for key, following in zip(STAGES[1:], (*STAGES[2:], None), strict=True):
        at_stage = [d for d in counted if key in d.reached]
        figure = StageFigure(key=key, count=len(at_stage), optional=key in OPTIONAL_STAGES)
        if following is not None:
            figure.converted = sum(1 for d in at_stage if following in d.reached)
            figure.rate_to_next = _rate(figure.converted, figure.count)
        if following in OPTIONAL_STAGES:
            main = STAGES[STAGES.index(following) + 1]
            figure.converted_main = sum(1 for d in at_stage if main in d.reached)
            figure.rate_to_main = _rate(figure.converted_main, figure.count)
        stages.append(figure)
    signed = [d for d in counted if "signed" in d.reached]
    return DealFunnel(
        generated_at=now or timezone.now(),
        filters=filters.as_query(),
        stages=stages,
        medians=_medians(counted),
        value_cny=sum((d.value or Decimal("0.00") for d in signed), Decimal("0.00")).quantize(
            CENT),
        value_missing=sum(1 for d in signed if d.value is None),
        overall_listing_rate=_rate(len(signed_listings), listing_count),
        overall_deal_rate=_rate(len(signed), len(counted)),
    )


def may_see_funnel(user: Any) -> bool:
    """Brokers and members of an organisation see (their part of) the funnel."""
    return bool(user.is_authenticated and (roles.is_broker(user)
                                           or roles.organization_ids(user)))


def require_funnel_viewer(user: Any) -> None:
    """Raises `PermissionDeniedError` (403, with its reason) unless `may_see_funnel(user)`."""
    if not may_see_funnel(user):
        raise PermissionDeniedError(
            _("The deal funnel is for brokers and members of an organisation.")
        )


__all__ = ["OPTIONAL_STAGES", "STAGES", "STEPS", "DealFunnel", "StageFigure", "StepMedian",
           "deal_funnel", "may_see_funnel", "require_funnel_viewer"]
