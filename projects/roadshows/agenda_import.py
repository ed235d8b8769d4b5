"""Import a roadshow agenda from an XLSX file (first worksheet), validated row by row,
all-or-nothing, with a row report of `kernel.tabular.RowError`s like the listing import's.

Columns (header row; English or Chinese names, case and spaces ignored):

==================  =========================  ===============================================
column              also accepted              rule
==================  =========================  ===============================================
``order``           序号, 顺序                  whole number ≥ 1, unique in the file; rows are
                                               appended after the existing agenda in this order
``source_id``       id, 编号, 成果编号          id of a published research result or technology
                                               need (e.g. R0011, N0003)
``title``           listing title, 项目名称,    used when ``source_id`` is empty: the exact
                    成果名称, 名称              title of exactly one published listing
``presenter``       presenter organisation,    legal name of an existing organisation;
                    路演单位, 发布单位          default: the listing's owner
``planned_start``   planned start, 计划开始,    date and time (an Excel date-time cell, or text
                    开始时间                    ``YYYY-MM-DD HH:MM``; naive times are in
                                               ``TIME_ZONE``), within the event; optional
``minutes``         时长, 分钟                  whole number 1–480; default 10
==================  =========================  ===============================================

A listing may appear once on an agenda (not twice in the file, not if already on it). When
any row has an error nothing is written and `AgendaImportReport.errors` lists every problem;
otherwise `projects.roadshows.services.roadshow_agenda_import` writes all rows in one transaction.
File problems (not an XLSX, no header, no ``order`` column or neither ``source_id`` nor
``title``, no rows, more than `MAX_ROWS`) are `AgendaImportFileError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from kernel.cells import whole_number
from kernel.tabular import RowError, UnreadableSpreadsheet, is_blank, xlsx_rows
from marketplace.choices import ListingStatus
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from projects.models import Roadshow, RoadshowSlot

MAX_ROWS = 500
MAX_FILE_BYTES = 5 * 1024 * 1024

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "order": ("order", "序号", "顺序"),
    "source_id": ("source_id", "sourceid", "id", "编号", "成果编号", "项目编号"),
    "title": ("title", "listingtitle", "项目名称", "成果名称", "名称"),
    "presenter": ("presenter", "presenterorganisation", "presenterorganization", "路演单位",
                  "发布单位"),
    "planned_start": ("planned_start", "plannedstart", "计划开始", "开始时间"),
    "minutes": ("minutes", "时长", "分钟", "时长(分钟)", "时长（分钟）"),
}


class AgendaImportFileError(Exception):
    """The file as a whole cannot be imported (user-facing, translated message)."""


@dataclass
class AgendaImportReport:
    """What an agenda import did: `rows` read, `created` slots (0 when `errors`), the ids of
    the created slots, and every `RowError` (``record_id`` is the row's source id or title)."""

    rows: int = 0
    created: int = 0
    slot_ids: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors and self.created > 0


@dataclass
class AgendaRow:
    number: int
    order: int
    listing: ResearchResult | TechnologyNeed
    presenter: Organization
    planned_start: datetime | None
    minutes: int


#: The columns of the template (`template_xlsx`), with their rule for the second sheet.
TEMPLATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("order", "序号：1、2、3…（whole number ≥ 1, unique）"),
    ("source_id", "成果或需求编号，如 R0011 / N0003（published listing id）"),
    ("title", "无编号时填项目名称（exact title, when there is no source_id）"),
    ("presenter", "路演单位全称，空则为项目所属单位（legal name; default: the owner）"),
    ("planned_start", "计划开始 YYYY-MM-DD HH:MM，北京时间（optional, Beijing time）"),
    ("minutes", "时长（分钟）1–480，默认 10（default 10）"),
)


