"""Attack on organisations, members and claims: each test names the rule it checks and fails on
main at the time of writing (see the attack report on organisations)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import delete_account
from marketplace import services
from marketplace.choices import MemberRole, MembershipAction, VerificationStatus
from marketplace.models import Membership, MembershipEvent, OrganizationClaim
from matching.match_requests import services as match_services
from tests import factories
from tests.marketplace.organizations.conftest import PDF
from tests.marketplace.organizations.members_helpers import (
    SITE,
    add_member,
    invite,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE  # absolute links (invitations) under a fixed site address


def _verified_organization_with_member():
    organization, administrator = organization_with_administrator()
    organization.verified = True
    organization.verification_status = VerificationStatus.VERIFIED
    organization.save()
    return organization, administrator


# --- verification is of who the organisation is -------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{"legal_name": "浙江大学"}, {"credit_code": "914403001922038216"}],
    ids=["legal_name", "credit_code"],
)
def test_member_changing_verified_identity_sends_organisation_back_to_review(api_client, change):
    """A broker verified this legal name and credit code (with the evidence); a member who
    renames the organisation (or swaps its credit code) must not keep the verified badge, or
    any verified organisation can turn itself into another one."""
    organization, administrator = _verified_organization_with_member()
    api_client.force_authenticate(administrator)
    response = api_client.patch(
        f"/api/v1/organizations/{organization.pk}/", change, format="json"
    )
    assert response.status_code == 200, response.json()
    organization.refresh_from_db()
    assert organization.verification_status != VerificationStatus.VERIFIED
    assert response.json()["verified"] is False


# --- deleted accounts are nobody ---------------------------------------------------------------


def test_deleted_account_does_not_count_as_the_other_administrator(api_client):
    """The last-administrator rule keeps someone able to answer join requests and invite; a
    deleted (deactivated, anonymised) account cannot, so it must not count as the other
    administrator that lets the last real one step down."""
    organization, administrator = organization_with_administrator()
    gone, _ = add_member(organization, administrator=True)
    delete_account(user=gone)
    own = Membership.objects.get(user=administrator, organization=organization)
    api_client.force_authenticate(administrator)
    response = api_client.patch(
        f"/api/v1/organizations/{organization.pk}/members/{own.pk}/",
        {"role": MemberRole.MEMBER}, format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "last_administrator"


def test_organisation_whose_only_member_deleted_the_account_can_be_claimed(api_client):
    """Nobody represents an organisation whose only member deleted the account: it must be
    claimable (as any organisation nobody represents), not stuck behind `has_members`."""
    organization, administrator = organization_with_administrator()
    delete_account(user=administrator)
    claimant = factories.UserFactory()
    api_client.force_authenticate(claimant)
    response = api_client.post(
        f"/api/v1/organizations/{organization.pk}/claim/",
        {"file": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()


def test_match_request_to_organisation_whose_only_member_left_goes_to_the_brokers(
    enterprise_user,
):
    """A request to an organisation nobody on Keqiao can answer goes to the transfer
    centre's queue when it is made; a deleted account cannot answer it."""
    organization, administrator = organization_with_administrator()
    delete_account(user=administrator)
    result = factories.ResearchResultFactory(owner=organization)
    match_request = match_services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    assert match_request.mediated_at is not None


def test_claim_of_a_deleted_account_cannot_be_approved(api_client, broker):
    """Approving makes the claimant the organisation's administrator and verifies it; a
    claimant who deleted their account meanwhile must not become it (the organisation would
    be verified, no longer claimable, and administered by nobody)."""
    organization = factories.OrganizationFactory()
    claimant = factories.UserFactory()
    claim = services.claim_create(
        actor=claimant, organization=organization,
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    delete_account(user=claimant)
    api_client.force_authenticate(broker)
    response = api_client.post(f"/api/v1/organization-claims/{claim.pk}/approve/")
    assert response.status_code == 409, response.json()
    assert not Membership.objects.filter(organization=organization).exists()


# --- every change to the members is audited ----------------------------------------------------


def test_member_added_by_an_approved_join_request_is_in_the_audit_trail(api_client):
    """The members' rule: "Every change is audited". Approving a join request adds a member,
    as accepting an invitation does; the audit trail (member-events) must show it."""
    organization, administrator = organization_with_administrator()
    newcomer = factories.UserFactory()
    join_request = services.join_request_create(actor=newcomer, organization=organization)
    api_client.force_authenticate(administrator)
    assert api_client.post(f"/api/v1/join-requests/{join_request.pk}/approve/").status_code == 200
    events = MembershipEvent.objects.filter(organization=organization, user=newcomer)
    assert events.exists(), "joining by request left no trace in the members' audit trail"


def test_administrator_made_by_an_approved_claim_is_in_the_audit_trail(api_client, broker):
    """A claim approval makes the claimant the organisation's administrator: a change to its
    members that the audit trail must show (who approved, whom, when, which role)."""
    organization = factories.OrganizationFactory()
    claimant = factories.UserFactory()
    claim = services.claim_create(
        actor=claimant, organization=organization,
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )
    api_client.force_authenticate(broker)
    assert api_client.post(f"/api/v1/organization-claims/{claim.pk}/approve/").status_code == 200
    assert OrganizationClaim.objects.get(pk=claim.pk).status == "approved"
    assert MembershipEvent.objects.filter(organization=organization, user=claimant).exists()


# --- an invitation binds to its address, compared as the database compares --------------------


def test_invitation_is_refused_to_an_address_that_only_casefolds_to_the_invited_one(
    api_client, django_capture_on_commit_callbacks
):
    """Accepting binds to the invited address, case-insensitively (the lookups use
    ``iexact``). Python's casefold() goes further than case: "straße.de" (a different IDN
    domain, xn--strae-oqa.de) casefolds to "strasse.de", so its owner accepts an invitation
    sent to strasse.de when the link reaches them."""
    organization, administrator = organization_with_administrator()
    _invitation, token = invite(
        organization, administrator, "li@strasse.de",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    other = factories.UserFactory(email="li@straße.de")
    api_client.force_authenticate(other)
    response = api_client.post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "invitation_other_address"
    assert not Membership.objects.filter(user=other, organization=organization).exists()


def test_role_change_to_the_same_role_is_not_recorded_but_other_changes_are(api_client):
    """Sound (coverage): a no-op role change records nothing, a real one records one event."""
    organization, administrator = organization_with_administrator()
    _user, membership = add_member(organization)
    api_client.force_authenticate(administrator)
    url = f"/api/v1/organizations/{organization.pk}/members/{membership.pk}/"
    assert api_client.patch(url, {"role": "member"}, format="json").status_code == 200
    assert api_client.patch(url, {"role": "administrator"}, format="json").status_code == 200
    actions = list(
        MembershipEvent.objects.filter(organization=organization).values_list("action", flat=True)
    )
    assert actions == [MembershipAction.ROLE_CHANGED]
