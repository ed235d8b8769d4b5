"""Technology contracts (技术合同): agreements, their versions, approvals, signatures and the audit
trail.

Life cycle (services in `contracts.services`):

    draft ──(both parties approve the latest version: frozen)──> approved
    approved ──(first signature)──> signing ──(last signature)──> signed ──(after commit:
    PDF rendered and sealed, `contracts.services.sealing`; `sealed_at` set)──> signed and sealed
    approved ──(either party reopens, `contracts.services.amendments`)──> draft

- `Agreement` holds what does not change between versions: number, type and sub-type, the two
  parties (organisations), the match request and research result it came from, the frozen
  version and its document hash, and the sealed PDF.
- `AgreementVersion` holds the terms: a snapshot of the parties' particulars, the clauses (JSON
  per clause key of `contracts.clauses`), patent particulars, payment (Art. 846) with its
  schedule, validity and signing order. Every edit is a new version with its author.
- The terms each signer signs are the frozen version's canonical JSON
  (`AgreementVersion.document_bytes`); its SHA-256 is `Agreement.document_sha256`. What the
  signer sees is the version's signing preview, a deterministic PDF of those terms
  (`AgreementVersion.preview_pdf`, its SHA-256 `preview_sha256`, stored per signature): the
  sealed PDF is that preview plus one incremental update (`contracts.services.sealing`).

Money is Decimal CNY with 2 places (stored in JSON as strings such as "120000.00"); times are
aware UTC datetimes (`beijing_time` converts for display).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.choices import (
    AgreementStatus,
    ContractSubtype,
    ContractType,
    EventKind,
    Party,
)
from kernel.local_time import BEIJING
from marketplace.choices import Field, IpType
from marketplace.models import Organization, ResearchResult


def beijing_time(value: datetime) -> datetime:
    """The same instant in Beijing time (UTC+8, no DST)."""
    return value.astimezone(BEIJING)


def canonical_json(data: Any) -> bytes:
    """Canonical UTF-8 JSON: keys sorted, no insignificant whitespace, non-ASCII kept."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


