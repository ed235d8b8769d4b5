"""Uploaded spreadsheets cannot exhaust memory or crash a reader; exported cells never run as
formulas."""

import io
import zipfile

import pytest

from kernel.spreadsheets import (
    SafeCsvWriter,
    UnsafeSpreadsheet,
    check_xlsx_archive,
    spreadsheet_text,
)


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("value", ["储能", "R0001", 42, None, "a=b"])
def test_ordinary_values_are_unchanged(value):
    assert spreadsheet_text(value) == value


def test_csv_export_rows_are_neutralised():
    buffer = io.StringIO()
    SafeCsvWriter(buffer).writerow(["=HYPERLINK(\"http://evil.example\")", "ok"])
    assert buffer.getvalue().startswith("\"'=HYPERLINK")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_an_archive_that_unpacks_beyond_the_limit_is_refused_before_reading():
    bomb = _zip({"xl/sharedStrings.xml": b"A" * 2_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(UnsafeSpreadsheet):
        check_xlsx_archive(bomb, limit=1_000_000)


def test_garbage_is_not_an_archive():
    with pytest.raises(UnsafeSpreadsheet):
        check_xlsx_archive(b"not a zip at all")


def test_csv_bytes_is_utf8_with_a_byte_order_mark_and_formula_safe():
    from kernel.spreadsheets import csv_bytes

    data = csv_bytes([["项目", "=1+1"], [], ["a", 2]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["项目,'=1+1", "", "a,2"]
