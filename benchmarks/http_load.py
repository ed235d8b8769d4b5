"""Concurrent clients for the benchmarks: a fixed list of calls shared by `clients` threads,
each timing its calls one after another (a closed loop: a client sends its next call when
the previous one has answered). Used for HTTP requests to a server and for replaying
Elasticsearch requests alike.

    plan = request_plan(distinct, repeat=20, seed=42)     # [(label, target), ...] shuffled
    load = run_load(plan, call, clients=4)                # call(target) -> None or error text
    load.timings["zh word 储能"]                           # milliseconds of each call
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Load:
    """What a run measured: milliseconds per label (successful calls), errors (label and
    text, first few kept), calls per second over the run's wall time."""

    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    @property
    def calls(self) -> int:
        return sum(len(v) for v in self.timings.values()) + self.error_count

    @property
    def per_second(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    def merged(self, labels: Sequence[str]) -> list[float]:
        """The timings of all the given labels together."""
        return [ms for label in labels for ms in self.timings.get(label, [])]


def request_plan(
    distinct: Sequence[tuple[str, T]], *, repeat: int, seed: int
) -> list[tuple[str, T]]:
    """Each distinct (label, target) `repeat` times, in a seeded random order (so that the
    concurrent clients mix the kinds of call)."""
    plan = [item for item in distinct for _ in range(repeat)]
    random.Random(seed).shuffle(plan)
    return plan


def run_load(
    plan: Sequence[tuple[str, T]],
    call: Callable[[T], str | None],
    *,
    clients: int,
    keep_errors: int = 5,
) -> Load:
    """Run every call of `plan` once, `clients` at a time. `call(target)` returns None on
    success or a short error text; exceptions count as errors too."""
    load = Load()
    lock = threading.Lock()
    pending = iter(plan)

    def client() -> None:
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            label, target = item
            started = time.perf_counter()
            try:
                error = call(target)
            except Exception as exc:  # a failed call is counted, not fatal to the run
                error = f"{type(exc).__name__}: {exc}"
            ms = (time.perf_counter() - started) * 1000
            with lock:
                if error is None:
                    load.timings.setdefault(label, []).append(ms)
                else:
                    load.error_count += 1
                    if len(load.errors) < keep_errors:
                        load.errors.append((label, error))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(max(1, clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - started
    return load
