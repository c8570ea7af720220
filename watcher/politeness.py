"""Being a good guest on other people's servers: per-host limits, Retry-After, robots.txt.

``HostGate``
    Per host, at most ``concurrency`` requests at once and at least ``delay``
    seconds between request starts.  A server that answers 429/503 with
    ``Retry-After`` is left alone until that time: requests fail fast without
    touching the network.  A "host" is whatever key the caller passes; the
    fetcher passes ``host[:port]``, since another port is another server.
``RobotsCache``
    robots.txt per origin (scheme, host, port), parsed with protego and kept
    for an hour.  A robots.txt answering 5xx means "disallow everything" (RFC
    9309): ``allowed`` raises ``RobotsUnavailable``, and the answer is not kept,
    so a flake fails only the checks that met it.
    The cache takes a fetch function, so it can be tested without a network;
    ``fetch_robots`` is the one the fetcher passes, bound to its own client.

Clock and sleep are injected so tests drive time by hand.  Everything here is
thread-safe: the fetcher runs in a thread pool.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import httpx
from protego import Protego

from watcher.decode import Decompressor, content_codings, unsupported_codings

__all__ = [
    "HostGate",
    "RetryAfter",
    "RobotsCache",
    "RobotsFile",
    "RobotsUnavailable",
    "fetch_robots",
    "origin_of",
    "parse_retry_after",
    "retry_after_of",
]

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# A server may ask for any wait; beyond a day it is more likely a mistake than a
# plan, and a watch silenced for a year would be worse than one extra request.
MAX_RETRY_AFTER: Final = 24 * 3600.0
# A robots.txt Crawl-delay spaces our requests to its host, up to this: a request
# waits for its turn holding a worker, and a watcher reads a page a few times a day.
MAX_CRAWL_DELAY: Final = 30.0
ROBOTS_TTL: Final = 3600.0
ROBOTS_MAX_BYTES: Final = 512 * 1024  # Google's cap too: rules past it are ignored


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date).

    ``now`` is the epoch time the date is measured from: pass the response's own
    Date header when there is one, so a skewed local clock does not matter.
    Returns None for a missing or unparsable value; the result is capped at a day.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP-dates are GMT; a naive one means the same
            return None
        seconds = when.timestamp() - now
    if math.isnan(seconds):  # float() accepts "nan"
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def retry_after_of(response: httpx.Response) -> float | None:
    """Seconds a 429/503 response asks us to wait, dates measured by its own Date header."""
    now = time.time()
    date = response.headers.get("Date")
    if date:
        # The server's clock, not ours: a skewed local clock must not stretch the wait.
        with contextlib.suppress(TypeError, ValueError, IndexError):
            now = email.utils.parsedate_to_datetime(date).timestamp()
    return parse_retry_after(response.headers.get("Retry-After"), now=now)


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """A host asked us to stay away: until when (our clock) and with which status."""

    until: float
    status: int


@dataclass
class _Host:
    semaphore: threading.BoundedSemaphore
    next_start: float = float("-inf")
    retry_after: RetryAfter | None = None
    crawl_delay: float = 0.0  # the host's own robots.txt Crawl-delay
    lock: threading.Lock = field(default_factory=threading.Lock)


class HostGate:
    """Per-host concurrency limit, spacing of request starts, and Retry-After windows."""

    def __init__(self, *, concurrency: int, delay: float, clock: Clock, sleep: Sleep) -> None:
        if concurrency < 1:
            raise ValueError(f"per-host concurrency must be at least 1, not {concurrency}")
        self._concurrency = concurrency
        self._delay = max(delay, 0.0)
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> _Host:
        with self._lock:
            state = self._hosts.get(host)
            if state is None:
                state = _Host(threading.BoundedSemaphore(self._concurrency))
                self._hosts[host] = state
            return state

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold a request slot of ``host``, starting ``delay`` or more after the last start."""
        state = self._host(host)
        with state.semaphore:
            # Reserve a start time under the lock, sleep outside it: threads for
            # one host queue up one delay apart without blocking each other's
            # bookkeeping (and without holding a lock across a sleep).
            with state.lock:
                now = self._clock()
                start = max(now, state.next_start)
                state.next_start = start + max(self._delay, state.crawl_delay)
            if start > now:
                log.debug("waiting %.2f s before the next request to %s", start - now, host)
                self._sleep(start - now)
            yield

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Space the starts of requests to ``host`` by its robots.txt Crawl-delay too
        (capped at ``MAX_CRAWL_DELAY``); None or 0 leaves only the configured delay."""
        state = self._host(host)
        with state.lock:
            state.crawl_delay = min(max(seconds or 0.0, 0.0), MAX_CRAWL_DELAY)

    def blocked(self, host: str) -> tuple[float, int] | None:
        """``(seconds left, status)`` while the host's Retry-After window is open, else None."""
        state = self._host(host)
        with state.lock:
            window = state.retry_after
            if window is None:
                return None
            left = window.until - self._clock()
            if left <= 0:
                state.retry_after = None
                return None
            return left, window.status

    def back_off(self, host: str, seconds: float, status: int) -> None:
        """Record that ``host`` answered ``status`` with Retry-After ``seconds``."""
        state = self._host(host)
        with state.lock:
            until = self._clock() + min(seconds, MAX_RETRY_AFTER)
            # Never shorten a window another thread just recorded.
            if state.retry_after is None or state.retry_after.until < until:
                state.retry_after = RetryAfter(until, status)


