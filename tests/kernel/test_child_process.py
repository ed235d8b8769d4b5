"""One function in a forked child process (kernel.child_process): its result or its own
exception comes back; the wall-time limit stops it; resource limits end it as over the limit;
a child that dies without a result is reported as such."""

from __future__ import annotations

import os
import signal
import time

import pytest

from kernel.child_process import (
    ChildDied,
    ChildLimits,
    ChildOverLimit,
    ChildTimedOut,
    run_in_child,
)


def _pid_and_sum(a: int, b: int) -> tuple[int, int]:
    return os.getpid(), a + b


def _refuse(message: str) -> None:
    raise ValueError(message)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _allocate(size: int) -> int:
    return len(bytearray(size))


def _spin() -> None:
    while True:
        pass


def _niceness() -> int:
    return os.nice(0)


def test_the_result_comes_back_from_another_process() -> None:
    pid, total = run_in_child(_pid_and_sum, 2, 3, timeout=30)
    assert total == 5 and pid != os.getpid()


def test_an_exception_of_the_function_is_raised_again_in_the_caller() -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        run_in_child(_refuse, "not a PDF", timeout=30)


def test_a_call_over_its_wall_time_is_stopped_within_the_limit() -> None:
    started = time.monotonic()
    with pytest.raises(ChildTimedOut):
        run_in_child(_sleep, 30.0, timeout=0.5)
    assert time.monotonic() - started < 5


def test_a_child_killed_by_a_signal_is_reported_as_died_with_its_signal() -> None:
    with pytest.raises(ChildDied) as raised:
        run_in_child(_kill_self, timeout=30)
    assert raised.value.exitcode == -signal.SIGKILL


def test_an_allocation_over_the_memory_limit_is_over_the_limit() -> None:
    with pytest.raises(ChildOverLimit):
        run_in_child(_allocate, 2 * 1024**3, timeout=30, limits=ChildLimits(memory_bytes=0))


def test_memory_within_the_limit_is_allowed() -> None:
    limits = ChildLimits(memory_bytes=256 * 1024**2)
    assert run_in_child(_allocate, 16 * 1024**2, timeout=30, limits=limits) == 16 * 1024**2


def test_a_call_over_its_cpu_time_is_ended_as_over_the_limit() -> None:
    with pytest.raises(ChildOverLimit):
        run_in_child(_spin, timeout=60, limits=ChildLimits(cpu_seconds=1))


def test_idle_priority_runs_the_child_at_the_lowest_niceness() -> None:
    assert run_in_child(_niceness, timeout=30, limits=ChildLimits(idle_priority=True)) == 19
    assert run_in_child(_niceness, timeout=30) == os.nice(0)
