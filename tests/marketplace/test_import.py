"""import_listings: the bundled data, bad rows, CSV/XLSX, re-imports and the command."""

from __future__ import annotations

import copy
import csv
import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from marketplace.choices import (
    Field,
    IpType,
    ListingStatus,
    OrganizationKind,
    Stage,
    TransferMode,
)
from marketplace.importing import (
    ImportFileError,
    guess_organization_kind,
    import_listings,
)
from marketplace.models import Organization, ResearchResult, TechnologyNeed

DATA = Path(settings.BASE_DIR) / "data"
RESULTS = DATA / "results.json"
NEEDS = DATA / "needs.json"

pytestmark = pytest.mark.django_db


def result_record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "T0001",
        "title": "钢渣气淬余热回收技术",
        "title_en": "Steel slag gas quenching",
        "summary": "钢渣气淬粒化并回收余热。",
        "field": "冶金",
        "keywords": ["钢渣", "气淬"],
        "ipc": None,
        "trl": 6,
        "stage": "中试",
        "ip_type": "发明专利",
        "patent_no": None,
        "owner_org": "测试冶金大学",
        "region": {"province": "河北", "city": "唐山"},
        "transfer_modes": ["许可"],
        "asking_price_cny": None,
        "source_url": "https://example.com/r/1",
        "source_date": "2023-05",
    }
    record.update(overrides)
    return record


def need_record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "TN0001",
        "title": "钢渣综合利用",
        "title_en": "Steel slag utilisation",
        "description": "钢渣堆积如山，占地污染，寻求综合利用技术。",
        "field": "冶金",
        "keywords": ["钢渣"],
        "enterprise": "测试钢铁有限公司",
        "region": {"province": "河北", "city": "邯郸"},
        "budget_cny": {"min": 100000, "max": 500000},
        "cooperation_modes": ["合作开发"],
        "deadline": None,
        "source_url": "https://example.com/n/1",
        "source_date": "2023-07-15",
    }
    record.update(overrides)
    return record


