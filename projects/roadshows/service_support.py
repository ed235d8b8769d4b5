"""Helpers shared by the roadshow services: model validation with per-field errors and the
live version (the roadshow's row lock is `kernel.locking.lock_row`).

Live state: every change the audience sees increments `Roadshow.live_version` in the same
transaction (`bump_live_version`), so the live endpoint's ETag changes exactly when its body
may change, and this works across server processes because the state lives in the database.
"""

from __future__ import annotations

from django.db.models import F, Model
from django.utils import timezone

from projects.models import Roadshow


def bump_live_version(roadshow: Roadshow) -> None:
    """Increment `live_version` (in the database, race-free) and refresh the instance."""
    Roadshow.objects.filter(pk=roadshow.pk).update(
        live_version=F("live_version") + 1, updated_at=timezone.now()
    )
    roadshow.refresh_from_db(fields=["live_version", "updated_at"])


def full_clean(instance: Model, *, exclude: list[str] | None = None) -> None:
    """Model validation; `ValidationError` becomes 400 per field at the API."""
    instance.full_clean(exclude=exclude, validate_constraints=False)
