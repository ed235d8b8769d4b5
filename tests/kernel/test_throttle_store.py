"""The rate-limit counter store (kernel.api.throttle_store): sliding windows counted
atomically across worker processes, expiring with their duration."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kernel.api.throttle_store import CounterStore, counter_store

LIMIT = 40
CALLS_PER_PROCESS = 25
PROCESSES = 4


def _burst(directory: str) -> int:
    """One worker process's burst of calls on the same key; how many were allowed."""
    store = CounterStore(directory)
    allowed = 0
    for _ in range(CALLS_PER_PROCESS):
        if store.hit("burst", now=time.time(), duration=3600, limit=LIMIT).allowed:
            allowed += 1
    return allowed


def test_parallel_bursts_from_several_processes_never_exceed_the_limit(tmp_path: Path) -> None:
    directory = str(tmp_path / "store")
    CounterStore(directory)  # create the database before the race
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        allowed = sum(pool.map(_burst, [directory] * PROCESSES))
    assert PROCESSES * CALLS_PER_PROCESS > LIMIT
    assert allowed == LIMIT


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
