"""`manage.py search_sync`: the search outbox worker (see `matching.search.sync`).

Runs until SIGTERM/SIGINT (finishing the batch in hand), draining the outbox every
`--interval` seconds: rows are applied in bulk to every configured backend (or the
`--backend`s given) and deleted once all accepted them; failures are retried with exponential
backoff and jitter. Logs a line per pass that did something, and the outbox size. The loop,
signals and exit status are those of `kernel.polling.PollingWorkerCommand`.

    manage.py search_sync                 # worker (e.g. a systemd service next to the web app)
    manage.py search_sync --once          # one pass over the due rows, then exit
    manage.py search_sync --once --retry-now   # after an outage: also rows waiting for backoff

With `--once` the exit status is 1 when some rows could not be synced (they stay queued).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser

from kernel.polling import PollingWorkerCommand
from matching.search.sync import SyncReport, drain_outbox, outbox_stats


class Command(PollingWorkerCommand[SyncReport]):
    help = "Apply queued listing changes to the search backends (the search outbox worker)."
    worker_name = "search_sync"
    unit = "batch"
    default_interval = 5.0
    size_option = "--batch-size"
    default_size = 500
    size_help = "Due rows per bulk request"
    retry_now_help = "Also take rows whose backoff has not run out (e.g. right after an outage)."

    def add_worker_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backend",
            action="append",
            dest="backends",
            help="Name in SEARCH_BACKENDS (repeatable; default: every configured backend).",
        )

    def start_message(self, options: dict[str, Any]) -> str:
        stats = outbox_stats()
        return f"{stats['pending']} queued, {stats['due']} due"

    def run_pass(
        self, options: dict[str, Any], *, ignore_backoff: bool, should_stop: Callable[[], bool]
    ) -> SyncReport:
        return drain_outbox(
            batch_size=options["batch_size"],
            backend_names=options["backends"],
            ignore_backoff=ignore_backoff,
            should_stop=should_stop,
        )

    def did_work(self, outcome: SyncReport) -> bool:
        return bool(outcome.rows)

    def report(self, outcome: SyncReport) -> None:
        self.say(f"search_sync: {outcome}")
        for error in outcome.errors[:5]:
            self.say(f"  error: {error}", error=True)

    def failure(self, outcome: SyncReport) -> str | None:
        if not outcome.failed:
            return None
        return (
            f"{outcome.failed} outbox row(s) could not be synced; they stay "
            f"queued: {'; '.join(outcome.errors[:3])}"
        )
