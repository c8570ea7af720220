"""Shared test fixtures: settings in a temp home, a real SQLite store (or PostgreSQL),
the offline fixture transport, a fixed clock and the CLI runner."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from watcher.settings import Settings
from watcher.store import Store

if TYPE_CHECKING:
    from watcher.fixtures import FixtureTransport
    from watcher.runtime import Runtime

REPO = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO / "snapshots"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2023, 1, 10, 12, 0, tzinfo=UTC))


def _postgres_url() -> str | None:
    """A PostgreSQL URL the tests may use, or None (the reason is in the skip)."""
    url = os.environ.get("WATCHER_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except (OperationalError, ImportError):
        return None
    return url


@functools.cache
def postgres_url() -> str | None:
    """Asked once per test run: a missing server should not cost a timeout per test."""
    return _postgres_url()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each back end: a SQLite file, and a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'watcher.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("no PostgreSQL server answers (set WATCHER_TEST_POSTGRES_URL)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=db_url,
        per_host_delay=0.0,
        jitter=0.0,
        connect_timeout=2.0,
        read_timeout=2.0,
        total_timeout=5.0,
        max_concurrent_checks=4,
    )


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings.db_url)
    yield store
    store.close()


@pytest.fixture
def fixture_transport() -> FixtureTransport:
    from watcher.fixtures import FixtureTransport

    return FixtureTransport()


@pytest.fixture
def runtime(
    settings: Settings, fixture_transport: FixtureTransport, clock: FixedClock
) -> Iterator[Runtime]:
    """A runtime whose HTTP client answers from snapshots/ (offline)."""
    from watcher.runtime import Runtime

    with Runtime.open(settings, transport=fixture_transport, clock=clock) as rt:
        yield rt


@pytest.fixture
def cli(tmp_path: Path) -> CliRunner:
    return CliRunner()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path
