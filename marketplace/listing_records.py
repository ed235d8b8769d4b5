"""The one parser of listing records: a research result or technology need given as a record
of cells (``{column: cell}``, nested objects flattened to dotted columns as
`kernel.tabular` reads them) -> the model field values, and every problem per column.

Used by the importer (`marketplace.importing`: row errors), by the matcher's unsaved needs
(`matching.matcher.need_from_record`, which keeps what parses and drops the rest), and for
IPC lists by the listing services and forms (per-field 400 errors).

Columns and rules (each column parsed on its own; every problem is reported):

* ``id`` (-> ``source_id``), ``title`` and the organisation name (``owner_org`` for results,
  ``enterprise`` for needs) are required.
* ``field``, ``stage``, ``ip_type`` and the modes: codes, Chinese words (新能源, 中试, 发明专利,
  合作开发) or English labels (`marketplace.choices.choice_from_label`); unknown values are
  errors.
* Text: `kernel.cells` (no control characters or lone surrogates; tabs and line breaks kept
  in ``summary`` / ``description`` only).
* ``trl``: a whole number 1-9 (GB/T 22900-2022). Money (``asking_price_cny``,
  ``budget_cny.min`` / ``budget_cny.max``): `kernel.money.parse_amount` (``50万``, ``1.2亿``).
* ``ipc``: `ipc_symbols` (spaces dropped, upper-cased, then
  `marketplace.validators.normalize_ipc_symbol`); ``patent_no`` in its canonical form
  (`marketplace.patent_numbers.canonical_patent_number`, a missing check character computed).
* ``source_date``: ``YYYY-MM`` or ``YYYY-MM-DD``; ``deadline``: ``YYYY-MM-DD``.
* ``region.province`` / ``region.city``: names; ``region_code`` (GB/T 2260) is derived with
  `marketplace.regions.city_code_for` / `province_code_for` (blank when not found).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kernel import cells
from kernel.money import parse_amount
from marketplace.choices import ZH_ALIASES, Field, IpType, Stage, TransferMode
from marketplace.models import Listing, ResearchResult, TechnologyNeed
from marketplace.patent_numbers import canonical_patent_number
from marketplace.regions import city_code_for, province_code_for
from marketplace.validators import normalize_ipc_symbol, validate_trl

__all__ = [
    "KINDS",
    "KIND_NEED",
    "KIND_RESULT",
    "SPECS",
    "ListingSpec",
    "ParsedRecord",
    "ipc_symbols",
    "parse_listing_record",
]

KIND_RESULT = "result"
KIND_NEED = "need"
KINDS = (KIND_RESULT, KIND_NEED)


# --- cell parsers of the listings domain ----------------------------------------------------


def ipc_symbols(symbols: Iterable[Any]) -> list[str]:
    """IPC symbols (already split into items) in canonical form, repeats dropped: spaces are
    removed and letters upper-cased first (``"h01m 10/052"`` -> ``"H01M 10/052"``). Raises one
    ``ValidationError`` holding the error of every invalid symbol (code
    ``invalid_ipc_symbol``, WIPO *Guide to the IPC*)."""
    found: dict[str, None] = {}
    errors: list[ValidationError] = []
    for symbol in symbols:
        try:
            found.setdefault(normalize_ipc_symbol("".join(str(symbol).split()).upper()))
        except ValidationError as exc:
            errors.extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return list(found)


def _choice(choices: type[models.TextChoices]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        return cells.choice(value, choices, aliases=ZH_ALIASES.get(choices))

    return parse


def _modes(value: Any) -> list[str]:
    codes: dict[str, None] = {}
    unknown: list[str] = []
    aliases = ZH_ALIASES.get(TransferMode)
    for item in cells.items(value):
        code = cells.choice_code(TransferMode, item, aliases=aliases)
        if code is None:
            unknown.append(item)
        else:
            codes.setdefault(code)
    if unknown:
        raise cells.unknown_choice("、".join(unknown), TransferMode, aliases=aliases)
    return list(codes)


def _ipc(value: Any) -> list[str]:
    return ipc_symbols(cells.items(value))


def _trl(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = cells.small_integer(value)
    validate_trl(number)
    return int(number)


def _patent(value: Any) -> str:
    text = cells.text(value)
    return canonical_patent_number(text, complete_check=True) if text else ""


# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A source column, the model field it feeds, and its cell parser."""

    name: str
    model_field: str
    parse: Callable[[Any], Any]


