"""Queued notifications: routed by tag, retried after a failure, never lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import text

from tests.conftest import FixedClock
from tests.test_blobs import _alembic
from watcher.outbox import deliver_pending, fingerprint, retry_delay, targets
from watcher.records import CheckRecord, OutboxItem
from watcher.settings import Settings
from watcher.store import Store, make_engine, migrate
from watcher.watchlist import make_spec


def _queue(store: Store, clock: FixedClock, tags: tuple[str, ...]) -> None:
    watch = store.add_watch(
        make_spec("https://news.example/a", every="6h", tags=list(tags)), now=clock()
    )
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=clock(),
            duration_ms=1,
            outcome="unchanged",
            next_check_at=clock(),
            notifications=[OutboxItem(event="headline", title="date moved", body="b", tags=tags)],
        )
    )


def test_targets_join_global_and_tag_urls_without_repeats(settings: Settings) -> None:
    configured = replace(
        settings, notify_urls=("json://a/",), notify_tags={"tv": ("json://b/", "json://a/")}
    )
    item = OutboxItem(event="headline", title="t", body="b", tags=("tv", "film"))
    assert targets(item, configured) == ["json://a/", "json://b/"]


def test_failed_send_is_kept_and_retried(
    store: Store, settings: Settings, clock: FixedClock
) -> None:
    configured = replace(settings, notify_tags={"tv": ("json://127.0.0.1:9/",)})
    _queue(store, clock, ("tv",))
    sent: list[tuple[Sequence[str], str]] = []
    failures = iter([RuntimeError("connection refused")])

    def send(urls: Sequence[str], title: str, body: str) -> None:
        error = next(failures, None)
        if error:
            raise error
        sent.append((urls, title))

    assert deliver_pending(store, configured, now=clock(), send=send) == 0
    assert deliver_pending(store, configured, now=clock(), send=send) == 0, "not before its retry"
    clock.advance(seconds=retry_delay(0).total_seconds())
    assert deliver_pending(store, configured, now=clock(), send=send) == 1
    assert sent == [(["json://127.0.0.1:9/"], "date moved")]
    assert store.pending_notifications(clock() + timedelta(days=1)) == []


def test_unrouted_notifications_are_settled(
    store: Store, settings: Settings, clock: FixedClock
) -> None:
    _queue(store, clock, ("nobody-listens",))

    def send(urls: Sequence[str], title: str, body: str) -> None:
        raise AssertionError("nothing is configured, nothing is sent")

    assert deliver_pending(store, settings, now=clock(), send=send) == 0
    assert store.pending_notifications(clock()) == []


def test_retry_delay_grows_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(20)]
    assert delays == sorted(delays)
    assert delays[0] == timedelta(minutes=1)
    assert delays[-1] == timedelta(hours=6)


def test_a_retry_goes_only_to_the_targets_that_failed(
    store: Store, settings: Settings, clock: FixedClock
) -> None:
    good, flaky = "json://127.0.0.1:9/good", "json://127.0.0.1:9/flaky?token=secret"
    configured = replace(settings, notify_urls=(good, flaky))
    _queue(store, clock, ())
    sent: list[str] = []
    flaky_fails = iter([True])

    def send(urls: Sequence[str], title: str, body: str) -> None:
        (url,) = urls  # one target at a time, so one failure names one target
        if url == flaky and next(flaky_fails, False):
            raise RuntimeError("connection refused")
        sent.append(url)

    assert deliver_pending(store, configured, now=clock(), send=send) == 0
    assert sent == [good]
    (kept,) = store.pending_notifications(clock() + timedelta(days=1))
    assert kept.delivered_to == (fingerprint(good),)
    assert "secret" not in repr(kept), "the outbox keeps fingerprints, not tokens"
    clock.advance(seconds=retry_delay(0).total_seconds())
    assert deliver_pending(store, configured, now=clock(), send=send) == 1
    assert sent == [good, flaky], "the target that had it already is not sent it again"
    assert store.pending_notifications(clock() + timedelta(days=1)) == []


def test_notifications_queued_before_the_upgrade_are_delivered(
    db_url: str, settings: Settings, clock: FixedClock
) -> None:
    engine = make_engine(db_url)
    try:
        _alembic(engine, "upgrade", "0002")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO outbox (created_at, event, tags, title, body, attempts, "
                    "next_attempt_at) VALUES (:at, 'headline', '[]', 'old', 'b', 1, :at)"
                ),
                {"at": clock()},
            )
        migrate(engine)
        store = Store(engine)
        (old,) = store.pending_notifications(clock())
        assert old.delivered_to == ()
        configured = replace(settings, notify_urls=("json://127.0.0.1:9/",))
        sent: list[Sequence[str]] = []
        assert (
            deliver_pending(store, configured, now=clock(), send=lambda u, t, b: sent.append(u))
            == 1
        )
        assert sent == [["json://127.0.0.1:9/"]]
        _alembic(engine, "downgrade", "0002")
    finally:
        engine.dispose()
