"""Database tables (SQLAlchemy 2.x declarative); only the store and migrations use them.

A watch is an URL we follow. Each check of it is a row in ``checks``. A check
that sees content we have not stored for that watch makes a ``snapshots`` row;
bodies and extracted texts are content-addressed rows in ``blobs`` (sha256,
zstd-compressed, a changed version as a delta against the previous one), so an
unchanged page stores no new bytes and a changed one little more than the
change. Claim changes found by a check are ``changes`` rows; notifications wait
in ``outbox`` until sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Watch(Base):
    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    every_seconds: Mapped[int] = mapped_column(Integer)
    selector: Mapped[str | None] = mapped_column(String(500))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    obey_robots: Mapped[bool] = mapped_column(Boolean, default=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    # Schedule state lives here, not in APScheduler, so a restart resumes where it stopped
    # and several workers can share it.
    next_check_at: Mapped[datetime] = mapped_column(index=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None]
    failure_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    last_checked_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_failure_class: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)

    # Conditional GET validators from the last successful response.
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))

    # A worker holds a lease while it checks; a duplicate delivery sees it and backs off.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]


class Blob(Base):
    """A content-addressed, compressed byte string (a raw body or an extracted text).

    Either whole (codec ``zstd``, no base) or a delta (``zstd-delta``) against the
    blob ``base_sha256``, ``depth`` deltas away from a whole one (watcher/blobs.py)."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(10))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # No foreign key and no index: rows are only ever read by key, nothing deletes
    # blobs, and an index entry per row would cost a third of a delta's bytes.
    base_sha256: Mapped[str | None] = mapped_column(String(64))
    depth: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Snapshot(Base):
    """One distinct version of a watch's page, with what was extracted from it."""

    __tablename__ = "snapshots"
    __table_args__ = (Index("ix_snapshots_watch_fetched", "watch_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"))
    body_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    text_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    fetched_at: Mapped[datetime]
    final_url: Mapped[str] = mapped_column(String(2048))
    content_type: Mapped[str | None] = mapped_column(String(100))
    charset: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    reference_date: Mapped[str | None] = mapped_column(String(10))
    reference_basis: Mapped[str] = mapped_column(String(20))
    claims: Mapped[list[Any]] = mapped_column(default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))


class Check(Base):
    """Every check is recorded, whatever its outcome."""

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_watch_started", "watch_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    duration_ms: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None]
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    failure_class: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"))


class Change(Base):
    """One claim change found by a check (added, removed or changed)."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch_id: Mapped[int] = mapped_column(ForeignKey("watches.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    slot: Mapped[str] = mapped_column(Text)
    change: Mapped[str] = mapped_column(String(10))
    headline: Mapped[bool] = mapped_column(Boolean, default=False)
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]


class Digest(Base):
    """When a digest was written, so the next one shows what changed since."""

    __tablename__ = "digests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generated_at: Mapped[datetime]
    last_change_id: Mapped[int] = mapped_column(Integer, default=0)
    out_dir: Mapped[str] = mapped_column(Text)


class Outbox(Base):
    """A notification to send; kept until sent so a failure never loses it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(20))
    watch_id: Mapped[int | None] = mapped_column(ForeignKey("watches.id", ondelete="SET NULL"))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # Fingerprints of the targets that already took it (not the URLs: they hold tokens).
    delivered_to: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
