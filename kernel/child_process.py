"""One function run in a forked child process with a wall-time limit and optional resource
limits; the only module that imports Pebble (a small, well-kept wrapper of `multiprocessing`
that runs one function in its own process, returns its result or exception, and stops the
process when the time limit runs out).

`run_in_child(fn, *args, timeout=..., limits=...)` returns ``fn(*args)`` or raises what ``fn``
raised, or one of this module's errors:

- `ChildTimedOut`: the wall-time limit ran out; the child was stopped (SIGTERM, then SIGKILL),
  so a runaway call costs at most ``timeout`` seconds and never blocks the caller longer;
- `ChildOverLimit`: a child run with `ChildLimits` went over them (``MemoryError`` in the
  child, or ended by SIGXCPU, the signal of the CPU-time limit);
- `ChildDied`: the child ended without a result (killed by a signal, e.g. the kernel out of
  memory or the CPU limit's SIGKILL, or exited).

The child is forked: it inherits the configured Django (settings, templates, fonts), the
function and its arguments (they are not pickled; only the result is). It must touch no
database connection; it ends with ``os._exit``, so it never closes the parent's connections.
Callers must not hold a database transaction while they wait.
"""

from __future__ import annotations

import contextlib
import faulthandler
import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, TypeVarTuple

from pebble import ProcessExpired, concurrent

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

#: Niceness of a child run at idle priority (the lowest priority).
IDLE_NICENESS = 19


@dataclass(frozen=True)
class ChildLimits:
    """Limits set in the child before ``fn`` runs (POSIX ``setrlimit``; Linux for SCHED_IDLE).

    - ``memory_bytes``: address space (bytes) the child may map beyond what the calling
      process maps at the call (``RLIMIT_AS``; not set where ``/proc/self/statm`` is missing);
    - ``cpu_seconds``: CPU time (seconds, ``RLIMIT_CPU``): SIGXCPU at the limit, SIGKILL one
      second later;
    - ``idle_priority``: niceness 19 and, on Linux, the SCHED_IDLE policy: the child runs only
      on CPU time that other processes leave idle.
    """

    memory_bytes: int | None = None
    cpu_seconds: int | None = None
    idle_priority: bool = False


class ChildError(Exception):
    """The child process gave no result (base of this module's errors)."""


class ChildTimedOut(ChildError):
    """The wall-time limit ran out; the child was stopped."""


class ChildOverLimit(ChildError):
    """The child went over its `ChildLimits` (memory or CPU time)."""


class ChildDied(ChildError):
    """The child ended without a result; ``exitcode`` is minus the signal that ended it, or
    its exit status."""

    def __init__(self, message: str, *, exitcode: int | None) -> None:
        super().__init__(message)
        self.exitcode = exitcode


def _address_space_in_use() -> int:
    """Bytes of virtual memory this process maps now (Linux ``/proc``; 0 if unknown)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _apply_limits(limits: ChildLimits, address_space: int) -> None:
    """Runs in the child: lower its priority and set its resource limits."""
    faulthandler.disable()  # a child ended by its limits is expected, not a crash to dump
    if limits.idle_priority:
        with contextlib.suppress(OSError):
            os.nice(IDLE_NICENESS)
        with contextlib.suppress(OSError, AttributeError):  # Linux only
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if address_space:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    if limits.cpu_seconds is not None:
        # Soft limit: SIGXCPU ends the process; the hard limit one second later is SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))


def _child_main(
    fn: Callable[..., T], args: tuple[object, ...], limits: ChildLimits | None, address_space: int
) -> T:
    if limits is not None:
        _apply_limits(limits, address_space)
    return fn(*args)


def run_in_child(
    fn: Callable[[*Ts], T], *args: *Ts, timeout: float, limits: ChildLimits | None = None
) -> T:
    """``fn(*args)`` in a forked child process, stopped after ``timeout`` seconds (wall time).

    Returns what ``fn`` returns (it must be picklable) and re-raises what ``fn`` raises.
    Raises `ChildTimedOut` when ``timeout`` runs out, `ChildOverLimit` when a child run with
    ``limits`` raises ``MemoryError`` or is ended by SIGXCPU, `ChildDied` when the child ends
    otherwise without a result (e.g. killed for memory by the kernel).
    """
    address_space = 0
    if limits is not None and limits.memory_bytes is not None:
        in_use = _address_space_in_use()
        address_space = in_use + limits.memory_bytes if in_use else 0
    run = concurrent.process(timeout=timeout, mp_context=multiprocessing.get_context("fork"))(
        _child_main
    )
    future = run(fn, tuple(args), limits, address_space)
    try:
        result: T = future.result()
        return result
    except TimeoutError:
        raise ChildTimedOut(
            f"The child process took longer than {timeout:g} s; it was stopped."
        ) from None
    except MemoryError as exc:
        if limits is None:
            raise
        raise ChildOverLimit(f"The child process ran out of memory ({exc}).") from exc
    except ProcessExpired as exc:
        if limits is not None and exc.exitcode == -signal.SIGXCPU:
            raise ChildOverLimit("The child process reached its CPU-time limit.") from exc
        raise ChildDied(str(exc), exitcode=exc.exitcode) from exc
