"""`PollingWorkerCommand`: the base of the management commands that run as long-lived workers
(`manage.py search_sync`, `manage.py seal_agreements`).

One pass every `--interval` seconds until SIGTERM/SIGINT (the pass in hand is finished: the
pass gets `should_stop` and checks it between items), or exactly one pass with `--once`, whose
exit status is 1 (CommandError) when the pass left failures behind. `--retry-now` lets the first
pass ignore the back-off of items that failed before. Every line written goes to the command's
stdout (stderr for errors) and nowhere else: a copy to a logger was printed a second time in
the same terminal by the console handler of settings.LOGGING. What the passes log (their
services' loggers) is logged as usual.

A subclass sets the class attributes below and implements `run_pass`, `start_message`,
`report` and `failure`; it may add arguments in `add_worker_arguments`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Generic, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser

Outcome = TypeVar("Outcome")


class PollingWorkerCommand(BaseCommand, Generic[Outcome]):
    #: The command's name, starting its log lines ("search_sync: stopped").
    worker_name: str
    #: What one pass finishes before it stops on a signal ("agreement", "batch").
    unit: str
    default_interval: float
    #: The option that bounds one pass (a positive integer), its default and help.
    size_option: str
    default_size: int
    size_help: str
    retry_now_help: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=self.default_interval,
            help=f"Seconds between passes (default {self.default_interval:g}).",
        )
        parser.add_argument(
            self.size_option,
            type=int,
            default=self.default_size,
            help=f"{self.size_help} (default {self.default_size}).",
        )
        self.add_worker_arguments(parser)
        parser.add_argument("--retry-now", action="store_true", help=self.retry_now_help)

    def add_worker_arguments(self, parser: CommandParser) -> None:
        """Arguments of the worker itself (none by default)."""

    def run_pass(
        self, options: dict[str, Any], *, ignore_backoff: bool, should_stop: Callable[[], bool]
    ) -> Outcome:
        """One pass over the due items; `ignore_backoff` also takes those backing off."""
        raise NotImplementedError

    def start_message(self, options: dict[str, Any]) -> str:
        """The state when the worker starts (after "<worker_name>: ")."""
        raise NotImplementedError

    def did_work(self, outcome: Outcome) -> bool:
        """Whether a pass did something (a worker reports only such passes)."""
        raise NotImplementedError

    def report(self, outcome: Outcome) -> None:
        """Write what a pass did (with `say`)."""
        raise NotImplementedError

    def failure(self, outcome: Outcome) -> str | None:
        """With `--once`: why the command fails (exit status 1), or None when nothing failed."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        size_dest = self.size_option.lstrip("-").replace("-", "_")
        if options["interval"] <= 0 or options[size_dest] < 1:
            raise CommandError(f"--interval must be > 0 and {self.size_option} >= 1")
        stop = threading.Event()
        previous: dict[signal.Signals, Any] = {}

        def request_stop(signum: int, frame: FrameType | None) -> None:
            self.say(f"received signal {signum}; stopping after the current {self.unit}")
            stop.set()

        if not options["once"] and threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, request_stop)
        try:
            self.say(
                f"{self.worker_name}: {self.start_message(options)}"
                + ("" if options["once"] else f"; every {options['interval']:g}s")
            )
            retry_now = options["retry_now"]
            while True:
                outcome = self.run_pass(options, ignore_backoff=retry_now, should_stop=stop.is_set)
                retry_now = False  # only the first pass ignores the back-off
                if self.did_work(outcome) or options["once"]:
                    self.report(outcome)
                if options["once"]:
                    failure = self.failure(outcome)
                    if failure:
                        raise CommandError(failure)
                    return
                if stop.wait(options["interval"]):
                    break
            self.say(f"{self.worker_name}: stopped")
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def say(self, message: str, *, error: bool = False) -> None:
        """Write one line to stdout (stderr if `error`)."""
        (self.stderr if error else self.stdout).write(message)
        self.stdout.flush()
