"""Delivering queued notifications; a failure is kept and retried later, never lost."""

from __future__ import annotations

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


def deliver_pending(store: Store, settings: Settings, *, now: datetime, send: Sender) -> int:
    """Send what is due; returns how many were sent."""
    sent = 0
    for item in store.pending_notifications(now):
        urls = targets(item, settings)
        if not urls:
            # Nothing configured for it: settle it so the outbox does not grow forever.
            store.mark_notification(item.id, now=now, error=None)
            continue
        try:
            send(urls, item.title, item.body)
        except Exception as exc:  # any failure of any notifier: keep it and retry
            retry_at = now + retry_delay(item.attempts)
            log.warning("notification %d failed (%s); retrying at %s", item.id, exc, retry_at)
            store.mark_notification(item.id, now=now, error=str(exc), retry_at=retry_at)
            continue
        store.mark_notification(item.id, now=now, error=None)
        sent += 1
    return sent
