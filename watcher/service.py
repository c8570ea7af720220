"""``watcher run``: APScheduler wired to ``check_watch``, signals, clean shutdown.

The schedule lives in the watches table (next check time, backoff), so a
restart resumes where it stopped. APScheduler runs three in-process jobs with a
memory job store (a 3.x job store must never be shared between processes):
``tick`` hands due watches to a bounded pool, ``publish`` rewrites the digest
after checks that found changes, ``deliver`` sends queued notifications.
"""

from __future__ import annotations

import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor as JobExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from watcher.errors import StoreError, WatcherError
from watcher.outbox import deliver_pending
from watcher.records import WatchState
from watcher.runtime import Runtime

log = logging.getLogger(__name__)

# Seconds a delivery round waits for its sends (it goes on in the background), and
# how long a stopping service gives a send in flight before leaving it.
DELIVERY_WAIT = 120.0
DELIVERY_GRACE = 5.0


class Service:
    """The long-running loop of one process; :meth:`stop` may be called from any thread."""

    def __init__(self, runtime: Runtime, *, tick_seconds: float = 15.0) -> None:
        self.runtime = runtime
        self.tick_seconds = tick_seconds
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: set[int] = set()
        self._changes_since_publish = 0
        self._delivery: threading.Thread | None = None
        settings = runtime.settings
        self._pool = ThreadPoolExecutor(
            max_workers=settings.max_concurrent_checks, thread_name_prefix="check"
        )
        self._scheduler = BackgroundScheduler(
            executors={"default": JobExecutor(3)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": settings.misfire_grace_seconds,
            },
            timezone=UTC,
        )

    def tick(self) -> int:
        """Hand the due watches that are not already in flight to the pool."""
        if self._stopping.is_set():
            return 0
        runtime = self.runtime
        capacity = runtime.settings.max_concurrent_checks * 4
        try:
            due = runtime.store.due_watches(runtime.clock(), limit=capacity)
        except StoreError as exc:
            log.error("no checks this tick: %s", exc)
            return 0
        submitted = 0
        for watch in due:
            with self._lock:
                if watch.id in self._in_flight or self._stopping.is_set():
                    continue
                self._in_flight.add(watch.id)
            self._pool.submit(self._check_one, watch)
            submitted += 1
        return submitted

    def _check_one(self, watch: WatchState) -> None:
        try:
            if self._stopping.is_set():
                return  # queued before the stop: leave it due for the next start
            try:
                result = self.runtime.check(watch)
            except StoreError as exc:
                # The database's failure, not the page's: the watch stays due as it was.
                log.error("%s not checked: %s", watch.url, exc)
                return
            if result.changes:
                with self._lock:
                    self._changes_since_publish += result.changes
        finally:
            with self._lock:
                self._in_flight.discard(watch.id)

    def publish(self) -> None:
        """Rewrite the digest when checks found changes since the last time."""
        with self._lock:
            pending, self._changes_since_publish = self._changes_since_publish, 0
        if not pending:
            return
        from watcher.publish import write_digest

        settings = self.runtime.settings
        # The service rewrites the digest after every run with changes, so "since the
        # previous digest" would show only the last run: show a rolling window instead.
        since = self.runtime.clock() - timedelta(seconds=settings.digest_window_seconds)
        try:
            index = write_digest(self.runtime, out_dir=settings.digest_path, since=since)
            log.info("digest updated (%d changes): %s", pending, index)
        except Exception as exc:
            if isinstance(exc, WatcherError):  # said in its message: no traceback
                log.error("could not write the digest (%s); will try again later", exc)
            else:
                log.exception("could not write the digest; will try again after the next changes")
            with self._lock:
                self._changes_since_publish += pending

    def deliver(self) -> None:
        """Send queued notifications, in a daemon thread of their own.

        A target that never finishes its answer (a byte now and then) would hold a
        worker thread for ever, and with it the process at exit. The send runs in
        a daemon thread: this job waits for it until the service stops (or
        DELIVERY_WAIT), and while it is still running no second one starts. An item
        whose send did not finish was not marked sent: it stays in the outbox."""
        if self._delivery is not None and self._delivery.is_alive():
            log.warning("a notification target is still answering; this delivery round waits")
            return
        finished = threading.Event()
        thread = threading.Thread(
            target=self._deliver_now, args=(finished,), name="deliver", daemon=True
        )
        self._delivery = thread
        thread.start()
        waited = 0.0
        while not finished.wait(0.2):
            waited += 0.2
            if self._stopping.is_set() or waited >= DELIVERY_WAIT:
                return

    def _deliver_now(self, finished: threading.Event) -> None:
        from watcher.notify import send

        runtime = self.runtime
        try:
            deliver_pending(runtime.store, runtime.settings, now=runtime.clock(), send=send)
        except StoreError as exc:
            log.error("notification delivery failed (%s); queued items are kept", exc)
        except Exception:
            log.exception("notification delivery failed; queued items are kept")
        finally:
            finished.set()

    def start(self) -> None:
        now = self.runtime.clock()
        self._scheduler.add_job(self.tick, "interval", seconds=self.tick_seconds, next_run_time=now)
        self._scheduler.add_job(
            self.publish, "interval", seconds=60, next_run_time=now + timedelta(seconds=5)
        )
        self._scheduler.add_job(
            self.deliver, "interval", seconds=60, next_run_time=now + timedelta(seconds=10)
        )
        self._scheduler.start()
        log.info("watcher service started: %d watches", len(self.runtime.store.list_watches()))

    def stop(self) -> None:
        """No new checks; in-flight ones finish (each is bounded by the fetch timeouts)."""
        self._stopping.set()

    def wait(self) -> None:
        self._stopping.wait()
        log.info("stopping: waiting for %d checks in flight", len(self._in_flight))
        self._scheduler.shutdown(wait=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        delivery = self._delivery
        if delivery is not None and delivery.is_alive():
            delivery.join(timeout=DELIVERY_GRACE)
            if delivery.is_alive():
                log.warning(
                    "a notification target did not finish answering; the notification "
                    "stays in the outbox and is sent again at the next start"
                )
        self.publish()
        log.info("watcher service stopped")


def serve(runtime: Runtime) -> None:
    """Run until SIGINT or SIGTERM."""
    service = Service(runtime, tick_seconds=runtime.settings.tick_seconds)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        service.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    service.start()
    service.wait()
