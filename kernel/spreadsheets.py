"""Safe handling of spreadsheets that users upload (imports) or download (exports).

- Uploads: an XLSX file is a zip; `check_xlsx_archive` refuses archives that would unpack to
  more than `MAX_UNPACKED_BYTES` (decompression bombs) before openpyxl reads them, and
  `XLSX_READ_ERRORS` lists what a malformed workbook raises while it is being read, so importers
  can turn all of it into one clear "not a readable XLSX file" error.
- Downloads: `csv_bytes` writes a CSV download (UTF-8 with a byte-order mark, so that
  spreadsheet programs read Chinese text right) through `SafeCsvWriter`; `spreadsheet_text`
  neutralises cells that a spreadsheet program would run as a formula (CSV/formula injection,
  OWASP "CSV Injection"): text starting with =, +, -, @, tab or carriage return gets a
  leading apostrophe. `XLSX_MEDIA_TYPE`: an XLSX download's media type.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed import SupportsWrite

#: The media type of an XLSX workbook (a download's Content-Type, the OpenAPI responses).
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: The largest total unpacked size of an uploaded XLSX archive (bytes).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_READ_ERRORS: list[type[BaseException]] = [
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,
    IndexError,
    OSError,
    ValueError,
    TypeError,
    AttributeError,
    EOFError,
    ParseError,
]
try:  # openpyxl parses with lxml when it is installed
    from lxml.etree import LxmlError

    _READ_ERRORS.append(LxmlError)
except ImportError:  # pragma: no cover - lxml is optional
    pass
XLSX_READ_ERRORS: tuple[type[BaseException], ...] = tuple(_READ_ERRORS)

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class UnsafeSpreadsheet(ValueError):
    """The upload is not a zip archive, or it unpacks to more than MAX_UNPACKED_BYTES."""


def check_xlsx_archive(source: bytes | Path, *, limit: int = MAX_UNPACKED_BYTES) -> None:
    """Raise UnsafeSpreadsheet unless `source` (bytes or a path) is a zip archive whose members
    unpack to at most `limit` bytes in total (sizes from the archive's central directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsafeSpreadsheet("not a zip archive") from exc
    if total > limit:
        raise UnsafeSpreadsheet(f"unpacks to {total} bytes, more than {limit}")


def spreadsheet_text(value: Any) -> Any:
    """`value` for a CSV or XLSX cell: text a spreadsheet would read as a formula is prefixed
    with an apostrophe; everything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """`rows` as a CSV download: UTF-8 with a byte-order mark, every cell formula-safe
    (`SafeCsvWriter`); an empty row is a blank line."""
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


class SafeCsvWriter:
    """csv.writer whose rows pass through `spreadsheet_text` (no formula injection)."""

    def __init__(self, stream: SupportsWrite[str], **options: Any) -> None:
        import csv

        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_text(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
