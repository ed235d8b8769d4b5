"""Rate-limit counters shared by every worker process on the machine, with no outside service:
a diskcache store (a SQLite database in ``THROTTLE_DIR``, ``KEQIAO_CACHE_DIR``). The only
importer of diskcache.

Each counter is a sliding window: the times (seconds since the epoch, UTC) of the calls counted
in the last ``duration`` seconds, newest first, as DRF's throttles keep them. `CounterStore.hit`
reads, prunes and extends a window inside one SQLite write transaction, so parallel calls from
several worker processes never count the same slot twice; a Django file cache cannot, because
its get-then-set lets two workers both read the same count. Windows expire with their
duration; past ``size_limit`` bytes diskcache evicts the least recently stored ones a few at a
time (never a scan of the whole store).

When the store stays locked longer than ``LOCK_TIMEOUT_SECONDS`` (a stuck disk), the call is
let through and a warning logged: a rate limit must never stall the requests it protects.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from diskcache import Cache, Timeout

log = logging.getLogger(__name__)

#: Seconds a call waits for another worker's write to the store before it is let through.
LOCK_TIMEOUT_SECONDS = 1.0
#: Bytes the store may occupy before the least recently stored windows are evicted.
SIZE_LIMIT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Hit:
    """The outcome of one counted call: whether it is allowed, and the window after it (times
    in seconds since the epoch, newest first; unchanged when refused)."""

    allowed: bool
    window: list[float]


class CounterStore:
    """Sliding-window counters in the diskcache store at `directory` (see the module
    docstring). Safe to share between threads; each process opens its own connection."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        # The counters' keys name client addresses: readable by this account only.
        os.makedirs(directory, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
        self._cache = Cache(
            directory,
            timeout=LOCK_TIMEOUT_SECONDS,
            eviction_policy="least-recently-stored",
            size_limit=SIZE_LIMIT_BYTES,
        )

    def hit(self, key: str, *, now: float, duration: float, limit: int) -> Hit:
        """Count a call at `now` against the window `key` of `duration` seconds that allows
        `limit` calls: refused (``allowed=False``, nothing recorded) when `limit` calls are
        already in the window, else recorded. Atomic across processes."""
        try:
            with self._cache.transact(retry=False):
                stored = self._cache.get(key, default=[], retry=False)
                window = [t for t in stored if t > now - duration]
                if len(window) >= limit:
                    return Hit(allowed=False, window=window)
                window.insert(0, now)
                self._cache.set(key, window, expire=duration, retry=False)
                return Hit(allowed=True, window=window)
        except Timeout:
            log.warning("rate-limit store %s locked; call let through", self.directory)
            return Hit(allowed=True, window=[])

    def clear(self) -> None:
        """Forget every counter (tests; an operator after changing rates)."""
        self._cache.clear(retry=True)


_stores: dict[tuple[int, str], CounterStore] = {}


def counter_store(directory: str) -> CounterStore:
    """The process's `CounterStore` for `directory` (opened once per process: a connection
    must not cross a fork)."""
    key = (os.getpid(), directory)
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = CounterStore(directory)
    return store
