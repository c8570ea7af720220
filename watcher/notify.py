"""Notifications: the text of a headline change and sending it with apprise.

``format_headline_notification`` is pure; ``send`` is the only I/O here. It
raises ``NotifyError`` (a ``WatcherError``) when any target fails, so the
outbox keeps the item and retries later; it never swallows a failure.

    WatcherError
    └── NotifyError        a URL apprise does not understand, or a target refused
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Final
from urllib.parse import urlsplit

from watcher import edtf
from watcher.claims.model import Claim
from watcher.diff import ClaimChange
from watcher.errors import WatcherError

log = logging.getLogger(__name__)

KIND_LABELS: Final[dict[str, str]] = {
    "release_date": "release date",
    "status": "status",
    "platform": "platform",
    "episodes": "episodes",
    "trailer": "trailer",
    "cast": "cast",
    "crew": "crew",
}
MAX_TITLE: Final = 120


class NotifyError(WatcherError):
    """A notification could not be delivered; the outbox keeps it and retries."""


def say(claim: Claim | None) -> str:
    """A claim's value as people say it: "January 5, 2024 (official)"."""
    if claim is None:
        return "nothing"
    if claim.kind == "release_date":
        text = edtf.describe(claim.value)
    else:
        text = claim.value.replace("_", " ")
    if claim.role:
        text += f", {claim.role.replace('_', ' ')}"
    note = claim.certainty + (", no longer current" if claim.superseded else "")
    return f"{text} ({note})"


def _line(change: ClaimChange) -> str:
    label = KIND_LABELS.get(change.kind, change.kind)
    if change.change == "changed":
        return f"{label}: {say(change.old)} → {say(change.new)}"
    if change.change == "added":
        return f"{label}: now {say(change.new)}"
    return f"{label}: no longer {say(change.old)}"


def _quote(text: str) -> str:
    return "“" + " ".join(text.split()) + "”"


def format_headline_notification(
    changes: Sequence[ClaimChange], *, source: str | None = None, url: str | None = None
) -> tuple[str, str]:
    """(title, body) of a message about headline changes, grouped by subject.

    The title names the subject and, for a single change, the new value, so a
    phone's lock screen alone says what happened."""
    if not changes:
        raise ValueError("no changes to notify about")
    subjects = list(dict.fromkeys(c.subject or "untitled" for c in changes))
    if len(changes) == 1:
        title = f"{subjects[0]}: {_line(changes[0])}"
    elif len(subjects) == 1:
        title = f"{subjects[0]}: {len(changes)} headline changes"
    else:
        title = f"{len(changes)} headline changes: {', '.join(subjects)}"
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    lines: list[str] = []
    for subject in subjects:
        if len(subjects) > 1:
            lines.append(f"{subject}:")
        for change in (c for c in changes if (c.subject or "untitled") == subject):
            lines.append(f"• {_line(change)}")
            if change.old is not None and change.change != "added":
                lines.append(f"  was: {_quote(change.old.evidence)}")
            if change.new is not None:
                lines.append(f"  now: {_quote(change.new.evidence)}")
    if source or url:
        lines.append("")
        lines.append("Source: " + " — ".join(p for p in (source, url) if p))
    return title, "\n".join(lines)


def _redacted(url: str) -> str:
    """Scheme and host only: notification URLs carry tokens and passwords."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "<unparseable URL>"
    return f"{parts.scheme}://{host}/…" if parts.scheme else "<URL without a scheme>"


def send(urls: Sequence[str], title: str, body: str) -> None:
    """Send one message to every apprise URL; NotifyError if any URL fails."""
    if not urls:
        return
    with warnings.catch_warnings():
        # apprise loads its plug-ins lazily and one of them imports the deprecated
        # ``imghdr`` on Python 3.11/3.12; not ours to fix, and the test suite turns
        # warnings into errors.
        warnings.simplefilter("ignore", DeprecationWarning)
        failed = _send_each(urls, title, body)
    if failed:
        raise NotifyError(
            f"notification {title!r} was not delivered to {', '.join(failed)}; "
            "it stays in the outbox and is retried"
        )


def _send_each(urls: Sequence[str], title: str, body: str) -> list[str]:
    import apprise

    failed: list[str] = []
    # No service timeout: apprise would then send from its own process-wide pool,
    # whose threads the interpreter waits for at exit, so a target that never
    # finishes answering would keep the process alive. The caller bounds the wait
    # (watcher.service runs deliveries in a daemon thread).
    asset = apprise.AppriseAsset(service_timeout=0)
    for url in urls:
        client = apprise.Apprise(asset=asset)
        # One client per URL, so the error says which target failed.
        if not client.add(url):
            raise NotifyError(
                f"apprise does not understand the notification URL {_redacted(url)}; "
                "check notify_urls in the settings"
            )
        try:
            ok = bool(client.notify(title=title, body=body))
        except Exception as exc:  # a notifier plug-in bug is a failed delivery, not a crash
            log.warning("notifier %s raised %r", _redacted(url), exc)
            ok = False
        if not ok:
            failed.append(_redacted(url))
    return failed