def template_xlsx() -> bytes:
    """An empty agenda to fill in: the header row on the first sheet (the one the import
    reads) and what each column takes on a second sheet."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = "agenda"
    sheet.append([name for name, _rule in TEMPLATE_COLUMNS])
    notes = workbook.create_sheet("说明 notes")
    notes.append(["column", "说明 / rule"])
    for name, rule in TEMPLATE_COLUMNS:
        notes.append([name, rule])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _normalise(name: Any) -> str:
    return "".join(str(name or "").split()).lower()


def _columns(header: tuple[Any, ...]) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = lookup.get(_normalise(name))
        if key is None:
            continue
        if key in found:
            raise AgendaImportFileError(_("The column %(name)s appears twice.") % {"name": name})
        found[key] = index
    if "order" not in found or not ({"source_id", "title"} & set(found)):
        raise AgendaImportFileError(
            _("The header must name the columns order and source_id or title.")
        )
    return found


def _data_rows(rows: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The non-blank rows; more than `MAX_ROWS` is a file error."""
    data = []
    for read, row in enumerate(rows, start=1):
        # Blank rows count towards the limit too, so a file of empty rows ends early.
        if read > MAX_ROWS * 10:
            raise AgendaImportFileError(
                _("The file has more than %(max)d rows.") % {"max": MAX_ROWS}
            )
        if all(is_blank(cell) for cell in row):
            continue
        data.append(tuple(row))
        if len(data) > MAX_ROWS:
            raise AgendaImportFileError(
                _("The file has more than %(max)d rows.") % {"max": MAX_ROWS}
            )
    return data


def read_rows(content: bytes) -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """The header columns and the data rows (blank rows skipped) of the first worksheet,
    read by `kernel.tabular.xlsx_rows` (archive safety checks included)."""
    if len(content) > MAX_FILE_BYTES:
        raise AgendaImportFileError(_("The file is larger than 5 MB."))
    try:
        with xlsx_rows(content) as rows:
            header = next(rows, None)
            if header is None:
                raise AgendaImportFileError(_("The file has no header row."))
            columns = _columns(tuple(header))
            data = _data_rows(rows)
    except UnreadableSpreadsheet:
        raise AgendaImportFileError(_("This is not a readable XLSX file.")) from None
    if not data:
        raise AgendaImportFileError(_("The file has no rows."))
    return columns, data


def _cell(row: tuple[Any, ...], columns: dict[str, int], key: str) -> Any:
    index = columns.get(key)
    if index is None or index >= len(row):
        return None
    value = row[index]
    return value.strip() if isinstance(value, str) else value


def _published(model: type[ResearchResult] | type[TechnologyNeed]) -> Any:
    return model.objects.filter(status=ListingStatus.PUBLISHED).select_related("owner")


def _find_listing(source_id: str, title: str) -> tuple[ResearchResult | TechnologyNeed | None, str]:
    """The listing a row names, or None and why."""
    if source_id:
        for model in (ResearchResult, TechnologyNeed):
            found = model.objects.filter(source_id=source_id).select_related("owner").first()
            if found is not None:
                if found.status != ListingStatus.PUBLISHED:
                    return None, _("The listing %(id)s is not published.") % {"id": source_id}
                return found, ""
        return None, _("No listing has the source id %(id)s.") % {"id": source_id}
    matches: list[ResearchResult | TechnologyNeed] = [
        *_published(ResearchResult).filter(title=title)[:2],
        *_published(TechnologyNeed).filter(title=title)[:2],
    ]
    if not matches:
        return None, _("No published listing has this title.")
    if len(matches) > 1:
        return None, _("Several published listings have this title; give the source id.")
    return matches[0], ""


