"""Scheduling of 1:1 meetings: host staff run the pure scheduler (`projects.meetings.scheduler`)
over the accepted (and previously unplaced) requests; `meetings_schedule` writes the `Meeting`
rows in one transaction and returns a `ScheduleReport`.

Participants (parties) given to the scheduler for a request: ``"user:<requester id>"`` and
``"org:<presenter organisation id>"`` (a presenting team is one party: it holds one meeting at
a time); when the requester's own organisation also presents at the roadshow,
``"org:<requester organisation id>"`` too, so its people are not double-booked between their
own presenter meetings and the meetings they asked for.
Unavailable times: a user's own times apply to ``user:<id>``; an organisation's times apply to
``org:<id>`` and to the people requesting on its behalf.

Times are aware UTC datetimes; intervals are half-open.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.errors import DomainError
from kernel.locking import lock_row
from marketplace.selectors import organization_members
from projects.choices import RoadshowStatus
from projects.meetings import scheduler
from projects.meetings.selectors import schedule_published
from projects.meetings.services import notify_meeting_users
from projects.models import (
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestStatus,
    Roadshow,
    RoadshowSlot,
    Unavailability,
)
from projects.permissions import require_host_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import User


#: Messages for the scheduler's reasons (`projects.meetings.scheduler.Reason`).
REASON_MESSAGES: dict[str, Promise] = {
    scheduler.Reason.NO_MEETING_SLOTS: gettext_lazy("No meeting blocks have been defined."),
    scheduler.Reason.PARTY_UNAVAILABLE: gettext_lazy(
        "One of the two sides is unavailable at every meeting time."
    ),
    scheduler.Reason.NO_COMMON_FREE_SLOT: gettext_lazy(
        "No common free slot: at every time both sides are available, one of them already "
        "has another meeting."
    ),
    scheduler.Reason.NO_FREE_ROOM: gettext_lazy(
        "No free room at the common free times."
    ),
}


def reason_message(code: str) -> str:
    """The translated message of a scheduler reason code (the code itself if unknown)."""
    message = REASON_MESSAGES.get(code)
    return str(message) if message is not None else code


# --- scheduling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacedMeeting:
    request_id: int
    meeting_id: int
    room: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class UnplacedRequest:
    request_id: int
    reason: str  # a `scheduler.Reason` value
    message: str  # translated


@dataclass
class ScheduleReport:
    """What `meetings_schedule` did: meetings placed in this run, requests left unplaced with
    their reason, and how many meetings were already scheduled and kept."""

    placed: list[PlacedMeeting] = field(default_factory=list)
    unplaced: list[UnplacedRequest] = field(default_factory=list)
    kept: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "placed": [
                {"request": p.request_id, "meeting": p.meeting_id, "room": p.room,
                 "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat()}
                for p in self.placed
            ],
            "unplaced": [
                {"request": u.request_id, "reason": u.reason, "message": u.message}
                for u in self.unplaced
            ],
            "kept": self.kept,
        }


def schedule_inputs(*, roadshow: Roadshow) -> tuple[
    list[scheduler.TimeSlot], dict[str, list[scheduler.Interval]]
]:
    """The scheduler's slots (from the meeting blocks) and unavailable times per party."""
    slots = [
        scheduler.TimeSlot(start, end, tuple(block.rooms))
        for block in MeetingBlock.objects.filter(roadshow=roadshow)
        for start, end in block.slot_bounds()
    ]
    unavailable: dict[str, list[scheduler.Interval]] = defaultdict(list)
    by_org: dict[int, list[scheduler.Interval]] = defaultdict(list)
    for row in Unavailability.objects.filter(roadshow=roadshow):
        interval = scheduler.Interval(row.starts_at, row.ends_at)
        if row.user_id is not None:
            unavailable[f"user:{row.user_id}"].append(interval)
        elif row.organization_id is not None:
            unavailable[f"org:{row.organization_id}"].append(interval)
            by_org[row.organization_id].append(interval)
    # An organisation's unavailable times bind the people requesting on its behalf.
    for user_id, org_id in MeetingRequest.objects.filter(
        roadshow=roadshow, requester_organization__isnull=False
    ).values_list("requester_id", "requester_organization_id").distinct():
        if org_id in by_org:
            unavailable[f"user:{user_id}"].extend(by_org[org_id])
    return slots, dict(unavailable)


def request_parties(request: MeetingRequest, presenter_org_ids: set[int]) -> frozenset[str]:
    """The scheduler parties of a request (see the module docstring)."""
    parties = {f"user:{request.requester_id}", f"org:{request.presenter_organization_id}"}
    if request.requester_organization_id in presenter_org_ids:
        parties.add(f"org:{request.requester_organization_id}")
    return frozenset(parties)


