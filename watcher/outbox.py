"""Delivering queued notifications; a failure is kept and retried later, never lost."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from watcher.records import OutboxItem
from watcher.settings import Settings
from watcher.store import Store

log = logging.getLogger(__name__)

Sender = Callable[[Sequence[str], str, str], None]
MAX_RETRY_DELAY = timedelta(hours=6)


def targets(item: OutboxItem, settings: Settings) -> list[str]:
    """The global URLs plus those of each of the watch's tags, without repeats."""
    urls = list(settings.notify_urls)
    for tag in item.tags:
        urls.extend(settings.notify_tags.get(tag, ()))
    return list(dict.fromkeys(urls))


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** min(attempts, 16)), MAX_RETRY_DELAY)


def fingerprint(url: str) -> str:
    """What the outbox keeps of a target it reached: not the URL, which holds tokens."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def deliver_pending(store: Store, settings: Settings, *, now: datetime, send: Sender) -> int:
    """Send what is due, to each target that does not have it yet; returns how many
    notifications were settled by reaching all their targets."""
    sent = 0
    for item in store.pending_notifications(now):
        # A retry goes only to the targets that failed before.
        urls = [u for u in targets(item, settings) if fingerprint(u) not in item.delivered_to]
        reached: list[str] = []
        errors: list[str] = []
        for url in urls:
            try:
                send([url], item.title, item.body)
            except Exception as exc:  # any failure of any notifier: keep it and retry
                errors.append(str(exc))
            else:
                reached.append(fingerprint(url))
        if errors:
            retry_at = now + retry_delay(item.attempts)
            error = "; ".join(errors)
            log.warning("notification %d failed (%s); retrying at %s", item.id, error, retry_at)
            store.mark_notification(
                item.id, now=now, error=error, retry_at=retry_at, delivered_to=reached
            )
            continue
        # Delivered everywhere, or nothing is configured for it: settle it so the
        # outbox does not grow forever.
        store.mark_notification(item.id, now=now, error=None, delivered_to=reached)
        sent += 1 if urls else 0
    return sent
