"""Scaled mode on a real PostgreSQL: three worker processes share 500 due watches."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

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


class _Articles(BaseHTTPRequestHandler):
    hits: Counter[str]
    lock = threading.Lock()

    def do_GET(self) -> None:
        with self.lock:
            self.hits[self.path] += 1
        number = self.path.rsplit("/", 1)[-1]
        body = (
            f"<html><head><title>Show {number} Season 2</title></head><body><article>"
            f"<h1>Show {number} Season 2</h1><p>Show {number} Season 2 premieres on Netflix "
            "on March 3, 2027, the streamer announced.</p></article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


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
    hits: Counter[str] = Counter()
    handler = type("Handler", (_Articles,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "watcher.toml").write_text(
        "per_host_delay = 0.0\nper_host_concurrency = 8\nobey_robots = false\njitter = 0.0\n"
    )
    settings = load(home=tmp_path, database_url=pg_url)
    with Runtime.open(settings) as rt:
        rt.store.add_watches(
            [make_spec(f"{base}/show/{i}", every="1d") for i in range(WATCHES)], now=rt.clock()
        )
    workers = []
    log = (tmp_path / "workers.log").open("ab")
    try:
        for _ in range(WORKERS):
            workers.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "watcher",
                        "--home",
                        str(tmp_path),
                        "--db",
                        pg_url,
                        "worker",
                        "--concurrency",
                        "4",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        with Runtime.open(settings) as rt:
            deadline = time.monotonic() + 180
            while rt.store.count("checks") < WATCHES and time.monotonic() < deadline:
                assert all(w.poll() is None for w in workers), (
                    tmp_path / "workers.log"
                ).read_text()
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
        log.close()
        server.shutdown()
        server.server_close()
    assert checks == WATCHES, (tmp_path / "workers.log").read_text()[-3000:]
    assert errors == []
    fetched = {path: n for path, n in hits.items() if path != "/robots.txt"}
    assert len(fetched) == WATCHES
    assert set(fetched.values()) == {1}, "every URL fetched exactly once"
