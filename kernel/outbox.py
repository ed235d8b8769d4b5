"""The retry state of a transactional outbox row (abstract model).

An outbox row is written in the same transaction as the change it stands for and deleted once
a worker has carried the change out (`matching.models.SearchOutbox`, the search index;
`matching.alerts.models.AlertOutbox`, the alerts of a publication). Until then it carries when
it was written, how many attempts failed, when it is due again (aware UTC) and the last
failure's message; `failed` records one more failure with the worker's back-off
(`kernel.backoff.retry_delay` through the worker's own settings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone


class OutboxRow(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    #: The fields `failed` changes (for `save(update_fields=…)` or `bulk_update`).
    RETRY_FIELDS = ("attempts", "last_error", "next_attempt_at")

    class Meta:
        abstract = True

    def failed(
        self, error: str, delay: Callable[[int], timedelta], now: datetime | None = None
    ) -> None:
        """Count a failed attempt, keep `error` and make the row due after `delay(attempts)`
        (from `now`, default the present). Does not save."""
        self.attempts += 1
        self.last_error = error
        self.next_attempt_at = (now or timezone.now()) + delay(self.attempts)
