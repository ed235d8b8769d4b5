"""Drafting from a match request, versions with diffs and authors, approval and freezing."""

from __future__ import annotations

import pytest

from contracts import selectors, services
from contracts.choices import AgreementStatus, ContractSubtype, ContractType
from contracts.models import AgreementVersion
from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from matching.match_requests import services as match_services
from matching.models import MatchRequestStatus
from tests.contracts import support

pytestmark = pytest.mark.django_db


def test_draft_from_accepted_request_fills_parties_technology_and_price(
    enterprise_user, researcher, patent_result, enterprise, university
):
    patent_result.asking_price_cny = support.PRICE
    patent_result.save()
    agreement = support.drafted(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )
    assert agreement.number.startswith("KQ-")
    assert (agreement.contract_type, agreement.subtype) == (
        ContractType.TRANSFER,
        ContractSubtype.PATENT_ASSIGNMENT,
    )
    # Party A is the enterprise (transferee), party B the result's owner (transferor).
    assert agreement.party_a == enterprise
    assert agreement.party_b == university
    version = agreement.latest_version()
    assert version is not None and version.number == 1 and version.author == enterprise_user
    assert version.parties["a"]["legal_name"] == enterprise.legal_name
    assert version.parties["b"]["legal_name"] == university.legal_name
    assert version.clauses["project_name"] == patent_result.title
    assert patent_result.title in version.clauses["subject"]
    assert version.patent["patent_no"] == "CN218751475U"
    assert version.patent["patentee"] == university.legal_name
    assert version.payment["total_cny"] == "300000.00"
    assert agreement.status == AgreementStatus.DRAFT


@pytest.mark.parametrize("status", [MatchRequestStatus.OPEN, MatchRequestStatus.DECLINED])
def test_cannot_draft_from_a_request_that_is_not_accepted(
    enterprise_user, researcher, patent_result, status
):
    request = match_services.match_request_create(
        actor=enterprise_user, research_result=patent_result, message="请介绍。"
    )
    if status == MatchRequestStatus.DECLINED:
        match_services.match_request_decline(
            match_request=request, actor=researcher, reason="price"
        )
    with pytest.raises(ConflictError) as exc:
        services.agreement_create_from_match_request(
            match_request=request, actor=enterprise_user, client=support.CLIENT_A
        )
    assert exc.value.code == "match_request_not_accepted"


def test_cannot_draft_twice_from_one_request(agreement, enterprise_user):
    with pytest.raises(ConflictError) as exc:
        services.agreement_create_from_match_request(
            match_request=agreement.match_request, actor=enterprise_user, client=support.CLIENT_A
        )
    assert exc.value.code == "agreement_exists"


def test_outsider_cannot_draft(enterprise_user, researcher, patent_result, outsider):
    request = support.accepted_request(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )
    with pytest.raises(PermissionDeniedError):
        services.agreement_create_from_match_request(
            match_request=request, actor=outsider, client=support.CLIENT_A
        )


def test_draft_with_an_explicit_type_uses_its_template(enterprise_user, researcher, result):
    agreement = support.drafted(
        enterprise_user=enterprise_user,
        researcher=researcher,
        result=result,
        contract_type=ContractType.DEVELOPMENT,
        subtype=ContractSubtype.JOINT_DEVELOPMENT,
    )
    version = agreement.latest_version()
    assert "contributions" in version.clauses
    assert version.patent == {}


def test_draft_refuses_a_subtype_of_another_type(enterprise_user, researcher, result):
    with pytest.raises(DomainError) as exc:
        support.drafted(
            enterprise_user=enterprise_user,
            researcher=researcher,
            result=result,
            contract_type=ContractType.SERVICE,
            subtype=ContractSubtype.PATENT_LICENCE,
        )
    assert "subtype" in exc.value.fields


def test_every_edit_is_a_new_version_with_author_and_readable_diff(
    agreement, enterprise_user, researcher
):
    services.agreement_version_create(
        agreement=agreement,
        actor=researcher,
        client=support.CLIENT_B,
        changes={"clauses": {"breach": "违约方应赔偿守约方的全部损失。"}},
        note="违约条款",
    )
    services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes={"payment": {"total_cny": "250000"}},
    )
    versions = list(selectors.agreement_versions(agreement=agreement))
    assert [(v.number, v.author) for v in versions] == [
        (1, enterprise_user),
        (2, researcher),
        (3, enterprise_user),
    ]
    assert versions[1].note == "违约条款"
    diff = selectors.agreement_version_diff(version=versions[1])
    assert [d.key for d in diff] == ["clauses.breach"]
    ops = diff[0].ops
    new_text = "".join(text for op, text in ops if op in ("equal", "insert"))
    old_text = "".join(text for op, text in ops if op in ("equal", "delete"))
    assert new_text == versions[1].clauses["breach"] == "违约方应赔偿守约方的全部损失。"
    assert old_text == versions[0].clauses["breach"]
    assert any(op == "insert" for op, _ in ops) and any(op == "delete" for op, _ in ops)
    assert diff[0].title_zh == "违约金或者损失赔偿的计算方法"
    payment_diff = selectors.agreement_version_diff(version=versions[2])
    assert [d.key for d in payment_diff] == ["payment"]
    assert "total_cny: 250000.00" in payment_diff[0].unified
    assert versions[2].payment["total_cny"] == "250000.00"


