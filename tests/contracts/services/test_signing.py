"""Signing: order, password, typed name, document hash, registration check, sealing, audit
trail, immutability and amendments."""

from __future__ import annotations

import hashlib

import pytest

from contracts import services
from contracts.choices import AgreementStatus, EventKind
from contracts.models import AgreementSignature, AgreementVersion, beijing_time
from contracts.services import signing
from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign(agreement, user, client, *, password=PASSWORD, name="张三", sha=None):
    return support.sign(
        agreement, user, client, name, password=password,
        document_sha256=agreement.document_sha256 if sha is None else sha,
    )


def test_second_signer_cannot_sign_before_the_first(frozen, researcher):
    # Sequential, party A (the enterprise) first: party B's member tries to sign first.
    with pytest.raises(ConflictError) as exc:
        sign(frozen, researcher, support.CLIENT_B)
    assert exc.value.code == "not_your_turn"
    assert not AgreementSignature.objects.filter(agreement=frozen, signed_at__isnull=False).exists()


def test_signing_in_order_completes_and_the_seal_follows_after_commit(
    frozen, enterprise_user, researcher, django_capture_on_commit_callbacks
):
    sign(frozen, enterprise_user, support.CLIENT_A, name="企业签署人")
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.SIGNING
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sign(frozen, researcher, support.CLIENT_B, name="大学签署人")
        # The signing transaction ends at SIGNED; nothing was rendered or sealed inside it.
        frozen.refresh_from_db()
        assert frozen.status == AgreementStatus.SIGNED
        assert frozen.signed_at is not None
        assert frozen.sealed_pdf is None and frozen.sealed_at is None
        assert not frozen.events.filter(kind=EventKind.SEALED).exists()
    assert callbacks  # the seal step was scheduled for after the commit, and ran then
    frozen.refresh_from_db()
    pdf = bytes(frozen.sealed_pdf)
    assert pdf.startswith(b"%PDF")
    assert frozen.sealed_pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert frozen.sealed_at is not None and frozen.seal_attempts == 1
    slots = list(frozen.signatures.order_by("position"))
    assert [(s.party, s.typed_name) for s in slots] == [("a", "企业签署人"), ("b", "大学签署人")]
    assert all(s.document_sha256 == frozen.document_sha256 for s in slots)
    assert slots[0].ip_address == "203.0.113.10" and "party A" in slots[0].user_agent


def test_parallel_mode_lets_either_party_sign_first(
    enterprise_user, researcher, patent_result
):
    agreement = support.ready_to_sign(
        enterprise_user=enterprise_user,
        researcher=researcher,
        result=patent_result,
        signing={"mode": "parallel"},
    )
    sign(agreement, researcher, support.CLIENT_B)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNING


def test_sequential_order_b_first_is_enforced(enterprise_user, researcher, patent_result):
    agreement = support.ready_to_sign(
        enterprise_user=enterprise_user,
        researcher=researcher,
        result=patent_result,
        signing={"mode": "sequential", "order": ["b", "a"]},
    )
    with pytest.raises(ConflictError):
        sign(agreement, enterprise_user, support.CLIENT_A)
    sign(agreement, researcher, support.CLIENT_B)
    sign(agreement, enterprise_user, support.CLIENT_A)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED


def test_wrong_password_is_refused(frozen, enterprise_user):
    with pytest.raises(DomainError) as exc:
        sign(frozen, enterprise_user, support.CLIENT_A, password="not-my-password")
    assert exc.value.code == "wrong_password"
    assert "password" in exc.value.fields
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()


def test_a_typed_name_is_required(frozen, enterprise_user):
    with pytest.raises(DomainError) as exc:
        sign(frozen, enterprise_user, support.CLIENT_A, name="   ")
    assert "typed_name" in exc.value.fields


def test_signing_a_different_document_hash_is_refused(frozen, enterprise_user):
    with pytest.raises(ConflictError) as exc:
        sign(frozen, enterprise_user, support.CLIENT_A, sha="0" * 64)
    assert exc.value.code == "document_changed"


def test_signing_a_draft_is_refused(agreement, enterprise_user):
    with pytest.raises(ConflictError) as exc:
        sign(agreement, enterprise_user, support.CLIENT_A, sha="")
    assert exc.value.code == "not_frozen"


def test_outsider_cannot_sign(frozen, outsider):
    with pytest.raises(PermissionDeniedError):
        sign(frozen, outsider, support.CLIENT_A)


def test_signing_twice_is_a_conflict(frozen, enterprise_user):
    sign(frozen, enterprise_user, support.CLIENT_A)
    with pytest.raises(ConflictError) as exc:
        sign(frozen, enterprise_user, support.CLIENT_A)
    assert exc.value.code == "already_signed"