class Agreement(models.Model):
    number = models.CharField(_("agreement number"), max_length=32, unique=True)
    contract_type = models.CharField(
        _("contract type"), max_length=20, choices=ContractType.choices
    )
    subtype = models.CharField(_("sub-type"), max_length=40, choices=ContractSubtype.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    match_request = models.ForeignKey(
        "matching.MatchRequest",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
    )
    research_result = models.ForeignKey(
        ResearchResult,
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
    )
    party_a = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_a",
        verbose_name=_("party A"),
    )
    party_b = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="agreements_as_b",
        verbose_name=_("party B"),
    )
    # Copied from the research result for the registration form (技术领域, 知识产权类型).
    field = models.CharField(_("field"), max_length=32, choices=Field.choices, blank=True)
    ip_type = models.CharField(_("IP type"), max_length=32, choices=IpType.choices, blank=True)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="amendments",
        null=True,
        blank=True,
        verbose_name=_("amends"),
    )
    frozen_version = models.ForeignKey(
        "AgreementVersion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # SHA-256 (hex) of the frozen version's canonical JSON: the document every signer signs.
    document_sha256 = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    # The sealed PDF (PAdES, contracts.seal) and its SHA-256 (hex).
    sealed_pdf = models.BinaryField(null=True, blank=True, editable=False)
    sealed_pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    sealed_at = models.DateTimeField(null=True, blank=True)
    # Retry state of the SIGNED -> sealed step (contracts.services.sealing): attempts so far,
    # the last failure, and when the next attempt is due (or until when the current one holds
    # its claim).
    seal_attempts = models.PositiveIntegerField(default=0, editable=False)
    seal_error = models.CharField(max_length=500, blank=True, editable=False)
    seal_next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.number

    @property
    def is_frozen(self) -> bool:
        return self.status != AgreementStatus.DRAFT

    def organization_for(self, party: str) -> Organization:
        return self.party_a if party == Party.A else self.party_b

    def latest_version(self) -> AgreementVersion | None:
        return self.versions.order_by("-number").first()


class AgreementVersionManager(models.Manager["AgreementVersion"]):
    """Leaves the signing preview's bytes (hundreds of kB a row) out of every read, related
    ones too (it is the base manager): `contracts.services.preview` reads them with
    ``values_list("preview_pdf")``."""

    def get_queryset(self) -> models.QuerySet[AgreementVersion]:
        return super().get_queryset().defer("preview_pdf")


class AgreementVersion(models.Model):
    """One version of an agreement's terms (JSON sections, shapes in `contracts.services`)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("change note"), max_length=500, blank=True)
    # {"a": {legal_name, credit_code, address, region_code, representative, contact}, "b": {...}}
    parties = models.JSONField(default=dict)
    # {clause key: text}
    clauses = models.JSONField(default=dict)
    # {invention_name, patentee, application_date, application_no, patent_no, valid_until} | {}
    patent = models.JSONField(default=dict)
    # {"method", "total_cny", "technology_amount_cny", "schedule": [{"due_date",
    #  "amount_cny", "note"}], "royalty": {"base", "rate_percent", "entry_fee_cny"}}
    payment = models.JSONField(default=dict)
    # {"valid_from": "YYYY-MM-DD", "valid_until": "YYYY-MM-DD", "place": str}
    validity = models.JSONField(default=dict)
    # {"mode": "sequential"|"parallel", "order": ["a", "b"]}
    signing = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    # The signing preview (contracts.services.preview): the exact PDF signers see before
    # signing, rendered deterministically once the version is frozen; the sealed PDF's first
    # revision is these bytes. Empty until first rendered.
    preview_pdf = models.BinaryField(null=True, blank=True, editable=False)
    preview_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    SECTIONS: ClassVar[tuple[str, ...]] = (
        "parties",
        "clauses",
        "patent",
        "payment",
        "validity",
        "signing",
    )

    objects = AgreementVersionManager()

    class Meta:
        ordering = ["agreement", "number"]
        base_manager_name = "objects"
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"

    def content(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.SECTIONS}

    def document(self) -> dict[str, Any]:
        """The signed document: agreement identity plus this version's content."""
        agreement = self.agreement
        return {
            "keqiao_agreement": agreement.number,
            "contract_type": agreement.contract_type,
            "subtype": agreement.subtype,
            "amends": agreement.amends.number if agreement.amends is not None else None,
            "version": self.number,
            **self.content(),
        }

    def document_bytes(self) -> bytes:
        """Canonical JSON of `document()`: the exact bytes whose SHA-256 a signer signs."""
        return canonical_json(self.document())

    def compute_sha256(self) -> str:
        return hashlib.sha256(self.document_bytes()).hexdigest()


class AgreementApproval(models.Model):
    """A party's approval of one version; both parties approving the latest version freezes it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.CASCADE, related_name="approvals"
    )
    party = models.CharField(max_length=1, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["version", "party"], name="agreement_approval_unique")
        ]

    def __str__(self) -> str:
        return f"{self.version} approved by {self.party}"


class AgreementSignature(models.Model):
    """A signing slot of one party, created when the agreement is frozen, filled when signed.

    `position` orders the slots: in sequential mode 1, 2; in parallel mode both are 1. A slot
    may be signed only when every slot with a lower position is signed.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.CharField(max_length=1, choices=Party.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    typed_name = models.CharField(_("typed name"), max_length=100, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    # SHA-256 of the signing preview PDF the signer was shown and approved.
    preview_sha256 = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "party"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agreement", "party"], name="agreement_signature_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.party} #{self.position}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class AgreementEvent(models.Model):
    """One entry of the audit trail: what happened, who did it, when (UTC; `created_at_beijing`
    for display), from which IP address and user agent, and the hash of the document concerned.
    Append-only: services never update or delete events."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("agreement event")
        verbose_name_plural = _("agreement events")

    def __str__(self) -> str:
        return f"{self.agreement} {self.kind} {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def created_at_beijing(self) -> datetime:
        return beijing_time(self.created_at)
