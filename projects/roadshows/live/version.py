"""The live version of a roadshow: every change the audience sees (its agenda, its live
control, its questions) increments `Roadshow.live_version` in the same transaction, under the
roadshow's row lock (`kernel.locking.lock_row`), so the live endpoint's ETag changes exactly
when its body may change, and this works across server processes because the state lives in
the database. Bumped by `projects.roadshows.services` and `projects.roadshows.live.services`.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from projects.models import Roadshow


def bump_live_version(roadshow: Roadshow) -> None:
    """Increment `live_version` (in the database, race-free) and refresh the instance."""
    Roadshow.objects.filter(pk=roadshow.pk).update(
        live_version=F("live_version") + 1, updated_at=timezone.now()
    )
    roadshow.refresh_from_db(fields=["live_version", "updated_at"])
