"""Per-host limits, Retry-After and the robots.txt cache, with a hand-driven clock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

import pytest

from watcher.politeness import (
    MAX_CRAWL_DELAY,
    MAX_RETRY_AFTER,
    ROBOTS_TTL,
    HostGate,
    RobotsCache,
    RobotsFile,
    RobotsUnavailable,
    parse_retry_after,
)

pytestmark = pytest.mark.timeout(30)

NOW = 1_800_000_000.0  # epoch seconds, for HTTP-dates
UA = "watcher/0.1.0 (+https://github.com/watcher-news/watcher)"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


# -- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),
        (formatdate(NOW + 90, usegmt=True), 90.0),
        (formatdate(NOW - 90, usegmt=True), 0.0),  # a date in the past: go ahead
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        (str(10 * 365 * 86400), MAX_RETRY_AFTER),  # capped at a day
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_back_off_window() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=0, clock=clock, sleep=clock.sleep)
    assert gate.blocked("a.example") is None
    gate.back_off("a.example", 60, 429)
    assert gate.blocked("a.example") == (60, 429)
    assert gate.blocked("b.example") is None
    clock.now += 59
    left = gate.blocked("a.example")
    assert left is not None and left[0] == pytest.approx(1) and left[1] == 429
    clock.now += 1
    assert gate.blocked("a.example") is None


def test_back_off_never_shortens_a_window() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=1, delay=0, clock=clock, sleep=clock.sleep)
    gate.back_off("h", 300, 503)
    gate.back_off("h", 10, 429)
    assert gate.blocked("h") == (300, 503)


# -- slots: delay and concurrency ------------------------------------------------------------


def test_delay_between_starts_to_one_host() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=1.5, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        with gate.slot("h"):
            pass
    assert clock.sleeps == [1.5, 1.5]


def test_crawl_delay_spaces_one_host_beyond_the_configured_delay() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=1.0, clock=clock, sleep=clock.sleep)
    gate.set_crawl_delay("slow", 4.0)
    gate.set_crawl_delay("fast", 0.5)  # below the configured delay: the setting stands
    for host in ("slow", "slow", "fast", "fast"):
        with gate.slot(host):
            pass
    assert clock.sleeps == [4.0, 1.0]


def test_crawl_delay_is_capped_and_can_be_lifted() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=1, delay=0.0, clock=clock, sleep=clock.sleep)
    gate.set_crawl_delay("h", 3600.0)
    for _ in range(2):
        with gate.slot("h"):
            pass
    gate.set_crawl_delay("h", None)
    clock.now += MAX_CRAWL_DELAY
    for _ in range(2):
        with gate.slot("h"):
            pass
    assert clock.sleeps == [MAX_CRAWL_DELAY]


def test_no_wait_once_the_delay_has_passed_or_for_another_host() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=1.0, clock=clock, sleep=clock.sleep)
    with gate.slot("a"):
        pass
    with gate.slot("b"):
        pass
    clock.now += 5
    with gate.slot("a"):
        pass
    assert clock.sleeps == []


def test_concurrency_limit_per_host() -> None:
    gate = HostGate(concurrency=2, delay=0, clock=time.monotonic, sleep=time.sleep)
    active = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}
    lock = threading.Lock()

    def work(host: str) -> None:
        with gate.slot(host):
            with lock:
                active[host] += 1
                peak[host] = max(peak[host], active[host])
            time.sleep(0.05)
            with lock:
                active[host] -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, ["a", "b"] * 6))
    assert peak == {"a": 2, "b": 2}


def test_concurrent_starts_are_spaced() -> None:
    # The clock stands still and sleeps only record: each thread must have
    # reserved its own start, one delay after the previous reservation.
    clock = FakeClock()
    waits: list[float] = []
    gate = HostGate(concurrency=4, delay=1.0, clock=clock, sleep=waits.append)

    def work(_: int) -> None:
        with gate.slot("h"):
            pass

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    assert sorted(waits) == [1.0, 2.0, 3.0]


def test_bad_concurrency_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        HostGate(concurrency=0, delay=0, clock=time.monotonic, sleep=time.sleep)


# -- robots.txt cache --------------------------------------------------------------------------


class RobotsServer:
    """Counts fetches and answers with a given RobotsFile."""

    def __init__(self, answer: RobotsFile) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def __call__(self, url: str) -> RobotsFile:
        self.calls.append(url)
        return self.answer


RULES = "User-agent: *\nDisallow: /private/\n\nUser-agent: watcher\nDisallow: /no-bots\n"


def allowed(cache: RobotsCache, fetch: RobotsServer, path: str) -> bool:
    url = f"https://news.example{path}"
    return cache.allowed(url, origin="https://news.example", user_agent=UA, fetch=fetch)


def test_rules_parsed_and_cached_for_an_hour() -> None:
    clock = FakeClock()
    cache = RobotsCache(clock=clock)
    fetch = RobotsServer(RobotsFile(200, RULES))
    assert allowed(cache, fetch, "/news/1")
    assert not allowed(cache, fetch, "/no-bots")
    assert allowed(cache, fetch, "/private/x")  # our own group replaces the * group
    assert fetch.calls == ["https://news.example/robots.txt"]
    clock.now += ROBOTS_TTL - 1
    allowed(cache, fetch, "/news/1")
    assert len(fetch.calls) == 1
    clock.now += 1
    allowed(cache, fetch, "/news/1")
    assert len(fetch.calls) == 2


def test_crawl_delay_read_from_the_cached_rules() -> None:
    cache = RobotsCache(clock=FakeClock())
    origin = "https://news.example"
    assert cache.crawl_delay(origin, UA) is None  # nothing fetched yet
    fetch = RobotsServer(RobotsFile(200, "User-agent: *\nCrawl-delay: 7\nDisallow: /x\n"))
    assert allowed(cache, fetch, "/news/1")
    assert cache.crawl_delay(origin, UA) == 7.0
    assert cache.crawl_delay("https://other.example", UA) is None


@pytest.mark.parametrize(
    "answer",
    [
        RobotsFile(404),
        RobotsFile(403, "User-agent: *\nDisallow: /"),
        RobotsFile(None, error="ConnectError: refused"),
    ],
)
def test_missing_or_broken_robots_allows_all(answer: RobotsFile) -> None:
    cache = RobotsCache(clock=FakeClock())
    assert allowed(cache, RobotsServer(answer), "/no-bots")


def test_unreachable_robots_keeps_the_last_good_copy() -> None:
    clock = FakeClock()
    cache = RobotsCache(clock=clock)
    fetch = RobotsServer(RobotsFile(200, RULES))
    assert not allowed(cache, fetch, "/no-bots")
    clock.now += ROBOTS_TTL
    fetch.answer = RobotsFile(None, error="ReadTimeout")
    assert not allowed(cache, fetch, "/no-bots")
    assert len(fetch.calls) == 2


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_disallows_until_it_answers_again(status: int) -> None:
    # RFC 9309 §2.3.1.4: a server error means "assume complete disallow"; not
    # cached, so the next check asks again rather than waiting out the hour.
    cache = RobotsCache(clock=FakeClock())
    fetch = RobotsServer(RobotsFile(status, "User-agent: *\nAllow: /"))
    for _ in range(2):
        with pytest.raises(RobotsUnavailable) as info:
            allowed(cache, fetch, "/news")
        assert info.value.status == status
    assert len(fetch.calls) == 2
    fetch.answer = RobotsFile(200, RULES)
    assert allowed(cache, fetch, "/news") and not allowed(cache, fetch, "/no-bots")
    assert len(fetch.calls) == 3


def test_robots_5xx_keeps_the_last_good_copy() -> None:
    clock = FakeClock()
    cache = RobotsCache(clock=clock)
    fetch = RobotsServer(RobotsFile(200, RULES))
    assert allowed(cache, fetch, "/news")
    clock.now += ROBOTS_TTL
    fetch.answer = RobotsFile(503)
    assert allowed(cache, fetch, "/news") and not allowed(cache, fetch, "/no-bots")


def test_one_fetch_per_origin_under_concurrency() -> None:
    cache = RobotsCache(clock=time.monotonic)
    gate = threading.Event()

    class Slow(RobotsServer):
        def __call__(self, url: str) -> RobotsFile:
            gate.wait(1)
            return super().__call__(url)

    fetch = Slow(RobotsFile(200, RULES))
    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(allowed, cache, fetch, "/news") for _ in range(6)]
        gate.set()
        assert all(f.result() for f in futures)
    assert len(fetch.calls) == 1


def test_origins_are_separate() -> None:
    cache = RobotsCache(clock=FakeClock())
    fetch = RobotsServer(RobotsFile(404))
    for origin in ("https://a.example", "http://a.example", "https://a.example:8443"):
        cache.allowed(f"{origin}/x", origin=origin, user_agent=UA, fetch=fetch)
    assert fetch.calls == [
        "https://a.example/robots.txt",
        "http://a.example/robots.txt",
        "https://a.example:8443/robots.txt",
    ]
