"""Races on PostgreSQL (row locks are real there; SQLite serialises writers, so these skip on
it): two threads, ordered with events so the interleaving is the same on every run. Each test
names the rule (a concurrent answer is a 409 in the error shape, never a 500)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from marketplace import roles, services
from marketplace.models import Membership
from marketplace.services import claims as claim_services
from marketplace.services import joining as joining_services
from tests import factories
from tests.marketplace.organizations.conftest import PDF
from tests.marketplace.organizations.members_helpers import (
    SITE,
    invite,
    organization_with_administrator,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgresql_only]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE  # absolute links (invitations) under a fixed site address

#: How long a thread waits for the other to block on a row lock before going on.
SETTLE = 0.5


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL (DATABASE_URL=postgres://...)")


def _client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _run(name: str, target: Callable[[], None]) -> threading.Thread:
    def body() -> None:
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=body, name=name)
    thread.start()
    return thread


def _claim(organization):
    return services.claim_create(
        actor=factories.UserFactory(), organization=organization,
        upload=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )


def test_two_brokers_approving_two_claims_of_one_organisation_get_200_and_409(
    broker, monkeypatch
):
    """claim_approve locks the claim, then the organisation, then (closing the others) every
    other open claim of it: two approvals of two claims lock in opposite orders and
    PostgreSQL aborts one with a deadlock (500). The loser must get 409."""
    organization = factories.OrganizationFactory()
    first, second = _claim(organization), _claim(organization)
    holds_organisation = threading.Event()
    second_started = threading.Event()
    original = claim_services._require_unclaimed

    def paused(org) -> None:
        if threading.current_thread().name == "first":
            holds_organisation.set()
            second_started.wait(5)
            time.sleep(SETTLE)  # the second approval now waits for the organisation's row
        original(org)

    monkeypatch.setattr(claim_services, "_require_unclaimed", paused)
    statuses: dict[str, int] = {}

    def approve(name: str, claim) -> Callable[[], None]:
        def call() -> None:
            if name == "second":
                holds_organisation.wait(5)
                second_started.set()
            response = _client(broker).post(f"/api/v1/organization-claims/{claim.pk}/approve/")
            statuses[name] = response.status_code

        return call

    threads = [_run("first", approve("first", first)), _run("second", approve("second", second))]
    for thread in threads:
        thread.join(30)
    assert sorted(statuses.values()) == [200, 409], statuses
    assert Membership.objects.filter(organization=organization).count() == 1


def test_invitation_accepted_while_a_join_request_is_approved_is_409_not_500(
    monkeypatch, django_capture_on_commit_callbacks
):
    """A person with a pending join request and an invitation to the same organisation: the
    administrator approves the request while the person accepts the invitation. Neither
    service locks the organisation, so both insert the membership; the unique constraint
    fails in `invitation_accept` (an IntegrityError, 500). It must be 409 already_member."""
    organization, administrator = organization_with_administrator()
    person = factories.UserFactory(email="wu@example.com")
    join_request = services.join_request_create(actor=person, organization=organization)
    _invitation, token = invite(
        organization, administrator, "wu@example.com",
        django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
    )
    member_added = threading.Event()
    accepting = threading.Event()
    original = roles.forget_memberships

    def paused(user) -> None:
        if threading.current_thread().name == "approve":
            member_added.set()  # the membership row is inserted, not committed
            accepting.wait(5)
            time.sleep(SETTLE)  # the acceptance now waits on the unique index
        original(user)

    monkeypatch.setattr(joining_services.roles, "forget_memberships", paused)
    statuses: dict[str, int] = {}

    def approve() -> None:
        response = _client(administrator).post(f"/api/v1/join-requests/{join_request.pk}/approve/")
        statuses["approve"] = response.status_code

    def accept() -> None:
        member_added.wait(5)
        accepting.set()
        response = _client(person).post(f"/api/v1/invitations/{token}/accept/")
        statuses["accept"] = response.status_code

    threads = [_run("approve", approve), _run("accept", accept)]
    for thread in threads:
        thread.join(30)
    assert statuses == {"approve": 200, "accept": 409}, statuses
