"""Readers of uploaded tables: a JSON list of records, a CSV file or the first worksheet of an
XLSX workbook, read into a header (column names) and rows of ``{column: cell}`` with their row
numbers. Cells stay as read (text, numbers, dates); parsing them is the job of `kernel.cells`,
`kernel.money` and the callers' record parsers.

Formats
-------
* JSON: a list of objects. Nested objects are flattened to dotted columns
  (``{"region": {"city": "衡水"}}`` -> ``region.city``), at most ``MAX_JSON_DEPTH`` levels
  (a deeper file is a file error, a deeper record a row problem).
* CSV: UTF-8 with or without BOM; GB18030 is accepted as a fallback because Excel on Chinese
  Windows saves "CSV" in that encoding.
* XLSX: the first worksheet, values only (formulas as their cached results). The archive is
  checked by `kernel.spreadsheets.check_xlsx_archive` (no decompression bombs) before openpyxl
  opens it, and whatever a malformed workbook raises becomes one `UnreadableSpreadsheet`.

Rows are numbered from 1: the line after the header is row 1; for JSON the index of the
record in the list. Blank lines are skipped (their numbers are not reused). A CSV/XLSX header
may not name a column twice (file error), and values in cells without a column name make the
row a problem (`SourceRow.problem`). File errors are `TableFileError` with a translated
message; a table without rows is one too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from kernel.cells import printable
from kernel.spreadsheets import XLSX_READ_ERRORS, check_xlsx_archive

__all__ = [
    "MAX_JSON_DEPTH",
    "RecordTooDeep",
    "RowError",
    "SourceRow",
    "Table",
    "TableFileError",
    "UnreadableSpreadsheet",
    "flatten",
    "is_blank",
    "load_json",
    "read_json",
    "read_table",
    "xlsx_rows",
]

MAX_JSON_DEPTH = 10  # nesting levels of objects inside one record


class TableFileError(Exception):
    """The file as a whole cannot be read: missing, unreadable, unknown format, malformed or
    too deeply nested JSON, no header, a column named twice, no rows. The message is
    user-facing (translated)."""


class UnreadableSpreadsheet(Exception):
    """An upload is not a readable XLSX workbook; `detail` is what openpyxl, zipfile or the
    archive check raised (its text is fit to show)."""

    def __init__(self, detail: BaseException) -> None:
        super().__init__(str(detail))
        self.detail = detail


@dataclass
class SourceRow:
    """One data row: its 1-based `number`, ``{column: cell}``, and a `problem` (translated)
    when the row as a whole cannot be read (then `values` may be incomplete)."""

    number: int
    values: dict[str, Any]
    problem: str = ""


@dataclass
class Table:
    """The column names (header order; for JSON the order of first appearance) and the rows."""

    columns: list[str]
    rows: list[SourceRow] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an imported table.

    ``row`` is the 1-based data row (as `SourceRow.number`); ``record_id`` names the row's
    record (its id; may be empty); ``column`` the source column (``""`` for problems of the
    whole row); ``value`` the cell as text; ``message`` a translated explanation.
    """

    row: int
    record_id: str
    column: str
    value: str
    message: str