@dataclass(frozen=True, slots=True)
class RobotsFile:
    """What fetching one robots.txt gave: a status (None when unreachable) and its text."""

    status: int | None
    text: str = ""
    error: str | None = None


class RobotsUnavailable(Exception):
    """robots.txt answered a server error: nothing of the site may be fetched for now."""

    def __init__(self, status: int) -> None:
        super().__init__(f"robots.txt answered HTTP {status}")
        self.status = status


@dataclass(frozen=True, slots=True)
class _Rules:
    parser: Protego | None  # None: everything allowed (unless ``unavailable``)
    fetched_at: float
    why: str
    unavailable: int | None = None  # the 5xx status that stands for "disallow all"


class RobotsCache:
    """robots.txt rules per origin, fetched on first use and kept for an hour."""

    def __init__(self, *, clock: Clock, ttl: float = ROBOTS_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._rules: dict[str, _Rules] = {}
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}

    def _origin_lock(self, origin: str) -> threading.Lock:
        with self._lock:
            return self._origin_locks.setdefault(origin, threading.Lock())

    def allowed(
        self,
        url: str,
        *,
        origin: str,
        user_agent: str,
        fetch: Callable[[str], RobotsFile],
    ) -> bool:
        """May ``user_agent`` fetch ``url``?  ``fetch(robots_url)`` is called on a cache miss.

        Raises ``RobotsUnavailable`` while robots.txt answers a server error.
        """
        rules = self.rules(origin, fetch)
        if rules.unavailable is not None:
            raise RobotsUnavailable(rules.unavailable)
        if rules.parser is None:
            return True
        return bool(rules.parser.can_fetch(url, user_agent))

    def crawl_delay(self, origin: str, user_agent: str) -> float | None:
        """The Crawl-delay the cached robots.txt of ``origin`` asks of ``user_agent``."""
        with self._lock:
            cached = self._rules.get(origin)
        if cached is None or cached.parser is None:
            return None
        delay = cached.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None

    def rules(self, origin: str, fetch: Callable[[str], RobotsFile]) -> _Rules:
        """The cached rules of ``origin`` (``https://host:port``), fetching them when stale."""
        # One fetch per origin even when many threads ask at once.
        with self._origin_lock(origin):
            now = self._clock()
            cached = self._rules.get(origin)
            if cached is not None and now - cached.fetched_at < self._ttl:
                return cached
            robots_url = f"{origin}/robots.txt"
            got = fetch(robots_url)
            fresh = self._interpret(got, previous=cached, now=now)
            log.debug("robots.txt of %s: %s", origin, fresh.why)
            if fresh.unavailable is None:
                self._rules[origin] = fresh
            return fresh

    @staticmethod
    def _interpret(got: RobotsFile, *, previous: _Rules | None, now: float) -> _Rules:
        if got.status is not None and 200 <= got.status < 300:
            return _Rules(Protego.parse(got.text), now, f"HTTP {got.status}, rules parsed")
        if got.status is not None and 400 <= got.status < 500:
            # RFC 9309 §2.3.1.3: no robots.txt (404, 403, 410...) means no rules.
            return _Rules(None, now, f"HTTP {got.status}, no rules: everything allowed")
        if previous is not None and previous.parser is not None:
            # RFC 9309 §2.4: while robots.txt is unreachable, the last good copy stands.
            return _Rules(previous.parser, now, "unavailable, keeping the last good copy")
        if got.status is not None and got.status >= 500:
            # RFC 9309 §2.3.1.4: a server error means "assume complete disallow".
            # Not cached: one flake must not stop a site's watches for an hour. Each
            # check that meets it fails with the reason and asks again next time,
            # one small request instead of the page it does not fetch.
            return _Rules(None, now, f"HTTP {got.status}: disallow for now", got.status)
        # Unreachable (timeout, refused, TLS...) with nothing cached: RFC 9309 would
        # have a crawler assume "disallow all" here too.  Watcher is not a crawler:
        # it reads one page the user chose, a few times a day, and the page fetch
        # that follows fails on its own, with the real cause, when the server is
        # really down; calling that "robots" would hide it.
        why = got.error or "unreachable"
        return _Rules(None, now, f"{why}: treated as allow-all")


