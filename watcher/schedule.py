"""When a watch is checked next (pure): interval with jitter, backoff while failing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta


def next_check_at(
    now: datetime,
    *,
    every_seconds: int,
    consecutive_failures: int,
    backoff_max_seconds: int,
    jitter: float,
    rng: random.Random,
    retry_after: float | None = None,
) -> datetime:
    """The time of the next check.

    A healthy watch waits its interval, spread by ±``jitter`` so that watches
    added together do not stay in lock-step. A failing one waits its interval
    doubled per consecutive failure, up to ``backoff_max`` (never less than the
    interval itself), and never less than what the server asked in Retry-After.
    """
    delay = float(every_seconds)
    if consecutive_failures > 1:
        ceiling = max(float(backoff_max_seconds), float(every_seconds))
        # Cap the exponent: 2**64 intervals is no schedule anyone wants.
        delay = min(every_seconds * 2.0 ** min(consecutive_failures - 1, 32), ceiling)
    if jitter > 0:
        delay *= 1.0 + rng.uniform(-jitter, jitter)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + timedelta(seconds=max(delay, 1.0))
