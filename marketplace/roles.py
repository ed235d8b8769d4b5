"""Who may do what: roles come from organisation memberships (and Django's is_staff).

These predicates are the one place the role rules live; services, selectors and API
permissions call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from marketplace.choices import Role
from marketplace.models import Membership, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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
