"""`manage.py escalate_requests`: the escalation worker of the transfer centre
(`matching.mediation`).

Escalates every match request and 1:1 meeting request unanswered for
`KEQIAO_REQUEST_ESCALATION_DAYS` days (default 7) to the brokers' mediation queue, and tells
the brokers and the requester. Idempotent: a request is escalated at most once
(`escalated_at`), so overlapping runs and repeated passes never notify twice. Runs until
SIGTERM/SIGINT, one pass every `--interval` seconds, or once (cron). The loop, signals and
exit status are those of `kernel.polling.PollingWorkerCommand`.

    manage.py escalate_requests                    # worker (e.g. a systemd service)
    manage.py escalate_requests --once             # one pass (e.g. hourly from cron)
    manage.py escalate_requests --once --now 2026-05-01T09:00:00+08:00   # as if at that time
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kernel.polling import PollingWorkerCommand
from matching.match_requests.services import match_requests_escalate
from projects.meetings.mediation import meeting_requests_escalate


@dataclass(frozen=True)
class Escalated:
    """The ids one pass escalated, by kind."""

    match_requests: list[int]
    meeting_requests: list[int]


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None or timezone.is_naive(moment):
        raise CommandError("--now takes an ISO date and time with a time zone")
    return moment


class Command(PollingWorkerCommand[Escalated]):
    help = "Escalate requests unanswered for KEQIAO_REQUEST_ESCALATION_DAYS to the brokers."
    worker_name = "escalate_requests"
    unit = "request"
    default_interval = 3600.0
    size_option = "--limit"
    default_size = 500
    size_help = "Requests of each kind per pass"
    retry_now_help = "No effect: escalation has no back-off (accepted as by the other workers)."

    def add_worker_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="Escalate as if it were this time (ISO 8601 with a time zone)."
        )

    def start_message(self, options: dict[str, Any]) -> str:
        return "escalating unanswered requests"

    def run_pass(
        self, options: dict[str, Any], *, ignore_backoff: bool, should_stop: Callable[[], bool]
    ) -> Escalated:
        now = _moment(options.get("now"))
        limit = options["limit"]
        return Escalated(
            match_requests=match_requests_escalate(now=now, limit=limit),
            meeting_requests=meeting_requests_escalate(now=now, limit=limit),
        )

    def did_work(self, outcome: Escalated) -> bool:
        return bool(outcome.match_requests or outcome.meeting_requests)

    def report(self, outcome: Escalated) -> None:
        self.say(
            f"escalate_requests: {len(outcome.match_requests)} match request(s), "
            f"{len(outcome.meeting_requests)} meeting request(s) escalated"
        )

    def failure(self, outcome: Escalated) -> str | None:
        return None
