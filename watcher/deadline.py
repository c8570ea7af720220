"""The wall-clock bound of one fetch, enforced from one shared thread.

httpx's timeouts bound each wait for bytes, not their sum: a body that trickles
a byte a second never times out. A :class:`Deadline` shuts the fetch's socket
down when its time is up, which wakes a read blocked in another thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx


class _Alarms:
    """One daemon thread that runs callbacks at deadlines.

    A ``threading.Timer`` per fetch starts an OS thread per check; at thousands
    of checks a minute that thread churn was a visible share of an unchanged
    check. Cancelled entries stay in the heap, marked dead, until their time."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, list[Callable[[], None] | None]]] = []
        self._wake = threading.Condition()
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def at(self, when: float, callback: Callable[[], None]) -> list[Callable[[], None] | None]:
        """Run ``callback`` at monotonic time ``when``; clear the returned cell to cancel."""
        cell: list[Callable[[], None] | None] = [callback]
        with self._wake:
            # The thread sleeps until the earliest entry, so it needs waking only for
            # an entry before that one. Fetches share one total_timeout, so a new
            # deadline is almost never the earliest: no thread switch per fetch.
            earliest = not self._heap or when < self._heap[0][0]
            heapq.heappush(self._heap, (when, next(self._count), cell))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="fetch-deadlines", daemon=True
                )
                self._thread.start()
            elif earliest:
                self._wake.notify()
        return cell

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._wake.wait(timeout)
                _when, _n, cell = heapq.heappop(self._heap)
            callback = cell[0]
            if callback is not None:
                callback()


_ALARMS = _Alarms()


class Deadline:
    """The wall-clock bound of one fetch.

    Timeouts bound each wait for bytes, not their sum.  At the deadline a timer
    shuts down the socket in use, which wakes a read blocked in another thread;
    the read then fails and ``expired`` tells the fetcher why.
    """

    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.expired = False
        self._alarm = _ALARMS.at(self._at, self._fire)

    def left(self) -> float:
        return self._at - time.monotonic()

    def over(self) -> bool:
        return self.expired or self.left() <= 0

    def watch(self, sock: socket.socket | None) -> None:
        """Cut ``sock`` at the deadline; ``None`` before a connection goes back to the pool."""
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                _shutdown(sock)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore trace hook: learn the socket as soon as it connects, before any header."""
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if isinstance(sock, socket.socket):
                self.watch(sock)

    def watch_response(self, response: httpx.Response) -> None:
        # A pooled connection was not seen connecting; its socket is known now.
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            self.watch(sock)

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def cancel(self) -> None:
        with self._lock:
            self._sock = None
        self._alarm[0] = None


def _shutdown(sock: socket.socket) -> None:
    # The plain-socket method even on SSLSocket: it wakes the reader without
    # touching the SSL object another thread is inside.  OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
