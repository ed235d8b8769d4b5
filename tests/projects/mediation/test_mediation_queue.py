"""The transfer centre's mediation queue: 1:1 meeting requests to organisations without
members, the brokers' API (both kinds, a permission matrix, 409 and 400 in the one error
shape), the queue page and the escalation command."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketplace.models import Notification
from matching.match_requests import services as match_services
from projects.meetings import mediation as meeting_mediation
from projects.meetings.services import meeting_request_create
from projects.models import MeetingRequest, MeetingRequestStatus, RoadshowSlot
from tests import factories
from tests.projects.meeting_support import START, make_event

pytestmark = pytest.mark.django_db

ACTIONS = ["outcome", "invite-to-claim", "accept", "decline"]


@pytest.fixture
def event():
    return make_event(presenters=1, attendees=2)


@pytest.fixture
def unclaimed_slot(event):
    org = factories.OrganizationFactory()
    return RoadshowSlot.objects.create(
        roadshow=event.roadshow, order=9, research_result=factories.ResearchResultFactory(
            owner=org), presenter=org, planned_start=START + timedelta(hours=1), minutes=10,
    )


@pytest.fixture
def meeting(event, unclaimed_slot):
    return meeting_request_create(roadshow=event.roadshow, slot=unclaimed_slot,
                                  requester=event.attendees[0], reason="想了解中试情况")


@pytest.fixture
def match_request(enterprise_user):
    result = factories.ResearchResultFactory(owner=factories.OrganizationFactory())
    return match_services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )


def _verbs(user):
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


def test_meeting_request_to_member_less_organisation_lands_in_queue_and_brokers_are_notified(
    event, meeting
):
    assert meeting.handled_by_transfer_centre
    assert _verbs(event.host_staff) == ["meeting_request.mediated"]
    page = factories.login(event.attendees[0]).get(
        f"/roadshows/{event.roadshow.pk}/my-schedule/"
    )
    assert "Handled by the transfer centre" in page.content.decode()


def test_broker_lists_both_kinds_filtered_and_paginated(event, meeting, match_request):
    client = factories.login(event.host_staff)
    data = client.get("/api/v1/mediated-requests/").json()
    assert data["count"] == 2
    assert {item["id"] for item in data["results"]} == {
        f"meeting_request-{meeting.pk}", f"match_request-{match_request.pk}"
    }
    only_meetings = client.get("/api/v1/mediated-requests/?kind=meeting_request").json()
    assert [item["request_id"] for item in only_meetings["results"]] == [meeting.pk]
    assert client.get("/api/v1/mediated-requests/?status=accepted").json()["count"] == 0
    bad = client.get("/api/v1/mediated-requests/?status=nope")
    assert bad.status_code == 400 and "status" in bad.json()["fields"]


@pytest.mark.parametrize("who", ["anonymous", "researcher", "enterprise_user", "requester"])
def test_non_broker_gets_403_on_every_mediation_endpoint(who, event, meeting, request):
    if who == "anonymous":
        client = factories.Client()
    elif who == "requester":
        client = factories.login(event.attendees[0])
    else:
        client = factories.login(request.getfixturevalue(who))
    item = f"meeting_request-{meeting.pk}"
    answers = [client.get("/api/v1/mediated-requests/").status_code]
    answers += [client.post(f"/api/v1/mediated-requests/{item}/{action}/",
                            {"note": "x", "outcome": "reached"}).status_code
                for action in ACTIONS]
    expected = 401 if who == "anonymous" else 403
    assert answers == [expected] * 5
    page = client.get("/mediation/")
    assert page.status_code == (302 if who == "anonymous" else 403)
    meeting.refresh_from_db()
    assert meeting.status == MeetingRequestStatus.REQUESTED


def test_broker_accept_on_behalf_notifies_sender_and_cannot_accept_twice(event, meeting):
    client = factories.login(event.host_staff)
    url = f"/api/v1/mediated-requests/meeting_request-{meeting.pk}/accept/"
    first = client.post(url, {"note": "电话联系了对方"}, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["status"] == "accepted"
    assert first.json()["events"][-1]["action"] == "accepted"
    assert "meeting_request.accepted" in _verbs(event.attendees[0])
    second = client.post(url, {"note": "电话联系了对方"}, content_type="application/json")
    assert second.status_code == 409


def test_broker_decline_on_behalf_notifies_sender_and_needs_a_note(event, match_request,
                                                                   enterprise_user):
    client = factories.login(event.host_staff)
    url = f"/api/v1/mediated-requests/match_request-{match_request.pk}/decline/"
    missing = client.post(url, {}, content_type="application/json")
    assert missing.status_code == 400 and "note" in missing.json()["fields"]
    done = client.post(url, {"note": "对方暂无合作意向", "reason": "field_mismatch"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "declined"
    assert "match_request.declined" in _verbs(enterprise_user)


def test_unknown_item_is_404_for_brokers(event):
    client = factories.login(event.host_staff)
    for item in ("match_request-999999", "nothing-1", "meeting_request-x"):
        response = client.post(f"/api/v1/mediated-requests/{item}/accept/")
        assert response.status_code == 404


def test_queue_page_lists_and_acts_with_csrf_forms(event, meeting):
    client = factories.login(event.host_staff)
    page = client.get("/mediation/")
    assert page.status_code == 200
    assert f'data-mediated-item="meeting_request-{meeting.pk}"' in page.content.decode()
    response = client.post(f"/mediation/meeting_request-{meeting.pk}/outcome/",
                           {"outcome": "reached", "note": "已联系"})
    assert response.status_code == 302
    assert meeting.mediation_events.filter(action="outcome", note="已联系").exists()
    assert "/mediation/" in factories.login(event.host_staff).get("/dashboard/").content.decode()


def test_meeting_escalation_after_n_days_happens_once_and_tells_sender_and_brokers(
    event, settings
):
    settings.REQUEST_ESCALATION_DAYS = 7
    request = meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                     requester=event.attendees[1], reason="想合作")
    assert not request.handled_by_transfer_centre
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert meeting_mediation.meeting_requests_escalate(
        now=timezone.now() + timedelta(days=6)) == []
    assert meeting_mediation.meeting_requests_escalate(now=later) == [request.pk]
    assert meeting_mediation.meeting_requests_escalate(now=later + timedelta(days=9)) == []
    assert _verbs(event.attendees[1]) == ["meeting_request.escalated"]
    assert _verbs(event.host_staff) == ["meeting_request.escalated"]
    assert MeetingRequest.objects.get(pk=request.pk).mediation_reason == "unanswered"


def test_escalate_requests_command_runs_once_with_a_fixed_now(event, match_request, settings):
    settings.REQUEST_ESCALATION_DAYS = 7
    now = (timezone.now() + timedelta(days=8)).isoformat()
    out = StringIO()
    call_command("escalate_requests", "--once", "--now", now, stdout=out)
    assert "1 match request(s), 0 meeting request(s) escalated" in out.getvalue()
    out = StringIO()
    call_command("escalate_requests", "--once", "--now", now, stdout=out)
    assert "0 match request(s), 0 meeting request(s) escalated" in out.getvalue()


@pytest.mark.parametrize("kind", ["match_request", "meeting_request"])
def test_decline_note_has_one_limit_for_both_kinds_in_api_and_form(kind, event, meeting,
                                                                    match_request):
    # One rule (matching.mediation.common.NOTE_MAX_LENGTH): a meeting's decline was capped
    # at 2000 characters by its service while the queue's form and API allowed 5000.
    from matching.mediation.common import NOTE_MAX_LENGTH

    request = match_request if kind == "match_request" else meeting
    item = f"{kind}-{request.pk}"
    client = factories.login(event.host_staff)
    too_long = "长" * (NOTE_MAX_LENGTH + 1)
    refused = client.post(f"/api/v1/mediated-requests/{item}/decline/", {"note": too_long},
                          content_type="application/json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"message", "code", "fields"}
    assert "note" in refused.json()["fields"]
    page = client.post(f"/mediation/{item}/decline/", {"note": too_long, "reason": "other"})
    assert page.status_code == 302
    request.refresh_from_db()
    assert request.status in ("open", "requested")
    assert not request.mediation_events.filter(action="declined").exists()
    longest = "长" * NOTE_MAX_LENGTH
    done = client.post(f"/api/v1/mediated-requests/{item}/decline/", {"note": longest},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "declined"
    request.refresh_from_db()
    assert longest in (getattr(request, "decline_text", None), getattr(request,
                                                                       "decline_reason", None))


def test_every_status_of_both_kinds_has_a_queue_status_and_an_unknown_one_is_an_error(
    meeting, match_request
):
    from matching.models import MatchRequestStatus
    from projects.mediation.selectors import STATUSES, MediatedItem

    names = {name for name, _label in STATUSES}
    for kind, request, codes in (("match_request", match_request, MatchRequestStatus.values),
                                 ("meeting_request", meeting, MeetingRequestStatus.values)):
        for code in codes:
            request.status = code
            assert MediatedItem(kind, request, []).status in names
        request.status = "lost"
        with pytest.raises(ValueError, match=f"{kind}-{request.pk}: status 'lost'"):
            MediatedItem(kind, request, []).status  # noqa: B018


def test_meeting_request_answered_after_the_due_list_was_read_is_not_escalated(
    event, settings, monkeypatch
):
    # Mirrors the match-request test: escalate_due locks the row only while it still matches
    # the due list (lock_row_in), so an answer in between leaves it alone.
    from matching.mediation import escalation

    settings.REQUEST_ESCALATION_DAYS = 7
    request = meeting_request_create(roadshow=event.roadshow, slot=event.slots[0],
                                     requester=event.attendees[1], reason="想合作")
    lock_row_in = escalation.lock_row_in

    def answered_first(queryset, pk, **kwargs):
        MeetingRequest.objects.filter(pk=pk).update(status=MeetingRequestStatus.DECLINED)
        return lock_row_in(queryset, pk, **kwargs)

    monkeypatch.setattr(escalation, "lock_row_in", answered_first)
    later = timezone.now() + timedelta(days=8)
    assert meeting_mediation.meeting_requests_escalate(now=later) == []
    request.refresh_from_db()
    assert request.escalated_at is None and not request.handled_by_transfer_centre
    assert not request.mediation_events.exists()
    assert _verbs(event.attendees[1]) == [] and _verbs(event.host_staff) == []


def test_queue_pages_keep_to_open_requests_and_a_page_below_one_is_the_first(
    event, meeting, unclaimed_slot, match_request, monkeypatch
):
    from projects.mediation import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    second = meeting_request_create(roadshow=event.roadshow, slot=unclaimed_slot,
                                    requester=event.attendees[1], reason="也想了解中试")
    client = factories.login(event.host_staff)
    declined = client.post(f"/mediation/match_request-{match_request.pk}/decline/",
                           {"note": "方向不符", "reason": "other"})
    assert declined.status_code == 302

    def listed(query: str) -> list[str]:
        return visit(query)[0]

    def visit(query: str) -> tuple[list[str], list[str]]:
        """The items a page lists, and its pager's links (as the browser reads them)."""
        html = client.get(f"/mediation/{query}").content.decode()
        pager = html.partition('class="pagination"')[2].partition("</nav>")[0]
        links = [unescape(link) for link in re.findall(r'href="([^"]*)"', pager)]
        return re.findall(r'data-mediated-item="([^"]+)"', html), links

    first, links = visit("")
    assert links == ["?page=2"]
    second_page, back = visit(links[0])
    assert back == ["?page=1"]
    assert sorted(first + second_page) == sorted(
        [f"meeting_request-{meeting.pk}", f"meeting_request-{second.pk}"]
    ), "page 2 of the default queue lists open requests too, not the declined one"
    assert listed("?page=0") == listed("?page=-3") == first
    assert listed("?page=99") == second_page
    # The pager keeps the filters ("all" statuses) and nothing the page does not read.
    every, query = [], "?status=&junk=" + "x" * 3000
    for _number in (1, 2, 3):
        items, links = visit(query)
        every += items
        assert links and all("junk" not in link and "status=&" in link for link in links)
        query = links[-1]  # "Next" (on the third and last page "Previous"; the loop ends)
    assert f"match_request-{match_request.pk}" in every, "an empty status lists every status"