def origin_of(url: httpx.URL) -> str:
    """``scheme://host[:port]``, the scope of one robots.txt (RFC 9309)."""
    host = f"[{url.host}]" if ":" in url.host else url.host
    return f"{url.scheme}://{host}" + (f":{url.port}" if url.port else "")


def fetch_robots(client: httpx.Client, robots_url: str, budget: float) -> RobotsFile:
    """GET a robots.txt within ``budget`` seconds; never raises (unreachable is a result)."""
    started = time.monotonic()
    try:
        with client.stream(
            "GET",
            robots_url,
            timeout=httpx.Timeout(budget),
            follow_redirects=True,  # RFC 9309: follow at least five
            headers={"Accept": "text/plain,*/*;q=0.1"},
        ) as response:
            buf = bytearray()
            if 200 <= response.status_code < 300:
                codings = content_codings(response.headers.get("Content-Encoding"))
                problem = unsupported_codings(codings)
                if problem is not None:
                    # Never undone by httpx: zstd or br could be a bomb, one shot per chunk.
                    return RobotsFile(None, error=f"sent in {problem}")
                # Undone here, bounded; a response built in memory was decoded already.
                consumed = response.is_stream_consumed
                decoder = Decompressor(() if consumed else codings, limit=ROBOTS_MAX_BYTES)
                try:
                    for chunk in response.iter_bytes() if consumed else response.iter_raw():
                        buf += decoder.feed(chunk)
                        if decoder.over or len(buf) >= ROBOTS_MAX_BYTES:
                            break
                        # Read timeouts bound each wait; this bounds a trickle.
                        if time.monotonic() - started > budget:
                            return RobotsFile(None, error=f"still arriving after {budget:g} s")
                except zlib.error as exc:
                    return RobotsFile(None, error=f"not valid {', '.join(codings)} ({exc})")
            text = bytes(buf[:ROBOTS_MAX_BYTES]).decode("utf-8", "replace")
            return RobotsFile(response.status_code, text)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return RobotsFile(None, error=f"{type(exc).__name__}: {exc}")