def write_json(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


# --- the bundled data ----------------------------------------------------------------------


def test_bundled_results_and_needs_import_cleanly() -> None:
    results = import_listings(path=RESULTS)
    needs = import_listings(path=NEEDS)

    assert (results.kind, results.created, results.updated, results.errors) == (
        "result",
        181,
        0,
        [],
    )
    assert (needs.kind, needs.created, needs.updated, needs.errors) == ("need", 84, 0, [])
    assert results.imported and needs.imported
    assert ResearchResult.objects.count() == 181
    assert TechnologyNeed.objects.count() == 84
    assert not ResearchResult.objects.exclude(status=ListingStatus.PUBLISHED).exists()
    assert not ResearchResult.objects.filter(published_at__isnull=True).exists()
    assert not TechnologyNeed.objects.filter(renewed_at__isnull=True).exists()

    first = ResearchResult.objects.get(source_id="R0001")
    assert first.field == Field.ELECTRONICS
    assert first.ip_type == IpType.UTILITY_MODEL
    assert first.ipc == ["B64U 20/80"]
    assert first.patent_no == "CN218751475U"
    assert (first.province, first.city, first.region_code) == ("河南", "郑州", "410100")
    assert first.owner.legal_name == "中科大数据研究院"
    assert first.owner.kind == OrganizationKind.RESEARCH_INSTITUTE

    need = TechnologyNeed.objects.get(source_id="N0001")
    assert need.budget_min_cny == Decimal("4500000.00")
    assert need.cooperation_modes == [TransferMode.JOINT_DEVELOPMENT]
    assert need.region_code == "370000"  # 山东, no city given
    assert need.owner.kind == OrganizationKind.ENTERPRISE


def test_reimport_updates_by_source_id_instead_of_duplicating(tmp_path: Path) -> None:
    import_listings(path=RESULTS)
    published_at = ResearchResult.objects.get(source_id="R0002").published_at
    organizations = Organization.objects.count()
    records = json.loads(RESULTS.read_text(encoding="utf-8"))
    changed = copy.deepcopy(records)
    changed[1]["title"] = "修改后的标题"

    report = import_listings(path=write_json(tmp_path / "results.json", changed))

    assert (report.created, report.updated) == (0, 181)
    assert ResearchResult.objects.count() == 181
    assert Organization.objects.count() == organizations
    updated = ResearchResult.objects.get(source_id="R0002")
    assert updated.title == "修改后的标题"
    assert updated.published_at == published_at  # first publication is kept


# --- invalid rows --------------------------------------------------------------------------


def test_one_invalid_row_blocks_the_import_and_every_problem_is_reported(
    tmp_path: Path,
) -> None:
    path = write_json(
        tmp_path / "bad.json",
        [
            result_record(id="T1"),
            result_record(id="T2", trl=12),
            result_record(id="T3", field="航天"),
            result_record(id="T4", patent_no="202110123456.3"),
            result_record(id="T5", title="  "),
            result_record(id="T6", trl=0, stage="量产", transfer_modes=["许可", "赠送"]),
        ],
    )

    report = import_listings(path=path)

    assert report.imported is False
    assert (report.created, report.updated, report.skipped) == (0, 0, 0)
    assert ResearchResult.objects.count() == 0
    assert Organization.objects.count() == 0
    cells = {(e.row, e.record_id, e.column, e.value) for e in report.errors}
    assert cells == {
        (2, "T2", "trl", "12"),
        (3, "T3", "field", "航天"),
        (4, "T4", "patent_no", "202110123456.3"),
        (5, "T5", "title", "  "),
        (6, "T6", "trl", "0"),
        (6, "T6", "stage", "量产"),
        (6, "T6", "transfer_modes", "许可; 赠送"),
    }
    messages = {(e.record_id, e.column): e.message for e in report.errors}
    assert "1 to 9" in messages[("T2", "trl")]
    assert "航天" in messages[("T3", "field")] and "新能源" in messages[("T3", "field")]
    assert "check character" in messages[("T4", "patent_no")]
    assert messages[("T5", "title")] == "This column is required."
    assert "赠送" in messages[("T6", "transfer_modes")]
    assert report.invalid_rows == 5


def test_budget_minimum_above_maximum_is_reported_against_the_max_column(
    tmp_path: Path,
) -> None:
    path = write_json(
        tmp_path / "needs.json",
        [
            need_record(id="TN1"),
            need_record(id="TN2", budget_cny={"min": 900000, "max": 100000}),
            need_record(id="TN3", budget_cny={"min": -5, "max": None}, deadline="2025-13-01"),
            need_record(id="TN4", enterprise=None),
        ],
    )

    report = import_listings(path=path)

    assert not report.imported
    assert TechnologyNeed.objects.count() == 0
    assert {(e.row, e.record_id, e.column, e.value) for e in report.errors} == {
        (2, "TN2", "budget_cny.max", "100000"),
        (3, "TN3", "budget_cny.min", "-5"),
        (3, "TN3", "deadline", "2025-13-01"),
        (4, "TN4", "enterprise", ""),
    }
    budget = next(e for e in report.errors if e.record_id == "TN2")
    assert budget.message == "The maximum budget must not be lower than the minimum budget."


def test_skip_invalid_imports_only_the_valid_rows(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "mixed.json",
        [
            result_record(id="T1"),
            result_record(id="T2", trl="九"),
            result_record(id="T3", owner_org="另一研究所"),
            result_record(id="T1", title="重复"),
        ],
    )

    report = import_listings(path=path, skip_invalid=True)

    assert report.imported
    assert (report.created, report.updated, report.skipped) == (2, 0, 2)
    assert set(ResearchResult.objects.values_list("source_id", flat=True)) == {"T1", "T3"}
    assert ResearchResult.objects.get(source_id="T1").title == "钢渣气淬余热回收技术"
    assert {(e.row, e.column) for e in report.errors} == {(2, "trl"), (4, "id")}
    duplicate = next(e for e in report.errors if e.row == 4)
    assert duplicate.message == "Duplicate id: row 1 has the same id."


def test_duplicate_ids_are_rejected_without_skip_invalid(tmp_path: Path) -> None:
    path = write_json(tmp_path / "dup.json", [result_record(), result_record()])

    report = import_listings(path=path)

    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(2, "id")]


