"""Rules of the meetings console (host staff's blocks, swaps, publishing and reschedules): room
names print as they compare, a swap never breaks the place constraint, refusals carry their
status, and a reschedule after publishing tells whose meeting it dropped or moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from projects.meetings import scheduling
from projects.meetings import services as meetings
from projects.models import Meeting, MeetingBlock, MeetingSchedulePublication
from tests.projects.meeting_support import START, make_event

pytestmark = pytest.mark.django_db

AFTERNOON = START + timedelta(hours=5)  # 14:00 Beijing time


def _accepted(event, attendee_index, slot_index):
    req = meetings.meeting_request_create(
        roadshow=event.roadshow, slot=event.slots[slot_index],
        requester=event.attendees[attendee_index], reason="想了解中试条件")
    return meetings.meeting_request_accept(request=req, actor=event.presenters[slot_index])


def _console(event, suffix=""):
    return f"/roadshows/{event.roadshow.pk}/meetings/console/{suffix}"


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _places():
    return sorted((m.pk, m.room, m.starts_at) for m in Meeting.objects.all())


def test_room_names_with_invisible_characters_are_refused_on_the_block_form():
    # Room names are printed on table cards and compared by the console; an invisible
    # character (U+2063 INVISIBLE SEPARATOR) makes two rooms that print the same name.
    event = make_event()
    staff = _client(event.host_staff)
    response = staff.post(_console(event, "blocks/"), {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00", "slot_minutes": "20",
        "rooms": "T1\nT1\u2063"})
    assert response.status_code == 400
    assert not MeetingBlock.objects.exists()


@pytest.mark.parametrize("rooms", ["T1\nＴ1", "Table 1\nTable\u30001"])
def test_room_names_that_read_the_same_are_refused_as_duplicates(rooms):
    # "Room names must be distinct" compares the raw strings: a full-width letter or space
    # (NFKC-equal, as the signing name check compares names) makes a second "T1" table.
    event = make_event()
    staff = _client(event.host_staff)
    response = staff.post(_console(event, "blocks/"), {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00", "slot_minutes": "20",
        "rooms": rooms})
    assert response.status_code == 400
    assert not MeetingBlock.objects.exists()


def test_a_swap_never_answers_500_whatever_the_rooms_are_named():
    """The swap parked one meeting in the room "\\u2063swap <pk>" to get past the
    (roadshow, room, starts_at) unique constraint; a block room of that name holding a meeting
    at the same time made the swap an IntegrityError (500) instead of a refusal or a swap."""
    event = make_event(attendees=3)
    r1, r2, r3 = _accepted(event, 0, 0), _accepted(event, 1, 1), _accepted(event, 2, 0)
    meetings.meeting_block_create(roadshow=event.roadshow, actor=event.host_staff,
                                  starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1),
                                  rooms=["T1", "T2"], slot_minutes=20)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    m1, m2, m3 = (Meeting.objects.get(request=r) for r in (r1, r2, r3))
    parking = f"\u2063swap {m1.pk}"
    # A block saved before room names refused invisible characters (the block form now does).
    MeetingBlock.objects.create(roadshow=event.roadshow, created_by=event.host_staff,
                                starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1),
                                rooms=[parking], slot_minutes=20)
    # Arrange (as the console's moves would): m1 at 14:00 T1, m2 at 14:00 in the room named
    # like m1's parking place, m3 at 14:20 T1.
    late = AFTERNOON + timedelta(hours=3)
    Meeting.objects.filter(pk=m1.pk).update(room="T9", starts_at=late,
                                            ends_at=late + timedelta(minutes=20))
    Meeting.objects.filter(pk=m2.pk).update(room=parking, starts_at=AFTERNOON,
                                            ends_at=AFTERNOON + timedelta(minutes=20))
    Meeting.objects.filter(pk=m3.pk).update(room="T1", starts_at=AFTERNOON + timedelta(minutes=20),
                                            ends_at=AFTERNOON + timedelta(minutes=40))
    Meeting.objects.filter(pk=m1.pk).update(room="T1", starts_at=AFTERNOON,
                                            ends_at=AFTERNOON + timedelta(minutes=20))
    before = _places()
    response = _client(event.host_staff).post(_console(event, f"{m1.pk}/swap/"),
                                              {"other": str(m3.pk)})
    assert response.status_code != 500
    if response.status_code != 302:
        assert _places() == before


def test_publishing_an_already_published_schedule_answers_409():
    # Every error answer carries its status (the console's docstring: 409 for a conflict).
    event = make_event()
    meetings.meeting_block_create(roadshow=event.roadshow, actor=event.host_staff,
                                  starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1),
                                  rooms=["T1"], slot_minutes=20)
    _accepted(event, 0, 0)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    staff = _client(event.host_staff)
    assert staff.post(_console(event, "publish/")).status_code == 302
    again = staff.post(_console(event, "publish/"))
    assert again.status_code == 409
    assert MeetingSchedulePublication.objects.count() == 1


def test_deleting_a_block_that_holds_meetings_answers_409():
    event = make_event()
    block = meetings.meeting_block_create(
        roadshow=event.roadshow, actor=event.host_staff, starts_at=AFTERNOON,
        ends_at=AFTERNOON + timedelta(hours=1), rooms=["T1"], slot_minutes=20)
    _accepted(event, 0, 0)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    response = _client(event.host_staff).post(_console(event, f"blocks/{block.pk}/delete/"))
    assert response.status_code == 409
    assert MeetingBlock.objects.filter(pk=block.pk).exists()


def test_a_reschedule_after_publishing_tells_whose_published_meeting_was_dropped():
    """After publishing, "later changes are announced to the people concerned as they are made"
    (console.schedule_publish). A scheduler run with reschedule=1 deletes every meeting and
    places the requests afresh; a request that no longer fits becomes unplaced, and its
    requester, who was told of a meeting, hears nothing: the meeting silently disappears
    from the published schedule."""
    from marketplace.models import Notification
    from projects.meetings import console

    event = make_event()
    meetings.meeting_block_create(roadshow=event.roadshow, actor=event.host_staff,
                                  starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(minutes=20),
                                  rooms=["T1"], slot_minutes=20)
    request = _accepted(event, 0, 0)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    requester = event.attendees[0]
    told_before = Notification.objects.filter(recipient=requester,
                                              verb__startswith="meetings.").count()
    # The requester can no longer make the only meeting time; host staff reschedule.
    meetings.unavailability_add(roadshow=event.roadshow, actor=requester, starts_at=AFTERNOON,
                                ends_at=AFTERNOON + timedelta(minutes=20))
    response = _client(event.host_staff).post(_console(event, "schedule/"),
                                              {"reschedule": "1"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert not Meeting.objects.filter(request=request).exists()
    told_after = Notification.objects.filter(recipient=requester,
                                             verb__startswith="meetings.").count()
    assert told_after > told_before
    # Told once, that the meetings changed (`meetings.changed`, as moves are told).
    assert told_after == told_before + 1
    assert Notification.objects.filter(recipient=requester, verb="meetings.changed").count() == 1
