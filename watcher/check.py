"""Checking one watch: the one place where fetching, the pure steps and the store meet.

    fetch → same content as the latest snapshot? → article text and publication
    date → claims → diff against the previous claims (with the noise guard) →
    one transaction: snapshot, check, changes, notifications, schedule.

``check_watch`` never raises into its caller (the scheduler, a worker, the CLI)
for a failure of the page: it is recorded on the check and the watch, and the
next watch goes on. A failure of the database (locked, damaged) is not the
page's: it is raised as a StoreError and the watch's history is left as it was.

A check first leases its watch row, so a watch another check holds (another
``watcher check``, the service) is skipped, not checked and recorded twice; the
lease also hands back the watch as stored now, so the check compares against
what another process may have just saved.
"""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from watcher import notify
from watcher.analysis import analyse
from watcher.errors import CheckError, FetchError, StoreError, WatchRemoved
from watcher.fetch import Fetcher
from watcher.records import (
    CheckRecord,
    OutboxItem,
    WatchState,
    sha256,
)
from watcher.schedule import next_check_at
from watcher.settings import Settings
from watcher.store import Store, lease_owner

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# How long past the fetch's own bound a lease lasts: the analysis of a large page.
# A lease of a process that died on this host is taken over before then.
LEASE_MARGIN = timedelta(minutes=5)
_CHECK_NUMBERS = itertools.count(1)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What a check did, for the CLI, the service log and tests."""

    watch_id: int
    url: str
    name: str
    outcome: str  # new / changed / unchanged / error / skipped
    duration_ms: float
    http_status: int | None = None
    failure_class: str | None = None
    error: str | None = None
    changes: int = 0
    headline_changes: int = 0


def check_watch(
    watch: WatchState,
    *,
    fetcher: Fetcher,
    store: Store,
    settings: Settings,
    clock: Clock,
    rng: random.Random | None = None,
    known_shas: Mapping[int, str] | None = None,
    owner: str | None = None,
    leased: bool = False,
) -> CheckResult:
    """Check one watch now and record everything it found. Raises only StoreError.

    ``known_shas``: the latest stored body hash of watches (``Store.latest_body_shas``),
    read once for a pass with its watch list; without it the check reads its own.
    ``owner``: the lease owner (a worker's, which leased the watch already); by
    default one of its own. A watch leased by another check is ``skipped``.
    ``leased``: the caller leased the watch under ``owner`` (a pass leases its
    watches in batches) and ``watch`` is its state as stored since."""
    rng = rng or random.Random()
    started_at = clock()
    t0 = time.perf_counter()
    owner = owner or lease_owner(str(next(_CHECK_NUMBERS)))
    until = started_at + timedelta(seconds=settings.total_timeout) + LEASE_MARGIN
    try:
        if leased:
            current: WatchState | None = watch
        else:
            current = store.claim_watch(watch, owner=owner, now=started_at, until=until)
        if current is None:
            log.info("%s: skipped, another check of it is running", watch.url)
            return CheckResult(
                watch.id,
                watch.url,
                watch.name,
                "skipped",
                _ms(t0),
                error="another check of this watch is running",
            )
        if current is not watch:  # checked (or edited) since the caller read it
            watch, known_shas = current, None
        return _check(
            watch,
            fetcher=fetcher,
            store=store,
            settings=settings,
            started_at=started_at,
            t0=t0,
            rng=rng,
            known_shas=known_shas,
        )
    except WatchRemoved:
        return _removed(watch, t0)
    except StoreError:
        raise  # the database's failure, not the page's: nothing is recorded
    except Exception as exc:
        if isinstance(exc, CheckError):
            error = exc
        else:  # a bug: record it on the watch, keep the service up
            log.exception("internal error checking %s", watch.url)
            error = CheckError(f"internal error checking {watch.url}: {exc!r}")
        try:
            return _record_failure(
                watch, error, store=store, settings=settings, started_at=started_at, t0=t0, rng=rng
            )
        except WatchRemoved:
            return _removed(watch, t0)
        except StoreError:
            raise
        except Exception:
            if error is exc:
                raise  # recording a page's failure failed: a bug of the store, not hidden
            log.exception("could not record the failure of %s", watch.url)
            return CheckResult(
                watch.id,
                watch.url,
                watch.name,
                "error",
                _ms(t0),
                failure_class="internal",
                error=str(error),
            )


def _removed(watch: WatchState, t0: float) -> CheckResult:
    log.warning("watch #%d was removed during its check; result dropped", watch.id)
    return CheckResult(
        watch.id, watch.url, watch.name, "skipped", _ms(t0), error="the watch was removed"
    )


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


def _check(
    watch: WatchState,
    *,
    fetcher: Fetcher,
    store: Store,
    settings: Settings,
    started_at: datetime,
    t0: float,
    rng: random.Random,
    known_shas: Mapping[int, str] | None,
) -> CheckResult:
    # Only the content address here: most checks find the page unchanged, and the
    # full snapshot (with its claims) is needed only when it did change.
    if known_shas is None:
        previous_sha = store.latest_body_sha(watch.id)
    else:
        previous_sha = known_shas.get(watch.id)
    # Without a stored version there is nothing a 304 could point back to.
    fetched = fetcher.fetch(
        watch.url,
        etag=watch.etag if previous_sha else None,
        last_modified=watch.last_modified if previous_sha else None,
        obey_robots=watch.obey_robots and settings.obey_robots,
    )
    notifications = list(_recovery_notice(watch))
    # A success resets the failure state (CheckRecord's defaults) and the backoff.
    next_at = next_check_at(
        started_at,
        every_seconds=watch.every_seconds,
        consecutive_failures=0,
        backoff_max_seconds=settings.backoff_max_seconds,
        jitter=settings.jitter,
        rng=rng,
    )
    unchanged = fetched.not_modified or (
        previous_sha is not None and previous_sha == sha256(fetched.body)
    )
    if unchanged:
        store.save_check(
            CheckRecord(
                watch_id=watch.id,
                started_at=started_at,
                duration_ms=_ms(t0),
                outcome="unchanged",
                http_status=fetched.status,
                bytes=len(fetched.body),
                etag=fetched.etag or watch.etag,
                last_modified=fetched.last_modified or watch.last_modified,
                notifications=notifications,
                next_check_at=next_at,
            )
        )
        log.info("%s: unchanged (%s, %.0f ms)", watch.url, fetched.status, _ms(t0))
        return CheckResult(watch.id, watch.url, watch.name, "unchanged", _ms(t0), fetched.status)

    previous = store.latest_snapshot(watch.id) if previous_sha else None
    analysis = analyse(
        fetched,
        selector=watch.selector,
        previous=previous,
        recent_fingerprints=store.recent_fingerprints(watch.id, settings.noise_memory),
        fetched_at=started_at,
    )
    outcome = "new" if previous is None else "changed"
    headline = [c for c in analysis.changes if c.headline]
    if headline and previous is not None:
        title, body = notify.format_headline_notification(
            [c.claim_change() for c in headline], source=watch.name, url=watch.url
        )
        notifications.append(OutboxItem(event="headline", title=title, body=body, tags=watch.tags))
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=started_at,
            duration_ms=_ms(t0),
            outcome=outcome,
            http_status=fetched.status,
            bytes=len(fetched.body),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            version=analysis.version,
            changes=analysis.changes,
            notifications=notifications,
            next_check_at=next_at,
        )
    )
    log.info(
        "%s: %s, %d claims, %d changes%s (%.0f ms)",
        watch.url,
        outcome,
        len(analysis.version.claims),
        len(analysis.changes),
        " (flip back to a recent version: not raised again)" if analysis.suppressed else "",
        _ms(t0),
    )
    return CheckResult(
        watch.id,
        watch.url,
        watch.name,
        outcome,
        _ms(t0),
        fetched.status,
        changes=len(analysis.changes),
        headline_changes=len(headline),
    )


def _recovery_notice(watch: WatchState) -> list[OutboxItem]:
    if not watch.failure_notified:
        return []
    return [
        OutboxItem(
            event="recovered",
            title=f"watcher: {watch.name} works again",
            body=f"{watch.url} answered normally after {watch.consecutive_failures} failed checks.",
            tags=watch.tags,
        )
    ]


def _record_failure(
    watch: WatchState,
    exc: CheckError,
    *,
    store: Store,
    settings: Settings,
    started_at: datetime,
    t0: float,
    rng: random.Random,
) -> CheckResult:
    failures = watch.consecutive_failures + 1
    failing_since = watch.failing_since or started_at
    notifications: list[OutboxItem] = []
    notified = watch.failure_notified
    if failures >= settings.failure_threshold and not notified:
        notified = True
        notifications.append(
            OutboxItem(
                event="failing",
                title=f"watcher: {watch.name} is failing",
                body=(
                    f"{watch.url} failed {failures} checks in a row since "
                    f"{failing_since:%Y-%m-%d %H:%M} UTC. Last error: {exc}"
                ),
                tags=watch.tags,
            )
        )
    store.save_check(
        CheckRecord(
            watch_id=watch.id,
            started_at=started_at,
            duration_ms=_ms(t0),
            outcome="error",
            http_status=exc.http_status,
            failure_class=exc.failure_class,
            error=str(exc),
            next_check_at=next_check_at(
                started_at,
                every_seconds=watch.every_seconds,
                consecutive_failures=failures,
                backoff_max_seconds=settings.backoff_max_seconds,
                jitter=settings.jitter,
                rng=rng,
                retry_after=exc.retry_after,
            ),
            consecutive_failures=failures,
            failing_since=failing_since,
            failure_notified=notified,
            notifications=notifications,
        )
    )
    # The fetcher already logged its own failures; say the rest once here.
    level = logging.INFO if isinstance(exc, FetchError) else logging.WARNING
    log.log(level, "%s: %s: %s", watch.url, exc.failure_class, exc)
    return CheckResult(
        watch.id,
        watch.url,
        watch.name,
        "error",
        _ms(t0),
        exc.http_status,
        failure_class=exc.failure_class,
        error=str(exc),
    )
