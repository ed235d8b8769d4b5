"""Claiming an organisation nobody represents yet: a signed-in person claims it with evidence, a
broker approves (the claimant becomes its administrator, it is verified, other open claims
close) or rejects with a reason; one open claim per person and organisation; organisations
with members are joined, not claimed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace import roles, selectors, services
from marketplace.choices import (
    ClaimStatus,
    ListingStatus,
    OrganizationKind,
    Role,
    VerificationDecision,
    VerificationStatus,
)
from marketplace.models import (
    Membership,
    Notification,
    OrganizationClaim,
    OrganizationDecision,
    OrganizationEvidence,
)
from matching.match_requests import selectors as match_selectors
from matching.match_requests import services as match_services
from matching.models import MatchRequestStatus
from tests import factories
from tests.marketplace.organizations.conftest import PDF

pytestmark = pytest.mark.django_db


def _pdf(name: str = "authorisation.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _verbs(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


@pytest.fixture
def imported():
    """An imported university with a published result, nobody on Keqiao belongs to it."""
    org = factories.OrganizationFactory(kind=OrganizationKind.UNIVERSITY)
    factories.ResearchResultFactory(owner=org)
    return org


def _claim(user, org, **kwargs) -> OrganizationClaim:
    return services.claim_create(actor=user, organization=org, upload=_pdf(), **kwargs)


def test_claim_waits_for_a_broker_and_tells_the_brokers(imported, broker):
    claimant = factories.UserFactory()
    claim = _claim(claimant, imported, message="科研处")
    assert claim.status == ClaimStatus.PENDING
    assert (claim.content_type, claim.original_name) == ("application/pdf", "authorisation.pdf")
    assert _verbs(broker) == ["organization_claim.created"]
    assert selectors.is_unclaimed(imported)  # nothing changes before a broker answers


def test_approved_claimant_administers_the_verified_organisation_owns_and_publishes_its_listings(
    imported, broker
):
    claimant = factories.UserFactory()
    listing = imported.researchresults.get()
    author = listing.created_by_id
    claim = services.claim_approve(claim=_claim(claimant, imported), actor=broker)

    assert (claim.status, claim.decided_by) == (ClaimStatus.APPROVED, broker)
    membership = Membership.objects.get(user=claimant, organization=imported)
    assert membership.is_administrator and membership.role == Role.RESEARCHER
    imported.refresh_from_db()
    assert imported.verified and imported.verification_status == VerificationStatus.VERIFIED
    assert not selectors.is_unclaimed(imported)
    decision = OrganizationDecision.objects.get(organization=imported)
    assert (decision.decision, decision.decided_by) == (VerificationDecision.VERIFIED, broker)
    assert OrganizationEvidence.objects.get(organization=imported).file.name == claim.file.name
    assert "organization_claim.approved" in _verbs(claimant)
    # Its listings are the claimant's to edit, authors kept; a new draft can be published.
    listing.refresh_from_db()
    assert (listing.owner_id, listing.created_by_id) == (imported.pk, author)
    assert selectors.can_edit_listing(claimant, listing)
    draft = factories.ResearchResultFactory(
        owner=imported, status=ListingStatus.DRAFT, published_at=None, renewed_at=None
    )
    draft = services.listing_submit(listing=draft, actor=claimant)
    assert draft.status == ListingStatus.PENDING_REVIEW
    assert roles.may_manage_members(claimant, imported)


def test_requests_waiting_in_the_mediation_queue_are_answered_by_the_new_administrator(
    imported, broker, enterprise_user
):
    match_request = match_services.match_request_create(
        actor=enterprise_user, research_result=imported.researchresults.get(), message="请介绍"
    )
    assert match_request.handled_by_transfer_centre
    claimant = factories.UserFactory()
    services.claim_approve(claim=_claim(claimant, imported), actor=broker)

    match_request.refresh_from_db()
    assert match_request.mediated_at is not None  # stays in the queue where it was
    assert match_request in match_selectors.match_request_list(viewer=claimant)
    match_services.match_request_accept(match_request=match_request, actor=claimant)
    match_request.refresh_from_db()
    assert match_request.status == MatchRequestStatus.ACCEPTED
    assert "match_request.accepted" in _verbs(enterprise_user)


def test_rejecting_a_claim_needs_a_reason_and_the_claimant_is_told_it(imported, broker):
    claimant = factories.UserFactory()
    claim = _claim(claimant, imported)
    with pytest.raises(DomainError) as error:
        services.claim_reject(claim=claim, actor=broker, reason="  ")
    assert list(error.value.fields) == ["reason"]
    claim = services.claim_reject(claim=claim, actor=broker, reason="授权书未盖章")
    assert (claim.status, claim.reason, claim.decided_by) == (
        ClaimStatus.REJECTED, "授权书未盖章", broker
    )
    note = Notification.objects.get(recipient=claimant, verb="organization_claim.rejected")
    assert note.params["reason"] == "授权书未盖章"
    assert not Membership.objects.filter(organization=imported).exists()
    with pytest.raises(ConflictError):
        services.claim_approve(claim=claim, actor=broker)


def test_second_open_claim_of_the_same_organisation_is_409_and_allowed_after_an_answer(
    imported, broker, api_client
):
    claimant = factories.UserFactory()
    api_client.force_authenticate(claimant)
    url = reverse("api-organization-claim", args=[imported.pk])
    first = api_client.post(url, {"file": _pdf()}, format="multipart")
    assert first.status_code == 201, first.json()
    second = api_client.post(url, {"file": _pdf()}, format="multipart")
    assert second.status_code == 409
    assert second.json()["code"] == "already_claimed"
    services.claim_reject(
        claim=OrganizationClaim.objects.get(pk=first.json()["id"]), actor=broker, reason="不清晰"
    )
    assert api_client.post(url, {"file": _pdf()}, format="multipart").status_code == 201


def test_claim_of_an_organisation_with_members_is_refused_409(api_client):
    org = factories.OrganizationFactory()
    factories.researcher(org)
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        reverse("api-organization-claim", args=[org.pk]), {"file": _pdf()}, format="multipart"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "has_members"


def test_claim_of_a_transfer_centre_is_refused():
    centre = factories.OrganizationFactory(kind=OrganizationKind.TRANSFER_CENTRE)
    with pytest.raises(PermissionDeniedError):
        _claim(factories.UserFactory(), centre)


def test_the_claim_page_answers_a_refused_claim_with_the_apis_status():
    """The web form shows the service's refusal on the page, with the API's status: 403 for
    an organisation nobody may claim (a transfer centre), 409 for one that has members."""
    centre = factories.OrganizationFactory(kind=OrganizationKind.TRANSFER_CENTRE)
    staffed = factories.OrganizationFactory()
    factories.researcher(staffed)
    client = factories.login(factories.UserFactory())
    for organization, status in ((centre, 403), (staffed, 409)):
        response = client.post(
            reverse("organization-claim", args=[organization.pk]),
            {"file": _pdf(), "message": "授权书"},
        )
        assert response.status_code == status, organization
    assert not OrganizationClaim.objects.exists()


def test_claim_evidence_must_be_a_pdf_or_image(api_client, imported):
    api_client.force_authenticate(factories.UserFactory())
    response = api_client.post(
        reverse("api-organization-claim", args=[imported.pk]),
        {"file": SimpleUploadedFile("letter.pdf", b"<html>", content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["file"]
    assert not OrganizationClaim.objects.exists()


def test_approval_closes_the_other_open_claims_and_tells_their_claimants(imported, broker):
    first, second = factories.UserFactory(), factories.UserFactory()
    approved = _claim(first, imported)
    other = _claim(second, imported)
    services.claim_approve(claim=approved, actor=broker)
    other.refresh_from_db()
    assert (other.status, other.decided_by) == (ClaimStatus.CLOSED, broker)
    assert "organization_claim.closed" in _verbs(second)
    with pytest.raises(ConflictError):
        services.claim_approve(claim=other, actor=broker)


def test_only_brokers_answer_claims(imported):
    claimant = factories.UserFactory()
    claim = _claim(claimant, imported)
    for actor in (claimant, factories.researcher()):
        with pytest.raises(PermissionDeniedError):
            services.claim_approve(claim=claim, actor=actor)
        with pytest.raises(PermissionDeniedError):
            services.claim_reject(claim=claim, actor=actor, reason="no")


def test_claim_evidence_is_fetched_only_by_its_claimant_and_brokers(imported, broker):
    claimant = factories.UserFactory()
    claim = _claim(claimant, imported)
    url = reverse("organization-claim-evidence", args=[claim.pk])
    assert factories.login(claimant).get(url).status_code == 200
    assert factories.login(broker).get(url).status_code == 200
    assert factories.login(factories.researcher()).get(url).status_code == 404
    response = factories.login(broker).get(url)
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")


# --- permission matrix over the claims API -------------------------------------------------------
MATRIX_ROLES = ["anonymous", "claimant", "signed_in", "other_org_member", "broker", "admin"]


def _matrix(*codes: int) -> dict[str, int]:
    return dict(zip(MATRIX_ROLES, codes, strict=True))


@pytest.fixture
def claim_world(imported):
    claimant = factories.UserFactory()
    users = {
        "anonymous": None,
        "claimant": claimant,
        "signed_in": factories.UserFactory(),
        "other_org_member": factories.researcher(),
        "broker": factories.broker(),
        "admin": factories.admin(),
    }
    return {"claim": _claim(claimant, imported), "users": users}


def _as(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _assert_error_shape(response) -> None:
    if response.status_code >= 400:
        assert set(response.json()) == {"message", "code", "fields"}, response.json()


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("list", _matrix(401, 200, 200, 200, 200, 200)),
        ("detail", _matrix(401, 200, 404, 404, 200, 200)),
        ("approve", _matrix(401, 403, 404, 404, 200, 200)),
        ("reject", _matrix(401, 403, 404, 404, 200, 200)),
    ],
)
@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_claims_api_permission_matrix(api_client, claim_world, endpoint, expected, role):
    claim = claim_world["claim"]
    client = _as(api_client, claim_world["users"][role])
    if endpoint == "list":
        response = client.get(reverse("api-organization-claim-list"))
    elif endpoint == "detail":
        response = client.get(reverse("api-organization-claim-detail", args=[claim.pk]))
    elif endpoint == "approve":
        response = client.post(reverse("api-organization-claim-approve", args=[claim.pk]))
    else:
        response = client.post(
            reverse("api-organization-claim-reject", args=[claim.pk]), {"reason": "不清晰"},
            format="json",
        )
    assert response.status_code == expected[role], response.content
    _assert_error_shape(response)
    if endpoint == "list" and response.status_code == 200:
        ids = [item["id"] for item in response.json()["results"]]
        sees = role in {"claimant", "broker", "admin"}
        assert ids == ([claim.pk] if sees else [])


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_claim_endpoint_needs_a_signed_in_user_only(api_client, claim_world, role):
    org = factories.OrganizationFactory()
    client = _as(api_client, claim_world["users"][role])
    response = client.post(
        reverse("api-organization-claim", args=[org.pk]), {"file": _pdf()}, format="multipart"
    )
    assert response.status_code == (401 if role == "anonymous" else 201), response.content
    _assert_error_shape(response)


def test_claims_list_filters_by_status_and_refuses_unknown_ones(api_client, claim_world):
    client = _as(api_client, claim_world["users"]["broker"])
    url = reverse("api-organization-claim-list")
    assert len(client.get(url, {"status": "pending"}).json()["results"]) == 1
    assert client.get(url, {"status": "approved"}).json()["results"] == []
    response = client.get(url, {"status": "nonsense"})
    assert response.status_code == 400
    _assert_error_shape(response)


def test_api_reject_without_reason_is_400_on_reason(api_client, claim_world):
    client = _as(api_client, claim_world["users"]["broker"])
    claim = claim_world["claim"]
    response = client.post(reverse("api-organization-claim-reject", args=[claim.pk]), {},
                           format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]


# --- web pages ----------------------------------------------------------------------------------
def test_organisation_page_offers_claim_to_signed_in_users_only_while_unclaimed(imported):
    url = reverse("organization-detail", args=[imported.pk])
    claim_url = reverse("organization-claim", args=[imported.pk])
    user = factories.UserFactory()
    assert claim_url in factories.login(user).get(url).content.decode()
    assert claim_url not in factories.login(factories.broker()).get(url).content.decode()
    assert claim_url not in Client().get(url).content.decode()
    factories.researcher(imported)
    assert claim_url not in factories.login(user).get(url).content.decode()


def test_web_claim_then_broker_approves_from_the_claims_queue(imported, broker):
    user = factories.UserFactory()
    client = factories.login(user)
    response = client.post(
        reverse("organization-claim", args=[imported.pk]), {"file": _pdf(), "message": "科研处"}
    )
    assert response.status_code == 302
    claim = OrganizationClaim.objects.get(claimant=user)
    page = client.get(reverse("organization-detail", args=[imported.pk])).content.decode()
    assert reverse("organization-claim", args=[imported.pk]) not in page  # claim is open

    broker_client = factories.login(broker)
    queue = broker_client.get(reverse("organization-claim-queue")).content.decode()
    assert imported.legal_name in queue
    assert reverse("organization-claim-queue") in broker_client.get(
        reverse("organization-verification-queue")
    ).content.decode()
    broker_client.post(reverse("organization-claim-decide", args=[claim.pk, "approve"]))
    assert Membership.objects.get(user=user, organization=imported).is_administrator


def test_claims_queue_is_for_brokers(imported):
    assert factories.login(factories.researcher()).get(
        reverse("organization-claim-queue")
    ).status_code == 403


def _membership_reads(queries, column):
    """Queries (or subqueries) of the memberships filtered on `column` ("organization_id":
    whether an organisation has members; "is_administrator": administrator rights)."""
    return [q for q in queries
            if "marketplace_membership" in q["sql"] and f'."{column}"' in q["sql"].partition(
                "WHERE")[2]]


def test_a_refused_claim_asks_once_whether_the_organisation_has_members(imported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.researcher(imported)
    client = factories.login(factories.UserFactory())
    with CaptureQueriesContext(connection) as ctx:
        page = client.post(reverse("organization-claim", args=[imported.pk]), {"file": _pdf()})
    assert "ask to join it instead" in page.content.decode()
    assert len(_membership_reads(ctx.captured_queries, "organization_id")) == 1
    assert not OrganizationClaim.objects.exists()


def test_administrator_rights_are_read_once_per_user_object(imported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = factories.OrganizationFactory()
    admin = factories.UserFactory()
    Membership.objects.create(user=admin, organization=imported, role=Role.RESEARCHER,
                              is_administrator=True)
    with CaptureQueriesContext(connection) as ctx:
        answers = [roles.is_organization_administrator(admin, org) for org in
                   (imported, other, imported.pk, other.pk)]
    assert answers == [True, False, True, False]
    assert len(_membership_reads(ctx.captured_queries, "is_administrator")) == 1


def test_approval_closes_every_other_open_claim_in_one_update(imported, broker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approved = _claim(factories.UserFactory(), imported)
    others = [_claim(factories.UserFactory(), imported) for _n in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        services.claim_approve(claim=approved, actor=broker)
    updates = [q for q in ctx.captured_queries
               if q["sql"].startswith('UPDATE "marketplace_organizationclaim"')]
    assert len(updates) == 2  # the approved claim, then the others at once
    for other in others:
        other.refresh_from_db()
        assert (other.status, other.decided_by) == (ClaimStatus.CLOSED, broker)
        assert other.decided_at is not None
        assert "organization_claim.closed" in _verbs(other.claimant)
