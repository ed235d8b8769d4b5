"""A verification vouches for an organisation's identity (name, English name, credit code,
type): a member who changes one sends it back to review; other details do not."""

from __future__ import annotations

import pytest

from marketplace import services
from marketplace.choices import VerificationDecision, VerificationStatus
from marketplace.models import Notification, OrganizationDecision
from tests.marketplace.organizations.members_helpers import organization_with_administrator

pytestmark = pytest.mark.django_db


def _verified(broker):
    organization, administrator = organization_with_administrator()
    services.organization_verify(organization=organization, actor=broker)
    return organization, administrator


def test_member_renaming_a_verified_organisation_sends_it_back_with_a_decision(broker):
    organization, administrator = _verified(broker)
    Notification.objects.all().delete()
    services.organization_update(
        organization=organization, actor=administrator, data={"name_en": "Another Name"}
    )
    organization.refresh_from_db()
    assert organization.verification_status == VerificationStatus.PENDING
    assert organization.verified is False
    decision = OrganizationDecision.objects.filter(organization=organization).first()
    assert decision is not None
    assert decision.decision == VerificationDecision.WITHDRAWN
    assert decision.decided_by == administrator
    assert Notification.objects.filter(
        recipient=broker, verb="organization.submitted"
    ).exists()


@pytest.mark.parametrize(
    "change",
    [{"address": "杭州市西湖区"}, {"website": "https://example.edu.cn"},
     {"contact_phone": "0571-88888888"}, {"legal_name": None}],
    ids=["address", "website", "contact", "same-name"],
)
def test_other_details_keep_the_verification(broker, change):
    organization, administrator = _verified(broker)
    if change.get("legal_name", "") is None:
        change = {"legal_name": organization.legal_name}
    services.organization_update(organization=organization, actor=administrator, data=change)
    organization.refresh_from_db()
    assert organization.verification_status == VerificationStatus.VERIFIED
    assert organization.verified is True


def test_broker_changing_the_name_keeps_the_verification(broker):
    organization, _administrator = _verified(broker)
    services.organization_update(
        organization=organization, actor=broker, data={"legal_name": "经纪人改的名称"}
    )
    organization.refresh_from_db()
    assert organization.verified is True


def test_identity_change_after_a_withdrawn_verification_is_recorded(broker):
    organization, administrator = _verified(broker)
    services.organization_verify(organization=organization, actor=broker, verified=False)
    services.organization_update(
        organization=organization, actor=administrator, data={"name_en": "Renamed"}
    )
    decisions = OrganizationDecision.objects.filter(organization=organization)
    assert decisions.count() == 3
    assert decisions.first().decided_by == administrator


def test_identity_change_of_a_never_decided_pending_organisation_records_nothing():
    organization, administrator = organization_with_administrator()
    services.organization_update(
        organization=organization, actor=administrator, data={"legal_name": "新名称"}
    )
    assert not OrganizationDecision.objects.filter(organization=organization).exists()
