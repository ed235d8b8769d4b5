"""`manage.py seal_agreements`: the seal worker (see `contracts.services.sealing`).

Seals agreements signed by both parties whose sealed PDF is not stored yet: the step normally
runs right after the last signature commits; this worker retries what failed there (a render
that ran out of its time limit, a process that was stopped, a missing font). Runs until
SIGTERM/SIGINT (finishing the agreement in hand), one pass every `--interval` seconds. The
loop, signals and exit status are those of `kernel.polling.PollingWorkerCommand`.

    manage.py seal_agreements                    # worker (e.g. a systemd service)
    manage.py seal_agreements --once             # one pass over the due agreements, then exit
    manage.py seal_agreements --once --retry-now # also those waiting for their back-off

With `--once` the exit status is 1 when some agreement could not be sealed (it stays pending).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contracts.services.sealing import SealOutcome, agreement_seal_pending, seal_pending_count
from kernel.polling import PollingWorkerCommand


class Command(PollingWorkerCommand[list[SealOutcome]]):
    help = "Render and seal the PDFs of agreements signed by both parties (the seal worker)."
    worker_name = "seal_agreements"
    unit = "agreement"
    default_interval = 30.0
    size_option = "--limit"
    default_size = 100
    size_help = "Agreements per pass"
    retry_now_help = "Also take agreements waiting for their back-off (e.g. after fixing a cause)."

    def start_message(self, options: dict[str, Any]) -> str:
        return f"{seal_pending_count()} pending"

    def run_pass(
        self, options: dict[str, Any], *, ignore_backoff: bool, should_stop: Callable[[], bool]
    ) -> list[SealOutcome]:
        return agreement_seal_pending(
            limit=options["limit"], ignore_backoff=ignore_backoff, should_stop=should_stop
        )

    def did_work(self, outcome: list[SealOutcome]) -> bool:
        return bool(outcome)

    def report(self, outcome: list[SealOutcome]) -> None:
        counts = {name: 0 for name in ("sealed", "failed", "skipped")}
        for one in outcome:
            counts[one.result] += 1
        self.say(
            "seal_agreements: "
            + ", ".join(f"{count} {name}" for name, count in counts.items())
            + f"; {seal_pending_count()} still pending"
        )
        for one in outcome:
            if one.result == "failed":
                self.say(f"  agreement {one.agreement_id}: {one.error}", error=True)

    def failure(self, outcome: list[SealOutcome]) -> str | None:
        failed = [one for one in outcome if one.result == "failed"]
        if not failed:
            return None
        return (
            f"{len(failed)} agreement(s) could not be sealed; they stay "
            f"pending: {'; '.join(one.error for one in failed[:3])}"
        )
