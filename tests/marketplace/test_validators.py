"""Tests for marketplace.validators. Plain pytest: no database, no fixtures needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from marketplace.regions import city_code_for, province_code_for, region_name
from marketplace.validators import (
    normalize_ipc_symbol,
    validate_credit_code,
    validate_ipc_symbol,
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
    from marketplace.regions import _PROVINCES

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
# Technology readiness level, GB/T 22900-2022
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", range(1, 10))
def test_trl_from_1_to_9_is_accepted(level: int) -> None:
    validate_trl(level)


@pytest.mark.parametrize("level", [0, 10, -1, 100, True, "5", 5.0, None])
def test_trl_outside_1_to_9_or_not_an_int_is_rejected(level: object) -> None:
    assert _error_code(validate_trl, level) == "invalid_trl"
