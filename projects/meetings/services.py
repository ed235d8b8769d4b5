"""1:1 meetings (洽谈) at a roadshow: writes of requests, meeting blocks and unavailable times.

Who may do what (host staff as in `projects.permissions.is_host_staff`):

- `meeting_request_create`: an attendee with a *confirmed* registration asks the presenter
  organisation of an agenda slot for a meeting; a reason is required; not with one's own
  organisation; one open request per attendee and slot (409 otherwise).
- `meeting_request_accept` / `meeting_request_decline`: members of the presenter
  organisation (decline needs a reason). A request to an organisation without members goes
  to the transfer centre's queue instead (`mediate_if_unreachable`), where brokers answer it
  on the organisation's behalf (`projects.meetings.mediation`).
- `meeting_block_create`: host staff define blocks of meeting time and the rooms used.
- `unavailability_add`: a user marks a time when they cannot meet; members of an
  organisation (or host staff) mark it for the whole organisation.
- `meetings_schedule` (`projects.meetings.scheduling`): host staff run the pure scheduler
  (`projects.meetings.scheduler`) over the accepted (and previously unplaced) requests, write
  `Meeting` rows in one transaction and get a `ScheduleReport`.

Times are aware UTC datetimes; intervals are half-open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from kernel.locking import lock_row
from kernel.moments import shifted
from kernel.text_keys import sameness_key
from marketplace import roles
from marketplace.models import Organization
from marketplace.notification_verbs import Params
from marketplace.notifications import notify
from marketplace.selectors import organization_members
from marketplace.validators import validate_visible_text
from matching.mediation.common import NOTE_MAX_LENGTH, notify_brokers
from matching.mediation.escalation import queue_if_unreachable
from matching.mediation.models import MediationAction
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import (
    OPEN_MEETING_REQUEST_STATUSES,
    MeetingBlock,
    MeetingRequest,
    MeetingRequestMediationEvent,
    MeetingRequestStatus,
    Registration,
    Roadshow,
    RoadshowSlot,
    Unavailability,
)
from projects.permissions import is_host_staff, require_host_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Longest reason for asking for a meeting (characters); a decline follows NOTE_MAX_LENGTH.
REASON_MAX_CHARS = 2000
ROOM_NAME_MAX_CHARS = 80
MAX_ROOMS = 200
#: Meeting blocks end at most this many days after the event ends.
MEETING_DAYS_AFTER_EVENT = 7
#: A meeting block is at most this long (a working day of talks).
MAX_BLOCK_HOURS = 14
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240

# --- helpers -----------------------------------------------------------------------------------


def notify_meeting_users(
    *, users: Sequence[Any], verb: str, roadshow: Roadshow, params: Params
) -> None:
    """Notify `users` with `verb` of `marketplace.notification_verbs` and its `params`,
    linking to the roadshow's my-schedule page. Does nothing when there is nobody to notify."""
    if users:
        notify(users=users, verb=verb,
               params={**params, "roadshow_id": roadshow.pk, "roadshow": roadshow.title})


def _check_interval(starts_at: Any, ends_at: Any) -> None:
    fields: dict[str, list[str | Promise]] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            fields[name] = [_("Give a date and time with a time zone.")]
    if not fields and ends_at <= starts_at:
        fields["ends_at"] = [_("The end must be after the start.")]
    if fields:
        raise DomainError(_("Check the times."), fields=fields)


