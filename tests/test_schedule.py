from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from watcher.schedule import next_check_at

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _delay(**kwargs: object) -> float:
    params: dict[str, object] = {
        "every_seconds": 3600,
        "consecutive_failures": 0,
        "backoff_max_seconds": 86400,
        "jitter": 0.0,
        "rng": random.Random(1),
    }
    params.update(kwargs)
    return (next_check_at(NOW, **params) - NOW).total_seconds()  # type: ignore[arg-type]


def test_healthy_watch_waits_its_interval() -> None:
    assert _delay() == 3600


def test_backoff_doubles_and_is_capped() -> None:
    delays = [_delay(consecutive_failures=n) for n in range(1, 10)]
    assert delays[:4] == [3600, 7200, 14400, 28800]
    assert max(delays) == 86400
    assert delays == sorted(delays)


def test_backoff_never_shorter_than_interval() -> None:
    assert _delay(every_seconds=7 * 86400, consecutive_failures=5) == 7 * 86400


def test_retry_after_is_honoured() -> None:
    assert _delay(consecutive_failures=1, retry_after=20000) == 20000


def test_jitter_spreads_within_bounds() -> None:
    rng = random.Random(7)
    delays = {_delay(jitter=0.1, rng=rng) for _ in range(50)}
    assert len(delays) > 40
    assert all(3240 <= d <= 3960 for d in delays)
    assert next_check_at(
        NOW, every_seconds=60, consecutive_failures=0, backoff_max_seconds=1, jitter=0, rng=rng
    ) == NOW + timedelta(seconds=60)
