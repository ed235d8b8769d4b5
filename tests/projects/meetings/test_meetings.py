"""1:1 meetings (洽谈): requests, answers, blocks, unavailable times, scheduling through the
services and the API, and the participant's schedule as JSON, CSV and iCalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace import roles
from projects.choices import RegistrationStatus
from projects.meetings import console, scheduling
from projects.meetings import services as meetings
from projects.meetings.models import Meeting, MeetingRequest, MeetingRequestStatus
from tests import factories
from tests.projects.meeting_support import START, make_event, register

pytestmark = pytest.mark.django_db

AFTERNOON = START + timedelta(hours=5)  # 14:00 Beijing time


def _request(event, attendee_index=0, slot_index=0, reason="想了解中试条件"):
    return meetings.meeting_request_create(
        roadshow=event.roadshow, slot=event.slots[slot_index],
        requester=event.attendees[attendee_index], reason=reason,
    )


def _accepted(event, attendee_index=0, slot_index=0):
    req = _request(event, attendee_index, slot_index)
    return meetings.meeting_request_accept(request=req, actor=event.presenters[slot_index])


def _block(event, minutes=60, rooms=("Table 1",), slot_minutes=20, start=AFTERNOON):
    return meetings.meeting_block_create(
        roadshow=event.roadshow, actor=event.host_staff, starts_at=start,
        ends_at=start + timedelta(minutes=minutes), rooms=list(rooms), slot_minutes=slot_minutes,
    )


# --- requests ----------------------------------------------------------------------------------

def test_confirmed_attendee_can_request_a_meeting_with_a_presenter():
    event = make_event()
    req = _request(event)
    assert req.status == MeetingRequestStatus.REQUESTED
    assert req.presenter_organization_id == event.slots[0].presenter_id
    assert req.requester_organization == roles.primary_organization(event.attendees[0])
    # The presenter's members are notified.
    assert event.presenters[0].notifications.filter(verb="meeting_request.created").exists()


def test_reason_is_required():
    event = make_event()
    with pytest.raises(DomainError) as exc:
        _request(event, reason="   ")
    assert "reason" in exc.value.fields
    assert not MeetingRequest.objects.exists()


def test_attendee_without_confirmed_registration_cannot_request():
    event = make_event()
    pending = factories.enterprise_member()
    register(event.roadshow, pending, status=RegistrationStatus.PENDING_PAYMENT)
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                        requester=pending, reason="x")


def test_cannot_request_a_meeting_with_own_organisation():
    event = make_event()
    colleague = event.presenters[0]
    register(event.roadshow, colleague)
    with pytest.raises(DomainError):
        meetings.meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                        requester=colleague, reason="x")


def test_cannot_request_the_same_presenter_twice_while_open():
    event = make_event()
    _request(event)
    with pytest.raises(ConflictError):
        _request(event)


def test_only_presenter_members_can_accept():
    event = make_event()
    req = _request(event)
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_request_accept(request=req, actor=event.presenters[1])
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_request_accept(request=req, actor=event.attendees[0])


def test_cannot_accept_a_meeting_request_twice():
    event = make_event()
    req = _accepted(event)
    with pytest.raises(ConflictError):
        meetings.meeting_request_accept(request=req, actor=event.presenters[0])


def test_decline_needs_a_reason_and_is_recorded():
    event = make_event()
    req = _request(event)
    with pytest.raises(DomainError):
        meetings.meeting_request_decline(request=req, actor=event.presenters[0], reason="")
    declined = meetings.meeting_request_decline(request=req, actor=event.presenters[0],
                                                reason="已有合作方")
    assert declined.status == MeetingRequestStatus.DECLINED
    assert declined.decline_reason == "已有合作方"
    assert event.attendees[0].notifications.filter(verb="meeting_request.declined").exists()
    # A declined request no longer blocks a new one.
    assert _request(event).status == MeetingRequestStatus.REQUESTED


# --- blocks and unavailability -----------------------------------------------------------------

def test_only_host_staff_define_meeting_blocks():
    event = make_event()
    with pytest.raises(PermissionDeniedError):
        meetings.meeting_block_create(
            roadshow=event.roadshow, actor=event.attendees[0], starts_at=AFTERNOON,
            ends_at=AFTERNOON + timedelta(hours=1), rooms=["T1"],
        )


@pytest.mark.parametrize("kwargs,field", [
    ({"rooms": []}, "rooms"),
    ({"rooms": ["T1", "T1"]}, "rooms"),
    ({"slot_minutes": 2}, "slot_minutes"),
    ({"slot_minutes": 90}, "slot_minutes"),  # longer than the 60-minute block
])
def test_meeting_block_is_validated(kwargs, field):
    event = make_event()
    args = {"roadshow": event.roadshow, "actor": event.host_staff, "starts_at": AFTERNOON,
            "ends_at": AFTERNOON + timedelta(hours=1), "rooms": ["T1"], "slot_minutes": 20}
    args.update(kwargs)
    with pytest.raises(DomainError) as exc:
        meetings.meeting_block_create(**args)
    assert field in exc.value.fields


def test_block_is_cut_into_whole_slots():
    event = make_event()
    block = _block(event, minutes=70)
    assert [(s - AFTERNOON, e - s) for s, e in block.slot_bounds()] == [
        (timedelta(minutes=0), timedelta(minutes=20)),
        (timedelta(minutes=20), timedelta(minutes=20)),
        (timedelta(minutes=40), timedelta(minutes=20)),
    ]


def test_outsider_cannot_mark_an_organisation_unavailable():
    event = make_event()
    org = event.slots[0].presenter
    with pytest.raises(PermissionDeniedError):
        meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[0],
                                    starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=1),
                                    organization=org)


# --- scheduling --------------------------------------------------------------------------------

def test_schedule_places_accepted_requests_without_double_booking_the_presenter():
    event = make_event()
    _block(event, rooms=("T1", "T2"))
    r1, r2 = _accepted(event, 0, 0), _accepted(event, 1, 0)
    _request(event, 2, 0)  # not accepted: not scheduled
    report = scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    assert {p.request_id for p in report.placed} == {r1.pk, r2.pk}
    m1, m2 = Meeting.objects.get(request=r1), Meeting.objects.get(request=r2)
    assert m1.starts_at != m2.starts_at  # same presenter organisation
    r1.refresh_from_db()
    assert r1.status == MeetingRequestStatus.SCHEDULED


def test_schedule_respects_unavailable_times_and_reports_unplaced_requests():
    event = make_event()
    _block(event, minutes=40)  # two slots, one table
    meetings.unavailability_add(roadshow=event.roadshow, actor=event.presenters[0],
                                starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(minutes=20),
                                organization=event.slots[0].presenter)
    meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[1],
                                starts_at=AFTERNOON, ends_at=AFTERNOON + timedelta(hours=2))
    r1 = _accepted(event, 0, 0)  # presenter free only at 14:20
    r2 = _accepted(event, 1, 1)  # attendee 1 away all afternoon
    r3 = _accepted(event, 2, 1)  # 14:00 (the table is taken at 14:20)
    report = scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    placed = {p.request_id: p.starts_at for p in report.placed}
    assert placed == {r1.pk: AFTERNOON + timedelta(minutes=20), r3.pk: AFTERNOON}
    assert [(u.request_id, u.reason) for u in report.unplaced] == [
        (r2.pk, "party_unavailable")]
    r2.refresh_from_db()
    assert r2.status == MeetingRequestStatus.UNPLACED
    assert r2.unplaced_reason == "party_unavailable"


def test_rescheduling_keeps_existing_meetings_and_places_new_ones():
    event = make_event()
    _block(event)
    r1 = _accepted(event, 0, 0)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    first = Meeting.objects.get(request=r1)
    r2 = _accepted(event, 1, 0)
    report = scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    assert report.kept == 1
    assert [p.request_id for p in report.placed] == [r2.pk]
    assert Meeting.objects.get(request=r1).pk == first.pk


def test_only_host_staff_run_the_scheduler():
    event = make_event()
    with pytest.raises(PermissionDeniedError):
        scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.attendees[0])


# --- API ---------------------------------------------------------------------------------------

def _url(event, tail):
    return f"/api/v1/roadshows/{event.roadshow.pk}/{tail}"


def test_meeting_flow_through_the_api(api_client):
    event = make_event()
    api_client.force_authenticate(event.host_staff)
    response = api_client.post(_url(event, "meeting-blocks/"), {
        "starts_at": AFTERNOON.isoformat(),
        "ends_at": (AFTERNOON + timedelta(hours=1)).isoformat(),
        "slot_minutes": 20, "rooms": ["Table 1", "Video 1"]}, format="json")
    assert response.status_code == 201, response.json()

    api_client.force_authenticate(event.attendees[0])
    response = api_client.post(_url(event, "meetings/"),
                               {"slot": event.slots[0].pk, "reason": "想洽谈许可"}, format="json")
    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]

    # The attendee cannot accept their own request or run the scheduler.
    assert api_client.post(_url(event, f"meetings/{request_id}/accept/")).status_code == 403
    assert api_client.post(_url(event, "schedule/"), {}, format="json").status_code == 403

    api_client.force_authenticate(event.presenters[0])
    response = api_client.post(_url(event, f"meetings/{request_id}/accept/"))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert api_client.post(_url(event, f"meetings/{request_id}/accept/")).status_code == 409

    api_client.force_authenticate(event.host_staff)
    response = api_client.post(_url(event, "schedule/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["placed"][0]["request"] == request_id
    assert api_client.post(_url(event, "schedule/publish/")).status_code == 201

    for user, role in ((event.attendees[0], "requester"), (event.presenters[0], "presenter")):
        api_client.force_authenticate(user)
        data = api_client.get(_url(event, "my-schedule/")).json()
        assert [(m["role"], m["room"]) for m in data["meetings"]] == [(role, "Table 1")]

    api_client.force_authenticate(event.attendees[0])
    response = api_client.get(_url(event, "my-schedule.csv"))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Table 1" in text and "2025-06-10T14:00:00+08:00" in text
    assert event.slots[0].listing.title in text

    response = api_client.get(_url(event, "my-schedule.ics"))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("dtstart") == AFTERNOON
    assert "Table 1" in str(events[0]["location"])


def test_others_do_not_see_a_meeting_request(api_client):
    event = make_event()
    req = _request(event)
    api_client.force_authenticate(event.attendees[1])
    assert api_client.get(_url(event, f"meetings/{req.pk}/")).status_code == 404
    assert api_client.post(_url(event, f"meetings/{req.pk}/decline/"),
                           {"reason": "x"}, format="json").status_code == 404
    assert api_client.get(_url(event, "meetings/")).json() == []


def test_bad_meeting_input_is_a_400_with_fields(api_client):
    event = make_event()
    api_client.force_authenticate(event.attendees[0])
    response = api_client.post(_url(event, "meetings/"), {"slot": "x", "reason": ""},
                               format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"slot", "reason"}
    api_client.force_authenticate(event.host_staff)
    response = api_client.post(_url(event, "meeting-blocks/"), {
        "starts_at": AFTERNOON.isoformat(), "ends_at": AFTERNOON.isoformat(),
        "rooms": ["T1"]}, format="json")
    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]


def test_schedule_page_lists_meetings_and_lets_the_presenter_answer():
    event = make_event()
    req = _request(event)
    client = factories.login(event.presenters[0])
    page = client.get(f"/roadshows/{event.roadshow.pk}/my-schedule/")
    assert page.status_code == 200 and req.reason in page.content.decode()
    response = client.post(f"/roadshows/{event.roadshow.pk}/meetings/{req.pk}/answer/",
                           {"action": "accept"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == MeetingRequestStatus.ACCEPTED
    _block(event)
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    console.schedule_publish(roadshow=event.roadshow, actor=event.host_staff)
    html = factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/my-schedule/").content.decode()
    assert "Table 1" in html and "14:00" in html
    ics = factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/my-schedule.ics")
    assert b"BEGIN:VEVENT" in ics.content


def test_requester_whose_organisation_presents_is_not_double_booked_with_its_own_talks():
    event = make_event()
    # A member of presenter 2's organisation asks presenter 1 for a meeting, while an attendee
    # asks presenter 2: both involve presenter 2's organisation, so they need different times.
    colleague = factories.researcher(roles.primary_organization(event.presenters[1]))
    register(event.roadshow, colleague)
    r1 = meetings.meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                         requester=colleague, reason="合作")
    meetings.meeting_request_accept(request=r1, actor=event.presenters[0])
    r2 = _accepted(event, 0, 1)
    _block(event, minutes=40, rooms=("T1", "T2"))
    scheduling.meetings_schedule(roadshow=event.roadshow, actor=event.host_staff)
    assert Meeting.objects.get(request=r1).starts_at != Meeting.objects.get(request=r2).starts_at


@pytest.mark.parametrize(
    ("start", "hours"),
    [(datetime(2001, 1, 1, tzinfo=UTC), 1), (START, 15), (START + timedelta(days=30), 1)],
)
def test_meeting_blocks_must_fall_within_the_event_and_last_at_most_a_day(start, hours):
    event = make_event()
    with pytest.raises(DomainError):
        meetings.meeting_block_create(
            roadshow=event.roadshow, actor=event.host_staff, starts_at=start,
            ends_at=start + timedelta(hours=hours), rooms=["T1"],
        )