# --- CSV and XLSX --------------------------------------------------------------------------

CSV_HEADER = [
    "id", "title", "description", "field", "keywords", "enterprise", "region.province",
    "region.city", "budget_cny.min", "budget_cny.max", "cooperation_modes", "deadline",
    "source_url", "source_date",
]  # fmt: skip


def test_csv_with_bom_imports_chinese_labels_and_separated_lists(tmp_path: Path) -> None:
    path = tmp_path / "needs.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        writer.writerow(
            ["C1", "轴承国产化", "轧机轴承有钱也买不到", "高端装备制造", "轴承、轧机；国产化",
             "测试轴承集团有限公司", "河北", "衡水", "50万", "1,000,000", "合作开发, 委托开发",
             "2026-06-30", "https://example.com/c1", "2024-01"]
        )  # fmt: skip
        writer.writerow([""] * len(CSV_HEADER))  # a blank line is skipped
        writer.writerow(
            ["C2", "废水处理", "", "节能环保", "", "测试化工厂", "天津", "天津", "", "", "",
             "", "", ""]
        )  # fmt: skip
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = import_listings(path=path)

    assert (report.kind, report.created, report.errors) == ("need", 2, [])
    need = TechnologyNeed.objects.get(source_id="C1")
    assert need.field == Field.ADVANCED_EQUIPMENT
    assert need.keywords == ["轴承", "轧机", "国产化"]
    assert need.cooperation_modes == [
        TransferMode.JOINT_DEVELOPMENT,
        TransferMode.COMMISSIONED_DEVELOPMENT,
    ]
    assert (need.budget_min_cny, need.budget_max_cny) == (
        Decimal("500000.00"),
        Decimal("1000000.00"),
    )
    assert need.deadline == datetime.date(2026, 6, 30)
    assert need.region_code == "131100"
    other = TechnologyNeed.objects.get(source_id="C2")
    assert (other.region_code, other.budget_min_cny, other.cooperation_modes) == (
        "120000",
        None,
        [],
    )
    assert other.owner.kind == OrganizationKind.ENTERPRISE


def test_csv_rows_are_numbered_from_the_first_data_row(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "id,title,owner_org,trl,ipc\nX1,好,某大学,5,H01M10/052; h01m 4/13\nX2,坏,某大学,10,H01\n",
        encoding="utf-8",
    )

    report = import_listings(path=path)

    assert {(e.row, e.record_id, e.column) for e in report.errors} == {
        (2, "X2", "trl"),
        (2, "X2", "ipc"),
    }


def test_xlsx_imports_with_numeric_and_date_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["id", "title", "summary", "field", "keywords", "ipc", "trl", "stage", "ip_type",
         "patent_no", "owner_org", "region.province", "region.city", "transfer_modes",
         "asking_price_cny", "source_url", "source_date", "备注"]
    )  # fmt: skip
    sheet.append(
        ["X1", "锂电池负极材料", "硅碳负极。", "新能源", "锂电池；负极", "H01M10/052", 7.0,
         "产业化", "发明专利", "zl 2021 1 0123456.7", "测试新能源研究院", "北京", "北京",
         "转让、作价入股", 1200000.5, "https://example.com/x1", datetime.datetime(2024, 3, 5),  # noqa: DTZ001 (a spreadsheet cell has no zone)
         "内部备注"]
    )  # fmt: skip
    path = tmp_path / "results.xlsx"
    workbook.save(path)

    report = import_listings(path=path)

    assert (report.kind, report.created, report.errors) == ("result", 1, [])
    assert report.ignored_columns == ["备注"]
    result = ResearchResult.objects.get(source_id="X1")
    assert result.trl == 7
    assert result.stage == Stage.INDUSTRIAL
    assert result.ipc == ["H01M 10/052"]
    assert result.patent_no == "202110123456.7"
    assert result.transfer_modes == [TransferMode.ASSIGNMENT, TransferMode.EQUITY]
    assert result.asking_price_cny == Decimal("1200000.50")
    assert result.source_date == "2024-03-05"
    assert result.region_code == "110000"
    assert result.owner.kind == OrganizationKind.RESEARCH_INSTITUTE


