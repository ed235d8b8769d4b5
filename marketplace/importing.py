"""Import research results and technology needs from JSON, CSV or XLSX files.

Used by ``manage.py import_listings`` (and usable from code and tests). One job: read a file,
validate every row, then write the valid rows in one transaction.

Formats
-------
* JSON: a list of records as in ``data/results.json`` / ``data/needs.json``. Nested objects are
  flattened to dotted columns (``{"region": {"city": "衡水"}}`` -> ``region.city``).
* CSV (UTF-8, with or without BOM; GB18030 is accepted as a fallback because Excel on Chinese
  Windows saves "CSV" in that encoding) and XLSX (first worksheet): a header row with the same key
  names, nested values flattened (``region.province``, ``region.city``, ``budget_cny.min``,
  ``budget_cny.max``). List values (keywords, ipc, transfer_modes, cooperation_modes) are
  separated by ``;`` ``；`` ``,`` ``，`` or ``、``.

A file must hold at least one record (an empty list or a header without rows is a file error,
so an empty export never "succeeds" silently). A CSV/XLSX header may not name a column twice,
and a row may not have values in cells without a column name (row error). JSON may nest objects
at most ``MAX_JSON_DEPTH`` levels (deeper files are a file error, deeper records a row error).

The kind (``result`` or ``need``) is detected from the columns: ``summary``/``owner_org`` mean
research results, ``description``/``enterprise`` mean technology needs; pass ``kind`` to force it.
Unknown columns are ignored and listed in :attr:`ImportReport.ignored_columns`.

Rules (each row, each column; every problem is reported, not just the first)
---------------------------------------------------------------------------
* ``id`` (-> ``source_id``), ``title`` and the organisation name (``owner_org`` / ``enterprise``)
  are required; an id may appear only once per file.
* ``field``, ``stage``, ``ip_type`` and the modes are given as codes, Chinese words (新能源, 中试,
  发明专利, 合作开发) or English labels (:func:`marketplace.choices.choice_from_label`); unknown
  values are errors.
* Text: control characters (NUL etc.) and lone surrogates (broken UTF-16, e.g. ``"\ud800"``
  in JSON) are row errors in every column. Tabs and line breaks are kept in the long texts
  (``summary``, ``description``) and turned into single spaces in one-line columns.
* ``trl``: a whole number 1-9 (GB/T 22900-2022). Money (``asking_price_cny``,
  ``budget_cny.min``/``max``): CNY >= 0, 2 places, below 10^12 (``MAX_AMOUNT_CNY``, what the
  database column holds); ``500000``, ``1,000,000``, ``50万`` and ``1.2亿`` are understood;
  ``1e300``, infinities and NaN are row errors; the minimum budget must not exceed the maximum.
* ``ipc``: normalised with :func:`~marketplace.validators.normalize_ipc_symbol` (spaces dropped,
  upper-cased first); ``patent_no`` is stored in its canonical form
  (:func:`~marketplace.patent_numbers.canonical_patent_number`): the usual forms are
  understood (``ZL``/``CN`` before an application number, spaces, full-width characters, a
  missing check character, which is then computed), anything else is a row error saying what
  is wrong (CNIPA ZC 0006-2003 / ZC 0007-2012).
* ``source_date``: ``YYYY-MM`` or ``YYYY-MM-DD``; ``deadline``: an ISO date ``YYYY-MM-DD``.
* ``region.province`` / ``region.city``: names; ``region_code`` (GB/T 2260) is derived with
  :func:`~marketplace.validators.city_code_for` / :func:`~marketplace.validators.province_code_for`.
  A name without a code is not an error (the code stays blank).
* Then the model's own validators run (``full_clean`` without the owner, which does not exist yet).

Writing
-------
Nothing is written when a row is invalid, unless ``skip_invalid``; then the valid rows are written
and the invalid ones reported. The write is one ``transaction.atomic``. Listings are matched by
``source_id`` (re-imports update, never duplicate). Organisations are ``get_or_create``-d by
``legal_name``; their kind is guessed from the name (:func:`guess_organization_kind`).

An import never changes a listing's owner: a row whose id is already used by a listing of
another organisation (by legal name) is a row error ("source id R0001 belongs to A; the import
names B"), because moving it would hand A's confidential details to B.

Status: new listings get ``status``: published (the importing broker vouches for them) or
draft. On re-import, ``status="published"`` publishes the existing listings too (keeping their
first ``published_at``), while ``status="draft"`` applies to new listings only: existing
listings keep their status and dates, so a draft re-import never unpublishes anything.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from marketplace.choices import (
    ZH_ALIASES,
    Field,
    IpType,
    ListingStatus,
    OrganizationKind,
    Stage,
    TransferMode,
    choice_from_label,
)
from marketplace.models import Listing, Organization, ResearchResult, TechnologyNeed
from marketplace.patent_numbers import canonical_patent_number
from marketplace.spreadsheets import XLSX_READ_ERRORS, check_xlsx_archive
from marketplace.validators import (
    city_code_for,
    normalize_ipc_symbol,
    province_code_for,
    validate_trl,
)

__all__ = [
    "KIND_NEED",
    "KIND_RESULT",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "format_error_table",
    "guess_organization_kind",
    "import_listings",
]

KIND_RESULT = "result"
KIND_NEED = "need"
KINDS = (KIND_RESULT, KIND_NEED)
IMPORT_STATUSES = (ListingStatus.DRAFT.value, ListingStatus.PUBLISHED.value)

_LIST_SEPARATORS = re.compile(r"[;；,，、]")
_SOURCE_DATE_RE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CENT = Decimal("0.01")
MAX_AMOUNT_CNY = Decimal(10) ** 12  # amounts must be below this (DecimalField max_digits=14)
MAX_JSON_DEPTH = 10  # nesting levels of objects inside one record
# Control characters (C0 without tab/LF/CR, DEL, C1) and lone surrogates: never valid in text.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_UNPRINTABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


# --------------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be imported: missing, unreadable, unknown format, malformed
    or too deeply nested JSON, no header, a column named twice, no rows, or kind not
    detectable. The message is user-facing (translated)."""


