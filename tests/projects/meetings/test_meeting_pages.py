"""The roadshow page links to the ticket, my-schedule, audience, control room, report and
check-in pages for the right people only; attendees request 1:1 meetings and mark unavailable
times through the my-schedule page, and presenters answer there."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from marketplace import roles
from projects.choices import RegistrationStatus
from projects.meetings.models import MeetingRequest, MeetingRequestStatus, Unavailability
from tests import factories
from tests.projects.meeting_support import make_event, register

pytestmark = pytest.mark.django_db


def _links(html: str, roadshow_id: int) -> dict[str, bool]:
    base = f"/roadshows/{roadshow_id}/"
    return {
        "ticket": f'href="{base}ticket/"' in html,
        "my_schedule": f'href="{base}my-schedule/"' in html,
        "ics": f'href="{base}my-schedule.ics"' in html,
        "audience": f'href="{base}live/"' in html,
        "control": f'href="{base}control/"' in html,
        "report": f'href="{base}report/"' in html,
        "report_csv": f'href="{base}report.csv"' in html,
        "report_pdf": f'href="{base}report.pdf"' in html,
        "checkin": f'href="{base}checkin/"' in html,
        "request_meeting": "?slot=" in html,
    }


def _detail(client: Client, event) -> dict[str, bool]:
    response = client.get(f"/roadshows/{event.roadshow.pk}/")
    assert response.status_code == 200
    return _links(response.content.decode(), event.roadshow.pk)


def _schedule_url(event) -> str:
    return f"/roadshows/{event.roadshow.pk}/my-schedule/"


# --- links on the roadshow page ----------------------------------------------------------------


def test_anonymous_visitor_sees_no_attendee_or_staff_links():
    event = make_event()
    links = _detail(Client(), event)
    assert not any(links.values()), links


def test_confirmed_attendee_sees_ticket_schedule_audience_and_request_links_but_no_staff_links():
    event = make_event()
    links = _detail(factories.login(event.attendees[0]), event)
    assert links["ticket"] and links["my_schedule"] and links["ics"] and links["audience"]
    assert links["request_meeting"]
    assert not (links["control"] or links["report"] or links["report_csv"]
                or links["report_pdf"] or links["checkin"])


def test_pending_registrant_sees_the_ticket_but_not_the_schedule_or_audience():
    event = make_event(attendees=0)
    user = factories.enterprise_member()
    register(event.roadshow, user, status=RegistrationStatus.PENDING_PAYMENT)
    links = _detail(factories.login(user), event)
    assert links["ticket"]
    assert not (links["my_schedule"] or links["audience"] or links["request_meeting"])


def test_presenter_member_sees_the_schedule_but_cannot_request_a_meeting_with_itself():
    event = make_event(presenters=1)
    links = _detail(factories.login(event.presenters[0]), event)
    assert links["my_schedule"]
    assert not (links["ticket"] or links["request_meeting"] or links["report"])


def test_logged_in_outsider_sees_no_attendee_or_staff_links():
    event = make_event()
    links = _detail(factories.login(factories.enterprise_member()), event)
    assert not any(links.values()), links


def test_host_staff_see_control_room_report_and_check_in_links():
    event = make_event()
    links = _detail(factories.login(event.host_staff), event)
    assert links["control"] and links["report"] and links["report_csv"]
    assert links["report_pdf"] and links["checkin"] and links["audience"]
    assert links["my_schedule"]
    assert not links["ticket"]
    for name in ("report/", "checkin/", "report.csv"):
        page = factories.login(event.host_staff).get(f"/roadshows/{event.roadshow.pk}/{name}")
        assert page.status_code == 200, name


# --- requesting and answering a meeting through the page ---------------------------------------


def test_attendee_requests_a_meeting_through_the_page_and_the_presenter_accepts_it():
    event = make_event()
    attendee = factories.login(event.attendees[0])
    page = attendee.get(_schedule_url(event) + f"?slot={event.slots[1].pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "data-meeting-request-form" in html
    assert f'<option value="{event.slots[1].pk}" selected>' in html

    response = attendee.post(f"/roadshows/{event.roadshow.pk}/meetings/request/",
                             {"slot": event.slots[0].pk, "reason": "想了解中试条件"})
    assert response.status_code == 302 and response["Location"] == _schedule_url(event)
    created = MeetingRequest.objects.get()
    assert created.requester == event.attendees[0]
    assert created.presenter_organization_id == event.slots[0].presenter_id
    assert created.reason == "想了解中试条件"
    assert created.status == MeetingRequestStatus.REQUESTED

    presenter = factories.login(event.presenters[0])
    assert "想了解中试条件" in presenter.get(_schedule_url(event)).content.decode()
    response = presenter.post(
        f"/roadshows/{event.roadshow.pk}/meetings/{created.pk}/answer/", {"action": "accept"}
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.status == MeetingRequestStatus.ACCEPTED
    assert created.decided_by == event.presenters[0]


def test_meeting_request_without_a_reason_is_a_400_with_the_error_on_the_form():
    event = make_event()
    response = factories.login(event.attendees[0]).post(
        f"/roadshows/{event.roadshow.pk}/meetings/request/",
        {"slot": event.slots[0].pk, "reason": "   "},
    )
    assert response.status_code == 400
    assert "data-meeting-request-form" in response.content.decode()
    assert response.context["request_form"].errors["reason"]
    assert not MeetingRequest.objects.exists()


def test_second_open_request_about_the_same_project_is_a_409_on_the_form():
    event = make_event()
    client = factories.login(event.attendees[0])
    url = f"/roadshows/{event.roadshow.pk}/meetings/request/"
    data = {"slot": event.slots[0].pk, "reason": "合作开发"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 409
    assert response.context["request_form"].non_field_errors()
    assert MeetingRequest.objects.count() == 1


def test_presenter_cannot_pick_its_own_project_on_the_form():
    event = make_event()
    # A presenter member who is also a confirmed attendee sees only the other project.
    register(event.roadshow, event.presenters[0])
    client = factories.login(event.presenters[0])
    html = client.get(_schedule_url(event)).content.decode()
    assert f'value="{event.slots[1].pk}"' in html
    assert f'value="{event.slots[0].pk}"' not in html
    response = client.post(f"/roadshows/{event.roadshow.pk}/meetings/request/",
                           {"slot": event.slots[0].pk, "reason": "自己"})
    assert response.status_code == 400
    assert response.context["request_form"].errors["slot"]
    assert not MeetingRequest.objects.exists()


def test_user_without_confirmed_registration_gets_403_and_no_request_form():
    event = make_event()
    outsider = factories.login(factories.enterprise_member())
    assert "data-meeting-request-form" not in outsider.get(_schedule_url(event)).content.decode()
    response = outsider.post(f"/roadshows/{event.roadshow.pk}/meetings/request/",
                             {"slot": event.slots[0].pk, "reason": "想合作"})
    assert response.status_code == 403
    assert not MeetingRequest.objects.exists()


# --- unavailable times -------------------------------------------------------------------------


def test_attendee_marks_an_unavailable_time_in_beijing_time():
    event = make_event()
    client = factories.login(event.attendees[0])
    response = client.post(f"/roadshows/{event.roadshow.pk}/unavailable/", {
        "starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:30", "note": "另有安排",
    })
    assert response.status_code == 302
    row = Unavailability.objects.get()
    assert row.user == event.attendees[0] and row.organization is None
    assert row.starts_at == datetime(2025, 6, 10, 6, 0, tzinfo=UTC)
    assert row.ends_at == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    html = client.get(_schedule_url(event)).content.decode()
    assert "06-10 14:00–06-10 15:30" in html and "另有安排" in html


def test_presenter_marks_its_organisation_unavailable():
    event = make_event()
    org = roles.primary_organization(event.presenters[0])
    response = factories.login(event.presenters[0]).post(
        f"/roadshows/{event.roadshow.pk}/unavailable/",
        {"starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00",
         "organization": org.pk},
    )
    assert response.status_code == 302
    row = Unavailability.objects.get()
    assert row.organization == org and row.user is None


def test_reversed_or_missing_unavailable_times_are_a_400_on_the_form():
    event = make_event()
    client = factories.login(event.attendees[0])
    url = f"/roadshows/{event.roadshow.pk}/unavailable/"
    response = client.post(url, {"starts_at": "2025-06-10T15:00", "ends_at": "2025-06-10T14:00"})
    assert response.status_code == 400
    assert response.context["unavailability_form"].errors["ends_at"]
    response = client.post(url, {"starts_at": "", "ends_at": "soon"})
    assert response.status_code == 400
    errors = response.context["unavailability_form"].errors
    assert "starts_at" in errors and "ends_at" in errors
    assert not Unavailability.objects.exists()


def test_cannot_mark_another_organisation_unavailable_through_the_page():
    event = make_event()
    other = roles.primary_organization(event.presenters[1])
    response = factories.login(event.attendees[0]).post(
        f"/roadshows/{event.roadshow.pk}/unavailable/",
        {"starts_at": "2025-06-10T14:00", "ends_at": "2025-06-10T15:00",
         "organization": other.pk},
    )
    assert response.status_code == 400
    assert not Unavailability.objects.exists()
