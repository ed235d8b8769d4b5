"""Reads of the broker console (brokers only: others get `PermissionDeniedError`, 403).

Each section is a count and the first `SECTION_SIZE` items, oldest first (the longest
waiting is the most urgent), except roadshows, soonest first. The full lists are the
existing queue pages each section links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.choices import AgreementStatus
from contracts.models import Agreement
from marketplace import roles
from marketplace import selectors as listing_selectors
from marketplace.organizations import selectors as organization_selectors
from matching.models import MatchRequest, MatchRequestStatus
from projects.choices import RoadshowStatus
from projects.mediation import selectors as mediation_selectors
from projects.models import Roadshow
from projects.permissions import hostable_organization_ids

if TYPE_CHECKING:
    from marketplace.roles import AnyUser

#: How many items each section lists on the console (the count covers all of them).
SECTION_SIZE = 5


@dataclass(frozen=True)
class ConsoleSection:
    """`count` items wait; `items` are the first `SECTION_SIZE` of them."""

    count: int
    items: list[Any]


def _section(queryset: QuerySet[Any]) -> ConsoleSection:
    return ConsoleSection(count=queryset.count(), items=list(queryset[:SECTION_SIZE]))


@dataclass(frozen=True)
class BrokerConsole:
    """What waits for a broker; see the module docstring."""

    results_to_review: ConsoleSection
    needs_to_review: ConsoleSection
    organizations_to_verify: ConsoleSection
    claims_to_answer: ConsoleSection
    unanswered_match_requests: ConsoleSection
    escalated_requests: ConsoleSection
    roadshows: ConsoleSection
    agreements_to_sign: ConsoleSection
    agreements_to_seal: ConsoleSection


def hosted_roadshows(*, viewer: AnyUser) -> QuerySet[Roadshow]:
    """Roadshows not yet over that `viewer` runs (host staff; admins: every host), drafts
    included, by start time (a live one has started, so it comes before the upcoming ones)."""
    queryset = Roadshow.objects.select_related("host").filter(
        Q(status=RoadshowStatus.LIVE)
        | Q(status__in=[RoadshowStatus.DRAFT, RoadshowStatus.SCHEDULED],
            ends_at__gte=timezone.now())
    )
    if not roles.is_admin(viewer):
        queryset = queryset.filter(host_id__in=hostable_organization_ids(user=viewer))
    return queryset.order_by("starts_at", "id")


def broker_console(*, viewer: AnyUser) -> BrokerConsole:
    """The console of `viewer`. Raises `PermissionDeniedError` (403) for non-brokers."""
    roles.require_broker(viewer, _("Only brokers of the transfer centre can open the console."))
    moderation = listing_selectors.moderation_queue(viewer=viewer)
    unanswered = MatchRequest.objects.filter(
        status=MatchRequestStatus.OPEN, mediated_at__isnull=True
    ).select_related("requester", "addressee", "research_result").order_by("created_at", "id")
    escalated_keys = mediation_selectors.mediated_request_keys(
        viewer=viewer, filters={"status": mediation_selectors.OPEN}
    )
    agreements = Agreement.objects.select_related("party_a", "party_b").defer("sealed_pdf")
    return BrokerConsole(
        results_to_review=_section(moderation.research_results),
        needs_to_review=_section(moderation.needs),
        organizations_to_verify=_section(organization_selectors.verification_queue(viewer=viewer)),
        claims_to_answer=_section(organization_selectors.claim_queue(viewer=viewer)),
        unanswered_match_requests=_section(unanswered),
        escalated_requests=ConsoleSection(
            count=escalated_keys.count(),
            items=mediation_selectors.mediated_request_items(escalated_keys[:SECTION_SIZE]),
        ),
        roadshows=_section(hosted_roadshows(viewer=viewer)),
        agreements_to_sign=_section(agreements.filter(
            status__in=[AgreementStatus.APPROVED, AgreementStatus.SIGNING]
        ).order_by("updated_at", "id")),
        agreements_to_seal=_section(agreements.filter(
            status=AgreementStatus.SIGNED, sealed_at__isnull=True
        ).order_by("updated_at", "id")),
    )
