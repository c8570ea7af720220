"""Splitting a pass over processes: how many, and chunks that keep per-host politeness."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FixedClock
from tests.faultserver import FaultServer
from watcher import lanes
from watcher.records import WatchState
from watcher.runtime import Runtime
from watcher.settings import Settings
from watcher.watchlist import make_spec


def _watch(i: int, host: str) -> WatchState:
    return WatchState(
        id=i,
        url=f"https://{host}/article/{i}",
        name=f"article {i}",
        every_seconds=3600,
        selector=None,
        tags=(),
        obey_robots=True,
        paused=False,
        next_check_at=datetime(2026, 1, 1, tzinfo=UTC),
        consecutive_failures=0,
        failing_since=None,
        failure_notified=False,
        last_checked_at=None,
        last_outcome=None,
        last_failure_class=None,
        last_error=None,
        etag=None,
        last_modified=None,
    )


def _mixed() -> list[WatchState]:
    # One big host, a few middling ones, many small ones, interleaved as a list would be.
    hosts = ["big.example"] * 80 + [f"mid{i % 4}.example" for i in range(40)]
    hosts += [f"small{i}.example" for i in range(30)]
    hosts += ["big.example:8080"] * 5  # another port is another server
    return [_watch(i, host) for i, host in enumerate(hosts)]


def test_explicit_processes_are_taken_as_given_but_never_more_than_watches(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path, check_processes=3)
    assert lanes.processes_for(settings, 1000) == 3
    assert lanes.processes_for(settings, 2) == 2
    assert lanes.processes_for(replace(settings, check_processes=1), 1000) == 1


def test_auto_uses_the_cores_for_large_passes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(home=tmp_path)
    assert settings.check_processes == 0, "auto is the default"
    monkeypatch.setattr(lanes, "usable_cores", lambda: 2)
    assert lanes.processes_for(settings, 10) == 1, "a child's start-up would not pay"
    assert lanes.processes_for(settings, lanes.WATCHES_PER_CHILD) == 2
    assert lanes.processes_for(settings, 10_000) == 2
    monkeypatch.setattr(lanes, "usable_cores", lambda: 64)
    assert lanes.processes_for(settings, 100_000) == lanes.MAX_AUTO_PROCESSES
    monkeypatch.setattr(lanes, "usable_cores", lambda: 1)
    assert lanes.processes_for(settings, 100_000) == 1


def test_with_a_delay_no_host_is_in_two_chunks() -> None:
    watches = _mixed()
    plan = lanes.plan(watches, 2, per_host_delay=1.0, per_host_concurrency=2)
    assert not plan.hosts_split
    assert plan.per_host_concurrency == 2, "a host is in one lane: that lane has all of it"
    flat = [w.id for chunk in plan.chunks for w in chunk]
    assert sorted(flat) == [w.id for w in watches], "every watch exactly once"
    owner: dict[str, int] = {}
    for n, chunk in enumerate(plan.chunks):
        for watch in chunk:
            host = lanes.host_key(watch.url)
            assert owner.setdefault(host, n) == n, f"{host} is in chunks {owner[host]} and {n}"
    assert "big.example" in owner and "big.example:8080" in owner


def test_without_a_delay_hosts_are_split_and_each_lane_gets_a_share_of_each() -> None:
    watches = _mixed()
    plan = lanes.plan(watches, 2, per_host_delay=0.0, per_host_concurrency=8)
    assert plan.hosts_split
    assert plan.per_host_concurrency == 4, "two lanes of 4 never exceed the host's 8"
    assert all(len(chunk) <= lanes.CHUNK for chunk in plan.chunks)
    assert sorted(w.id for chunk in plan.chunks for w in chunk) == [w.id for w in watches]


def test_a_concurrency_too_small_to_share_keeps_hosts_whole() -> None:
    plan = lanes.plan(_mixed(), 3, per_host_delay=0.0, per_host_concurrency=2)
    assert not plan.hosts_split and plan.per_host_concurrency == 2


@pytest.mark.parametrize("delay", [0.0, 0.01])
def test_a_pass_over_processes_keeps_each_hosts_concurrency(
    settings: Settings, clock: FixedClock, delay: float
) -> None:
    """Two processes check two hosts; neither host ever has more requests in flight
    than per_host_concurrency, whether hosts are kept whole (a delay) or shared."""
    spread = replace(settings, check_processes=2, per_host_concurrency=2, per_host_delay=delay)
    with FaultServer() as one, FaultServer() as two, Runtime.open(spread, clock=clock) as rt:
        specs = [
            make_spec(server.url(f"/slow?seconds=0.15&n={i}"), every="1h", obey_robots=False)
            for server in (one, two)
            for i in range(16)
        ]
        watches = rt.store.add_watches(specs, now=clock())
        results = rt.check_many(watches)
        assert [r.watch_id for r in results] == [w.id for w in watches]
        assert {r.outcome for r in results} == {"new"}, [r.error for r in results if r.error]
        assert rt.store.count("checks") == len(watches), "each watch checked once"
        assert 1 <= one.max_active <= 2 and 1 <= two.max_active <= 2
