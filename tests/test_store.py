"""The store on a real database: SQLite file and PostgreSQL (when one answers)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from tests.conftest import FixedClock
from watcher.claims import Claim
from watcher.errors import WatchListError, WatchNotFound, WatchRemoved
from watcher.records import ChangeRow, CheckRecord, NewVersion, OutboxItem, sha256
from watcher.store import Store, lease_owner
from watcher.watchlist import make_spec

CLAIM = Claim(
    kind="release_date",
    value="2024-01-05",
    certainty="reported",
    evidence="It premieres on January 5, 2024.",
    start=0,
    end=32,
)


def _concurrently(work: Callable[[int], None], ids: list[int]) -> list[BaseException]:
    """Run ``work(id)`` for every id in its own thread, all released at once; the errors."""
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def run(item: int) -> None:
        barrier.wait()
        try:
            work(item)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _version(body: bytes, claims: tuple[Claim, ...] = (CLAIM,)) -> NewVersion:
    return NewVersion(
        body=body,
        text=body.decode(),
        final_url="https://news.example/a",
        content_type="text/plain",
        charset="utf-8",
        title="A",
        subject="Show Season 2",
        reference_date="2023-06-15",
        reference_basis="last_modified",
        claims=claims,
        fingerprint=f"fp-{len(body)}",
    )


def test_add_list_remove(store: Store, clock: FixedClock) -> None:
    watch = store.add_watch(
        make_spec("https://news.example/a", every="6h", tags=["tv"]), now=clock()
    )
    assert watch.next_check_at == clock()
    assert [w.url for w in store.list_watches()] == ["https://news.example/a"]
    assert store.get_watch("https://NEWS.example/a").id == watch.id
    with pytest.raises(WatchListError, match="already watched"):
        store.add_watch(make_spec("https://news.example/a#x", every="1d"), now=clock())
    store.remove_watch(str(watch.id))
    with pytest.raises(WatchNotFound, match="no watch"):
        store.get_watch(watch.id)


def test_import_is_all_or_nothing(store: Store, clock: FixedClock) -> None:
    store.add_watch(make_spec("https://news.example/b", every="6h"), now=clock())
    specs = [make_spec(f"https://news.example/{x}", every="6h") for x in ("a", "b", "c")]
    with pytest.raises(WatchListError, match=r"news\.example/b"):
        store.add_watches(specs, now=clock())
    assert [w.url for w in store.list_watches()] == ["https://news.example/b"]


def test_unchanged_page_stores_no_new_body(store: Store, clock: FixedClock) -> None:
    watch = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    body = b"Show Season 2 premieres on January 5, 2024." * 20
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=clock(),
            duration_ms=1,
            outcome="new",
            next_check_at=clock(),
            version=_version(body),
        )
    )
    blobs, stored = store.count("blobs"), store.stored_bytes()
    assert stored < len(body), "bodies are stored compressed"
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=clock.advance(hours=6),
            duration_ms=1,
            outcome="unchanged",
            next_check_at=clock(),
        )
    )
    assert (store.count("blobs"), store.stored_bytes()) == (blobs, stored)
    assert store.count("snapshots") == 1
    assert [c.outcome for c in store.checks(watch.id)] == ["unchanged", "new"]
    snapshot = store.latest_snapshot(watch.id)
    assert snapshot is not None
    assert store.blob(snapshot.body_sha256) == body
    assert snapshot.claims == (CLAIM,)


def test_same_body_on_two_watches_is_stored_once(store: Store, clock: FixedClock) -> None:
    body = b"the same syndicated article" * 10
    for url in ("https://a.example/x", "https://b.example/x"):
        watch = store.add_watch(make_spec(url, every="6h"), now=clock())
        store.save_check(
            CheckRecord(
                watch_id=watch.id,
                started_at=clock(),
                duration_ms=1,
                outcome="new",
                next_check_at=clock(),
                version=_version(body),
            )
        )
    assert store.count("snapshots") == 2
    # One blob: the body, which here is also the extracted text (content-addressed).
    assert store.count("blobs") == 1


def test_check_with_changes_and_notifications(store: Store, clock: FixedClock) -> None:
    watch = store.add_watch(
        make_spec("https://news.example/a", every="6h", tags=["tv"]), now=clock()
    )
    old = Claim("release_date", "2023-04-14", "official", "Set for April 14, 2023.", 0, 23)
    change = ChangeRow(
        kind="release_date",
        subject="Show Season 2",
        slot="",
        change="changed",
        headline=True,
        old=old,
        new=CLAIM,
    )
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=clock(),
            duration_ms=3,
            outcome="changed",
            next_check_at=clock() + timedelta(hours=6),
            version=_version(b"v2"),
            changes=[change],
            notifications=[OutboxItem(event="headline", title="moved", body="b", tags=("tv",))],
        )
    )
    [row] = store.changes_since()
    assert (row.old, row.new, row.headline, row.url) == (old, CLAIM, True, watch.url)
    assert row.to_json()["evidence_new"] == CLAIM.evidence
    [item] = store.pending_notifications(clock())
    store.mark_notification(
        item.id, now=clock(), error="boom", retry_at=clock() + timedelta(minutes=1)
    )
    assert store.pending_notifications(clock()) == []
    [again] = store.pending_notifications(clock() + timedelta(minutes=1))
    assert again.attempts == 1
    store.mark_notification(again.id, now=clock(), error=None)
    assert store.pending_notifications(clock() + timedelta(days=1)) == []


def test_failed_write_leaves_nothing_half_written(store: Store, clock: FixedClock) -> None:
    watch = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    bad_change = ChangeRow(
        kind="x", subject="s", slot="", change="added", headline=False, old=None, new=CLAIM
    )
    # A change without a version violates the record's contract: the whole write must roll back.
    with pytest.raises(AssertionError):
        store.save_check(
            CheckRecord(
                watch_id=watch.id,
                started_at=clock(),
                duration_ms=1,
                outcome="changed",
                next_check_at=clock(),
                changes=[bad_change],
            )
        )
    assert store.count("checks") == 0
    assert store.get_watch(watch.id).last_checked_at is None


def test_due_watches_and_pause(store: Store, clock: FixedClock) -> None:
    a = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    b = store.add_watch(
        make_spec("https://news.example/b", every="6h"), now=clock.advance(minutes=1)
    )
    assert [w.id for w in store.due_watches(clock())] == [a.id, b.id]
    store.set_paused(a.id, True)
    assert [w.id for w in store.due_watches(clock())] == [b.id]
    assert store.next_due_at() == b.next_check_at


def test_lease_lets_one_owner_in(store: Store, clock: FixedClock) -> None:
    watch = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    until = clock() + timedelta(minutes=5)
    assert store.acquire_lease(watch.id, owner="w1", now=clock(), until=until)
    assert not store.acquire_lease(watch.id, owner="w2", now=clock(), until=until)
    assert store.acquire_lease(
        watch.id, owner="w2", now=until + timedelta(seconds=1), until=until + timedelta(minutes=5)
    )


def test_concurrent_writers_do_not_lose_checks(store: Store, clock: FixedClock) -> None:
    watches = [
        store.add_watch(make_spec(f"https://news.example/{i}", every="6h"), now=clock())
        for i in range(8)
    ]

    def write(watch_id: int) -> None:
        for n in range(10):
            store.save_check(
                CheckRecord(
                    watch_id=watch_id,
                    started_at=clock(),
                    duration_ms=1,
                    outcome="unchanged",
                    next_check_at=clock(),
                    bytes=n,
                )
            )

    assert _concurrently(write, [w.id for w in watches]) == []
    assert store.count("checks") == 80


def test_same_content_saved_concurrently_by_many_checks(store: Store, clock: FixedClock) -> None:
    """Syndicated copies land at once: content addressing must not fail any of them."""
    body = b"one syndicated article, served by many sites" * 50
    watches = [
        store.add_watch(make_spec(f"https://s{i}.example/a", every="6h"), now=clock())
        for i in range(8)
    ]

    def save(watch_id: int) -> None:
        store.save_check(
            CheckRecord(
                watch_id=watch_id,
                started_at=clock(),
                duration_ms=1,
                outcome="new",
                next_check_at=clock(),
                version=_version(body),
            )
        )

    assert _concurrently(save, [w.id for w in watches]) == []
    assert (store.count("snapshots"), store.count("blobs")) == (8, 1)


def test_latest_body_shas_read_in_bulk_match_one_by_one(store: Store, clock: FixedClock) -> None:
    specs = [make_spec(f"https://news.example/{x}", every="6h") for x in ("a", "b", "c")]
    a, b, c = store.add_watches(specs, now=clock())
    for watch, bodies in ((a, [b"first a", b"second a"]), (b, [b"only b"])):
        for body in bodies:
            store.save_check(
                CheckRecord(
                    watch_id=watch.id,
                    started_at=clock.advance(hours=1),
                    duration_ms=1,
                    outcome="changed",
                    next_check_at=clock(),
                    version=_version(body),
                )
            )
    shas = store.latest_body_shas([a.id, b.id, c.id])
    assert shas == {a.id: sha256(b"second a"), b.id: sha256(b"only b")}, "c has no version"
    assert all(store.latest_body_sha(w) == shas.get(w) for w in (a.id, b.id, c.id))
    assert store.latest_body_shas([]) == {}


def test_an_unchanged_check_that_cannot_be_saved_writes_nothing(
    store: Store, clock: FixedClock
) -> None:
    """The unchanged path's two statements are one transaction: the check row of a
    watch removed meanwhile is refused, says so, and the write leaves no trace."""
    watch = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    store.remove_watch(watch.id)
    with pytest.raises(WatchRemoved, match=f"watch #{watch.id} was removed"):
        store.save_check(
            CheckRecord(
                watch_id=watch.id,
                started_at=clock(),
                duration_ms=1,
                outcome="unchanged",
                next_check_at=clock(),
            )
        )
    assert store.count("checks") == 0


def test_checks_with_nothing_new_read_back_as_written(store: Store, clock: FixedClock) -> None:
    """An unchanged check and a failed one (the driver-level path on SQLite) store the
    values the general path would: the check row, the schedule, the failure state, and
    the validators unless the check failed."""
    watch = store.add_watch(make_spec("https://news.example/a", every="6h"), now=clock())
    started = clock.advance(minutes=1)
    unchanged_id = store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=started,
            duration_ms=12.5,
            outcome="unchanged",
            http_status=304,
            etag='"v1"',
            last_modified="Thu, 15 May 2025 08:00:00 GMT",
            next_check_at=started + timedelta(hours=6),
        )
    )
    after = store.get_watch(watch.id)
    assert (after.last_checked_at, after.next_check_at) == (started, started + timedelta(hours=6))
    assert (after.last_outcome, after.etag, after.last_modified) == (
        "unchanged",
        '"v1"',
        "Thu, 15 May 2025 08:00:00 GMT",
    )
    failed = clock.advance(hours=6)
    failed_id = store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=failed,
            duration_ms=3,
            outcome="error",
            http_status=503,
            failure_class="http_status",
            error="GET https://news.example/a answered HTTP 503",
            next_check_at=failed + timedelta(hours=12),
            consecutive_failures=1,
            failing_since=failed,
        )
    )
    assert failed_id > unchanged_id
    rows = store.checks(watch.id)
    assert [(r.id, r.outcome, r.http_status, r.duration_ms, r.started_at) for r in rows] == [
        (failed_id, "error", 503, 3.0, failed),
        (unchanged_id, "unchanged", 304, 12.5, started),
    ]
    assert rows[0].failure_class == "http_status" and rows[0].error is not None
    after = store.get_watch(watch.id)
    assert (after.consecutive_failures, after.failing_since, after.failure_notified) == (
        1,
        failed,
        False,
    )
    assert (after.last_outcome, after.last_failure_class) == ("error", "http_status")
    assert after.etag == '"v1"', "a failed check keeps the validators"


def test_history_holds_each_watchs_latest_checks_newest_first(
    store: Store, clock: FixedClock
) -> None:
    busy = store.add_watch(make_spec("https://news.example/busy", every="1h"), now=clock())
    quiet = store.add_watch(make_spec("https://news.example/quiet", every="1h"), now=clock())
    never = store.add_watch(make_spec("https://news.example/never", every="1h"), now=clock())
    saved: dict[int, list[int]] = {busy.id: [], quiet.id: []}
    for step in range(6):
        for watch, times in ((busy, 5), (quiet, 1)):
            if step >= times:
                continue
            clock.advance(seconds=60)
            record = CheckRecord(
                watch_id=watch.id,
                started_at=clock(),
                duration_ms=1,
                outcome="unchanged",
                next_check_at=clock(),
            )
            saved[watch.id].append(store.save_check(record))
    _watches, checks, _snapshots, _texts = store.history(check_limit=3, text_versions=1)
    assert [c.id for c in checks[busy.id]] == saved[busy.id][::-1][:3]
    assert [c.id for c in checks[quiet.id]] == saved[quiet.id]
    assert never.id not in checks


def test_a_pass_leases_its_watches_in_one_statement_and_a_dead_holder_is_overtaken(
    store: Store, clock: FixedClock
) -> None:
    a, b, c = (
        store.add_watch(make_spec(f"https://news.example/{n}", every="6h"), now=clock())
        for n in "abc"
    )
    until = clock() + timedelta(minutes=5)
    assert store.claim_watches([a, b], owner="h:1:pass", now=clock(), until=until) == {
        a.id: a,
        b.id: b,
    }
    assert store.claim_watches([a, b], owner="h:2:pass", now=clock(), until=until) == {}
    assert store.claim_watch(a, owner="h:2:check", now=clock(), until=until) is None
    # A process of this host that is gone (killed mid-check) holds no lease.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = lease_owner("9").replace(f":{os.getpid()}:", f":{gone.pid}:")
    assert store.claim_watches([c], owner=dead, now=clock(), until=until) == {c.id: c}
    assert store.claim_watches([c], owner=lease_owner("1"), now=clock(), until=until) == {}
    assert store.claim_watch(c, owner=lease_owner("1"), now=clock(), until=until) == c
    store.remove_watch(a.id)
    with pytest.raises(WatchRemoved):
        store.claim_watch(a, owner="h:3:check", now=clock(), until=until)
