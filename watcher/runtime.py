"""What a running watcher holds: settings, the store, one fetcher and a clock.

The CLI, the service and the workers all build one :class:`Runtime` and run
passes of checks through it, so they share one code path.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import random
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from watcher import lanes
from watcher.check import LEASE_MARGIN, CheckResult, Clock, check_watch
from watcher.extract import load_html_tools
from watcher.fetch import Fetcher, FetchSettings
from watcher.fixtures import FixtureTransport
from watcher.records import WatchState
from watcher.settings import Settings
from watcher.store import Store, lease_owner

log = logging.getLogger(__name__)
_PASSES = itertools.count(1)


def lease_batch(threads: int) -> int:
    """How many watches a pass leases in one statement: enough that leasing costs
    little per check (a lease and a read of stored hashes per batch), few enough
    that a batch's last check starts soon after its lease was taken."""
    return max(64, 4 * threads)


def system_clock() -> datetime:
    return datetime.now(UTC)


def fetch_settings(settings: Settings) -> FetchSettings:
    return FetchSettings(
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.total_timeout,
        max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects,
        user_agent=settings.user_agent,
        per_host_concurrency=settings.per_host_concurrency,
        per_host_delay=settings.per_host_delay,
        obey_robots=settings.obey_robots,
    )


@dataclass
class Runtime:
    """Settings, store, fetcher and clock of one process. Close it when done."""

    settings: Settings
    store: Store
    fetcher: Fetcher
    clock: Clock = system_clock
    rng: random.Random = field(default_factory=random.Random)
    transport: httpx.BaseTransport | None = None
    # A transport handed in (a test's, the demo's) has state other processes cannot share.
    transport_from_caller: bool = False

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = system_clock,
        migrate_schema: bool = True,
    ) -> Runtime:
        """Open the store (migrating it, unless told it is migrated) and build the one
        HTTP client. In fixture mode the transport serves the bundled snapshots."""
        from_caller = transport is not None
        fetching = fetch_settings(settings)
        if settings.fixtures:
            transport = transport or FixtureTransport()
            # No real host is contacted: politeness delays would only slow things down.
            fetching = replace(fetching, per_host_delay=0.0)
        # Only the default home's folder is made; a folder named in a URL must exist.
        store = Store.open(
            settings.db_url,
            migrate_schema=migrate_schema,
            lock_timeout=settings.lock_timeout,
            create_folder=not settings.database_url,
        )
        fetcher = Fetcher(fetching, transport=transport)
        return cls(
            settings=settings,
            store=store,
            fetcher=fetcher,
            clock=clock,
            transport=transport,
            transport_from_caller=from_caller,
        )

    def close(self) -> None:
        self.fetcher.close()
        self.store.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def check(
        self,
        watch: WatchState,
        *,
        known_shas: Mapping[int, str] | None = None,
        fetcher: Fetcher | None = None,
        owner: str | None = None,
        leased: bool = False,
    ) -> CheckResult:
        """Check one watch (``fetcher``: another than the runtime's, as a lane's;
        ``owner``: the lease owner, when the caller leased the watch already, and
        ``leased`` when ``watch`` is its state as stored since)."""
        return check_watch(
            watch,
            fetcher=fetcher or self.fetcher,
            store=self.store,
            settings=self.settings,
            clock=self.clock,
            rng=self.rng,
            known_shas=known_shas,
            owner=owner,
            leased=leased,
        )

    def check_many(
        self,
        watches: Sequence[WatchState],
        *,
        on_result: Callable[[CheckResult], None] | None = None,
    ) -> list[CheckResult]:
        """Check several watches concurrently; one bad watch never stops the others.

        Threads overlap waiting on servers; a check is otherwise CPU-bound Python, so
        a large pass is spread over processes (``check_processes``; 0 is one per
        core, started once the pass has pages to analyse) that write to the same
        database, per-host politeness kept (``watcher.lanes``). A transport handed in
        by the caller keeps its checks in this process, since its state (a test's
        server, the demo's round) cannot be shared."""
        watches = list({w.id: w for w in watches}.values())  # each watch once
        processes = lanes.processes_for(self.settings, len(watches))
        if processes > 1 and not self.transport_from_caller:
            # Auto mode starts the children only when the pass shows work for them.
            on_demand = self.settings.check_processes == 0
            results = self._check_in_lanes(watches, processes, on_result, on_demand=on_demand)
        else:
            results = self._check_in_threads(watches, on_result)
        order = {w.id: i for i, w in enumerate(watches)}
        results.sort(key=lambda r: order.get(r.watch_id, 0))
        return results

    def _check_in_threads(
        self,
        watches: Sequence[WatchState],
        on_result: Callable[[CheckResult], None] | None,
    ) -> list[CheckResult]:
        results: list[CheckResult] = []
        workers = max(1, min(self.settings.max_concurrent_checks, len(watches)))
        waiting = deque(watches)
        owner = lease_owner(f"pass-{next(_PASSES)}")
        shas: dict[int, str] = {}
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool:
            running: set[Future[CheckResult]] = set()
            while waiting or running:
                # Leased a batch at a time, topped up while a batch's worth still runs:
                # the threads never idle, and no lease waits long for its check.
                if waiting and len(running) <= workers:
                    batch = [
                        waiting.popleft() for _ in range(min(lease_batch(workers), len(waiting)))
                    ]
                    running.update(self._submit_leased(pool, batch, owner, shas, None, workers))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()  # check_watch raises only StoreError
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
        return results

    def _submit_leased(
        self,
        pool: ThreadPoolExecutor,
        batch: Sequence[WatchState],
        owner: str,
        shas: dict[int, str],
        fetcher: Fetcher | None,
        threads: int,
    ) -> list[Future[CheckResult]]:
        """Lease ``batch`` in one statement and submit its checks. A watch another check
        holds (or removed, or held by a process that died) goes through the check's own
        lease, which says which."""
        now = self.clock()
        # The last of the batch starts after the batches before it: a few fetches' time.
        rounds = 1 + -(-len(batch) // max(1, threads)) + 1
        until = now + timedelta(seconds=self.settings.total_timeout) * rounds + LEASE_MARGIN
        leased = self.store.claim_watches(batch, owner=owner, now=now, until=until)
        # Read once they are leased: no other check can store a version of them now.
        shas.update(self.store.latest_body_shas(leased))
        futures = []
        for watch in batch:
            current = leased.get(watch.id)
            if current is None:
                futures.append(pool.submit(self.check, watch, fetcher=fetcher))
            else:
                futures.append(
                    pool.submit(
                        self.check,
                        current,
                        known_shas=shas,
                        fetcher=fetcher,
                        owner=owner,
                        leased=True,
                    )
                )
        return futures

    def _check_in_lanes(
        self,
        watches: Sequence[WatchState],
        processes: int,
        on_result: Callable[[CheckResult], None] | None,
        *,
        on_demand: bool = False,
    ) -> list[CheckResult]:
        """This process and ``processes - 1`` children take chunks of the pass as they
        free up; the children get chunks only once they are up.

        ``on_demand`` (auto mode): the children are started only once
        ``lanes.children_pay`` says the pass has work for them; until then this process
        checks alone, as a single process would (the pass's threads, the runtime's
        fetcher)."""
        fetching = self.fetcher.settings
        planned = lanes.plan(
            watches,
            processes,
            per_host_delay=fetching.per_host_delay,
            per_host_concurrency=fetching.per_host_concurrency,
        )
        # The lanes share the checks in flight as they share each host: the setting
        # bounds the pass, not each process (fewer threads also contend less for a GIL).
        threads = max(1, -(-self.settings.max_concurrent_checks // processes))
        lane_settings = replace(
            self.settings,
            per_host_concurrency=planned.per_host_concurrency,
            max_concurrent_checks=threads,
        )
        own: Fetcher | None = None

        def own_fetcher() -> Fetcher | None:
            # Built with the children (an HTTP client is ~20 ms of TLS set-up): hosts
            # split over the lanes, this lane holds only its share of each.
            nonlocal own
            if own is None and planned.per_host_concurrency != fetching.per_host_concurrency:
                share = replace(fetching, per_host_concurrency=planned.per_host_concurrency)
                own = Fetcher(share, transport=self.transport)
            return own

        shas: dict[int, str] = {}  # of the chunks this lane took
        owner = lease_owner(f"pass-{next(_PASSES)}")
        results: list[CheckResult] = []
        analysed = 0  # new or changed pages among the results

        def collect(result: CheckResult) -> None:
            nonlocal analysed
            results.append(result)
            analysed += result.outcome in ("new", "changed")
            if on_result is not None:
                on_result(result)

        pending = deque(planned.chunks)
        queued: deque[WatchState] = deque()  # this lane's current chunk
        local: set[Future[CheckResult]] = set()
        # Checks started while this lane was alone hold the whole pass's share of each
        # host and of the checks in flight: no child gets a chunk before they are done.
        alone: set[Future[CheckResult]] = set()
        remote: dict[Future[list[CheckResult]], tuple[WatchState, ...]] = {}
        pool: ProcessPoolExecutor | None = None
        starting: set[Future[Any]] = set()
        children_up = broken = False
        solo = on_demand
        lane_threads = self.settings.max_concurrent_checks if solo else threads
        lane_fetcher = None if solo else own_fetcher()  # None: the runtime's
        thread_pools = [ThreadPoolExecutor(max_workers=lane_threads, thread_name_prefix="check")]

        def start_children() -> None:
            nonlocal pool, starting
            # spawn, not fork: this process has threads (deadlines, pools) a fork would
            # copy mid-state.
            pool = ProcessPoolExecutor(
                max_workers=processes - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_open_child,
                initargs=(lane_settings,),
            )
            starting = {pool.submit(_child_ready) for _ in range(processes - 1)}

        try:
            if not solo:
                start_children()
            while True:
                # Topped up a batch at a time (leased together) once half have finished.
                while len(local) <= lane_threads and (queued or pending):
                    if not queued:
                        queued.extend(pending.popleft())
                    room = lease_batch(lane_threads) - len(local)
                    batch = [queued.popleft() for _ in range(min(room, len(queued)))]
                    checks = self._submit_leased(
                        thread_pools[-1], batch, owner, shas, lane_fetcher, lane_threads
                    )
                    local.update(checks)
                    if solo:
                        alone.update(checks)
                while (
                    pool is not None
                    and children_up
                    and not broken
                    and not alone
                    and pending
                    and len(remote) < 2 * (processes - 1)
                ):
                    chunk = pending.pop()
                    remote[pool.submit(_check_chunk, chunk)] = chunk
                if not local and not remote:
                    break
                everything: set[Future[Any]] = {*local, *remote, *starting}
                done, _ = wait(everything, return_when=FIRST_COMPLETED)
                for future in done:
                    if future in starting:
                        starting.discard(future)
                        if future.exception() is None:
                            children_up = True
                        else:
                            broken = True
                            log.warning("check processes did not start: %r", future.exception())
                    elif future in remote:
                        chunk = remote.pop(future)
                        if future.exception() is None:
                            for result in future.result():
                                collect(result)
                        else:
                            # A child died (a crash in a C extension): its checks of
                            # this chunk may or may not be stored; check them here.
                            broken = True
                            log.warning(
                                "a check process failed (%r); its %d watches are checked "
                                "in the main process",
                                future.exception(),
                                len(chunk),
                            )
                            pending.appendleft(chunk)
                    else:
                        local.discard(future)
                        alone.discard(future)
                        collect(future.result())  # check_watch never raises
                if solo and lanes.children_pay(len(results), analysed, len(watches) - len(results)):
                    log.info(
                        "%d of the first %d checks analysed a page: starting %d check processes",
                        analysed,
                        len(results),
                        processes - 1,
                    )
                    # From now on this lane has only its share, as in explicit mode.
                    solo = False
                    lane_threads, lane_fetcher = threads, own_fetcher()
                    thread_pools.append(
                        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="check")
                    )
                    start_children()
        finally:
            for threads_pool in thread_pools:
                threads_pool.shutdown(wait=True)
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
            if own is not None:
                own.close()
        return results

    def select(self, refs: Iterable[str]) -> list[WatchState]:
        return [self.store.get_watch(ref) for ref in refs]


# ---------------------------------------------------------------- child processes

# One runtime per child process, opened once by the pool's initializer.
_CHILD: dict[str, Runtime] = {}


def _open_child(settings: Settings) -> None:
    # The parent opened (and migrated) the store already. The HTML tools are a second
    # of imports: loaded here, they do not stall the first chunk the child is given.
    _CHILD["runtime"] = Runtime.open(settings, migrate_schema=False)
    load_html_tools()


def _child_ready() -> int:
    """Answers once the child has started and opened its runtime."""
    return os.getpid()


def _check_chunk(watches: Sequence[WatchState]) -> list[CheckResult]:
    return _CHILD["runtime"]._check_in_threads(watches, None)
