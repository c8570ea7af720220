"""Records passed between the store and the rest of watcher: plain frozen values.

They import nothing from SQLAlchemy, so the pure steps can use them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from watcher.claims import Claim
from watcher.diff import ClaimChange
from watcher.watchlist import WatchSpec


def sha256(data: bytes) -> str:
    """The content address of a body or text."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class WatchState:
    """A watch and its schedule state, as read from the store."""

    id: int
    url: str
    name: str
    every_seconds: int
    selector: str | None
    tags: tuple[str, ...]
    obey_robots: bool
    paused: bool
    next_check_at: datetime
    consecutive_failures: int
    failing_since: datetime | None
    failure_notified: bool
    last_checked_at: datetime | None
    last_outcome: str | None
    last_failure_class: str | None
    last_error: str | None
    etag: str | None
    last_modified: str | None

    @property
    def spec(self) -> WatchSpec:
        return WatchSpec(
            url=self.url,
            name=self.name,
            every_seconds=self.every_seconds,
            selector=self.selector,
            tags=self.tags,
            obey_robots=self.obey_robots,
        )


@dataclass(frozen=True, slots=True)
class SnapshotState:
    """A stored version of a page with its claims."""

    id: int
    watch_id: int
    body_sha256: str
    text_sha256: str
    fetched_at: datetime
    final_url: str
    title: str | None
    subject: str | None
    reference_date: str | None
    reference_basis: str
    claims: tuple[Claim, ...]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class NewVersion:
    """Content a check saw that differs from the watch's latest snapshot."""

    body: bytes
    text: str
    final_url: str
    content_type: str | None
    charset: str | None
    title: str | None
    subject: str | None
    reference_date: str | None
    reference_basis: str
    claims: tuple[Claim, ...]
    fingerprint: str
    # Blob keys of the watch's latest snapshot, which this version follows: the store
    # writes the new body and text as deltas against them (None for a first version).
    previous_body_sha256: str | None = None
    previous_text_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A claim change to store (input) or as stored (output, with id and watch)."""

    kind: str
    subject: str
    slot: str
    change: str
    headline: bool
    old: Claim | None
    new: Claim | None
    id: int = 0
    watch_id: int = 0
    watch_name: str = ""
    url: str = ""
    at: datetime | None = None
    snapshot_id: int = 0

    def claim_change(self) -> ClaimChange:
        """The diff's value for this stored change (notifications, the digest)."""
        return ClaimChange(
            kind=self.kind,  # type: ignore[arg-type]
            subject=self.subject,
            slot=self.slot,
            change=self.change,  # type: ignore[arg-type]
            old=self.old,
            new=self.new,
            headline=self.headline,
        )

    def to_json(self) -> dict[str, Any]:
        """The ``watcher changes --json`` form."""
        out: dict[str, Any] = {
            "watch": self.watch_id,
            "url": self.url,
            "at": self.at.isoformat() if self.at else None,
            "kind": self.kind,
            "subject": self.subject,
            "change": self.change,
            "old": self.old.value if self.old else None,
            "new": self.new.value if self.new else None,
        }
        if self.old is not None:
            out["evidence_old"] = self.old.evidence
        if self.new is not None:
            out["evidence_new"] = self.new.evidence
        out["headline"] = self.headline
        return out


@dataclass(frozen=True, slots=True)
class OutboxItem:
    event: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    id: int = 0
    watch_id: int | None = None
    attempts: int = 0
    delivered_to: tuple[str, ...] = ()  # fingerprints of the targets that took it


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """Everything one check learned, written by :meth:`Store.save_check` in one transaction."""

    watch_id: int
    started_at: datetime
    duration_ms: float
    outcome: str  # new / changed / unchanged / error
    next_check_at: datetime
    http_status: int | None = None
    bytes: int = 0
    failure_class: str | None = None
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    version: NewVersion | None = None
    changes: Sequence[ChangeRow] = field(default=())
    notifications: Sequence[OutboxItem] = field(default=())
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    failure_notified: bool = False


@dataclass(frozen=True, slots=True)
class CheckRow:
    id: int
    watch_id: int
    started_at: datetime
    duration_ms: float
    outcome: str
    http_status: int | None
    bytes: int
    failure_class: str | None
    error: str | None
    snapshot_id: int | None


class History(NamedTuple):
    """What the digest shows, read in bulk (see ``Store.history``)."""

    watches: list[WatchState]
    checks: dict[int, list[CheckRow]]
    snapshots: dict[int, list[SnapshotState]]
    texts: dict[str, str]
