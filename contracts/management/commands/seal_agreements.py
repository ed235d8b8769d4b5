"""`manage.py seal_agreements`: the seal worker (see `contracts.sealing`).

Seals agreements signed by both parties whose sealed PDF is not stored yet: the step normally
runs right after the last signature commits; this worker retries what failed there (a render
that ran out of its time limit, a process that was stopped, a missing font). Runs until
SIGTERM/SIGINT (finishing the agreement in hand), one pass every `--interval` seconds.

    manage.py seal_agreements                    # worker (e.g. a systemd service)
    manage.py seal_agreements --once             # one pass over the due agreements, then exit
    manage.py seal_agreements --once --retry-now # also those waiting for their back-off

With `--once` the exit status is 1 when some agreement could not be sealed (it stays pending).
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.sealing import SealOutcome, agreement_seal_pending, seal_pending_count

logger = logging.getLogger("contracts.sealing")


class Command(BaseCommand):
    help = "Render and seal the PDFs of agreements signed by both parties (the seal worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval", type=float, default=30.0, help="Seconds between passes (default 30)."
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="Agreements per pass (default 100)."
        )
        parser.add_argument(
            "--retry-now",
            action="store_true",
            help="Also take agreements waiting for their back-off (e.g. after fixing a cause).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0 or options["limit"] < 1:
            raise CommandError("--interval must be > 0 and --limit >= 1")
        stop = threading.Event()
        previous: dict[signal.Signals, Any] = {}

        def request_stop(signum: int, frame: FrameType | None) -> None:
            self._say(f"received signal {signum}; stopping after the current agreement")
            stop.set()

        if not options["once"] and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, request_stop)
        try:
            self._say(
                f"seal_agreements: {seal_pending_count()} pending"
                + ("" if options["once"] else f"; every {options['interval']:g}s")
            )
            retry_now = options["retry_now"]
            while True:
                outcomes = agreement_seal_pending(
                    limit=options["limit"], ignore_backoff=retry_now, should_stop=stop.is_set
                )
                retry_now = False  # only the first pass ignores the back-off
                if outcomes or options["once"]:
                    self._report(outcomes)
                if options["once"]:
                    failed = [o for o in outcomes if o.result == "failed"]
                    if failed:
                        raise CommandError(
                            f"{len(failed)} agreement(s) could not be sealed; they stay "
                            f"pending: {'; '.join(o.error for o in failed[:3])}"
                        )
                    return
                if stop.wait(options["interval"]):
                    break
            self._say("seal_agreements: stopped")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _report(self, outcomes: list[SealOutcome]) -> None:
        counts = {name: 0 for name in ("sealed", "failed", "skipped")}
        for outcome in outcomes:
            counts[outcome.result] += 1
        self._say(
            "seal_agreements: "
            + ", ".join(f"{count} {name}" for name, count in counts.items())
            + f"; {seal_pending_count()} still pending"
        )
        for outcome in outcomes:
            if outcome.result == "failed":
                self._say(f"  agreement {outcome.agreement_id}: {outcome.error}", error=True)

    def _say(self, message: str, *, error: bool = False) -> None:
        (logger.warning if error else logger.info)(message)
        (self.stderr if error else self.stdout).write(message)
        self.stdout.flush()
