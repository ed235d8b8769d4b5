"""On-site check-in by ticket code (typed or from the QR code on the ticket)."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from projects.checkin.qr import ticket_qr_data_url
from projects.checkin.services import normalize_ticket_code, registration_check_in
from projects.choices import RegistrationStatus
from tests import factories
from tests.projects.meeting_support import make_event, register

pytestmark = pytest.mark.django_db


def test_staff_check_in_a_confirmed_ticket_once():
    event = make_event(attendees=1)
    reg = event.registrations[0]
    checked = registration_check_in(roadshow=event.roadshow, ticket_code=reg.ticket_code,
                                     actor=event.host_staff)
    assert checked.checked_in_at is not None
    with pytest.raises(ConflictError):
        registration_check_in(roadshow=event.roadshow, ticket_code=reg.ticket_code,
                              actor=event.host_staff)


def test_ticket_code_is_read_case_and_dash_insensitively():
    event = make_event(attendees=1)
    code = event.registrations[0].ticket_code
    typed = f"{code[:4].lower()}-{code[4:]} "
    assert normalize_ticket_code(typed) == code
    registration_check_in(roadshow=event.roadshow, ticket_code=typed, actor=event.host_staff)
    event.registrations[0].refresh_from_db()
    assert event.registrations[0].checked_in_at is not None


def test_attendee_cannot_check_people_in():
    event = make_event(attendees=2)
    with pytest.raises(PermissionDeniedError):
        registration_check_in(roadshow=event.roadshow,
                              ticket_code=event.registrations[1].ticket_code,
                              actor=event.attendees[0])


def test_unknown_unconfirmed_and_foreign_tickets_are_refused():
    event = make_event(attendees=1)
    other = make_event(attendees=1)
    pending = register(event.roadshow, factories.enterprise_member(),
                       status=RegistrationStatus.PENDING_PAYMENT)
    for code in ("ZZZZZZZZZZ", "not a code!", pending.ticket_code,
                 other.registrations[0].ticket_code):
        with pytest.raises(DomainError) as exc:
            registration_check_in(roadshow=event.roadshow, ticket_code=code,
                                  actor=event.host_staff)
        assert "code" in exc.value.fields
    pending.refresh_from_db()
    assert pending.checked_in_at is None


def test_qr_code_is_an_inline_svg_data_url():
    url = ticket_qr_data_url("https://keqiao.example.com/roadshows/1/checkin/?code=ABC")
    assert url.startswith("data:image/svg+xml")
    payload = url.split(",", 1)[1]
    svg = base64.b64decode(payload).decode() if ";base64" in url else unquote(payload)
    assert "<svg" in svg and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_ticket_page_shows_the_code_and_qr_for_a_confirmed_registration():
    event = make_event(attendees=1)
    client = factories.login(event.attendees[0])
    response = client.get(f"/roadshows/{event.roadshow.pk}/ticket/")
    assert response.status_code == 200
    html = response.content.decode()
    assert event.registrations[0].ticket_code in html
    assert 'src="data:image/svg+xml' in html


def test_checkin_desk_page_checks_in_and_api_reports_counts(api_client):
    event = make_event(attendees=2)
    reg = event.registrations[0]
    client = factories.login(event.host_staff)
    page = client.get(f"/roadshows/{event.roadshow.pk}/checkin/?code={reg.ticket_code.lower()}")
    assert page.status_code == 200 and f'value="{reg.ticket_code}"' in page.content.decode()
    response = client.post(f"/roadshows/{event.roadshow.pk}/checkin/", {"code": reg.ticket_code})
    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.checked_in_at is not None

    api_client.force_authenticate(event.host_staff)
    url = f"/api/v1/roadshows/{event.roadshow.pk}/check-in/"
    data = api_client.get(url).json()
    assert (data["confirmed"], data["checked_in"]) == (2, 1)
    again = api_client.post(url, {"code": reg.ticket_code}, format="json")
    assert again.status_code == 409
    second = api_client.post(url, {"code": event.registrations[1].ticket_code}, format="json")
    assert second.status_code == 200 and second.json()["checked_in_at"]
    bad = api_client.post(url, {"code": "??"}, format="json")
    assert bad.status_code == 400 and "code" in bad.json()["fields"]
    api_client.force_authenticate(event.attendees[0])
    assert api_client.post(url, {"code": reg.ticket_code}, format="json").status_code == 403
