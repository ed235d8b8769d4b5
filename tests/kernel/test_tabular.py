"""Uploaded tables (JSON, CSV, XLSX) are read into numbered rows by one reader per format."""

import io
import json

import openpyxl
import pytest

from kernel.tabular import (
    MAX_JSON_DEPTH,
    TableFileError,
    UnreadableSpreadsheet,
    read_table,
    xlsx_rows,
)


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_json_records_are_flattened_to_dotted_columns(tmp_path):
    path = tmp_path / "needs.json"
    path.write_text(
        json.dumps([{"id": "N1", "region": {"city": "衡水"}}, {"id": "N2", "extra": 1}]),
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.columns == ["id", "region.city", "extra"]
    assert [(row.number, row.values) for row in table.rows] == [
        (1, {"id": "N1", "region.city": "衡水"}),
        (2, {"id": "N2", "extra": 1}),
    ]


def test_json_records_nested_too_deeply_are_row_problems(tmp_path):
    record: dict = {"id": "N1"}
    for _level in range(MAX_JSON_DEPTH):
        record = {"nested": record}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps([record, {"id": "N2"}, 3]), encoding="utf-8")
    rows = read_table(path).rows
    assert rows[0].problem and rows[1].problem == "" and rows[2].problem


def test_csv_rows_keep_their_line_numbers_and_skip_blank_lines(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("id,title\nR1,储能\n,\nR2,电池\n", encoding="utf-8-sig")
    table = read_table(path)
    assert table.columns == ["id", "title"]
    assert [(row.number, row.values["id"]) for row in table.rows] == [(1, "R1"), (3, "R2")]


def test_csv_saved_by_chinese_excel_is_read_as_gb18030(tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes("id,title\nR1,储能电池\n".encode("gb18030"))
    assert read_table(path).rows[0].values["title"] == "储能电池"


def test_values_without_a_column_name_make_the_row_a_problem(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("id,title\nR1,储能,extra\n", encoding="utf-8")
    assert read_table(path).rows[0].problem


def test_cannot_read_a_header_naming_a_column_twice(tmp_path):
    path = tmp_path / "results.csv"
    path.write_text("id,id\nR1,R2\n", encoding="utf-8")
    with pytest.raises(TableFileError, match="more than once"):
        read_table(path)


def test_xlsx_first_sheet_is_read_like_csv(tmp_path):
    path = tmp_path / "results.xlsx"
    path.write_bytes(_xlsx([["id", "trl"], ["R1", 5], [None, None], ["R2", 7]]))
    table = read_table(path)
    assert [(row.number, row.values) for row in table.rows] == [
        (1, {"id": "R1", "trl": 5}),
        (3, {"id": "R2", "trl": 7}),
    ]


def test_xlsx_rows_reads_uploaded_bytes_header_first():
    with xlsx_rows(_xlsx([["order"], [1]])) as rows:
        assert list(rows) == [("order",), (1,)]


def test_cannot_read_bytes_that_are_not_a_workbook():
    with pytest.raises(UnreadableSpreadsheet), xlsx_rows(b"not a zip archive"):
        pass


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.txt", "id\nR1\n", "Unknown file format"),
        ("a.json", "{not json", "Malformed JSON"),
        ("a.json", '{"id": 1}', "JSON list"),
        ("a.json", "[]", "no rows"),
        ("a.csv", "", "no header"),
        ("a.csv", "id,title\n", "no rows"),
        ("a.xlsx", "not a workbook", "Cannot read"),
    ],
)
def test_cannot_read_files_that_hold_no_table(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TableFileError, match=message):
        read_table(path)


def test_cannot_read_a_missing_file(tmp_path):
    with pytest.raises(TableFileError, match="not found"):
        read_table(tmp_path / "missing.csv")
