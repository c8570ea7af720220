"""The check pipeline end to end on the offline fixtures: fetch → store → claims → changes."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import warnings
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.articles import ArticleServer
from tests.conftest import FixedClock
from watcher.fixtures import FixtureTransport, FixtureUrl, FixtureVersion
from watcher.runtime import Runtime
from watcher.settings import Settings, load
from watcher.watchlist import make_spec

TIMELINE = "https://news.example/tv/all-of-us-are-dead-season-2-tracker"


def _add(runtime: Runtime, url: str = TIMELINE, **kwargs: object) -> int:
    spec = make_spec(url, every="6h", **kwargs)  # type: ignore[arg-type]
    return runtime.store.add_watch(spec, now=runtime.clock()).id


def test_timeline_versions_become_snapshots_and_changes(
    runtime: Runtime, fixture_transport: FixtureTransport, clock: FixedClock
) -> None:
    watch_id = _add(runtime)
    outcomes = []
    for round_index in range(5):
        fixture_transport.round_index = round_index
        clock.advance(days=30)
        [result] = runtime.check_many([runtime.store.get_watch(watch_id)])
        outcomes.append(result.outcome)
    assert outcomes == ["new", "changed", "changed", "changed", "changed"]
    store = runtime.store
    assert store.count("snapshots") == 5
    release = [c for c in store.changes_since() if c.kind == "release_date"]
    values = {c.new.value for c in release if c.new is not None}
    assert {"2023-04-14", "2024-01-05"} <= values
    latest = store.latest_snapshot(watch_id)
    assert latest is not None
    assert latest.subject and "Season 2" in latest.subject
    assert latest.reference_basis == "last_modified"
    assert latest.reference_date == "2023-06-15"


def test_unchanged_check_writes_no_body(runtime: Runtime, clock: FixedClock) -> None:
    watch_id = _add(runtime)
    runtime.check(runtime.store.get_watch(watch_id))
    blobs, stored = runtime.store.count("blobs"), runtime.store.stored_bytes()
    clock.advance(hours=6)
    result = runtime.check(runtime.store.get_watch(watch_id))
    assert (result.outcome, result.http_status) == ("unchanged", 304)
    assert (runtime.store.count("blobs"), runtime.store.stored_bytes()) == (blobs, stored)
    assert runtime.store.count("snapshots") == 1
    watch = runtime.store.get_watch(watch_id)
    assert watch.etag is not None
    assert watch.next_check_at == clock() + timedelta(hours=6)


def test_error_is_recorded_and_schedule_backs_off(runtime: Runtime, clock: FixedClock) -> None:
    watch_id = _add(runtime, "https://news.example/missing-page")
    intervals = []
    for _ in range(3):
        result = runtime.check(runtime.store.get_watch(watch_id))
        watch = runtime.store.get_watch(watch_id)
        intervals.append(watch.next_check_at - clock())
        clock.now = watch.next_check_at
    assert result.outcome == "error"
    assert result.failure_class == "http_status"
    assert "404" in (result.error or "")
    assert watch.consecutive_failures == 3
    assert watch.last_error and "news.example/missing-page" in watch.last_error
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0]
    # The third failure reaches the threshold: one "failing" notice, not one per failure.
    pending = runtime.store.pending_notifications(clock())
    assert [n.event for n in pending] == ["failing"]
    runtime.check(runtime.store.get_watch(watch_id))
    assert [n.event for n in runtime.store.pending_notifications(clock())] == ["failing"]


def test_recovery_resets_failures_and_says_so(
    runtime: Runtime, fixture_transport: FixtureTransport, clock: FixedClock
) -> None:
    watch_id = _add(runtime)
    real = fixture_transport.handle_request
    fixture_transport.handle_request = lambda request: httpx.Response(500)  # type: ignore[method-assign]
    for _ in range(3):
        runtime.check(runtime.store.get_watch(watch_id))
    fixture_transport.handle_request = real  # type: ignore[method-assign]
    result = runtime.check(runtime.store.get_watch(watch_id))
    watch = runtime.store.get_watch(watch_id)
    assert result.outcome == "new"
    assert (watch.consecutive_failures, watch.failing_since, watch.last_error) == (0, None, None)
    events = [n.event for n in runtime.store.pending_notifications(clock())]
    assert events == ["failing", "recovered"]


def test_page_flipping_between_versions_raises_its_changes_once(
    settings: Settings, clock: FixedClock
) -> None:
    """An A/B test or rotating block: each state's changes are news once, not every flip."""

    def version(text: str) -> FixtureVersion:
        return FixtureVersion(
            file="x", body=text.encode(), last_modified=clock(), content_type="text/plain"
        )

    title = "Moonlit Harbor Season 2 release date\n\n"
    page = FixtureUrl(
        url="https://news.example/flip",
        name=None,
        versions=(
            version(title + "Moonlit Harbor Season 2 premieres on Hulu on May 2, 2026."),
            version(title + "Moonlit Harbor Season 2 premieres on Hulu on June 9, 2026."),
        ),
        timeline=True,
    )
    transport = FixtureTransport([page])
    with Runtime.open(settings, transport=transport, clock=clock) as rt:
        watch_id = rt.store.add_watch(make_spec(page.url, every="1h"), now=clock()).id
        counts = []
        for flip in [0, 1, 0, 1, 0, 1]:
            transport.round_index = flip
            clock.advance(hours=1)
            counts.append(rt.check(rt.store.get_watch(watch_id)).changes)
    assert counts[0] > 0 and counts[1] > 0, "the first two states are news"
    assert counts[2:] == [0, 0, 0, 0], "flipping back and forth is not"


