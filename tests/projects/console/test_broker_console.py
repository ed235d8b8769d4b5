"""The broker console lists what waits for a broker across the apps, and only for brokers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.choices import ListingStatus
from matching.match_requests import services as match_services
from projects.choices import RoadshowStatus
from projects.console.selectors import SECTION_SIZE, broker_console
from tests import factories
from tests.contracts import support
from tests.projects.roadshow_support import make_roadshow

pytestmark = pytest.mark.django_db


def test_console_is_for_brokers_only(enterprise_user, client):
    assert factories.login(enterprise_user).get("/console/").status_code == 403
    response = client.get("/console/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_console_lists_a_listing_waiting_for_review(broker, university):
    pending = factories.ResearchResultFactory(
        owner=university, status=ListingStatus.PENDING_REVIEW, title="待审成果：钢渣气淬"
    )
    console = broker_console(viewer=broker)
    assert console.results_to_review.items == [pending]
    html = factories.login(broker).get("/console/").content.decode()
    assert "待审成果：钢渣气淬" in html and f"/results/{pending.pk}/" in html


def test_unanswered_and_escalated_requests_are_separate(broker, enterprise_user, result):
    unanswered = match_services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    # An organisation without reachable members: the request goes to the mediation queue.
    unreachable = factories.ResearchResultFactory(owner=factories.OrganizationFactory())
    escalated = match_services.match_request_create(
        actor=enterprise_user, research_result=unreachable, message="请介绍。"
    )
    console = broker_console(viewer=broker)
    assert console.unanswered_match_requests.items == [unanswered]
    assert [item.request for item in console.escalated_requests.items] == [escalated]
    assert console.escalated_requests.count == 1


def test_roadshows_are_the_brokers_own_upcoming_and_live_ones(broker):
    mine = make_roadshow(broker, projects=1)
    ended = make_roadshow(broker, projects=1)
    ended.status = RoadshowStatus.ENDED
    ended.save(update_fields=["status"])
    past = make_roadshow(broker, projects=1)
    past.starts_at = timezone.now() - timedelta(days=3)
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.save(update_fields=["starts_at", "ends_at"])
    someone_elses = make_roadshow(factories.broker(), projects=1)
    draft = make_roadshow(broker, projects=1)
    draft.status = RoadshowStatus.DRAFT
    draft.starts_at += timedelta(days=1)
    draft.ends_at += timedelta(days=1)
    draft.save(update_fields=["status", "starts_at", "ends_at"])
    console = broker_console(viewer=broker)
    assert console.roadshows.items == [mine, draft]
    assert mine not in broker_console(viewer=factories.broker()).roadshows.items
    assert someone_elses in broker_console(viewer=factories.admin()).roadshows.items


def test_agreements_waiting_for_signatures_are_listed(broker, enterprise_user, researcher, result):
    frozen = support.ready_to_sign(
        enterprise_user=enterprise_user, researcher=researcher, result=result
    )
    drafted = support.drafted(
        enterprise_user=enterprise_user, researcher=researcher,
        result=factories.ResearchResultFactory(owner=result.owner),
    )
    console = broker_console(viewer=broker)
    assert console.agreements_to_sign.items == [frozen]
    assert drafted not in console.agreements_to_sign.items
    html = factories.login(broker).get("/console/").content.decode()
    assert frozen.number in html


def test_each_section_lists_a_few_and_counts_all(broker, university):
    for number in range(SECTION_SIZE + 2):
        factories.TechnologyNeedFactory(
            owner=university, status=ListingStatus.PENDING_REVIEW, title=f"需求{number}"
        )
    section = broker_console(viewer=broker).needs_to_review
    assert (section.count, len(section.items)) == (SECTION_SIZE + 2, SECTION_SIZE)


def test_dashboard_points_brokers_to_the_console(broker, enterprise_user):
    assert 'href="/console/"' in factories.login(broker).get("/dashboard/").content.decode()
    assert 'href="/console/"' not in (
        factories.login(enterprise_user).get("/dashboard/").content.decode()
    )


def test_console_reads_in_chinese(broker):
    client = factories.login(broker)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/console/").content.decode()
    assert "转化中心工作台" in html and "待审核的发布" in html
    assert "没有等待答复的对接请求。" in html
