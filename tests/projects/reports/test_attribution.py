"""Which match requests, intents, 1:1 meetings and agreements a roadshow's report counts
(rule in `projects.reports.selectors`): those about its agenda's listings from the moment it
opened — when it went live, or its scheduled start if that is earlier — whichever page they
were made on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from matching.models import MatchRequest
from projects.meetings import services as meetings
from projects.models import Intent, Roadshow, RoadshowSlot
from projects.reports.selectors import roadshow_report
from projects.roadshows.live import services as live
from tests import factories
from tests.projects.meeting_support import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def early_event():
    """A roadshow scheduled for tomorrow that the host takes live today (as the demo does)."""
    event = make_event(presenters=2, attendees=2)
    starts_at = timezone.now() + timedelta(days=1)
    Roadshow.objects.filter(pk=event.roadshow.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=8))
    for i, slot in enumerate(event.slots):
        RoadshowSlot.objects.filter(pk=slot.pk).update(
            planned_start=starts_at + timedelta(minutes=10 * i))
    event.roadshow.refresh_from_db()
    live.roadshow_go_live(roadshow=event.roadshow, actor=event.host_staff)
    return event


def _request_from_audience_page(event, user):
    """What the audience page does after "I'm interested": the intent, then the pre-filled
    form posted to the result's request page."""
    client = factories.login(user)
    slot = event.slots[0]
    intent = client.post(f"/api/v1/roadshows/{event.roadshow.pk}/intents/",
                         {"slot": slot.pk}, content_type="application/json")
    assert intent.status_code in (200, 201), intent.content
    page = client.get(f"/roadshows/{event.roadshow.pk}/live/")
    assert page.status_code == 200
    response = client.post(f"/results/{slot.research_result_id}/request/",
                           {"message": "路演现场看到，希望对接"})
    assert response.status_code == 302, response.content
    return MatchRequest.objects.get(created_by=user)


def test_going_live_records_when_the_roadshow_opened(early_event):
    early_event.roadshow.refresh_from_db()
    assert early_event.roadshow.went_live_at is not None
    assert early_event.roadshow.went_live_at < early_event.roadshow.starts_at


def test_a_match_request_made_from_the_audience_page_is_counted(early_event):
    _request_from_audience_page(early_event, early_event.attendees[0])
    report = roadshow_report(roadshow=early_event.roadshow)
    assert report.match_requests == 1
    assert report.intents == 1
    assert [p.match_requests for p in report.projects] == [1, 0]


def test_a_request_made_on_the_listing_page_during_the_event_is_counted_too(early_event):
    slot = early_event.slots[1]
    response = factories.login(early_event.attendees[1]).post(
        f"/results/{slot.research_result_id}/request/", {"message": "看了路演，申请对接"})
    assert response.status_code == 302
    report = roadshow_report(roadshow=early_event.roadshow)
    assert [p.match_requests for p in report.projects] == [0, 1]


def test_requests_before_it_opened_or_about_other_listings_are_not_counted(early_event):
    mr = _request_from_audience_page(early_event, early_event.attendees[0])
    MatchRequest.objects.filter(pk=mr.pk).update(
        created_at=early_event.roadshow.went_live_at - timedelta(minutes=1))
    other = factories.ResearchResultFactory()
    factories.login(early_event.attendees[1]).post(f"/results/{other.pk}/request/",
                                                   {"message": "别的成果"})
    assert MatchRequest.objects.count() == 2
    assert roadshow_report(roadshow=early_event.roadshow).match_requests == 0


def test_meeting_requests_and_intents_of_the_event_are_counted_before_its_scheduled_start(
    early_event,
):
    slot = early_event.slots[0]
    meetings.meeting_request_create(roadshow=early_event.roadshow, slot=slot,
                                    requester=early_event.attendees[1], reason="洽谈")
    Intent.objects.create(roadshow=early_event.roadshow, slot=slot,
                          user=early_event.attendees[1])
    report = roadshow_report(roadshow=early_event.roadshow)
    assert (report.meetings_requested, report.intents) == (1, 1)


def test_the_report_page_states_the_attribution_rule(early_event):
    html = factories.login(early_event.host_staff).get(
        f"/roadshows/{early_event.roadshow.pk}/report/").content.decode()
    assert "whichever page they were made" in html and "90 days after its end" in html
