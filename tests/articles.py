"""A small real HTTP server on 127.0.0.1 serving one short news article per path.

Used where many healthy watches are needed (the service and worker tests); the
misbehaving server is ``tests.faultserver``."""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class ArticleServer:
    """``with ArticleServer(delay=0.2) as server: server.url("/show/1")``; ``server.hits``
    counts requests per path."""

    def __init__(self, *, delay: float = 0.0, hold_for: int = 0, hold_limit: float = 5.0) -> None:
        """``hold_for``: each path's answer waits until that many requests for it have
        come (at most ``hold_limit`` seconds), so concurrent checks of one page overlap."""
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with outer._arrived:
                    outer.hits[self.path] += 1
                    outer._arrived.notify_all()
                    outer._arrived.wait_for(lambda: outer.hits[self.path] >= hold_for, hold_limit)
                time.sleep(delay)
                number = self.path.rstrip("/").rsplit("/", 1)[-1]
                body = (
                    f"<html><head><title>Show {number} Season 2</title></head><body><article>"
                    f"<h1>Show {number} Season 2 release date</h1><p>Show {number} Season 2 is "
                    "slated to premiere on Netflix on March 3, 2027, the streamer announced.</p>"
                    "</article></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
