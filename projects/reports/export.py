"""The outcome report as CSV, as a server-side SVG chart and as PDF (its data is built by
`projects.reports.selectors.roadshow_report`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kernel.money import CENT
from kernel.spreadsheets import csv_bytes
from projects.reports.selectors import ProjectLine, RoadshowReport

# --- CSV ---------------------------------------------------------------------------------------


def report_csv(report: RoadshowReport) -> bytes:
    """UTF-8 CSV with a byte-order mark: a summary block (metric, value), a blank line, then
    one row per project, then the agreements. Money as plain decimals with 2 places."""
    rows: list[list[Any]] = [[_("Metric"), _("Value")]]
    rows += [[label, value] for label, value in summary_rows(report)]
    rows.append([])
    rows.append([_("Order"), _("Project"), _("Presenter"), _("Presented"), _("Intents"),
                 _("Questions"), _("Meetings requested"), _("Meetings held"),
                 _("Match requests"), _("Agreements signed"), _("Agreement value (CNY)")])
    for p in report.projects:
        rows.append([p.order, p.title, p.presenter, _("yes") if p.presented else _("no"),
                     p.intents, p.questions, p.meetings_requested, p.meetings_held,
                     p.match_requests, p.agreements_signed,
                     f"{p.agreements_value_cny.quantize(CENT)}"])
    if report.agreements:
        rows.append([])
        rows.append([_("Agreement"), _("Project"), _("Parties"), _("Signed at"),
                     _("Value (CNY)")])
        for a in report.agreements:
            rows.append([a.number, a.project, a.parties, a.signed_at.isoformat(),
                         f"{a.value_cny.quantize(CENT)}"])
    return csv_bytes(rows)


def summary_rows(report: RoadshowReport) -> list[tuple[str, str]]:
    """The headline figures as (translated label, value) pairs."""
    return [
        (_("Projects presented"), f"{report.projects_presented} / {report.projects_on_agenda}"),
        (_("Registrations"), str(report.registrations)),
        (_("Check-ins"), str(report.checked_in)),
        (_("Intents"), str(report.intents)),
        (_("Questions"), str(report.questions)),
        (_("Meetings requested"), str(report.meetings_requested)),
        (_("Meetings accepted"), str(report.meetings_accepted)),
        (_("Meetings scheduled"), str(report.meetings_scheduled)),
        (_("Meetings held"), str(report.meetings_held)),
        (_("Match requests created"), str(report.match_requests)),
        (_("Agreements signed"), str(report.agreements_signed)),
        (_("Agreement value (CNY)"), f"{report.agreements_value_cny.quantize(CENT)}"),
    ]


# --- chart -------------------------------------------------------------------------------------

CHART_SERIES = (
    ("intents", "#2f6fb0"),
    ("meetings_requested", "#e39b2d"),
    ("match_requests", "#3a9a5b"),
)
#: The chart shows at most this many projects, the most active first; the table lists all.
CHART_TOP = 10
CHART_BAR_AREA = 330
CHART_WIDTH = CHART_BAR_AREA + 30  # room for the value after the longest bar
CHART_LABEL_CHARS = 28  # a project's title on its own line above its bars, phone-sized
CHART_LABEL_HEIGHT = 15
CHART_BAR_HEIGHT = 8
CHART_BAR_GAP = 2
CHART_ROW_GAP = 8
CHART_TOP_MARGIN = 22


def activity(line: ProjectLine) -> int:
    """What the chart ranks projects by: intents + meetings requested + match requests."""
    return sum(int(getattr(line, key)) for key, _color in CHART_SERIES)


def report_chart(report: RoadshowReport) -> dict[str, Any]:
    """Geometry of a server-side SVG bar chart (no JavaScript, no fetch, so the PDF draws it
    as the page does): the `CHART_TOP` most active projects (by `activity`, then agenda
    order), each its title on a line and below it up to three horizontal bars — intents,
    meetings requested, match requests — scaled to the largest value. Projects without
    activity and zero values get no bar and no label. Narrow (`CHART_WIDTH` units) so it fits
    a phone's width at a readable size. Shape::

        {"width", "height", "max": int, "shown": int, "more": int,
         "legend": [{"label", "color", "x"}],
         "rows": [{"y", "label", "bars": [{"x", "y", "width", "height", "color", "value",
                                           "text_x", "text_y"}]}]}
    """
    names = {
        "intents": _("Intents"),
        "meetings_requested": _("Meetings requested"),
        "match_requests": _("Match requests"),
    }
    active = sorted((p for p in report.projects if activity(p) > 0),
                    key=lambda p: (-activity(p), p.order, p.slot_id))
    shown = active[:CHART_TOP]
    largest = max([int(getattr(p, key)) for p in shown for key, _color in CHART_SERIES] + [1])
    rows = []
    y = CHART_TOP_MARGIN
    for p in shown:
        label = f"{p.order}. {p.title}"
        if len(label) > CHART_LABEL_CHARS:
            label = label[:CHART_LABEL_CHARS - 1] + "…"
        row: dict[str, Any] = {"y": y + CHART_LABEL_HEIGHT - 4, "label": label, "bars": []}
        bar_y = y + CHART_LABEL_HEIGHT
        for key, color in CHART_SERIES:
            value = int(getattr(p, key))
            if value > 0:
                width = round(CHART_BAR_AREA * value / largest, 1)
                row["bars"].append({
                    "x": 0, "y": bar_y, "width": width, "height": CHART_BAR_HEIGHT,
                    "color": color, "value": value, "text_x": width + 3,
                    "text_y": bar_y + CHART_BAR_HEIGHT - 0.5,
                })
                bar_y += CHART_BAR_HEIGHT + CHART_BAR_GAP
        rows.append(row)
        y = bar_y + CHART_ROW_GAP
    legend = [
        {"label": names[key], "color": color, "x": i * 120}
        for i, (key, color) in enumerate(CHART_SERIES)
    ]
    return {
        "width": CHART_WIDTH,
        "height": y,
        "max": largest,
        "shown": len(shown),
        "more": len(report.projects) - len(shown),
        "legend": legend,
        "rows": rows,
    }


def report_context(report: RoadshowReport) -> dict[str, Any]:
    """Template context of the report page and PDF: ``{"report", "summary", "chart"}``."""
    return {"report": report, "summary": summary_rows(report), "chart": report_chart(report)}


def report_pdf(report: RoadshowReport) -> bytes:
    """The report as PDF through the shared locked-down renderer (`kernel.pdf.render`)."""
    from kernel.pdf.render import render_pdf  # WeasyPrint is loaded only when a PDF is asked for

    return render_pdf(template_name="projects/pdf/report.html", context=report_context(report))


__all__ = [
    "activity",
    "report_chart",
    "report_context",
    "report_csv",
    "report_pdf",
    "summary_rows",
]
