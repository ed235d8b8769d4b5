"""The times of a roadshow and of its meetings: from 2000-01-01, a start at most five years
ahead, an event of at most 14 days, unavailable times within the meeting days; refused per
field (400), never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from marketplace import roles
from projects.meetings import services as meetings
from projects.models import MeetingBlock, Roadshow
from tests.projects.meeting_support import START, make_event
from tests.projects.roadshows.test_setup_pages import event_form

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_new_roadshow_in_year_1_is_refused_per_field_not_a_500(broker):
    # 0001-01-01 00:00 Beijing time (LMT +08:05:43 in zoneinfo) is before datetime.min in
    # UTC: saving it overflows (OverflowError, 500) instead of a 400 on the form.
    host = roles.primary_organization(broker)
    response = _client(broker).post(reverse("roadshow-new"), event_form(
        host.pk, starts_at="0001-01-01T00:00", ends_at="0001-01-01T03:00"))
    assert response.status_code == 400
    assert not Roadshow.objects.exists()


def test_a_roadshow_ending_in_year_9999_is_refused_or_its_pages_never_answer_500(broker):
    # The set-up form takes any date; a roadshow ending 9999-12-31 is saved, and then the
    # meeting block form (clean_block: ends_at + MEETING_DAYS_AFTER_EVENT days) and the
    # outcome report overflow (500).
    host = roles.primary_organization(broker)
    staff = _client(broker)
    created = staff.post(reverse("roadshow-new"), event_form(
        host.pk, starts_at="2030-01-01T09:00", ends_at="9999-12-31T23:59"))
    if created.status_code == 400:
        return  # refused per field: the rule holds
    roadshow = Roadshow.objects.get()
    block = staff.post(f"/roadshows/{roadshow.pk}/meetings/console/blocks/", {
        "starts_at": "2030-01-01T14:00", "ends_at": "2030-01-01T15:00", "slot_minutes": "20",
        "rooms": "T1"})
    assert block.status_code in (302, 400)
    assert block.status_code == 302 or not MeetingBlock.objects.exists()
    assert staff.get(f"/roadshows/{roadshow.pk}/report/").status_code == 200


@pytest.mark.parametrize("starts_at, ends_at, field", [
    ("1999-12-31T09:00", "1999-12-31T12:00", "starts_at"),
    ("2099-05-01T09:00", "2099-05-01T12:00", "starts_at"),  # more than 5 years ahead
    ("2030-05-01T09:00", "2030-05-20T12:00", "ends_at"),  # lasts more than 14 days
])
def test_roadshow_times_out_of_bounds_are_refused_on_their_field(broker, starts_at, ends_at,
                                                                 field):
    host = roles.primary_organization(broker)
    response = _client(broker).post(reverse("roadshow-new"), event_form(
        host.pk, starts_at=starts_at, ends_at=ends_at), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Roadshow.objects.exists()


def test_unavailable_times_lie_within_the_meeting_days():
    from kernel.errors import DomainError

    event = make_event()
    with pytest.raises(DomainError) as refused:
        meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[0],
                                    starts_at=START + timedelta(days=300),
                                    ends_at=START + timedelta(days=300, hours=1))
    assert "starts_at" in refused.value.fields
    meetings.unavailability_add(roadshow=event.roadshow, actor=event.attendees[0],
                                starts_at=START + timedelta(hours=1),
                                ends_at=START + timedelta(hours=2))


def test_the_report_and_meeting_blocks_of_a_roadshow_saved_ending_in_year_9999_never_500(broker):
    # Saved before its times were bounded: the windows added to its end never overflow.
    from datetime import UTC, datetime

    roadshow = Roadshow.objects.create(
        title="远期推介会", host=roles.primary_organization(broker), capacity=10,
        starts_at=datetime(2030, 1, 1, 1, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, 15, 59, tzinfo=UTC))
    staff = _client(broker)
    block = staff.post(f"/roadshows/{roadshow.pk}/meetings/console/blocks/", {
        "starts_at": "2030-01-01T14:00", "ends_at": "2030-01-01T15:00", "slot_minutes": "20",
        "rooms": "T1"})
    assert block.status_code == 302
    assert staff.get(f"/roadshows/{roadshow.pk}/report/").status_code == 200
