"""Deadlines fire from one shared thread, in order, and cancelled ones never fire."""

from __future__ import annotations

import socket
import threading
import time

from watcher.deadline import _ALARMS, Deadline


def test_alarms_fire_in_time_order_and_cancelled_ones_do_not() -> None:
    fired: list[str] = []
    done = threading.Event()
    now = time.monotonic()
    _ALARMS.at(now + 0.15, lambda: (fired.append("late"), done.set()))
    _ALARMS.at(now + 0.05, lambda: fired.append("early"))
    cancelled = _ALARMS.at(now + 0.10, lambda: fired.append("cancelled"))
    cancelled[0] = None
    assert done.wait(5)
    assert fired == ["early", "late"]


def test_deadline_expires_and_cuts_its_socket() -> None:
    left, right = socket.socketpair()
    with left, right:
        deadline = Deadline(0.05)
        deadline.watch(left)
        assert not deadline.over()
        time.sleep(0.3)
        assert deadline.expired and deadline.over()
        assert left.recv(1) == b"", "the socket was shut down: a blocked read wakes up"


def test_cancelled_deadline_never_fires() -> None:
    deadline = Deadline(0.05)
    deadline.cancel()
    time.sleep(0.2)
    assert not deadline.expired
