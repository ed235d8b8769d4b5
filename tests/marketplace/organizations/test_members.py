"""Roles and removal: administrators (and brokers) change a member's role and remove members,
members may leave, the last administrator can be neither demoted nor removed nor leave, and
each change is recorded (who, whom, when, what)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kernel.errors import ConflictError, PermissionDeniedError
from marketplace import roles, services
from marketplace.choices import MemberRole, MembershipAction
from marketplace.models import Membership, MembershipEvent
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    add_member,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


def _administrator_membership(organization, user):
    return Membership.objects.get(organization=organization, user=user)


def test_last_administrator_cannot_be_demoted_removed_or_leave():
    organization, administrator = organization_with_administrator()
    own = _administrator_membership(organization, administrator)
    for attempt in (
        lambda: services.member_set_role(
            actor=administrator, membership=own, role=MemberRole.MEMBER
        ),
        lambda: services.member_remove(actor=administrator, membership=own),
        lambda: services.member_remove(actor=factories.broker(), membership=own),
    ):
        with pytest.raises(ConflictError) as caught:
            attempt()
        assert caught.value.code == "last_administrator"
    own.refresh_from_db()
    assert own.is_administrator
    assert not MembershipEvent.objects.filter(organization=organization).exists()


def test_role_change_is_audited_and_frees_the_former_last_administrator():
    organization, administrator = organization_with_administrator()
    member, membership = add_member(organization)
    services.member_set_role(
        actor=administrator, membership=membership, role=MemberRole.ADMINISTRATOR
    )
    assert roles.is_organization_administrator(member, organization)
    own = _administrator_membership(organization, administrator)
    services.member_set_role(actor=member, membership=own, role=MemberRole.MEMBER)
    events = list(
        MembershipEvent.objects.filter(organization=organization)
        .order_by("id")
        .values_list("action", "actor", "user", "role")
    )
    assert events == [
        (MembershipAction.ROLE_CHANGED, administrator.pk, member.pk, MemberRole.ADMINISTRATOR),
        (MembershipAction.ROLE_CHANGED, member.pk, administrator.pk, MemberRole.MEMBER),
    ]


def test_setting_the_same_role_records_nothing():
    organization, administrator = organization_with_administrator()
    _member, membership = add_member(organization)
    services.member_set_role(actor=administrator, membership=membership, role=MemberRole.MEMBER)
    assert not MembershipEvent.objects.exists()


def test_removal_and_leaving_are_audited():
    organization, administrator = organization_with_administrator()
    removed, removed_membership = add_member(organization)
    leaver, leaver_membership = add_member(organization)
    services.member_remove(actor=administrator, membership=removed_membership)
    assert roles.is_member(leaver, organization)
    services.member_remove(actor=leaver, membership=leaver_membership)
    assert not roles.is_member(leaver, organization)
    assert set(Membership.objects.filter(organization=organization).values_list(
        "user", flat=True
    )) == {administrator.pk}
    events = list(
        MembershipEvent.objects.filter(organization=organization)
        .order_by("id")
        .values_list("action", "actor", "user")
    )
    assert events == [
        (MembershipAction.MEMBER_REMOVED, administrator.pk, removed.pk),
        (MembershipAction.MEMBER_LEFT, leaver.pk, leaver.pk),
    ]


def test_plain_members_cannot_change_roles_or_remove_others():
    organization, _administrator = organization_with_administrator()
    member, _membership = add_member(organization)
    _other, other_membership = add_member(organization)
    with pytest.raises(PermissionDeniedError):
        services.member_set_role(
            actor=member, membership=other_membership, role=MemberRole.ADMINISTRATOR
        )
    with pytest.raises(PermissionDeniedError):
        services.member_remove(actor=member, membership=other_membership)


def test_brokers_change_roles_and_remove_members():
    organization, administrator = organization_with_administrator()
    _member, membership = add_member(organization)
    broker = factories.broker()
    services.member_set_role(actor=broker, membership=membership, role=MemberRole.ADMINISTRATOR)
    services.member_remove(
        actor=broker, membership=_administrator_membership(organization, administrator)
    )
    assert MembershipEvent.objects.filter(actor=broker).count() == 2


def test_members_page_shows_invitations_and_audit_to_administrators_only(client):
    organization, administrator = organization_with_administrator()
    member, membership = add_member(organization)
    services.member_set_role(
        actor=administrator, membership=membership, role=MemberRole.ADMINISTRATOR
    )
    url = reverse("organization-members", args=[organization.pk])
    client.force_login(administrator)
    page = client.get(url).content.decode()
    assert "Invite a member" in page and "Role changed" in page
    plain, _plain_membership = add_member(organization)
    client.force_login(plain)
    page = client.get(url).content.decode()
    assert member.get_username() in page
    assert "Invite a member" not in page and "Role changed" not in page
    client.force_login(factories.UserFactory())
    assert client.get(url).status_code == 403


def test_members_page_actions_change_role_remove_and_leave(client):
    organization, administrator = organization_with_administrator()
    member, membership = add_member(organization)
    client.force_login(administrator)
    response = client.post(
        reverse("member-set-role", args=[organization.pk, membership.pk]),
        {"role": MemberRole.ADMINISTRATOR},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_administrator
    own = _administrator_membership(organization, administrator)
    response = client.post(reverse("member-remove", args=[organization.pk, own.pk]))
    assert response["Location"] == reverse("organization-detail", args=[organization.pk])
    assert not roles.is_member(administrator, organization)
    client.force_login(member)
    response = client.post(reverse("member-remove", args=[organization.pk, membership.pk]))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=membership.pk).exists()  # the last administrator


def test_invite_form_sends_an_invitation(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    organization, administrator = organization_with_administrator()
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organization-invite", args=[organization.pk]),
            {"email": "new@example.com", "role": MemberRole.MEMBER},
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    page = client.get(reverse("organization-members", args=[organization.pk])).content.decode()
    assert "new@example.com" in page


def test_members_page_actions_are_403_for_outsiders(client):
    organization, _administrator = organization_with_administrator()
    _member, membership = add_member(organization)
    client.force_login(factories.UserFactory())
    for name, data in (
        ("member-set-role", {"role": MemberRole.ADMINISTRATOR}),
        ("member-remove", {}),
    ):
        response = client.post(reverse(name, args=[organization.pk, membership.pk]), data)
        assert response.status_code == 403
    response = client.post(
        reverse("organization-invite", args=[organization.pk]), {"email": "x@example.com"}
    )
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_administrator_who_steps_down_loses_the_rights_within_the_same_request():
    """`is_organization_administrator` reads the administered ids once per user object;
    changing one's own role drops that cache (`roles.forget_memberships`), so the rest of the
    request does not act on the old rights."""
    organization, administrator = organization_with_administrator()
    _member, membership = add_member(organization)
    services.member_set_role(
        actor=administrator, membership=membership, role=MemberRole.ADMINISTRATOR
    )
    assert roles.is_organization_administrator(administrator, organization)  # now cached
    own = _administrator_membership(organization, administrator)
    services.member_set_role(actor=administrator, membership=own, role=MemberRole.MEMBER)
    assert not roles.is_organization_administrator(administrator, organization)
    assert not roles.may_manage_members(administrator, organization)
