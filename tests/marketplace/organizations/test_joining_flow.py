"""Organisations join Keqiao: a user registers one (pending verification, creator is its
administrator), a broker verifies or rejects it (reason required, audited, members told), and
only then may its members publish listings and send requests; others ask to join and its
administrators answer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kernel.errors import DomainError, PermissionDeniedError
from marketplace import roles, services
from marketplace.choices import (
    JoinRequestStatus,
    ListingStatus,
    OrganizationKind,
    Role,
    VerificationDecision,
    VerificationStatus,
)
from marketplace.models import Membership, Notification, OrganizationDecision
from tests import factories
from tests.marketplace.organizations.conftest import PDF

pytestmark = pytest.mark.django_db



def _register(user, **extra):
    data = {"kind": OrganizationKind.ENTERPRISE, "legal_name": "天津示例新材料有限公司",
            "region_code": "120000", **extra}
    return services.organization_create(actor=user, data=data)


def _draft(org):
    return factories.TechnologyNeedFactory(
        owner=org, status=ListingStatus.DRAFT, published_at=None, renewed_at=None
    )


def test_created_organisation_is_pending_and_its_creator_its_administrator():
    user = factories.UserFactory()
    org = _register(user)
    assert org.verification_status == VerificationStatus.PENDING and not org.verified
    membership = Membership.objects.get(user=user, organization=org)
    assert membership.is_administrator and membership.role == Role.ENTERPRISE_MEMBER
    # An organisation administrator is not a platform administrator or broker.
    assert not roles.is_broker(user) and not roles.is_admin(user)


def test_create_then_broker_verifies_then_member_can_submit_for_review():
    user = factories.UserFactory()
    org = _register(user)
    need = _draft(org)
    broker = factories.broker()
    services.organization_verify(organization=org, actor=broker)
    org.refresh_from_db()
    assert org.verified and org.verification_status == VerificationStatus.VERIFIED
    need.owner.refresh_from_db()
    submitted = services.listing_submit(listing=need, actor=user)
    assert submitted.status == ListingStatus.PENDING_REVIEW
    decision = OrganizationDecision.objects.get(organization=org)
    assert decision.decision == VerificationDecision.VERIFIED and decision.decided_by == broker
    assert Notification.objects.filter(recipient=user, verb="organization.verified").exists()


def test_unverified_member_may_draft_but_not_submit_for_review():
    user = factories.UserFactory()
    org = _register(user)
    need = services.technology_need_create(actor=user, owner=org, data={"title": "草稿需求"})
    assert need.status == ListingStatus.DRAFT
    need = _draft(org)
    with pytest.raises(PermissionDeniedError) as caught:
        services.listing_submit(listing=need, actor=user)
    assert caught.value.code == roles.UNVERIFIED_CODE


def test_unverified_member_cannot_send_a_match_request_api_403_with_code(api_client):
    user = factories.UserFactory()
    _register(user)
    result = factories.ResearchResultFactory()
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/match-requests/", {"research_result": result.pk, "message": "请求对接"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "organization_unverified"


def test_unverified_member_sees_why_on_the_pages(client):
    user = factories.UserFactory()
    org = _register(user)
    need = _draft(org)
    result = factories.ResearchResultFactory()
    client.force_login(user)
    own = client.get(reverse("need-detail", args=[need.pk])).content.decode()
    assert "waiting for a broker to verify it" in own
    assert 'disabled aria-describedby="held-submit"' in own
    other = client.get(reverse("result-detail", args=[result.pk])).content.decode()
    assert 'disabled aria-describedby="held-request"' in other
    assert reverse("match-request-create", args=[result.pk]) not in other


def test_reject_needs_a_reason_and_is_audited_and_told():
    user = factories.UserFactory()
    org = _register(user)
    broker = factories.broker()
    with pytest.raises(DomainError) as caught:
        services.organization_reject(organization=org, actor=broker, reason="  ")
    assert "reason" in caught.value.fields
    services.organization_reject(organization=org, actor=broker, reason="营业执照不清晰")
    org.refresh_from_db()
    assert org.verification_status == VerificationStatus.REJECTED and not org.verified
    decision = OrganizationDecision.objects.get(organization=org)
    assert (decision.decision, decision.reason, decision.decided_by) == (
        VerificationDecision.REJECTED, "营业执照不清晰", broker
    )
    note = Notification.objects.get(recipient=user, verb="organization.rejected")
    assert note.params["reason"] == "营业执照不清晰"
    # Still held back; a member's correction asks again.
    with pytest.raises(PermissionDeniedError):
        services.listing_submit(listing=_draft(org), actor=user)
    services.organization_update(organization=org, actor=user, data={"address": "天津市"})
    org.refresh_from_db()
    assert org.verification_status == VerificationStatus.PENDING


def test_only_brokers_verify_or_reject():
    user = factories.UserFactory()
    org = _register(user)
    with pytest.raises(PermissionDeniedError):
        services.organization_verify(organization=org, actor=user)
    with pytest.raises(PermissionDeniedError):
        services.organization_reject(organization=org, actor=user, reason="x")


def test_organisations_put_here_by_brokers_or_imports_are_not_held_back(researcher):
    org = roles.primary_organization(researcher)
    assert org.verification_status == VerificationStatus.UNREVIEWED
    need = _draft(org)
    assert services.listing_submit(listing=need, actor=researcher).status == "pending_review"


def test_join_request_approved_by_the_administrator_makes_a_member_who_is_told():
    admin_user = factories.UserFactory()
    org = _register(admin_user)
    asker = factories.UserFactory()
    join = services.join_request_create(actor=asker, organization=org, message="研发部")
    assert Notification.objects.filter(recipient=admin_user, verb="join_request.created").exists()
    outsider = factories.researcher()
    with pytest.raises(PermissionDeniedError):
        services.join_request_approve(join_request=join, actor=outsider)
    services.join_request_approve(join_request=join, actor=admin_user)
    membership = Membership.objects.get(user=asker, organization=org)
    assert membership.role == Role.ENTERPRISE_MEMBER and not membership.is_administrator
    assert Notification.objects.filter(recipient=asker, verb="join_request.approved").exists()


def test_join_request_rejected_by_a_broker_tells_the_user_and_cannot_be_answered_twice():
    org = _register(factories.UserFactory())
    asker = factories.UserFactory()
    join = services.join_request_create(actor=asker, organization=org)
    services.join_request_reject(join_request=join, actor=factories.broker(), reason="不认识")
    join.refresh_from_db()
    assert join.status == JoinRequestStatus.REJECTED
    assert not Membership.objects.filter(user=asker, organization=org).exists()
    assert Notification.objects.filter(recipient=asker, verb="join_request.rejected").exists()
    from kernel.errors import ConflictError

    with pytest.raises(ConflictError):
        services.join_request_approve(join_request=join, actor=factories.broker())


def test_join_requests_refused_for_members_duplicates_and_unclaimed_organisations():
    from kernel.errors import ConflictError

    user = factories.UserFactory()
    org = _register(user)
    with pytest.raises(ConflictError) as caught:
        services.join_request_create(actor=user, organization=org)
    assert caught.value.code == "already_member"
    asker = factories.UserFactory()
    services.join_request_create(actor=asker, organization=org)
    with pytest.raises(ConflictError) as caught:
        services.join_request_create(actor=asker, organization=org)
    assert caught.value.code == "already_requested"
    with pytest.raises(ConflictError) as caught:
        services.join_request_create(actor=asker, organization=factories.OrganizationFactory())
    assert caught.value.code == "unclaimed"


def test_web_registration_with_a_licence_creates_a_pending_organisation(client):
    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("organization-create"), {
        "kind": "enterprise", "legal_name": "河北示例科技有限公司", "region_code": "130100",
        "file": SimpleUploadedFile("执照.pdf", PDF, content_type="application/pdf"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    org = roles.primary_organization(user)
    assert org is not None and org.verification_status == VerificationStatus.PENDING
    assert org.evidence.get().content_type == "application/pdf"


def test_join_request_goes_to_the_brokers_when_the_administrators_accounts_are_inactive():
    """Join requests go to the organisation's administrators, the brokers when it has none:
    an administrator whose account staff deactivated counts as none (`active_memberships`),
    so the request is not announced to nobody."""
    admin_user = factories.UserFactory()
    org = _register(admin_user)
    factories.member(Role.ENTERPRISE_MEMBER, OrganizationKind.ENTERPRISE, organization=org)
    admin_user.is_active = False
    admin_user.save(update_fields=["is_active"])
    broker = factories.broker()
    services.join_request_create(actor=factories.UserFactory(), organization=org)
    assert Notification.objects.filter(recipient=broker, verb="join_request.created").exists()