# --- status, organisations, actor ----------------------------------------------------------


def test_status_draft_leaves_listings_unpublished(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", [result_record()])

    report = import_listings(path=path, status=ListingStatus.DRAFT)

    result = ResearchResult.objects.get(source_id="T0001")
    assert report.created == 1
    assert result.status == ListingStatus.DRAFT
    assert result.published_at is None
    assert not result.is_searchable()


def test_organisations_are_created_once_per_name(tmp_path: Path) -> None:
    Organization.objects.create(legal_name="已有研究所", kind=OrganizationKind.RESEARCH_INSTITUTE)
    path = write_json(
        tmp_path / "r.json",
        [
            result_record(id="T1", owner_org="测试冶金大学"),
            result_record(id="T2", owner_org="测试冶金大学", region={"province": "天津"}),
            result_record(id="T3", owner_org="已有研究所"),
        ],
    )

    import_listings(path=path)
    import_listings(path=path)

    assert Organization.objects.count() == 2
    university = Organization.objects.get(legal_name="测试冶金大学")
    assert university.kind == OrganizationKind.UNIVERSITY
    assert (university.province, university.city, university.region_code) == (
        "河北",
        "唐山",
        "130200",
    )
    assert university.researchresults.count() == 2


@pytest.mark.parametrize(
    ("name", "listing_kind", "expected"),
    [
        ("天津大学", "result", OrganizationKind.UNIVERSITY),
        ("北京电子科技职业学院", "result", OrganizationKind.UNIVERSITY),
        ("中国科学院大连化学物理研究所", "result", OrganizationKind.RESEARCH_INSTITUTE),
        ("中国科学院（所属研究所未公开）", "result", OrganizationKind.RESEARCH_INSTITUTE),
        (
            "中国石油化工股份有限公司石油化工科学研究院",
            "result",
            OrganizationKind.RESEARCH_INSTITUTE,
        ),
        ("北京机科国创轻量化科学研究院有限公司", "result", OrganizationKind.ENTERPRISE),
        ("国家技术转移研究中心", "need", OrganizationKind.RESEARCH_INSTITUTE),
        ("北京市生态环境监测中心", "need", OrganizationKind.ENTERPRISE),
        ("长城电工长开厂", "result", OrganizationKind.ENTERPRISE),
        ("中国产学研合作促进会协会", "result", OrganizationKind.ASSOCIATION),
        ("京燃热电", "need", OrganizationKind.ENTERPRISE),
        ("海装院", "result", OrganizationKind.RESEARCH_INSTITUTE),
    ],
)
def test_organisation_kind_follows_the_last_kind_word_of_the_name(
    name: str, listing_kind: str, expected: str
) -> None:
    assert guess_organization_kind(name, listing_kind=listing_kind) == expected


def test_actor_becomes_creator_and_reviewer(tmp_path: Path, broker) -> None:
    path = write_json(tmp_path / "r.json", [result_record()])

    import_listings(path=path, actor=broker)

    result = ResearchResult.objects.get(source_id="T0001")
    assert result.created_by == broker
    assert result.reviewed_by == broker
    assert result.reviewed_at is not None


# --- unreadable files ----------------------------------------------------------------------


def test_kind_must_be_given_when_columns_do_not_tell(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,title,owner\nA1,标题,某公司\n", encoding="utf-8")

    with pytest.raises(ImportFileError, match="--kind"):
        import_listings(path=path)
    report = import_listings(path=path, kind="need")
    assert [(e.column, e.message) for e in report.errors] == [
        ("enterprise", "This column is required.")
    ]


def test_unknown_format_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "listings.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")

    with pytest.raises(ImportFileError, match=r"Unknown file format \.xls"):
        import_listings(path=path)


# --- the command ---------------------------------------------------------------------------


def test_command_prints_the_summary_in_english_and_chinese() -> None:
    out = StringIO()

    call_command("import_listings", str(RESULTS), "--no-progress", stdout=out, stderr=StringIO())

    assert "Imported 181 research results (181 created, 0 updated)" in out.getvalue()
    assert "已导入 181 项科技成果" in out.getvalue()
    assert ResearchResult.objects.count() == 181


def test_command_lists_bad_rows_and_fails_without_writing(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "bad.json", [result_record(id="T1"), result_record(id="T2", trl=12)]
    )
    out = StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: 1 invalid row"):
        call_command("import_listings", str(path), stdout=out, stderr=StringIO())

    table = out.getvalue().splitlines()
    assert table[0].split() == ["Row", "ID", "Column", "Value", "Message"]
    assert table[2].split()[:4] == ["2", "T2", "trl", "12"]
    assert ResearchResult.objects.count() == 0


def test_command_skip_invalid_draft_and_by(tmp_path: Path, broker) -> None:
    path = write_json(
        tmp_path / "mixed.json", [result_record(id="T1"), result_record(id="T2", trl=12)]
    )
    out = StringIO()

    call_command(
        "import_listings", str(path), "--skip-invalid", "--status", "draft",
        "--by", broker.username, stdout=out, stderr=StringIO(),
    )  # fmt: skip

    assert "Skipped 1 invalid row(s)." in out.getvalue()
    assert "Imported 1 research results (1 created, 0 updated)" in out.getvalue()
    result = ResearchResult.objects.get()
    assert (result.source_id, result.status, result.created_by) == (
        "T1",
        ListingStatus.DRAFT,
        broker,
    )


def test_command_turns_malformed_json_into_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "R1", "title": "x",}]', encoding="utf-8")

    with pytest.raises(CommandError, match=r"Malformed JSON in broken\.json at line 1, column 28"):
        call_command("import_listings", str(path), stdout=StringIO(), stderr=StringIO())