@dataclass(frozen=True)
class RowError:
    """One problem in one cell.

    ``row`` is the 1-based data row (the line after the header is row 1; for JSON the 1-based
    index of the record in the list); ``record_id`` is the row's ``id`` (may be empty);
    ``column`` the source column (``""`` for problems of the whole row); ``value`` the cell as
    text; ``message`` a translated explanation.
    """

    row: int
    record_id: str
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    """What an import did. ``imported`` is False when nothing was written because of invalid
    rows (then ``created == updated == 0``). ``skipped`` counts invalid rows left out with
    ``skip_invalid``."""

    kind: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> int:
        """Number of distinct rows with at least one error."""
        return len({error.row for error in self.errors})


# --------------------------------------------------------------------------------------------
# Organisation kind
# --------------------------------------------------------------------------------------------

_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("研究总院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究所", OrganizationKind.RESEARCH_INSTITUTE),
    ("科学院", OrganizationKind.RESEARCH_INSTITUTE),
    ("研究中心", OrganizationKind.RESEARCH_INSTITUTE),
    ("大学", OrganizationKind.UNIVERSITY),
    ("学院", OrganizationKind.UNIVERSITY),
    ("公司", OrganizationKind.ENTERPRISE),
    ("集团", OrganizationKind.ENTERPRISE),
    ("厂", OrganizationKind.ENTERPRISE),
    ("协会", OrganizationKind.ASSOCIATION),
    ("联盟", OrganizationKind.ASSOCIATION),
)
_TRAILING_NOTE_RE = re.compile(r"[（(][^（）()]*[）)]\s*$")


