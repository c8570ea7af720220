"""Notifications: message text, and sending with apprise to a real server on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from watcher.claims.model import Claim
from watcher.diff import ClaimChange, diff_claims
from watcher.errors import WatcherError
from watcher.notify import NotifyError, format_headline_notification, send

SUBJECT = "All of Us Are Dead Season 2"


def c(kind: str, value: str, certainty: str, evidence: str, **kw: object) -> Claim:
    return Claim(kind, value, certainty, evidence, 0, len(evidence), **kw)  # type: ignore[arg-type]


def moved() -> list[ClaimChange]:
    old = [c("release_date", "2023-04-14", "official", "Season 2 premieres April 14, 2023.")]
    new = [
        c("release_date", "2024-01-05", "official", "Netflix moved it to\nJanuary 5, 2024."),
        c("status", "delayed", "reported", "Production was delayed."),
    ]
    return [
        ch for ch in diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT) if ch.headline
    ]


def test_single_change_title_says_the_new_value() -> None:
    change = moved()[0]
    title, body = format_headline_notification(
        [change], source="Decider", url="https://news.example/d"
    )
    assert (
        title == f"{SUBJECT}: release date: April 14, 2023 (official) → January 5, 2024 (official)"
    )
    assert "was: “Season 2 premieres April 14, 2023.”" in body
    assert "now: “Netflix moved it to January 5, 2024.”" in body
    assert body.endswith("Source: Decider — https://news.example/d")


def test_several_changes_are_listed_by_subject() -> None:
    changes = moved()
    other = ClaimChange(
        "status",
        "Sweet Home Season 3",
        "",
        "added",
        None,
        c("status", "filming", "official", "Filming began."),
        True,
    )
    title, body = format_headline_notification([*changes, other])
    assert title == f"3 headline changes: {SUBJECT}, Sweet Home Season 3"
    assert "Sweet Home Season 3:" in body and "• status: now filming (official)" in body
    assert "Source:" not in body
    single_title, _ = format_headline_notification(changes)
    assert single_title == f"{SUBJECT}: 2 headline changes"
    with pytest.raises(ValueError):
        format_headline_notification([])


class _Receiver(BaseHTTPRequestHandler):
    status = 200
    received: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.received.append({"path": self.path, "json": json.loads(self.rfile.read(length))})
        self.send_response(self.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[ThreadingHTTPServer, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_send_posts_json_to_a_local_server(
    receiver: tuple[ThreadingHTTPServer, type[_Receiver]],
) -> None:
    server, handler = receiver
    port = server.server_address[1]
    title, body = format_headline_notification(moved(), source="Decider")
    send([f"json://127.0.0.1:{port}/hook"], title, body)
    assert len(handler.received) == 1
    message = handler.received[0]
    assert message["path"] == "/hook"
    payload = message["json"]
    assert isinstance(payload, dict)
    assert payload["title"] == title and payload["message"] == body


def test_a_refusing_server_raises_notify_error(
    receiver: tuple[ThreadingHTTPServer, type[_Receiver]],
) -> None:
    server, handler = receiver
    handler.status = 500
    port = server.server_address[1]
    with pytest.raises(NotifyError, match=r"json://127\.0\.0\.1/") as info:
        send([f"json://user:secret@127.0.0.1:{port}/hook"], "t", "b")
    assert "secret" not in str(info.value)
    assert isinstance(info.value, WatcherError)
    assert len(handler.received) == 1


def test_an_unreachable_target_raises_notify_error() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NotifyError):
        send([f"json://127.0.0.1:{port}/hook"], "t", "b")


def test_an_unknown_url_raises_notify_error() -> None:
    with pytest.raises(NotifyError, match="does not understand"):
        send(["nosuchscheme://token@host"], "t", "b")


def test_no_urls_is_a_no_op() -> None:
    send([], "t", "b")
