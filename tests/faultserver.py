"""A real HTTP server on 127.0.0.1 that misbehaves on request, for fetch and pipeline tests.

    with FaultServer() as server:
        fetcher.fetch(server.url("/trickle?every=0.2"))       # a built-in fault
        server.serve("/page", b"<p>hi</p>", headers={"ETag": '"x"'})   # given bytes
        server.add_route("/mine", lambda ex: ex.respond(200, b"ok"))  # any behaviour
        assert server.paths() == ["/trickle?every=0.2", ...]

Handlers get an ``Exchange``: the parsed request plus ways to answer it
properly (``respond``), partly (``send_head`` / ``write``), slowly (``wait``)
or rudely (``reset``, ``hang_up``).  Every request is logged to ``server.log``
as ``(method, path, headers)`` before its handler runs.

Built-in routes (``default_routes=False`` leaves them out):

    /article                 ETag + Last-Modified; 304 to a matching If-None-Match/-Modified-Since
    /redirect?to=/article    301 to ``to``        /chain/<n>  n redirects, then the article
    /loop/a, /loop/b         a redirect loop      /bad-location  302 to an unparsable URL
    /hang                    headers never come   /slow-headers?every=0.1  headers byte by byte
    /trickle?every=1&n=1000  a body of n bytes, one every ``every`` seconds
    /slow?seconds=0.3        the article, late (for concurrency tests: see ``max_active``)
    /reset, /hang-up         TCP RST; close without a word
    /truncated, /bad-chunks  a body cut short; invalid chunked encoding
    /status/<code>           any status          /retry-after/<code>?after=120[&date=1]
    /big?mb=50[&length=0]    streamed, with or without Content-Length
    /gzip-bomb?mb=100        ~100 KB of gzip inflating to 100 MB of spaces
    /gzip, /deflate-raw      the article, content-encoded
    /gzip-gzip               the article gzipped twice (``Content-Encoding: gzip, gzip``)
    /gzip-gzip-bomb?mb=100   the gzip bomb gzipped again, as ``gzip, gzip``
    /zstd-bomb?mb=100        zstd of 100 MB of spaces: an encoding we never ask for
    /br                      bytes labelled ``Content-Encoding: br``, never asked for either
    /binary, /png, /png-as-html, /nul    bodies that are not text
    /cp1252, /unknown-charset            cp1252 without a usable charset
    /invalid-html, /empty, /no-type      odd but readable
    /robots.txt              ``Disallow: /private/``;  /private/page is the article

Every route answers on one host:port, and the fetcher's Retry-After window is
per host:port: after a /retry-after/ route, further fetches to the same server
fail fast.  Put those routes on a second ``FaultServer`` when other fetches to
the first must go on.

Shutdown is bounded even while handlers hang: waiting handlers wait on the
server's stop event, open client connections are shut down, handler threads
are daemons and are joined with a timeout.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "ARTICLE_ETAG",
    "ARTICLE_HTML",
    "ARTICLE_LAST_MODIFIED",
    "Access",
    "Exchange",
    "FaultServer",
    "Handler",
]

ARTICLE_HTML = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Dune: Part Three dated</title>"
    "</head><body><article><h1>Dune: Part Three dated</h1><p>Warner Bros. has dated "
    "<em>Dune: Part Three</em> for 18 December 2026 — “a firm date”, says the studio.</p>"
    "</article></body></html>"
).encode()
ARTICLE_ETAG = '"article-v1"'
ARTICLE_LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"
# One minimal valid PNG header and a bit of IHDR: what matters is the signature.
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + b"\x00" * 17 + b"\x00" * 200
CP1252_HTML = (
    "<html><head><title>Café</title></head><body><p>Der nächste Teil erscheint im März – "
    "„sagt“ der Verlag. Über Größe weiß man nichts; Preis 5 €.</p></body></html>"
).encode("cp1252")
INVALID_HTML = (
    b"<html><head><title>Broken</head><body><p>Unclosed <b>bold <div><table><td>cell"
    b"</p></span>text & more < > <p <<>> &#xZZ; </html"
)
ROBOTS_TXT = b"User-agent: *\nDisallow: /private/\n"

_LOCK = threading.Lock()
_BOMBS: dict[int, bytes] = {}


class Access(NamedTuple):
    method: str
    path: str  # with the query string, as requested
    headers: dict[str, str]


Handler = Callable[["Exchange"], None]


def gzip_bomb(megabytes: int) -> bytes:
    """gzip of ``megabytes`` MB of spaces (text, so only the size cap can stop it); cached."""
    with _LOCK:
        if megabytes not in _BOMBS:
            comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = b" " * (1 << 20)
            parts = [comp.compress(b"<html><body>")]
            parts += [comp.compress(block) for _ in range(megabytes)]
            parts.append(comp.flush())
            _BOMBS[megabytes] = b"".join(parts)
        return _BOMBS[megabytes]


def zstd_bomb(megabytes: int) -> bytes:
    """zstd of ``megabytes`` MB of spaces (a few KB); needs the zstandard package."""
    import zstandard

    comp = zstandard.ZstdCompressor(level=3).compressobj()
    block = b" " * (1 << 20)
    parts = [comp.compress(b"<html><body>")]
    parts += [comp.compress(block) for _ in range(megabytes)]
    parts.append(comp.flush())
    return b"".join(parts)


class Exchange:
    """One request and the means to answer it, well or badly."""

    def __init__(self, handler: _RequestHandler, server: FaultServer) -> None:
        self.handler = handler
        self.server = server
        self.method = handler.command
        split = urlsplit(handler.path)
        self.path = split.path
        self.query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}

    def arg(self, name: str, default: float) -> float:
        """A number from the query string, e.g. ``?every=0.2``."""
        return float(self.query.get(name, default))

    def send_head(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        """Status line and headers; the body is up to the handler."""
        self.handler.send_response(status)
        for name, value in (headers or {}).items():
            self.handler.send_header(name, value)
        if (headers or {}).get("Connection", "").lower() == "close":
            self.handler.close_connection = True
        self.handler.end_headers()

    def write(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def respond(
        self,
        status: int = 200,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        content_type: str | None = "text/html; charset=utf-8",
    ) -> None:
        """A complete, well-formed response with Content-Length."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        all_headers.setdefault("Content-Length", str(len(body)))
        self.send_head(status, all_headers)
        if self.method != "HEAD":
            self.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.respond(status, b"", {"Location": location}, content_type=None)

    def wait(self, seconds: float) -> bool:
        """Sleep, but wake when the server stops; True when it is stopping."""
        return self.server.stopping.wait(seconds)

    def hang(self) -> None:
        """Never answer (until the server stops)."""
        self.server.stopping.wait()
        self.handler.close_connection = True

    def hang_up(self) -> None:
        """Close the connection without a word."""
        self.handler.close_connection = True
        self.handler.connection.shutdown(socket.SHUT_RDWR)

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
        self.handler.close_connection = True
        self.handler.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        # Closed here, not by socketserver, whose shutdown(SHUT_WR) would send a FIN first.
        self.handler.connection.close()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers
    server: _HTTPServer

    def do_GET(self) -> None:
        self.server.fault._dispatch(self)

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests read server.log, not stderr


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # we join our threads ourselves, with a bound
    fault: FaultServer

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.fault._lock:
            self.fault._conns.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # Marked so stop() joins exactly this server's handler threads.
        threading.current_thread()._faultserver = self.fault  # type: ignore[attr-defined]
        super().process_request_thread(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.fault._lock:
            self.fault._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up mid-response (that is the point of most routes)
        # are not errors; anything else is a bug in a handler: show it.
        if not self.fault.stopping.is_set():
            import sys

            if not isinstance(sys.exc_info()[1], OSError):  # resets, broken pipes, timeouts
                super().handle_error(request, client_address)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class FaultServer:
    """Threaded HTTP/1.1 server on 127.0.0.1 with a route for every way servers misbehave."""

    def __init__(self, *, default_routes: bool = True, host: str = "127.0.0.1") -> None:
        self.host = host  # "::1" serves on IPv6 loopback
        self.log: list[Access] = []
        self.stopping = threading.Event()
        self.active = 0
        self.max_active = 0
        self._routes: dict[str, Handler] = {}
        self._prefixes: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if default_routes:
            _install_defaults(self)

    # -- life cycle -------------------------------------------------------
    def start(self) -> Self:
        kind = _HTTPServer6 if ":" in self.host else _HTTPServer
        httpd = kind((self.host, 0), _RequestHandler)
        httpd.fault = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, cut open connections, wait (bounded) for handler threads."""
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        end = time.monotonic() + timeout
        for thread in threading.enumerate():
            if getattr(thread, "_faultserver", None) is self:
                thread.join(max(end - time.monotonic(), 0.01))
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout)
        self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start the server first"
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    # -- routes ---------------------------------------------------------------
    def add_route(self, path: str, handler: Handler, *, prefix: bool = False) -> None:
        """Answer ``path`` (or every path under it, with ``prefix=True``) with ``handler``."""
        with self._lock:
            (self._prefixes if prefix else self._routes)[path] = handler

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = "text/html; charset=utf-8",
    ) -> None:
        """Answer ``path`` with these bytes and headers."""
        self.add_route(
            path, lambda ex: ex.respond(status, body, headers, content_type=content_type)
        )

    def paths(self, method: str | None = None) -> list[str]:
        """Paths requested so far, in order."""
        with self._lock:
            return [a.path for a in self.log if method is None or a.method == method]

    def requests_to(self, path: str) -> list[Access]:
        with self._lock:
            return [a for a in self.log if urlsplit(a.path).path == path]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.max_active = self.active

    # -- internals --------------------------------------------------------------
    def _dispatch(self, handler: _RequestHandler) -> None:
        ex = Exchange(handler, self)
        with self._lock:
            self.log.append(Access(ex.method, handler.path, dict(ex.headers)))
            route = self._routes.get(ex.path)
            if route is None:
                matches = [p for p in self._prefixes if ex.path.startswith(p)]
                route = self._prefixes[max(matches, key=len)] if matches else None
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if route is None:
                ex.respond(404, b"<h1>Not Found</h1>")
            else:
                route(ex)
        finally:
            with self._lock:
                self.active -= 1


# -- the built-in faults ---------------------------------------------------------


def _article(ex: Exchange) -> None:
    inm = ex.headers.get("if-none-match")
    ims = ex.headers.get("if-modified-since")
    validators = {"ETag": ARTICLE_ETAG, "Last-Modified": ARTICLE_LAST_MODIFIED}
    if inm is not None:
        fresh = any(t.strip().removeprefix("W/") in (ARTICLE_ETAG, "*") for t in inm.split(","))
    elif ims is not None:
        try:
            fresh = parsedate_to_datetime(ims) >= parsedate_to_datetime(ARTICLE_LAST_MODIFIED)
        except (TypeError, ValueError):
            fresh = False
    else:
        fresh = False
    if fresh:
        ex.respond(304, b"", validators, content_type=None)
    else:
        ex.respond(200, ARTICLE_HTML, validators)


def _trickle(ex: Exchange) -> None:
    every, size = ex.arg("every", 1.0), int(ex.arg("n", 1000))
    ex.send_head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(size)})
    for _ in range(size):
        if ex.wait(every):
            return
        ex.write(b" ")


def _slow_headers(ex: Exchange) -> None:
    """Headers one byte per ``?every=`` seconds: each read succeeds, the whole never ends."""
    ex.handler.close_connection = True
    ex.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
    for _ in range(10_000):
        if ex.wait(ex.arg("every", 0.1)):
            return
        ex.write(b"X")


def _truncated(ex: Exchange) -> None:
    """Promises 100 000 bytes, sends 3 and hangs up."""
    ex.send_head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
    ex.write(b"<p>")
    ex.hang_up()


def _bad_chunks(ex: Exchange) -> None:
    """Chunked transfer-encoding with a chunk size that is not hex."""
    ex.send_head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
    ex.write(b"zz\r\n<p>broken</p>\r\n")
    ex.hang_up()


def _big(ex: Exchange) -> None:
    """``?mb=50``; ``&length=0`` leaves out Content-Length (body ends when we close)."""
    total = int(ex.arg("mb", 50) * 1_000_000)
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    if ex.arg("length", 1):
        headers["Content-Length"] = str(total)
    else:
        headers["Connection"] = "close"
    ex.send_head(200, headers)
    block = b"a" * 65536
    sent = 0
    while sent < total and not ex.server.stopping.is_set():
        ex.write(block[: total - sent])
        sent += len(block)


def _retry_after(ex: Exchange) -> None:
    status = int(ex.path.rsplit("/", 1)[-1])
    after = ex.arg("after", 120)
    if ex.query.get("date"):
        # An HTTP-date measured against our own Date header.
        value = formatdate(time.time() + after, usegmt=True)
    else:
        value = str(int(after))
    ex.respond(status, b"<h1>slow down</h1>", {"Retry-After": value})


def _slow(ex: Exchange) -> None:
    """The article after ``?seconds=0.3``: a request that stays in flight for a while."""
    if not ex.wait(ex.arg("seconds", 0.3)):
        ex.respond(200, ARTICLE_HTML)


def _chain(ex: Exchange) -> None:
    n = int(ex.path.rsplit("/", 1)[-1])
    if n <= 0:
        ex.respond(200, ARTICLE_HTML)
    else:
        ex.redirect(f"/chain/{n - 1}")


def _install_defaults(server: FaultServer) -> None:
    add, serve = server.add_route, server.serve
    add("/article", _article)
    serve("/robots.txt", ROBOTS_TXT, content_type="text/plain")
    serve("/private/page", ARTICLE_HTML)
    add("/redirect", lambda ex: ex.redirect(ex.query.get("to", "/article"), 301))
    add("/loop/a", lambda ex: ex.redirect("/loop/b"))
    add("/loop/b", lambda ex: ex.redirect("/loop/a"))
    add("/chain/", _chain, prefix=True)
    add("/bad-location", lambda ex: ex.redirect("http://example.com:port/"))
    add("/hang", lambda ex: ex.hang())
    add("/trickle", _trickle)
    add("/slow-headers", _slow_headers)
    add("/truncated", _truncated)
    add("/bad-chunks", _bad_chunks)
    add("/reset", lambda ex: ex.reset())
    add("/hang-up", lambda ex: ex.hang_up())
    add("/status/", lambda ex: ex.respond(int(ex.path.rsplit("/", 1)[-1]), b"<h1>error</h1>"),
        prefix=True)  # fmt: skip
    add("/retry-after/", _retry_after, prefix=True)
    add("/big", _big)
    add("/slow", _slow)
    bomb = {"Content-Encoding": "gzip"}
    add("/gzip-bomb", lambda ex: ex.respond(200, gzip_bomb(int(ex.arg("mb", 100))), bomb))
    serve("/gzip", gzip.compress(ARTICLE_HTML), headers=bomb)
    serve("/deflate-raw", _raw_deflate(ARTICLE_HTML), headers={"Content-Encoding": "deflate"})
    twice = {"Content-Encoding": "gzip, gzip"}
    serve("/gzip-gzip", gzip.compress(gzip.compress(ARTICLE_HTML)), headers=twice)
    add("/gzip-gzip-bomb", lambda ex: ex.respond(200, _twice_bomb(int(ex.arg("mb", 100))), twice))
    zstd = {"Content-Encoding": "zstd"}
    add("/zstd-bomb", lambda ex: ex.respond(200, zstd_bomb(int(ex.arg("mb", 100))), zstd))
    serve("/br", b"\x1b\x00\xf8\xa5" + bytes(range(256)), headers={"Content-Encoding": "br"})
    serve("/binary", bytes(range(256)) * 16, content_type="application/octet-stream")
    serve("/png-as-html", PNG_BYTES, content_type="text/html")
    serve("/png", PNG_BYTES, content_type="image/png")
    serve("/nul", b"<html><body>a\x00b</body></html>", content_type="text/html")
    serve("/cp1252", CP1252_HTML, content_type="text/html")
    serve("/unknown-charset", CP1252_HTML, content_type="text/html; charset=x-klingon")
    serve("/invalid-html", INVALID_HTML)
    serve("/empty", b"")
    serve("/no-type", b"plain words, no content type\n", content_type=None)


def _twice_bomb(megabytes: int) -> bytes:
    return gzip.compress(gzip_bomb(megabytes))


def _raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return comp.compress(data) + comp.flush()
