"""`manage.py search_sync`: the search outbox worker (see `matching.search.sync`).

Runs until SIGTERM/SIGINT (finishing the batch in hand), draining the outbox every
`--interval` seconds: rows are applied in bulk to every configured backend (or the
`--backend`s given) and deleted once all accepted them; failures are retried with exponential
backoff and jitter. Logs a line per pass that did something, and the outbox size.

    manage.py search_sync                 # worker (e.g. a systemd service next to the web app)
    manage.py search_sync --once          # one pass over the due rows, then exit
    manage.py search_sync --once --retry-now   # after an outage: also rows waiting for backoff

With `--once` the exit status is 1 when some rows could not be synced (they stay queued).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.search.sync import SyncReport, drain_outbox, outbox_stats

logger = logging.getLogger("matching.search.sync")


class Command(BaseCommand):
    help = "Apply queued listing changes to the search backends (the search outbox worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between passes (default 5)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Due rows per bulk request (default 500)."
        )
        parser.add_argument(
            "--backend",
            action="append",
            dest="backends",
            help="Name in SEARCH_BACKENDS (repeatable; default: every configured backend).",
        )
        parser.add_argument(
            "--retry-now",
            action="store_true",
            help="Also take rows whose backoff has not run out (e.g. right after an outage).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0 or options["batch_size"] < 1:
            raise CommandError("--interval must be > 0 and --batch-size >= 1")
        stop = threading.Event()
        previous: dict[signal.Signals, Any] = {}

        def request_stop(signum: int, frame: FrameType | None) -> None:
            self._say(f"received signal {signum}; stopping after the current batch")
            stop.set()

        if not options["once"] and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, request_stop)
        try:
            stats = outbox_stats()
            self._say(
                f"search_sync: {stats['pending']} queued, {stats['due']} due"
                + ("" if options["once"] else f"; every {options['interval']:g}s")
            )
            retry_now = options["retry_now"]
            while True:
                report = drain_outbox(
                    batch_size=options["batch_size"],
                    backend_names=options["backends"],
                    ignore_backoff=retry_now,
                    should_stop=stop.is_set,
                )
                retry_now = False  # only the first pass ignores the backoff
                if report.rows or options["once"]:
                    self._report(report)
                if options["once"]:
                    if report.failed:
                        raise CommandError(
                            f"{report.failed} outbox row(s) could not be synced; they stay "
                            f"queued: {'; '.join(report.errors[:3])}"
                        )
                    return
                if stop.wait(options["interval"]):
                    break
            self._say("search_sync: stopped")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _report(self, report: SyncReport) -> None:
        self._say(f"search_sync: {report}")
        for error in report.errors[:5]:
            self._say(f"  error: {error}", error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        (logger.warning if error else logger.info)(message)
        (self.stderr if error else self.stdout).write(message)
        self.stdout.flush()
