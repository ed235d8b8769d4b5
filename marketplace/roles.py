"""Who may do what: roles come from organisation memberships (and Django's is_staff).

These predicates are the one place the role rules live; services, selectors and API
permissions call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kernel.errors import PermissionDeniedError
from marketplace.choices import Role, VerificationStatus
from marketplace.models import Membership, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import Promise

AnyUser = AbstractBaseUser | AnonymousUser


def _roles(user: AnyUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, "_keqiao_roles", None)
    if cached is None:
        cached = set(Membership.objects.filter(user_id=user.pk).values_list("role", flat=True))
        setattr(user, "_keqiao_roles", cached)  # noqa: B010  (per-request cache)
    return cached


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and (getattr(user, "is_superuser", False)
                                           or Role.ADMIN in _roles(user)))


def is_broker(user: AnyUser) -> bool:
    """Transfer-centre staff (技术经纪人) and admins moderate listings and see all requests."""
    return is_admin(user) or Role.BROKER in _roles(user) or bool(getattr(user, "is_staff", False))


def require_broker(actor: AnyUser, message: str | Promise) -> None:
    """The check of every broker-only place: raises `PermissionDeniedError` (403, `message`;
    in a web view Django's 403 page) unless `is_broker(actor)`."""
    if not is_broker(actor):
        raise PermissionDeniedError(message)


def organization_ids(user: AnyUser) -> set[int]:
    """Ids of the organisations the user is a member of."""
    if not user.is_authenticated:
        return set()
    cached: set[int] | None = getattr(user, "_keqiao_org_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user_id=user.pk).values_list("organization_id", flat=True)
        )
        setattr(user, "_keqiao_org_ids", cached)  # noqa: B010  (per-request cache)
    return cached


def is_member(user: AnyUser, organization: Organization | int) -> bool:
    org_id = organization if isinstance(organization, int) else organization.pk
    return org_id in organization_ids(user)


def primary_organization(user: AnyUser) -> Organization | None:
    """The organisation a user acts for by default (their first membership)."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user_id=user.pk).select_related("organization").order_by("id")
    ).first()
    return membership.organization if membership else None


def brokers() -> QuerySet[User]:
    """The active users `is_broker` holds for: superusers, staff, and members with the role
    broker or admin (the recipients of the transfer centre's notifications)."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(is_staff=True)
            | Q(memberships__role__in=[Role.BROKER, Role.ADMIN])
        )
        .distinct()
        .order_by("pk")
    )


def forget_memberships(user: AnyUser) -> None:
    """Drop the per-request caches of `user`'s roles and organisations (after a change)."""
    for attr in ("_keqiao_roles", "_keqiao_org_ids", "_keqiao_administered_ids"):
        user.__dict__.pop(attr, None)


def is_organization_administrator(user: AnyUser, organization: Organization | int) -> bool:
    """Whether `user` administers `organization` (answers its join requests). The ids of the
    organisations `user` administers are read once per user object, i.e. per request, like
    its roles (`forget_memberships` drops them)."""
    if not user.is_authenticated:
        return False
    cached: set[int] | None = getattr(user, "_keqiao_administered_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user_id=user.pk, is_administrator=True)
            .values_list("organization_id", flat=True)
        )
        setattr(user, "_keqiao_administered_ids", cached)  # noqa: B010  (per-request cache)
    org_id = organization if isinstance(organization, int) else organization.pk
    return org_id in cached


def may_manage_members(user: AnyUser, organization: Organization | int) -> bool:
    """Administrators of `organization` and brokers answer its join requests, invite, change
    its members' roles and remove members."""
    return is_broker(user) or is_organization_administrator(user, organization)


def require_may_manage_members(user: AnyUser, organization: Organization | int) -> None:
    """`may_manage_members` or `PermissionDeniedError` (403)."""
    if not may_manage_members(user, organization):
        raise PermissionDeniedError(
            _("Only the organisation's administrators or brokers can manage its members.")
        )


# --- acting in public before verification ------------------------------------------------------
#: Verification states in which an organisation's members may draft but not publish listings or
#: send match and meeting requests: registered by its own people and not (yet) verified.
HELD_STATUSES = frozenset({VerificationStatus.PENDING, VerificationStatus.REJECTED})
#: The error code of `require_organization_in_good_standing` (API clients test it).
UNVERIFIED_CODE = "organization_unverified"


def in_good_standing(organization: Organization) -> bool:
    """Whether `organization`'s members may act in public: publish listings, send match and
    meeting requests. False while a self-registered organisation waits for a broker or was
    rejected; organisations put here by brokers or imports are not held back."""
    return organization.verification_status not in HELD_STATUSES


def unverified_reason(organization: Organization) -> str:
    """Why `organization`'s members may not act in public yet (for pages and errors), or "" ."""
    if organization.verification_status == VerificationStatus.PENDING:
        return str(_(
            "Your organisation is waiting for a broker to verify it. Until then you can draft "
            "listings and browse, but not publish listings or send requests."
        ))
    if organization.verification_status == VerificationStatus.REJECTED:
        return str(_(
            "A broker did not verify your organisation. Correct its details to ask again; "
            "until then you can draft listings and browse, but not publish listings or send "
            "requests."
        ))
    return ""


def require_organization_in_good_standing(*, actor: AnyUser, organization: Organization) -> None:
    """The one rule of acting before verification, called by the services that publish (submit
    a listing for review) or send requests (match and meeting requests) for `organization`.
    Brokers are not held back (they review). Raises `PermissionDeniedError` (403, code
    ``organization_unverified``)."""
    if in_good_standing(organization) or is_broker(actor):
        return
    raise PermissionDeniedError(unverified_reason(organization), code=UNVERIFIED_CODE)
