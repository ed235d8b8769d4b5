"""The deal funnel's figures against the hand-built scenario (tests/projects/analytics/
scenario.py), its filters and who sees what."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from marketplace.choices import Field
from matching.models import MatchRequest
from projects.analytics.filters import FunnelFilters
from projects.analytics.selectors import deal_funnel
from projects.models import MeetingSchedulePublication
from tests import factories
from tests.projects.analytics.scenario import build
from tests.projects.meeting_support import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario():
    return build()


def counts(funnel):
    return {s.key: s.count for s in funnel.stages}


def test_every_stage_count_rate_median_and_the_value(scenario):
    funnel = deal_funnel(viewer=factories.broker())
    assert counts(funnel) == {"listing": 3, "match_request": 4, "accepted": 3, "meeting": 1,
                              "drafted": 3, "signed": 2}
    # Of the 3 listings, all 3 got a deal; of 4 deals 3 accepted; of 3 accepted 1 met; the
    # one that met was drafted; of 3 drafted 2 signed.
    assert [(s.converted, s.rate_to_next) for s in funnel.stages] == [
        (3, 1.0), (3, 0.75), (1, 0.3333), (1, 1.0), (2, 0.6667), (0, None)]
    assert funnel.overall_listing_rate == 0.6667  # R1 (D1) and N1 (D4) of 3 listings
    assert funnel.overall_deal_rate == 0.5
    # D4's amendment restates its terms: its value (90,000.00) replaces the original's.
    assert funnel.value_cny == Decimal("210000.00")
    assert funnel.value_missing == 0
    medians = {(m.from_stage, m.to_stage): (m.median_days, m.count) for m in funnel.medians}
    assert medians == {
        # D1 20d+1h, D2 23d, D3 11d, D4 7d -> (11 + 20.04) / 2
        ("listing", "match_request"): (15.5, 4),
        ("match_request", "accepted"): (1.0, 3),  # 1h, 1d, 3d
        ("accepted", "meeting"): (0.1, 1),  # 3 hours
        ("meeting", "drafted"): (2.8, 1),  # from +5h to +3d
        ("drafted", "signed"): (4.5, 2),  # 7d and 2d
        ("match_request", "signed"): (8.5, 2),  # 10d-1h and 7d
    }


def test_a_signed_agreement_without_a_readable_value_adds_nothing_and_is_counted(scenario):
    from contracts.models import AgreementVersion

    AgreementVersion.objects.filter(payment__total_cny="120000.00").update(payment={})
    funnel = deal_funnel(viewer=factories.broker())
    assert funnel.value_cny == Decimal("90000.00")
    assert funnel.value_missing == 1


def test_period_selects_listings_by_publication_and_deals_by_request_in_beijing_days(scenario):
    broker = factories.broker()
    # 2025-06-11 in Beijing: D3 (+1d), D4 (+2d), D2 (+3d); D1 (+1h, 06-10) is before.
    funnel = deal_funnel(viewer=broker, filters=FunnelFilters(date_from=date(2025, 6, 11)))
    assert counts(funnel) == {"listing": 0, "match_request": 3, "accepted": 2, "meeting": 0,
                              "drafted": 2, "signed": 1}
    assert funnel.value_cny == Decimal("90000.00")
    # 15:30 UTC on 06-10 is 23:30 in Beijing (06-10); 16:30 UTC is 00:30 on 06-11.
    d1 = scenario.deals["D1"]
    MatchRequest.objects.filter(pk=d1.pk).update(created_at=START + timedelta(hours=14, minutes=30))
    only_10th = FunnelFilters(date_from=date(2025, 6, 10), date_to=date(2025, 6, 10))
    assert deal_funnel(viewer=broker, filters=only_10th).stage("match_request").count == 1
    MatchRequest.objects.filter(pk=d1.pk).update(created_at=START + timedelta(hours=15, minutes=30))
    assert deal_funnel(viewer=broker, filters=only_10th).stage("match_request").count == 0
    listings_may = FunnelFilters(date_from=date(2025, 5, 20), date_to=date(2025, 5, 31))
    assert deal_funnel(viewer=broker, filters=listings_may).stage("listing").count == 2  # R2, N1


def test_field_region_organisation_and_roadshow_filters(scenario):
    broker, orgs = factories.broker(), scenario.orgs
    biomedicine = deal_funnel(viewer=broker, filters=FunnelFilters(field=Field.BIOMEDICINE))
    assert counts(biomedicine) == {"listing": 1, "match_request": 1, "accepted": 0,
                                   "meeting": 0, "drafted": 0, "signed": 0}  # R2 and D3
    hebei = deal_funnel(viewer=broker, filters=FunnelFilters(region="130000"))
    assert counts(hebei) == {"listing": 1, "match_request": 1, "accepted": 1, "meeting": 0,
                             "drafted": 1, "signed": 1}  # N1 and D4, whose listing it is
    assert hebei.value_cny == Decimal("90000.00")
    e0 = deal_funnel(viewer=broker, filters=FunnelFilters(organization=orgs["E0"]))
    assert counts(e0) == {"listing": 0, "match_request": 1, "accepted": 1, "meeting": 1,
                          "drafted": 1, "signed": 1}
    p1 = deal_funnel(viewer=broker, filters=FunnelFilters(organization=orgs["P1"]))
    # R1 (its draft was never published); D1, D2 and D4, in which P1 is a party.
    assert (counts(p1)["listing"], counts(p1)["match_request"]) == (1, 3)
    roadshow = deal_funnel(viewer=broker,
                           filters=FunnelFilters(roadshow=scenario.event.roadshow))
    assert counts(roadshow) == {"listing": 2, "match_request": 4, "accepted": 3, "meeting": 1,
                                "drafted": 3, "signed": 2}


def test_the_roadshow_filter_follows_the_reports_attribution_window(scenario, settings):
    settings.ROADSHOW_REPORT_WINDOW_DAYS = 1  # up to a day after its end: D1 and D3 only
    funnel = deal_funnel(viewer=factories.broker(),
                         filters=FunnelFilters(roadshow=scenario.event.roadshow))
    assert counts(funnel)["match_request"] == 2


def test_members_see_the_deals_of_their_organisation_and_its_listings(scenario):
    e0_member = factories.enterprise_member(scenario.orgs["E0"])
    assert counts(deal_funnel(viewer=e0_member)) == {
        "listing": 0, "match_request": 1, "accepted": 1, "meeting": 1, "drafted": 1,
        "signed": 1}
    p1_member = scenario.event.presenters[0]
    funnel = deal_funnel(viewer=p1_member)
    assert counts(funnel) == {"listing": 1, "match_request": 3, "accepted": 3, "meeting": 1,
                              "drafted": 3, "signed": 2}
    assert funnel.value_cny == Decimal("210000.00")
    # Filtering by another organisation narrows within what the member sees.
    other = deal_funnel(viewer=p1_member,
                        filters=FunnelFilters(organization=scenario.orgs["E2"]))
    assert counts(other)["match_request"] == 1  # D4 (D3 is E2's with P2)


def test_the_funnel_reads_no_stored_pdf(scenario):
    """The value comes from the frozen terms: no agreement's sealed PDF or signing preview (a
    few hundred kB each) is read out of the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    broker = factories.broker()
    with CaptureQueriesContext(connection) as queries:
        funnel = deal_funnel(viewer=broker)
    assert counts(funnel)["signed"] == 2
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"sealed_pdf"' not in sql  # the column, not sealed_pdf_sha256
    assert '"preview_pdf"' not in sql


def test_a_meeting_counts_only_once_its_schedule_is_published(scenario):
    MeetingSchedulePublication.objects.all().delete()  # the schedule back to a draft
    assert counts(deal_funnel(viewer=factories.broker()))["meeting"] == 0
