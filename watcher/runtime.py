"""What a running watcher holds: settings, the store, one fetcher and a clock.

The CLI, the service and the workers all build one :class:`Runtime` and run
passes of checks through it, so they share one code path.
"""

from __future__ import annotations

import logging
import multiprocessing
import random
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from watcher.check import CheckResult, Clock, check_watch
from watcher.fetch import Fetcher, FetchSettings
from watcher.fixtures import FixtureTransport
from watcher.records import WatchState
from watcher.settings import Settings
from watcher.store import Store

log = logging.getLogger(__name__)


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
    ) -> Runtime:
        """Open the store (migrating it) and build the one HTTP client.

        In fixture mode the transport serves the bundled snapshots."""
        from_caller = transport is not None
        fetching = fetch_settings(settings)
        if settings.fixtures:
            transport = transport or FixtureTransport()
            # No real host is contacted: politeness delays would only slow things down.
            fetching = replace(fetching, per_host_delay=0.0)
        store = Store.open(settings.db_url)
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

    def check(self, watch: WatchState) -> CheckResult:
        return check_watch(
            watch,
            fetcher=self.fetcher,
            store=self.store,
            settings=self.settings,
            clock=self.clock,
            rng=self.rng,
        )

    def check_many(
        self,
        watches: Sequence[WatchState],
        *,
        on_result: Callable[[CheckResult], None] | None = None,
    ) -> list[CheckResult]:
        """Check several watches concurrently; one bad watch never stops the others.

        Threads overlap waiting on servers; a check is otherwise CPU-bound Python, so
        ``check_processes`` > 1 spreads the watches over that many processes (each
        with its own threads and connection, writing to the same database) to use
        more cores. A transport handed in by the caller keeps its checks in this
        process, since its state (a test's server, the demo's round) cannot be shared."""
        processes = min(self.settings.check_processes, len(watches))
        if processes > 1 and not self.transport_from_caller:
            results = _check_in_processes(self.settings, watches, processes, on_result)
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
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool:
            futures = [pool.submit(self.check, watch) for watch in watches]
            for future in as_completed(futures):
                result = future.result()  # check_watch never raises
                results.append(result)
                if on_result is not None:
                    on_result(result)
        return results

    def select(self, refs: Iterable[str]) -> list[WatchState]:
        return [self.store.get_watch(ref) for ref in refs]


# ---------------------------------------------------------------- process pool

# One runtime per child process, opened once by the pool's initializer.
_CHILD: dict[str, Runtime] = {}


def _open_child(settings: Settings) -> None:
    _CHILD["runtime"] = Runtime.open(settings)


def _check_chunk(watches: Sequence[WatchState]) -> list[CheckResult]:
    return _CHILD["runtime"]._check_in_threads(watches, None)


def _check_in_processes(
    settings: Settings,
    watches: Sequence[WatchState],
    processes: int,
    on_result: Callable[[CheckResult], None] | None,
) -> list[CheckResult]:
    # spawn, not fork: the parent has threads (deadlines, pools) a fork would copy mid-state.
    context = multiprocessing.get_context("spawn")
    size = max(1, min(200, len(watches) // (processes * 4) or 1))
    chunks = [watches[i : i + size] for i in range(0, len(watches), size)]
    results: list[CheckResult] = []
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_open_child, initargs=(settings,)
    ) as pool:
        for chunk_results in pool.map(_check_chunk, chunks):
            for result in chunk_results:
                results.append(result)
                if on_result is not None:
                    on_result(result)
    return results
