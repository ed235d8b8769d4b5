"""Reads of 1:1 meetings with their visibility rules: host staff see every request and
unavailable time of their roadshow; others what they asked for, what was addressed to their
organisations and their own (and their organisations') unavailable times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from marketplace import roles
from projects.models import (
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestStatus,
    MeetingSchedulePublication,
    Roadshow,
    Unavailability,
)
from projects.permissions import is_host_staff

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def meeting_request_list(*, roadshow: Roadshow, viewer: AnyUser) -> QuerySet[MeetingRequest]:
    """Requests the viewer may see: host staff all; others those they made and those addressed
    to their organisations. Oldest first."""
    qs = MeetingRequest.objects.filter(roadshow=roadshow).select_related(
        "requester", "requester_organization", "presenter_organization", "slot__research_result",
        "slot__technology_need", "meeting",
    )
    if not viewer.is_authenticated:
        return qs.none()
    if is_host_staff(user=viewer, roadshow=roadshow):
        return qs
    return qs.filter(
        Q(requester_id=viewer.pk)
        | Q(presenter_organization_id__in=roles.organization_ids(viewer))
    )


def meeting_request_get(*, roadshow: Roadshow, viewer: AnyUser, pk: int | str) -> MeetingRequest:
    """One visible request; Http404 otherwise (invisible requests are not revealed)."""
    try:
        return meeting_request_list(roadshow=roadshow, viewer=viewer).get(pk=int(pk))
    except (MeetingRequest.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def meeting_block_list(*, roadshow: Roadshow) -> QuerySet[MeetingBlock]:
    return MeetingBlock.objects.filter(roadshow=roadshow).order_by("starts_at", "id")


def unavailability_list(*, roadshow: Roadshow, viewer: AnyUser) -> QuerySet[Unavailability]:
    """The viewer's own unavailable times and their organisations' (host staff: all)."""
    qs = Unavailability.objects.filter(roadshow=roadshow).select_related("organization")
    if not viewer.is_authenticated:
        return qs.none()
    if is_host_staff(user=viewer, roadshow=roadshow):
        return qs
    return qs.filter(Q(user_id=viewer.pk) | Q(organization_id__in=roles.organization_ids(viewer)))


@dataclass(frozen=True)
class Unanswered:
    """Meeting requests still waiting for the presenter's answer: `count` in all, `mediated` of
    them in the transfer centre's mediation queue (its brokers answer for the organisation)."""

    count: int
    mediated: int


def unanswered_meeting_requests(*, roadshow: Roadshow) -> Unanswered:
    """The requests the scheduler cannot place yet (it places accepted requests only)."""
    figures = MeetingRequest.objects.filter(
        roadshow=roadshow, status=MeetingRequestStatus.REQUESTED
    ).aggregate(count=Count("pk"), mediated=Count("pk", filter=Q(mediated_at__isnull=False)))
    return Unanswered(count=figures["count"], mediated=figures["mediated"])


def schedule_published(*, roadshow: Roadshow) -> bool:
    """Whether host staff have published the roadshow's meeting schedule (until then it is a
    draft that only they see)."""
    return MeetingSchedulePublication.objects.filter(roadshow=roadshow).exists()


def meeting_list_for_participant(*, roadshow: Roadshow, user: AnyUser) -> QuerySet[Meeting]:
    """The user's meetings at the roadshow, by start: those they requested and those of
    organisations they are a member of (as presenter). None while the schedule is a draft
    (not yet published)."""
    if not user.is_authenticated or not schedule_published(roadshow=roadshow):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(roadshow=roadshow)
        .filter(
            Q(request__requester_id=user.pk)
            | Q(request__presenter_organization_id__in=roles.organization_ids(user))
        )
        .select_related(
            "request__requester", "request__requester_organization",
            "request__presenter_organization", "request__slot__research_result",
            "request__slot__technology_need", "roadshow",
        )
        .order_by("starts_at", "room", "id")
    )


@dataclass(frozen=True)
class ScheduleRow:
    """One line of a participant's schedule (page, JSON, CSV, iCalendar)."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    room: str
    project: str
    role: str  # "requester" | "presenter"
    with_whom: str
    reason: str


def schedule_rows(*, roadshow: Roadshow, user: AnyUser) -> list[ScheduleRow]:
    """The user's schedule as plain rows. `with_whom` is the other side: the presenter
    organisation for a requester; for a presenter the requester's organisation (or
    "Guest" when there is none). No contact details are included."""
    rows = []
    for m in meeting_list_for_participant(roadshow=roadshow, user=user):
        req = m.request
        if req.requester_id == user.pk:
            role, other = "requester", req.presenter_organization.legal_name
        else:
            role = "presenter"
            other = (req.requester_organization.legal_name if req.requester_organization
                     else _("Guest"))
        rows.append(ScheduleRow(m.pk, m.starts_at, m.ends_at, m.room, req.slot.listing.title,
                                role, other, req.reason))
    return rows
