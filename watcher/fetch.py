"""Fetching one page, bounded in time and size, with every failure named.

``build_client`` is the only place an ``httpx.Client`` is made; ``Fetcher`` is
the long-lived object the service shares between threads: one client, per-host
politeness and a robots.txt cache (``watcher.politeness``).

What a fetch guarantees:

* time: connect and read timeouts bound each wait, and ``total_timeout`` bounds
  the whole fetch including redirects and the body: a timer shuts the socket
  down at the deadline, so a body trickling one byte a second ends on time;
* size: the body is counted while it streams and abandoned past ``max_bytes``,
  *after* decompression, which we do ourselves (gzip, deflate, stacked up to
  three layers) with a bound on each step of each layer, so a gzip bomb never
  inflates more than ``max_bytes`` + 1; other codings (zstd, br), which we never
  ask for, are refused unread;
* content: non-text bodies and undecodable text fail (``watcher.decode``);
* failures: every error is a ``FetchError`` whose ``failure_class`` says what
  went wrong and whose message names the URL and what to do next.

Redirects are followed here rather than by httpx, so that each hop goes through
politeness and robots.txt for its own host and a loop can be told apart from a
long chain.
"""

from __future__ import annotations

import functools
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self

import httpx

from watcher import __version__
from watcher.deadline import Deadline
from watcher.decode import (
    Decompressor,
    check_text,
    content_codings,
    decode_body,
    media_type,
    unsupported_codings,
)
from watcher.errors import ConfigError, FailureClass, FetchError
from watcher.politeness import (
    Clock,
    HostGate,
    RobotsCache,
    RobotsFile,
    RobotsUnavailable,
    Sleep,
    fetch_robots,
    origin_of,
    retry_after_of,
)
from watcher.watchlist import host_problem

