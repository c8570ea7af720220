"""A fast local news server for the benchmarks: N corpus pages on 127.0.0.1, in rounds.

One asyncio process with HTTP/1.1 keep-alive. Each page is rendered once per
version (``bench/corpus.py``), gzipped and kept in memory, so serving costs
little CPU next to the client being measured. It answers like a real news
site: ``ETag`` and ``Last-Modified`` on every page, ``304 Not Modified`` for a
matching ``If-None-Match`` (or, without one, a fresh enough
``If-Modified-Since``), gzip when asked for, ``robots.txt`` allowing all.

Control routes (the harness calls them between passes, never while measuring):

* ``POST /_control/round?fraction=F``: the next round; exactly ``round(F * N)``
  pages get a new version (a different set each round), rendered before the
  answer so the next pass measures only the client;
* ``POST /_control/warm``: render every page's current version now;
* ``POST /_control/reset``: every page back to version 0, round 0;
* ``GET /_control/stats``: the server's CPU seconds, requests by status, bytes sent.

Run on its own::

    .venv/bin/python bench/server.py --pages 1000 --port 8765
    curl -si http://127.0.0.1:8765/tv/0/<slug>   # see `--list 3` for URLs

From Python, :func:`start` runs it in a child process and returns a handle.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import subprocess
import sys
import time
import urllib.request
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import corpus

_ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass(slots=True)
class Page:
    version: int
    gz: bytes  # the page, gzipped
    size: int  # bytes before gzip
    etag: str
    last_modified: str
    modified_at: float  # epoch seconds, for If-Modified-Since


@dataclass
class Site:
    """The corpus pages and their versions; the state behind the HTTP routes."""

    seed: int
    n: int
    gzip_level: int = 6
    conditional: bool = True
    round_no: int = 0
    versions: list[int] = field(default_factory=list)
    changed_at: list[float] = field(default_factory=list)
    current: dict[int, Page] = field(default_factory=dict)
    originals: dict[int, Page] = field(default_factory=dict)  # version 0 survives a reset
    stats: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.versions = [0] * self.n
        self.changed_at = [0.0] * self.n

    def page(self, index: int) -> Page:
        version = self.versions[index]
        cached = self.current.get(index) if version else self.originals.get(index)
        if cached is not None and cached.version == version:
            return cached
        html = corpus.render_page(self.seed, index, version).encode("utf-8")
        packer = zlib.compressobj(self.gzip_level, zlib.DEFLATED, 31)
        gz = packer.compress(html) + packer.flush()
        if version == 0:
            published = corpus.base_facts(self.seed, index).published
            modified = datetime(published.year, published.month, published.day, 8, tzinfo=UTC)
        else:
            modified = datetime.fromtimestamp(int(self.changed_at[index]), UTC)
        page = Page(
            version=version,
            gz=gz,
            size=len(html),
            etag=f'"{zlib.crc32(html):08x}-{len(html):x}"',
            last_modified=format_datetime(modified, usegmt=True),
            modified_at=modified.timestamp(),
        )
        (self.current if version else self.originals)[index] = page
        return page

    def next_round(self, fraction: float) -> dict[str, Any]:
        self.round_no += 1
        changed = corpus.changed_in_round(self.seed, self.n, self.round_no, fraction)
        now = time.time()
        for index in changed:
            self.versions[index] += 1
            self.changed_at[index] = now
        t0 = time.process_time()
        for index in changed:
            self.page(index)
        return {
            "round": self.round_no,
            "changed": len(changed),
            "render_cpu_s": time.process_time() - t0,
        }

    def warm(self) -> dict[str, Any]:
        t0 = time.process_time()
        for index in range(self.n):
            self.page(index)
        return {"pages": self.n, "render_cpu_s": time.process_time() - t0}

    def reset(self) -> dict[str, Any]:
        self.round_no = 0
        self.versions = [0] * self.n
        self.changed_at = [0.0] * self.n
        self.current.clear()
        return {"round": 0}

    def count(self, key: str, by: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + by

    def snapshot(self) -> dict[str, Any]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "round": self.round_no,
            "pages": self.n,
            **self.stats,
        }

    # ------------------------------------------------------------ HTTP

    def respond(
        self, method: str, target: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/_control/"):
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            return self._control(path.removeprefix("/_control/"), query)
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], _ROBOTS
        segments = path.split("/")
        if len(segments) < 3 or segments[1] != "tv" or not segments[2].isdigit():
            return 404, [("Content-Type", "text/plain")], b"not found\n"
        index = int(segments[2])
        if index >= self.n:
            return 404, [("Content-Type", "text/plain")], b"no such article\n"
        page = self.page(index)
        common = [
            ("ETag", page.etag),
            ("Last-Modified", page.last_modified),
            ("Cache-Control", "max-age=60"),
            ("Vary", "Accept-Encoding"),
        ]
        if self.conditional and _not_modified(page, headers):
            return 304, common, b""
        common.append(("Content-Type", "text/html; charset=utf-8"))
        if "gzip" in headers.get("accept-encoding", "") and self.gzip_level > 0:
            common.append(("Content-Encoding", "gzip"))
            return 200, common, page.gz
        return 200, common, zlib.decompress(page.gz, 31)

    def _control(
        self, verb: str, query: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        if verb == "round":
            out = self.next_round(float(query.get("fraction", "0")))
        elif verb == "warm":
            out = self.warm()
        elif verb == "reset":
            out = self.reset()
        elif verb == "stats":
            out = self.snapshot()
        else:
            return 404, [("Content-Type", "text/plain")], b"unknown control verb\n"
        return 200, [("Content-Type", "application/json")], json.dumps(out).encode()


def _not_modified(page: Page, headers: dict[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        return page.etag in (tag.strip() for tag in inm.split(",")) or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    if ims:
        try:
            return page.modified_at <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 400: "Bad Request"}


async def _serve_connection(
    site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, version = lines[0].split(" ", 2)
            except ValueError:
                writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                break
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            length = headers.get("content-length", "0")
            if length.isdigit() and int(length):
                await reader.readexactly(int(length))
            status, extra, body = site.respond(method, target, headers)
            site.count(f"status_{status}")
            site.count("bytes_out", len(body))
            keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            out = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}", "Server: bench-news"]
            out += [f"{k}: {v}" for k, v in extra]
            out.append(f"Content-Length: {len(body)}")
            if not keep:
                out.append("Connection: close")
            payload = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1")
            writer.write(payload + body if method != "HEAD" else payload)
            await writer.drain()
            if not keep:
                break
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, OSError):
            writer.close()


async def _main_async(site: Site, host: str, port: int, prewarm: bool) -> None:
    if prewarm:
        site.warm()
    server = await asyncio.start_server(
        lambda r, w: _serve_connection(site, r, w), host, port, backlog=1024, limit=1 << 16
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"LISTENING http://{host}:{bound}", flush=True)
    async with server:
        await server.serve_forever()


# ---------------------------------------------------------------- handle for harnesses


@dataclass
class Running:
    """A server in a child process."""

    process: subprocess.Popen[str]
    base: str
    seed: int
    n: int

    def url(self, index: int) -> str:
        return self.base + corpus.page_path(self.seed, index)

    def urls(self) -> list[str]:
        return [self.url(i) for i in range(self.n)]

    def control(self, verb: str, **params: object) -> dict[str, Any]:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        method = "GET" if verb == "stats" else "POST"
        request = urllib.request.Request(
            f"{self.base}/_control/{verb}" + (f"?{query}" if query else ""), method=method
        )
        with urllib.request.urlopen(request, timeout=600) as answer:
            data: dict[str, Any] = json.loads(answer.read())
            return data

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(
    n: int,
    *,
    seed: int = 1,
    port: int = 0,
    gzip_level: int = 6,
    conditional: bool = True,
    prewarm: bool = False,
    python: str = sys.executable,
) -> Running:
    """Start a server for ``n`` pages in a child process (its CPU is not the caller's)."""
    cmd = [
        python,
        str(Path(__file__).resolve()),
        f"--pages={n}",
        f"--seed={seed}",
        f"--port={port}",
        f"--gzip-level={gzip_level}",
    ]
    if not conditional:
        cmd.append("--no-conditional")
    if prewarm:
        cmd.append("--prewarm")
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("LISTENING "):
        process.kill()
        raise RuntimeError(f"bench server did not start: {line!r}")
    return Running(process, line.split()[1].strip(), seed, n)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--gzip-level", type=int, default=6, help="0 serves identity only")
    parser.add_argument("--no-conditional", action="store_true", help="never answer 304")
    parser.add_argument("--prewarm", action="store_true", help="render every page first")
    parser.add_argument("--list", type=int, default=0, help="print this many URLs and exit")
    args = parser.parse_args(argv)
    if args.list:
        for i in range(min(args.list, args.pages)):
            print(f"http://{args.host}:{args.port}{corpus.page_path(args.seed, i)}")
        return 0
    site = Site(
        args.seed, args.pages, gzip_level=args.gzip_level, conditional=not args.no_conditional
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main_async(site, args.host, args.port, args.prewarm))
    return 0


if __name__ == "__main__":
    sys.exit(_main())
