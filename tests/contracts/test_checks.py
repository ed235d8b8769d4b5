"""Registration check: one test per refusal ground, plus a complete agreement passing."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from contracts import services
from contracts.checks import ERROR, GROUNDS, WARNING, check_agreement
from contracts.choices import ContractSubtype, ContractType
from contracts.models import AgreementVersion
from tests.contracts import support

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 15)


@pytest.fixture
def complete(agreement, enterprise_user):
    services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes=support.complete_changes(agreement),
    )
    return agreement


def variant(agreement, mutate):
    """An unsaved copy of the latest version with `mutate(content)` applied."""
    content = copy.deepcopy(agreement.latest_version().content())
    mutate(content)
    return AgreementVersion(agreement=agreement, number=99, **content)


def codes_for(agreement, mutate, today=TODAY):
    report = check_agreement(agreement=agreement, version=variant(agreement, mutate), today=today)
    return report


def test_complete_agreement_has_no_blocking_errors(complete):
    report = check_agreement(agreement=complete, today=TODAY)
    assert report.ok, [f.code for f in report.errors]


def test_every_ground_has_a_severity_and_both_languages():
    for code, (severity, zh, en) in GROUNDS.items():
        assert severity in (ERROR, WARNING), code
        assert zh and en and zh != en, code


def _assert_blocks(report, code, field):
    assert not report.ok
    found = [f for f in report.errors if f.code == code]
    assert found, [f.code for f in report.findings]
    assert found[0].field == field
    assert found[0].message_zh and found[0].message_en


def test_missing_legal_name_blocks(complete):
    report = codes_for(complete, lambda c: c["parties"]["a"].update(legal_name=""))
    _assert_blocks(report, "party_legal_name_missing", "parties.a.legal_name")


def test_missing_credit_code_blocks(complete):
    report = codes_for(complete, lambda c: c["parties"]["b"].update(credit_code=""))
    _assert_blocks(report, "party_credit_code_missing", "parties.b.credit_code")


def test_credit_code_with_wrong_check_character_blocks(complete):
    bad = "91110108MA01ABCDE1"  # the right check character is N
    report = codes_for(complete, lambda c: c["parties"]["a"].update(credit_code=bad))
    _assert_blocks(report, "party_credit_code_invalid", "parties.a.credit_code")


def test_missing_address_blocks(complete):
    report = codes_for(complete, lambda c: c["parties"]["a"].update(address=""))
    _assert_blocks(report, "party_address_missing", "parties.a.address")


def test_missing_region_code_only_warns(complete):
    report = codes_for(complete, lambda c: c["parties"]["b"].update(region_code=""))
    assert report.ok
    assert "party_region_code_missing" in {f.code for f in report.warnings}


def test_same_organisation_on_both_sides_blocks(complete):
    report = codes_for(complete, lambda c: c["parties"].update(b=dict(c["parties"]["a"])))
    _assert_blocks(report, "parties_identical", "parties")


def test_missing_project_name_blocks(complete):
    report = codes_for(complete, lambda c: c["clauses"].update(project_name=""))
    _assert_blocks(report, "project_name_missing", "clauses.project_name")


def test_unclear_subject_blocks(complete):
    report = codes_for(complete, lambda c: c["clauses"].update(subject="一项技术"))
    _assert_blocks(report, "subject_unclear", "clauses.subject")


def test_empty_required_clause_blocks(complete):
    report = codes_for(complete, lambda c: c["clauses"].update(dispute=""))
    _assert_blocks(report, "clause_missing", "clauses.dispute")


def test_empty_definitions_clause_only_warns(complete):
    report = codes_for(complete, lambda c: c["clauses"].update(definitions=""))
    assert report.ok
    assert "clause_empty" in {f.code for f in report.warnings}


def test_placeholder_left_blocks(agreement):
    # The fresh draft's performance clause still asks for the delivery period.
    report = check_agreement(agreement=agreement, today=TODAY)
    _assert_blocks(report, "placeholder_left", "clauses.performance")


def test_missing_price_blocks(complete):
    report = codes_for(complete, lambda c: c["payment"].update(total_cny=""))
    _assert_blocks(report, "price_missing", "payment.total_cny")


def test_missing_payment_method_blocks(complete):
    report = codes_for(complete, lambda c: c["payment"].update(method=""))
    _assert_blocks(report, "payment_method_invalid", "payment.method")


def test_instalments_not_summing_to_the_total_block(complete):
    def mutate(content):
        content["payment"]["schedule"][1]["amount_cny"] = "150000.00"

    report = codes_for(complete, mutate)
    _assert_blocks(report, "instalments_mismatch", "payment.schedule")
    finding = next(f for f in report.errors if f.code == "instalments_mismatch")
    assert "250000.00" in finding.message_en and "300000.00" in finding.message_en


def test_instalments_without_schedule_block(complete):
    report = codes_for(complete, lambda c: c["payment"].update(schedule=[]))
    _assert_blocks(report, "schedule_missing", "payment.schedule")


def test_bad_instalment_blocks(complete):
    def mutate(content):
        content["payment"]["schedule"][0]["amount_cny"] = "0"

    report = codes_for(complete, mutate)
    _assert_blocks(report, "schedule_entry_invalid", "payment.schedule.1")


def test_royalty_without_base_or_rate_blocks(complete):
    def mutate(content):
        content["payment"].update(method="royalty", schedule=[], royalty={})

    report = codes_for(complete, mutate)
    _assert_blocks(report, "royalty_base_missing", "payment.royalty.base")
    _assert_blocks(report, "royalty_rate_invalid", "payment.royalty.rate_percent")


def test_royalty_rate_above_100_percent_blocks(complete):
    def mutate(content):
        content["payment"].update(
            method="royalty", schedule=[], royalty={"base": "sales", "rate_percent": "120"}
        )

    report = codes_for(complete, mutate)
    _assert_blocks(report, "royalty_rate_invalid", "payment.royalty.rate_percent")


def test_royalty_with_entry_fee_needs_the_fee(complete):
    def mutate(content):
        content["payment"].update(
            method="royalty_with_entry_fee",
            schedule=[],
            royalty={"base": "sales", "rate_percent": "3"},
        )

    report = codes_for(complete, mutate)
    _assert_blocks(report, "entry_fee_missing", "payment.royalty.entry_fee_cny")


def test_technology_amount_above_total_blocks(complete):
    report = codes_for(complete, lambda c: c["payment"].update(technology_amount_cny="400000.00"))
    _assert_blocks(report, "technology_amount_exceeds_total", "payment.technology_amount_cny")


@pytest.mark.parametrize("key", ["invention_name", "patentee", "patent_no"])
def test_missing_patent_particulars_block_for_a_patent_subject(complete, key):
    report = codes_for(complete, lambda c: c["patent"].update({key: ""}))
    _assert_blocks(report, "patent_details_missing", f"patent.{key}")


def test_application_assignment_needs_the_application_number(
    enterprise_user, researcher, patent_result
):
    agreement = support.drafted(
        enterprise_user=enterprise_user,
        researcher=researcher,
        result=patent_result,
        contract_type=ContractType.TRANSFER,
        subtype=ContractSubtype.PATENT_APPLICATION_ASSIGNMENT,
    )
    report = check_agreement(agreement=agreement, today=TODAY)
    _assert_blocks(report, "patent_details_missing", "patent.application_no")


def test_patent_particulars_are_not_required_for_know_how(enterprise_user, researcher, result):
    agreement = support.drafted(
        enterprise_user=enterprise_user,
        researcher=researcher,
        result=result,
        contract_type=ContractType.TRANSFER,
        subtype=ContractSubtype.KNOW_HOW_TRANSFER,
    )
    report = check_agreement(agreement=agreement, today=TODAY)
    assert not {f.code for f in report.findings} & {
        "patent_details_missing",
        "patent_details_incomplete",
    }


def test_malformed_patent_number_blocks(complete):
    report = codes_for(complete, lambda c: c["patent"].update(patent_no="ZL12345"))
    _assert_blocks(report, "patent_number_invalid", "patent.patent_no")


def test_expired_patent_blocks(complete):
    report = codes_for(complete, lambda c: c["patent"].update(valid_until="2020-01-01"))
    _assert_blocks(report, "patent_expired", "patent.valid_until")


def test_missing_application_date_only_warns(complete):
    report = codes_for(complete, lambda c: c["patent"].update(application_date=""))
    assert report.ok
    assert "patent_details_incomplete" in {f.code for f in report.warnings}


def test_patentee_other_than_party_b_warns(complete):
    report = codes_for(complete, lambda c: c["patent"].update(patentee="另一家研究院"))
    assert report.ok
    assert "patentee_not_party_b" in {f.code for f in report.warnings}


def test_missing_validity_blocks(complete):
    report = codes_for(complete, lambda c: c["validity"].update(valid_until=""))
    _assert_blocks(report, "validity_missing", "validity.valid_until")


def test_validity_ending_before_it_starts_blocks(complete):
    report = codes_for(
        complete, lambda c: c["validity"].update(valid_from="2030-01-01", valid_until="2029-01-01")
    )
    _assert_blocks(report, "validity_invalid", "validity.valid_until")


def test_validity_already_ended_blocks(complete):
    report = codes_for(complete, lambda c: c["validity"].update(valid_until="2025-12-31"))
    _assert_blocks(report, "validity_invalid", "validity.valid_until")


def test_missing_signing_place_only_warns(complete):
    report = codes_for(complete, lambda c: c["validity"].update(place=""))
    assert report.ok
    assert "signing_place_missing" in {f.code for f in report.warnings}


def test_payment_due_after_the_agreement_ends_warns(complete):
    def mutate(content):
        content["payment"]["schedule"][1]["due_date"] = "2036-06-30"

    report = codes_for(complete, mutate)
    assert report.ok
    assert "payment_after_validity" in {f.code for f in report.warnings}


def test_check_service_records_the_codes_found(complete, researcher):
    report = services.agreement_check(
        agreement=complete, actor=researcher, client=support.CLIENT_B
    )
    event = complete.events.get(kind="checked")
    assert event.details["errors"] == sorted({f.code for f in report.errors})
    assert event.document_sha256 == complete.latest_version().sha256
