"""Brokers are told when a listing is submitted for review (one notification each), and an
organisation's administrators when an invitee joins it."""

from __future__ import annotations

import pytest

from marketplace import services
from marketplace.choices import ListingStatus
from marketplace.models import Notification
from marketplace.notifications import notification_text
from tests import factories
from tests.marketplace.organizations.members_helpers import (
    SITE,
    invite,
    organization_with_administrator,
)

pytestmark = pytest.mark.django_db


def test_submitting_a_listing_notifies_each_broker_once(researcher, university):
    brokers = [factories.broker(), factories.broker()]
    draft = factories.ResearchResultFactory(
        owner=university, status=ListingStatus.DRAFT, published_at=None, renewed_at=None
    )
    services.listing_submit(listing=draft, actor=researcher)
    for broker in brokers:
        rows = Notification.objects.filter(recipient=broker, verb="listing.submitted")
        assert rows.count() == 1
        assert draft.title in notification_text(rows.get(), "en")
        assert rows.get().url.endswith(f"/results/{draft.pk}/")
    assert not Notification.objects.filter(recipient=researcher, verb="listing.submitted")


def test_administrators_are_told_when_an_invitee_joins(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    organization, administrator = organization_with_administrator()
    invitation, _token = invite(
        organization, administrator, "new@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    invitee = factories.UserFactory(email="new@example.com", username="xinyuan")
    services.invitation_accept(actor=invitee, invitation=invitation)
    row = Notification.objects.get(recipient=administrator, verb="organization.member_joined")
    assert "xinyuan" in notification_text(row, "en") or invitee.get_full_name() in (
        notification_text(row, "en")
    )
    assert organization.legal_name in notification_text(row, "zh-hans")
    assert not Notification.objects.filter(recipient=invitee, verb="organization.member_joined")
