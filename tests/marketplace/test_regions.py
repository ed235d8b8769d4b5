"""GB/T 2260 region codes: retired codes are refused with their successor named (in zh-Hans
and en), the successor table agrees with the code table it extends, and codes resolve to their
full names. Plain pytest: no database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.region_successors import SUCCESSORS, SUCCESSORS_SOURCE, current_successor
from marketplace.regions import (
    _PROVINCE_SHORT_NAMES,
    _region_table,
    province_label,
    province_short_name,
    region_code_error,
    region_full_name,
    region_label,
    region_name,
    region_table_source,
    validate_region_code,
)


def _error(code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_region_code(code)
    return caught.value


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "110103 was retired in 2010; use 110101 (东城区)."),
        ("zh-hans", "110103 已于 2010 年撤销；请使用 110101（东城区）。"),
    ],
)
def test_retired_code_is_refused_with_its_successor_named(language, message):
    error = _error("110103")
    assert error.code == "obsolete_region_code"
    assert error.params["successor"] == "110101" and error.params["year"] == 2010
    with translation.override(language):
        assert region_code_error("110103") == message


@pytest.mark.parametrize(
    ("retired", "year", "successor", "name"),
    [
        ("110104", 2010, "110102", "西城区"),  # 宣武区 merged into 西城区
        ("120107", 2009, "120116", "滨海新区"),  # 塘沽区
        ("120108", 2009, "120116", "滨海新区"),  # 汉沽区
        ("120109", 2009, "120116", "滨海新区"),  # 大港区
        ("110228", 2015, "110118", "密云区"),
        ("130604", 2015, "130606", "莲池区"),  # 保定 南市区
        ("131181", 2016, "131103", "冀州区"),
    ],
)
def test_well_known_changes_name_their_successor(retired, year, successor, name):
    with translation.override("en"):
        expected = f"{retired} was retired in {year}; use {successor} ({name})."
        assert region_code_error(retired) == expected


def test_a_chain_of_changes_leads_to_the_code_in_use_today():
    # 获鹿县 became 鹿泉市 (1994), which became 鹿泉区 (2014).
    with translation.override("en"):
        assert region_code_error("130122") == "130122 was retired in 1994; use 130110 (鹿泉区)."


def test_retired_code_without_a_single_successor_is_refused_with_its_year():
    # 石家庄市桥东区 was divided between 长安区 and 桥西区 in 2014.
    error = _error("130103")
    assert error.code == "obsolete_region_code" and "successor" not in error.params
    with translation.override("en"):
        assert region_code_error("130103") == (
            "130103 (桥东区) was retired in 2014; enter the current code of the division that "
            "took over the place."
        )


def test_successor_table_agrees_with_the_code_table():
    current, retired = _region_table()
    for code, row in SUCCESSORS.items():
        assert code in retired, code
        assert retired[code] == (row.name, row.year), code
        assert code[:2] == row.successor[:2], code  # within the same province
        final = current_successor(code)
        assert final is not None and final[1] in current, code
        if row.successor in current:
            assert current[row.successor] == row.successor_name, code
    assert "民政部" in SUCCESSORS_SOURCE


def test_code_table_cites_its_source_and_how_recent_it_is():
    source = region_table_source()
    assert "民政部" in source and "GB/T 2260" in source and "python-stdnum" in source
    assert "changes up to 2025" in source


def test_codes_in_use_resolve_to_their_full_names():
    assert region_full_name("131182") == "河北省衡水市深州市"
    assert region_full_name("110101") == "北京市东城区"
    assert region_full_name("120116") == "天津市滨海新区"
    assert region_full_name("130000") == "河北省"
    assert region_name("131182") == "深州市"
    assert region_full_name("110103") is None  # retired
    assert region_full_name("999999") is None
    # A county-level city governed by its province directly: no grouping row in its name.
    assert region_full_name("419001") == "河南省济源市"
    assert region_full_name("659001") == "新疆维吾尔自治区石河子市"
    # 郊区 is a district's own name, not a grouping row.
    assert region_full_name("340711") == "安徽省铜陵市郊区"


def test_english_pages_name_a_region_from_its_smallest_part_with_known_english_names():
    assert region_label("131182", "en") == "深州市, Hengshui, Hebei"
    assert region_label("110101", "en") == "东城区, Beijing"
    assert region_label("130000", "en") == "Hebei"
    assert region_label("131182", "zh-hans") == "河北省衡水市深州市"
    assert region_label("110103", "en") is None  # retired


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("北京市", "北京"), ("北京", "北京"), (" 河北省 ", "河北"), ("内蒙古自治区", "内蒙古"),
     ("火星", "火星")],
)
def test_province_names_are_kept_in_their_short_form(typed, stored):
    assert province_short_name(typed) == stored


@pytest.mark.parametrize(
    ("stored", "language", "shown"),
    [("河北", "en", "Hebei"), ("内蒙古", "en", "Inner Mongolia"), ("北京市", "en", "Beijing"),
     ("陕西", "en", "Shaanxi"), ("山西", "en", "Shanxi"), ("河北", "zh-hans", "河北"),
     ("火星", "en", "火星")],
)  # fmt: skip
def test_english_pages_name_provinces_in_english(stored, language, shown):
    assert province_label(stored, language) == shown


def test_every_province_level_division_has_an_english_name():
    from kernel.place_names import PROVINCE_EN

    assert set(PROVINCE_EN) == set(_PROVINCE_SHORT_NAMES.values())
    assert len(set(PROVINCE_EN.values())) == 34


@pytest.mark.django_db
def test_a_listing_typed_with_the_full_province_name_shares_the_short_name_facet(researcher):
    from marketplace import services

    result = services.research_result_create(
        actor=researcher, data={"title": "钢渣气淬", "province": "北京市"}
    )
    assert result.province == "北京"
    services.research_result_update(
        research_result=result, actor=researcher, data={"province": "天津市"}
    )
    result.refresh_from_db()
    assert result.province == "天津"


@pytest.mark.django_db
def test_an_organisation_typed_with_the_full_province_name_keeps_the_short_name():
    from marketplace import services
    from tests import factories

    organization = services.organization_create(
        actor=factories.UserFactory(),
        data={"kind": "enterprise", "legal_name": "示例省份有限公司", "province": "河北省"},
    )
    assert organization.province == "河北"