def guess_organization_kind(name: str, *, listing_kind: str) -> str:
    """Guess an :class:`~marketplace.choices.OrganizationKind` code from a Chinese legal name.

    A trailing note in brackets is ignored (``天津膜天膜科技股份有限公司（津膜科技）``). The
    kind word that ends *last* in the name decides, because a Chinese legal name ends in what
    the body is: ``中国科学院大连化学物理研究所`` -> research institute (研究所 after 科学院),
    ``中国石油化工股份有限公司石油化工科学研究院`` -> research institute,
    ``北京机科国创轻量化科学研究院有限公司`` -> enterprise. Words: 大学/学院 university;
    研究院/研究所/科学院/研究总院, or 中心 in a name containing 研究, research institute;
    公司/集团/厂 enterprise; 协会/联盟 association. Without any: ``enterprise`` for needs,
    ``research_institute`` for results.
    """
    core = _TRAILING_NOTE_RE.sub("", name).strip() or name
    best: tuple[int, int, str] | None = None  # (end position, word length, kind)
    words = list(_KIND_WORDS)
    if "研究" in core:
        words.append(("中心", OrganizationKind.RESEARCH_INSTITUTE))
    for word, kind in words:
        position = core.rfind(word)
        if position < 0:
            continue
        candidate = (position + len(word), len(word), str(kind))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is not None:
        return best[2]
    if listing_kind == KIND_NEED:
        return OrganizationKind.ENTERPRISE.value
    return OrganizationKind.RESEARCH_INSTITUTE.value


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass
class _SourceRow:
    number: int  # 1-based data row
    values: dict[str, Any]
    problem: str = ""  # set when the record is not an object (JSON)


class _TooDeep(Exception):
    pass


