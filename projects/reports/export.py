"""The outcome report as CSV, as a server-side SVG chart and as PDF (its data is built by
`projects.reports.selectors.roadshow_report`)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from kernel.money import CENT
from kernel.spreadsheets import SafeCsvWriter
from projects.reports.selectors import RoadshowReport

# --- CSV ---------------------------------------------------------------------------------------


def report_csv(report: RoadshowReport) -> bytes:
    """UTF-8 CSV with a byte-order mark: a summary block (metric, value), a blank line, then
    one row per project, then the agreements. Money as plain decimals with 2 places."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow([_("Metric"), _("Value")])
    for label, value in summary_rows(report):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow([_("Order"), _("Project"), _("Presenter"), _("Presented"), _("Intents"),
                     _("Questions"), _("Meetings requested"), _("Meetings held"),
                     _("Match requests"), _("Agreements signed"), _("Agreement value (CNY)")])
    for p in report.projects:
        writer.writerow([p.order, p.title, p.presenter, _("yes") if p.presented else _("no"),
                         p.intents, p.questions, p.meetings_requested, p.meetings_held,
                         p.match_requests, p.agreements_signed,
                         f"{p.agreements_value_cny.quantize(CENT)}"])
    if report.agreements:
        writer.writerow([])
        writer.writerow([_("Agreement"), _("Project"), _("Parties"), _("Signed at"),
                         _("Value (CNY)")])
        for a in report.agreements:
            writer.writerow([a.number, a.project, a.parties, a.signed_at.isoformat(),
                             f"{a.value_cny.quantize(CENT)}"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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
CHART_LABEL_WIDTH = 210
CHART_BAR_AREA = 330
CHART_ROW_HEIGHT = 26
CHART_BAR_HEIGHT = 6


def report_chart(report: RoadshowReport) -> dict[str, Any]:
    """Geometry of a server-side SVG bar chart (no JavaScript, no fetch): per project three
    horizontal bars — intents, meetings requested, match requests — scaled to the largest
    value. Shape::

        {"width", "height", "label_width", "max": int, "legend": [{"label", "color", "x"}],
         "rows": [{"y", "label", "bars": [{"x", "y", "width", "height", "color", "value",
                                           "text_x", "text_y"}]}]}
    """
    names = {
        "intents": _("Intents"),
        "meetings_requested": _("Meetings requested"),
        "match_requests": _("Match requests"),
    }
    largest = max(
        [getattr(p, key) for p in report.projects for key, _color in CHART_SERIES] + [1]
    )
    rows = []
    top = 24
    for index, p in enumerate(report.projects):
        y = top + index * CHART_ROW_HEIGHT
        bars = []
        for n, (key, color) in enumerate(CHART_SERIES):
            value = int(getattr(p, key))
            width = round(CHART_BAR_AREA * value / largest, 1)
            bar_y = y + 3 + n * (CHART_BAR_HEIGHT + 1)
            bars.append({
                "x": CHART_LABEL_WIDTH, "y": bar_y, "width": width, "height": CHART_BAR_HEIGHT,
                "color": color, "value": value, "text_x": CHART_LABEL_WIDTH + width + 3,
                "text_y": bar_y + CHART_BAR_HEIGHT - 0.5,
            })
        label = f"{p.order}. {p.title}"
        if len(label) > 18:
            label = label[:17] + "…"
        rows.append({"y": y + 14, "label": label, "bars": bars})
    legend = [
        {"label": names[key], "color": color, "x": CHART_LABEL_WIDTH + i * 110}
        for i, (key, color) in enumerate(CHART_SERIES)
    ]
    return {
        "width": CHART_LABEL_WIDTH + CHART_BAR_AREA + 40,
        "height": top + max(len(rows), 1) * CHART_ROW_HEIGHT + 8,
        "label_width": CHART_LABEL_WIDTH,
        "max": largest,
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
    "report_chart",
    "report_context",
    "report_csv",
    "report_pdf",
    "summary_rows",
]
