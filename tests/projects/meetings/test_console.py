"""The meetings console of host staff: moving and swapping meetings with each kind of conflict
refused (nothing written), editing and deleting blocks, publishing (participants see their
meetings only then; each person notified once, again after a change), permissions, bad input
on the pages, and the printables."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.models import Notification
from projects.meetings import console, scheduling
from projects.meetings import services as meetings
from projects.meetings.selectors import schedule_rows
from projects.models import Meeting, MeetingBlock, MeetingSchedulePublication
from tests import factories
from tests.projects.meeting_support import START, make_event

pytestmark = pytest.mark.django_db

AFTERNOON = START + timedelta(hours=5)  # 14:00 Beijing time
T20, T40 = AFTERNOON + timedelta(minutes=20), AFTERNOON + timedelta(minutes=40)


def _accepted(event, attendee_index, slot_index):
    req = meetings.meeting_request_create(
        roadshow=event.roadshow, slot=event.slots[slot_index],
        requester=event.attendees[attendee_index], reason="想了解中试条件")
    return meetings.meeting_request_accept(request=req, actor=event.presenters[slot_index])


def _scheduled(rooms=("T1", "T2"), pairs=((0, 0), (1, 1))):
    """An event with one hour of 20-minute meetings at `rooms` and the `pairs` (attendee,
    slot) scheduled: with the defaults both at 14:00, at T1 and T2."""
    event = make_event()
    meetings.meeting_block_create(roadshow=event.roadshow, actor=event.host_staff,
                                  starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1),
                                  rooms=list(rooms), slot_minutes=20)
    requests = [_accepted(event, a, s) for a, s in pairs]
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    found = [Meeting.objects.get(request=r) for r in requests]
    return event, found


def _places():
    return sorted((m.pk, m.room, m.starts_at) for m in Meeting.objects.all())


def _move_error(event, meeting, starts_at, room):
    before = _places()
    with pytest.raises(DomainError) as caught:
        console.meeting_move(meeting=meeting, actor=event.host_staff, starts_at=starts_at,
                             room=room)
    assert _places() == before  # nothing written
    return caught.value.fields


# --- moves -------------------------------------------------------------------------------------

def test_host_staff_move_a_meeting_to_a_free_slot_and_room():
    event, (m1, _m2) = _scheduled()
    moved = console.meeting_move(meeting=m1, actor=event.host_staff, starts_at=T40, room="T2")
    m1.refresh_from_db()
    assert (m1.starts_at, m1.ends_at, m1.room) == (T40, T40 + timedelta(minutes=20), "T2")
    assert moved.pk == m1.pk


def test_move_into_a_taken_room_is_refused_on_room():
    event, (m1, m2) = _scheduled()
    fields = _move_error(event, m1, m2.starts_at, m2.room)
    assert "T2" in str(fields["room"][0])


def test_move_making_a_party_meet_twice_at_once_is_refused_on_slot():
    # Two requests to the same presenter: it cannot hold both at 14:00.
    event, (m1, m2) = _scheduled(pairs=((0, 0), (1, 0)))
    other_room = "T2" if m2.room == "T1" else "T1"
    fields = _move_error(event, m1, m2.starts_at, other_room)
    presenter = event.slots[0].presenter.legal_name
    assert any(presenter in str(message) for message in fields["slot"])


def test_move_outside_every_block_or_to_an_unused_room_is_refused():
    event, (m1, _m2) = _scheduled()
    assert "slot" in _move_error(event, m1, AFTERNOON + timedelta(hours=3), "T1")
    assert "slot" in _move_error(event, m1, AFTERNOON + timedelta(minutes=10), "T1")
    assert "room" in _move_error(event, m1, T40, "Hall 9")


def test_move_into_a_partys_unavailable_time_is_refused_on_slot():
    event, (m1, _m2) = _scheduled()
    meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[0],
                                starts_at=T40, ends_at=T40 + timedelta(minutes=20))
    fields = _move_error(event, m1, T40, "T1")
    assert "unavailable" in str(fields["slot"][0])


def test_only_host_staff_move_swap_and_publish():
    event, (m1, m2) = _scheduled()
    outsider = event.attendees[0]
    with pytest.raises(PermissionDeniedError):
        console.meeting_move(meeting=m1, actor=outsider, starts_at=T40, room="T1")
    with pytest.raises(PermissionDeniedError):
        console.meeting_swap(meeting=m1, other=m2, actor=outsider)
    with pytest.raises(PermissionDeniedError):
        console.schedule_publish(roadshow=event.roadshow, actor=outsider)


# --- swaps -------------------------------------------------------------------------------------

def test_two_meetings_swap_places():
    event, (m1, _m2) = _scheduled()
    console.meeting_move(meeting=m1, actor=event.host_staff, starts_at=T20, room="T1")
    m1.refresh_from_db()
    m2 = Meeting.objects.exclude(pk=m1.pk).get()
    before = {m1.pk: (m1.room, m1.starts_at), m2.pk: (m2.room, m2.starts_at)}
    console.meeting_swap(meeting=m1, other=m2, actor=event.host_staff)
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert (m1.room, m1.starts_at) == before[m2.pk]
    assert (m2.room, m2.starts_at) == before[m1.pk]


def test_swap_into_a_partys_unavailable_time_is_refused_on_other():
    event, (m1, m2) = _scheduled()
    console.meeting_move(meeting=m2, actor=event.host_staff, starts_at=T40, room="T2")
    m2.refresh_from_db()
    meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[0],
                                starts_at=T40, ends_at=T40 + timedelta(minutes=20))
    before = _places()
    with pytest.raises(DomainError) as caught:
        console.meeting_swap(meeting=m1, other=m2, actor=event.host_staff)
    assert "other" in caught.value.fields
    assert _places() == before
    with pytest.raises(DomainError):
        console.meeting_swap(meeting=m1, other=m1, actor=event.host_staff)


# --- blocks ------------------------------------------------------------------------------------

def test_block_with_meetings_cannot_lose_their_places_or_be_deleted():
    event, _found = _scheduled()
    block = MeetingBlock.objects.get()
    with pytest.raises(DomainError) as caught:
        console.meeting_block_update(block=block, actor=event.host_staff, starts_at=AFTERNOON,
                                     ends_at=AFTERNOON + timedelta(hours=1), rooms=["T1"],
                                     slot_minutes=20)
    assert "rooms" in caught.value.fields
    with pytest.raises(ConflictError):
        console.meeting_block_delete(block=block, actor=event.host_staff)
    block.refresh_from_db()
    assert block.rooms == ["T1", "T2"]
    # Growing it is fine.
    console.meeting_block_update(block=block, actor=event.host_staff, starts_at=AFTERNOON,
                                 ends_at=AFTERNOON + timedelta(hours=2), rooms=["T1", "T2", "T3"],
                                 slot_minutes=20)
    block.refresh_from_db()
    assert block.rooms == ["T1", "T2", "T3"]


def test_empty_block_is_deleted():
    event = make_event()
    block = meetings.meeting_block_create(
        roadshow=event.roadshow, actor=event.host_staff, starts_at=AFTERNOON,
        ends_at=AFTERNOON + timedelta(hours=1), rooms=["T1"])
    console.meeting_block_delete(block=block, actor=event.host_staff)
    assert not MeetingBlock.objects.exists()


# --- publishing --------------------------------------------------------------------------------

def _notes(user, verb):
    return Notification.objects.filter(recipient=user, verb=verb).count()


def test_schedule_is_a_draft_until_published_then_each_person_is_told_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    # The same presenter meets two attendees: its member is told once.
    event, _found = _scheduled(pairs=((0, 0), (1, 0)))
    attendee, presenter = event.attendees[0], event.presenters[0]
    assert schedule_rows(roadshow=event.roadshow, user=attendee) == []
    assert _notes(attendee, "meetings.scheduled") == 0
    with django_capture_on_commit_callbacks(execute=True):
        publication = console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    assert (publication.published_by, publication.roadshow) == (event.host_staff, event.roadshow)
    assert len(schedule_rows(roadshow=event.roadshow, user=attendee)) == 1
    assert [_notes(u, "meetings.scheduled") for u in (attendee, event.attendees[1], presenter)
            ] == [1, 1, 1]
    assert _notes(event.attendees[2], "meetings.scheduled") == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        u.email for u in (attendee, event.attendees[1], presenter))
    with pytest.raises(ConflictError):
        console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)


def test_changes_after_publishing_notify_the_people_concerned_again():
    event, (m1, m2) = _scheduled()
    console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    console.meeting_move(meeting=m1, actor=event.host_staff, starts_at=T40, room="T1")
    assert _notes(event.attendees[0], "meetings.changed") == 1
    assert _notes(event.presenters[0], "meetings.changed") == 1
    assert _notes(event.attendees[1], "meetings.changed") == 0
    m1.refresh_from_db()
    console.meeting_swap(meeting=m1, other=m2, actor=event.host_staff)
    assert _notes(event.attendees[0], "meetings.changed") == 2
    assert _notes(event.attendees[1], "meetings.changed") == 1
    # A scheduler run after publishing announces its new meetings at once.
    _accepted(event, 2, 1)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    assert _notes(event.attendees[2], "meetings.scheduled") == 1


def test_moves_before_publishing_notify_nobody():
    event, (m1, _m2) = _scheduled()
    console.meeting_move(meeting=m1, actor=event.host_staff, starts_at=T40, room="T1")
    assert not Notification.objects.filter(verb__startswith="meetings.").exists()


def test_nothing_to_publish_is_refused():
    event = make_event()
    with pytest.raises(DomainError):
        console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    assert not MeetingSchedulePublication.objects.exists()


# --- pages -------------------------------------------------------------------------------------

def _console(event, tail=""):
    return f"/roadshows/{event.roadshow.pk}/meetings/console/{tail}"


def test_console_is_for_host_staff_only(client):
    event, (m1, _m2) = _scheduled()
    assert client.get(_console(event)).status_code == 302  # to the login page
    attendee = factories.login(event.attendees[0])
    assert attendee.get(_console(event)).status_code == 403
    assert attendee.post(_console(event, f"{m1.pk}/move/"),
                         {"slot": T40.isoformat(), "room": "T1"}).status_code == 403
    assert attendee.get(f"/roadshows/{event.roadshow.pk}/meetings/cards/").status_code == 403
    staff = factories.login(event.host_staff)
    page = staff.get(_console(event)).content.decode()
    assert "data-grid" in page and "data-publish" in page


def test_console_pages_move_publish_and_print(client):
    event, (m1, m2) = _scheduled()
    staff = factories.login(event.host_staff)
    response = staff.post(_console(event, f"{m1.pk}/move/"),
                          {"slot": T40.isoformat(), "room": "T1"})
    assert response.status_code == 302
    m1.refresh_from_db()
    assert m1.starts_at == T40
    # A taken room: 400 with the error on the form, nothing written.
    response = staff.post(_console(event, f"{m1.pk}/move/"),
                          {"slot": m2.starts_at.isoformat(), "room": m2.room})
    assert response.status_code == 400
    assert "is taken at that time" in response.content.decode()
    # Garbage: 400, never a 500.
    assert staff.post(_console(event, f"{m1.pk}/move/"),
                      {"slot": "x", "room": ""}).status_code == 400
    assert staff.post(_console(event, f"{m1.pk}/swap/"), {"other": "x"}).status_code == 400
    assert staff.post(_console(event, "publish/")).status_code == 302
    assert MeetingSchedulePublication.objects.filter(roadshow=event.roadshow).exists()
    html = factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/my-schedule/").content.decode()
    assert "T1" in html and "14:40" in html
    cards = staff.get(f"/roadshows/{event.roadshow.pk}/meetings/cards/").content.decode()
    assert cards.count("data-sheet") == 2 and "14:40" in cards
    people = staff.get(f"/roadshows/{event.roadshow.pk}/meetings/schedules/").content.decode()
    assert people.count("data-sheet") == 4  # two attendees, two presenting organisations


def test_block_form_errors_are_per_field_in_chinese(client):
    event = make_event()
    staff = factories.login(event.host_staff)
    staff.cookies["django_language"] = "zh-hans"
    response = staff.post(_console(event, "blocks/"), {
        "starts_at": "2025-06-10T15:00", "ends_at": "2025-06-10T14:00", "slot_minutes": "20",
        "rooms": "T1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in response.content.decode()
    assert not MeetingBlock.objects.exists()
    response = staff.post(_console(event, "blocks/"), {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00", "slot_minutes": "20",
        "rooms": "A1\nA2"})
    assert response.status_code == 302
    assert MeetingBlock.objects.get().rooms == ["A1", "A2"]


def test_block_edit_and_delete_pages(client):
    event = make_event()
    block = meetings.meeting_block_create(
        roadshow=event.roadshow, actor=event.host_staff, starts_at=AFTERNOON,
        ends_at=AFTERNOON + timedelta(hours=1), rooms=["T1"])
    staff = factories.login(event.host_staff)
    page = staff.get(_console(event, f"blocks/{block.pk}/"))
    assert page.status_code == 200 and 'value="2025-06-10T14:00"' in page.content.decode()
    bad = staff.post(_console(event, f"blocks/{block.pk}/"), {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00", "slot_minutes": "999",
        "rooms": "T1"})
    assert bad.status_code == 400
    assert staff.post(_console(event, f"blocks/{block.pk}/"), {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T16:00", "slot_minutes": "30",
        "rooms": "T1, T2"}).status_code == 302
    block.refresh_from_db()
    assert (block.slot_minutes, block.rooms) == (30, ["T1", "T2"])
    assert factories.login(event.attendees[0]).post(
        _console(event, f"blocks/{block.pk}/delete/")).status_code == 403
    assert staff.post(_console(event, f"blocks/{block.pk}/delete/")).status_code == 302
    assert not MeetingBlock.objects.exists()


def test_participants_do_not_see_a_draft_schedule_on_the_api_or_the_page(api_client):
    event, (m1, _m2) = _scheduled()
    url = f"/api/v1/roadshows/{event.roadshow.pk}/meetings/{m1.request_id}/"
    api_client.force_authenticate(event.attendees[0])
    data = api_client.get(url).json()
    assert (data["status"], data["meeting"]) == ("accepted", None)
    assert api_client.get(
        f"/api/v1/roadshows/{event.roadshow.pk}/my-schedule/").json()["meetings"] == []
    page = factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/my-schedule/").content.decode()
    # The room's name must not show; the page's random CSRF tokens may contain "T1".
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    assert m1.room not in page and "Scheduled" not in page
    api_client.force_authenticate(event.host_staff)
    assert api_client.get(url).json()["meeting"]["room"] == m1.room
    console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    api_client.force_authenticate(event.attendees[0])
    data = api_client.get(url).json()
    assert (data["status"], data["meeting"]["room"]) == ("scheduled", m1.room)


def test_console_says_how_many_requests_wait_for_an_answer_before_the_scheduler_can_place_them():
    event, _found = _scheduled()
    meetings.meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                    requester=event.attendees[1], reason="想了解价格")
    staff = factories.login(event.host_staff)
    page = staff.get(_console(event)).content.decode()
    assert "data-unanswered" in page and "1 request still waits for an answer" in page


def test_a_refused_move_brings_the_reader_back_to_its_meeting():
    event, (m1, _m2) = _scheduled()
    page = factories.login(event.host_staff).get(_console(event)).content.decode()
    # The form's action carries the meeting's anchor, so the answer (with the error beside the
    # form) opens scrolled to it rather than at the top of a long page.
    assert f'/move/#meeting-{m1.pk}"' in page and f'id="meeting-{m1.pk}"' in page


def test_the_swap_forms_share_one_list_of_meetings_and_refuse_the_meeting_itself():
    event, (m1, m2) = _scheduled()
    staff = factories.login(event.host_staff)
    page = staff.get(_console(event)).content.decode()
    # One datalist for every row (the page grows with the meetings, not with their square).
    assert page.count(f'<option value="{m2.pk}">') == 1
    assert page.count('list="console-meeting-numbers"') == 2
    response = staff.post(_console(event, f"{m1.pk}/swap/"), {"other": str(m1.pk)})
    assert response.status_code == 400 and "Choose another meeting." in response.content.decode()
    assert staff.post(_console(event, f"{m1.pk}/swap/"), {"other": str(m2.pk)}).status_code == 302