def test_command_rejects_a_missing_file_and_an_unknown_user(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_listings", str(tmp_path / "none.json"), stdout=StringIO())
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_listings", str(RESULTS), "--by", "nobody", stdout=StringIO())


# --- hostile files: row errors and file errors, never a traceback ---------------------------


def _errors(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def test_json_amount_of_1e300_is_a_row_error_not_a_crash(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", [result_record(asking_price_cny=1e300)])
    report = import_listings(path=path)
    assert not report.imported
    [(row, column, message)] = _errors(report)
    assert (row, column) == (1, "asking_price_cny")
    assert "too large" in message
    assert ResearchResult.objects.count() == 0


@pytest.mark.parametrize(
    "amount", ["1e400", "1e999999999", "Infinity", "1000000000000", "999999999999.995", "10000亿"]
)
def test_csv_amounts_of_10_to_the_12_or_more_are_too_large(tmp_path: Path, amount: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"id,title,owner_org,asking_price_cny\nX1,好,某大学,{amount}\n", "utf-8")
    report = import_listings(path=path)
    assert [(e.column, "too large" in e.message) for e in report.errors] == [
        ("asking_price_cny", True)
    ]


def test_largest_amount_below_10_to_the_12_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,title,owner_org,asking_price_cny\nX1,好,某大学,999999999999.99\n", "utf-8")
    report = import_listings(path=path)
    assert report.errors == []
    assert ResearchResult.objects.get().asking_price_cny == Decimal("999999999999.99")


def test_nan_amount_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,title,owner_org,asking_price_cny\nX1,好,某大学,NaN\n", "utf-8")
    report = import_listings(path=path)
    assert [e.column for e in report.errors] == ["asking_price_cny"]


def test_xlsx_amount_of_1e300_is_a_row_error(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["id", "title", "owner_org", "asking_price_cny"])
    sheet.append(["X1", "好", "某大学", 1e300])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    report = import_listings(path=path)
    assert [(e.column, "too large" in e.message) for e in report.errors] == [
        ("asking_price_cny", True)
    ]


def test_json_nested_100k_levels_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ImportFileError, match="nested too deeply"):
        import_listings(path=path, kind="result")


def test_json_record_nesting_objects_deeply_is_a_row_error(tmp_path: Path) -> None:
    nested: dict[str, object] = {"x": 1}
    for _level in range(50):
        nested = {"a": nested}
    path = write_json(tmp_path / "r.json", [result_record(), result_record(id="T2", extra=nested)])
    report = import_listings(path=path)
    assert [(e.row, e.column) for e in report.errors] == [(2, "")]
    assert "levels deep" in report.errors[0].message


def test_lone_surrogate_in_a_json_title_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    record = json.dumps([result_record()], ensure_ascii=True).replace(
        '"T0001"', '"T0001", "title_en": "x\\ud800y"'
    ).replace('"title_en": "Steel slag gas quenching", ', "")
    path.write_text(record.replace('"title": "', '"title": "\\ud800'), encoding="utf-8")
    report = import_listings(path=path)
    assert {e.column for e in report.errors} == {"title", "title_en"}
    assert all("surrogate" in e.message for e in report.errors)
    assert all("\\ud800" in e.value for e in report.errors)  # printable in the report
    assert ResearchResult.objects.count() == 0


@pytest.mark.parametrize("column", ["id", "title", "summary", "owner_org", "keywords"])
def test_nul_byte_in_any_text_column_is_a_row_error(tmp_path: Path, column: str) -> None:
    values = {"id": "X1", "title": "好", "summary": "摘要", "owner_org": "某大学", "keywords": "a"}
    values[column] = values[column] + "\x00bad"
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(values))
        writer.writerow(list(values.values()))
    report = import_listings(path=path)
    assert [(e.column, e.message) for e in report.errors] == [
        (column, "Control characters are not allowed in text.")
    ]
    assert "\\x00" in report.errors[0].value
    assert ResearchResult.objects.count() == 0


def test_tabs_and_line_breaks_are_kept_in_long_text_and_joined_in_one_line_text(
    tmp_path: Path,
) -> None:
    path = write_json(
        tmp_path / "r.json",
        [result_record(summary="第一行\n\t第二行", title_en="Steel\nslag\tquench")],
    )
    report = import_listings(path=path)
    assert report.errors == []
    result = ResearchResult.objects.get()
    assert result.summary == "第一行\n\t第二行"
    assert result.title_en == "Steel slag quench"


@pytest.mark.parametrize("content", ["id,title,owner_org\n", "id,title,owner_org\n,,\n\n"])
def test_csv_with_a_header_and_no_rows_is_a_file_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFileError, match="no rows to import"):
        import_listings(path=path)