def test_edit_without_changes_is_refused(agreement, enterprise_user):
    current = agreement.latest_version().clauses["breach"]
    with pytest.raises(DomainError) as exc:
        services.agreement_version_create(
            agreement=agreement,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"clauses": {"breach": current}},
        )
    assert exc.value.code == "no_changes"


def test_amounts_are_read_as_the_importer_reads_them(agreement, enterprise_user):
    version = services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes={"payment": {"total_cny": "50万"}},
    )
    assert version.payment["total_cny"] == "500000.00"
    with pytest.raises(DomainError) as exc:
        services.agreement_version_create(
            agreement=agreement,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"payment": {"total_cny": "12.345"}},
        )
    assert exc.value.fields["payment.total_cny"] == ["Enter at most 2 decimal places."]


def test_edit_of_unknown_clause_or_bad_amount_is_400_per_field(agreement, enterprise_user):
    with pytest.raises(DomainError) as exc:
        services.agreement_version_create(
            agreement=agreement,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"clauses": {"no_such_clause": "x"}},
        )
    assert "clauses.no_such_clause" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.agreement_version_create(
            agreement=agreement,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"payment": {"total_cny": "-5"}},
        )
    assert "payment.total_cny" in exc.value.fields
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        (
            {"clauses": {"subject": "付款金额\u202e0001\u202c元"}},
            "clauses.subject",
            "U+202E, U+202C",
        ),
        ({"parties": {"a": {"address": "北京\u200b市"}}}, "parties.a.address", "U+200B"),
        ({"validity": {"place": "北京\x07"}}, "validity.place", "U+0007"),
    ],
)
def test_texts_that_are_signed_refuse_invisible_and_direction_changing_characters(
    agreement, enterprise_user, changes, path, code
):
    with pytest.raises(DomainError) as exc:
        services.agreement_version_create(
            agreement=agreement, actor=enterprise_user, client=support.CLIENT_A, changes=changes
        )
    assert exc.value.fields[path] == [
        f"Remove the invisible or direction-changing characters ({code})."
    ]
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_line_breaks_and_tabs_in_clauses_are_kept(agreement, enterprise_user):
    version = services.agreement_version_create(
        agreement=agreement,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes={"clauses": {"subject": "第一款\n\t第二款"}},
    )
    assert version.clauses["subject"] == "第一款\n\t第二款"


def test_stale_base_version_is_a_conflict(agreement, enterprise_user, researcher):
    services.agreement_version_create(
        agreement=agreement,
        actor=researcher,
        client=support.CLIENT_B,
        changes={"validity": {"place": "北京"}},
        base_version=1,
    )
    with pytest.raises(ConflictError) as exc:
        services.agreement_version_create(
            agreement=agreement,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"validity": {"place": "天津"}},
            base_version=1,
        )
    assert exc.value.code == "stale_version"


def test_outsider_cannot_edit(agreement, outsider):
    with pytest.raises(PermissionDeniedError):
        services.agreement_version_create(
            agreement=agreement,
            actor=outsider,
            client=support.CLIENT_A,
            changes={"validity": {"place": "北京"}},
        )


def test_both_approvals_freeze_the_latest_version(complete, enterprise_user, researcher):
    services.agreement_approve(agreement=complete, actor=enterprise_user, client=support.CLIENT_A)
    complete.refresh_from_db()
    assert complete.status == AgreementStatus.DRAFT
    services.agreement_approve(agreement=complete, actor=researcher, client=support.CLIENT_B)
    complete.refresh_from_db()
    version = complete.latest_version()
    assert complete.status == AgreementStatus.APPROVED
    assert complete.frozen_version == version
    assert complete.document_sha256 == version.compute_sha256() == version.sha256
    slots = list(complete.signatures.order_by("position"))
    assert [(s.party, s.position) for s in slots] == [("a", 1), ("b", 2)]


def test_a_new_version_needs_new_approvals(complete, enterprise_user, researcher):
    services.agreement_approve(agreement=complete, actor=enterprise_user, client=support.CLIENT_A)
    services.agreement_version_create(
        agreement=complete,
        actor=researcher,
        client=support.CLIENT_B,
        changes={"validity": {"place": "北京"}},
    )
    services.agreement_approve(agreement=complete, actor=researcher, client=support.CLIENT_B)
    complete.refresh_from_db()
    assert complete.status == AgreementStatus.DRAFT


def test_approving_twice_is_a_conflict(complete, enterprise_user):
    services.agreement_approve(agreement=complete, actor=enterprise_user, client=support.CLIENT_A)
    with pytest.raises(ConflictError) as exc:
        services.agreement_approve(
            agreement=complete, actor=enterprise_user, client=support.CLIENT_A
        )
    assert exc.value.code == "already_approved"


def test_edit_after_freeze_is_a_conflict(frozen, enterprise_user):
    with pytest.raises(ConflictError) as exc:
        services.agreement_version_create(
            agreement=frozen,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"validity": {"place": "天津"}},
        )
    assert exc.value.code == "agreement_frozen"
    with pytest.raises(ConflictError):
        services.agreement_approve(agreement=frozen, actor=enterprise_user, client=support.CLIENT_A)
