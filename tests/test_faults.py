"""One pass over watches whose servers misbehave in every way: each check ends in bounded
time with its failure class recorded, the healthy watches are checked, nothing is
half-written."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import FixedClock
from tests.faultserver import FaultServer
from watcher.runtime import Runtime
from watcher.settings import Settings
from watcher.watchlist import make_spec

# path → the outcome class the check must record (None: the check succeeds)
FAULTS: dict[str, str | None] = {
    "/hang": "timeout",  # headers that never come
    "/trickle?every=0.2&n=100": "timeout",  # a body that trickles past the total timeout
    "/reset": "connect",  # connection reset
    "/status/500": "http_status",
    "/status/404": "http_status",
    "/loop/a": "redirects",
    "/big?mb=50": "too_large",
    "/big?mb=50&length=0": "too_large",
    "/gzip-bomb?mb=20": "too_large",
    "/binary": "not_text",
    "/png-as-html": "not_text",
    "/png": "not_text",
    "/empty": "extraction",  # nothing to read is not a new version with no claims
    "/cp1252": None,
    "/unknown-charset": None,
    "/invalid-html": None,
    "/article": None,
    "/gzip": None,
    "/redirect?to=/article": None,
}


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


@pytest.fixture
def fault_runtime(settings: Settings, clock: FixedClock) -> Iterator[Runtime]:
    tight = replace(
        settings,
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=2.0,
        max_bytes=2_000_000,
        per_host_concurrency=8,
        max_concurrent_checks=8,
    )
    with Runtime.open(tight, clock=clock) as rt:
        yield rt


@pytest.mark.timeout(120)
def test_every_fault_is_recorded_and_the_others_are_checked(
    fault_runtime: Runtime, server: FaultServer, tmp_path: Path
) -> None:
    store = fault_runtime.store
    specs = [make_spec(server.url(path), every="1h") for path in FAULTS]
    watches = store.add_watches(specs, now=fault_runtime.clock())
    started = time.monotonic()
    results = fault_runtime.check_many(watches)
    elapsed = time.monotonic() - started
    # Eight checks at a time, each bounded by the 2 s total timeout: far below this.
    assert elapsed < 30, f"a check did not end in bounded time ({elapsed:.1f} s)"
    by_path = {r.url.split(str(server.port), 1)[1]: r for r in results}
    for path, expected in FAULTS.items():
        result = by_path[path]
        watch = store.get_watch(result.watch_id)
        if expected is None:
            assert result.outcome == "new", (path, result.error)
            assert watch.last_error is None
        else:
            assert (result.outcome, result.failure_class) == ("error", expected), (path, result)
            assert watch.last_failure_class == expected
            assert watch.last_error and server.url(path.split("?")[0]) in watch.last_error, path
            assert watch.consecutive_failures == 1
    ok = [r for r in results if r.outcome == "new"]
    assert store.count("snapshots") == len(ok)
    assert store.count("checks") == len(FAULTS)
    if fault_runtime.settings.db_url.startswith("sqlite"):
        db = fault_runtime.settings.db_url.split("///", 1)[1]
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            assert conn.execute("pragma foreign_key_check").fetchall() == []


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_pushes_the_next_check(
    fault_runtime: Runtime, server: FaultServer, status: int
) -> None:
    # Its own server: after a Retry-After the fetcher holds back from that host:port.
    store = fault_runtime.store
    url = server.url(f"/retry-after/{status}?after=7200")
    watch = store.add_watch(make_spec(url, every="1h"), now=fault_runtime.clock())
    result = fault_runtime.check(watch)
    assert (result.failure_class, result.http_status) == ("http_status", status)
    again = store.get_watch(watch.id)
    wait = (again.next_check_at - fault_runtime.clock()).total_seconds()
    assert wait >= 7200, "Retry-After is longer than the interval and wins"


def test_cp1252_body_is_decoded_and_raw_bytes_kept(
    fault_runtime: Runtime, server: FaultServer
) -> None:
    store = fault_runtime.store
    watch = store.add_watch(make_spec(server.url("/cp1252"), every="1h"), now=fault_runtime.clock())
    assert fault_runtime.check(watch).outcome == "new"
    snapshot = store.latest_snapshot(watch.id)
    assert snapshot is not None
    assert "März" in store.blob(snapshot.text_sha256).decode()
    assert store.blob(snapshot.body_sha256) == server_body(server, "/cp1252")


def server_body(server: FaultServer, path: str) -> bytes:
    import httpx

    return httpx.get(server.url(path)).content