def test_check_many_across_processes(settings: Settings, clock: FixedClock) -> None:
    """check_processes > 1: the same checks, spread over processes sharing the database."""
    spread = replace(settings, fixtures=True, check_processes=2)
    with Runtime.open(spread, clock=clock) as rt:
        urls = [u.url for u in FixtureTransport().urls]
        watches = rt.store.add_watches([make_spec(u, every="1h") for u in urls], now=clock())
        results = rt.check_many(watches)
        assert [r.watch_id for r in results] == [w.id for w in watches]
        assert {r.outcome for r in results} == {"new"}
        assert rt.store.count("checks") == len(urls)
        assert all(rt.store.latest_snapshot(w.id) is not None for w in watches)


def test_a_callers_transport_keeps_checks_in_process(settings: Settings, clock: FixedClock) -> None:
    """The demo's transport moves rounds in this process: children could not follow it."""
    transport = FixtureTransport()
    transport.round_index = 4  # the timeline's last version, known only to this transport
    spread = replace(settings, fixtures=True, check_processes=2)
    with Runtime.open(spread, transport=transport, clock=clock) as rt:
        watches = rt.store.add_watches(
            [make_spec(u.url, every="1h") for u in transport.urls], now=clock()
        )
        rt.check_many(watches)
        snapshot = rt.store.latest_snapshot(rt.store.get_watch(TIMELINE).id)
        assert snapshot is not None
        assert snapshot.reference_date == "2023-06-15", "served by the caller's transport"
        assert len(transport.requests) >= len(watches)


def test_two_processes_checking_one_home_record_each_change_once(tmp_path: Path) -> None:
    """Two `watcher check --all` at once: the server answers only when both have asked
    (or after a few seconds), yet each version and claim change is recorded once."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "watcher.toml").write_text(
        "per_host_delay = 0.0\nper_host_concurrency = 8\nobey_robots = false\ncheck_processes = 1\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "WATCHER_DATABASE_URL"}
    with ArticleServer(hold_for=2) as server:
        with Runtime.open(load(home=home)) as rt:
            urls = [server.url(f"/show/{i}") for i in range(3)]
            rt.store.add_watches([make_spec(u, every="1h") for u in urls], now=rt.clock())
        command = [sys.executable, "-m", "watcher", "--home", str(home), "check", "--all"]
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err
    said = b"".join(out for out, _ in outputs).decode()
    assert said.count(" new ") == len(urls), said
    with sqlite3.connect(home / "watcher.db") as conn:
        snapshots = conn.execute(
            "select watch_id, count(*) from snapshots group by watch_id"
        ).fetchall()
        repeated = conn.execute(
            "select watch_id, kind, slot, count(*) from changes"
            " group by watch_id, kind, slot, change having count(*) > 1"
        ).fetchall()
    assert sorted(n for _, n in snapshots) == [1, 1, 1]
    assert repeated == []


def test_a_watch_removed_during_its_check_is_one_log_line(
    settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    """`watcher remove` while the service checks the watch: the result is dropped with
    one clear line, no traceback, and nothing is left of the watch."""
    holder: dict[str, Runtime] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        holder["rt"].store.remove_watch(str(request.url))  # removed mid-check
        return httpx.Response(200, text="<html><body><p>Gone soon.</p></body></html>")

    with Runtime.open(settings, transport=httpx.MockTransport(answer), clock=clock) as rt:
        holder["rt"] = rt
        watch_id = _add(rt, "https://news.example/tv/removed")
        with caplog.at_level(logging.INFO):
            result = rt.check(rt.store.get_watch(watch_id))
        assert result.outcome == "skipped"
        assert rt.store.count("checks") == rt.store.count("snapshots") == 0
    said = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in said] == [
        f"watch #{watch_id} was removed during its check; result dropped"
    ]
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><rss><channel><item><title>Show</title></item></channel></rss>',
        '{"show": "Season 2", "date": "2027-03-03"}',
        "",
    ],
    ids=["xml", "json", "empty"],
)
def test_odd_pages_served_as_html_say_nothing_on_the_terminal(
    settings: Settings, clock: FixedClock, caplog: pytest.LogCaptureFixture, body: str
) -> None:
    """trafilatura's ERROR lines and bs4's XMLParsedAsHTMLWarning are about inputs
    watcher handles itself (the visible-text fallback): neither reaches the user."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, text=body, headers={"Content-Type": "text/html"})

    with Runtime.open(settings, transport=httpx.MockTransport(answer), clock=clock) as rt:
        watch_id = _add(rt, "https://news.example/odd")
        with caplog.at_level(logging.DEBUG), warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            result = rt.check(rt.store.get_watch(watch_id))
    assert result.failure_class != "internal", result.error
    assert [w.category.__name__ for w in seen] == []
    loud = [r for r in caplog.records if r.name.startswith("trafilatura")]
    assert [r.getMessage() for r in loud if r.levelno >= logging.WARNING] == []
