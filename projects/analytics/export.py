"""The deal funnel's figures as table rows, CSV and XLSX, and the data of its two charts (the
figures come from `projects.analytics.selectors.deal_funnel`; the page, the exports and the API
show the same ones). Labels are in the active language; rates are percentages with one
decimal, medians days with one decimal, money Decimal CNY with 2 places."""

from __future__ import annotations

import io
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kernel.local_time import BEIJING
from kernel.money import CENT
from kernel.spreadsheets import csv_bytes, spreadsheet_text
from kernel.templatetags.keqiao import cny
from projects.analytics.selectors import DealFunnel

#: The XLSX number format of rates (0.75 shows as 75.0%).
PERCENT_FORMAT = "0.0%"

STAGE_LABELS: dict[str, Promise] = {
    "listing": gettext_lazy("Listings published"),
    "match_request": gettext_lazy("Match requests"),
    "accepted": gettext_lazy("Accepted"),
    "meeting": gettext_lazy("1:1 meeting"),
    "drafted": gettext_lazy("Agreement drafted"),
    "signed": gettext_lazy("Signed"),
}


def percent_text(rate: float | None) -> str:
    """0.5 -> "50.0%"; None (nothing to divide by) -> "–"."""
    return "–" if rate is None else f"{rate * 100:.1f}%"


def days_text(days: float | None) -> str:
    return "–" if days is None else f"{days:.1f}"


def stage_rows(funnel: DealFunnel) -> list[list[str]]:
    """One row per stage: stage, count, converted to the next stage, conversion rate - the
    page's table and the exports alike. Around the optional 1:1 meeting the stage before it
    converts to the next stage of the main chain (accepted -> agreement drafted), and the
    meeting is a row "of which with a 1:1 meeting" with no rate into the next stage, so a deal
    without a meeting never reads as lost (the API also gives the rates into the meeting)."""
    rows = []
    for stage in funnel.stages:
        label, converted, rate = str(STAGE_LABELS[stage.key]), "", ""
        if stage.optional:
            label = str(_("of which with a 1:1 meeting (optional)"))
        elif stage.converted_main is not None:
            converted, rate = str(stage.converted_main), percent_text(stage.rate_to_main)
        elif stage.key != "signed":
            converted, rate = str(stage.converted), percent_text(stage.rate_to_next)
        rows.append([label, str(stage.count), converted, rate])
    return rows


def stage_display_rows(funnel: DealFunnel) -> list[dict[str, Any]]:
    """`stage_rows` for the page's table, each row marked when its stage is optional."""
    return [{"cells": row, "optional": stage.optional}
            for stage, row in zip(funnel.stages, stage_rows(funnel), strict=True)]


def median_rows(funnel: DealFunnel) -> list[list[str]]:
    """One row per interval: from, to, median days, number of deals measured."""
    return [[str(STAGE_LABELS[m.from_stage]), str(STAGE_LABELS[m.to_stage]),
             days_text(m.median_days), str(m.count)] for m in funnel.medians]


def summary_rows(funnel: DealFunnel) -> list[list[str]]:
    return [
        [_("Overall conversion, listings to signed"), percent_text(funnel.overall_listing_rate)],
        [_("Overall conversion, match requests to signed"),
         percent_text(funnel.overall_deal_rate)],
        [_("Contract value (CNY)"), str(funnel.value_cny.quantize(CENT))],
        [_("Signed agreements without a readable value"), str(funnel.value_missing)],
    ]


def summary_display_rows(funnel: DealFunnel) -> list[list[str]]:
    """`summary_rows` for the page, each row [label, text, machine-readable value or ""]: the
    contract value with thousands separators (¥1,234.00) beside its plain figure."""
    rows = [[label, value, ""] for label, value in summary_rows(funnel)]
    rows[2] = [rows[2][0], cny(funnel.value_cny), rows[2][1]]
    return rows


