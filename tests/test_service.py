"""`watcher run` as a real process: SIGTERM stops it cleanly, SIGKILL loses nothing but
the checks in flight, and the next run carries on."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.articles import ArticleServer
from watcher.records import CheckRecord, OutboxItem
from watcher.runtime import Runtime
from watcher.settings import load
from watcher.watchlist import make_spec

PAGES = 40


@pytest.fixture
def site() -> Iterator[str]:
    # Each answer takes a moment, so that checks are in flight when the service is killed.
    with ArticleServer(delay=0.2) as server:
        yield server.url("")


@pytest.fixture
def home(tmp_path: Path, site: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    (tmp_path / "watcher.toml").write_text(
        "per_host_delay = 0.0\nper_host_concurrency = 4\nmax_concurrent_checks = 4\n"
        "tick_seconds = 0.5\nobey_robots = false\nread_timeout = 5.0\njitter = 0.0\n"
    )
    with Runtime.open(load(home=tmp_path)) as rt:
        specs = [make_spec(f"{site}/show-{i}", every="1h") for i in range(PAGES)]
        rt.store.add_watches(specs, now=rt.clock())
    return tmp_path


def _start(home: Path) -> subprocess.Popen[bytes]:
    # The log goes to a file: a pipe nobody reads could fill and block the service.
    with (home / "service.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "watcher", "--home", str(home), "-v", "run"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def _log(home: Path) -> str:
    return (home / "service.log").read_text(errors="replace")


def _checks(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as conn:
        return int(conn.execute("select count(*) from checks").fetchone()[0])


def _wait_for_checks(db: Path, at_least: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, _log(db.parent)
        if db.exists() and _checks(db) >= at_least:
            return
        time.sleep(0.05)
    pytest.fail(f"the service did not make {at_least} checks in 60 s")


def _assert_consistent(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert conn.execute("pragma foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "select count(*) from checks"
            " where outcome in ('new', 'changed') and snapshot_id is null"
        ).fetchone()[0]
        assert orphans == 0, "a new version was recorded without its snapshot"
        unchecked_changes = conn.execute(
            "select count(*) from changes c"
            " left join checks k on k.id = c.check_id where k.id is null"
        ).fetchone()[0]
        assert unchecked_changes == 0
        half = conn.execute(
            "select count(*) from snapshots s left join checks k on k.snapshot_id = s.id "
            "where k.id is null"
        ).fetchone()[0]
        assert half == 0, "a snapshot was written without its check"


@pytest.mark.slow
def test_sigkill_mid_run_leaves_database_consistent_and_next_run_completes(home: Path) -> None:
    db = home / "watcher.db"
    process = _start(home)
    _wait_for_checks(db, 5, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    killed_at = _checks(db)
    assert 5 <= killed_at < PAGES, "the kill came mid-run"
    _assert_consistent(db)

    # The next run resumes from the schedule in the database and checks the rest.
    process = _start(home)
    try:
        _wait_for_checks(db, PAGES, process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    _assert_consistent(db)
    with sqlite3.connect(db) as conn:
        never = conn.execute(
            "select count(*) from watches where last_checked_at is null"
        ).fetchone()[0]
        errors = conn.execute("select count(*) from checks where outcome = 'error'").fetchone()[0]
    assert (never, errors) == (0, 0)


@pytest.mark.slow
def test_sigterm_stops_cleanly(home: Path) -> None:
    db = home / "watcher.db"
    process = _start(home)
    _wait_for_checks(db, 3, process)
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert time.monotonic() - started < 30
    _assert_consistent(db)
    log = _log(home)
    assert "Traceback" not in log
    assert "watcher service stopped" in log


def test_service_loop_checks_due_watches_publishes_and_delivers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loop in-process: ticks hand due watches to the pool, changes rewrite the digest
    with the rolling window, queued notifications are delivered, stop() drains cleanly."""
    from dataclasses import replace

    from watcher.service import Service

    delivered: list[tuple[str, ...]] = []
    monkeypatch.setattr(
        "watcher.notify.send", lambda urls, title, body: delivered.append(tuple(urls))
    )
    settings = replace(
        load(home=tmp_path),
        fixtures=True,
        tick_seconds=0.2,
        max_concurrent_checks=2,
        failure_threshold=1,
        notify_urls=("json://127.0.0.1:9/",),
    )
    with Runtime.open(settings) as rt:
        timeline = "https://news.example/tv/all-of-us-are-dead-season-2-tracker"
        for url in (timeline, "https://news.example/tv/missing"):
            rt.store.add_watch(make_spec(url, every="1h"), now=rt.clock())
        service = Service(rt, tick_seconds=settings.tick_seconds)
        service.start()
        try:
            deadline = time.monotonic() + 30
            while rt.store.count("checks") < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert service.tick() == 0, "nothing is due again until its interval has passed"
            service.publish()
            service.deliver()
        finally:
            service.stop()
            service.wait()
        assert rt.store.count("checks") == 2
        assert (settings.digest_path / "index.html").is_file()
        assert delivered == [("json://127.0.0.1:9/",)], "the failing watch was notified once"
        assert rt.store.pending_notifications(rt.clock()) == []


class _Trickle(BaseHTTPRequestHandler):
    """Answers a POST with headers and then one byte at a time, never finishing."""

    posted = threading.Event()
    stop = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).posted.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        try:
            while not type(self).stop.wait(0.2):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:
            pass  # the client went away

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    _Trickle.posted.clear()
    _Trickle.stop.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/trickle"
    _Trickle.stop.set()
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_sigterm_stops_the_service_while_a_notification_target_never_finishes(
    tmp_path: Path, trickle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    (tmp_path / "watcher.toml").write_text(f'tick_seconds = 0.5\nnotify_urls = ["{trickle}"]\n')
    with Runtime.open(load(home=tmp_path)) as rt:
        watch = rt.store.add_watch(make_spec("http://127.0.0.1:9/show", every="1h"), now=rt.clock())
        rt.store.set_paused(watch.id, True)  # never checked: only the notification matters
        rt.store.save_check(
            CheckRecord(
                watch_id=watch.id,
                started_at=rt.clock(),
                duration_ms=1,
                outcome="changed",
                next_check_at=rt.clock(),
                notifications=[OutboxItem(event="headline", title="Show: date", body="March")],
            )
        )
    process = _start(tmp_path)
    try:
        assert _Trickle.posted.wait(60), _log(tmp_path)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    log = _log(tmp_path)
    assert "Traceback" not in log
    assert "watcher service stopped" in log
    with sqlite3.connect(tmp_path / "watcher.db") as conn:
        unsent = conn.execute("select count(*) from outbox where sent_at is null").fetchone()[0]
    assert unsent == 1, "the notification stays in the outbox for the next start"
