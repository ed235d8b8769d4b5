"""The members page does not offer the only administrator stepping down or leaving (the
service would refuse it); with a second administrator both are offered again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from marketplace.models import Membership
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    add_member,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


def _actions(organization, membership):
    return (
        reverse("member-set-role", args=[organization.pk, membership.pk]),
        reverse("member-remove", args=[organization.pk, membership.pk]),
    )


def test_sole_administrator_is_not_offered_make_member_or_leave():
    organization, administrator = organization_with_administrator()
    add_member(organization)
    own = Membership.objects.get(user=administrator, organization=organization)
    html = factories.login(administrator).get(
        reverse("organization-members", args=[organization.pk])
    ).content.decode()
    assert "data-sole-administrator" in html
    for url in _actions(organization, own):
        assert url not in html


def test_with_a_second_administrator_both_are_offered():
    organization, administrator = organization_with_administrator()
    add_member(organization, administrator=True)
    own = Membership.objects.get(user=administrator, organization=organization)
    html = factories.login(administrator).get(
        reverse("organization-members", args=[organization.pk])
    ).content.decode()
    for url in _actions(organization, own):
        assert url in html
