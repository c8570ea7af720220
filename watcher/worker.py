"""Scaled mode: several ``watcher worker`` processes sharing PostgreSQL through procrastinate.

procrastinate is a PostgreSQL task queue (LISTEN/NOTIFY to wake workers,
``SELECT … FOR UPDATE SKIP LOCKED`` to hand each job to one of them). Three
tasks:

``watcher.defer_due`` (every minute, and once when a worker starts)
    defers one ``watcher.check`` job per due watch. Its *queueing lock*
    ``watch:<id>`` keeps at most one pending check per watch, however many
    workers run the deferrer. Its *lock* ``host:<host>:<slot>`` (slot = id mod
    ``per_host_concurrency``) lets at most ``per_host_concurrency`` checks of one
    host run at once across the whole cluster: that is what politeness means
    when several machines share a watch list.
``watcher.check``
    runs the same ``check_watch`` as ``watcher run``. It first takes a lease on
    the watch row and re-reads whether the watch is still due, so a duplicate
    delivery (a job retried after its worker stalled, or deferred again while
    the first ran) does nothing.
``watcher.retry_stalled`` (every five minutes)
    puts back jobs whose worker stopped sending heartbeats (killed, lost).

Everything procrastinate is imported here only: SQLite users never need it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from watcher.errors import ConfigError, WatchNotFound
from watcher.runtime import Runtime

log = logging.getLogger(__name__)

QUEUE = "checks"
STALLED_AFTER_SECONDS = 120  # no heartbeat for this long: the job's worker is gone
LEASE_MARGIN = timedelta(seconds=60)
SCHEMA_LOCK = 0x77617463  # "watc": the advisory lock id for creating the queue schema


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            f"scaled mode needs PostgreSQL; the database is {url.get_backend_name()} "
            "(set --db or WATCHER_DATABASE_URL to a postgresql+psycopg:// URL)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def host_lock(url: str, watch_id: int, slots: int) -> str:
    """The job lock that bounds concurrent checks of one host cluster-wide.

    The host is keyed as the fetcher's politeness keys it (the URL's host[:port])."""
    host = httpx.URL(url).netloc.decode("ascii")
    return f"host:{host}:{watch_id % max(1, slots)}"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_check_job(runtime: Runtime, watch_id: int, *, owner: str) -> str:
    """Check one watch unless it is gone, paused, no longer due or leased elsewhere."""
    store = runtime.store
    try:
        watch = store.get_watch(watch_id)
    except WatchNotFound:
        return "gone"
    now = runtime.clock()
    if watch.paused or watch.next_check_at > now:
        return "not due"
    until = now + timedelta(seconds=runtime.settings.total_timeout) + LEASE_MARGIN
    if not store.acquire_lease(watch_id, owner=owner, now=now, until=until):
        return "leased"
    return runtime.check(watch, owner=owner).outcome


@dataclass(frozen=True)
class Cluster:
    """A procrastinate app with watcher's tasks, and the deferrer to run at start."""

    app: Any
    defer_due: Callable[[], Awaitable[int]]


def make_cluster(runtime: Runtime, *, owner: str) -> Cluster:
    """The procrastinate app with watcher's three tasks bound to ``runtime``."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(runtime.settings.db_url))
    )

    @app.task(name="watcher.check", queue=QUEUE, retry=2)
    def check(watch_id: int) -> str:
        outcome = run_check_job(runtime, watch_id, owner=owner)
        log.info("watch %d: %s", watch_id, outcome)
        return outcome

    async def defer_due() -> int:
        due = await asyncio.to_thread(runtime.store.due_watches, runtime.clock(), limit=5000)
        slots = runtime.settings.per_host_concurrency
        deferred = 0
        for watch in due:
            try:
                await check.configure(
                    queueing_lock=f"watch:{watch.id}",
                    lock=host_lock(watch.url, watch.id, slots),
                ).defer_async(watch_id=watch.id)
                deferred += 1
            except procrastinate.exceptions.AlreadyEnqueued:
                pass  # a check of this watch is already waiting
        log.info("deferred %d of %d due watches", deferred, len(due))
        return deferred

    @app.periodic(cron="* * * * *", periodic_id="defer_due")
    @app.task(name="watcher.defer_due", queue="schedule", queueing_lock="defer_due")
    async def defer_due_task(timestamp: int) -> int:
        return await defer_due()

    @app.periodic(cron="*/5 * * * *", periodic_id="retry_stalled")
    @app.task(name="watcher.retry_stalled", queue="schedule", queueing_lock="retry_stalled")
    async def retry_stalled(timestamp: int) -> int:
        stalled = list(
            await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS)
        )
        for job in stalled:
            log.warning("retrying stalled job %s (%s)", job.id, job.task_name)
            await app.job_manager.retry_job(job)
        return len(stalled)

    return Cluster(app=app, defer_due=defer_due)


def apply_queue_schema(database_url: str) -> None:
    """Create procrastinate's tables unless they exist (``watcher migrate``, worker start).

    Workers starting together would race to create them: an advisory lock makes
    the check-and-create one step across the cluster."""
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        try:
            row = conn.execute("select to_regclass('procrastinate_jobs') is not null").fetchone()
            if not (row and row[0]):
                conn.execute(SchemaManager.get_schema())
        finally:
            conn.execute("select pg_advisory_unlock(%s)", (SCHEMA_LOCK,))


def run_worker(runtime: Runtime, *, concurrency: int) -> None:
    """Run one worker until SIGINT or SIGTERM."""
    apply_queue_schema(runtime.settings.db_url)
    owner = worker_name()
    cluster = make_cluster(runtime, owner=owner)

    async def main() -> None:
        async with cluster.app.open_async():
            await cluster.defer_due()  # do not wait for the first periodic minute
            await cluster.app.run_worker_async(
                name=owner,
                concurrency=concurrency,
                queues=[QUEUE, "schedule"],
                install_signal_handlers=True,
                delete_jobs="successful",
            )

    log.info("worker %s starting (concurrency %d)", owner, concurrency)
    asyncio.run(main())
    log.info("worker %s stopped", owner)
