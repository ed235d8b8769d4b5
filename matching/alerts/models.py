"""Saved searches and two-way alerts: what users follow and what they were told.

Re-exported by `matching.models` (the migrations name that module). Listings are referred to by
(kind, object_id) as in the search outbox: "result" (ResearchResult) or "need"
(TechnologyNeed); this module imports no model of the apps.

- `SavedSearch`: a user's search of the home page (its query string parameters, as
  `matching.search.forms.SearchForm` reads them) under a name.
- `AlertSettings`: a user's e-mail choice for alerts (immediate, daily digest, none); a user
  without a row has the default (`ALERT_EMAIL_DEFAULT`).
- `ListingUnfollow`: a member who turned off the alerts of one of their organisation's
  listings (following is on by default).
- `AlertOutbox`: one publication not yet turned into alerts (written in the publishing
  transaction; `manage.py send_match_alerts` drains it with back-off).
- `Alert`: one person told of one new listing; unique per (recipient, kind, object_id), so no
  alert repeats.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.outbox import OutboxRow

#: Listing kinds as in the search index.
LISTING_KINDS = [("result", _("Research result")), ("need", _("Technology need"))]


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("One e-mail per alert")
    DIGEST = "digest", _("One daily digest")
    NONE = "none", _("No e-mail (on the site only)")


ALERT_EMAIL_DEFAULT = EmailMode.DIGEST


class AlertReason(models.TextChoices):
    MATCH = "match", _("Strong match of your listing")
    SAVED_SEARCH = "saved_search", _("Saved search")


class EmailState(models.TextChoices):
    PENDING = "pending", _("Waiting to be e-mailed")
    SENT = "sent", _("E-mailed")
    SKIPPED = "skipped", _("Not e-mailed")


class SavedSearch(models.Model):
    """A named search; `query` holds the search form's parameters (plain JSON: "q", "kind",
    lists "field", "stage", "modes", "province", "trl_min", "trl_max"), without the page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.JSONField(_("query"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class AlertSettings(models.Model):
    """A user's choice of alert e-mails; `last_digest_on` is the Beijing date of the last
    digest sent (one digest a day)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_settings"
    )
    email_mode = models.CharField(
        _("alert e-mails"), max_length=10, choices=EmailMode.choices, default=ALERT_EMAIL_DEFAULT
    )
    last_digest_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alert settings")
        verbose_name_plural = _("alert settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_mode}"


class ListingUnfollow(models.Model):
    """`user` no longer hears of new matches of their organisation's listing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_unfollows"
    )
    kind = models.CharField(max_length=10, choices=LISTING_KINDS)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unfollowed listing")
        verbose_name_plural = _("unfollowed listings")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id"], name="listing_unfollow_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}:{self.object_id}"


class AlertOutbox(OutboxRow):
    """A published listing whose alerts are not found yet (transactional outbox, as
    `SearchOutbox`; the retry state is `kernel.outbox.OutboxRow`'s)."""

    kind = models.CharField(max_length=10, choices=LISTING_KINDS)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("publication to alert")
        verbose_name_plural = _("publications to alert")
        indexes: ClassVar = [
            models.Index(fields=["next_attempt_at", "id"], name="alert_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class Alert(models.Model):
    """`recipient` was told (in-app) of the new listing (kind, object_id): because it strongly
    matches their organisation's listing `source` ("result:12", "need:7") or satisfies their
    saved search ("search:5"). E-mail: `email_state` with the retry state of a failed send."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=10, choices=LISTING_KINDS)
    object_id = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=20, choices=AlertReason.choices)
    source = models.CharField(max_length=30)
    # The in-app notification's verb and params, kept for the e-mail (immediate or digest).
    verb = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)
    email_next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints: ClassVar = [
            # No alert repeats: one per person and new listing, whatever the reason.
            models.UniqueConstraint(
                fields=["recipient", "kind", "object_id"], name="alert_once_per_listing"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["email_state", "email_next_attempt_at"], name="alert_email_due"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} <- {self.kind}:{self.object_id} ({self.reason})"
