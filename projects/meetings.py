"""1:1 meetings (洽谈) at a roadshow: services and selectors (issue 4, item 4).

Who may do what (rules of the issue; host staff as in `projects.selectors.is_host_staff`):

- `meeting_request_create`: an attendee with a *confirmed* registration asks the presenter
  organisation of an agenda slot for a meeting; a reason is required; not with one's own
  organisation; one open request per attendee and slot (409 otherwise).
- `meeting_request_accept` / `meeting_request_decline`: members of the presenter
  organisation (decline needs a reason).
- `meeting_block_create`: host staff define blocks of meeting time and the rooms used.
- `unavailability_add`: a user marks a time when they cannot meet; members of an
  organisation (or host staff) mark it for the whole organisation.
- `meetings_schedule`: host staff run the pure scheduler (`projects.scheduler`) over the
  accepted (and previously unplaced) requests, write `Meeting` rows in one transaction and get
  a `ScheduleReport`.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace import roles
from marketplace.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.models import Membership, Organization
from marketplace.notifications import notify
from projects import scheduler
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.meeting_models import (
    OPEN_MEETING_REQUEST_STATUSES,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestStatus,
    Unavailability,
)
from projects.models import Registration, Roadshow, RoadshowSlot
from projects.selectors import is_host_staff, require_host_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from marketplace.roles import AnyUser

REASON_MAX_CHARS = 2000
ROOM_NAME_MAX_CHARS = 80
MAX_ROOMS = 200
#: Meeting blocks end at most this many days after the event ends.
MEETING_DAYS_AFTER_EVENT = 7
#: A meeting block is at most this long (a working day of talks).
MAX_BLOCK_HOURS = 14
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240

#: Messages for the scheduler's reasons (`projects.scheduler.Reason`).
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


# --- helpers -----------------------------------------------------------------------------------


def _in_both_languages(build: Callable[[], str]) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = build()
    with translation.override("en"):
        en = build()
    return zh, en


def _members(organization_id: int) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(organization_id=organization_id).select_related("user")
    ]


def _notify(*, users: Sequence[Any], verb: str, roadshow: Roadshow,
            build: Callable[[], str]) -> None:
    if not users:
        return
    zh, en = _in_both_languages(build)
    notify(users=users, verb=verb, message_zh=zh, message_en=en,
           url=f"/roadshows/{roadshow.pk}/my-schedule/")


def _check_interval(starts_at: Any, ends_at: Any) -> None:
    fields: dict[str, list[str | Promise]] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            fields[name] = [_("Give a date and time with a time zone.")]
    if not fields and ends_at <= starts_at:
        fields["ends_at"] = [_("The end must be after the start.")]
    if fields:
        raise DomainError(_("Check the times."), fields=fields)


def _lock_request(request: MeetingRequest) -> MeetingRequest:
    return MeetingRequest.objects.select_for_update(of=("self",)).select_related(
        "roadshow", "slot", "presenter_organization", "requester"
    ).get(pk=request.pk)


# --- meeting requests --------------------------------------------------------------------------


def meeting_request_create(
    *,
    roadshow: Roadshow,
    slot: RoadshowSlot,
    requester: User,
    reason: str,
    requester_organization: Organization | None = None,
) -> MeetingRequest:
    """An attendee asks the presenter organisation of `slot` for a 1:1 meeting.

    `requester_organization` defaults to the organisation of the requester's registration.
    Raises PermissionDeniedError (no confirmed registration; acting for an organisation the
    requester is not a member of), DomainError (empty reason, slot of another roadshow, own
    organisation, event cancelled), ConflictError (an open request for the same
    slot already exists).
    """
    if slot.roadshow_id != roadshow.pk:
        raise DomainError(_("This project is not on the roadshow's agenda."),
                          fields={"slot": [_("This project is not on the roadshow's agenda.")]})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why you want to meet."),
                          fields={"reason": [_("Say why you want to meet.")]})
    if len(reason) > REASON_MAX_CHARS:
        message = _("At most %(n)d characters.") % {"n": REASON_MAX_CHARS}
        raise DomainError(message, fields={"reason": [message]})
    # Matchmaking talks follow the presentations, so requests stay open after the live
    # session has ended; only a cancelled event takes none.
    if roadshow.status == RoadshowStatus.CANCELLED:
        raise DomainError(_("Meetings can no longer be requested for this roadshow."))
    registration = Registration.objects.filter(
        roadshow=roadshow, user_id=requester.pk, status=RegistrationStatus.CONFIRMED
    ).first()
    if registration is None:
        raise PermissionDeniedError(
            _("Only attendees with a confirmed registration can request meetings.")
        )
    if requester_organization is None:
        requester_organization = registration.organization
    elif not roles.is_member(requester, requester_organization):
        raise PermissionDeniedError(_("You are not a member of this organisation."))
    if roles.is_member(requester, slot.presenter_id):
        raise DomainError(_("You cannot request a meeting with your own organisation."))

    with transaction.atomic():
        if MeetingRequest.objects.filter(
            requester_id=requester.pk, slot=slot, status__in=OPEN_MEETING_REQUEST_STATUSES
        ).exists():
            raise ConflictError(_("You have already requested a meeting about this project."))
        try:
            with transaction.atomic():
                request = MeetingRequest.objects.create(
                    roadshow=roadshow,
                    slot=slot,
                    requester=requester,
                    requester_organization=requester_organization,
                    presenter_organization_id=slot.presenter_id,
                    reason=reason,
                )
        except IntegrityError:
            raise ConflictError(
                _("You have already requested a meeting about this project.")
            ) from None
        title = slot.listing.title
        _notify(
            users=_members(slot.presenter_id),
            verb="meeting_requested",
            roadshow=roadshow,
            build=lambda: _("New 1:1 meeting request about “%(title)s” at %(roadshow)s.")
            % {"title": title, "roadshow": roadshow.title},
        )
    return request


def meeting_request_accept(*, request: MeetingRequest, actor: User) -> MeetingRequest:
    """The presenter organisation accepts a requested meeting (requested → accepted).

    Raises PermissionDeniedError (actor not a member of the presenter organisation),
    ConflictError (not in state requested).
    """
    with transaction.atomic():
        locked = _lock_request(request)
        if not roles.is_member(actor, locked.presenter_organization_id):
            raise PermissionDeniedError(
                _("Only members of the presenting organisation can answer this request.")
            )
        if locked.status != MeetingRequestStatus.REQUESTED:
            raise ConflictError(_("This request has already been answered."))
        locked.status = MeetingRequestStatus.ACCEPTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        org_name = locked.presenter_organization.legal_name
        _notify(
            users=[locked.requester],
            verb="meeting_accepted",
            roadshow=locked.roadshow,
            build=lambda: _("%(org)s accepted your meeting request; it will be scheduled.")
            % {"org": org_name},
        )
    return locked


def meeting_request_decline(*, request: MeetingRequest, actor: User, reason: str
                            ) -> MeetingRequest:
    """The presenter organisation declines a request, with a reason (requested, accepted or
    unplaced → declined).

    Raises PermissionDeniedError (not a member of the presenter organisation), DomainError
    (empty reason), ConflictError (already declined or scheduled).
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for declining."),
                          fields={"reason": [_("Give a reason for declining.")]})
    if len(reason) > REASON_MAX_CHARS:
        message = _("At most %(n)d characters.") % {"n": REASON_MAX_CHARS}
        raise DomainError(message, fields={"reason": [message]})
    with transaction.atomic():
        locked = _lock_request(request)
        if not roles.is_member(actor, locked.presenter_organization_id):
            raise PermissionDeniedError(
                _("Only members of the presenting organisation can answer this request.")
            )
        if locked.status not in (MeetingRequestStatus.REQUESTED, MeetingRequestStatus.ACCEPTED,
                                 MeetingRequestStatus.UNPLACED):
            raise ConflictError(_("This request can no longer be declined."))
        locked.status = MeetingRequestStatus.DECLINED
        locked.decline_reason = reason
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        org_name = locked.presenter_organization.legal_name
        _notify(
            users=[locked.requester],
            verb="meeting_declined",
            roadshow=locked.roadshow,
            build=lambda: _("%(org)s declined your meeting request: %(reason)s")
            % {"org": org_name, "reason": reason},
        )
    return locked


