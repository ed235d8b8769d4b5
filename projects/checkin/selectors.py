"""Reads of the check-in desk: confirmed tickets and how many have checked in."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from projects.choices import RegistrationStatus
from projects.models import Registration, Roadshow


def checkin_list(*, roadshow: Roadshow) -> QuerySet[Registration]:
    """Confirmed registrations for the check-in desk: not yet checked in first, then by
    organisation and ticket code."""
    return (
        Registration.objects.filter(roadshow=roadshow, status=RegistrationStatus.CONFIRMED)
        .select_related("user", "organization")
        .order_by(F("checked_in_at").asc(nulls_first=True), "organization__legal_name",
                  "ticket_code")
    )


def checkin_counts(*, roadshow: Roadshow) -> dict[str, Any]:
    """``{"confirmed": int, "checked_in": int}``."""
    qs = Registration.objects.filter(roadshow=roadshow, status=RegistrationStatus.CONFIRMED)
    return {"confirmed": qs.count(), "checked_in": qs.filter(checked_in_at__isnull=False).count()}
