"""Identifiers inside agreements: parties' GB/T 2260 region codes are validated when stored,
checked before registration and printed with their names; patent numbers are stored in their
canonical form (CNIPA ZC 0006-2003 / ZC 0007-2012)."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from django.utils import translation

from contracts import services
from contracts.checks import check_agreement
from contracts.models import AgreementVersion
from contracts.registration_export import registration_form_for, registration_rows
from kernel.errors import DomainError
from tests.contracts import support
from tests.contracts.test_api import client_for, url

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 15)


def edit(agreement, user, changes):
    return services.agreement_version_create(
        agreement=agreement, actor=user, client=support.CLIENT_A, changes=changes
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "110103 was retired in 2010; use 110101 (东城区)."),
        ("zh-hans", "110103 已于 2010 年撤销；请使用 110101（东城区）。"),
    ],
)
def test_a_party_region_code_that_was_retired_is_refused_naming_its_successor(
    agreement, enterprise_user, language, message
):
    with translation.override(language), pytest.raises(DomainError) as caught:
        edit(agreement, enterprise_user, {"parties": {"a": {"region_code": "110103"}}})
    assert caught.value.fields == {"parties.a.region_code": [message]}
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_api_answers_400_for_an_unknown_party_region_code(agreement, enterprise_user):
    response = client_for(enterprise_user).post(
        url(agreement, "versions/"),
        {"parties": {"b": {"region_code": "999999"}}, "base_version": 1},
        format="json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"message", "code", "fields"}
    assert "999999 is not a known administrative division code" in (
        body["fields"]["parties.b.region_code"][0]
    )


def test_a_valid_party_region_code_is_stored(agreement, enterprise_user):
    version = edit(agreement, enterprise_user, {"parties": {"a": {"region_code": "120116"}}})
    assert version.parties["a"]["region_code"] == "120116"


def _check_with(agreement, mutate):
    content = copy.deepcopy(agreement.latest_version().content())
    mutate(content)
    version = AgreementVersion(agreement=agreement, number=99, **content)
    return check_agreement(agreement=agreement, version=version, today=TODAY)


@pytest.mark.parametrize(
    ("code", "says"),
    [("110103", "use 110101 (东城区)"), ("999999", "not a known administrative division")],
)
def test_registration_check_blocks_a_stored_region_code_not_in_use(agreement, code, says):
    report = _check_with(agreement, lambda c: c["parties"]["b"].update(region_code=code))
    found = [f for f in report.errors if f.code == "party_region_code_invalid"]
    assert [f.field for f in found] == ["parties.b.region_code"]
    assert says in found[0].message_en and "行政区划代码无效" in found[0].message_zh


def test_registration_form_prints_the_full_region_name(agreement, enterprise_user):
    edit(agreement, enterprise_user, {"parties": {"a": {"region_code": "131182"}}})
    form = registration_form_for(agreement)
    buyer = next(p for p in form.parties if p.role.startswith("买方"))
    assert (buyer.region_code, buyer.region_name) == ("131182", "河北省衡水市深州市")
    cells = [value for _label, value in registration_rows(form)]
    assert "河北省衡水市深州市" in cells


def test_patent_numbers_are_stored_in_canonical_form(agreement, enterprise_user):
    version = edit(
        agreement,
        enterprise_user,
        {"patent": {"application_no": "ZL 2021 1 0123456.7", "patent_no": "cn218751475u"}},
    )
    assert version.patent["application_no"] == "202110123456.7"
    assert version.patent["patent_no"] == "CN218751475U"


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"patent_no": "CN2187514U"}, "patent.patent_no", "this one has 7 digits"),
        ({"application_no": "202110123456.8"}, "patent.application_no", "does not match"),
        ({"application_no": "CN218751475U"}, "patent.application_no", "is a publication number"),
    ],
)
def test_malformed_patent_numbers_are_refused_saying_what_is_wrong(
    agreement, enterprise_user, changes, field, says
):
    with translation.override("en"), pytest.raises(DomainError) as caught:
        edit(agreement, enterprise_user, {"patent": changes})
    assert says in caught.value.fields[field][0]


def test_registration_check_says_what_is_wrong_with_a_stored_patent_number(agreement):
    report = _check_with(agreement, lambda c: c["patent"].update(patent_no="CN116245100U"))
    found = [f for f in report.errors if f.code == "patent_number_invalid"]
    assert found and "kind code U does not fit" in found[0].message_en
    assert "文献种类代码 U" in found[0].message_zh


def test_registration_form_names_what_is_wrong_with_a_stored_retired_code(agreement):
    version = agreement.latest_version()
    version.parties["b"]["region_code"] = "110104"  # stored before codes were validated
    AgreementVersion.objects.filter(pk=version.pk).update(parties=version.parties)
    agreement.refresh_from_db()
    seller = next(p for p in registration_form_for(agreement).parties if p.role.startswith("卖方"))
    assert seller.region_name == "无效代码：110104 已于 2010 年撤销；请使用 110102（西城区）。"
