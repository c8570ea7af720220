"""Blobs stored as zstd deltas against the watch's previous version, through the store's
verbs, on SQLite and PostgreSQL (when one answers)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

import pytest
import zstandard
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from tests.conftest import FixedClock
from tests.test_store import _concurrently
from watcher import blobs
from watcher.errors import StoreError
from watcher.fixtures import FixtureTransport
from watcher.records import CheckRecord, NewVersion, sha256
from watcher.runtime import Runtime
from watcher.store import _MIGRATIONS, Store, make_engine, migrate
from watcher.watchlist import make_spec

K = blobs.CHAIN_LIMIT
WORDS = ("season", "premiere", "release", "date", "trailer", "cast", "renewed", "finale")


def _page(version: int, *, seed: int = 7, lines: int = 120) -> bytes:
    """A text page of seeded random words in which each version rewrites one line."""
    rng = random.Random(seed)
    rows = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(lines)]
    for v in range(1, version + 1):
        rows[(v * 37) % lines] = f"Update {v}: the release moved to day {v} of the month."
    return "\n".join(rows).encode()


def _version(body: bytes, previous: NewVersion | None) -> NewVersion:
    return NewVersion(
        body=body,
        text=body.decode("latin-1")[: len(body) // 2],
        final_url="https://news.example/a",
        content_type="text/plain",
        charset="utf-8",
        title="A",
        subject="Show",
        reference_date=None,
        reference_basis="fetched",
        claims=(),
        fingerprint=sha256(body),
        previous_body_sha256=sha256(previous.body) if previous else None,
        previous_text_sha256=sha256(previous.text.encode()) if previous else None,
    )


def _save(store: Store, watch_id: int, clock: FixedClock, version: NewVersion) -> None:
    store.save_check(
        CheckRecord(
            watch_id=watch_id,
            started_at=clock.advance(hours=1),
            duration_ms=1,
            outcome="changed",
            next_check_at=clock(),
            version=version,
        )
    )


def _save_versions(
    store: Store, clock: FixedClock, bodies: list[bytes], url: str = "https://news.example/a"
) -> list[NewVersion]:
    watch = store.add_watch(make_spec(url, every="1h"), now=clock())
    saved: list[NewVersion] = []
    for body in bodies:
        version = _version(body, saved[-1] if saved else None)
        _save(store, watch.id, clock, version)
        saved.append(version)
    return saved


def _row(engine: Engine, sha: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT codec, base_sha256, depth, data FROM blobs WHERE sha256 = :s"), {"s": sha}
        ).one()


def _set_data(engine: Engine, sha: str, data: bytes) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE blobs SET data = :d WHERE sha256 = :s"), {"d": data, "s": sha})


def test_chain_longer_than_the_limit_round_trips(store: Store, clock: FixedClock) -> None:
    bodies = [_page(v) for v in range(2 * K + 3)]
    saved = _save_versions(store, clock, bodies)
    depths = [_row(store.engine, sha256(body)).depth for body in bodies]
    # A full blob starts every chain of K: depth counts the deltas above it.
    assert depths == [v % K for v in range(len(bodies))]
    for body, version in zip(bodies, saved, strict=True):
        assert store.blob(sha256(body)) == body
        assert store.blob(sha256(version.text.encode())) == version.text.encode()
    texts = store.texts(sha256(v.text.encode()) for v in saved)
    assert list(texts.values()) == [v.text for v in saved]


def test_delta_is_smaller_than_plain(store: Store, clock: FixedClock) -> None:
    first, second = _page(0), _page(1)
    _save_versions(store, clock, [first, second])
    row = _row(store.engine, sha256(second))
    assert (row.codec, row.base_sha256, row.depth) == ("zstd-delta", sha256(first), 1)
    plain = zstandard.ZstdCompressor(level=blobs.LEVEL).compress(second)
    assert len(row.data) * 10 < len(plain)
    assert store.stored_bytes() < 2 * len(plain)


def test_full_blob_at_the_chain_limit(store: Store, clock: FixedClock) -> None:
    bodies = [_page(v) for v in range(K + 1)]
    _save_versions(store, clock, bodies)
    last, before = _row(store.engine, sha256(bodies[K])), _row(store.engine, sha256(bodies[K - 1]))
    assert (before.codec, before.depth) == ("zstd-delta", K - 1)
    assert (last.codec, last.base_sha256, last.depth) == ("zstd", None, 0)
    assert store.blob(sha256(bodies[K])) == bodies[K]


def test_unrelated_content_is_stored_whole(store: Store, clock: FixedClock) -> None:
    # A delta against a page it shares nothing with is no smaller than plain zstd.
    noise = random.Random(3).randbytes(20_000)
    _save_versions(store, clock, [_page(0), noise])
    row = _row(store.engine, sha256(noise))
    assert (row.codec, row.base_sha256, row.depth) == ("zstd", None, 0)
    assert store.blob(sha256(noise)) == noise


def test_identical_content_is_stored_once(store: Store, clock: FixedClock) -> None:
    # A flip back to an earlier version, and the same page on a second watch.
    bodies = [_page(0), _page(1), _page(0)]
    _save_versions(store, clock, bodies)
    count = store.count("blobs")
    assert count == 4  # two bodies, two texts
    _save_versions(store, clock, bodies[:2], url="https://mirror.example/a")
    assert store.count("blobs") == count
    assert store.count("snapshots") == 5
    assert store.blob(sha256(bodies[1])) == bodies[1]


def test_corrupt_base_is_detected(store: Store, clock: FixedClock) -> None:
    bodies = [_page(v) for v in range(4)]
    _save_versions(store, clock, bodies)
    base = sha256(bodies[1])
    row = _row(store.engine, base)
    # Still a valid zstd frame (same dictionary), but of other bytes.
    wrong = zstandard.ZstdCompressor(
        dict_data=zstandard.ZstdCompressionDict(bodies[0], dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    ).compress(bodies[2])
    _set_data(store.engine, base, wrong)
    with pytest.raises(StoreError, match=f"blob {base}.* is corrupt"):
        store.blob(sha256(bodies[3]))
    # Of the right length: only the hash of the result tells, and the error names the
    # damaged base rather than the blob asked for.
    _set_data(store.engine, base, zstandard.ZstdCompressor().compress(bodies[1].upper()))
    with pytest.raises(StoreError, match=f"blob {base} is corrupt.*{sha256(bodies[3])}"):
        store.blob(sha256(bodies[3]))
    with pytest.raises(StoreError, match=f"blob {base} is corrupt"):
        store.blob(base)
    # Garbage that is no zstd frame at all.
    _set_data(store.engine, base, b"\x00" * len(row.data))
    with pytest.raises(StoreError, match=f"blob {base}.* does not decode"):
        store.blob(sha256(bodies[3]))
    assert store.blob(sha256(bodies[0])) == bodies[0], "the chain below still reads"


def test_missing_base_is_detected(store: Store, clock: FixedClock) -> None:
    bodies = [_page(v) for v in range(3)]
    _save_versions(store, clock, bodies)
    base = sha256(bodies[1])
    with store.engine.begin() as conn:
        # Repoint the snapshot so only the chain still needs the base, then lose it.
        conn.execute(
            text("UPDATE snapshots SET body_sha256 = :full WHERE body_sha256 = :base"),
            {"full": sha256(bodies[0]), "base": base},
        )
        conn.execute(text("DELETE FROM blobs WHERE sha256 = :s"), {"s": base})
    with pytest.raises(StoreError, match=f"delta against {base}, which is missing"):
        store.blob(sha256(bodies[2]))
    with pytest.raises(StoreError, match=f"no stored blob {base}"):
        store.blob(base)


def test_unreadable_previous_version_costs_only_the_delta(store: Store, clock: FixedClock) -> None:
    first, second = _page(0), _page(1)
    [saved] = _save_versions(store, clock, [first])
    _set_data(store.engine, sha256(first), b"not zstd")
    watch = store.get_watch("https://news.example/a")
    _save(store, watch.id, clock, _version(second, saved))
    row = _row(store.engine, sha256(second))
    assert (row.codec, row.depth) == ("zstd", 0)
    assert store.blob(sha256(second)) == second


def test_removing_a_watch_keeps_bases_other_watches_need(store: Store, clock: FixedClock) -> None:
    # The mirror's first body is the original's blob; its second is a delta on it.
    _save_versions(store, clock, [_page(0)])
    _save_versions(store, clock, [_page(0), _page(1)], url="https://mirror.example/a")
    assert _row(store.engine, sha256(_page(1))).base_sha256 == sha256(_page(0))
    store.remove_watch("https://news.example/a")
    assert store.blob(sha256(_page(1))) == _page(1)


def test_same_delta_saved_concurrently_is_stored_once(store: Store, clock: FixedClock) -> None:
    # Syndicated copies: every watch has the same first version, then the same second.
    first, second = _page(0), _page(1)
    saved = {
        i: _save_versions(store, clock, [first], url=f"https://copy{i}.example/a")[0]
        for i in range(6)
    }
    blobs_before = store.count("blobs")

    def save(i: int) -> None:
        watch = store.get_watch(f"https://copy{i}.example/a")
        _save(store, watch.id, clock, _version(second, saved[i]))

    assert _concurrently(save, list(saved)) == []
    assert store.count("blobs") == blobs_before + 2
    assert store.count("snapshots") == 12
    assert _row(store.engine, sha256(second)).codec == "zstd-delta"
    assert store.blob(sha256(second)) == second


def test_changed_pages_through_the_check_pipeline_are_deltas(
    runtime: Runtime, fixture_transport: FixtureTransport, clock: FixedClock
) -> None:
    url = "https://news.example/tv/all-of-us-are-dead-season-2-tracker"
    watch_id = runtime.store.add_watch(make_spec(url, every="6h"), now=clock()).id
    for round_index in range(3):
        fixture_transport.round_index = round_index
        clock.advance(days=30)
        runtime.check_many([runtime.store.get_watch(watch_id)])
    snapshots = runtime.store.snapshots(watch_id)
    assert len(snapshots) == 3
    for previous, snap in itertools.pairwise(snapshots):
        for prev_sha, sha in (
            (previous.body_sha256, snap.body_sha256),
            (previous.text_sha256, snap.text_sha256),
        ):
            row = _row(runtime.store.engine, sha)
            assert (row.codec, row.base_sha256) == ("zstd-delta", prev_sha)
            runtime.store.blob(sha)  # resolves and verifies


# ---------------------------------------------------------------- migration


def _alembic(engine: Engine, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        getattr(command, verb)(config, revision)
        conn.commit()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_old_full_blobs_read_after_the_upgrade(engine: Engine) -> None:
    _alembic(engine, "upgrade", "0001")
    body = _page(0)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO blobs (sha256, size, codec, data) VALUES (:s, :n, 'zstd', :d)"),
            {"s": sha256(body), "n": len(body), "d": zstandard.ZstdCompressor().compress(body)},
        )
    migrate(engine)
    store = Store(engine)
    assert store.blob(sha256(body)) == body
    assert _row(engine, sha256(body)).depth == 0


def test_downgrade_rewrites_deltas_whole(engine: Engine, clock: FixedClock) -> None:
    migrate(engine)
    bodies = [_page(v) for v in range(K + 2)]
    _save_versions(Store(engine), clock, bodies)
    _alembic(engine, "downgrade", "0001")
    plain = zstandard.ZstdDecompressor()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sha256, size, codec, data FROM blobs")).all()
    assert len(rows) == 2 * len(bodies)
    for row in rows:
        assert row.codec == "zstd"
        assert sha256(plain.decompress(row.data, max_output_size=row.size)) == row.sha256
    migrate(engine)
    assert Store(engine).blob(sha256(bodies[-1])) == bodies[-1]


def test_a_damaged_text_is_left_out_of_the_others(
    store: Store, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    versions = _save_versions(store, clock, [_page(v) for v in range(3)])
    texts = [sha256(v.text.encode()) for v in versions]
    _set_data(store.engine, texts[1], b"not zstd")
    # Text 2 is a delta on the damaged text 1; text 0 reads as ever.
    read = store.texts(texts)
    assert read == {texts[0]: versions[0].text}
    assert sum("left out" in r.getMessage() for r in caplog.records) == 2
