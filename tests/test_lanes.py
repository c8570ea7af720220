"""Splitting a pass over processes: how many, and chunks that keep per-host politeness."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FixedClock
from tests.faultserver import FaultServer
from watcher import lanes
from watcher import runtime as runtime_module
from watcher.fixtures import FixtureTransport
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


def test_auto_mode_starts_children_only_for_passes_with_pages_to_analyse() -> None:
    assert not lanes.children_pay(lanes.SAMPLE - 1, lanes.SAMPLE - 1, 10_000), "too few to judge"
    assert lanes.children_pay(lanes.SAMPLE, 1, lanes.ANALYSES_FOR_CHILDREN * lanes.SAMPLE)
    assert not lanes.children_pay(lanes.SAMPLE, 1, lanes.ANALYSES_FOR_CHILDREN * lanes.SAMPLE - 1)
    assert not lanes.children_pay(1000, 0, 100_000), "unchanged checks never pay for a child"


def test_an_auto_pass_starts_check_processes_once_it_analyses_pages(
    settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first pass (every page new) starts a check process and hands it chunks once
    the checks this process started alone are done; the next pass, every page
    unchanged, stays in this process. Both store every check exactly once."""
    started: list[int] = []

    class Recording(ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(runtime_module, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(lanes, "usable_cores", lambda: 2)
    monkeypatch.setattr(lanes, "WATCHES_PER_CHILD", 1)
    monkeypatch.setattr(lanes, "SAMPLE", 1)
    monkeypatch.setattr(lanes, "ANALYSES_FOR_CHILDREN", 1)
    monkeypatch.setattr(lanes, "CHUNK", 1)  # chunks left for the child after the first check
    auto = replace(settings, fixtures=True, check_processes=0, max_concurrent_checks=1)
    with Runtime.open(auto, clock=clock) as rt:
        urls = [u.url for u in FixtureTransport().urls]
        watches = rt.store.add_watches([make_spec(u, every="1h") for u in urls], now=clock())
        first = rt.check_many(watches)
        assert {r.outcome for r in first} == {"new"}
        assert [r.watch_id for r in first] == [w.id for w in watches]
        assert started == [1], "pages to analyse: one child for two cores"
        second = rt.check_many(rt.store.list_watches())
        assert {r.outcome for r in second} == {"unchanged"}
        assert started == [1], "nothing to analyse: no child started"
        assert [r.watch_id for r in second] == [w.id for w in watches]
        assert rt.store.count("checks") == 2 * len(watches)
