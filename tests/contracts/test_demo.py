"""The demo agreement of load_demo: signed by both, sealed, about a real patented result."""

from __future__ import annotations

import pytest

from contracts.choices import AgreementStatus, ContractSubtype, ContractType
from contracts.demo import ENTERPRISE, UNIVERSITY, create_demo_agreement
from marketplace import demo

pytestmark = pytest.mark.django_db


def test_demo_agreement_is_signed_sealed_and_idempotent():
    demo.load_bundled_listings()
    demo.create_demo_accounts()
    agreement = create_demo_agreement()
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.sealed_at is not None and agreement.sealed_pdf_sha256
    assert (agreement.contract_type, agreement.subtype) == (
        ContractType.TRANSFER,
        ContractSubtype.PATENT_ASSIGNMENT,
    )
    assert agreement.party_a.legal_name == ENTERPRISE
    assert agreement.party_b.legal_name == UNIVERSITY
    assert agreement.research_result.patent_no
    assert not agreement.research_result.source_id.startswith("DEMO")
    assert bytes(agreement.sealed_pdf).startswith(b"%PDF")
    assert [s.party for s in agreement.signatures.filter(signed_at__isnull=False)] == ["a", "b"]
    again = create_demo_agreement()
    assert again.pk == agreement.pk
