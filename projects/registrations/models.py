"""Registrations and tickets of roadshows: one attendee's seat, its ticket code (shown as a QR
code and typed in at check-in) and, for a paid event, its `Payment`."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import Organization
from projects.choices import ACTIVE_REGISTRATION_STATUSES, AttendeeKind, RegistrationStatus
from projects.roadshows.models import Roadshow

#: Characters of ticket codes: upper-case letters and digits without 0/O/1/I/L.
TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TICKET_CODE_LENGTH = 10


def new_ticket_code() -> str:
    """A random ticket code of `TICKET_CODE_LENGTH` characters from `TICKET_ALPHABET`
    (about 49 bits), shown on the ticket and its QR code and typed in at check-in."""
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_CODE_LENGTH))


class Registration(models.Model):
    """An attendee's registration and ticket. At most one active (pending_payment or
    confirmed) registration per user and roadshow. Paid tickets link their `Payment`
    (purpose ``"roadshow_registration"``, reference ``"registration:<id>"``) and are
    confirmed only by the payment provider's verified webhook."""

    roadshow = models.ForeignKey(Roadshow, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadshow_registrations"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("attendee type"), max_length=20, choices=AttendeeKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.PENDING_PAYMENT,
    )
    payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket_code = models.CharField(
        _("ticket code"), max_length=16, unique=True, default=new_ticket_code, editable=False
    )
    # A registration awaiting payment holds its seat until then (aware UTC).
    hold_until = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["roadshow", "user"],
                condition=Q(status__in=[s.value for s in ACTIVE_REGISTRATION_STATUSES]),
                name="registration_one_active_per_user",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["roadshow", "status"])]

    def __str__(self) -> str:
        return f"{self.ticket_code} ({self.status})"