def _planned_start(value: Any, roadshow: Roadshow) -> tuple[datetime | None, str]:
    if value is None or value == "":
        return None, ""
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).replace("/", "-"))
        except ValueError:
            moment = None
    if moment is None:
        return None, _("Enter a date and time as YYYY-MM-DD HH:MM.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if not roadshow.starts_at <= moment < roadshow.ends_at:
        return None, _("The planned start must be during the roadshow.")
    return moment, ""


@dataclass
class _Seen:
    """What earlier rows and the agenda already hold, across the rows of one file."""

    on_agenda: set[tuple[int | None, int | None]]
    orders: dict[int, int] = field(default_factory=dict)
    listings: dict[tuple[str, int], int] = field(default_factory=dict)
    organizations: dict[str, Organization | None] = field(default_factory=dict)


class _Problems:
    """The errors of one row (``record`` is its source id or title)."""

    def __init__(self, number: int, record: str) -> None:
        self.number = number
        self.record = record
        self.errors: list[RowError] = []

    def add(self, column: str, value: Any, message: str) -> None:
        self.errors.append(
            RowError(self.number, self.record, column, "" if value is None else str(value),
                     message)
        )


def _check_order(raw_order: Any, seen: _Seen, problems: _Problems) -> int | None:
    order = whole_number(raw_order)
    if order is None or order < 1:
        problems.add("order", raw_order, _("Enter a whole number of 1 or more."))
    elif order in seen.orders:
        problems.add(
            "order", raw_order,
            _("Row %(row)d has the same order.") % {"row": seen.orders[order]},
        )
    else:
        seen.orders[order] = problems.number
    return order


def _check_listing(
    source_id: str, title: str, seen: _Seen, problems: _Problems
) -> ResearchResult | TechnologyNeed | None:
    record = problems.record
    if not source_id and not title:
        problems.add("source_id", "", _("Give the source id or the title of a listing."))
        return None
    listing, why = _find_listing(source_id, title)
    if listing is None:
        problems.add("source_id" if source_id else "title", record, why)
        return None
    key = ("result" if isinstance(listing, ResearchResult) else "need", listing.pk)
    pair = (listing.pk, None) if key[0] == "result" else (None, listing.pk)
    if pair in seen.on_agenda:
        problems.add("source_id", record, _("This listing is already on the agenda."))
    elif key in seen.listings:
        problems.add(
            "source_id", record,
            _("Row %(row)d names the same listing.") % {"row": seen.listings[key]},
        )
    else:
        seen.listings[key] = problems.number
    return listing


def _check_presenter(
    presenter_name: str,
    listing: ResearchResult | TechnologyNeed | None,
    seen: _Seen,
    problems: _Problems,
) -> Organization | None:
    presenter: Organization | None = listing.owner if listing is not None else None
    if presenter_name:
        if presenter_name not in seen.organizations:
            seen.organizations[presenter_name] = Organization.objects.filter(
                legal_name=presenter_name
            ).first()
        presenter = seen.organizations[presenter_name]
        if presenter is None:
            problems.add("presenter", presenter_name, _("No organisation has this name."))
    return presenter


def _check_row(
    number: int, row: tuple[Any, ...], columns: dict[str, int], roadshow: Roadshow, seen: _Seen
) -> tuple[AgendaRow | None, list[RowError]]:
    """One row: the agenda row it gives, or its errors (in column order)."""
    source_id = str(_cell(row, columns, "source_id") or "")
    title = str(_cell(row, columns, "title") or "")
    problems = _Problems(number, source_id or title)
    order = _check_order(_cell(row, columns, "order"), seen, problems)
    listing = _check_listing(source_id, title, seen, problems)
    presenter = _check_presenter(
        str(_cell(row, columns, "presenter") or ""), listing, seen, problems
    )
    start, why = _planned_start(_cell(row, columns, "planned_start"), roadshow)
    if why:
        problems.add("planned_start", _cell(row, columns, "planned_start"), why)
    raw_minutes = _cell(row, columns, "minutes")
    minutes = 10 if raw_minutes in (None, "") else whole_number(raw_minutes)
    if minutes is None or not 1 <= minutes <= 480:
        problems.add("minutes", raw_minutes, _("Enter a whole number of minutes from 1 to 480."))
    if problems.errors:
        return None, problems.errors
    if listing is not None and presenter is not None and order and minutes:
        return AgendaRow(number, order, listing, presenter, start, minutes), []
    return None, []


def validate_rows(
    *, roadshow: Roadshow, columns: dict[str, int], data: list[tuple[Any, ...]]
) -> tuple[list[AgendaRow], list[RowError]]:
    """Check every row; returns the valid rows and every error."""
    errors: list[RowError] = []
    valid: list[AgendaRow] = []
    seen = _Seen(
        on_agenda=set(
            RoadshowSlot.objects.filter(roadshow=roadshow).values_list(
                "research_result_id", "technology_need_id"
            )
        )
    )
    for number, row in enumerate(data, start=1):
        agenda_row, row_errors = _check_row(number, row, columns, roadshow, seen)
        errors.extend(row_errors)
        if agenda_row is not None:
            valid.append(agenda_row)
    return valid, errors