_ID_COLUMN = Column("id", "source_id", cells.required_line)
_COMMON_COLUMNS = (
    Column("title", "title", cells.required_line),
    Column("title_en", "title_en", cells.line),
    Column("field", "field", _choice(Field)),
    Column("keywords", "keywords", cells.items),
    Column("region.province", "province", cells.line),
    Column("region.city", "city", cells.line),
    Column("trl", "trl", _trl),
    Column("source_url", "source_url", cells.line),
    Column("source_date", "source_date", cells.month_or_date),
)


@dataclass(frozen=True)
class ListingSpec:
    """One kind of listing: its model, the column naming its organisation, its columns."""

    kind: str
    model: type[Listing]
    owner_column: str
    columns: tuple[Column, ...]

    def known_columns(self) -> set[str]:
        """Every column this kind reads (others are ignored)."""
        return {_ID_COLUMN.name, self.owner_column, *(column.name for column in self.columns)}

    def column_for(self, model_field: str) -> str:
        """The source column feeding `model_field` (``""`` when none does)."""
        extra = {"region_code": "region.province"}
        by_field = {column.model_field: column.name for column in (_ID_COLUMN, *self.columns)}
        return by_field.get(model_field, extra.get(model_field, ""))


SPECS = {
    KIND_RESULT: ListingSpec(
        kind=KIND_RESULT,
        model=ResearchResult,
        owner_column="owner_org",
        columns=(
            *_COMMON_COLUMNS,
            Column("summary", "summary", cells.text),
            Column("ipc", "ipc", _ipc),
            Column("stage", "stage", _choice(Stage)),
            Column("ip_type", "ip_type", _choice(IpType)),
            Column("patent_no", "patent_no", _patent),
            Column("transfer_modes", "transfer_modes", _modes),
            Column("asking_price_cny", "asking_price_cny", parse_amount),
        ),
    ),
    KIND_NEED: ListingSpec(
        kind=KIND_NEED,
        model=TechnologyNeed,
        owner_column="enterprise",
        columns=(
            *_COMMON_COLUMNS,
            Column("description", "description", cells.text),
            Column("ipc", "ipc", _ipc),
            Column("cooperation_modes", "cooperation_modes", _modes),
            Column("budget_cny.min", "budget_min_cny", parse_amount),
            Column("budget_cny.max", "budget_max_cny", parse_amount),
            Column("deadline", "deadline", cells.iso_date),
        ),
    ),
}


# --- records ---------------------------------------------------------------------------------


@dataclass
class ParsedRecord:
    """What a record gives: `values` (model field -> value) for every column that parsed,
    plus ``region_code``; `owner_name` (``""`` when missing); `errors` (source column ->
    translated messages) for every column that did not. `failed_fields` names the model
    fields left out because of an error."""

    values: dict[str, Any] = field(default_factory=dict)
    owner_name: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    failed_fields: set[str] = field(default_factory=set)

    def fail(self, column: str, exc: ValidationError) -> None:
        """Record the messages of `exc` for `column`."""
        self.errors.setdefault(column, []).extend(exc.messages)

    def read(self, column: Column, record: Mapping[str, Any]) -> None:
        """Parse `column` of `record` into `values`, or record its error."""
        try:
            self.values[column.model_field] = column.parse(record.get(column.name))
        except ValidationError as exc:
            self.fail(column.name, exc)
            self.failed_fields.add(column.model_field)


def _region_code(province: str, city: str) -> str:
    if not province:
        return ""
    return (city and city_code_for(province, city)) or province_code_for(province) or ""


def parse_listing_record(spec: ListingSpec, record: Mapping[str, Any]) -> ParsedRecord:
    """Parse every column of `spec` in `record` (a flat ``{column: cell}``; missing columns
    are blank cells). Never raises for bad cells: see `ParsedRecord.errors`. A blank id is an
    error and leaves ``source_id`` out of the values."""
    parsed = ParsedRecord()
    parsed.read(_ID_COLUMN, record)
    try:
        parsed.owner_name = cells.required_line(record.get(spec.owner_column))
    except ValidationError as exc:
        parsed.fail(spec.owner_column, exc)
    for column in spec.columns:
        parsed.read(column, record)
    parsed.values["region_code"] = _region_code(
        parsed.values.get("province", ""), parsed.values.get("city", "")
    )
    return parsed
