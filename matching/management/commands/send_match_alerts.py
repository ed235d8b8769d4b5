"""`manage.py send_match_alerts`: the alerts worker (see `matching.alerts`).

Each pass turns the due publications of the alerts outbox into alerts (strong matches'
owners, saved searches; in-app at once) and then e-mails the pending alerts by each
recipient's choice: immediate messages, and from `ALERT_DIGEST_HOUR` (Beijing time) each
digest user's one digest of the day. Failures wait with back-off. The loop, signals and exit
status are those of `kernel.polling.PollingWorkerCommand`.

    manage.py send_match_alerts                   # worker, next to search_sync
    manage.py send_match_alerts --once            # one pass, then exit
    manage.py send_match_alerts --once --digest   # also send today's digests now (e.g. cron)

With `--once` the exit status is 1 when something failed (it stays queued).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandParser

from kernel.polling import PollingWorkerCommand
from matching.alerts.delivery import send_alert_emails
from matching.alerts.finding import AlertReport, drain_alert_outbox
from matching.alerts.models import Alert, AlertOutbox, EmailState


class Command(PollingWorkerCommand[AlertReport]):
    help = "Find who should hear of newly published listings, and send the alert e-mails."
    worker_name = "send_match_alerts"
    unit = "publication"
    default_interval = 30.0
    size_option = "--batch-size"
    default_size = 100
    size_help = "Publications read per query"
    retry_now_help = "Also take publications and e-mails whose back-off has not run out."

    def add_worker_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--digest",
            action="store_true",
            help="Send today's digests in the first pass whatever the hour (once a day per user).",
        )

    def start_message(self, options: dict[str, Any]) -> str:
        queued = AlertOutbox.objects.count()
        pending = Alert.objects.filter(email_state=EmailState.PENDING).count()
        return f"{queued} publication(s) queued, {pending} alert e-mail(s) pending"

    def run_pass(
        self, options: dict[str, Any], *, ignore_backoff: bool, should_stop: Callable[[], bool]
    ) -> AlertReport:
        report = AlertReport()
        drain_alert_outbox(
            report,
            batch_size=options["batch_size"],
            ignore_backoff=ignore_backoff,
            should_stop=should_stop,
        )
        send_alert_emails(
            report,
            digest_now=options["digest"],
            ignore_backoff=ignore_backoff,
            should_stop=should_stop,
        )
        options["digest"] = False  # only the first pass forces the digests
        return report

    def did_work(self, outcome: AlertReport) -> bool:
        return bool(
            outcome.publications or outcome.alerts or outcome.emails or outcome.digests
            or outcome.failed
        )

    def report(self, outcome: AlertReport) -> None:
        self.say(f"send_match_alerts: {outcome}")
        for error in outcome.errors[:5]:
            self.say(f"  error: {error}", error=True)

    def failure(self, outcome: AlertReport) -> str | None:
        if not outcome.failed:
            return None
        return f"{outcome.failed} item(s) failed and stay queued: {'; '.join(outcome.errors[:3])}"
