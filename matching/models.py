"""Matching: match requests (对接) with their message threads, the embedded search index and the
search outbox (listing changes not yet applied to every search backend)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.outbox import OutboxRow
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from matching.alerts.models import (  # noqa: F401 (migrations and the app registry name this module)
    ALERT_EMAIL_DEFAULT,
    Alert,
    AlertOutbox,
    AlertReason,
    AlertSettings,
    EmailMode,
    EmailState,
    ListingUnfollow,
    SavedSearch,
)
from matching.mediation.models import Mediated, MediationEvent, mediated_indexes


class MatchRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeclineReason(models.TextChoices):
    TOO_EARLY = "too_early", _("Too early stage")
    PRICE = "price", _("Price")
    FIELD_MISMATCH = "field_mismatch", _("Field mismatch")
    ALREADY_IN_TALKS = "already_in_talks", _("Already in talks")
    OTHER = "other", _("Other")


class MatchRequestDirection(models.TextChoices):
    # An enterprise asks to be introduced to the owner of a research result.
    NEED_TO_RESULT = "need_to_result", _("Enterprise asks for an introduction to a result")
    # A researcher proposes their result to an enterprise's need.
    RESULT_TO_NEED = "result_to_need", _("Researcher proposes a result to a need")


class MatchRequest(Mediated):
    """对接: one side asks to be introduced to the other side of a match.

    `requester` is the asking organisation, `addressee` the organisation that must accept or
    decline. `research_result` is always set; `technology_need` is set when a need is the
    context (always for RESULT_TO_NEED, optionally for NEED_TO_RESULT). The `Mediated` fields
    say whether the transfer centre carries it (`matching.mediation`).
    """

    direction = models.CharField(max_length=20, choices=MatchRequestDirection.choices)
    research_result = models.ForeignKey(
        ResearchResult, on_delete=models.CASCADE, related_name="match_requests"
    )
    technology_need = models.ForeignKey(
        TechnologyNeed,
        on_delete=models.CASCADE,
        related_name="match_requests",
        null=True,
        blank=True,
    )
    requester = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="match_requests_sent"
    )
    addressee = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="match_requests_received"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="match_requests"
    )
    message = models.TextField(_("message"))
    status = models.CharField(
        max_length=20, choices=MatchRequestStatus.choices, default=MatchRequestStatus.OPEN
    )
    decline_reason = models.CharField(
        _("decline reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    decline_text = models.TextField(_("decline explanation"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The match score when the request was made, for brokers' reports.
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("match request")
        verbose_name_plural = _("match requests")
        constraints: ClassVar = [
            # At most one open request per pair (with and without a need); the service answers
            # 409 before these fire. Two partial constraints instead of one with
            # nulls_distinct=False, which SQLite does not support.
            models.UniqueConstraint(
                fields=["requester", "research_result", "technology_need"],
                condition=Q(status="open", technology_need__isnull=False),
                name="match_request_one_open_per_pair_need",
            ),
            models.UniqueConstraint(
                fields=["requester", "research_result"],
                condition=Q(status="open", technology_need__isnull=True),
                name="match_request_one_open_per_pair_no_need",
            ),
        ]
        indexes: ClassVar = mediated_indexes("match_request")

    def __str__(self) -> str:
        return f"{self.requester} → {self.addressee}: {self.research_result}"


class MatchRequestMessage(models.Model):
    """A message in the thread that acceptance opens."""

    match_request = models.ForeignKey(
        MatchRequest, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("match request message")
        verbose_name_plural = _("match request messages")

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class MatchRequestMediationEvent(MediationEvent):
    """One audited step of a match request in the brokers' queue (`matching.mediation`)."""

    match_request = models.ForeignKey(
        MatchRequest, on_delete=models.CASCADE, related_name="mediation_events"
    )

    class Meta(MediationEvent.Meta):
        verbose_name = _("mediation event")
        verbose_name_plural = _("mediation events")


class SearchOutboxOp(models.TextChoices):
    INDEX = "index", _("Index")
    DELETE = "delete", _("Delete")


class SearchOutbox(OutboxRow):
    """One listing change that the search backends have not all applied yet (transactional outbox).

    Written by `matching.signals` in the same database transaction as the listing change, so a
    committed change always has its row and a rolled-back one never does. After the commit the
    change is applied at once and the row deleted; if a backend is down the row stays and
    `manage.py search_sync` (`matching.search.sync.drain_outbox`) retries it with exponential
    backoff. `op` records what the change was ("index" for a save, "delete" for a deletion);
    the sync always indexes the listing's state at the time of sync, so it is informative.
    `next_attempt_at` (aware UTC) is when the row is due; `attempts` counts failed syncs;
    `last_error` holds the last failure's message.
    """

    kind = models.CharField(max_length=10)  # "result" | "need"
    object_id = models.PositiveBigIntegerField()
    op = models.CharField(max_length=10, choices=SearchOutboxOp.choices)
    # created_at, attempts, next_attempt_at, last_error: kernel.outbox.OutboxRow

    class Meta:
        ordering = ["id"]
        verbose_name = _("search index change")
        verbose_name_plural = _("search index changes")
        indexes: ClassVar = [
            models.Index(fields=["next_attempt_at", "id"], name="search_outbox_due"),
            models.Index(fields=["kind", "object_id"], name="search_outbox_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.op} {self.kind}:{self.object_id}"


class ListingVector(models.Model):
    """A listing's dense embedding for semantic matching (`matching.semantic`).

    One row per listing (`kind` "result" or "need", `object_id` its pk; no foreign key, like
    the search outbox, so that both kinds share the table). `model` names the embedder that
    made `vector` (float32, little-endian, `dimensions` values, L2-normalised); a row of
    another model counts as missing. `text_digest` is the SHA-256 of the embedded text: a
    change that leaves the text alone reuses the vector. `updated_at` lets every process's
    in-memory vector index load only what changed since its last look.
    """

    kind = models.CharField(max_length=8)
    object_id = models.PositiveBigIntegerField()
    model = models.CharField(max_length=64)
    text_digest = models.CharField(max_length=64)
    dimensions = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("listing vector")
        verbose_name_plural = _("listing vectors")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="listing_vector_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["kind", "model", "updated_at"], name="listing_vector_fresh")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.model})"
