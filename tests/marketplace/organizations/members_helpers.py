"""Shared set-up of the members tests: an organisation with an administrator, invitations sent
through the service, and the token read back from the e-mail (the only place it exists)."""

from __future__ import annotations

import re

from django.core import mail

from marketplace import services
from marketplace.choices import MemberRole, OrganizationKind, Role
from marketplace.models import Invitation, Membership, Organization
from tests import factories

SITE = "https://keqiao.example.org"
LINK = re.compile(re.escape(SITE) + r"/invitations/([A-Za-z0-9_-]+)/")


def organization_with_administrator(kind: str = OrganizationKind.UNIVERSITY):
    organization = factories.OrganizationFactory(kind=kind)
    administrator = factories.UserFactory()
    Membership.objects.create(
        user=administrator, organization=organization, role=Role.RESEARCHER,
        is_administrator=True,
    )
    return organization, administrator


def add_member(organization: Organization, *, administrator: bool = False):
    user = factories.UserFactory()
    membership = Membership.objects.create(
        user=user, organization=organization, role=Role.RESEARCHER,
        is_administrator=administrator,
    )
    return user, membership


def last_token() -> str:
    """The token of the link in the last e-mail sent."""
    match = LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def invite(
    organization: Organization, actor, email: str, role: str = MemberRole.MEMBER,
    django_capture_on_commit_callbacks=None,
) -> tuple[Invitation, str]:
    """Invite `email`; the e-mail is sent on commit, so the caller passes pytest-django's
    `django_capture_on_commit_callbacks` fixture to run it."""
    assert django_capture_on_commit_callbacks is not None
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=actor, organization=organization, email=email, role=role
        )
    return invitation, last_token()
