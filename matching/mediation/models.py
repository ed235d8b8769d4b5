"""The choices and the abstract audit event of mediated requests (see the package docstring).

Imports no model of the apps, so `matching.models` and `projects.meetings.models` can build on
it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MediationReason(models.TextChoices):
    """Why a request is in the brokers' queue."""

    NO_MEMBERS = "no_members", _("The organisation has no members on Keqiao")
    UNANSWERED = "unanswered", _("Unanswered for too long")


class MediationOutcome(models.TextChoices):
    """What came of a broker contacting the organisation off the platform."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    DECLINED_BY_PHONE = "declined_by_phone", _("Declined by phone")
    WRONG_CONTACT = "wrong_contact", _("Contact details wrong")
    OTHER = "other", _("Other")


class MediationAction(models.TextChoices):
    """One step in a mediated request's history."""

    MEDIATED = "mediated", _("Sent to the transfer centre")
    ESCALATED = "escalated", _("Escalated after no answer")
    OUTCOME = "outcome", _("Contact outcome recorded")
    INVITED_TO_CLAIM = "invited_to_claim", _("Invited to claim its page")
    ACCEPTED = "accepted", _("Accepted on behalf of the organisation")
    DECLINED = "declined", _("Declined on behalf of the organisation")


class MediationEvent(models.Model):
    """One audited step of a mediated request: what (`action`, with `outcome` for OUTCOME),
    who (`actor`: the broker; None for the system's own steps) and when, with the broker's
    `note` (and, for an invitation to claim, where it was e-mailed). Concrete subclasses add
    the foreign key to their request, related name ``mediation_events``."""

    action = models.CharField(_("action"), max_length=20, choices=MediationAction.choices)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=MediationOutcome.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # INVITED_TO_CLAIM: the address the invitation was e-mailed to ("" when none was sent).
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class Mediated(models.Model):
    """The fields a request carries once it is in the brokers' queue: when it went there
    (`mediated_at`, None while it is not), why (`mediation_reason`) and when it was escalated
    for having no answer (`escalated_at`: set once, so escalation never repeats)."""

    mediated_at = models.DateTimeField(_("sent to the transfer centre at"), null=True, blank=True)
    mediation_reason = models.CharField(
        _("why the transfer centre handles it"), max_length=20,
        choices=MediationReason.choices, blank=True,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def handled_by_transfer_centre(self) -> bool:
        """Whether the transfer centre (brokers) carries the request."""
        return self.mediated_at is not None


def mediated_indexes(prefix: str) -> list[models.Index]:
    """The indexes of a concrete `Mediated` request (with `status` and `created_at`), named
    ``<prefix>_queue_idx`` and ``<prefix>_escalate_idx``: the brokers' queue (mediated
    requests, most recently mediated first: `projects.mediation.selectors`) and the
    escalation scan (a status, not escalated yet, made before the cutoff:
    `matching.mediation.escalation.escalate_due`)."""
    return [
        models.Index(
            fields=["-mediated_at", "-id"], condition=Q(mediated_at__isnull=False),
            name=f"{prefix}_queue_idx",
        ),
        models.Index(
            fields=["status", "created_at"], condition=Q(escalated_at__isnull=True),
            name=f"{prefix}_escalate_idx",
        ),
    ]