def test_cannot_approve_version_with_blocking_errors(agreement, enterprise_user):
    # The draft as created lacks credit codes, addresses, validity...
    with pytest.raises(DomainError) as exc:
        services.agreement_approve(
            agreement=agreement, actor=enterprise_user, client=support.CLIENT_A
        )
    assert exc.value.code == "registration_check_failed"
    assert "parties.a.credit_code" in exc.value.fields
    assert "validity.valid_until" in exc.value.fields
    assert not agreement.approvals.exists()
    assert not agreement.events.filter(kind=EventKind.APPROVED).exists()


def test_blocking_check_errors_found_after_approval_stop_signing(frozen, enterprise_user):
    # The term of validity ran out between approval and signing (stored dates moved into the
    # past stand in for the passing time).
    AgreementVersion.objects.filter(pk=frozen.frozen_version_id).update(
        validity={"valid_from": "2019-01-01", "valid_until": "2020-12-31", "place": "北京"}
    )
    frozen.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        sign(frozen, enterprise_user, support.CLIENT_A)
    assert exc.value.code == "registration_check_failed"
    assert "validity.valid_until" in exc.value.fields
    assert not frozen.signatures.filter(signed_at__isnull=False).exists()


def test_signed_agreement_cannot_be_edited_and_amendment_links_to_it(
    frozen, enterprise_user, researcher
):
    sign(frozen, enterprise_user, support.CLIENT_A)
    sign(frozen, researcher, support.CLIENT_B)
    with pytest.raises(ConflictError) as exc:
        services.agreement_version_create(
            agreement=frozen,
            actor=enterprise_user,
            client=support.CLIENT_A,
            changes={"validity": {"place": "天津"}},
        )
    assert exc.value.code == "agreement_signed"
    amendment = services.agreement_amend(
        agreement=frozen, actor=researcher, client=support.CLIENT_B
    )
    assert amendment.amends == frozen
    assert amendment.status == AgreementStatus.DRAFT
    assert amendment.latest_version().content() == frozen.frozen_version.content()
    with pytest.raises(ConflictError) as exc:
        services.agreement_amend(agreement=frozen, actor=researcher, client=support.CLIENT_B)
    assert exc.value.code == "amendment_open"
    # The amendment is editable; the signed original is not.
    services.agreement_version_create(
        agreement=amendment,
        actor=enterprise_user,
        client=support.CLIENT_A,
        changes={"validity": {"place": "天津"}},
    )


def test_audit_trail_records_every_event_with_times_ip_agent_and_hash(
    frozen, enterprise_user, researcher, django_capture_on_commit_callbacks
):
    services.agreement_check(agreement=frozen, actor=researcher, client=support.CLIENT_B)
    # The same check again with nothing changed is not recorded a second time.
    services.agreement_check(agreement=frozen, actor=enterprise_user, client=support.CLIENT_A)
    sign(frozen, enterprise_user, support.CLIENT_A)
    with django_capture_on_commit_callbacks(execute=True):
        sign(frozen, researcher, support.CLIENT_B)
    frozen.refresh_from_db()
    services.agreement_pdf_download(agreement=frozen, actor=researcher, client=support.CLIENT_B)
    events = list(frozen.events.order_by("created_at", "id"))
    kinds = [e.kind for e in events]
    assert kinds == [
        EventKind.CREATED,
        EventKind.EDITED,
        EventKind.APPROVED,
        EventKind.APPROVED,
        EventKind.CHECKED,
        EventKind.SIGNED,
        EventKind.SIGNED,
        EventKind.SEALED,
        EventKind.DOWNLOADED,
    ]
    for event in events:
        assert event.created_at.utcoffset().total_seconds() == 0
        assert event.created_at_beijing == beijing_time(event.created_at)
        assert event.created_at_beijing.utcoffset().total_seconds() == 8 * 3600
        assert len(event.document_sha256) == 64
        assert event.user_agent
        if event.kind != EventKind.SEALED:  # sealed by the platform, not a person
            assert event.actor is not None
            assert event.ip_address in ("203.0.113.10", "203.0.113.20")
    signed = [e for e in events if e.kind == EventKind.SIGNED]
    assert all(e.document_sha256 == frozen.document_sha256 for e in signed)
    sealed = next(e for e in events if e.kind == EventKind.SEALED)
    assert sealed.document_sha256 == frozen.sealed_pdf_sha256


def test_fully_signed_hook_runs_once_in_the_signing_transaction_before_the_seal(
    frozen, enterprise_user, researcher, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []

    def hook(*, agreement, actor, client):
        calls.append((agreement.status, bool(agreement.sealed_pdf), actor))

    monkeypatch.setattr(signing, "agreement_on_fully_signed", hook)
    sign(frozen, enterprise_user, support.CLIENT_A)
    assert calls == []
    with django_capture_on_commit_callbacks(execute=True):
        sign(frozen, researcher, support.CLIENT_B)
    assert calls == [(AgreementStatus.SIGNED, False, researcher)]
    frozen.refresh_from_db()
    assert frozen.sealed_at is not None
