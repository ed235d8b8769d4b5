"""The deal funnel's page, CSV, XLSX and API: the same figures everywhere, who may see them,
and bad filter values answered 400 (per field, in both languages), never 500."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.projects.analytics.scenario import build

pytestmark = pytest.mark.django_db

PAGE, CSV, XLSX, API = ("/analytics/funnel/", "/analytics/funnel.csv", "/analytics/funnel.xlsx",
                        "/api/v1/analytics/funnel/")


@pytest.fixture
def scenario():
    return build()


def _csv_blocks(content: bytes) -> list[list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    return blocks


def test_api_page_csv_and_xlsx_show_the_same_figures(scenario):
    client = factories.login(factories.broker())
    query = {"roadshow": scenario.event.roadshow.pk, "date_from": "2025-06-10"}
    api = client.get(API, query, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [s["count"] for s in api["stages"]] == [0, 4, 3, 1, 3, 2]
    assert api["value_cny"] == "210000.00"
    assert api["filters"] == {"date_from": "2025-06-10",
                              "roadshow": str(scenario.event.roadshow.pk)}
    page = client.get(PAGE, query, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    page_counts = [int(row[1]) for row in page.context["stage_rows"]]
    page_rates = [row[3] for row in page.context["stage_rows"]]
    assert page_counts == [s["count"] for s in api["stages"]]
    # Accepted converts to drafted (the 1:1 meeting is optional and has no rate of its own).
    assert page_rates == ["–", "75.0%", "100.0%", "", "66.7%", ""]
    body = page.content.decode()
    assert "210000.00" in body and "funnel-chart-data" in body
    assert "vendor/chartjs/chart.umd.min.js" in body

    blocks = _csv_blocks(client.get(CSV, query, HTTP_ACCEPT_LANGUAGE="en").content)
    _filters, stages, medians, totals = blocks
    assert [int(r[1]) for r in stages[1:]] == page_counts
    assert [r[3] for r in stages[1:]] == page_rates
    assert [[r[2], r[3]] for r in medians[1:]] == [
        ["–" if m["median_days"] is None else f"{m['median_days']:.1f}", str(m["count"])]
        for m in api["medians"]]
    assert totals[3] == ["Contract value (CNY)", api["value_cny"]]

    response = client.get(XLSX, query)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert [int(r[1]) for r in values[values.index(tuple(stages[0])) + 1:][:6]] == page_counts
    assert Decimal(str(values[-2][1])) == Decimal(api["value_cny"])


def test_page_is_for_brokers_and_members_of_an_organisation(scenario, client):
    assert client.get(PAGE).status_code == 302  # anonymous: to the log-in page
    assert "/accounts/login/" in client.get(PAGE)["Location"] or "login" in client.get(
        PAGE)["Location"]
    loner = factories.login(factories.UserFactory())
    assert loner.get(PAGE).status_code == 403
    assert loner.get(CSV).status_code == 403
    assert loner.get(API).status_code == 403
    assert "brokers and members of an organisation" in loner.get(API).json()["message"]
    assert client.get(API).status_code in (401, 403)
    member = factories.login(factories.enterprise_member(scenario.orgs["E0"]))
    response = member.get(PAGE)
    assert response.status_code == 200
    assert [int(r[1]) for r in response.context["stage_rows"]] == [0, 1, 1, 1, 1, 1]
    assert member.get(API).json()["value_cny"] == "120000.00"


def test_navigation_and_dashboard_link_to_the_page(scenario):
    broker_page = factories.login(factories.broker()).get("/dashboard/").content.decode()
    assert 'href="/analytics/funnel/"' in broker_page  # in the main navigation
    member = factories.login(factories.enterprise_member(scenario.orgs["E0"]))
    assert 'href="/analytics/funnel/"' in member.get("/dashboard/").content.decode()


@pytest.mark.parametrize("query, field", [
    ({"date_from": "2025-13-01"}, "date_from"),
    ({"date_from": "2025-06-10", "date_to": "2025-06-01"}, "date_to"),
    ({"field": "astrology"}, "field"),
    ({"region": "火星"}, "region"),
    ({"region": "130100"}, "region"),  # a city, not a province
    ({"organization": "abc"}, "organization"),
    ({"organization": "99999999999999999999999"}, "organization"),
    ({"organization": "999999"}, "organization"),
    ({"roadshow": "1e30"}, "roadshow"),
    ({"roadshow": "999999"}, "roadshow"),
])
def test_bad_filter_values_are_400_naming_the_parameter(scenario, query, field):
    client = factories.login(factories.broker())
    api = client.get(API, query, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == [field]
    for url in (PAGE, CSV, XLSX):
        page = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400
        assert field in page.context["form"].errors


def test_filter_errors_in_both_languages(scenario):
    client = factories.login(factories.broker())
    query = {"region": "火星", "date_from": "2025-06-10", "date_to": "2025-06-01"}
    en = client.get(API, query, HTTP_ACCEPT_LANGUAGE="en").json()["fields"]
    zh = client.get(API, query, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["fields"]
    assert en["date_to"] == ["The end of the period is before its start."]
    assert zh["date_to"] == ["截止日期早于起始日期。"]
    assert zh["region"][0].startswith("不是省级行政区")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(PAGE, query).content.decode()
    assert "截止日期早于起始日期。" in page and "成交漏斗" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(PAGE, query).content.decode()
    assert "The end of the period is before its start." in page


def test_region_accepts_codes_and_full_or_short_names(scenario):
    client = factories.login(factories.broker())
    for value in ("130000", "河北省", "河北"):
        body = client.get(API, {"region": value}).json()
        assert body["filters"] == {"region": "130000"}
        assert [s["count"] for s in body["stages"]][:2] == [1, 1]


def test_openapi_schema_documents_the_funnel_and_its_parameters():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/analytics/funnel/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "date_from", "date_to", "field", "region", "organization", "roadshow"}
    assert "400" in operation["responses"] and "403" in operation["responses"]


@pytest.mark.parametrize("query, field", [
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01"}, "date_from"),
])
def test_days_at_the_ends_of_the_calendar_are_400_not_500(scenario, query, field):
    """The period's bounds become UTC datetimes: the first and last days Python knows would
    overflow, so days outside the listings' range are refused on their field."""
    client = factories.login(factories.broker())
    api = client.get(API, query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert api.status_code == 400
    assert list(api.json()["fields"]) == [field]
    assert "之间的日期" in api.json()["fields"][field][0]
    for url in (PAGE, CSV, XLSX):
        page = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400
        assert field in page.context["form"].errors


def test_only_the_page_reads_the_filter_drop_downs_choices(scenario):
    client = factories.login(factories.broker())
    by_name = 'ORDER BY "marketplace_organization"."legal_name"'
    for url in (API, CSV, XLSX):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert not any(by_name in q["sql"] for q in queries.captured_queries), url
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    assert any(by_name in q["sql"] for q in queries.captured_queries)


def test_the_province_filter_names_provinces_in_the_pages_language(scenario):
    client = factories.login(factories.broker())
    english = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="110000">Beijing</option>' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(PAGE).content.decode()
    assert '<option value="110000">北京市</option>' in chinese