def meetings_schedule(*, roadshow: Roadshow, actor: User, reschedule: bool = False
                      ) -> ScheduleReport:
    """Host staff place the accepted (and earlier unplaced) requests into meeting slots.

    Meetings already scheduled are kept and worked around; with `reschedule=True` they are
    deleted first and every accepted/scheduled/unplaced request is placed afresh. Writes the
    `Meeting` rows and request statuses (scheduled, or unplaced with the reason code) in one
    transaction under a lock on the roadshow, notifies the people of newly placed meetings,
    and after a reschedule those whose meetings moved or were dropped (`_announce`), when the
    schedule is already published (a draft is not announced), and returns the
    `ScheduleReport`.

    Raises PermissionDeniedError (not host staff), DomainError (event cancelled).
    """
    require_host_staff(user=actor, roadshow=roadshow)
    if roadshow.status == RoadshowStatus.CANCELLED:
        raise DomainError(_("The roadshow is cancelled."))
    with transaction.atomic():
        lock_row(roadshow)
        published = schedule_published(roadshow=roadshow)
        before: dict[int, tuple[str, datetime]] = {}
        if reschedule:
            before = {m.request_id: (m.room, m.starts_at)
                      for m in Meeting.objects.filter(roadshow=roadshow)}
            Meeting.objects.filter(roadshow=roadshow).delete()
            MeetingRequest.objects.filter(
                roadshow=roadshow, status=MeetingRequestStatus.SCHEDULED
            ).update(status=MeetingRequestStatus.ACCEPTED)
        presenter_org_ids = set(
            RoadshowSlot.objects.filter(roadshow=roadshow).values_list("presenter_id", flat=True)
        )
        slots, unavailable = schedule_inputs(roadshow=roadshow)
        existing = [
            scheduler.Placement(
                scheduler.Req(m.request_id, request_parties(m.request, presenter_org_ids)),
                m.starts_at, m.ends_at, m.room,
            )
            for m in Meeting.objects.filter(roadshow=roadshow).select_related("request")
        ]
        pending = {
            r.pk: r
            for r in MeetingRequest.objects.filter(
                roadshow=roadshow,
                status__in=[MeetingRequestStatus.ACCEPTED, MeetingRequestStatus.UNPLACED],
            ).select_related("requester", "presenter_organization", "slot")
        }
        all_rooms = sorted({room for s in slots for room in (s.rooms or ())})
        result = scheduler.schedule(
            requests=[scheduler.Req(r.pk, request_parties(r, presenter_org_ids))
                      for r in pending.values()],
            slots=slots,
            rooms=all_rooms,
            unavailable=unavailable,
            existing=existing,
        )
        report = _record_result(roadshow, result, pending, kept=len(existing))
        # A draft schedule is seen by host staff only; once published, the people of newly
        # placed meetings are told at once (`projects.meetings.console.schedule_publish`).
        if published:
            _announce(roadshow, report, pending, before)
    return report


def _announce(roadshow: Roadshow, report: ScheduleReport, pending: dict[int, MeetingRequest],
              before: dict[int, tuple[str, datetime]]) -> None:
    """After publishing, a run's changes are announced as they are made: the people of a
    published meeting that a reschedule dropped or moved hear that their meetings changed
    (``meetings.changed``, variant ``rescheduled``), those of newly placed meetings that their
    schedule is ready; each person once."""
    placed = {p.request_id: (p.room, p.starts_at) for p in report.placed}
    changed = [pending[pk] for pk, place in before.items()
               if pk in pending and placed.get(pk) != place]
    told = meeting_people(changed)
    notify_meeting_users(users=told, verb="meetings.changed", roadshow=roadshow,
                         params={"variant": "rescheduled"})
    told_ids = {user.pk for user in told}
    newly = [pending[pk] for pk in placed if pk not in before]
    notify_meeting_users(
        users=[user for user in meeting_people(newly) if user.pk not in told_ids],
        verb="meetings.scheduled", roadshow=roadshow, params={})


def _record_result(
    roadshow: Roadshow,
    result: scheduler.ScheduleResult,
    pending: dict[int, MeetingRequest],
    *,
    kept: int,
) -> ScheduleReport:
    """Write the scheduler's result: a `Meeting` and status scheduled for each placed request,
    status unplaced with the reason code for the others."""
    report = ScheduleReport(kept=kept)
    for placement in result.placed:
        request = pending[placement.request.id]
        meeting = Meeting.objects.create(
            request=request, roadshow=roadshow, room=placement.room,
            starts_at=placement.start, ends_at=placement.end,
        )
        request.status = MeetingRequestStatus.SCHEDULED
        request.unplaced_reason = ""
        request.save(update_fields=["status", "unplaced_reason"])
        report.placed.append(PlacedMeeting(request.pk, meeting.pk, meeting.room,
                                           meeting.starts_at, meeting.ends_at))
    for unplaced in result.unplaced:
        request = pending[unplaced.request.id]
        request.status = MeetingRequestStatus.UNPLACED
        request.unplaced_reason = unplaced.reason.value
        request.save(update_fields=["status", "unplaced_reason"])
        report.unplaced.append(UnplacedRequest(request.pk, unplaced.reason.value,
                                               reason_message(unplaced.reason)))
    return report


def meeting_people(requests: Iterable[MeetingRequest]) -> list[Any]:
    """The people of the meetings of `requests`, each once: the requesters and the members of
    the presenting organisations."""
    recipients: dict[int, Any] = {}
    for request in requests:
        recipients.setdefault(request.requester_id, request.requester)
        for user in organization_members(request.presenter_organization_id):
            recipients.setdefault(user.pk, user)
    return list(recipients.values())


def notify_scheduled(roadshow: Roadshow, newly: Iterable[MeetingRequest]) -> None:
    """Tell the requesters and the presenter organisations' members of placed meetings that
    their schedule is ready (each person once)."""
    notify_meeting_users(
        users=meeting_people(newly),
        verb="meetings.scheduled",
        roadshow=roadshow,
        params={},
    )


__all__ = [
    "REASON_MESSAGES",
    "PlacedMeeting",
    "ScheduleReport",
    "UnplacedRequest",
    "meeting_people",
    "meetings_schedule",
    "notify_scheduled",
    "reason_message",
    "request_parties",
    "schedule_inputs",
]