def stage_header() -> list[str]:
    return [_("Funnel stage"), _("Count"), _("Reached the next stage"),
            _("Conversion to the next stage")]


def median_header() -> list[str]:
    return [_("From stage"), _("To stage"), _("Median days"), _("Deals measured")]


def _blocks(funnel: DealFunnel) -> list[list[list[str]]]:
    return [
        [[_("Filter"), _("Value")], *([k, v] for k, v in funnel.filters.items()),
         [_("Generated at (Beijing time)"),
          funnel.generated_at.astimezone(BEIJING).isoformat(timespec="seconds")]],
        [stage_header(), *stage_rows(funnel)],
        [median_header(), *median_rows(funnel)],
        [[_("Figure"), _("Value")], *summary_rows(funnel)],
    ]


def funnel_csv(funnel: DealFunnel) -> bytes:
    """UTF-8 CSV with a byte-order mark: the filters, the stages, the medians and the totals,
    blocks separated by a blank line."""
    rows: list[list[str]] = []
    for number, block in enumerate(_blocks(funnel)):
        if number:
            rows.append([])
        rows.extend(block)
    return csv_bytes(rows)


def funnel_xlsx(funnel: DealFunnel) -> bytes:
    """An XLSX workbook with the CSV's blocks on one sheet; counts are numbers, rates numbers
    in a percent format (0.75 shown as 75.0%) and the value a number with 2 decimals."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Deal funnel")[:31]
    for number, block in enumerate(_blocks(funnel)):
        if number:
            sheet.append([])
        for index, row in enumerate(block):
            sheet.append([_cell(value) for value in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if index == 0:
                    cell.font = Font(bold=True)
                elif (rate := _percent(value)) is not None:
                    cell.value, cell.number_format = rate, PERCENT_FORMAT
    value_row = sheet.max_row - 1  # the contract value, above the count without a value
    sheet.cell(row=value_row, column=2).number_format = "#,##0.00"
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _percent(value: str) -> float | None:
    """"75.0%" -> 0.75 (the rate, as a number for a spreadsheet); None for other text."""
    number = value.removesuffix("%")
    if number == value or not number.replace(".", "", 1).isdigit():
        return None
    return round(float(number) / 100, 4)


def _cell(value: str) -> Any:
    """Whole numbers and amounts as numbers; other text formula-safe."""
    if value.isdigit():
        return int(value)
    if value.count(".") == 1 and value.replace(".", "", 1).removeprefix("-").isdigit():
        return float(value)
    return spreadsheet_text(value)


def chart_data(funnel: DealFunnel) -> dict[str, Any]:
    """The data of the two charts (`static/projects/funnel.js`): stage labels and counts (the
    optional stage marked), interval labels (two lines each: from, to), median days (None
    where nothing was measured) and whether the medians chart would be empty."""
    days = [m.median_days for m in funnel.medians]
    return {
        "stages": {"labels": [_stage_chart_label(s.key, s.optional) for s in funnel.stages],
                   "counts": [s.count for s in funnel.stages],
                   "optional": [s.optional for s in funnel.stages],
                   "title": _("Deals per stage")},
        # Two lines per label (Chart.js draws a list as lines): readable on a phone.
        "medians": {"labels": [[f"{STAGE_LABELS[m.from_stage]} →",
                                str(STAGE_LABELS[m.to_stage])] for m in funnel.medians],
                    "days": days,
                    # Nothing to draw: every median is 0 days or unmeasured (the page says so).
                    "empty": not any(days),
                    "unit": _(" days"),
                    "title": _("Median days between stages")},
    }


def _stage_chart_label(key: str, optional: bool) -> str:
    label = str(STAGE_LABELS[key])
    return _("%(stage)s (optional)") % {"stage": label} if optional else label


__all__ = ["STAGE_LABELS", "chart_data", "funnel_csv", "funnel_xlsx", "median_header",
           "median_rows", "stage_display_rows", "stage_header", "stage_rows",
           "summary_display_rows", "summary_rows"]
