"""Invitations by e-mail: an absolute, single-use link that expires, whose token is stored only
as a digest; accepting binds to the invited (verified) address; expired, used and revoked
links are refused with 410 and a code; every step is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from kernel.errors import ConflictError, GoneError, PermissionDeniedError
from marketplace import roles, services
from marketplace.choices import InvitationStatus, MemberRole, MembershipAction, OrganizationKind
from marketplace.models import Invitation, Membership, MembershipEvent
from marketplace.organizations.tokens import token_digest
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    SITE,
    add_member,
    invite,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def org_admin():
    return organization_with_administrator()


def test_invitation_email_carries_an_absolute_link_and_only_the_digest_is_stored(
    org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    invitation, token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    assert mail.outbox[-1].to == ["new@example.com"]
    assert f"{SITE}/invitations/{token}/" in mail.outbox[-1].body
    assert organization.legal_name in mail.outbox[-1].body
    assert invitation.token_digest == token_digest(token) != token
    stored = [str(value) for value in Invitation.objects.values_list().get(pk=invitation.pk)]
    assert token not in stored


def test_invitation_expires_after_the_configured_days(
    org_admin, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_DAYS = 3
    organization, administrator = org_admin
    invitation, _token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    lifetime = invitation.expires_at - invitation.created_at
    assert timedelta(days=3) - timedelta(seconds=5) < lifetime <= timedelta(days=3)


def test_invitation_accepted_once_second_use_refused(
    org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    invitation, _token = invite(
        organization, administrator, "new@example.com", MemberRole.ADMINISTRATOR,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    invitee = factories.UserFactory(email="New@Example.com")
    services.invitation_accept(actor=invitee, invitation=invitation)
    membership = Membership.objects.get(user=invitee, organization=organization)
    assert membership.is_administrator and roles.is_member(invitee, organization)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.decided_by == invitee
    membership.delete()  # even after leaving, the link is spent
    with pytest.raises(GoneError) as caught:
        services.invitation_accept(actor=invitee, invitation=invitation)
    assert caught.value.code == "invitation_used"


def test_expired_invitation_refused(org_admin, django_capture_on_commit_callbacks):
    organization, administrator = org_admin
    invitation, _token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitation.refresh_from_db()
    with pytest.raises(GoneError) as caught:
        services.invitation_accept(
            actor=factories.UserFactory(email="new@example.com"), invitation=invitation
        )
    assert caught.value.code == "invitation_expired"
    assert not Membership.objects.filter(organization=organization).exclude(
        user=administrator
    ).exists()


def test_revoked_invitation_refused_and_revocation_audited(
    org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    invitation, _token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    services.invitation_revoke(actor=administrator, invitation=invitation)
    invitation.refresh_from_db()
    with pytest.raises(GoneError) as caught:
        services.invitation_accept(
            actor=factories.UserFactory(email="new@example.com"), invitation=invitation
        )
    assert caught.value.code == "invitation_revoked"
    with pytest.raises(ConflictError):
        services.invitation_revoke(actor=administrator, invitation=invitation)
    actions = list(
        MembershipEvent.objects.filter(organization=organization).values_list("action", "actor")
    )
    assert actions == [
        (MembershipAction.INVITATION_REVOKED, administrator.pk),
        (MembershipAction.INVITED, administrator.pk),
    ]


def test_accept_refused_for_an_account_of_another_address(
    org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    invitation, _token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    with pytest.raises(PermissionDeniedError) as caught:
        services.invitation_accept(
            actor=factories.UserFactory(email="someone-else@example.com"), invitation=invitation
        )
    assert caught.value.code == "invitation_other_address"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_inviting_a_member_address_or_twice_is_a_conflict(
    org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    member, _membership = add_member(organization)
    with pytest.raises(ConflictError) as caught:
        services.invitation_create(
            actor=administrator, organization=organization, email=member.email.upper()
        )
    assert caught.value.code == "already_member"
    invite(organization, administrator, "new@example.com",
           django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    with pytest.raises(ConflictError) as caught:
        services.invitation_create(
            actor=administrator, organization=organization, email="new@example.com"
        )
    assert caught.value.code == "already_invited"


def test_only_administrators_and_brokers_invite(org_admin):
    organization, _administrator = org_admin
    member, _membership = add_member(organization)
    with pytest.raises(PermissionDeniedError):
        services.invitation_create(actor=member, organization=organization, email="x@example.com")
    broker = factories.broker()
    invitation = services.invitation_create(
        actor=broker, organization=organization, email="x@example.com"
    )
    assert invitation.invited_by == broker
    centre = factories.OrganizationFactory(kind=OrganizationKind.TRANSFER_CENTRE)
    with pytest.raises(PermissionDeniedError):
        services.invitation_create(actor=broker, organization=centre, email="y@example.com")


def test_invitation_email_is_in_both_languages(org_admin, django_capture_on_commit_callbacks):
    organization, administrator = org_admin
    with translation.override("en"):
        invite(organization, administrator, "new@example.com",
               django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    body = mail.outbox[-1].body
    assert "invites you to join" in body and "邀请您" in body


def test_accept_page_sends_anonymous_visitors_to_log_in_and_back(
    client, org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    _invitation, token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    url = reverse("invitation-accept", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "next=%2Finvitations%2F" in page.content.decode()
    assert reverse("signup") in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_accept_page_accepts_for_the_invited_account_and_then_answers_410(
    client, org_admin, django_capture_on_commit_callbacks
):
    organization, administrator = org_admin
    _invitation, token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    invitee = factories.UserFactory(email="new@example.com")
    client.force_login(invitee)
    url = reverse("invitation-accept", args=[token])
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, organization=organization).exists()
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.get(reverse("invitation-accept", args=["nope"])).status_code == 404
