"""Choices of the roadshow domain (路演): event status, attendee kinds, registration status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoadshowStatus(models.TextChoices):
    """draft → scheduled (published) → live → ended; scheduled → cancelled. Only host staff
    change it. A draft is seen by its host staff alone (`projects.roadshows.selectors`):
    not listed, no event page, no registration, no live pages; publishing it
    (`projects.roadshows.services.roadshow_publish`) makes it scheduled."""

    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class AttendeeKind(models.TextChoices):
    """Who an attendee is, derived from their memberships when they register."""

    ENTERPRISE_MEMBER = "enterprise_member", _("Enterprise member")
    RESEARCHER = "researcher", _("Researcher")
    GUEST = "guest", _("Guest")


class RegistrationStatus(models.TextChoices):
    """pending_payment → confirmed (free events start confirmed) → cancelled | refunded.

    pending_payment → cancelled when the attendee or staff cancel before paying (the payment
    is cancelled; money that still arrives is returned by the payment layer), pending_payment
    → refunded when the provider reports a refund before the payment itself (out of order).
    """

    PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


#: Registrations that hold a seat (pending ones only within the payment hold time).
ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.PENDING_PAYMENT, RegistrationStatus.CONFIRMED)

#: `Payment.purpose` of roadshow tickets.
REGISTRATION_PAYMENT_PURPOSE = "roadshow_registration"