def test_empty_json_list_is_a_file_error_and_the_command_fails(tmp_path: Path) -> None:
    path = write_json(tmp_path / "empty.json", [])
    with pytest.raises(CommandError, match="no rows to import"):
        call_command("import_listings", str(path), "--kind", "result", stdout=StringIO())


def test_a_column_named_twice_is_a_file_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,title,owner_org,title\nX1,好,某大学,坏\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="column title more than once"):
        import_listings(path=path)


def test_extra_cells_beyond_the_header_are_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "id,title,owner_org\nX1,好,某大学\nX2,好,某大学,多出来的\nX3,好,某大学,,\n",
        encoding="utf-8",
    )
    report = import_listings(path=path)
    assert [(e.row, e.record_id, e.column) for e in report.errors] == [(2, "X2", "")]
    assert "no column name" in report.errors[0].message
    assert ResearchResult.objects.count() == 0


# --- re-imports never change the owner, and --status draft never unpublishes -----------------


def test_reimport_naming_another_organisation_is_a_row_error(tmp_path: Path) -> None:
    import_listings(path=write_json(tmp_path / "a.json", [result_record(id="R0001")]))
    path = write_json(
        tmp_path / "b.json", [result_record(id="R0001", owner_org="另一所大学", title="改")]
    )

    report = import_listings(path=path)

    assert not report.imported
    [error] = report.errors
    assert (error.row, error.record_id, error.column) == (1, "R0001", "owner_org")
    assert error.message.startswith("Source id R0001 belongs to 测试冶金大学")
    assert "the import names 另一所大学" in error.message
    result = ResearchResult.objects.get(source_id="R0001")
    assert (result.owner.legal_name, result.title) == ("测试冶金大学", "钢渣气淬余热回收技术")