def _flatten(record: dict[str, Any], prefix: str = "", depth: int = 1) -> dict[str, Any]:
    """Nested objects -> dotted keys; raises `_TooDeep` beyond `MAX_JSON_DEPTH` levels."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{_printable(str(key).strip())}"
        if isinstance(value, dict):
            flat.update(_flatten(value, prefix=f"{name}.", depth=depth + 1))
        else:
            flat[name] = value
    return flat


def _printable(text: str) -> str:
    """`text` with control characters and lone surrogates escaped (``\\x00``, ``\\ud800``),
    safe to print and to write to any terminal or database."""
    return _UNPRINTABLE_RE.sub(
        lambda match: match.group().encode("unicode_escape").decode("ascii"), text
    )


def _read_json(path: Path) -> tuple[list[str], list[_SourceRow]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            _("Malformed JSON in %(file)s at line %(line)d, column %(column)d: %(error)s.")
            % {"file": path.name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    except UnicodeDecodeError:
        raise ImportFileError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from None
    except RecursionError:
        raise ImportFileError(
            _("%(file)s is nested too deeply to be a list of records.") % {"file": path.name}
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None
    if not isinstance(data, list):
        raise ImportFileError(
            _("%(file)s must contain a JSON list of records.") % {"file": path.name}
        )
    columns: dict[str, None] = {}
    rows: list[_SourceRow] = []
    for index, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            rows.append(_SourceRow(index, {}, problem=_("Each record must be a JSON object.")))
            continue
        try:
            flat = _flatten(record)
        except _TooDeep:
            rows.append(
                _SourceRow(
                    index,
                    {},
                    problem=_("The record nests objects more than %(depth)d levels deep.")
                    % {"depth": MAX_JSON_DEPTH},
                )
            )
            continue
        columns.update(dict.fromkeys(flat))
        rows.append(_SourceRow(index, flat))
    return list(columns), rows


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table_rows(header: list[Any], body: Iterable[Iterable[Any]]) -> list[_SourceRow]:
    """Data rows as {column: cell}; blank lines are skipped. Values in cells without a column
    name (beyond the header, or under a blank header cell) make the row an error."""
    names = ["" if cell is None else str(cell).strip() for cell in header]
    rows: list[_SourceRow] = []
    for number, cells in enumerate(body, start=1):
        cells = list(cells)
        values = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        unnamed = sum(
            1
            for index, cell in enumerate(cells)
            if not _blank(cell) and (index >= len(names) or not names[index])
        )
        if unnamed:
            problem = _(
                "The row has values in %(count)d cell(s) that have no column name in the header."
            ) % {"count": unnamed}
            rows.append(_SourceRow(number, values, problem=problem))
            continue
        if all(_blank(v) for v in values.values()):
            continue  # blank line
        rows.append(_SourceRow(number, values))
    return rows


def _header_columns(header: list[Any], path: Path) -> list[str]:
    """The column names of a header row; a name given twice is an `ImportFileError`."""
    names = [str(cell).strip() for cell in header if cell is not None and str(cell).strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ImportFileError(
                _("%(file)s has the column %(column)s more than once.")
                % {"file": path.name, "column": _printable(name)}
            )
        seen.add(name)
    return names


def _read_csv(path: Path) -> tuple[list[str], list[_SourceRow]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportFileError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(_("%(file)s has no header row.") % {"file": path.name}) from None
    except csv.Error as exc:
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None
    try:
        body = list(reader)
    except csv.Error as exc:
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None
    return _header_columns(header, path), _table_rows(header, body)


def _read_xlsx(path: Path) -> tuple[list[str], list[_SourceRow]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_xlsx_archive(path)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, *XLSX_READ_ERRORS) as exc:
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = next(cells, None)
        if header is None or not _header_columns(list(header), path):
            raise ImportFileError(_("%(file)s has no header row.") % {"file": path.name})
        return _header_columns(list(header), path), _table_rows(list(header), cells)
    except XLSX_READ_ERRORS as exc:  # a malformed sheet or a cell openpyxl cannot convert
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None
    finally:
        workbook.close()


_READERS: dict[str, Callable[[Path], tuple[list[str], list[_SourceRow]]]] = {
    ".json": _read_json,
    ".csv": _read_csv,
    ".xlsx": _read_xlsx,
}


def _read(path: Path) -> tuple[list[str], list[_SourceRow]]:
    if not path.is_file():
        raise ImportFileError(_("File not found: %(path)s.") % {"path": path})
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFileError(
            _("Unknown file format %(suffix)s: use .json, .csv or .xlsx.")
            % {"suffix": path.suffix or path.name}
        )
    try:
        columns, rows = reader(path)
    except PermissionError as exc:
        raise ImportFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc.strerror}
        ) from None
    if not rows:
        raise ImportFileError(_("%(file)s has no rows to import.") % {"file": path.name})
    return columns, rows


def _detect_kind(columns: Iterable[str]) -> str:
    names = set(columns)
    is_result = bool(names & {"summary", "owner_org"})
    is_need = bool(names & {"description", "enterprise"})
    if is_result and not is_need:
        return KIND_RESULT
    if is_need and not is_result:
        return KIND_NEED
    raise ImportFileError(
        _(
            "Cannot tell whether the file holds research results or technology needs; "
            "use --kind result or --kind need."
        )
    )


# --------------------------------------------------------------------------------------------
# Cell parsers: raw cell -> value for the model, or ValidationError
# --------------------------------------------------------------------------------------------


def _invalid(message: str, **params: Any) -> ValidationError:
    return ValidationError(message % params if params else message)


def _text(value: Any) -> str:
    """A cell as text (stripped). Control characters other than tab and line breaks, and lone
    surrogates, are errors; numbers and dates become their usual text."""
    if value is None:
        return ""
    if isinstance(value, str):
        if _SURROGATE_RE.search(value):
            raise _invalid(
                _("The text contains an invalid character (a lone UTF-16 surrogate).")
            )
        if _CONTROL_RE.search(value):
            raise _invalid(_("Control characters are not allowed in text."))
        return value.strip()
    if isinstance(value, bool):
        raise _invalid(_("Expected text, not %(value)s."), value=value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise _invalid(_("Expected text, not a list or object."))


def _items(value: Any) -> list[str]:
    """A list cell: a JSON list, or text split on ; ； , ， 、 (empty items dropped)."""
    if value is None:
        return []
    parts = (
        [_text(item) for item in value]
        if isinstance(value, list)
        else (_LIST_SEPARATORS.split(_text(value)))
    )
    unique: dict[str, None] = {}
    for part in parts:
        part = " ".join(part.split())
        if part:
            unique.setdefault(part)
    return list(unique)


def _line(value: Any) -> str:
    """One-line text: like `_text`, with runs of whitespace (tabs, line breaks) as one space."""
    return " ".join(_text(value).split())


def _required_text(value: Any) -> str:
    text = _text(value)
    if not text:
        raise _invalid(_("This column is required."))
    return " ".join(text.split())


def _choices_hint(choices: type[models.TextChoices]) -> str:
    words = list(ZH_ALIASES.get(choices, {}))
    return "、".join(words) if words else ", ".join(choices.values)


def _choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if not text:
            return ""
        code = choice_from_label(choices, text)
        if code is None:
            raise _invalid(
                _("Unknown value %(value)s; use one of: %(choices)s."),
                value=text,
                choices=_choices_hint(choices),
            )
        return code

    return parse


def _modes(value: Any) -> list[str]:
    codes: dict[str, None] = {}
    unknown: list[str] = []
    for item in _items(value):
        code = choice_from_label(TransferMode, item)
        if code is None:
            unknown.append(item)
        else:
            codes.setdefault(code)
    if unknown:
        raise _invalid(
            _("Unknown value %(value)s; use one of: %(choices)s."),
            value="、".join(unknown),
            choices=_choices_hint(TransferMode),
        )
    return list(codes)


def _ipc(value: Any) -> list[str]:
    symbols: dict[str, None] = {}
    messages: list[str] = []
    for item in _items(value):
        try:
            symbols.setdefault(normalize_ipc_symbol("".join(item.split()).upper()))
        except ValidationError as exc:
            messages.extend(exc.messages)
    if messages:
        raise ValidationError(messages)
    return list(symbols)


def _trl(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: Any = value
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
            small = parsed.is_finite() and parsed.adjusted() < 4
            number = int(parsed) if small and parsed == int(parsed) else value
        except InvalidOperation:
            number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    validate_trl(number)
    return int(number)


_MONEY_UNITS = (("亿", Decimal(100_000_000)), ("万", Decimal(10_000)))


def _money(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise _invalid(_("Enter an amount in CNY, e.g. 500000 or 50万."))
    if isinstance(value, float):
        value = str(value)
    text = _text(value)
    for noise in (" ", ",", "，", "元", "¥", "￥", "人民币", "RMB", "CNY"):
        text = text.replace(noise, "")
    if not text:
        return None
    factor = Decimal(1)
    for unit, unit_factor in _MONEY_UNITS:
        if text.endswith(unit):
            text, factor = text[: -len(unit)], unit_factor
            break
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _invalid(_("Enter an amount in CNY, e.g. 500000 or 50万.")) from None
    if amount.is_nan():
        raise _invalid(_("Enter an amount in CNY, e.g. 500000 or 50万."))
    if amount < 0:
        raise _invalid(_("Amounts cannot be negative."))
    too_large = _invalid(
        _("The amount is too large: it must be below %(max)s CNY."), max="1,000,000,000,000"
    )
    # Check the size before any arithmetic: 1e400 or Infinity would overflow the context.
    if amount.is_infinite() or (amount and amount.adjusted() >= 12):
        raise too_large
    amount = (amount * factor).quantize(_CENT, rounding=ROUND_HALF_UP)
    if amount >= MAX_AMOUNT_CNY:
        raise too_large
    return amount


def _patent(value: Any) -> str:
    text = _text(value)
    return canonical_patent_number(text, complete_check=True) if text else ""


def _source_date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return _text(value)
    text = _text(value)
    if not text:
        return ""
    match = _SOURCE_DATE_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        datetime.date(int(match["year"]), int(match["month"]), int(match["day"] or 1))
    except ValueError:
        raise _invalid(_("Enter a date as YYYY-MM or YYYY-MM-DD.")) from None
    return text


def _deadline(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        if not _ISO_DATE_RE.fullmatch(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _invalid(_("Enter a date as YYYY-MM-DD.")) from None


# --------------------------------------------------------------------------------------------
# Kinds: which column feeds which model field
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    name: str  # source column
    model_field: str  # "" for columns that do not map to one listing field
    parse: Callable[[Any], Any]


_COMMON_COLUMNS = (
    _Column("title", "title", _required_text),
    _Column("title_en", "title_en", _line),
    _Column("field", "field", _choice(Field)),
    _Column("keywords", "keywords", _items),
    _Column("region.province", "province", _line),
    _Column("region.city", "city", _line),
    _Column("trl", "trl", _trl),
    _Column("source_url", "source_url", _line),
    _Column("source_date", "source_date", _source_date),
)


@dataclass(frozen=True)
class _KindSpec:
    kind: str
    model: type[Listing]
    owner_column: str
    columns: tuple[_Column, ...]


_SPECS = {
    KIND_RESULT: _KindSpec(
        kind=KIND_RESULT,
        model=ResearchResult,
        owner_column="owner_org",
        columns=(
            *_COMMON_COLUMNS,
            _Column("summary", "summary", _text),
            _Column("ipc", "ipc", _ipc),
            _Column("stage", "stage", _choice(Stage)),
            _Column("ip_type", "ip_type", _choice(IpType)),
            _Column("patent_no", "patent_no", _patent),
            _Column("transfer_modes", "transfer_modes", _modes),
            _Column("asking_price_cny", "asking_price_cny", _money),
        ),
    ),
    KIND_NEED: _KindSpec(
        kind=KIND_NEED,
        model=TechnologyNeed,
        owner_column="enterprise",
        columns=(
            *_COMMON_COLUMNS,
            _Column("description", "description", _text),
            _Column("ipc", "ipc", _ipc),
            _Column("cooperation_modes", "cooperation_modes", _modes),
            _Column("budget_cny.min", "budget_min_cny", _money),
            _Column("budget_cny.max", "budget_max_cny", _money),
            _Column("deadline", "deadline", _deadline),
        ),
    ),
}


def _known_columns(spec: _KindSpec) -> set[str]:
    return {"id", spec.owner_column, *(column.name for column in spec.columns)}


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@dataclass
class _ValidRow:
    number: int
    source_id: str
    fields: dict[str, Any]
    owner_name: str
    owner_kind: str


def _display(value: Any, depth: int = 0) -> str:
    """A cell as printable text for the report (nesting cut off, unprintables escaped)."""
    if value is None:
        return ""
    if isinstance(value, list | dict) and depth >= 3:
        return "…"
    if isinstance(value, list):
        return "; ".join(_display(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return "{" + ", ".join(
            f"{_printable(str(key))}: {_display(item, depth + 1)}" for key, item in value.items()
        ) + "}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _printable(repr(value)) if isinstance(value, float) else _int_text(value)
    return _printable(str(value))


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than Python converts to text
        return _("(a number with too many digits)")


def _validate_row(
    spec: _KindSpec, source: _SourceRow, seen_ids: dict[str, int]
) -> tuple[_ValidRow | None, list[RowError]]:
    values = source.values
    record_id = _display(values.get("id")).strip()
    errors: list[RowError] = []

    def fail(column: str, exc: ValidationError) -> None:
        for message in exc.messages:
            errors.append(
                RowError(source.number, record_id, column, _display(values.get(column)), message)
            )

    if source.problem:
        errors.append(RowError(source.number, record_id, "", "", source.problem))
        return None, errors

    source_id = ""
    try:
        source_id = _required_text(values.get("id"))
    except ValidationError as exc:
        fail("id", exc)
    if source_id:
        if source_id in seen_ids:
            fail(
                "id",
                _invalid(_("Duplicate id: row %(row)d has the same id."), row=seen_ids[source_id]),
            )
        else:
            seen_ids[source_id] = source.number

    owner_name = ""
    try:
        owner_name = _required_text(values.get(spec.owner_column))
    except ValidationError as exc:
        fail(spec.owner_column, exc)

    parsed: dict[str, Any] = {}
    failed_fields: set[str] = set()
    for column in spec.columns:
        try:
            parsed[column.model_field] = column.parse(values.get(column.name))
        except ValidationError as exc:
            fail(column.name, exc)
            failed_fields.add(column.model_field)

    province, city = parsed.get("province", ""), parsed.get("city", "")
    region_code = ""
    if province:
        region_code = (city and city_code_for(province, city)) or province_code_for(province) or ""
    parsed["region_code"] = region_code
    if source_id:
        parsed["source_id"] = source_id

    # The model's own validators, on the fields the import rules did not already reject.
    listing = spec.model(**parsed)
    column_for = {column.model_field: column.name for column in spec.columns}
    column_for.update({"source_id": "id", "region_code": "region.province"})
    try:
        listing.full_clean(
            exclude=["owner", *failed_fields],
            validate_unique=False,
        )
    except ValidationError as exc:
        for model_field, messages in exc.message_dict.items():
            name = "" if model_field == NON_FIELD_ERRORS else column_for.get(model_field, "")
            for message in messages:
                errors.append(
                    RowError(source.number, record_id, name, _display(values.get(name)), message)
                )

    owner_kind = guess_organization_kind(owner_name, listing_kind=spec.kind)
    if owner_name:
        organization = Organization(legal_name=owner_name, kind=owner_kind)
        try:
            organization.clean_fields(
                exclude=[f.name for f in Organization._meta.get_fields() if f.name != "legal_name"]
            )
        except ValidationError as exc:
            fail(spec.owner_column, ValidationError(exc.messages))

    if errors:
        return None, errors
    return _ValidRow(source.number, source_id, parsed, owner_name, owner_kind), []


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


def _progress(iterable: Iterable[Any], *, enabled: bool, total: int, desc: str) -> Iterator[Any]:
    disable = not enabled or not sys.stderr.isatty()
    yield from tqdm(iterable, total=total, desc=desc, file=sys.stderr, disable=disable, leave=False)


def import_listings(
    *,
    path: Path,
    kind: str | None = None,
    status: str = ListingStatus.PUBLISHED,
    skip_invalid: bool = False,
    actor: Any = None,
    progress: bool = False,
) -> ImportReport:
    """Validate every row of `path`, then create or update the listings in one transaction.

    `kind` is ``"result"`` or ``"need"`` (None: detect from the columns). `status` is
    ``"published"`` (new and existing listings are published: published_at and renewed_at set
    to now, published_at kept if the listing was already published) or ``"draft"`` (new
    listings are drafts; existing listings keep their status and dates). A row whose id belongs
    to a listing of another organisation is a row error: the import never changes an owner.
    `actor` (a User or None) becomes ``created_by`` of new listings and ``reviewed_by`` of
    published ones. `progress` shows a tqdm bar on stderr when stderr is a terminal.

    Row problems never raise: they are in ``report.errors`` and, without `skip_invalid`,
    nothing is written (``report.imported`` is False). Raises :class:`ImportFileError` when
    the file cannot be read at all, and ``ValueError`` for a bad `kind` or `status`.
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if status not in IMPORT_STATUSES:
        raise ValueError(f"status must be one of {IMPORT_STATUSES}, not {status!r}")
    path = Path(path)
    columns, rows = _read(path)
    spec = _SPECS[kind or _detect_kind(columns)]
    report = ImportReport(
        kind=spec.kind,
        ignored_columns=[
            _printable(name) for name in columns if name not in _known_columns(spec)
        ],
    )

    valid: list[_ValidRow] = []
    seen_ids: dict[str, int] = {}
    for source in _progress(rows, enabled=progress, total=len(rows), desc="validating"):
        row, errors = _validate_row(spec, source, seen_ids)
        report.errors.extend(errors)
        if row is not None:
            valid.append(row)

    owner_errors = _owner_conflicts(spec, valid)
    if owner_errors:
        report.errors.extend(owner_errors)
        report.errors.sort(key=lambda error: error.row)
        conflicting = {error.row for error in owner_errors}
        valid = [row for row in valid if row.number not in conflicting]

    if report.errors and not skip_invalid:
        return report
    report.skipped = report.invalid_rows
    _write(spec, valid, report, status=status, actor=actor, progress=progress)
    report.imported = True
    return report


