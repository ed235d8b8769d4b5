"""Reads of organisations joining: join requests, evidence, the brokers' verification queue and
an organisation's public page. Who sees what:

- join requests: the asking user; the organisation's administrators and brokers
  (`roles.may_manage_members`); others get 404 for one, 403 for a list;
- evidence (private): the organisation's members and brokers; others get 404;
- the verification queue: brokers only (403);
- claims and their evidence: the claimant and brokers (others get 404 for one; a list shows
  brokers every claim, everyone else their own).
"""

from __future__ import annotations

from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError
from marketplace import roles
from marketplace.choices import ClaimStatus, JoinRequestStatus, VerificationStatus
from marketplace.models import (
    JoinRequest,
    Organization,
    OrganizationClaim,
    OrganizationDecision,
    OrganizationEvidence,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.roles import AnyUser
from marketplace.selectors import research_result_list, technology_need_list


def _int(pk: int | str) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def join_request_list(*, viewer: AnyUser, organization: Organization) -> QuerySet[JoinRequest]:
    """The organisation's join requests, pending first, newest first (its administrators and
    brokers; `PermissionDeniedError` otherwise)."""
    if not roles.may_manage_members(viewer, organization):
        raise PermissionDeniedError(
            _("Only the organisation's administrators or brokers see requests to join it.")
        )
    answered = Case(When(status=JoinRequestStatus.PENDING, then=Value(0)), default=Value(1))
    return (
        JoinRequest.objects.filter(organization=organization)
        .select_related("user", "organization", "decided_by")
        .order_by(answered, "-created_at", "-id")
    )


def join_request_get(*, viewer: AnyUser, pk: int | str) -> JoinRequest:
    """One join request the viewer may see (the asker, the organisation's administrators,
    brokers); Http404 otherwise."""
    join_request = (
        JoinRequest.objects.select_related("user", "organization").filter(pk=_int(pk)).first()
    )
    if join_request is None or not (
        join_request.user_id == viewer.pk
        or roles.may_manage_members(viewer, join_request.organization_id)
    ):
        raise Http404(_("No such request to join."))
    return join_request


def own_pending_join_request(*, viewer: AnyUser, organization: Organization) -> JoinRequest | None:
    """The viewer's pending request to join `organization`, if any."""
    if not viewer.is_authenticated:
        return None
    return JoinRequest.objects.filter(
        user_id=viewer.pk, organization=organization, status=JoinRequestStatus.PENDING
    ).first()


def can_see_evidence(viewer: AnyUser, organization: Organization | int) -> bool:
    """Evidence is private: the organisation's members and brokers only."""
    return roles.is_broker(viewer) or roles.is_member(viewer, organization)


def evidence_list(
    *, viewer: AnyUser, organization: Organization
) -> QuerySet[OrganizationEvidence]:
    """The organisation's evidence, oldest first, for its members and brokers (none else)."""
    if not can_see_evidence(viewer, organization):
        return OrganizationEvidence.objects.none()
    return OrganizationEvidence.objects.filter(organization=organization)


def evidence_get(*, viewer: AnyUser, pk: int | str) -> OrganizationEvidence:
    """One evidence file the viewer may fetch; Http404 otherwise (its existence does not leak)."""
    evidence = OrganizationEvidence.objects.filter(pk=_int(pk)).first()
    if evidence is None or not can_see_evidence(viewer, evidence.organization_id):
        raise Http404(_("No such file."))
    return evidence


def verification_queue(*, viewer: AnyUser) -> QuerySet[Organization]:
    """Organisations waiting for verification, oldest first (brokers only)."""
    roles.require_broker(viewer, _("Only brokers verify organisations."))
    return Organization.objects.filter(
        verification_status=VerificationStatus.PENDING
    ).order_by("created_at", "id")


def decisions(*, viewer: AnyUser, organization: Organization) -> QuerySet[OrganizationDecision]:
    """The brokers' decisions about `organization`, newest first: for its members and brokers
    (the reason of a rejection is theirs to read); none for others."""
    if not can_see_evidence(viewer, organization):
        return OrganizationDecision.objects.none()
    return OrganizationDecision.objects.filter(organization=organization).select_related(
        "decided_by"
    )


def claim_list(*, viewer: AnyUser) -> QuerySet[OrganizationClaim]:
    """Claims, open ones first, newest first: every claim for brokers, the viewer's own for
    everyone else (`marketplace.filters.ClaimFilter` narrows them)."""
    queryset = OrganizationClaim.objects.select_related("claimant", "organization", "decided_by")
    if not roles.is_broker(viewer):
        queryset = queryset.filter(claimant_id=viewer.pk) if viewer.is_authenticated else (
            queryset.none()
        )
    open_first = Case(When(status=ClaimStatus.PENDING, then=Value(0)), default=Value(1))
    return queryset.order_by(open_first, "-created_at", "-id")


def claim_queue(*, viewer: AnyUser) -> QuerySet[OrganizationClaim]:
    """Open claims, oldest first (brokers only; `PermissionDeniedError` otherwise)."""
    roles.require_broker(viewer, _("Only brokers answer claims of organisations."))
    return (
        OrganizationClaim.objects.filter(status=ClaimStatus.PENDING)
        .select_related("claimant", "organization")
        .order_by("created_at", "id")
    )


def claim_get(*, viewer: AnyUser, pk: int | str) -> OrganizationClaim:
    """One claim the viewer may see (its claimant, brokers); Http404 otherwise."""
    claim = (
        OrganizationClaim.objects.select_related("claimant", "organization", "decided_by")
        .filter(pk=_int(pk))
        .first()
    )
    if claim is None or not (claim.claimant_id == viewer.pk or roles.is_broker(viewer)):
        raise Http404(_("No such claim."))
    return claim


def own_pending_claim(*, viewer: AnyUser, organization: Organization) -> OrganizationClaim | None:
    """The viewer's open claim of `organization`, if any."""
    if not viewer.is_authenticated:
        return None
    return OrganizationClaim.objects.filter(
        claimant_id=viewer.pk, organization=organization, status=ClaimStatus.PENDING
    ).first()


class PublicListings(NamedTuple):
    research_results: QuerySet[ResearchResult]
    needs: QuerySet[TechnologyNeed]


def published_listings(*, organization: Organization) -> PublicListings:
    """The organisation's listings that everyone sees (published, not expired), for its
    public page (its members' drafts are not shown there)."""
    anyone = AnonymousUser()
    return PublicListings(
        research_results=research_result_list(viewer=anyone).filter(owner=organization),
        needs=technology_need_list(viewer=anyone).filter(owner=organization),
    )
