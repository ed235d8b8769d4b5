"""Chinese patent numbers in one canonical form (CNIPA ZC 0006-2003, ZC 0007-2012): the usual
forms are understood, every other form is refused with a message that says what is wrong.
Check character: digits x weights 2,3,4,5,6,7,8,9,2,3,4,5 (left to right), sum mod 11, 10 -> X.
Plain pytest: no database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from marketplace.patent_numbers import canonical_patent_number, check_character
from marketplace.validators import normalize_patent_number, validate_patent_number


def _refusal(value: str, **kwargs: bool) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        canonical_patent_number(value, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("body", "check"),
    [
        # 2*2+0*3+1*4+7*5+1*6+0*7+6*8+0*9+1*2+8*3+6*4+2*5 = 157; 157 mod 11 = 3
        ("201710601862", "3"),
        # 2*2+0*3+2*4+1*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 117; 117 mod 11 = 7
        ("202110123456", "7"),
        # 2*2+0*3+2*4+2*5+1*6+0+0+0+0+0+0+3*5 = 43; 43 mod 11 = 10 -> X
        ("202210000003", "X"),
        # old 8-digit scheme: 9*2+7*3+1*4+0*5+1*6+7*7+6*8+5*9 = 191; 191 mod 11 = 4
        ("97101765", "4"),
    ],
)
def test_check_character_follows_zc0006(body, check):
    assert check_character(body) == check


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("202110123456.7", "202110123456.7"),
        ("ZL202110123456.7", "202110123456.7"),
        ("CN202110123456.7", "202110123456.7"),
        ("CNZL202110123456.7", "202110123456.7"),
        ("zl 2021 1 0123456.7", "202110123456.7"),
        ("ZL２０２１１０１２３４５６．７", "202110123456.7"),  # full width
        ("202110123456·7", "202110123456.7"),
        ("2021101234567", "202110123456.7"),  # check digit without its dot
        ("202210000003.x", "202210000003.X"),
        ("CN20221000000 3X", "202210000003.X"),
        ("202280012345.1", "202280012345.1"),  # PCT invention
        ("202330123456.7", "202330123456.7"),  # design
        ("ZL97101765.4", "97101765.4"),  # before 2003-10-01
        ("cn116245100a", "CN116245100A"),
        (" CN 218751475 U ", "CN218751475U"),
        ("CN104445812B", "CN104445812B"),
        ("CN301234567S", "CN301234567S"),
        ("CN116245100A8", "CN116245100A8"),  # corrected publication
    ],
)
def test_usual_forms_become_the_one_canonical_form(raw, canonical):
    assert canonical_patent_number(raw) == canonical
    assert normalize_patent_number(raw) == canonical
    validate_patent_number(canonical)


@pytest.mark.parametrize(
    ("value", "code", "says"),
    [
        ("201710601862.4", "patent_application_check_wrong", "check character 4 does not match"),
        ("202210000003.0", "patent_application_check_wrong", "does not match"),
        ("97101765.5", "patent_application_check_wrong", "does not match"),
        ("202110123456", "patent_application_check_missing", "check character is missing"),
        ("ZL202110123456.", "patent_application_check_missing", "check character is missing"),
        ("20211012345.6", "patent_application_length", "this one has 11"),
        ("202110123456.77", "patent_not_a_patent_number", "not a Chinese patent number"),
        ("202150123456.1", "patent_application_type", "type digit 5"),
        ("199910123456.1", "patent_application_year", "filing year 1999"),
        ("210010123456.1", "patent_application_year", "filing year 2100"),
        ("CN12345678A", "patent_publication_length", "this one has 8 digits"),
        ("CN1234567C", "patent_publication_length", "this one has 7 digits"),
        ("CN1234567890A", "patent_publication_length", "this one has 10 digits"),
        ("CN116245100Z", "patent_publication_kind", "kind code Z is unknown"),
        ("CN116245100A1", "patent_publication_kind", "kind code A1 is unknown"),
        ("CN216245100A", "patent_publication_kind_mismatch", "starting with 2"),
        ("CN116245100U", "patent_publication_kind_mismatch", "kind code U"),
        ("US1234567B2", "patent_not_a_patent_number", "not a Chinese patent number"),
        ("", "patent_not_a_patent_number", "not a Chinese patent number"),
        ("专利", "patent_not_a_patent_number", "not a Chinese patent number"),
    ],
)
def test_every_other_form_is_refused_saying_what_is_wrong(value, code, says):
    error = _refusal(value)
    assert error.code == code
    with translation.override("en"):
        assert says in error.messages[0]


def test_refusals_are_translated():
    with translation.override("zh-hans"):
        assert "校验位 4 与前面的数字不符" in _refusal("201710601862.4").messages[0]
        assert "文献种类代码 Z 无效" in _refusal("CN116245100Z").messages[0]


def test_importing_completes_a_missing_check_character_but_still_refuses_a_wrong_one():
    assert canonical_patent_number("ZL202110123456", complete_check=True) == "202110123456.7"
    assert _refusal("202110123456.8", complete_check=True).code == (
        "patent_application_check_wrong"
    )


def test_model_validator_accepts_only_the_canonical_form():
    with pytest.raises(ValidationError) as caught:
        validate_patent_number("ZL202110123456.7")
    assert caught.value.code == "patent_not_canonical"
    with translation.override("en"):
        assert "store it as 202110123456.7" in caught.value.messages[0]
