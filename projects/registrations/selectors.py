"""Reads of registrations and tickets: the viewer's active registration, seats taken, the
staff list and the viewer's own tickets."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from projects.choices import RegistrationStatus
from projects.models import Registration, Roadshow

if TYPE_CHECKING:
    from marketplace.roles import AnyUser


def payment_hold() -> timedelta:
    """How long a registration awaiting payment holds its seat
    (``ROADSHOW_PAYMENT_HOLD_MINUTES``)."""
    return timedelta(minutes=settings.ROADSHOW_PAYMENT_HOLD_MINUTES)


def registration_active(*, roadshow: Roadshow, user: AnyUser) -> Registration | None:
    """The user's pending or confirmed registration, if any."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(
        roadshow=roadshow,
        user_id=user.pk,
        status__in=[RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED],
    ).first()


def seats_taken(*, roadshow: Roadshow) -> int:
    """Confirmed registrations plus those awaiting payment whose hold (`hold_until`, set to
    now + `payment_hold()` when checkout starts) has not run out."""
    return Registration.objects.filter(
        Q(status=RegistrationStatus.CONFIRMED)
        | Q(status=RegistrationStatus.PENDING_PAYMENT, hold_until__gt=timezone.now()),
        roadshow=roadshow,
    ).count()


def registration_list(*, roadshow: Roadshow) -> QuerySet[Registration]:
    """All registrations of a roadshow (host staff only: the API checks)."""
    return Registration.objects.filter(roadshow=roadshow).select_related(
        "user", "organization", "payment"
    ).order_by("created_at", "id")


def registration_list_own(*, user: AnyUser) -> QuerySet[Registration]:
    """The user's registrations, newest first."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return Registration.objects.filter(user_id=user.pk).select_related("roadshow", "payment")


def registration_get(*, pk: int | str) -> Registration:
    try:
        return Registration.objects.select_related("roadshow", "payment").get(pk=int(pk))
    except (Registration.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None
