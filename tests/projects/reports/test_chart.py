"""The report chart: the most active projects first, no bar or label for a zero, narrow
enough for a phone."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from projects.reports.export import CHART_TOP, CHART_WIDTH, report_chart
from projects.reports.selectors import ProjectLine, RoadshowReport
from tests.projects.meeting_support import START

pytestmark = pytest.mark.django_db


def _report(*activity: tuple[int, int, int]) -> RoadshowReport:
    report = RoadshowReport(roadshow_id=1, title="推介会", host="中心", venue="", starts_at=START,
                            ends_at=START, status="ended", generated_at=START)
    for i, (intents, meetings, matches) in enumerate(activity):
        report.projects.append(ProjectLine(
            slot_id=i + 1, order=i + 1, title=f"项目{i + 1}", listing_type="result",
            presenter="机构", presented=True, intents=intents, meetings_requested=meetings,
            match_requests=matches))
    return report


def _svg_values(html: str) -> list[str]:
    return re.findall(r'<text [^>]*font-size="10" fill="#38444f">([^<]*)</text>', html)


def test_zero_values_get_no_bar_and_no_label():
    report = _report((3, 0, 0), (0, 0, 0), (0, 2, 1))
    chart = report_chart(report)
    assert [r["label"] for r in chart["rows"]] == ["1. 项目1", "3. 项目3"]
    assert [[b["value"] for b in r["bars"]] for r in chart["rows"]] == [[3], [2, 1]]
    html = render_to_string("projects/_report_chart.html", {"chart": chart})
    assert _svg_values(html) == ["3", "2", "1"]
    assert ">0<" not in html and "<title>0</title>" not in html


def test_the_chart_shows_the_top_projects_by_activity_and_says_so():
    rows = [(i % 5, 0, 0) for i in range(30)]  # 6 projects without activity
    rows[17] = (9, 4, 2)
    chart = report_chart(_report(*rows))
    assert chart["shown"] == CHART_TOP and len(chart["rows"]) == CHART_TOP
    assert chart["rows"][0]["label"] == "18. 项目18"  # the most active first
    values = [r["bars"][0]["value"] for r in chart["rows"][1:]]
    assert values == sorted(values, reverse=True)
    html = render_to_string("projects/_report_chart.html", {"chart": chart})
    assert "The 10 most active projects; every project is in the table below." in html


def test_a_report_without_activity_says_so_instead_of_an_empty_chart():
    html = render_to_string("projects/_report_chart.html",
                            {"chart": report_chart(_report((0, 0, 0), (0, 0, 0)))})
    assert "<svg" not in html and "No intents, meeting requests or match requests yet." in html


def test_the_chart_is_drawn_narrow_with_readable_text():
    chart = report_chart(_report((5, 2, 1)))
    assert chart["width"] == CHART_WIDTH <= 380
    html = render_to_string("projects/_report_chart.html", {"chart": chart})
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', html)]
    assert min(sizes) >= 10  # at 360 px wide (a phone) text stays near 10 px
