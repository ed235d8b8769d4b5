"""Reads of the mediation queue (brokers only: others get PermissionDeniedError, 403).

An item is named ``<kind>-<id>`` (``match_request-12``, ``meeting_request-5``); its `status`
is the same for both kinds: open (unanswered), accepted (for a meeting request also scheduled
or not placed), declined, withdrawn (match requests only). The queue lists the requests with
`mediated_at` set, most recently mediated first; it pages over a UNION of the two tables'
keys, so a page reads only its own rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from matching.mediation.common import require_broker
from matching.mediation.models import MediationEvent
from matching.models import MatchRequest, MatchRequestStatus
from projects.models import MeetingRequest, MeetingRequestStatus

if TYPE_CHECKING:
    from marketplace.models import Organization
    from marketplace.roles import AnyUser

KIND_MATCH_REQUEST = "match_request"
KIND_MEETING_REQUEST = "meeting_request"
KINDS = [(KIND_MATCH_REQUEST, _("Match request")), (KIND_MEETING_REQUEST, _("1:1 meeting request"))]

OPEN, ACCEPTED, DECLINED, WITHDRAWN = "open", "accepted", "declined", "withdrawn"
STATUSES = [
    (OPEN, _("Open")),
    (ACCEPTED, _("Accepted")),
    (DECLINED, _("Declined")),
    (WITHDRAWN, _("Withdrawn")),
]

#: Each kind's own statuses behind the queue's.
_MATCH_STATUSES: dict[str, list[str]] = {
    OPEN: [MatchRequestStatus.OPEN],
    ACCEPTED: [MatchRequestStatus.ACCEPTED],
    DECLINED: [MatchRequestStatus.DECLINED],
    WITHDRAWN: [MatchRequestStatus.WITHDRAWN],
}
_MEETING_STATUSES: dict[str, list[str]] = {
    OPEN: [MeetingRequestStatus.REQUESTED],
    ACCEPTED: [MeetingRequestStatus.ACCEPTED, MeetingRequestStatus.SCHEDULED,
               MeetingRequestStatus.UNPLACED],
    DECLINED: [MeetingRequestStatus.DECLINED],
    WITHDRAWN: [],
}

_MATCH_RELATED = ("requester", "addressee", "research_result", "technology_need")
_MEETING_RELATED = ("requester", "requester_organization", "presenter_organization",
                    "roadshow", "slot__research_result", "slot__technology_need")


@dataclass(frozen=True)
class MediatedItem:
    """One request in the queue, as both kinds show it."""

    kind: str
    request: MatchRequest | MeetingRequest
    events: list[MediationEvent]

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.request.pk}"

    @property
    def status(self) -> str:
        """The queue's status (one of STATUSES) of the request's own status. ValueError for a
        status no queue status names (a kind's new status missing from its table above)."""
        table = _MATCH_STATUSES if self.kind == KIND_MATCH_REQUEST else _MEETING_STATUSES
        for name, codes in table.items():
            if self.request.status in codes:
                return name
        raise ValueError(
            f"{self.id}: status {self.request.status!r} has no status in the mediation queue"
        )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def organization(self) -> Organization:
        """The organisation the request is addressed to."""
        if isinstance(self.request, MatchRequest):
            return self.request.addressee
        return self.request.presenter_organization

    @property
    def requester(self) -> str:
        """Who asks: the requesting organisation (a meeting's guest: their username)."""
        if isinstance(self.request, MatchRequest):
            return str(self.request.requester)
        org = self.request.requester_organization
        return org.legal_name if org is not None else self.request.requester.get_username()

    @property
    def subject(self) -> str:
        """The research result asked about, or the project presented at the roadshow."""
        if isinstance(self.request, MatchRequest):
            return self.request.research_result.title
        return self.request.slot.listing.title

    @property
    def context(self) -> str:
        """The technology need named by a match request, or the meeting's roadshow."""
        if isinstance(self.request, MatchRequest):
            need = self.request.technology_need
            return need.title if need is not None else ""
        return self.request.roadshow.title

    @property
    def message(self) -> str:
        """The requester's words: a match request's message, a meeting request's reason."""
        if isinstance(self.request, MatchRequest):
            return self.request.message
        return self.request.reason

    @property
    def created_at(self) -> datetime:
        return self.request.created_at


def _match_requests(status: str | None) -> QuerySet[MatchRequest]:
    qs = MatchRequest.objects.filter(mediated_at__isnull=False)
    return qs.filter(status__in=_MATCH_STATUSES[status]) if status else qs


def _meeting_requests(status: str | None) -> QuerySet[MeetingRequest]:
    qs = MeetingRequest.objects.filter(mediated_at__isnull=False)
    return qs.filter(status__in=_MEETING_STATUSES[status]) if status else qs


def mediated_request_keys(
    *, viewer: AnyUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[Any]:
    """The queue's keys, ``(kind, id, mediated_at)`` rows, most recently mediated first.
    `filters` (validated): `status` (one of STATUSES), `kind` (one of KINDS)."""
    require_broker(viewer)
    filters = filters or {}
    status, kind = filters.get("status"), filters.get("kind")
    parts: list[QuerySet[Any]] = []
    if kind in (None, "", KIND_MATCH_REQUEST):
        parts.append(_match_requests(status).annotate(
            kind=Value(KIND_MATCH_REQUEST, output_field=CharField())
        ).order_by().values_list("kind", "pk", "mediated_at"))
    if kind in (None, "", KIND_MEETING_REQUEST):
        parts.append(_meeting_requests(status).annotate(
            kind=Value(KIND_MEETING_REQUEST, output_field=CharField())
        ).order_by().values_list("kind", "pk", "mediated_at"))
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-mediated_at", "-pk") if rest else (
        first.order_by("-mediated_at", "-pk")
    )


def mediated_request_items(keys: Iterable[tuple[str, int, Any]]) -> list[MediatedItem]:
    """The items of `keys` (a page of `mediated_request_keys`), in their order."""
    keys = list(keys)
    match_ids = [pk for kind, pk, _at in keys if kind == KIND_MATCH_REQUEST]
    meeting_ids = [pk for kind, pk, _at in keys if kind == KIND_MEETING_REQUEST]
    loaded: dict[tuple[str, int], MediatedItem] = {}
    for match_request in MatchRequest.objects.filter(pk__in=match_ids).select_related(
        *_MATCH_RELATED
    ).prefetch_related("mediation_events__actor"):
        loaded[KIND_MATCH_REQUEST, match_request.pk] = MediatedItem(
            KIND_MATCH_REQUEST, match_request, list(match_request.mediation_events.all())
        )
    for meeting in MeetingRequest.objects.filter(pk__in=meeting_ids).select_related(
        *_MEETING_RELATED
    ).prefetch_related("mediation_events__actor"):
        loaded[KIND_MEETING_REQUEST, meeting.pk] = MediatedItem(
            KIND_MEETING_REQUEST, meeting, list(meeting.mediation_events.all())
        )
    return [loaded[kind, pk] for kind, pk, _at in keys if (kind, pk) in loaded]


def mediated_request_get(*, viewer: AnyUser, item_id: str) -> MediatedItem:
    """One item of the queue by its id (``match_request-12``). PermissionDeniedError (403)
    for non-brokers; Http404 for an id that names no request in the queue."""
    require_broker(viewer)
    kind, _sep, number = item_id.rpartition("-")
    # ASCII digits only: str.isdigit() is also true for "²" or "①", which int() refuses.
    if kind not in (KIND_MATCH_REQUEST, KIND_MEETING_REQUEST) or not re.fullmatch(
        r"[0-9]{1,18}", number
    ):
        raise Http404("No such request in the mediation queue.")
    items = mediated_request_items([(kind, int(number), None)])
    if not items or items[0].request.mediated_at is None:
        raise Http404("No such request in the mediation queue.")
    return items[0]
