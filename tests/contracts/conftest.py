"""Fixtures of the contract tests."""

from __future__ import annotations

import pytest

from contracts.choices import AgreementStatus
from marketplace.choices import IpType, TransferMode
from tests import factories
from tests.contracts import support


@pytest.fixture
def patent_result(university):
    """A published, patented research result of the researcher's university, for assignment."""
    return factories.ResearchResultFactory(
        owner=university,
        patent_no="CN218751475U",
        ip_type=IpType.UTILITY_MODEL,
        transfer_modes=[TransferMode.ASSIGNMENT],
    )


@pytest.fixture
def agreement(enterprise_user, researcher, patent_result):
    """A drafted patent-assignment agreement (version 1) between the enterprise and the
    university."""
    return support.drafted(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )


@pytest.fixture
def complete(enterprise_user, researcher, patent_result):
    """A draft patent-assignment agreement with complete terms (v2), approved by nobody yet."""
    return support.completed(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )


@pytest.fixture
def frozen(enterprise_user, researcher, patent_result):
    """A complete patent-assignment agreement approved by both parties (sequential, A first)."""
    return support.ready_to_sign(
        enterprise_user=enterprise_user, researcher=researcher, result=patent_result
    )


@pytest.fixture
def signed(
    frozen, enterprise_user, researcher, django_capture_on_commit_callbacks
):
    """`frozen` signed by both parties (A then B), its sealed PDF stored by the contracts
    services (the seal runs after the signing transaction commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        for user, client, name in (
            (enterprise_user, support.CLIENT_A, "企业签署人"),
            (researcher, support.CLIENT_B, "大学签署人"),
        ):
            support.sign(frozen, user, client, name)
    frozen.refresh_from_db()
    assert frozen.status == AgreementStatus.SIGNED and frozen.sealed_pdf
    return frozen
