"""Reopening an approved, unsigned agreement to a draft, and approval refused while the
registration check finds blocking errors (service, API and web page)."""

from __future__ import annotations

import pytest

from contracts import services
from contracts.choices import AgreementStatus, EventKind
from contracts.limits import REASON_MAX_LENGTH
from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from tests.contracts import support
from tests.contracts.services.test_signing import sign
from tests.contracts.test_api import client_for, url
from tests.factories import login

pytestmark = pytest.mark.django_db


def test_either_party_reopens_an_approved_agreement_to_a_new_draft_version(
    frozen, researcher, enterprise_user
):
    frozen_version = frozen.frozen_version
    version = services.agreement_reopen(
        agreement=frozen, actor=researcher, client=support.CLIENT_B, reason="付款日期有误"
    )
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.DRAFT
    assert frozen.frozen_version is None and frozen.document_sha256 == ""
    assert frozen.approved_at is None
    assert not frozen.signatures.exists()
    assert version.number == frozen_version.number + 1
    assert version.content() == frozen_version.content() and version.author == researcher
    # History is kept: the old version still carries both approvals.
    assert sorted(frozen_version.approvals.values_list("party", flat=True)) == ["a", "b"]
    # The draft is editable again and needs both approvals anew.
    services.agreement_version_create(
        agreement=frozen,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes={"validity": {"place": "天津市"}},
    )
    services.agreement_approve(agreement=frozen, actor=enterprise_user, client=support.CLIENT_A)
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.DRAFT
    services.agreement_approve(agreement=frozen, actor=researcher, client=support.CLIENT_B)
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.APPROVED and frozen.frozen_version.number == 4


def test_reopening_is_audited_with_actor_client_hash_and_reason(frozen, researcher):
    frozen_sha = frozen.document_sha256
    services.agreement_reopen(
        agreement=frozen, actor=researcher, client=support.CLIENT_B, reason="付款日期有误"
    )
    event = frozen.events.get(kind=EventKind.REOPENED)
    assert event.actor == researcher and event.actor_name == researcher.username
    assert event.ip_address == support.CLIENT_B.ip_address
    assert event.user_agent == support.CLIENT_B.user_agent
    assert event.document_sha256 == frozen_sha
    assert event.details == {"version": 2, "new_version": 3, "reason": "付款日期有误"}


def test_a_partly_signed_agreement_can_be_reopened_and_the_signature_is_withdrawn(
    frozen, enterprise_user, researcher
):
    """A counterparty that never signs must not leave the agreement stuck: until the last
    signature no contract is formed (Civil Code Art. 490)."""
    sign(frozen, enterprise_user, support.CLIENT_A)
    version = services.agreement_reopen(
        agreement=frozen, actor=researcher, client=support.CLIENT_B
    )
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.DRAFT and frozen.signatures.count() == 0
    assert version.number == 3
    reopened = frozen.events.get(kind=EventKind.REOPENED)
    assert [s["party"] for s in reopened.details["withdrawn_signatures"]] == ["a"]
    assert frozen.events.filter(kind=EventKind.SIGNED).count() == 1  # the trail keeps it


def test_cannot_reopen_once_every_party_has_signed(frozen, enterprise_user, researcher):
    sign(frozen, enterprise_user, support.CLIENT_A)
    sign(frozen, researcher, support.CLIENT_B)
    with pytest.raises(ConflictError) as exc:
        services.agreement_reopen(agreement=frozen, actor=researcher, client=support.CLIENT_B)
    assert exc.value.code == "agreement_signed"


def test_cannot_reopen_a_draft_and_outsiders_cannot_reopen(agreement, frozen, outsider):
    with pytest.raises(ConflictError) as exc:
        services.agreement_reopen(
            agreement=agreement, actor=agreement.created_by, client=support.CLIENT_A
        )
    assert exc.value.code == "not_approved"
    with pytest.raises(PermissionDeniedError):
        services.agreement_reopen(agreement=frozen, actor=outsider, client=support.CLIENT_A)


def test_reopen_reason_longer_than_the_limit_is_refused(frozen, researcher):
    with pytest.raises(DomainError) as exc:
        services.agreement_reopen(
            agreement=frozen,
            actor=researcher,
            client=support.CLIENT_B,
            reason="因" * (REASON_MAX_LENGTH + 1),
        )
    assert "reason" in exc.value.fields
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.APPROVED


def test_api_reopen_answers_the_new_draft_version(frozen, enterprise_user):
    response = client_for(enterprise_user).post(
        url(frozen, "reopen/"), {"reason": "重新核对条款"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["frozen_version"] is None
    assert body["latest_version"] == 3


def test_api_reopen_of_a_draft_answers_409_not_approved(frozen, enterprise_user):
    services.agreement_reopen(agreement=frozen, actor=enterprise_user, client=support.CLIENT_A)
    again = client_for(enterprise_user).post(url(frozen, "reopen/"), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "not_approved"


def test_api_reopen_by_a_non_party_answers_404_and_changes_nothing(frozen, outsider):
    assert client_for(outsider).post(url(frozen, "reopen/"), {}).status_code == 404
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.APPROVED


def test_api_approval_with_blocking_errors_answers_400_listing_them(agreement, enterprise_user):
    response = client_for(enterprise_user).post(url(agreement, "approve/"), {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "registration_check_failed"
    assert set(body) == {"message", "code", "fields"}
    assert {"parties.a.credit_code", "parties.b.address", "validity.valid_until"} <= set(
        body["fields"]
    )
    assert all(isinstance(messages, list) and messages for messages in body["fields"].values())
    assert not agreement.approvals.exists()


def test_web_page_lists_blocking_errors_and_refuses_approval(agreement, enterprise_user):
    browser = login(enterprise_user)
    page = browser.get(f"/agreements/{agreement.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert "cannot be approved while the registration check finds blocking errors" in html
    assert "the unified social credit code is missing" in html
    assert "disabled" in html
    answer = browser.post(
        f"/agreements/{agreement.pk}/approve/", {"version": "1"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    shown = [str(m) for m in answer.context["messages"]]
    assert any("blocking errors" in m for m in shown)
    assert any("unified social credit code is missing" in m for m in shown)
    assert not agreement.approvals.exists()


def test_web_reopen_turns_the_agreement_back_into_a_draft(frozen, researcher):
    browser = login(researcher)
    page = browser.get(f"/agreements/{frozen.pk}/").content.decode()
    assert f"/agreements/{frozen.pk}/reopen/" in page
    answer = browser.post(f"/agreements/{frozen.pk}/reopen/", {"reason": "修改验收标准"})
    assert answer.status_code == 302
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.DRAFT
    assert frozen.events.filter(kind=EventKind.REOPENED).count() == 1


def test_a_version_reopened_without_a_reason_is_noted_in_the_readers_language(
    frozen, researcher
):
    version = services.agreement_reopen(
        agreement=frozen, actor=researcher, client=support.CLIENT_B
    )
    assert version.note == ""
    browser = login(researcher)
    previous = version.number - 1
    for language, note in (
        ("zh-hans", f"由 v{previous} 退回修改"),
        ("en", f"Reopened from v{previous}"),
    ):
        browser.cookies["django_language"] = language  # the language switch's choice
        detail = browser.get(f"/agreements/{frozen.pk}/")
        page = browser.get(f"/agreements/{frozen.pk}/versions/{version.number}/")
        assert note in detail.content.decode() and note in page.content.decode()
