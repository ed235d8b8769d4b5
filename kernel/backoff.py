"""Exponential back-off for work that is retried later (outbox rows, seal attempts).

Used by `matching.search.sync` and `contracts.services.sealing`; imports nothing from the other
apps.
"""

from __future__ import annotations

import random
from datetime import timedelta

#: Exponents above this are not computed (the cap is reached long before).
_MAX_EXPONENT = 30


def retry_delay(
    attempts: int, *, base_seconds: float, max_seconds: float, jitter: bool = False
) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt (1-based; 0 counts as 1):
    min(`max_seconds`, `base_seconds` × 2^(attempts − 1)) seconds. With `jitter` the delay is
    multiplied by a uniform random factor in [0.5, 1.0] ("equal jitter"), so that workers that
    failed together do not all retry at the same moment."""
    exponent = max(0, min(attempts - 1, _MAX_EXPONENT))
    seconds = min(float(max_seconds), float(base_seconds) * 2**exponent)
    if jitter:
        seconds *= random.uniform(0.5, 1.0)  # noqa: S311 (spreading retries, not a secret)
    return timedelta(seconds=seconds)
