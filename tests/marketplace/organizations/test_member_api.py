"""The members API: every new endpoint x every role (anonymous, a member of another
organisation, a member, the organisation's administrator, a broker), the accept endpoint's
410/403/409 answers with their codes in English and Chinese, and the invitations' rate limit."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import MemberRole, MembershipAction
from marketplace.models import Invitation, Membership, MembershipEvent
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    SITE,
    add_member,
    invite,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other_member", "member", "administrator", "broker"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def world():
    organization, administrator = organization_with_administrator()
    member, membership = add_member(organization)
    _colleague, colleague_membership = add_member(organization)
    other_org, _other_admin = organization_with_administrator()
    other_member, _ = add_member(other_org)
    return {
        "organization": organization,
        "membership": membership,
        "colleague": colleague_membership,
        "users": {
            "anonymous": None,
            "other_member": other_member,
            "member": member,
            "administrator": administrator,
            "broker": factories.broker(),
        },
    }


def _client(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _expect(anonymous, other_member, member, administrator, broker):
    return dict(zip(ROLES, (anonymous, other_member, member, administrator, broker), strict=True))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("members_list", _expect(401, 403, 200, 200, 200)),
        ("invitations_list", _expect(401, 403, 403, 200, 200)),
        ("invitations_create", _expect(401, 403, 403, 201, 201)),
        ("invitation_revoke", _expect(401, 403, 403, 200, 200)),
        ("member_role", _expect(401, 403, 403, 200, 200)),
        ("member_remove", _expect(401, 403, 403, 204, 204)),
        ("member_events", _expect(401, 403, 403, 200, 200)),
    ],
)
def test_permission_matrix_of_the_members_endpoints(
    api_client, world, role, call, expected, django_capture_on_commit_callbacks
):
    organization = world["organization"]
    membership = world["colleague"]  # a role change or removal of another member
    administrator = world["users"]["administrator"]
    invitation, _token = invite(
        organization, administrator, "invitee@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    client = _client(api_client, world["users"][role])
    pk = organization.pk
    requests = {
        "members_list": lambda: client.get(reverse("api-organization-members", args=[pk])),
        "invitations_list": lambda: client.get(
            reverse("api-organization-invitations", args=[pk])
        ),
        "invitations_create": lambda: client.post(
            reverse("api-organization-invitations", args=[pk]),
            {"email": "second@example.com", "role": "member"}, format="json",
        ),
        "invitation_revoke": lambda: client.post(
            reverse("api-organization-invitation-revoke", args=[pk, invitation.pk])
        ),
        "member_role": lambda: client.patch(
            reverse("api-organization-member", args=[pk, membership.pk]),
            {"role": "administrator"}, format="json",
        ),
        "member_remove": lambda: client.delete(
            reverse("api-organization-member", args=[pk, membership.pk])
        ),
        "member_events": lambda: client.get(
            reverse("api-organization-member-events", args=[pk])
        ),
    }
    response = requests[call]()
    assert response.status_code == expected[role], response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"message", "code", "fields"}


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_accept_only_the_invited_address(
    api_client, world, role, django_capture_on_commit_callbacks
):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    _invitation, token = invite(
        organization, administrator, "invitee@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    response = _client(api_client, world["users"][role]).post(
        reverse("api-invitation-accept", args=[token])
    )
    if role == "anonymous":
        assert response.status_code == 401
    else:  # every other account has another address, whatever its rights
        assert response.status_code == 403
        assert response.json()["code"] == "invitation_other_address"


def test_accept_api_then_reuse_is_410_used_in_english_and_chinese(
    api_client, world, django_capture_on_commit_callbacks
):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    _invitation, token = invite(
        organization, administrator, "invitee@example.com", MemberRole.ADMINISTRATOR,
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    invitee = factories.UserFactory(email="invitee@example.com")
    api_client.force_authenticate(invitee)
    url = reverse("api-invitation-accept", args=[token])
    response = api_client.post(url)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert Membership.objects.get(user=invitee, organization=organization).is_administrator
    again = api_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 410
    assert again.json()["code"] == "invitation_used"
    assert again.json()["message"] == "This invitation has already been used."
    chinese = api_client.post(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 410 and chinese.json()["message"] == "该邀请已被使用。"
    assert MembershipEvent.objects.filter(
        action=MembershipAction.INVITATION_ACCEPTED, user=invitee, actor=invitee
    ).exists()


def test_accept_api_expired_410_revoked_410_unknown_404(
    api_client, world, django_capture_on_commit_callbacks
):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    invitation, token = invite(
        organization, administrator, "invitee@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    api_client.force_authenticate(factories.UserFactory(email="invitee@example.com"))
    url = reverse("api-invitation-accept", args=[token])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = api_client.post(url)
    assert (response.status_code, response.json()["code"]) == (410, "invitation_expired")
    Invitation.objects.filter(pk=invitation.pk).update(status="revoked")
    response = api_client.post(url)
    assert (response.status_code, response.json()["code"]) == (410, "invitation_revoked")
    response = api_client.post(reverse("api-invitation-accept", args=["unknown-token"]))
    assert response.status_code == 404


def test_accept_api_by_an_existing_member_is_409(
    api_client, world, django_capture_on_commit_callbacks
):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    member = world["users"]["member"]
    _invitation, token = invite(
        organization, administrator, "invitee@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    member.email = "invitee@example.com"  # the member's address changed after the invitation
    member.save()
    api_client.force_authenticate(member)
    response = api_client.post(reverse("api-invitation-accept", args=[token]))
    assert (response.status_code, response.json()["code"]) == (409, "already_member")


def test_invite_api_conflicts_and_the_last_administrator_are_409(api_client, world):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    api_client.force_authenticate(administrator)
    url = reverse("api-organization-invitations", args=[organization.pk])
    response = api_client.post(
        url, {"email": world["users"]["member"].email, "role": "member"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "already_member")
    response = api_client.post(url, {"email": "not-an-address"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["fields"]
    own = Membership.objects.get(organization=organization, user=administrator)
    response = api_client.delete(reverse("api-organization-member", args=[organization.pk, own.pk]))
    assert (response.status_code, response.json()["code"]) == (409, "last_administrator")
    response = api_client.patch(
        reverse("api-organization-member", args=[organization.pk, own.pk]),
        {"role": "member"}, format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "last_administrator")


def test_a_member_leaves_through_the_api(api_client, world):
    organization = world["organization"]
    member = world["users"]["member"]
    api_client.force_authenticate(member)
    response = api_client.delete(
        reverse("api-organization-member", args=[organization.pk, world["membership"].pk])
    )
    assert response.status_code == 204
    assert MembershipEvent.objects.filter(action=MembershipAction.MEMBER_LEFT, user=member).exists()


def test_members_list_and_audit_list_bodies(api_client, world, django_capture_on_commit_callbacks):
    organization = world["organization"]
    administrator = world["users"]["administrator"]
    invite(organization, administrator, "invitee@example.com",
           django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    api_client.force_authenticate(administrator)
    members = api_client.get(reverse("api-organization-members", args=[organization.pk])).json()
    assert [m["role"] for m in members] == ["administrator", "member", "member"]
    events = api_client.get(
        reverse("api-organization-member-events", args=[organization.pk])
    ).json()["results"]
    assert events[0]["action"] == "invited" and events[0]["actor"] == administrator.username
    assert events[0]["email"] == "invitee@example.com"
    invitations = api_client.get(
        reverse("api-organization-invitations", args=[organization.pk])
    ).json()
    assert [i["email"] for i in invitations] == ["invitee@example.com"]
    assert "token" not in invitations[0] and "token_digest" not in invitations[0]


def test_sending_invitations_is_rate_limited(api_client, world, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "invitation": "2/hour"}
    organization = world["organization"]
    api_client.force_authenticate(world["users"]["administrator"])
    url = reverse("api-organization-invitations", args=[organization.pk])
    statuses = [
        api_client.post(url, {"email": f"n{i}@example.com"}, format="json").status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
