"""Records of organisations joining Keqiao: requests to join one, claims of one nobody represents
yet, the evidence of who it is (a business licence, private), the brokers' verification
decisions (the audit trail), invitations by e-mail and the audit trail of the members
(`MembershipEvent`).

Re-exported by `marketplace.models` (migrations and the app registry name that module).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.choices import (
    ClaimStatus,
    InvitationStatus,
    JoinRequestStatus,
    MemberRole,
    MembershipAction,
    VerificationDecision,
)
from marketplace.organizations.storage import evidence_storage, evidence_upload_to


class Decided(models.Model):
    """Abstract base of requests someone decides: who decided (`decided_by`: None while
    pending, and once that account is deleted) and when (`decided_at`)."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class DecidedWithReason(Decided):
    """Abstract base: `Decided`, and why (`reason`, e.g. of a rejection)."""

    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True


class UploadedFile(models.Model):
    """Abstract base of rows holding one private upload (stored under
    `settings.PRIVATE_MEDIA_ROOT` with a random name, `storage.py`): the file, the name it was
    uploaded with, its checked content type and its size in bytes."""

    file = models.FileField(storage=evidence_storage, upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        abstract = True


class JoinRequest(DecidedWithReason):
    """A user asks to become a member of an organisation; its administrators (or brokers)
    approve or reject it. At most one pending request per user and organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(status=JoinRequestStatus.PENDING),
                name="join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.organization} ({self.status})"


class OrganizationEvidence(UploadedFile):
    """A file proving who an organisation is (business licence: PDF, PNG or JPEG), stored under
    `settings.PRIVATE_MEDIA_ROOT` with a random name; only the organisation's members and
    brokers fetch it, through `marketplace.organizations.views.evidence_download`."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="evidence"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return f"{self.organization}: {self.original_name}"


class OrganizationDecision(models.Model):
    """One broker decision about an organisation's verification: who, when, what, why."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="decisions"
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=VerificationDecision.choices
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification decision")
        verbose_name_plural = _("verification decisions")

    def __str__(self) -> str:
        return f"{self.organization}: {self.decision}"


class OrganizationClaim(UploadedFile, DecidedWithReason):
    """A person asks to represent an organisation nobody is a member of yet (imported, or a
    roadshow project's owner), with evidence (a business licence or an authorisation letter:
    PDF, PNG or JPEG, private: only the claimant and brokers fetch it). A broker approves it
    (the claimant becomes the organisation's administrator and it is verified) or rejects it
    with a reason; who, when, what and why stay on the row (the audit trail). At most one open
    claim per person and organisation."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_claims"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("claim of an organisation")
        verbose_name_plural = _("claims of organisations")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["claimant", "organization"],
                condition=Q(status=ClaimStatus.PENDING),
                name="organization_claim_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimant} claims {self.organization} ({self.status})"


class Invitation(Decided):
    """An organisation's administrator (or a broker) invites an e-mail address to become a
    member with a role. The e-mail carries a random token; only its SHA-256 digest is stored
    (as django-rest-knox stores API tokens), so the table cannot be used to accept anything.
    A link is used once and expires after ``settings.INVITATION_DAYS`` days
    (`marketplace.services.members`)."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    # decided_by (from Decided): who accepted or revoked it

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} -> {self.organization} ({self.status})"


class MembershipEvent(models.Model):
    """One change to an organisation's members: who (`actor`), whom (`user`, or the invited
    `email`), when, what (`action`; `role` is the role given or the new one)."""

    organization = models.ForeignKey(
        "marketplace.Organization", on_delete=models.CASCADE, related_name="membership_events"
    )
    action = models.CharField(_("action"), max_length=30, choices=MembershipAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")

    def __str__(self) -> str:
        return f"{self.organization}: {self.action}"
