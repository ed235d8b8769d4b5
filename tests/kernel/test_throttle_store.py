"""The rate-limit counter store (kernel.api.throttle_store): sliding windows counted
atomically across worker processes, expiring with their duration."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from kernel.api.throttle_store import CounterStore, counter_store

LIMIT = 40
CALLS_PER_PROCESS = 25
PROCESSES = 4


#: Seconds a worker waits for the others at a round's start, and the test for their results.
ROUND_TIMEOUT_SECONDS = 60


def _burst(directory: str, rounds: Barrier, results: Queue[int]) -> None:
    """One worker process's burst of calls on the same key, in lockstep with the other
    workers: each call waits at `rounds` until every worker is ready, so in each round all
    workers hit the store at the same moment. Puts how many calls were allowed on `results`."""
    store = CounterStore(directory)  # opened before the first round: the race is on the hits
    allowed = 0
    for _ in range(CALLS_PER_PROCESS):
        rounds.wait(timeout=ROUND_TIMEOUT_SECONDS)
        if store.hit("burst", now=time.time(), duration=3600, limit=LIMIT).allowed:
            allowed += 1
    results.put(allowed)


def test_parallel_bursts_from_several_processes_never_exceed_the_limit(tmp_path: Path) -> None:
    directory = str(tmp_path / "store")
    CounterStore(directory)  # create the database before the race
    context = multiprocessing.get_context("spawn")
    # Without the barrier one process's burst is over before the next has started, and the
    # race is never run; with it every round is PROCESSES simultaneous hits.
    rounds = context.Barrier(PROCESSES)
    results: Queue[int] = context.Queue()
    workers = [
        context.Process(target=_burst, args=(directory, rounds, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    try:
        per_process = [results.get(timeout=2 * ROUND_TIMEOUT_SECONDS) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=ROUND_TIMEOUT_SECONDS)
            if worker.is_alive():
                worker.terminate()
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    allowed = sum(per_process)
    assert PROCESSES * CALLS_PER_PROCESS > LIMIT
    assert allowed == LIMIT
    # The bursts overlapped: the first LIMIT / PROCESSES rounds were allowed for everyone.
    assert per_process == [LIMIT // PROCESSES] * PROCESSES


def test_a_refused_call_is_not_recorded_and_old_calls_leave_the_window(tmp_path: Path) -> None:
    store = CounterStore(str(tmp_path))
    assert store.hit("k", now=1000.0, duration=10, limit=2).allowed
    assert store.hit("k", now=1001.0, duration=10, limit=2).allowed
    refused = store.hit("k", now=1002.0, duration=10, limit=2)
    assert not refused.allowed
    assert refused.window == [1001.0, 1000.0]
    # Ten seconds after the first call it has left the window: one slot is free again.
    later = store.hit("k", now=1010.5, duration=10, limit=2)
    assert later.allowed
    assert later.window == [1010.5, 1001.0]


def test_keys_count_separately(tmp_path: Path) -> None:
    store = CounterStore(str(tmp_path))
    assert store.hit("a", now=1.0, duration=60, limit=1).allowed
    assert not store.hit("a", now=2.0, duration=60, limit=1).allowed
    assert store.hit("b", now=2.0, duration=60, limit=1).allowed


def test_one_store_per_process_and_directory(tmp_path: Path) -> None:
    assert counter_store(str(tmp_path / "x")) is counter_store(str(tmp_path / "x"))
    assert counter_store(str(tmp_path / "x")) is not counter_store(str(tmp_path / "y"))


def test_the_store_directory_is_private_to_the_running_account(tmp_path: Path) -> None:
    directory = tmp_path / "counters"
    CounterStore(str(directory))
    assert directory.stat().st_mode & 0o077 == 0  # keys name client addresses