# --- blocks and unavailable times --------------------------------------------------------------


def meeting_block_create(
    *,
    roadshow: Roadshow,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    rooms: Sequence[str],
    slot_minutes: int = 20,
) -> MeetingBlock:
    """Host staff add a block of meeting time cut into `slot_minutes` slots, held in parallel
    in each of `rooms` (1–200 distinct names of at most 80 characters).

    The block must lie within the event's days (from the start of its first day, Beijing time,
    to MEETING_DAYS_AFTER_EVENT days after it ends) and last at most MAX_BLOCK_HOURS hours, so
    that the scheduler's work stays bounded.

    Raises PermissionDeniedError (not host staff), DomainError (naive or reversed times, a
    block outside the event or too long, slot length outside 5–240 minutes or longer than the
    block, bad room names).
    """
    require_host_staff(user=actor, roadshow=roadshow)
    _check_interval(starts_at, ends_at)
    fields: dict[str, list[str | Promise]] = {}
    event_day_start = timezone.localtime(roadshow.starts_at).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    latest_end = roadshow.ends_at + timedelta(days=MEETING_DAYS_AFTER_EVENT)
    if starts_at < event_day_start or ends_at > latest_end:
        fields["starts_at"] = [
            _("Meeting blocks must fall between the event's first day and %(days)d days after "
              "it ends.") % {"days": MEETING_DAYS_AFTER_EVENT}
        ]
    elif ends_at - starts_at > timedelta(hours=MAX_BLOCK_HOURS):
        fields["ends_at"] = [
            _("A meeting block lasts at most %(hours)d hours.") % {"hours": MAX_BLOCK_HOURS}
        ]
    if (not isinstance(slot_minutes, int) or isinstance(slot_minutes, bool)
            or not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES):
        fields["slot_minutes"] = [
            _("Between %(min)d and %(max)d minutes.")
            % {"min": MIN_SLOT_MINUTES, "max": MAX_SLOT_MINUTES}
        ]
    elif (ends_at - starts_at).total_seconds() < slot_minutes * 60:
        fields["slot_minutes"] = [_("The block is shorter than one meeting.")]
    names = [str(r).strip() for r in rooms] if isinstance(rooms, list | tuple) else []
    if not names or not 1 <= len(names) <= MAX_ROOMS:
        fields["rooms"] = [_("Give between 1 and %(n)d rooms.") % {"n": MAX_ROOMS}]
    elif any(not n or len(n) > ROOM_NAME_MAX_CHARS for n in names):
        fields["rooms"] = [
            _("Room names must be 1–%(n)d characters.") % {"n": ROOM_NAME_MAX_CHARS}
        ]
    elif len(set(names)) != len(names):
        fields["rooms"] = [_("Room names must be distinct.")]
    if fields:
        raise DomainError(_("Check the meeting block."), fields=fields)
    with transaction.atomic():
        return MeetingBlock.objects.create(
            roadshow=roadshow, starts_at=starts_at, ends_at=ends_at, slot_minutes=slot_minutes,
            rooms=names, created_by=actor,
        )


