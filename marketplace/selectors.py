"""Reads of the listings domain, with the visibility rules applied for the viewer.

Visibility of a listing (research result or technology need):
- everyone, signed in or not, sees *searchable* listings: published and not expired, i.e.
  `renewed_at` is empty or later than now - `LISTING_RENEWAL_DAYS`, and a need's `deadline` is
  empty or today or later (the same rule as `Listing.is_searchable`, as a queryset filter);
- members of the owner organisation also see its listings in every status;
- brokers and admins see everything.
Invisible objects are reported as missing (`Http404`), so their existence does not leak.

`confidential_details` (and organisations' contact details) are for the owner organisation's
members and brokers only: see `can_see_confidential` / `can_see_contacts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from marketplace import roles
from marketplace.choices import ListingStatus
from marketplace.filters import OrganizationFilter, ResearchResultFilter, TechnologyNeedFilter
from marketplace.models import (
    Listing,
    Membership,
    Notification,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.roles import AnyUser

ModelT = TypeVar("ModelT", ResearchResult, TechnologyNeed, Organization)
RecordT = TypeVar("RecordT", bound=models.Model)

#: Filter parameters as django-filter reads them: a request's query dict or a plain dict.
Filters = QueryDict | dict[str, Any]


def listing_searchable_q(
    model: type[ResearchResult] | type[TechnologyNeed], *, now: datetime | None = None
) -> Q:
    """The `Listing.is_searchable` rule as a filter: published and not expired at `now`."""
    now = now or timezone.now()
    condition = Q(status=ListingStatus.PUBLISHED) & (
        Q(renewed_at__isnull=True)
        | Q(renewed_at__gt=now - timedelta(days=settings.LISTING_RENEWAL_DAYS))
    )
    if issubclass(model, TechnologyNeed):
        # expires_at is the local midnight after the deadline, so the deadline day still counts.
        condition &= Q(deadline__isnull=True) | Q(deadline__gte=timezone.localdate(now))
    return condition


def _visible(
    queryset: QuerySet[ModelT], model: type[ResearchResult] | type[TechnologyNeed], viewer: AnyUser
) -> QuerySet[ModelT]:
    if roles.is_broker(viewer):
        return queryset
    condition = listing_searchable_q(model)
    org_ids = roles.organization_ids(viewer)
    if org_ids:
        condition |= Q(owner_id__in=org_ids)
    return queryset.filter(condition)


def _apply_filters(
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet[ModelT],
    filters: Filters | None,
) -> QuerySet[ModelT]:
    if not filters:
        return queryset
    filterset = filterset_class(data=filters, queryset=queryset)
    if not filterset.is_valid():
        raise DomainError(
            _("Some filters are not valid."),
            fields={name: list(messages) for name, messages in filterset.errors.items()},
        )
    result: QuerySet[ModelT] = filterset.qs
    return result


def research_result_list(
    *, viewer: AnyUser, filters: Filters | None = None
) -> QuerySet[ResearchResult]:
    """Research results `viewer` may see, narrowed by `filters` (see
    `marketplace.filters.ResearchResultFilter`); newest publication first.

    Raises `DomainError` (per-field messages) for invalid filter values.
    """
    queryset = _visible(ResearchResult.objects.select_related("owner"), ResearchResult, viewer)
    return _apply_filters(ResearchResultFilter, queryset, filters)


def technology_need_list(
    *, viewer: AnyUser, filters: Filters | None = None
) -> QuerySet[TechnologyNeed]:
    """Technology needs `viewer` may see, narrowed by `filters` (see
    `marketplace.filters.TechnologyNeedFilter`); newest publication first."""
    queryset = _visible(TechnologyNeed.objects.select_related("owner"), TechnologyNeed, viewer)
    return _apply_filters(TechnologyNeedFilter, queryset, filters)


def research_result_get(*, viewer: AnyUser, pk: int | str) -> ResearchResult:
    """One visible research result; `Http404` if it does not exist or `viewer` may not see it."""
    try:
        return research_result_list(viewer=viewer).get(pk=int(pk))
    except (ResearchResult.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such research result.")) from None


def technology_need_get(*, viewer: AnyUser, pk: int | str) -> TechnologyNeed:
    """One visible technology need; `Http404` if it does not exist or `viewer` may not see it."""
    try:
        return technology_need_list(viewer=viewer).get(pk=int(pk))
    except (TechnologyNeed.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such technology need.")) from None


def can_see_confidential(viewer: AnyUser, listing: Listing) -> bool:
    """Whether `viewer` may read `listing.confidential_details` (and its rejection reason):
    members of the owner organisation and brokers only."""
    return roles.is_broker(viewer) or roles.is_member(viewer, listing.owner_id)


def can_see_contacts(viewer: AnyUser, organization: Organization) -> bool:
    """The contact rule: whether `viewer` may read an organisation's contact details
    (`ORGANIZATION_CONTACT_FIELDS`: e-mail and phone) on its own pages and in the API --
    its members and brokers. The other side of a match request gets them once the request is
    accepted (`matching.match_requests.selectors.visible_contact_sides`). Everything else about
    an organisation (legal name, credit code, region, address, website) is public, as in the
    business registry (DESIGN.md, "Organisations: the contact rule")."""
    return roles.is_broker(viewer) or roles.is_member(viewer, organization)


def active_memberships() -> QuerySet[Membership]:
    """Memberships of active accounts: the one definition of who counts wherever "has
    members" is decided (claims, join requests, the last administrator, the brokers' queue).
    A deleted account (`accounts.services.delete_account`: inactive, anonymised) keeps its
    membership rows for the history, but can answer nothing, so it is nobody."""
    return Membership.objects.filter(user__is_active=True)


def has_active_members(organization: Organization | int) -> bool:
    """Whether an active account is a member of `organization` (an instance or an id)."""
    pk = organization if isinstance(organization, int) else organization.pk
    return active_memberships().filter(organization_id=pk).exists()


def is_unclaimed(organization: Organization) -> bool:
    """Whether no active account is a member of `organization` (imported, not claimed yet, or
    its members deleted their accounts): uses the annotation ``has_members`` of
    `organization_list` when present."""
    has_members = getattr(organization, "has_members", None)
    if has_members is None:
        has_members = has_active_members(organization)
    return not has_members


def can_edit_listing(viewer: AnyUser, listing: Listing) -> bool:
    """Whether `viewer` may edit, submit or archive `listing` (owner members and brokers)."""
    return can_see_confidential(viewer, listing)


def organization_list(*, filters: Filters | None = None) -> QuerySet[Organization]:
    """All organisations (they are public), by legal name; see `OrganizationFilter`. Each
    carries ``has_members`` (see `is_unclaimed`)."""
    queryset = Organization.objects.annotate(
        has_members=Exists(active_memberships().filter(organization=OuterRef("pk")))
    )
    return _apply_filters(OrganizationFilter, queryset, filters)


def own_organizations(user: AnyUser) -> QuerySet[Organization]:
    """The organisations `user` is a member of (`roles.organization_ids`), by legal name:
    those they act for (none for anonymous visitors)."""
    return Organization.objects.filter(pk__in=roles.organization_ids(user)).order_by(
        "legal_name", "pk"
    )


def organization_get(*, pk: int | str) -> Organization:
    """One organisation (Http404 otherwise), carrying ``has_members`` (read in the same query,
    so `is_unclaimed` and the claim's check ask no further)."""
    try:
        return Organization.objects.annotate(
            has_members=Exists(active_memberships().filter(organization=OuterRef("pk")))
        ).get(pk=int(pk))
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such organisation.")) from None


class ModerationQueue(NamedTuple):
    research_results: QuerySet[ResearchResult]
    needs: QuerySet[TechnologyNeed]


def moderation_queue(*, viewer: AnyUser) -> ModerationQueue:
    """Listings waiting for review (brokers only), oldest change first.

    Raises `PermissionDeniedError` for anyone else.
    """
    roles.require_broker(viewer, _("Only brokers can review listings."))
    pending = Q(status=ListingStatus.PENDING_REVIEW)
    return ModerationQueue(
        research_results=ResearchResult.objects.filter(pending)
        .select_related("owner")
        .order_by("updated_at", "id"),
        needs=TechnologyNeed.objects.filter(pending)
        .select_related("owner")
        .order_by("updated_at", "id"),
    )


def notification_list(*, viewer: AnyUser, unread_only: bool = False) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first (none for anonymous viewers)."""
    if not viewer.is_authenticated:
        return Notification.objects.none()
    queryset = Notification.objects.filter(recipient_id=viewer.pk)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset


# --- shared by the apps: organisation members, records of the viewer's organisations ----------


def organization_members(
    *organizations: Organization | int, exclude: AnyUser | None = None
) -> QuerySet[Any]:
    """Active users with a membership in any of `organizations` (instances or ids), each
    once, in id order; without `exclude` (typically the actor, who need not be told)."""
    users = (
        get_user_model()
        .objects.filter(
            memberships__organization__in=[
                org if isinstance(org, int) else org.pk for org in organizations
            ],
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
    if exclude is not None and exclude.pk is not None:
        users = users.exclude(pk=exclude.pk)
    return users


def visible_to_parties(
    queryset: QuerySet[RecordT], *, viewer: AnyUser, parties: Sequence[str]
) -> QuerySet[RecordT]:
    """The rows of `queryset` that `viewer` may see under the rule "brokers see everything,
    others their own organisations' records": brokers and admins (`roles.is_broker`) every
    row; other signed-in users the rows where one of the organisation fields `parties` (e.g.
    ``("requester", "addressee")``) is one of their organisations; anonymous users and users
    without an organisation none."""
    if not viewer.is_authenticated:
        return queryset.none()
    if roles.is_broker(viewer):
        return queryset
    org_ids = roles.organization_ids(viewer)
    if not org_ids:
        return queryset.none()
    condition = Q()
    for party in parties:
        condition |= Q(**{f"{party}_id__in": org_ids})
    return queryset.filter(condition)
