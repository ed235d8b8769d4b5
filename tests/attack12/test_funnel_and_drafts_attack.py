"""Attacks on the deal funnel's filters and on draft roadshows: each test names the rule it
checks and fails on main."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories
from tests.projects.roadshow_support import client_for
from tests.projects.roadshows.test_drafts import make_draft

pytestmark = pytest.mark.django_db

PAGE, CSV, XLSX, API = ("/analytics/funnel/", "/analytics/funnel.csv", "/analytics/funnel.xlsx",
                        "/api/v1/analytics/funnel/")


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("query", [
    "date_to=9999-12-31",
    "date_from=0001-01-01",
    "date_from=0001-01-01&date_to=9999-12-31",
])
@pytest.mark.parametrize("url", [PAGE, CSV, XLSX, API])
def test_funnel_period_at_the_edges_of_the_calendar_is_a_400_or_a_funnel_never_a_500(
    url, query
):
    # FunnelFilters.period(): date_to + 1 day overflows for 9999-12-31; 0001-01-01 00:00 in
    # Asia/Shanghai (LMT +08:05:43) is before datetime.min in UTC.
    member = factories.enterprise_member()
    response = _client(member).get(f"{url}?{query}")
    assert response.status_code in (200, 400), response.status_code


def test_the_live_api_of_a_draft_answers_404_as_every_other_route_of_it(broker,
                                                                         enterprise_user):
    # A draft is seen by its host staff alone: every other route of a draft answers 404 to
    # others (detail, slots, questions, meetings...); the live route answers 403 "Only
    # registered attendees and host staff can follow the roadshow", which tells that the
    # draft exists (ids are sequential: a competitor counts the drafts being prepared).
    draft = make_draft(broker)
    api = client_for(enterprise_user)
    assert api.get(f"/api/v1/roadshows/{draft.pk}/").status_code == 404
    assert api.get(f"/api/v1/roadshows/{draft.pk}/live/").status_code == 404
    assert api.get("/api/v1/roadshows/999999/live/").status_code == 404


@pytest.mark.parametrize("url", [PAGE, API])
def test_funnel_roadshow_filter_on_a_roadshow_ending_in_year_9999_is_never_a_500(url, broker):
    # The set-up pages save a roadshow ending 9999-12-31 (see test_roadshow_setup_attack); the
    # funnel's roadshow filter reads the report's attribution window (ends_at + report_window,
    # reports/selectors.py) and overflows for every member who picks it.
    from datetime import UTC, datetime

    from marketplace import roles
    from projects.models import Roadshow

    roadshow = Roadshow.objects.create(
        title="远期推介会", host=roles.primary_organization(broker), capacity=10,
        starts_at=datetime(2030, 1, 1, 1, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, 15, 59, tzinfo=UTC))
    response = _client(factories.enterprise_member()).get(f"{url}?roadshow={roadshow.pk}")
    assert response.status_code in (200, 400), response.status_code