def unavailability_add(
    *,
    roadshow: Roadshow,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    organization: Organization | None = None,
    note: str = "",
) -> Unavailability:
    """Mark a time when the actor (or, with `organization`, that organisation) cannot meet.

    Raises PermissionDeniedError (organisation given and the actor is neither a member nor
    host staff), DomainError (naive or reversed times, note over 200 characters).
    """
    _check_interval(starts_at, ends_at)
    note = (note or "").strip()
    if len(note) > 200:
        message = _("At most %(n)d characters.") % {"n": 200}
        raise DomainError(message, fields={"note": [message]})
    if organization is not None and not (
        roles.is_member(actor, organization) or is_host_staff(user=actor, roadshow=roadshow)
    ):
        raise PermissionDeniedError(_("You are not a member of this organisation."))
    with transaction.atomic():
        return Unavailability.objects.create(
            roadshow=roadshow,
            user=None if organization is not None else actor,
            organization=organization,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_by=actor,
        )


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
    transaction under a lock on the roadshow, notifies the people of newly placed meetings on
    commit, and returns the `ScheduleReport`.

    Raises PermissionDeniedError (not host staff), DomainError (event cancelled).
    """
    require_host_staff(user=actor, roadshow=roadshow)
    if roadshow.status == RoadshowStatus.CANCELLED:
        raise DomainError(_("The roadshow is cancelled."))
    with transaction.atomic():
        Roadshow.objects.select_for_update().filter(pk=roadshow.pk).first()
        if reschedule:
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
        report = ScheduleReport(kept=len(existing))
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
        newly = [pending[p.request_id] for p in report.placed]
        recipients: dict[int, Any] = {}
        for request in newly:
            recipients.setdefault(request.requester_id, request.requester)
            for user in _members(request.presenter_organization_id):
                recipients.setdefault(user.pk, user)
        _notify(
            users=list(recipients.values()),
            verb="meetings_scheduled",
            roadshow=roadshow,
            build=lambda: _("Your 1:1 meeting schedule for %(roadshow)s is ready.")
            % {"roadshow": roadshow.title},
        )
    return report


# --- selectors ---------------------------------------------------------------------------------


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


def meeting_request_get(*, roadshow: Roadshow, viewer: AnyUser, pk: Any) -> MeetingRequest:
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


def meeting_list_for_participant(*, roadshow: Roadshow, user: AnyUser) -> QuerySet[Meeting]:
    """The user's meetings at the roadshow, by start: those they requested and those of
    organisations they are a member of (as presenter)."""
    if not user.is_authenticated:
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


__all__ = [
    "REASON_MESSAGES",
    "PlacedMeeting",
    "ScheduleReport",
    "ScheduleRow",
    "UnplacedRequest",
    "meeting_block_create",
    "meeting_block_list",
    "meeting_list_for_participant",
    "meeting_request_accept",
    "meeting_request_create",
    "meeting_request_decline",
    "meeting_request_get",
    "meeting_request_list",
    "meetings_schedule",
    "reason_message",
    "schedule_inputs",
    "schedule_rows",
    "unavailability_add",
    "unavailability_list",
]
