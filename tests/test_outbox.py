"""Queued notifications: routed by tag, retried after a failure, never lost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from tests.conftest import FixedClock
from watcher.outbox import deliver_pending, retry_delay, targets
from watcher.records import CheckRecord, OutboxItem
from watcher.settings import Settings
from watcher.store import Store
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
