"""Deleting an account and the organisations: the last active administrator of an
organisation with other active members cannot leave it administered by nobody."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from accounts.services import delete_account
from kernel.errors import ConflictError
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    add_member,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db
User = get_user_model()


def _delete_on_the_page(user):
    client = factories.login(user)
    asked = client.post("/accounts/delete/")
    # The reauthentication carries out the suspended request.
    return client.post(asked["Location"], {"password": factories.PASSWORD})


def test_last_administrator_with_other_members_cannot_delete_the_account():
    organization, administrator = organization_with_administrator()
    add_member(organization)
    response = _delete_on_the_page(administrator)
    assert response.status_code == 409
    assert "make one of them an administrator" in response.content.decode()
    assert User.objects.get(pk=administrator.pk).is_active


def test_last_administrator_refusal_is_in_chinese_too():
    organization, administrator = organization_with_administrator()
    add_member(organization)
    with translation.override("zh-hans"), pytest.raises(ConflictError) as refused:
        delete_account(user=administrator)
    assert "唯一的管理员" in str(refused.value.message)
    assert refused.value.code == "last_administrator"


def test_administrator_may_delete_when_another_administrator_or_nobody_else_remains():
    organization, administrator = organization_with_administrator()
    add_member(organization, administrator=True)
    delete_account(user=administrator)
    _lonely, alone = organization_with_administrator()
    delete_account(user=alone)
    assert not User.objects.get(pk=alone.pk).is_active


def test_a_deleted_member_does_not_keep_the_last_administrator_in_place():
    organization, administrator = organization_with_administrator()
    gone, _membership = add_member(organization)
    delete_account(user=gone)
    delete_account(user=administrator)
    assert not User.objects.get(pk=administrator.pk).is_active


def test_deleting_an_account_withdraws_its_open_claims_and_requests_to_join(
    django_capture_on_commit_callbacks,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace import services
    from marketplace.choices import ClaimStatus, InvitationStatus, JoinRequestStatus
    from marketplace.models import Invitation, JoinRequest, OrganizationClaim
    from tests.marketplace.organizations.conftest import PDF
    from tests.marketplace.organizations.members_helpers import invite

    person = factories.UserFactory(email="gone@example.com")
    joined, administrator = organization_with_administrator()
    services.join_request_create(actor=person, organization=joined)
    invite(
        joined, administrator, "gone@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    claimed = factories.OrganizationFactory()
    services.claim_create(
        actor=person, organization=claimed,
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    delete_account(user=person)
    assert JoinRequest.objects.get(user=person).status == JoinRequestStatus.WITHDRAWN
    assert OrganizationClaim.objects.get(claimant=person).status == ClaimStatus.WITHDRAWN
    assert Invitation.objects.get(organization=joined).status == InvitationStatus.PENDING


def test_claim_of_a_deactivated_claimant_is_refused_on_approval(broker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace import services
    from tests.marketplace.organizations.conftest import PDF

    claimant = factories.UserFactory()
    claim = services.claim_create(
        actor=claimant, organization=factories.OrganizationFactory(),
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    User.objects.filter(pk=claimant.pk).update(is_active=False)  # deactivated by an admin
    claim.refresh_from_db()
    with pytest.raises(ConflictError) as refused:
        services.claim_approve(claim=claim, actor=broker)
    assert refused.value.code == "claimant_gone"
