"""Scaled mode on a real PostgreSQL: three worker processes share 500 due watches."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.articles import ArticleServer
from tests.conftest import postgres_url
from watcher.runtime import Runtime
from watcher.settings import load
from watcher.watchlist import make_spec
from watcher.worker import conninfo, host_lock

pytestmark = pytest.mark.postgres
WATCHES = 500
WORKERS = 3


def test_conninfo_and_host_lock() -> None:
    assert conninfo("postgresql+psycopg://u:p@db:5433/w?options=-csearch_path%3Dx") == (
        "postgresql://u:p@db:5433/w?options=-csearch_path%3Dx"
    )
    with pytest.raises(Exception, match="needs PostgreSQL"):
        conninfo("sqlite:///x.db")
    locks = {host_lock("http://127.0.0.1:8080/a", i, 4) for i in range(100)}
    assert locks == {f"host:127.0.0.1:8080:{slot}" for slot in range(4)}


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL server answers (set WATCHER_TEST_POSTGRES_URL)")
    schema = f"w_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{base}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_three_workers_fetch_every_due_url_exactly_once(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    (tmp_path / "watcher.toml").write_text(
        "per_host_delay = 0.0\nper_host_concurrency = 8\nobey_robots = false\njitter = 0.0\n"
    )
    settings = load(home=tmp_path, database_url=pg_url)
    log_path = tmp_path / "workers.log"
    command = [sys.executable, "-m", "watcher", "--home", str(tmp_path), "--db", pg_url]
    with ArticleServer() as server, log_path.open("ab") as log:
        with Runtime.open(settings) as rt:
            specs = [make_spec(server.url(f"/show/{i}"), every="1d") for i in range(WATCHES)]
            rt.store.add_watches(specs, now=rt.clock())
        workers = [
            subprocess.Popen(
                [*command, "worker", "--concurrency", "4"], stdout=subprocess.DEVNULL, stderr=log
            )
            for _ in range(WORKERS)
        ]
        try:
            with Runtime.open(settings) as rt:
                deadline = time.monotonic() + 180
                while rt.store.count("checks") < WATCHES and time.monotonic() < deadline:
                    assert all(w.poll() is None for w in workers), log_path.read_text()
                    time.sleep(0.5)
                time.sleep(3)  # long enough for a duplicate delivery to show up
                checks = rt.store.count("checks")
                errors = [w for w in rt.store.list_watches() if w.last_outcome != "new"]
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
    assert checks == WATCHES, log_path.read_text()[-3000:]
    assert errors == []
    fetched = {path: n for path, n in server.hits.items() if path != "/robots.txt"}
    assert len(fetched) == WATCHES
    assert set(fetched.values()) == {1}, "every URL fetched exactly once"