def test_reimport_with_skip_invalid_still_never_moves_a_listing(tmp_path: Path) -> None:
    import_listings(path=write_json(tmp_path / "a.json", [result_record(id="R0001")]))
    path = write_json(
        tmp_path / "b.json",
        [result_record(id="R0001", owner_org="另一所大学"), result_record(id="R0002")],
    )
    report = import_listings(path=path, skip_invalid=True)
    assert (report.created, report.updated, report.skipped) == (1, 0, 1)
    assert ResearchResult.objects.get(source_id="R0001").owner.legal_name == "测试冶金大学"


def test_status_draft_applies_to_new_listings_only(tmp_path: Path) -> None:
    import_listings(path=write_json(tmp_path / "a.json", [result_record(id="R0001")]))
    published = ResearchResult.objects.get(source_id="R0001")
    assert published.status == ListingStatus.PUBLISHED
    path = write_json(
        tmp_path / "b.json",
        [result_record(id="R0001", title="新标题"), result_record(id="R0002")],
    )

    report = import_listings(path=path, status=ListingStatus.DRAFT)

    assert (report.created, report.updated) == (1, 1)
    existing = ResearchResult.objects.get(source_id="R0001")
    assert (existing.status, existing.title) == (ListingStatus.PUBLISHED, "新标题")
    assert existing.published_at == published.published_at
    assert ResearchResult.objects.get(source_id="R0002").status == ListingStatus.DRAFT


def test_status_published_publishes_an_existing_draft(tmp_path: Path) -> None:
    path = write_json(tmp_path / "a.json", [result_record(id="R0001")])
    import_listings(path=path, status=ListingStatus.DRAFT)
    import_listings(path=path)
    result = ResearchResult.objects.get(source_id="R0001")
    assert result.status == ListingStatus.PUBLISHED and result.published_at is not None


def test_command_help_says_draft_applies_to_new_listings_only(capsys) -> None:
    with pytest.raises(SystemExit):
        call_command("import_listings", "--help")
    assert "draft applies to new listings only" in " ".join(capsys.readouterr().out.split())


# --- patent numbers ------------------------------------------------------------------------


def test_usual_patent_number_forms_are_stored_in_canonical_form(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "patents.json",
        [
            result_record(id="P1", patent_no="ZL202110123456.7"),
            result_record(id="P2", patent_no="CN 2021 1 0123456"),  # check character omitted
            result_record(id="P3", patent_no="cn116245100a"),
            result_record(id="P4", patent_no="ZL２０２１１０１２３４５６．７"),
        ],
    )
    report = import_listings(path=path)
    assert report.imported is True, report.errors
    stored = dict(ResearchResult.objects.values_list("source_id", "patent_no"))
    assert stored == {
        "P1": "202110123456.7",
        "P2": "202110123456.7",
        "P3": "CN116245100A",
        "P4": "202110123456.7",
    }


def test_malformed_publication_numbers_are_row_errors_saying_what_is_wrong(
    tmp_path: Path,
) -> None:
    path = write_json(
        tmp_path / "bad_patents.json",
        [
            result_record(id="B1", patent_no="CN12345678A"),
            result_record(id="B2", patent_no="CN116245100Q"),
            result_record(id="B3", patent_no="CN216245100A"),
        ],
    )
    report = import_listings(path=path)
    assert report.imported is False
    messages = {e.record_id: e.message for e in report.errors}
    assert "this one has 8 digits" in messages["B1"]
    assert "kind code Q is unknown" in messages["B2"]
    assert "does not fit a number starting with 2" in messages["B3"]


def test_bundled_results_keep_their_canonical_patent_numbers() -> None:
    report = import_listings(path=RESULTS)
    assert report.imported is True
    numbers = set(ResearchResult.objects.exclude(patent_no="").values_list("patent_no", flat=True))
    assert numbers and all(n.startswith("CN") and len(n) == 12 for n in numbers)


def test_error_report_header_in_chinese_names_the_message_column_not_a_visitors_message():
    from django.utils import translation

    from kernel.tabular import RowError
    from marketplace.importing.report import format_error_table

    with translation.override("zh-hans"):
        table = format_error_table([RowError(2, "R1", "title", "", "必填")])
    header = table.splitlines()[0]
    assert "说明" in header and "留言" not in header
