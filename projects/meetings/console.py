"""Host staff's work on a roadshow's 1:1 meeting schedule (the meetings console): editing and
deleting meeting blocks, moving a meeting to another free slot or room, swapping two
meetings' places, and publishing the schedule.

Every write runs in one transaction under the roadshow's row lock, the lock the scheduler
takes (`projects.meetings.scheduling.meetings_schedule`), so two staff members (or a scheduler
run) never place two meetings on one table or one party at once; a refused change writes
nothing.

A placement is checked with the scheduler's own inputs (`schedule_inputs`: the slots of the
blocks and the parties' unavailable times; `request_parties`: who must attend):

- the time must be a meeting slot of a block (``slot``) that uses the room (``room``);
- the room must be free then (``room``);
- no party (the requester, the presenting organisation, the requester's organisation when it
  presents too) may be in another meeting then, nor unavailable (``slot``).

The schedule is a draft that only host staff see until `schedule_publish`; publishing tells
each person of a meeting once (``meetings.scheduled``: in-app and by e-mail), and later moves
and swaps tell the people of the meetings that changed (``meetings.changed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kernel.errors import ConflictError, DomainError
from kernel.local_time import BEIJING
from kernel.locking import lock_row
from marketplace.models import Organization
from projects.choices import RoadshowStatus
from projects.meetings import scheduler
from projects.meetings.scheduling import (
    meeting_people,
    notify_scheduled,
    request_parties,
    schedule_inputs,
)
from projects.meetings.selectors import schedule_published
from projects.meetings.services import clean_block, notify_meeting_users
from projects.models import (
    Meeting,
    MeetingBlock,
    MeetingSchedulePublication,
    Roadshow,
    RoadshowSlot,
)
from projects.permissions import require_host_staff

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Problems = dict[str, list[str | Promise]]


def _presenter_org_ids(roadshow: Roadshow) -> set[int]:
    return set(
        RoadshowSlot.objects.filter(roadshow=roadshow).values_list("presenter_id", flat=True)
    )


def _party_name(party: str) -> str:
    """A scheduler party (``user:<id>`` / ``org:<id>``) as people call it."""
    kind, _sep, pk = party.partition(":")
    if kind == "org":
        org = Organization.objects.filter(pk=pk).first()
        return org.legal_name if org else party
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        return party
    return user.get_full_name() or user.get_username()


def _locked_meetings(roadshow: Roadshow) -> list[Meeting]:
    return list(
        Meeting.objects.select_for_update(of=("self",)).filter(roadshow=roadshow)
        .select_related("request")
    )


def placement_problems(
    *,
    roadshow: Roadshow,
    meeting: Meeting,
    starts_at: datetime,
    room: str,
    others: Iterable[Meeting],
) -> tuple[Problems, datetime | None]:
    """What keeps `meeting` from being held at `starts_at` in `room` next to `others` (the
    roadshow's other meetings in their places), per form field, and the end of that slot
    (None when the time is no meeting slot). Empty problems: the placement is free."""
    slots, unavailable = schedule_inputs(roadshow=roadshow)
    at_time = [s for s in slots if s.start == starts_at]
    fitting = [s for s in at_time if s.rooms and room in s.rooms]
    if not at_time:
        return {"slot": [_("This is not a meeting time of any meeting block.")]}, None
    if not fitting:
        return {"room": [_("This room is not used at that time.")]}, None
    ends_at = fitting[0].end
    problems: Problems = {}
    org_ids = _presenter_org_ids(roadshow)
    parties = request_parties(meeting.request, org_ids)
    for other in others:
        if other.pk == meeting.pk or not (other.starts_at < ends_at and starts_at < other.ends_at):
            continue
        if other.room == room:
            problems.setdefault("room", []).append(
                _("%(room)s is taken at that time.") % {"room": room})
        for party in sorted(parties & request_parties(other.request, org_ids)):
            problems.setdefault("slot", []).append(
                _("%(who)s already has another meeting at that time.")
                % {"who": _party_name(party)})
    for party in sorted(parties):
        if any(i.overlaps(starts_at, ends_at) for i in unavailable.get(party, ())):
            problems.setdefault("slot", []).append(
                _("%(who)s is unavailable at that time.") % {"who": _party_name(party)})
    return problems, ends_at


def _notify_changed(roadshow: Roadshow, meetings: Iterable[Meeting]) -> None:
    """After publishing: tell the people of each changed meeting its new time and room."""
    if not schedule_published(roadshow=roadshow):
        return
    for meeting in meetings:
        when = meeting.starts_at.astimezone(BEIJING).strftime("%m-%d %H:%M")
        notify_meeting_users(
            users=meeting_people([meeting.request]), verb="meetings.changed", roadshow=roadshow,
            params={"title": meeting.request.slot.listing.title, "when": when,
                    "room": meeting.room},
        )


def _check_open(roadshow: Roadshow) -> None:
    if roadshow.status == RoadshowStatus.CANCELLED:
        raise DomainError(_("The roadshow is cancelled."))


def meeting_move(*, meeting: Meeting, actor: User, starts_at: datetime, room: str) -> Meeting:
    """Host staff move a meeting to the meeting slot starting at `starts_at` in `room`.

    Raises PermissionDeniedError (not host staff), DomainError (per field ``slot`` / ``room``:
    see the module docstring; the roadshow cancelled)."""
    roadshow = meeting.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    _check_open(roadshow)
    with transaction.atomic():
        lock_row(roadshow)
        others = _locked_meetings(roadshow)
        locked = next((m for m in others if m.pk == meeting.pk), None)
        if locked is None:
            raise ConflictError(_("This meeting no longer exists."))
        problems, ends_at = placement_problems(
            roadshow=roadshow, meeting=locked, starts_at=starts_at, room=room, others=others)
        if problems or ends_at is None:
            raise DomainError(_("The meeting cannot be moved there."), fields=problems)
        if (locked.starts_at, locked.room) == (starts_at, room):
            return locked
        locked.starts_at, locked.ends_at, locked.room = starts_at, ends_at, room
        locked.save(update_fields=["starts_at", "ends_at", "room"])
        _notify_changed(roadshow, [locked])
    return locked


def _exchange_places(a: Meeting, b: Meeting) -> None:
    """Give `a` the place (room, start, end) of `b` and `b` that of `a`. The place is unique
    per roadshow (``meeting_room_start_unique``) and checked per statement, so neither row can
    be updated into the other's place first, and no parking place (a room name) is safe from
    a real room of that name: both rows are deleted and inserted again in their new places,
    with their ids and creation times (no other row refers to a meeting)."""
    places = [(b.room, b.starts_at, b.ends_at), (a.room, a.starts_at, a.ends_at)]
    for moving, (room, start, end) in zip((a, b), places, strict=True):
        moving.room, moving.starts_at, moving.ends_at = room, start, end
    created = {a.pk: a.created_at, b.pk: b.created_at}
    Meeting.objects.filter(pk__in=list(created)).delete()
    Meeting.objects.bulk_create([a, b])
    for moving in (a, b):  # auto_now_add stamped the insert: keep the original creation time
        moving.created_at = created[moving.pk]
        Meeting.objects.filter(pk=moving.pk).update(created_at=moving.created_at)


def meeting_swap(*, meeting: Meeting, other: Meeting, actor: User) -> tuple[Meeting, Meeting]:
    """Host staff exchange the places (time and room) of two meetings of one roadshow.

    Raises PermissionDeniedError (not host staff), DomainError (the same meeting twice, or on
    ``other`` what keeps either meeting from its new place: a party busy or unavailable)."""
    roadshow = meeting.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    _check_open(roadshow)
    if other.roadshow_id != roadshow.pk or other.pk == meeting.pk:
        message = _("Choose another meeting of this roadshow.")
        raise DomainError(message, fields={"other": [message]})
    with transaction.atomic():
        lock_row(roadshow)
        everyone = _locked_meetings(roadshow)
        by_pk = {m.pk: m for m in everyone}
        a, b = by_pk.get(meeting.pk), by_pk.get(other.pk)
        if a is None or b is None:
            raise ConflictError(_("This meeting no longer exists."))
        rest = [m for m in everyone if m.pk not in (a.pk, b.pk)]
        problems: Problems = {}
        for moving, target in ((a, b), (b, a)):
            # `target` in `moving`'s old place, as it will be after the swap.
            stay = Meeting(pk=target.pk, request=target.request, roadshow=roadshow,
                           room=moving.room, starts_at=moving.starts_at, ends_at=moving.ends_at)
            found, _end = placement_problems(roadshow=roadshow, meeting=moving,
                                             starts_at=target.starts_at, room=target.room,
                                             others=[*rest, stay])
            for messages in found.values():
                problems.setdefault("other", []).extend(messages)
        if problems:
            raise DomainError(_("The two meetings cannot be swapped."), fields=problems)
        _exchange_places(a, b)
        _notify_changed(roadshow, [a, b])
    return a, b


def schedule_publish(*, roadshow: Roadshow, actor: User) -> MeetingSchedulePublication:
    """Host staff publish the roadshow's meeting schedule: participants see their meetings
    from now on and each person of a meeting is told once (in-app and by e-mail). Records
    who published it and when.

    Raises PermissionDeniedError (not host staff), DomainError (no meeting scheduled yet;
    roadshow cancelled), ConflictError (already published: later changes are announced as
    they are made)."""
    require_host_staff(user=actor, roadshow=roadshow)
    _check_open(roadshow)
    with transaction.atomic():
        lock_row(roadshow)
        if schedule_published(roadshow=roadshow):
            raise ConflictError(_("The schedule is already published; changes are announced "
                                  "to the people concerned as they are made."))
        meetings = list(Meeting.objects.filter(roadshow=roadshow).select_related(
            "request__requester"))
        if not meetings:
            raise DomainError(_("No meetings have been scheduled yet."))
        publication = MeetingSchedulePublication.objects.create(
            roadshow=roadshow, published_by=actor, published_at=timezone.now())
        notify_scheduled(roadshow, [m.request for m in meetings])
    return publication


def _meetings_outside_blocks(roadshow: Roadshow) -> int:
    """How many of the roadshow's meetings are no longer at a slot and room of a block."""
    slots, _unavailable = schedule_inputs(roadshow=roadshow)
    places = {(s.start, s.end, room) for s in slots for room in (s.rooms or ())}
    return sum(
        (m.starts_at, m.ends_at, m.room) not in places
        for m in Meeting.objects.filter(roadshow=roadshow)
    )


def meeting_block_update(
    *, block: MeetingBlock, actor: User, starts_at: datetime, ends_at: datetime,
    rooms: list[str], slot_minutes: int,
) -> MeetingBlock:
    """Host staff change a meeting block (the rules of `meeting_block_create`). Refused
    (``rooms``) while a meeting placed in it would no longer be at one of its slots and rooms:
    move those meetings first.

    Raises PermissionDeniedError, DomainError (per field)."""
    roadshow = block.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    names = clean_block(roadshow=roadshow, starts_at=starts_at, ends_at=ends_at, rooms=rooms,
                        slot_minutes=slot_minutes)
    with transaction.atomic():
        lock_row(roadshow)
        locked = lock_row(block)
        before = _meetings_outside_blocks(roadshow)
        locked.starts_at, locked.ends_at, locked.rooms = starts_at, ends_at, names
        locked.slot_minutes = slot_minutes
        locked.save(update_fields=["starts_at", "ends_at", "rooms", "slot_minutes"])
        _refuse_if_stranded(roadshow, before)
    return locked


def meeting_block_delete(*, block: MeetingBlock, actor: User) -> None:
    """Host staff delete a meeting block; refused while meetings are placed in it.

    Raises PermissionDeniedError, ConflictError."""
    roadshow = block.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    with transaction.atomic():
        lock_row(roadshow)
        before = _meetings_outside_blocks(roadshow)
        MeetingBlock.objects.filter(pk=block.pk).delete()
        _refuse_if_stranded(roadshow, before, conflict=True)


def _refuse_if_stranded(roadshow: Roadshow, before: int, *, conflict: bool = False) -> None:
    """Roll the change back when it left more meetings outside every block than before."""
    stranded = _meetings_outside_blocks(roadshow) - before
    if stranded > 0:
        message = _("%(n)d meeting(s) are placed in this block's times or rooms; move them "
                    "first.") % {"n": stranded}
        if conflict:
            raise ConflictError(message)
        raise DomainError(message, fields={"rooms": [message]})


def meeting_slots(roadshow: Roadshow) -> list[scheduler.TimeSlot]:
    """The meeting slots of the roadshow's blocks, by start (for the move form)."""
    slots, _unavailable = schedule_inputs(roadshow=roadshow)
    return sorted(slots, key=lambda s: s.sort_key())


__all__ = [
    "meeting_block_delete",
    "meeting_block_update",
    "meeting_move",
    "meeting_slots",
    "meeting_swap",
    "placement_problems",
        "schedule_publish",
]
