"""Tests for marketplace.validators. Plain pytest: no database, no fixtures needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from marketplace.validators import (
    city_code_for,
    normalize_ipc_symbol,
    normalize_patent_number,
    province_code_for,
    region_name,
    validate_credit_code,
    validate_ipc_symbol,
    validate_patent_number,
    validate_region_code,
    validate_trl,
)


def _error_code(validator: Callable[[Any], object], value: object) -> str | None:
    """Run ``validator`` expecting a ValidationError; return its code."""
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    assert excinfo.value.params == {"value": value}
    return excinfo.value.code


# ---------------------------------------------------------------------------
# Unified social credit code, GB 32100-2015
# ---------------------------------------------------------------------------

VALID_CREDIT_CODES = [
    "91110000600037341L",  # example from python-stdnum's documentation (stdnum.cn.uscc)
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_credit_code_with_correct_check_character_is_accepted(code: str) -> None:
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341A",  # last character changed: expected L
        "914403001922038217",  # expected 6
        "9144030071526726XH",  # expected G
    ],
)
def test_credit_code_with_wrong_check_character_is_rejected(code: str) -> None:
    assert _error_code(validate_credit_code, code) == "invalid_credit_code_check"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "12345",  # too short
        "91110000600037341L0",  # too long
        "A1110000600037341L",  # first 8 must be digits
        "91110000600037341I",  # I is not in the GB 32100 alphabet
        "91110000600037341l",  # lower case: not canonical
        " 91110000600037341L",  # surrounding space: caller strips
        "9 1 110000 600037341L",  # inner spaces: not canonical
    ],
)
def test_credit_code_with_wrong_length_or_characters_is_rejected_as_format_error(
    code: str,
) -> None:
    assert _error_code(validate_credit_code, code) == "invalid_credit_code_format"


def test_credit_code_format_and_check_errors_have_different_codes() -> None:
    assert _error_code(validate_credit_code, "12345") != _error_code(
        validate_credit_code, "91110000600037341A"
    )


# ---------------------------------------------------------------------------
# Administrative division codes, GB/T 2260
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "110000",  # 北京市
        "120000",  # 天津市
        "130000",  # 河北省
        "131100",  # 衡水市 (prefecture)
        "130100",  # 石家庄市
        "131182",  # 深州市 (county level)
        "410100",  # 郑州市
        "419001",  # 济源市: code reused, "[1986-1989]义马市,[1997-]济源市"
        "810000",  # 香港特别行政区
    ],
)
def test_region_code_in_use_is_accepted(code: str) -> None:
    validate_region_code(code)


@pytest.mark.parametrize("code", ["999999", "000000", "990000", "131199"])
def test_region_code_that_does_not_exist_is_rejected(code: str) -> None:
    assert _error_code(validate_region_code, code) == "unknown_region_code"


def test_abolished_region_code_is_rejected_as_obsolete() -> None:
    # 110103 崇文区 was merged into 东城区 in 2010.
    assert _error_code(validate_region_code, "110103") == "obsolete_region_code"


@pytest.mark.parametrize(
    "code",
    ["", "12345", "1234567", "abcdef", "11000a", " 110000", "１１００００"],  # last: full width
)
def test_region_code_that_is_not_six_ascii_digits_is_rejected_as_format_error(code: str) -> None:
    assert _error_code(validate_region_code, code) == "invalid_region_code_format"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("110000", "北京市"),
        ("130000", "河北省"),
        ("131100", "衡水市"),
        ("130100", "石家庄市"),
        ("120110", "东丽区"),  # renamed from 东郊区 in 1992: the current name wins
        ("810000", "香港特别行政区"),
    ],
)
def test_region_name_returns_the_current_chinese_name(code: str, name: str) -> None:
    assert region_name(code) == name


@pytest.mark.parametrize("code", ["999999", "110103", "abc"])
def test_region_name_is_none_for_unknown_or_abolished_codes(code: str) -> None:
    assert region_name(code) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("北京", "110000"),
        ("北京市", "110000"),
        ("天津", "120000"),
        ("天津市", "120000"),
        ("河北", "130000"),
        ("河北省", "130000"),
        ("内蒙古", "150000"),
        ("内蒙古自治区", "150000"),
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("西藏", "540000"),
        ("宁夏", "640000"),
        ("新疆", "650000"),
        ("新疆维吾尔自治区", "650000"),
        ("台湾", "710000"),
        ("香港", "810000"),
        ("香港特别行政区", "810000"),
        ("澳门", "820000"),
        ("重庆", "500000"),
        ("黑龙江省", "230000"),
    ],
)
def test_province_code_for_maps_short_and_full_names(name: str, code: str) -> None:
    assert province_code_for(name) == code


def test_province_code_for_covers_all_34_province_level_divisions() -> None:
    from marketplace.validators import _PROVINCES

    assert len(_PROVINCES) == 34
    for code, full_name in _PROVINCES.items():
        validate_region_code(code)
        assert province_code_for(full_name) == code


@pytest.mark.parametrize("name", ["", "火星", "河北北", "Hebei"])
def test_province_code_for_unknown_name_is_none(name: str) -> None:
    assert province_code_for(name) is None


@pytest.mark.parametrize(
    ("province", "city", "code"),
    [
        ("河北", "衡水", "131100"),
        ("河北省", "衡水市", "131100"),
        ("河北", "石家庄", "130100"),
        ("河南", "郑州", "410100"),
        ("北京", "北京", "110000"),
        ("北京市", "北京市", "110000"),
        ("天津", "天津", "120000"),
        ("上海", "上海", "310000"),
        ("重庆", "重庆", "500000"),
        ("吉林", "吉林", "220200"),  # city with the province's name
        ("吉林", "延边", "222400"),  # 延边朝鲜族自治州
        ("内蒙古", "锡林郭勒", "152500"),  # 锡林郭勒盟
        ("河南", "济源", "419001"),  # county-level city directly under the province
    ],
)
def test_city_code_for_finds_prefecture_level_code(province: str, city: str, code: str) -> None:
    assert city_code_for(province, city) == code


@pytest.mark.parametrize(
    ("province", "city"),
    [
        ("河北", "北京"),  # wrong province
        ("北京", "海淀"),  # a district, not a city
        ("火星", "衡水"),  # unknown province
        ("河北", ""),
        ("河北", "不存在"),
    ],
)
def test_city_code_for_unknown_pair_is_none(province: str, city: str) -> None:
    assert city_code_for(province, city) is None


# ---------------------------------------------------------------------------
# IPC symbols, WIPO Guide to the IPC
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "symbol",
    [
        "H01M 10/052",
        "H01M10/052",
        "B64U20/80",
        "G06F18/2321",
        "G06N 3/08",
        "A61K 31/00",
        "C12N 15/113",
        "H01M",
    ],
)
def test_ipc_symbol_with_or_without_space_and_subclass_only_is_accepted(symbol: str) -> None:
    validate_ipc_symbol(symbol)


@pytest.mark.parametrize(
    "symbol",
    [
        "",
        "h01m 10/052",  # lower case
        "H01m 10/052",
        "I01M 10/052",  # no section I
        "H1M 10/052",  # class needs 2 digits
        "H00M 10/052",  # no class 00
        "H01",  # class without subclass letter
        "H01M 10/5",  # subgroup needs at least 2 digits
        "H01M 10/0521234",  # subgroup at most 6 digits
        "H01M 12345/00",  # main group at most 4 digits
        "H01M 0/00",  # no main group 0
        "H01M 10052",  # missing slash
        "H01M  10/052",  # two spaces
        " H01M 10/052",
        "H01M 10/052 ",
        "not an ipc",
    ],
)
def test_malformed_ipc_symbol_is_rejected(symbol: str) -> None:
    assert _error_code(validate_ipc_symbol, symbol) == "invalid_ipc_symbol"


@pytest.mark.parametrize(
    ("symbol", "canonical"),
    [
        ("H01M10/052", "H01M 10/052"),
        ("H01M 10/052", "H01M 10/052"),
        ("B64U20/80", "B64U 20/80"),
        ("G06F18/2321", "G06F 18/2321"),
        ("H01M 0010/052", "H01M 10/052"),
        ("H01M", "H01M"),
    ],
)
def test_normalize_ipc_symbol_returns_canonical_spaced_form(symbol: str, canonical: str) -> None:
    assert normalize_ipc_symbol(symbol) == canonical


def test_normalize_ipc_symbol_rejects_invalid_symbol() -> None:
    assert _error_code(normalize_ipc_symbol, "h01m10/052") == "invalid_ipc_symbol"


# ---------------------------------------------------------------------------
# Chinese patent numbers (CNIPA)
# Check character: digits x weights 2,3,4,5,6,7,8,9,2,3,4,5 (left to right), sum mod 11, 10 -> X.
# ---------------------------------------------------------------------------

VALID_APPLICATION_NUMBERS = [
    # 2*2+0*3+1*4+7*5+1*6+0*7+6*8+0*9+1*2+8*3+6*4+2*5 = 157; 157 mod 11 = 3
    "201710601862.3",
    # 2*2+0*3+0*4+5*5+1*6+0*7+0*8+8*9+6*2+9*3+0*4+3*5 = 161; 161 mod 11 = 7
    "ZL200510086903.7",
    # 2*2+0*3+2*4+1*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 117; 117 mod 11 = 7
    "ZL202110123456.7",
    "CN202110123456.7",
    "CNZL202110123456.7",
    # 2*2+0*3+2*4+2*5+1*6+0+0+0+0+0+0+3*5 = 43; 43 mod 11 = 10 -> X
    "202210000003.X",
    # PCT invention (type 8): 4+0+8+10+8*6+0+0+1*9+2*2+3*3+4*4+5*5 = 133; 133 mod 11 = 1
    "202280012345.1",
    # design (type 3): 4+0+8+3*5+3*6+0+1*8+2*9+3*2+4*3+5*4+6*5 = 139; 139 mod 11 = 7
    "202330123456.7",
    # utility model (type 2): 4+0+1*4+9*5+2*6+0+1*8+2*9+3*2+4*3+5*4+6*5 = 159; 159 mod 11 = 5
    "201920123456.5",
    # old 8-digit scheme: 9*2+7*3+1*4+0*5+1*6+7*7+6*8+5*9 = 191; 191 mod 11 = 4
    "97101765.4",
    "ZL97101765.4",
]


@pytest.mark.parametrize("number", VALID_APPLICATION_NUMBERS)
def test_application_number_with_correct_check_character_is_accepted(number: str) -> None:
    validate_patent_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "201710601862.4",  # expected 3
        "ZL202110123456.8",  # expected 7
        "202210000003.0",  # expected X
        "202210000002.X",  # expected 5
        "97101765.5",  # expected 4
    ],
)
def test_application_number_with_wrong_check_character_is_rejected(number: str) -> None:
    assert _error_code(validate_patent_number, number) == "invalid_patent_number_check"


@pytest.mark.parametrize("number", ["201710601862", "ZL202110123456", "CN97101765"])
def test_application_number_without_check_part_is_accepted_on_format_alone(number: str) -> None:
    validate_patent_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "CN218751475U",
        "CN116245100A",
        "CN115883397B",
        "CN104445812B",
        "CN1234567C",
        "CN201234567Y",
        "CN301234567S",
        "CN116245100A1",
    ],
)
def test_publication_number_with_kind_code_is_accepted(number: str) -> None:
    validate_patent_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "CN12X",
        "CN12345A",  # too few digits
        "CN1234567890A",  # too many digits
        "CN116245100Z",  # no kind code Z
        "116245100A",  # publication numbers need CN
        "US1234567B2",
        "202110123456.",  # dot without check character
        "202110123456.77",
        "20211012345.6",  # 11 digits
        "202150123456.1",  # no application type 5
        "199910123456",  # 12-digit scheme started in 2003
        "99510001",  # no application type 5
        "zl202110123456.7",  # lower case: normalise first
        "ZL 202110123456.7",  # space: normalise first
        "202110123456.x",
    ],
)
def test_malformed_patent_number_is_rejected_as_format_error(number: str) -> None:
    assert _error_code(validate_patent_number, number) == "invalid_patent_number_format"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("zl 2021 1 0123456.7", "ZL202110123456.7"),
        ("cn116245100a", "CN116245100A"),
        (" CN 218751475 U ", "CN218751475U"),
        ("202210000003.x", "202210000003.X"),
    ],
)
def test_normalize_patent_number_uppercases_and_strips_spaces(raw: str, normalized: str) -> None:
    assert normalize_patent_number(raw) == normalized


def test_normalize_patent_number_still_checks_the_check_character() -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_patent_number("zl 2021 1 0123456.8")
    assert excinfo.value.code == "invalid_patent_number_check"


# ---------------------------------------------------------------------------
# Technology readiness level, GB/T 22900-2022
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", range(1, 10))
def test_trl_from_1_to_9_is_accepted(level: int) -> None:
    validate_trl(level)


@pytest.mark.parametrize("level", [0, 10, -1, 100, True, "5", 5.0, None])
def test_trl_outside_1_to_9_or_not_an_int_is_rejected(level: object) -> None:
    assert _error_code(validate_trl, level) == "invalid_trl"
