"""What a running watcher holds: settings, the store, one fetcher and a clock.

The CLI, the service and the workers all build one :class:`Runtime` and run
passes of checks through it, so they share one code path.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
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
        fetching = fetch_settings(settings)
        if settings.fixtures:
            transport = transport or FixtureTransport()
            # No real host is contacted: politeness delays would only slow things down.
            fetching = replace(fetching, per_host_delay=0.0)
        store = Store.open(settings.db_url)
        fetcher = Fetcher(fetching, transport=transport)
        return cls(
            settings=settings, store=store, fetcher=fetcher, clock=clock, transport=transport
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
        """Check several watches concurrently; one bad watch never stops the others."""
        results: list[CheckResult] = []
        workers = max(1, min(self.settings.max_concurrent_checks, len(watches)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool:
            futures = [pool.submit(self.check, watch) for watch in watches]
            for future in as_completed(futures):
                result = future.result()  # check_watch never raises
                results.append(result)
                if on_result is not None:
                    on_result(result)
        order = {w.id: i for i, w in enumerate(watches)}
        results.sort(key=lambda r: order.get(r.watch_id, 0))
        return results

    def select(self, refs: Iterable[str]) -> list[WatchState]:
        return [self.store.get_watch(ref) for ref in refs]