def is_blank(cell: Any) -> bool:
    """True for an empty cell: None or whitespace-only text."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


# --- JSON ------------------------------------------------------------------------------------


class RecordTooDeep(ValueError):
    """A JSON record nests objects more than `MAX_JSON_DEPTH` levels deep."""


def flatten(record: dict[str, Any], prefix: str = "", depth: int = 1) -> dict[str, Any]:
    """Nested objects -> dotted keys (keys stripped, unprintables escaped); raises
    `RecordTooDeep` beyond `MAX_JSON_DEPTH` levels."""
    if depth > MAX_JSON_DEPTH:
        raise RecordTooDeep
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{printable(str(key).strip())}"
        if isinstance(value, dict):
            flat.update(flatten(value, prefix=f"{name}.", depth=depth + 1))
        else:
            flat[name] = value
    return flat


def load_json(path: Path) -> Any:
    """The JSON document in `path` (UTF-8, with or without BOM), whatever its shape: the one
    parser of JSON files, for `read_json` and for documents that are not tables (the
    judgements of ``manage.py evaluate_matching``). `TableFileError` when the file is missing
    or cannot be read, or is not UTF-8, well-formed or shallow enough to parse."""
    if not path.is_file():
        raise TableFileError(_("File not found: %(path)s.") % {"path": path})
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except PermissionError as exc:
        raise _cannot_read(path, exc.strerror) from None
    except json.JSONDecodeError as exc:
        raise TableFileError(
            _("Malformed JSON in %(file)s at line %(line)d, column %(column)d: %(error)s.")
            % {"file": path.name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from None
    except UnicodeDecodeError:
        raise TableFileError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from None
    except RecursionError:
        raise TableFileError(
            _("%(file)s is nested too deeply to be a list of records.") % {"file": path.name}
        ) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise TableFileError(
            _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": exc}
        ) from None


def _json_row(index: int, record: Any) -> SourceRow:
    if not isinstance(record, dict):
        return SourceRow(index, {}, problem=_("Each record must be a JSON object."))
    try:
        return SourceRow(index, flatten(record))
    except RecordTooDeep:
        return SourceRow(
            index,
            {},
            problem=_("The record nests objects more than %(depth)d levels deep.")
            % {"depth": MAX_JSON_DEPTH},
        )


def read_json(path: Path) -> Table:
    """A JSON file holding a list of records (see the module docstring)."""
    data = load_json(path)
    if not isinstance(data, list):
        raise TableFileError(
            _("%(file)s must contain a JSON list of records.") % {"file": path.name}
        )
    columns: dict[str, None] = {}
    rows = [_json_row(index, record) for index, record in enumerate(data, start=1)]
    for row in rows:
        columns.update(dict.fromkeys(row.values))
    return Table(list(columns), rows)


# --- CSV and XLSX ----------------------------------------------------------------------------


def table_rows(header: list[Any], body: Iterable[Iterable[Any]]) -> list[SourceRow]:
    """Data rows as {column: cell}; blank lines are skipped. Values in cells without a column
    name (beyond the header, or under a blank header cell) make the row a problem."""
    names = ["" if cell is None else str(cell).strip() for cell in header]
    rows: list[SourceRow] = []
    for number, row_cells in enumerate(body, start=1):
        cells = list(row_cells)
        values = {name: cell for name, cell in zip(names, cells, strict=False) if name}
        unnamed = sum(
            1
            for index, cell in enumerate(cells)
            if not is_blank(cell) and (index >= len(names) or not names[index])
        )
        if unnamed:
            problem = _(
                "The row has values in %(count)d cell(s) that have no column name in the header."
            ) % {"count": unnamed}
            rows.append(SourceRow(number, values, problem=problem))
        elif not all(is_blank(value) for value in values.values()):
            rows.append(SourceRow(number, values))
    return rows


def header_columns(header: list[Any], path: Path) -> list[str]:
    """The column names of a header row; a name given twice is a `TableFileError`."""
    names = [str(cell).strip() for cell in header if cell is not None and str(cell).strip()]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise TableFileError(
                _("%(file)s has the column %(column)s more than once.")
                % {"file": path.name, "column": printable(name)}
            )
        seen.add(name)
    return names


def _cannot_read(path: Path, error: object) -> TableFileError:
    return TableFileError(
        _("Cannot read %(file)s: %(error)s.") % {"file": path.name, "error": error}
    )


def _csv_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise TableFileError(_("%(file)s is not UTF-8 text.") % {"file": path.name}) from None


def read_csv(path: Path) -> Table:
    """A CSV file with a header row (see the module docstring for encodings)."""
    reader = csv.reader(io.StringIO(_csv_text(path), newline=""))
    try:
        header = next(reader)
        body = list(reader)
    except StopIteration:
        raise TableFileError(_("%(file)s has no header row.") % {"file": path.name}) from None
    except csv.Error as exc:
        raise _cannot_read(path, exc) from None
    return Table(header_columns(header, path), table_rows(header, body))


@contextmanager
def xlsx_rows(source: bytes | Path) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows (tuples of cell values, header first) of the first worksheet of the XLSX
    workbook `source` (its bytes or its path), read-only, open while the block runs.

    Raises `UnreadableSpreadsheet` when the archive is unsafe (`check_xlsx_archive`) or the
    workbook cannot be opened or read — also for what the block raises among
    `XLSX_READ_ERRORS` while it iterates over the rows.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_xlsx_archive(source)
        workbook = load_workbook(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            read_only=True,
            data_only=True,
        )
    except (InvalidFileException, *XLSX_READ_ERRORS) as exc:
        raise UnreadableSpreadsheet(exc) from None
    try:
        yield workbook.worksheets[0].iter_rows(values_only=True)
    except XLSX_READ_ERRORS as exc:  # a malformed sheet or a cell openpyxl cannot convert
        raise UnreadableSpreadsheet(exc) from None
    finally:
        workbook.close()


def read_xlsx(path: Path) -> Table:
    """The first worksheet of an XLSX workbook with a header row."""
    try:
        with xlsx_rows(path) as cells:
            header = next(cells, None)
            if header is None or not header_columns(list(header), path):
                raise TableFileError(_("%(file)s has no header row.") % {"file": path.name})
            return Table(header_columns(list(header), path), table_rows(list(header), cells))
    except UnreadableSpreadsheet as exc:
        raise _cannot_read(path, exc.detail) from None


_READERS: dict[str, Callable[[Path], Table]] = {
    ".json": read_json,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
}


def read_table(path: Path) -> Table:
    """The table in `path`, read by its suffix (.json, .csv, .xlsx; case-insensitive).

    Raises `TableFileError` when the file is missing, of another format, unreadable
    (permissions, encoding, malformed content) or holds no rows.
    """
    if not path.is_file():
        raise TableFileError(_("File not found: %(path)s.") % {"path": path})
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise TableFileError(
            _("Unknown file format %(suffix)s: use .json, .csv or .xlsx.")
            % {"suffix": path.suffix or path.name}
        )
    try:
        table = reader(path)
    except PermissionError as exc:
        raise _cannot_read(path, exc.strerror) from None
    if not table.rows:
        raise TableFileError(_("%(file)s has no rows to import.") % {"file": path.name})
    return table