def _owner_conflicts(spec: _KindSpec, rows: list[_ValidRow]) -> list[RowError]:
    """Row errors for rows whose source id is already used by a listing of another
    organisation (compared by legal name, as organisations are matched on import)."""
    owners: dict[str, str] = {}
    source_ids = [row.source_id for row in rows]
    manager = spec.model._default_manager
    for start in range(0, len(source_ids), 500):  # stay below SQLite's variable limit
        pairs = manager.filter(source_id__in=source_ids[start : start + 500]).values_list(
            "source_id", "owner__legal_name"
        )
        owners.update((str(source_id), str(name)) for source_id, name in pairs)
    errors: list[RowError] = []
    for row in rows:
        current = owners.get(row.source_id)
        if current is not None and current != row.owner_name:
            errors.append(
                RowError(
                    row.number,
                    row.source_id,
                    spec.owner_column,
                    row.owner_name,
                    _(
                        "Source id %(id)s belongs to %(owner)s; the import names %(other)s. "
                        "An import never changes a listing's owner."
                    )
                    % {"id": row.source_id, "owner": current, "other": row.owner_name},
                )
            )
    return errors


def _write(
    spec: _KindSpec,
    rows: list[_ValidRow],
    report: ImportReport,
    *,
    status: str,
    actor: Any,
    progress: bool,
) -> None:
    now = timezone.now()
    manager = spec.model._default_manager
    with transaction.atomic():
        already_published = dict(
            manager.filter(
                source_id__in=[row.source_id for row in rows],
                status=ListingStatus.PUBLISHED,
                published_at__isnull=False,
            ).values_list("source_id", "published_at")
        )
        organizations: dict[str, Organization] = {}
        for row in _progress(rows, enabled=progress, total=len(rows), desc="importing"):
            organization = organizations.get(row.owner_name)
            if organization is None:
                organization, _created = Organization.objects.get_or_create(
                    legal_name=row.owner_name,
                    defaults={
                        "kind": row.owner_kind,
                        "province": row.fields.get("province", ""),
                        "city": row.fields.get("city", ""),
                        "region_code": row.fields.get("region_code", ""),
                    },
                )
                organizations[row.owner_name] = organization
            # Existing listings: content only (never the owner; the status only to publish).
            defaults: dict[str, Any] = dict(row.fields)
            if status == ListingStatus.PUBLISHED:
                defaults.update(
                    status=status,
                    published_at=already_published.get(row.source_id, now),
                    renewed_at=now,
                    rejection_reason="",
                )
                if actor is not None:
                    defaults.update(reviewed_by=actor, reviewed_at=now)
            create_defaults = {
                **defaults,
                "owner": organization,
                "status": status,
                "created_by": actor,
            }
            _listing, created = manager.update_or_create(
                source_id=row.source_id, defaults=defaults, create_defaults=create_defaults
            )
            if created:
                report.created += 1
            else:
                report.updated += 1


# --------------------------------------------------------------------------------------------
# Report table
# --------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if _width(text) <= limit:
        return text
    clipped = ""
    for char in text:
        if _width(clipped + char) > limit - 1:
            break
        clipped += char
    return clipped + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_error_table(errors: list[RowError], *, value_width: int = 30) -> str:
    """Render row errors as a plain-text table (row, id, column, value, message), aligned for
    terminals that show CJK characters two columns wide. Long values are clipped."""
    header = [_("Row"), _("ID"), _("Column"), _("Value"), _("Message")]
    lines = [
        [str(e.row), e.record_id, e.column or "-", _clip(e.value, value_width), e.message]
        for e in errors
    ]
    widths = [max(_width(cells[i]) for cells in [header, *lines]) for i in range(4)]
    rendered = []
    for cells in [header, *lines]:
        rendered.append(
            "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(cells[:4])) + "  " + cells[4]
        )
    rendered.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * _width(header[4]))
    return "\n".join(line.rstrip() for line in rendered)
