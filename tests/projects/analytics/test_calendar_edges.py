"""The deal funnel's period and roadshow filters at the edges of the calendar: a date outside
2000-2100 is a 400 on its field (both languages), and no filter overflows a datetime (500)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

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


def test_a_date_outside_the_accepted_years_is_refused_on_its_field_in_both_languages():
    client = _client(factories.enterprise_member())
    query = {"date_from": "1999-12-31", "date_to": "2101-01-01"}
    en = client.get(API, query, HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 400
    assert en.json()["fields"]["date_from"] == ["Give a date from 2000-01-01 to 2100-12-31."]
    zh = client.get(API, query, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["fields"]
    assert zh["date_to"] == ["请填写 2000-01-01 至 2100-12-31 之间的日期。"]
    page = client.get(PAGE, query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "date_to" in page.context["form"].errors


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
