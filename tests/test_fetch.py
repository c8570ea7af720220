"""The fetcher against a real misbehaving server on 127.0.0.1, and httpx.MockTransport units.

Timeouts are configured small (0.5 s per wait, 1.5 s in all), so every fault
ends fast; ``pytest-timeout`` guards against hangs, and bounds on the elapsed
time are generous (3x the configured timeout).
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.faultserver import (
    ARTICLE_ETAG,
    ARTICLE_HTML,
    ARTICLE_LAST_MODIFIED,
    ROBOTS_TXT,
    Exchange,
    FaultServer,
    gzip_bomb,
    zstd_bomb,
)
from watcher.errors import ConfigError, FetchError
from watcher.fetch import DEFAULT_USER_AGENT, Fetcher, FetchResult, FetchSettings, build_client
from watcher.politeness import ROBOTS_MAX_BYTES
from watcher.watchlist import make_spec

pytestmark = pytest.mark.timeout(30)

WAIT = 0.5  # connect and read timeouts in these tests
TOTAL = 1.5  # total_timeout in these tests
FAST = FetchSettings(
    connect_timeout=WAIT,
    read_timeout=WAIT,
    total_timeout=TOTAL,
    per_host_delay=0.0,
    obey_robots=False,
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def failure(fetcher: Fetcher, url: str, **kwargs: str | bool | None) -> FetchError:
    """The FetchError of fetching ``url``, checked to name the URL."""
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]
    assert url in str(info.value)
    return info.value


class FakeClock:
    """Monotonic time that moves only when someone sleeps (or a test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(round(seconds, 6))
            self.now += seconds


# -- the good path ------------------------------------------------------------


def test_article_is_fetched_with_validators_and_charset(
    server: FaultServer, fetcher: Fetcher
) -> None:
    url = server.url("/article")
    result = fetcher.fetch(url)
    assert isinstance(result, FetchResult)
    assert (result.url, result.final_url, result.status) == (url, url, 200)
    assert result.not_modified is False
    assert result.body == ARTICLE_HTML
    assert result.text is not None and "Dune: Part Three" in result.text
    assert (result.charset, result.content_type) == ("utf-8", "text/html")
    assert (result.etag, result.last_modified) == (ARTICLE_ETAG, ARTICLE_LAST_MODIFIED)
    assert result.elapsed_ms > 0


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_literal_watch_is_fetched(fetcher: Fetcher) -> None:
    with FaultServer(host="::1") as server:
        url = make_spec(server.url("/article"), every="6h").url
        assert url == f"http://[::1]:{server.port}/article"
        result = fetcher.fetch(url)
    assert (result.status, result.final_url, result.body) == (200, url, ARTICLE_HTML)


def test_user_agent_and_accept_headers_are_sent(server: FaultServer, fetcher: Fetcher) -> None:
    fetcher.fetch(server.url("/article"))
    (access,) = server.requests_to("/article")
    assert access.method == "GET"
    assert access.headers["user-agent"] == DEFAULT_USER_AGENT
    assert access.headers["user-agent"].startswith("watcher/")
    assert access.headers["accept-encoding"] == "gzip, deflate"
    assert "text/html" in access.headers["accept"]
    assert "if-none-match" not in access.headers


def test_custom_user_agent(server: FaultServer) -> None:
    settings = FetchSettings(user_agent="watcher-test/1", per_host_delay=0, obey_robots=False)
    with Fetcher(settings) as fetcher:
        fetcher.fetch(server.url("/article"))
    assert server.requests_to("/article")[0].headers["user-agent"] == "watcher-test/1"


def test_etag_gives_304_not_modified(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/article"), etag=ARTICLE_ETAG)
    assert result.status == 304
    assert result.not_modified is True
    assert (result.body, result.text, result.charset) == (b"", None, None)
    assert result.etag == ARTICLE_ETAG
    assert server.requests_to("/article")[0].headers["if-none-match"] == ARTICLE_ETAG


def test_last_modified_gives_304_not_modified(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/article"), last_modified=ARTICLE_LAST_MODIFIED)
    assert result.not_modified is True
    headers = server.requests_to("/article")[0].headers
    assert headers["if-modified-since"] == ARTICLE_LAST_MODIFIED
    assert "if-none-match" not in headers


def test_304_to_an_unconditional_request_is_an_error(server: FaultServer, fetcher: Fetcher) -> None:
    server.serve("/always-304", b"", status=304, content_type=None)
    error = failure(fetcher, server.url("/always-304"))
    assert (error.failure_class, error.http_status) == ("http_status", 304)
    assert "304 Not Modified" in str(error)
    assert "sent no If-None-Match or If-Modified-Since" in str(error)
    # Asked conditionally, the same answer is the ordinary "unchanged".
    result = fetcher.fetch(server.url("/always-304"), etag='"v1"')
    assert result.not_modified is True


def test_stale_etag_gets_the_full_page(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/article"), etag='"old"', last_modified=None)
    assert (result.status, result.not_modified, result.body) == (200, False, ARTICLE_HTML)


def test_final_url_after_redirect(server: FaultServer, fetcher: Fetcher) -> None:
    url = server.url("/redirect")
    result = fetcher.fetch(url)
    assert result.url == url
    assert result.final_url == server.url("/article")
    assert result.body == ARTICLE_HTML
    assert server.paths() == ["/redirect", "/article"]


def test_conditional_headers_follow_redirects(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/redirect"), etag=ARTICLE_ETAG)
    assert result.not_modified is True
    assert result.final_url == server.url("/article")


def test_redirect_chain_up_to_the_limit_is_followed(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/chain/5"))
    assert result.final_url == server.url("/chain/0")


@pytest.mark.parametrize(
    ("path", "ctype", "needle"),
    [
        ("/gzip", "text/html", "Dune"),
        ("/deflate-raw", "text/html", "Dune"),
        ("/invalid-html", "text/html", "Unclosed <b>bold"),
        ("/no-type", None, "plain words"),
    ],
)
def test_bodies_that_are_odd_but_readable(
    server: FaultServer, fetcher: Fetcher, path: str, ctype: str | None, needle: str
) -> None:
    result = fetcher.fetch(server.url(path))
    assert result.content_type == ctype
    assert result.text is not None and needle in result.text


def test_empty_body_is_empty_text(server: FaultServer, fetcher: Fetcher) -> None:
    result = fetcher.fetch(server.url("/empty"))
    assert (result.status, result.body, result.text) == (200, b"", "")


@pytest.mark.parametrize("path", ["/cp1252", "/unknown-charset"])
def test_cp1252_without_usable_charset(server: FaultServer, fetcher: Fetcher, path: str) -> None:
    result = fetcher.fetch(server.url(path))
    assert result.charset == "cp1252"
    assert result.text is not None
    assert "Café" in result.text and "März – „sagt“" in result.text and "5 €" in result.text


def test_one_log_line_per_fetch(
    server: FaultServer, fetcher: Fetcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="watcher.fetch")
    fetcher.fetch(server.url("/redirect"))
    with pytest.raises(FetchError):
        fetcher.fetch(server.url("/status/500"))
    records = [r for r in caplog.records if r.name == "watcher.fetch"]
    assert [r.levelno for r in records] == [logging.INFO, logging.WARNING]
    assert server.url("/redirect") in records[0].getMessage()
    assert "[http_status]" in records[1].getMessage()


# -- time ---------------------------------------------------------------------


def test_headers_that_never_come_time_out(server: FaultServer, fetcher: Fetcher) -> None:
    started = time.monotonic()
    error = failure(fetcher, server.url("/hang"))
    assert time.monotonic() - started < 3 * WAIT
    assert error.failure_class == "timeout"
    assert "waiting for response headers" in str(error)


def test_trickling_body_ends_at_total_timeout(server: FaultServer, fetcher: Fetcher) -> None:
    started = time.monotonic()
    error = failure(fetcher, server.url("/trickle?every=0.1"))
    elapsed = time.monotonic() - started
    assert TOTAL * 0.9 <= elapsed < 3 * TOTAL
    assert error.failure_class == "timeout"
    assert f"longer than {TOTAL:g} s in all" in str(error)


def test_total_timeout_cuts_a_read_blocked_longer_than_it(server: FaultServer) -> None:
    # Gaps of 3 s, read timeout 10 s: only the deadline's timer can end this at 1 s.
    settings = FetchSettings(
        read_timeout=10, total_timeout=1.0, per_host_delay=0, obey_robots=False
    )
    with Fetcher(settings) as fetcher:
        started = time.monotonic()
        error = failure(fetcher, server.url("/trickle?every=3"))
        elapsed = time.monotonic() - started
    assert error.failure_class == "timeout"
    assert 0.9 <= elapsed < 2.0


def test_total_timeout_also_bounds_the_wait_for_headers(server: FaultServer) -> None:
    settings = FetchSettings(
        read_timeout=10, total_timeout=0.6, per_host_delay=0, obey_robots=False
    )
    with Fetcher(settings) as fetcher:
        started = time.monotonic()
        error = failure(fetcher, server.url("/hang"))
        assert time.monotonic() - started < 3 * 0.6
    assert error.failure_class == "timeout"


def test_total_timeout_bounds_headers_that_trickle(server: FaultServer) -> None:
    settings = FetchSettings(
        read_timeout=10, total_timeout=1.0, per_host_delay=0, obey_robots=False
    )
    with Fetcher(settings) as fetcher:
        started = time.monotonic()
        error = failure(fetcher, server.url("/slow-headers?every=0.1"))
        elapsed = time.monotonic() - started
    assert error.failure_class == "timeout"
    assert 0.9 <= elapsed < 2.0


def test_fetcher_still_works_after_a_timeout(server: FaultServer, fetcher: Fetcher) -> None:
    failure(fetcher, server.url("/trickle?every=0.1"))
    assert fetcher.fetch(server.url("/article")).status == 200


# -- connections ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/reset", "/hang-up"])
def test_connection_reset_or_closed(server: FaultServer, fetcher: Fetcher, path: str) -> None:
    error = failure(fetcher, server.url(path))
    assert error.failure_class == "connect"
    assert "reset or closed" in str(error)


def test_body_cut_short(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/truncated"))
    assert error.failure_class == "connect"
    assert "reset or closed while reading the body" in str(error)


def test_invalid_chunked_encoding(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/bad-chunks"))
    assert error.failure_class == "connect"
    assert "not valid HTTP while reading the body" in str(error)


def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    error = failure(fetcher, f"http://127.0.0.1:{port}/article")
    assert error.failure_class == "connect"
    assert "refused" in str(error)


def test_https_to_a_plain_http_port_is_a_tls_failure(server: FaultServer, fetcher: Fetcher) -> None:
    url = server.url("/article").replace("http://", "https://")
    error = failure(fetcher, url)
    assert error.failure_class == "tls"
    assert "TLS handshake" in str(error)


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://example.com/file", "http:///no-host", "mailto:me@example.com"]
)
def test_invalid_urls_fail_without_network(url: str, fetcher: Fetcher) -> None:
    error = failure(fetcher, url)
    assert error.failure_class == "invalid_url"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://" + "a" * 64 + ".example/ok", "longer than 63 characters"),
        ("http://" + ".".join(["a" * 60] * 5) + "/ok", "longer than 253 characters"),
    ],
    ids=["label", "host"],
)
def test_overlong_host_names_fail_clearly(url: str, says: str, fetcher: Fetcher) -> None:
    error = failure(fetcher, url)
    assert error.failure_class == "invalid_url"
    assert says in str(error)


def test_idn_host_is_not_reported_as_a_redirect() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, request=request)

    with _mock(httpx.MockTransport(handler)) as fetcher:
        error = failure(fetcher, "http://bücher.example/ok")
    assert "redirected" not in str(error)


# -- statuses -----------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410, 403, 500, 502])
def test_error_statuses(server: FaultServer, fetcher: Fetcher, status: int) -> None:
    error = failure(fetcher, server.url(f"/status/{status}"))
    assert error.failure_class == "http_status"
    assert error.http_status == status
    assert f"HTTP {status}" in str(error)
    assert error.retry_after is None


def test_error_status_after_redirect_names_both_urls(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/redirect?to=/status/404"))
    assert server.url("/status/404") in str(error)


def test_429_retry_after_seconds_then_fail_fast(server: FaultServer) -> None:
    clock = FakeClock()
    with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
        error = failure(fetcher, server.url("/retry-after/429?after=120"))
        assert (error.failure_class, error.http_status, error.retry_after) == (
            "http_status",
            429,
            120.0,
        )
        # Another page on the same host: refused before any byte is sent.
        again = failure(fetcher, server.url("/article"))
        assert (again.failure_class, again.http_status) == ("http_status", 429)
        assert again.retry_after == pytest.approx(120.0)
        assert server.paths() == ["/retry-after/429?after=120"]
        clock.now += 121
        assert fetcher.fetch(server.url("/article")).status == 200


def test_503_retry_after_http_date(server: FaultServer) -> None:
    clock = FakeClock()
    with Fetcher(FAST, clock=clock, sleep=clock.sleep) as fetcher:
        error = failure(fetcher, server.url("/retry-after/503?after=120&date=1"))
        assert (error.http_status, error.failure_class) == (503, "http_status")
        assert error.retry_after is not None and 118 <= error.retry_after <= 121
        clock.now += 60
        again = failure(fetcher, server.url("/article"))
        assert again.retry_after is not None and 58 <= again.retry_after <= 61


def test_fail_fast_is_per_host_and_port(server: FaultServer, fetcher: Fetcher) -> None:
    failure(fetcher, server.url("/retry-after/429?after=60"))
    other = server.url("/article").replace("127.0.0.1", "localhost")
    assert fetcher.fetch(other).status == 200
    with FaultServer() as second:
        assert fetcher.fetch(second.url("/article")).status == 200
    assert failure(fetcher, server.url("/article")).http_status == 429


# -- redirects --------------------------------------------------------------------


def test_redirect_loop(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/loop/a"))
    assert error.failure_class == "redirects"
    assert "loop" in str(error)
    assert len(server.paths()) == FAST.max_redirects + 1


def test_too_many_redirects(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/chain/6"))
    assert error.failure_class == "redirects"
    assert "too many redirects" in str(error)


def test_redirect_to_an_invalid_location(server: FaultServer, fetcher: Fetcher) -> None:
    error = failure(fetcher, server.url("/bad-location"))
    assert error.failure_class == "redirects"


def test_redirect_to_another_scheme(server: FaultServer, fetcher: Fetcher) -> None:
    server.add_route("/to-ftp", lambda ex: ex.redirect("ftp://example.com/x"))
    error = failure(fetcher, server.url("/to-ftp"))
    assert error.failure_class == "redirects"


@pytest.mark.parametrize(
    "location",
    ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"],
)
def test_redirect_to_a_non_http_location_names_the_redirect(
    server: FaultServer, fetcher: Fetcher, location: str
) -> None:
    server.add_route("/odd", lambda ex: ex.redirect(location))
    error = failure(fetcher, server.url("/odd"))
    assert error.failure_class == "redirects"
    assert f"was redirected by {server.url('/odd')} to {location[:20]}" in str(error)
    assert "not an http(s) URL" in str(error)
    assert "fix the watch's URL" not in str(error)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_without_location_says_so(
    server: FaultServer, fetcher: Fetcher, status: int
) -> None:
    server.add_route("/nowhere", lambda ex: ex.respond(status, b"", content_type=None))
    error = failure(fetcher, server.url("/nowhere"))
    assert (error.failure_class, error.http_status) == ("redirects", status)
    assert "without a Location header" in str(error)
    assert "refused" not in str(error)


def test_redirect_to_a_host_with_a_64_character_label(
    server: FaultServer, fetcher: Fetcher
) -> None:
    server.add_route("/far", lambda ex: ex.redirect("http://" + "a" * 64 + ".example/x"))
    error = failure(fetcher, server.url("/far"))
    assert error.failure_class == "redirects"
    assert "longer than 63 characters" in str(error)


# -- size and content ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big?mb=50", "/big?mb=50&length=0"])
def test_50_mb_body_is_abandoned(server: FaultServer, fetcher: Fetcher, path: str) -> None:
    started = time.monotonic()
    error = failure(fetcher, server.url(path))
    assert error.failure_class == "too_large"
    assert "5,000,000" in str(error)
    assert time.monotonic() - started < 3 * TOTAL


def test_gzip_bomb_is_stopped_without_inflating_it(server: FaultServer) -> None:
    bomb = gzip_bomb(100)  # built before measuring: 100 MB of spaces in ~100 KB
    assert len(bomb) < 200_000
    settings = FetchSettings(max_bytes=1_000_000, per_host_delay=0, obey_robots=False)
    with Fetcher(settings) as fetcher:
        tracemalloc.start()
        try:
            error = failure(fetcher, server.url("/gzip-bomb?mb=100"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.failure_class == "too_large"
    # httpx's own decoder would inflate each 64 KB network chunk whole (~64 MB).
    assert peak < 16 * settings.max_bytes


def _peak_of_failure(settings: FetchSettings, url: str) -> tuple[FetchError, int]:
    with Fetcher(settings) as fetcher:
        tracemalloc.start()
        try:
            error = failure(fetcher, url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    return error, peak


def test_stacked_gzip_bomb_is_stopped_at_every_layer(server: FaultServer) -> None:
    settings = FetchSettings(max_bytes=1_000_000, per_host_delay=0, obey_robots=False)
    error, peak = _peak_of_failure(settings, server.url("/gzip-gzip-bomb?mb=100"))
    assert error.failure_class == "too_large"
    assert "its gzip, gzip body inflates to more than 1,000,000 bytes" in str(error)
    assert peak < 16 * settings.max_bytes


def test_stacked_gzip_is_undone(server: FaultServer, fetcher: Fetcher) -> None:
    assert fetcher.fetch(server.url("/gzip-gzip")).body == ARTICLE_HTML


def test_deflate_then_gzip_is_undone_in_order(server: FaultServer, fetcher: Fetcher) -> None:
    body = gzip.compress(zlib.compress(ARTICLE_HTML))  # deflate applied first, then gzip
    server.serve("/both", body, headers={"Content-Encoding": "deflate, gzip"})
    assert fetcher.fetch(server.url("/both")).body == ARTICLE_HTML


def test_zstd_we_did_not_ask_for_is_refused_unread(server: FaultServer) -> None:
    pytest.importorskip("zstandard")
    settings = FetchSettings(max_bytes=1_000_000, per_host_delay=0, obey_robots=False)
    error, peak = _peak_of_failure(settings, server.url("/zstd-bomb?mb=100"))
    assert error.failure_class == "decode"
    assert "Content-Encoding zstd" in str(error) and "gzip or deflate" in str(error)
    assert peak < 16 * settings.max_bytes


def test_brotli_is_an_unsupported_encoding_not_nul_bytes(
    server: FaultServer, fetcher: Fetcher
) -> None:
    error = failure(fetcher, server.url("/br"))
    assert error.failure_class == "decode"
    assert "Content-Encoding br" in str(error)
    assert "NUL" not in str(error)


def test_too_many_stacked_encodings_are_refused(server: FaultServer, fetcher: Fetcher) -> None:
    body = ARTICLE_HTML
    for _ in range(4):
        body = gzip.compress(body)
    server.serve("/gzip4", body, headers={"Content-Encoding": "gzip, gzip, gzip, gzip"})
    error = failure(fetcher, server.url("/gzip4"))
    assert error.failure_class == "decode"
    assert "4 stacked content-encodings" in str(error)


def test_robots_gzip_bomb_is_bounded(server: FaultServer) -> None:
    bomb = gzip_bomb(100)
    server.serve(
        "/robots.txt", bomb, headers={"Content-Encoding": "gzip"}, content_type="text/plain"
    )
    settings = FetchSettings(per_host_delay=0, obey_robots=True)
    with Fetcher(settings) as fetcher:
        tracemalloc.start()
        try:
            result = fetcher.fetch(server.url("/article"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.status == 200  # spaces are no rules: everything allowed
    assert peak < 16 * ROBOTS_MAX_BYTES


def test_robots_in_an_encoding_we_did_not_ask_for_is_not_decoded(server: FaultServer) -> None:
    pytest.importorskip("zstandard")
    server.serve(
        "/robots.txt",
        zstd_bomb(100),
        headers={"Content-Encoding": "zstd"},
        content_type="text/plain",
    )
    settings = FetchSettings(per_host_delay=0, obey_robots=True)
    with Fetcher(settings) as fetcher:
        tracemalloc.start()
        try:
            with contextlib.suppress(FetchError):
                fetcher.fetch(server.url("/article"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 16 * ROBOTS_MAX_BYTES


def test_corrupt_gzip_is_a_decode_failure(server: FaultServer, fetcher: Fetcher) -> None:
    server.serve("/bad-gzip", b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"})
    assert failure(fetcher, server.url("/bad-gzip")).failure_class == "decode"


@pytest.mark.parametrize("path", ["/binary", "/png-as-html", "/png", "/nul"])
def test_binary_bodies_are_not_text(server: FaultServer, fetcher: Fetcher, path: str) -> None:
    error = failure(fetcher, server.url(path))
    assert error.failure_class == "not_text"


def test_binary_body_is_rejected_after_its_first_bytes(
    server: FaultServer, fetcher: Fetcher
) -> None:
    def huge_png(ex: Exchange) -> None:
        ex.send_head(200, {"Content-Type": "text/html", "Content-Length": "4000000"})
        ex.write(b"\x89PNG\r\n\x1a\n" + b"\x01" * 8192)
        ex.hang()

    server.add_route("/huge-png", huge_png)
    started = time.monotonic()
    assert failure(fetcher, server.url("/huge-png")).failure_class == "not_text"
    assert time.monotonic() - started < WAIT


# -- robots.txt ------------------------------------------------------------------------


def test_robots_disallow_and_opt_out(server: FaultServer) -> None:
    settings = FetchSettings(connect_timeout=WAIT, read_timeout=WAIT, per_host_delay=0)
    with Fetcher(settings) as fetcher:
        error = failure(fetcher, server.url("/private/page"))
        assert error.failure_class == "robots"
        assert "robots.txt" in str(error)
        assert fetcher.fetch(server.url("/private/page"), obey_robots=False).status == 200
        assert fetcher.fetch(server.url("/article")).status == 200
    # Fetched once, cached for the next fetches; never asked for the disallowed page.
    assert server.paths() == ["/robots.txt", "/private/page", "/article"]


def test_robots_crawl_delay_spaces_requests_to_the_host(server: FaultServer) -> None:
    server.serve("/robots.txt", b"User-agent: *\nCrawl-delay: 4\nDisallow: /private/\n")
    clock = FakeClock()
    settings = FetchSettings(connect_timeout=WAIT, read_timeout=WAIT, per_host_delay=0)
    with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
        for _ in range(3):
            assert fetcher.fetch(server.url("/article")).status == 200
    # The first page follows robots.txt at once; the next ones wait the asked delay.
    assert clock.sleeps == [4.0, 4.0]
    assert server.paths() == ["/robots.txt", "/article", "/article", "/article"]


def test_robots_off_in_settings(server: FaultServer, fetcher: Fetcher) -> None:
    assert fetcher.fetch(server.url("/private/page")).status == 200
    assert "/robots.txt" not in server.paths()


def test_robots_checked_on_each_redirect_hop(server: FaultServer) -> None:
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        error = failure(fetcher, server.url("/redirect?to=/private/page"))
    assert error.failure_class == "robots"
    assert "/private/page" not in server.paths()


@pytest.mark.parametrize("status", [404, 403, 410])
def test_robots_client_errors_allow(server: FaultServer, status: int) -> None:
    server.serve("/robots.txt", b"User-agent: *\nDisallow: /\n", status=status)
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        assert fetcher.fetch(server.url("/article")).status == 200


@pytest.mark.parametrize("status", [500, 503])
def test_robots_server_error_fails_this_check_only(server: FaultServer, status: int) -> None:
    server.serve("/robots.txt", b"<h1>oops</h1>", status=status)
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        error = failure(fetcher, server.url("/article"))
        assert error.failure_class == "robots"
        assert f"robots.txt is unavailable (HTTP {status})" in str(error)
        assert "retried" in str(error)
        assert server.requests_to("/article") == []  # RFC 9309: a 5xx means disallow
        # Once robots.txt answers again, so do the checks.
        server.serve("/robots.txt", ROBOTS_TXT, content_type="text/plain")
        assert fetcher.fetch(server.url("/article")).status == 200


def test_unreachable_robots_allows_within_bounded_time(server: FaultServer) -> None:
    server.add_route("/robots.txt", lambda ex: ex.hang())
    settings = FetchSettings(connect_timeout=WAIT, read_timeout=WAIT, per_host_delay=0)
    with Fetcher(settings) as fetcher:
        started = time.monotonic()
        assert fetcher.fetch(server.url("/article")).status == 200
        assert time.monotonic() - started < 3 * WAIT


def test_robots_for_our_user_agent(server: FaultServer) -> None:
    server.serve(
        "/robots.txt",
        b"User-agent: watcher\nDisallow: /article\n\nUser-agent: *\nAllow: /\n",
        content_type="text/plain",
    )
    with Fetcher(FetchSettings(per_host_delay=0)) as fetcher:
        assert failure(fetcher, server.url("/article")).failure_class == "robots"


# -- politeness through the fetcher -----------------------------------------------------


def test_per_host_concurrency_limit(server: FaultServer) -> None:
    settings = FetchSettings(per_host_concurrency=2, per_host_delay=0, obey_robots=False)
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(6) as pool:
        results = list(pool.map(fetcher.fetch, [server.url("/slow?seconds=0.3")] * 6))
    assert [r.status for r in results] == [200] * 6
    assert server.max_active == 2


def test_per_host_delay_between_request_starts(server: FaultServer) -> None:
    clock = FakeClock()
    settings = FetchSettings(per_host_delay=1.0, obey_robots=False)
    with Fetcher(settings, clock=clock, sleep=clock.sleep) as fetcher:
        for _ in range(3):
            fetcher.fetch(server.url("/article"))
    assert clock.sleeps == [1.0, 1.0]


def test_robots_request_counts_for_the_delay(server: FaultServer) -> None:
    clock = FakeClock()
    with Fetcher(FetchSettings(per_host_delay=2.0), clock=clock, sleep=clock.sleep) as fetcher:
        fetcher.fetch(server.url("/article"))
    assert server.paths() == ["/robots.txt", "/article"]
    assert clock.sleeps == [2.0]


# -- MockTransport units ----------------------------------------------------------------


def _mock(handler: httpx.MockTransport) -> Fetcher:
    return Fetcher(FAST, transport=handler)


def test_dns_failure_is_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise httpx.ConnectError(f"[Errno {cause.errno}] {cause.strerror}") from cause

    with _mock(httpx.MockTransport(handler)) as fetcher:
        error = failure(fetcher, "http://no-such-host.invalid/news")
    assert error.failure_class == "dns"
    assert "no-such-host.invalid does not resolve" in str(error)


def test_dns_failure_by_message_alone() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    with _mock(httpx.MockTransport(handler)) as fetcher:
        assert failure(fetcher, "http://example.test/").failure_class == "dns"


def test_refused_by_errno() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        cause = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
        raise httpx.ConnectError(str(cause)) from cause

    with _mock(httpx.MockTransport(handler)) as fetcher:
        error = failure(fetcher, "http://example.test/")
    assert (error.failure_class, "refused" in str(error)) == ("connect", True)


@pytest.mark.parametrize(
    ("exc", "failure_class"),
    [
        (httpx.ConnectTimeout("connect timed out"), "timeout"),
        (httpx.ReadTimeout("read timed out"), "timeout"),
        (httpx.PoolTimeout("no connection free"), "timeout"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "connect"),
        (httpx.RemoteProtocolError("Server disconnected"), "connect"),
        (httpx.UnsupportedProtocol("Request URL has an unsupported protocol"), "invalid_url"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls"),
    ],
)
def test_httpx_exceptions_are_mapped(exc: Exception, failure_class: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with _mock(httpx.MockTransport(handler)) as fetcher:
        assert failure(fetcher, "http://example.test/a").failure_class == failure_class


def test_tls_failure_by_cause() -> None:
    import ssl

    def handler(request: httpx.Request) -> httpx.Response:
        cause = ssl.SSLCertVerificationError(1, "certificate has expired")
        raise httpx.ConnectError(str(cause)) from cause

    with _mock(httpx.MockTransport(handler)) as fetcher:
        assert failure(fetcher, "https://example.test/").failure_class == "tls"


def test_mock_transport_conditional_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("If-None-Match") == '"v2"':
            return httpx.Response(304, headers={"ETag": '"v2"'})
        return httpx.Response(200, text="<p>hi</p>", headers={"Content-Type": "text/html"})

    with _mock(httpx.MockTransport(handler)) as fetcher:
        first = fetcher.fetch("http://example.test/p")
        second = fetcher.fetch(
            "http://example.test/p", etag='"v2"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT"
        )
    assert (first.text, first.charset) == ("<p>hi</p>", "utf-8")
    assert (second.not_modified, second.etag) == (True, '"v2"')
    assert seen[1].headers["If-Modified-Since"] == "Wed, 21 Oct 2026 07:28:00 GMT"


def test_build_client_defaults() -> None:
    settings = FetchSettings(connect_timeout=3, read_timeout=7, max_redirects=4)
    with build_client(settings) as client:
        assert client.timeout.connect == 3 and client.timeout.read == 7
        assert client.headers["User-Agent"] == settings.user_agent
        assert client.max_redirects == 4
        assert client.follow_redirects is False


@pytest.mark.parametrize(
    "kwargs",
    [{"total_timeout": 0}, {"connect_timeout": -1}, {"max_bytes": 0}, {"per_host_delay": -1}],
)
def test_nonsense_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        FetchSettings(**kwargs)  # type: ignore[arg-type]


# -- the fault server itself ---------------------------------------------------------------


def test_fault_server_stops_promptly_with_hanging_handlers() -> None:
    server = FaultServer().start()
    clients = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3)]
    try:
        for client in clients:
            client.sendall(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 5
        while server.active < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.active == 3
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 2
    finally:
        for client in clients:
            client.close()


def test_fault_server_serves_given_bytes_and_logs(server: FaultServer) -> None:
    server.serve("/x", b"hello", headers={"X-Test": "1"}, content_type="text/plain")
    with httpx.Client() as client:
        response = client.get(server.url("/x?q=1"), headers={"X-Mine": "yes"})
    assert (response.status_code, response.text, response.headers["x-test"]) == (200, "hello", "1")
    (access,) = server.log
    assert (access.method, access.path, access.headers["x-mine"]) == ("GET", "/x?q=1", "yes")
