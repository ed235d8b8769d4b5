"""Match-request reads, with visibility applied for the viewer.

Who sees what:
- brokers (and admins) see every request;
- members of the requesting or the addressed organisation see that request;
- everyone else sees none (`match_request_get` raises Http404, lists are empty).

Contact details of an organisation (`marketplace.models.ORGANIZATION_CONTACT_FIELDS`: e-mail and
phone; address and website are public) are shown to the other party only once the request is
accepted; brokers see both sides' details then. Where a broker accepted on behalf of an
addressee that has no contact details, the transfer centre is the contact
(`transfer_centre_contact`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404

from marketplace import roles
from marketplace.choices import OrganizationKind
from marketplace.models import Membership, Organization
from marketplace.roles import AnyUser
from marketplace.selectors import visible_to_parties
from matching.models import MatchRequest, MatchRequestMessage, MatchRequestStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ROLE_SENT = "sent"
ROLE_RECEIVED = "received"

REQUESTER = "requester"
ADDRESSEE = "addressee"


def _visible(viewer: AnyUser) -> QuerySet[MatchRequest]:
    qs = MatchRequest.objects.select_related(
        "requester",
        "addressee",
        "research_result",
        "technology_need",
        "created_by",
        "decided_by",
    )
    return visible_to_parties(qs, viewer=viewer, parties=("requester", "addressee"))


def match_request_list(
    *, viewer: AnyUser, filters: Mapping[str, Any] | None = None
) -> QuerySet[MatchRequest]:
    """Requests the viewer may see, newest first.

    `filters` (all optional, already validated): `status` (MatchRequestStatus code),
    `direction` (MatchRequestDirection code), `role` ("sent": the viewer's organisations
    asked; "received": they were asked), `research_result` / `technology_need` (ids).
    """
    qs = _visible(viewer)
    filters = filters or {}
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("direction"):
        qs = qs.filter(direction=filters["direction"])
    if filters.get("research_result"):
        qs = qs.filter(research_result_id=filters["research_result"])
    if filters.get("technology_need"):
        qs = qs.filter(technology_need_id=filters["technology_need"])
    role = filters.get("role")
    if role == ROLE_SENT:
        qs = qs.filter(requester_id__in=roles.organization_ids(viewer))
    elif role == ROLE_RECEIVED:
        qs = qs.filter(addressee_id__in=roles.organization_ids(viewer))
    return qs


def match_request_get(*, viewer: AnyUser, pk: int) -> MatchRequest:
    """One request the viewer may see. Raises Http404 when it does not exist or is hidden."""
    try:
        return _visible(viewer).get(pk=pk)
    except (MatchRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such match request.") from exc


def match_request_messages(*, match_request: MatchRequest) -> QuerySet[MatchRequestMessage]:
    """The request's thread, oldest first (the caller has checked that the viewer sees it)."""
    return MatchRequestMessage.objects.filter(match_request=match_request).select_related("author")


def is_party(viewer: AnyUser, match_request: MatchRequest) -> bool:
    """Whether the viewer is a member of the requesting or the addressed organisation."""
    return roles.is_member(viewer, match_request.requester_id) or roles.is_member(
        viewer, match_request.addressee_id
    )


def contact_details_visible(viewer: AnyUser, match_request: MatchRequest) -> bool:
    """Whether the viewer may see contact details on this request at all: it is accepted and
    the viewer is a party or a broker."""
    if match_request.status != MatchRequestStatus.ACCEPTED or not viewer.is_authenticated:
        return False
    return roles.is_broker(viewer) or is_party(viewer, match_request)


def visible_contact_sides(viewer: AnyUser, match_request: MatchRequest) -> set[str]:
    """Which organisations' contact details the viewer sees: a subset of
    {"requester", "addressee"}. A party sees the other party's details (a member of both sees
    both); a broker sees both; nobody sees any before acceptance."""
    if not contact_details_visible(viewer, match_request):
        return set()
    if roles.is_broker(viewer):
        return {REQUESTER, ADDRESSEE}
    sides: set[str] = set()
    if roles.is_member(viewer, match_request.requester_id):
        sides.add(ADDRESSEE)
    if roles.is_member(viewer, match_request.addressee_id):
        sides.add(REQUESTER)
    return sides


@dataclass(frozen=True)
class TransferCentreContact:
    """Whom to contact instead of an addressee without contact details: the broker who
    accepted on its behalf and their transfer centre (None when they belong to none)."""

    broker: User
    centre: Organization | None


def transfer_centre_contact(match_request: MatchRequest) -> TransferCentreContact | None:
    """The transfer centre as the addressee's contact: when a broker who is not a member of
    the addressee accepted the request for it, and the addressee has neither a contact
    e-mail nor a phone. None otherwise (show the addressee's own details)."""
    addressee = match_request.addressee
    broker = match_request.decided_by
    if (
        match_request.status != MatchRequestStatus.ACCEPTED
        or broker is None
        or addressee.contact_email
        or addressee.contact_phone
        or roles.is_member(broker, addressee.pk)
    ):
        return None
    membership = (
        Membership.objects.filter(
            user_id=broker.pk, organization__kind=OrganizationKind.TRANSFER_CENTRE
        )
        .select_related("organization")
        .order_by("id")
        .first()
    )
    return TransferCentreContact(broker, membership.organization if membership else None)