__all__ = ["FetchResult", "FetchSettings", "Fetcher", "build_client"]

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT: Final = f"watcher/{__version__} (+https://github.com/watcher-news/watcher)"
_ACCEPT: Final = "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
# Only what watcher.decode undoes with a bound on its output; httpx would also
# offer zstd (and br), whose one-shot decoding a bomb could blow up in memory.
# A response in any other coding is refused unread.
_ACCEPT_ENCODING: Final = "gzip, deflate"
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")  # RFC 3986 §3.1
_ROBOTS_TIMEOUT: Final = 5.0
# Read the first bytes before deciding whether a body is text at all.
_SNIFF_AT: Final = 4096
# What resolvers say when a name does not resolve (glibc, macOS, Windows, musl).
_DNS_HINTS: Final = ("name or service", "nodename nor servname", "name resolution", "getaddrinfo")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits and manners of every fetch (per-watch values are layered on by callers)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # wall-clock bound on one fetch incl. streaming the body
    max_bytes: int = 5_000_000  # cap on the body, enforced while streaming, after decompression
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # minimum seconds between request starts to one host
    obey_robots: bool = True

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be a positive number of seconds")
        if self.max_bytes < 1 or self.max_redirects < 0 or self.per_host_concurrency < 1:
            raise ConfigError("max_bytes and per_host_concurrency must be ≥ 1, max_redirects ≥ 0")
        if self.per_host_delay < 0:
            raise ConfigError("per_host_delay must not be negative")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful fetch (2xx with text, or 304)."""

    url: str  # requested
    final_url: str  # after redirects
    status: int
    not_modified: bool  # True on 304
    body: bytes  # as received, content-encoding undone; b"" on 304
    text: str | None  # None on 304
    charset: str | None  # how the body was decoded
    content_type: str | None  # media type without parameters, e.g. "text/html"
    etag: str | None
    last_modified: str | None  # header value as sent
    elapsed_ms: float


def build_client(
    settings: FetchSettings, *, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """The one HTTP client watcher uses: timeouts, user agent, limits; redirects left to us."""
    return httpx.Client(
        headers={
            "User-Agent": settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": _ACCEPT_ENCODING,
        },
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.total_timeout,
        ),
        # Fetcher follows redirects itself (see the module docstring); a client
        # used on its own still has the same cap when asked to follow.
        follow_redirects=False,
        max_redirects=settings.max_redirects,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=16, keepalive_expiry=5.0),
        transport=transport,
    )


class Fetcher:
    """Long-lived: one client, per-host politeness, robots cache. Thread-safe."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        # clock/sleep drive politeness, Retry-After and the robots cache; the
        # timeouts of a fetch are real time, since they bound real sockets.
        self.settings = settings
        self._client = build_client(settings, transport=transport)
        self._client.event_hooks["response"].append(_refuse_odd_locations)
        self._gate = HostGate(
            concurrency=settings.per_host_concurrency,
            delay=settings.per_host_delay,
            clock=clock,
            sleep=sleep,
        )
        self._robots = RobotsCache(clock=clock)

    def close(self) -> None:
        """Close the client and its connections."""
        self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        obey_robots: bool | None = None,
    ) -> FetchResult:
        """GET ``url``, conditionally when ``etag``/``last_modified`` are given; FetchError."""
        started = time.monotonic()
        obey = self.settings.obey_robots if obey_robots is None else obey_robots
        try:
            result = self._fetch(url, etag, last_modified, obey, started)
        except FetchError as exc:
            log.warning(
                "GET %s failed after %.0f ms [%s]: %s",
                url,
                (time.monotonic() - started) * 1000,
                exc.failure_class,
                exc,
            )
            raise
        log.info(
            "GET %s -> %d%s, %d bytes, %s, %.0f ms",
            url,
            result.status,
            f" via {result.final_url}" if result.final_url != url else "",
            len(result.body),
            result.charset or result.content_type or "-",
            result.elapsed_ms,
        )
        return result

    def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, obey: bool, started: float
    ) -> FetchResult:
        current = _parse_url(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        chain: list[str] = []
        deadline: Deadline | None = None
        try:
            while True:
                # Politeness is per host and port: another port is another server.
                host = current.netloc.decode("ascii")
                self._fail_if_backing_off(_label(url, str(current)), host)
                if obey:
                    self._check_robots(url, current, deadline)
                with self._gate.slot(host):
                    # The deadline starts with the first request, not with the
                    # wait for a politeness slot, which is our doing.
                    if deadline is None:
                        deadline = Deadline(self.settings.total_timeout)
                    response = self._send(url, current, headers, deadline)
                    try:
                        target = self._redirect_target(response, url, chain)
                        if target is None:
                            conditional = bool(headers)
                            return self._finish(url, response, deadline, started, conditional)
                    finally:
                        deadline.watch(None)
                        response.close()
                current = target
        finally:
            if deadline is not None:
                deadline.cancel()

    def _send(
        self, url: str, hop: httpx.URL, headers: dict[str, str], deadline: Deadline
    ) -> httpx.Response:
        s = self.settings
        left = max(deadline.left(), 0.001)
        request = self._client.build_request(
            "GET",
            hop,
            headers=headers,
            timeout=httpx.Timeout(
                connect=min(s.connect_timeout, left),
                read=min(s.read_timeout, left),
                write=min(s.read_timeout, left),
                pool=left,
            ),
            extensions={"trace": deadline.trace},
        )
        try:
            response = self._client.send(request, stream=True)
        except _UnfollowableRedirect as exc:
            deadline.watch(None)
            raise FetchError(
                f"GET {url} was redirected by {hop} to {_shorten(exc.location)}, which is not "
                "an http(s) URL; point the watch at the article's web page",
                failure_class="redirects",
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            deadline.watch(None)
            phase = "waiting for response headers"
            raise self._map_error(exc, _label(url, str(hop)), hop.host, deadline, phase) from exc
        except UnicodeError as exc:
            # The resolver's own IDNA check, should a host name we did not vet get here.
            deadline.watch(None)
            raise FetchError(
                f"GET {_label(url, str(hop))} cannot be requested: the host name {hop.host} "
                f"cannot be looked up ({exc}); fix the watch's URL",
                failure_class="invalid_url",
            ) from exc
        deadline.watch_response(response)
        return response

    def _redirect_target(
        self, response: httpx.Response, url: str, chain: list[str]
    ) -> httpx.URL | None:
        if response.status_code not in _REDIRECTS or response.next_request is None:
            return None
        here = str(response.url)
        target = response.next_request.url
        chain.append(here)
        if len(chain) > self.settings.max_redirects:
            looped = len(set(chain)) < len(chain) or str(target) in chain
            what = "a redirect loop" if looped else "too many redirects"
            path = " → ".join([*chain[-4:], str(target)])
            raise FetchError(
                f"GET {url} ran into {what} (more than {self.settings.max_redirects}: "
                f"… {path}); the site is misconfigured or wants cookies/JavaScript — "
                "point the watch at the final article URL",
                failure_class="redirects",
            )
        if target.scheme not in ("http", "https") or not target.host:
            raise FetchError(
                f"GET {url} was redirected by {here} to {target}, which is not an http(s) URL; "
                "point the watch at the article's web page",
                failure_class="redirects",
            )
        problem = host_problem(target.raw_host.decode("ascii"))
        if problem is not None:
            raise FetchError(
                f"GET {url} was redirected by {here} to {target}, which cannot be requested: "
                f"{problem}; point the watch at the article's final URL",
                failure_class="redirects",
            )
        return target

    def _finish(
        self,
        url: str,
        response: httpx.Response,
        deadline: Deadline,
        started: float,
        conditional: bool,
    ) -> FetchResult:
        status = response.status_code
        final_url = str(response.url)
        ctype_header = response.headers.get("Content-Type")
        etag = response.headers.get("ETag")
        last_modified = response.headers.get("Last-Modified")
        if status == 304:
            # A 304 has no body (HTTP forbids one, h11 enforces it), but reading the
            # response to its end lets httpcore keep the connection: otherwise every
            # unchanged check would open a new one.
            response.read()
            if not conditional:
                # "Not modified" since what? With no validators sent there is no version
                # it can point back to, and taking it as "unchanged" would leave the watch
                # without a snapshot forever. Retrying without validators is pointless:
                # that is the request just sent. So it is an error, retried as any other.
                raise FetchError(
                    f"GET {_label(url, final_url)} answered HTTP 304 Not Modified although "
                    "watcher sent no If-None-Match or If-Modified-Since; the server is "
                    "misbehaving (a cache or proxy in front of it, often) — the watch will "
                    "be retried",
                    failure_class="http_status",
                    http_status=304,
                )
            return FetchResult(
                url, final_url, status, True, b"", None, None, media_type(ctype_header),
                etag, last_modified, (time.monotonic() - started) * 1000,
            )  # fmt: skip
        if not 200 <= status < 300:
            raise self._status_error(url, response)
        # The media type alone can rule a body out before a byte of it is read.
        label = _label(url, final_url)
        check_text(b"", ctype_header, url=label)
        body = self._read_body(label, response, deadline, ctype_header)
        check_text(body, ctype_header, url=label)
        text, charset = decode_body(body, ctype_header, url=label)
        return FetchResult(
            url, final_url, status, False, body, text, charset, media_type(ctype_header),
            etag, last_modified, (time.monotonic() - started) * 1000,
        )  # fmt: skip

    def _read_body(
        self, label: str, response: httpx.Response, deadline: Deadline, ctype_header: str | None
    ) -> bytes:
        limit = self.settings.max_bytes
        header = response.headers.get("Content-Encoding")
        codings = content_codings(header)
        problem = unsupported_codings(codings)
        if problem is not None:
            # Refused unread: httpx would undo zstd or br in one shot per chunk
            # (a 32 KB zstd bomb is a gigabyte), and bytes we cannot undo are not text.
            raise FetchError(
                f"GET {label} sent its body in {problem} (it asks for gzip or deflate only), "
                "so the page cannot be read; the server is misbehaving — the watch will be "
                "retried",
                failure_class="decode",
            )
        declared = response.headers.get("Content-Length", "")
        if not codings and declared.isdigit() and int(declared) > limit:
            raise self._too_large(label, f"it announces {int(declared):,} bytes")
        # We undo every layer ourselves, bounded (watcher.decode.Decompressor).
        # A response built in memory (MockTransport) was read, and decoded, already.
        if response.is_stream_consumed:
            chunks: Iterator[bytes] = response.iter_bytes()
            decoder = Decompressor((), limit=limit)
        else:
            chunks = response.iter_raw()
            decoder = Decompressor(codings, limit=limit)
        buf = bytearray()
        sniffed = False
        try:
            for raw in chunks:
                buf += decoder.feed(raw)
                if decoder.over or len(buf) > limit:
                    why = (
                        f"its {', '.join(codings)} body inflates to more than {limit:,} bytes"
                        if codings
                        else f"more than {limit:,} bytes arrived"
                    )
                    raise self._too_large(label, why)
                if not sniffed and len(buf) >= _SNIFF_AT:
                    sniffed = True
                    check_text(bytes(buf[:_SNIFF_AT]), ctype_header, url=label)
                if deadline.over():
                    raise self._timeout_total(label, f"{len(buf):,} bytes of the body in")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            host = response.url.host
            raise self._map_error(exc, label, host, deadline, "reading the body") from exc
        except zlib.error as exc:
            raise FetchError(
                f"GET {label} sent a body that is not valid {', '.join(codings)} ({exc}); "
                "the server is misbehaving — the watch will be retried",
                failure_class="decode",
            ) from exc
        return bytes(buf)

    def _too_large(self, url: str, why: str) -> FetchError:
        return FetchError(
            f"GET {url} was abandoned: {why}, over the limit of {self.settings.max_bytes:,} "
            "bytes; if this really is the article, raise max_bytes for this watch",
            failure_class="too_large",
        )

    def _timeout_total(self, url: str, phase: str) -> FetchError:
        return FetchError(
            f"GET {url} took longer than {self.settings.total_timeout:g} s in all ({phase}); "
            "the server is very slow — the watch will be retried",
            failure_class="timeout",
        )

    def _status_error(self, url: str, response: httpx.Response) -> FetchError:
        status = response.status_code
        via = _label(url, str(response.url)).removeprefix(url)
        retry: float | None = None
        if status in (429, 503):
            retry = retry_after_of(response)
            if retry:
                self._gate.back_off(response.url.netloc.decode("ascii"), retry, status)
        if retry:
            hint = (
                f"the server asked us to wait {retry:g} s (Retry-After); watcher will not "
                "contact it before then and the watch will be retried"
            )
        elif status in (404, 410):
            hint = "the page is gone or has moved — check the URL and update the watch"
        elif status in (401, 403):
            hint = "the site refuses watcher (it may block automated clients) — check the URL"
        elif status == 429:
            hint = "the site is rate-limiting us — the watch will be retried later"
        elif status >= 500:
            hint = "the server is failing — the watch will be retried"
        elif status in _REDIRECTS and "Location" not in response.headers:
            hint = (
                "a redirect without a Location header, so there is nowhere to follow it; the "
                "site is misconfigured — the watch will be retried"
            )
        elif 300 <= status < 400:
            hint = "a redirect watcher does not follow — point the watch at the article's final URL"
        else:
            hint = "the request was refused — check the URL"
        reason = response.reason_phrase or ""
        return FetchError(
            f"GET {url} answered HTTP {status} {reason}{via}; {hint}".replace("  ", " "),
            failure_class="redirects" if 300 <= status < 400 else "http_status",
            http_status=status,
            retry_after=retry,
        )

    def _fail_if_backing_off(self, url: str, host: str) -> None:
        blocked = self._gate.blocked(host)
        if blocked is not None:
            left, status = blocked
            raise FetchError(
                f"GET {url} not sent: {host} answered HTTP {status} with Retry-After and asked "
                f"us to wait another {left:.0f} s; the watch will be retried after that",
                failure_class="http_status",
                http_status=status,
                retry_after=left,
            )

    def _check_robots(self, requested: str, url: httpx.URL, deadline: Deadline | None) -> None:
        host = url.netloc.decode("ascii")
        origin = origin_of(url)

        def get(robots_url: str) -> RobotsFile:
            # Short: a slow robots.txt must not eat the page's own time.
            budget = min(_ROBOTS_TIMEOUT, self.settings.read_timeout)
            if deadline is not None:
                budget = min(budget, deadline.left())
            with self._gate.slot(host):
                return fetch_robots(self._client, robots_url, max(budget, 0.001))

        ua = self.settings.user_agent
        try:
            allowed = self._robots.allowed(str(url), origin=origin, user_agent=ua, fetch=get)
        except RobotsUnavailable as exc:
            raise FetchError(
                f"GET {_label(requested, str(url))} not sent: {origin}/robots.txt is "
                f"unavailable (HTTP {exc.status}), and until it answers the site's rules "
                "cannot be checked; the watch will be retried later",
                failure_class="robots",
            ) from exc
        if not allowed:
            raise FetchError(
                f"GET {_label(requested, str(url))} is disallowed by {origin}/robots.txt for "
                "our user agent; leave it, or set obey_robots = false on this watch if the "
                "site allows it",
                failure_class="robots",
            )
        self._gate.set_crawl_delay(host, self._robots.crawl_delay(origin, ua))

    def _map_error(
        self, exc: Exception, url: str, host: str, deadline: Deadline | None, phase: str
    ) -> FetchError:
        """The FetchError for an httpx exception; ``url`` is the label used in messages."""
        s = self.settings

        def error(message: str, failure_class: FailureClass) -> FetchError:
            return FetchError(f"GET {url} {message}", failure_class=failure_class)

        if deadline is not None and deadline.over():
            return self._timeout_total(url, phase)
        if isinstance(exc, httpx.ConnectTimeout):
            return error(
                f"timed out after {s.connect_timeout:g} s connecting to {host}; the server "
                "may be down or firewalled — the watch will be retried",
                "timeout",
            )
        if isinstance(exc, httpx.ReadTimeout):
            return error(
                f"timed out after {s.read_timeout:g} s {phase}; the server may be down or "
                "overloaded — the watch will be retried",
                "timeout",
            )
        if isinstance(exc, httpx.TimeoutException):  # write and pool timeouts
            return error(f"timed out ({type(exc).__name__}); the watch will be retried", "timeout")
        if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
            return error(f"cannot be requested: {exc}; fix the watch's URL", "invalid_url")
        if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc):
            return error(f"was redirected to an invalid URL: {exc}", "redirects")
        if isinstance(exc, httpx.DecodingError):
            return error(f"sent a body that could not be decompressed: {exc}", "decode")
        causes = list(_causes(exc))
        text = " ".join(str(c) for c in causes).lower()
        detail = str(causes[-1]) or type(causes[-1]).__name__
        if any(isinstance(c, ssl.SSLError) for c in causes) or "ssl" in text:
            return error(
                f"failed: the TLS handshake with {host} failed ({detail}); the certificate "
                "may be invalid or expired, or the port does not speak https — check the "
                "site in a browser",
                "tls",
            )
        if isinstance(exc, httpx.ConnectError):
            dns = any(isinstance(c, socket.gaierror) for c in causes)
            if dns or any(hint in text for hint in _DNS_HINTS):
                return error(
                    f"failed: the host name {host} does not resolve ({detail}); check the URL "
                    "for typos — the watch will be retried",
                    "dns",
                )
            if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in text:
                return error(
                    f"failed: {host} refused the connection ({detail}); the server is down or not "
                    "listening on that port — the watch will be retried",
                    "connect",
                )
            return error(
                f"failed to connect to {host} ({detail}); the watch will be retried", "connect"
            )
        hung_up = ("disconnected", "peer closed", "reset", "broken pipe")
        if isinstance(exc, httpx.RemoteProtocolError) and not any(h in text for h in hung_up):
            what = "sent a response that is not valid HTTP"
        else:  # ReadError, WriteError, or h11 seeing the connection end early
            what = "failed: the connection was reset or closed"
        return error(
            f"{what} while {phase} ({host}: {detail}); the watch will be retried", "connect"
        )


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _label(requested: str, actual: str) -> str:
    """How messages name a URL: the watch's own, and where redirects led if elsewhere."""
    if actual == requested:
        return requested
    try:
        same = actual == str(_url(requested))  # an IDN host reads as xn--… once parsed
    except (httpx.InvalidURL, TypeError):
        same = False
    return requested if same else f"{requested} (redirected to {actual})"


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _UnfollowableRedirect(httpx.HTTPError):
    """A Location with a scheme other than http(s) (javascript:, data:, file:…)."""

    def __init__(self, location: str) -> None:
        super().__init__(f"redirect to {location}")
        self.location = location


def _refuse_odd_locations(response: httpx.Response) -> None:
    """Response hook: httpx would build the redirect request of ``javascript:x`` by
    giving it our host, and fail with a message about paths; name the redirect instead."""
    if not response.has_redirect_location:
        return
    location = response.headers["Location"].strip()
    scheme = _SCHEME.match(location)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        raise _UnfollowableRedirect(location)


@functools.lru_cache(maxsize=16384)
def _url(requested: str) -> httpx.URL:
    # httpx.URL is immutable, and parsing it was a tenth of an unchanged check's fetch:
    # each watch's URL is parsed once per process, not once per check.
    return httpx.URL(requested)


def _parse_url(requested: str) -> httpx.URL:
    try:
        url = _url(requested)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(
            f"GET {requested} cannot be requested: not a valid URL ({exc}); fix the watch's URL",
            failure_class="invalid_url",
        ) from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(
            f"GET {requested} cannot be requested: only http:// and https:// URLs with a host "
            "can be watched; fix the watch's URL",
            failure_class="invalid_url",
        )
    problem = host_problem(url.raw_host.decode("ascii"))
    if problem is not None:
        raise FetchError(
            f"GET {requested} cannot be requested: {problem}; fix the watch's URL",
            failure_class="invalid_url",
        )
    return url
