"""The deal funnel reads right: the optional 1:1 meeting is "of which" under the accepted
deals, which convert to the agreement drafted stage; the value has thousands separators; the
medians chart says when there is nothing to draw; the XLSX has rates as numbers in a percent
format and its generation time in Beijing time."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from tests import factories
from tests.projects.analytics.scenario import build

pytestmark = pytest.mark.django_db

PAGE, XLSX, API = "/analytics/funnel/", "/analytics/funnel.xlsx", "/api/v1/analytics/funnel/"


@pytest.fixture
def scenario():
    return build()


def _broker(language="en"):
    client = factories.login(factories.broker())
    client.cookies["django_language"] = language
    return client


def test_the_optional_meeting_is_of_which_and_accepted_deals_convert_to_drafted(scenario):
    client = _broker()
    page = client.get(PAGE)
    rows = [row["cells"] for row in page.context["stage_display_rows"]]
    # 3 accepted, all 3 drafted (only 1 met): 100 %, not the 33.3 % that met.
    assert rows[2][1:] == ["3", "3", "100.0%"]
    assert rows[3] == ["of which with a 1:1 meeting (optional)", "1", "", ""]
    html = page.content.decode()
    assert "data-stage-optional" in html and "The 1:1 meeting is optional" in html
    chart = page.context["chart"]["stages"]
    assert chart["optional"] == [False, False, False, True, False, False]
    assert chart["labels"][3] == "1:1 meeting (optional)"
    api = client.get(API).json()["stages"]
    assert (api[2]["converted_main"], api[2]["rate_to_main"]) == (3, 1.0)
    assert [s["optional"] for s in api] == chart["optional"]
    zh = _broker("zh-hans").get(PAGE).content.decode()
    assert "其中进行了一对一洽谈（可选）" in zh and "一对一洽谈是可选环节" in zh


def test_the_value_has_thousands_separators(scenario):
    html = _broker().get(PAGE).content.decode()
    assert '<data value="210000.00">¥210,000.00</data>' in html


def test_the_medians_chart_says_when_there_is_nothing_to_draw():
    page = _broker().get(PAGE)  # no deals: nothing measured
    assert page.context["chart"]["medians"]["empty"] is True
    assert 'data-empty="medians"' in page.content.decode()
    data = json.loads(page.content.decode().split('id="funnel-chart-data"')[1]
                      .split(">", 1)[1].split("</script>")[0])
    assert data["medians"]["unit"] == " days"


def test_the_medians_chart_draws_when_some_median_is_not_zero(scenario):
    page = _broker().get(PAGE)
    assert page.context["chart"]["medians"]["empty"] is False
    assert 'data-empty="medians"' not in page.content.decode()


def test_the_xlsx_has_percent_rates_and_beijing_generation_time(scenario):
    response = _broker().get(XLSX)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    generated = next(r for r in rows if r[0].value == "Generated at (Beijing time)")
    assert str(generated[1].value).endswith("+08:00")
    rate_cells = [r[3] for r in rows if len(r) > 3 and r[3].number_format == "0.0%"]
    # accepted -> drafted 1 (100 %), the optional meeting row without a rate
    assert [c.value for c in rate_cells] == [1, 0.75, 1, 0.667]
    overall = next(r for r in rows if r[0].value == "Overall conversion, match requests to signed")
    assert overall[1].value == 0.5 and overall[1].number_format == "0.0%"