#: What a locked meeting request is read with (`lock_row(request, related=SHOWN_WITH)`).
SHOWN_WITH = ("roadshow", "slot", "presenter_organization", "requester")


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
    requester is not a member of, or one not verified yet: code ``organization_unverified``),
    DomainError (empty reason, slot of another roadshow, own
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
    if requester_organization is not None:
        roles.require_organization_in_good_standing(
            actor=requester, organization=requester_organization
        )

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
        if not mediate_if_unreachable(request):
            notify_meeting_users(
                users=list(organization_members(slot.presenter_id)),
                verb="meeting_request.created",
                roadshow=roadshow,
                params={"title": slot.listing.title},
            )
    return request


def mediate_if_unreachable(request: MeetingRequest) -> bool:
    """Send a new request to the brokers' queue when the presenting organisation has no
    members, and notify the brokers (`matching.mediation`). Returns whether it did."""
    return queue_if_unreachable(
        request, organization_id=request.presenter_organization_id,
        announce=_announce_mediation,
    )


def _announce_mediation(request: MeetingRequest) -> None:
    MeetingRequestMediationEvent.objects.create(request=request, action=MediationAction.MEDIATED)
    notify_brokers(verb="meeting_request.mediated", params=mediation_params(request))


def mediation_params(request: MeetingRequest) -> dict[str, str | int]:
    """The parameters of the transfer centre's verbs about `request`."""
    return {
        "roadshow_id": request.roadshow_id,
        "roadshow": request.roadshow.title,
        "title": request.slot.listing.title,
        "org": request.presenter_organization.legal_name,
    }


def record_acceptance(
    locked: MeetingRequest, actor: User, *, on_behalf: bool = False, note: str = ""
) -> None:
    """Accept a locked request in state requested and tell the requester (`on_behalf`: a
    broker of the transfer centre accepted for the presenting organisation, with `note`,
    their message to the requester, quoted in the notification)."""
    if locked.status != MeetingRequestStatus.REQUESTED:
        raise ConflictError(_("This request has already been answered."))
    locked.status = MeetingRequestStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    params: dict[str, str] = {"org": locked.presenter_organization.legal_name}
    if on_behalf:
        params["variant"] = "on_behalf_note" if note else "on_behalf"
        if note:
            params["note"] = note
    notify_meeting_users(users=[locked.requester], verb="meeting_request.accepted",
                         roadshow=locked.roadshow, params=params)


def record_decline(locked: MeetingRequest, actor: User, reason: str, *,
                   on_behalf: bool = False) -> None:
    """Decline a locked request (requested, accepted or unplaced) with `reason` (checked by
    `clean_decline_reason`) and tell the requester (`on_behalf`: as `record_acceptance`)."""
    if locked.status not in (MeetingRequestStatus.REQUESTED, MeetingRequestStatus.ACCEPTED,
                             MeetingRequestStatus.UNPLACED):
        raise ConflictError(_("This request can no longer be declined."))
    locked.status = MeetingRequestStatus.DECLINED
    locked.decline_reason = reason
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    params = {"org": locked.presenter_organization.legal_name, "reason": reason}
    if on_behalf:
        params["variant"] = "on_behalf"
    notify_meeting_users(users=[locked.requester], verb="meeting_request.declined",
                         roadshow=locked.roadshow, params=params)


def clean_decline_reason(reason: str, *, field: str = "reason") -> str:
    """The reason for declining, stripped; DomainError (400 on `field`) when blank or longer
    than `NOTE_MAX_LENGTH` (the decline rule of both kinds, `matching.mediation.common`)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for declining."),
                          fields={field: [_("Give a reason for declining.")]})
    if len(reason) > NOTE_MAX_LENGTH:
        message = _("At most %(n)d characters.") % {"n": NOTE_MAX_LENGTH}
        raise DomainError(message, fields={field: [message]})
    return reason


def meeting_request_accept(*, request: MeetingRequest, actor: User) -> MeetingRequest:
    """The presenter organisation accepts a requested meeting (requested → accepted).

    Raises PermissionDeniedError (actor not a member of the presenter organisation),
    ConflictError (not in state requested).
    """
    with transaction.atomic():
        locked = lock_row(request, related=SHOWN_WITH)
        if not roles.is_member(actor, locked.presenter_organization_id):
            raise PermissionDeniedError(
                _("Only members of the presenting organisation can answer this request.")
            )
        record_acceptance(locked, actor)
    return locked


def meeting_request_decline(*, request: MeetingRequest, actor: User, reason: str
                            ) -> MeetingRequest:
    """The presenter organisation declines a request, with a reason (requested, accepted or
    unplaced → declined).

    Raises PermissionDeniedError (not a member of the presenter organisation), DomainError
    (empty reason), ConflictError (already declined or scheduled).
    """
    reason = clean_decline_reason(reason)
    with transaction.atomic():
        locked = lock_row(request, related=SHOWN_WITH)
        if not roles.is_member(actor, locked.presenter_organization_id):
            raise PermissionDeniedError(
                _("Only members of the presenting organisation can answer this request.")
            )
        record_decline(locked, actor, reason)
    return locked


# --- blocks and unavailable times --------------------------------------------------------------


def room_key(name: str) -> str:
    """What two room names are compared by (`kernel.text_keys.sameness_key`), so that names
    printed alike on the table cards are one room."""
    return sameness_key(name)


def _invisible_in(names: list[str]) -> list[str | Promise]:
    """The organisation texts' refusal of invisible characters (`validate_visible_text`) for
    the first room name that has them; empty when none has."""
    for name in names:
        try:
            validate_visible_text(name)
        except ValidationError as exc:
            return list(exc.messages)
    return []


def meeting_days(roadshow: Roadshow) -> tuple[datetime, datetime]:
    """When meetings of `roadshow` may take place: from 00:00 of its first day (Beijing time)
    to MEETING_DAYS_AFTER_EVENT days after it ends (never overflowing, `kernel.moments`)."""
    event_day_start = timezone.localtime(roadshow.starts_at).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return event_day_start, shifted(roadshow.ends_at, timedelta(days=MEETING_DAYS_AFTER_EVENT))


def clean_block(*, roadshow: Roadshow, starts_at: Any, ends_at: Any, rooms: Any,
                slot_minutes: Any) -> list[str]:
    """The room names of a meeting block, stripped, after checking the block's rules (see
    `meeting_block_create`); DomainError (400 per field) otherwise."""
    _check_interval(starts_at, ends_at)
    fields: dict[str, list[str | Promise]] = {}
    event_day_start, latest_end = meeting_days(roadshow)
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
    elif hidden := _invisible_in(names):
        fields["rooms"] = hidden
    elif len({room_key(n) for n in names}) != len(names):
        fields["rooms"] = [_("Room names must be distinct.")]
    if fields:
        raise DomainError(_("Check the meeting block."), fields=fields)
    return names


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
    names = clean_block(roadshow=roadshow, starts_at=starts_at, ends_at=ends_at, rooms=rooms,
                        slot_minutes=slot_minutes)
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
    host staff), DomainError (naive or reversed times, times outside `meeting_days`, note
    over 200 characters).
    """
    _check_interval(starts_at, ends_at)
    first, last = meeting_days(roadshow)
    if starts_at < first or ends_at > last:
        message = (_("Unavailable times must fall between the event's first day and %(days)d "
                     "days after it ends.") % {"days": MEETING_DAYS_AFTER_EVENT})
        raise DomainError(message, fields={"starts_at": [message]})
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


__all__ = [
    "REASON_MAX_CHARS",
    "clean_block",
    "clean_decline_reason",
    "mediate_if_unreachable",
    "mediation_params",
    "meeting_block_create",
    "meeting_days",
    "meeting_request_accept",
    "meeting_request_create",
    "meeting_request_decline",
    "notify_meeting_users",
    "record_acceptance",
    "record_decline",
    "unavailability_add",
]
