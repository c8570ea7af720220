"""The store: watches, checks, snapshots, claim changes and the notification outbox.

A small repository with verbs for names; callers get frozen records, never a
session. Every write is one transaction: a check's blobs, snapshot, check row,
changes, watch state and notifications land together or not at all, so a crash
at any moment leaves the database consistent. On SQLite writers take the write
lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock on upgrade.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Update,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from watcher import schema
from watcher.blobs import Blobs
from watcher.claims import Claim
from watcher.errors import StoreError, WatchListError, WatchNotFound, WatchRemoved
from watcher.records import (
    ChangeRow,
    CheckRecord,
    CheckRow,
    History,
    OutboxItem,
    SnapshotState,
    WatchState,
)
from watcher.watchlist import WatchSpec

log = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"
# The tables themselves, for the Core statements of the hot path.
_CHECKS = schema.Base.metadata.tables["checks"]
_WATCHES = schema.Base.metadata.tables["watches"]
_SNAPSHOTS = schema.Base.metadata.tables["snapshots"]
# Built once, not per check: most checks find the page unchanged, and building a
# statement (coercing its values, keying the compiled cache) cost more than SQLite
# spent running it. The parameters come with each execute.
_INSERT_CHECK = insert(_CHECKS).returning(_CHECKS.c.id)
_INSERT_PLAIN_CHECK = insert(_CHECKS)  # on the driver's cursor, which knows the new id
# The SET clause is the execute's parameters (except the key below).
_UPDATE_WATCH = update(_WATCHES).where(_WATCHES.c.id == bindparam("watch_key"))
# A check's lease, taken when no other owner holds an unexpired one. It hands back
# what tells whether the watch was checked since the caller read it.
_LEASE_TYPE = _WATCHES.c.lease_until.type
_CLAIM = (
    update(_WATCHES)
    .where(
        _WATCHES.c.id == bindparam("claim_id"),
        or_(
            _WATCHES.c.lease_until.is_(None),
            _WATCHES.c.lease_until < bindparam("claim_now", type_=_LEASE_TYPE),
            _WATCHES.c.lease_owner == bindparam("claim_owner"),
        ),
    )
    .values(
        lease_owner=bindparam("claim_owner"),
        lease_until=bindparam("claim_until", type_=_LEASE_TYPE),
    )
    .returning(_WATCHES.c.last_checked_at, _WATCHES.c.last_outcome, _WATCHES.c.consecutive_failures)
)
_LATEST_BODY_SHA = (
    select(_SNAPSHOTS.c.body_sha256)
    .where(_SNAPSHOTS.c.watch_id == bindparam("watch_id"))
    .order_by(_SNAPSHOTS.c.id.desc())
    .limit(1)
)
_LATER = _CHECKS.alias("later")
_RECENT_CHECKS = select(_CHECKS).select_from(
    _WATCHES.join(
        _CHECKS,
        _CHECKS.c.id.in_(
            select(_LATER.c.id)
            .where(_LATER.c.watch_id == _WATCHES.c.id)
            .order_by(_LATER.c.started_at.desc(), _LATER.c.id.desc())
            .limit(bindparam("limit"))
            .correlate(_WATCHES)
        ),
    )
)
_LATEST_BODY_SHAS = select(_SNAPSHOTS.c.watch_id, _SNAPSHOTS.c.body_sha256).where(
    _SNAPSHOTS.c.id.in_(
        select(func.max(_SNAPSHOTS.c.id))
        .where(_SNAPSHOTS.c.watch_id.in_(bindparam("watch_ids", expanding=True)))
        .group_by(_SNAPSHOTS.c.watch_id)
    )
)


def utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything in watcher is aware UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


# ---------------------------------------------------------------- engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level so SQLAlchemy's "begin" event decides how each
    # transaction starts (the pysqlite recipe in SQLAlchemy's SQLite dialect docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # On the driver's connection: through SQLAlchemy's execution machinery this one
    # statement cost as much as a check's INSERT.
    dbapi = conn.connection.dbapi_connection
    if conn.get_execution_options().get("watcher_write"):
        dbapi.execute("BEGIN IMMEDIATE")
    else:
        dbapi.execute("BEGIN")


SUPPORTED_BACKENDS: Final = ("sqlite", "postgresql")


def make_engine(url: str, *, lock_timeout: float = 30.0, create_folder: bool = True) -> Engine:
    """An engine for ``url`` with watcher's SQLite settings. The SQLite file's folder is
    created when ``create_folder`` (the default home), else it must exist.

    ``lock_timeout``: seconds a SQLite statement waits for another process's write
    lock before the database counts as locked."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"cannot parse the database URL {_safe_url(url)!r} ({exc}); "
            "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        ) from exc
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise StoreError(
            f"unsupported database {backend!r} in {_safe_url(url)}: watcher stores its data "
            "in SQLite (sqlite:///PATH) or PostgreSQL (postgresql+psycopg://USER@HOST/DB)"
        )
    if backend == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            folder = Path(path).parent
            if create_folder:
                folder.mkdir(parents=True, exist_ok=True)
            elif not folder.is_dir():
                raise StoreError(
                    f"the folder {folder} of the database {path} does not exist; "
                    "create it first, or fix the database URL"
                )
        engine = create_engine(url, connect_args={"timeout": lock_timeout})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    # Imported here: alembic is half a second of imports, which a check process
    # (opening an already migrated store) never needs.
    from alembic import command
    from alembic.config import Config
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        try:
            command.upgrade(config, "head")
        except CommandError as exc:  # a schema revision watcher does not know
            raise StoreError(
                f"{_database_path(engine)} is not a watcher database, or one from a newer "
                f"watcher ({exc})"
            ) from exc
        conn.commit()


# ---------------------------------------------------------------- the store


class Store:
    """Watcher's repository. Open with :meth:`open`; thread-safe (one session per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._blobs = Blobs()
        # SQLite has one writer. The threads of this process queue for it on a lock of
        # their own, handed on as soon as a write ends, instead of in SQLite's busy
        # handler, which sleeps 1, 2, 5, 10... ms between tries; other processes
        # still meet in the busy handler.
        self._writer: AbstractContextManager[object] = (
            threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()
        )
        # SQLite: a check with nothing new is saved on the driver's cursor; through
        # SQLAlchemy's execution machinery its two statements cost twice what SQLite
        # spent running them, most of it holding the write lock.
        self._plain: dict[tuple[str, ...], _DriverStatement] | None = (
            {} if engine.dialect.name == "sqlite" else None
        )

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate_schema: bool = True,
        lock_timeout: float = 30.0,
        create_folder: bool = True,
    ) -> Store:
        """Connect and migrate; a database that cannot be opened (locked, damaged, not
        watcher's, an unsupported kind) is a StoreError."""
        engine = make_engine(url, lock_timeout=lock_timeout, create_folder=create_folder)
        try:
            with _database_errors(engine):
                if migrate_schema:
                    migrate(engine)
                else:
                    with engine.connect():
                        pass
        except (StoreError, OSError) as exc:
            engine.dispose()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open database {_safe_url(url)}: {exc}") from exc
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with (
            _database_errors(self._engine),
            Session(self._engine, expire_on_commit=False) as session,
        ):
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with _database_errors(self._engine), self._writer, self._engine.connect() as conn:
            conn.execution_options(watcher_write=True)
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def _write_core(self) -> Iterator[Connection]:
        """A write transaction on a bare connection, for Core statements only: no
        session, no unit of work (the unchanged check's path)."""
        with _database_errors(self._engine), self._writer, self._engine.connect() as conn:
            conn.execution_options(watcher_write=True)
            with conn.begin():
                yield conn

    # ------------------------------------------------------------ watches

    def add_watch(self, spec: WatchSpec, *, now: datetime) -> WatchState:
        """Add one watch, due now. A duplicate URL is a WatchListError."""
        return self.add_watches([spec], now=now)[0]

    def add_watches(self, specs: Sequence[WatchSpec], *, now: datetime) -> list[WatchState]:
        """Add several watches in one transaction: all or none."""
        try:
            with self._write() as session:
                urls = [s.url for s in specs]
                taken = set(
                    session.scalars(select(schema.Watch.url).where(schema.Watch.url.in_(urls)))
                )
                if taken:
                    raise WatchListError(_already_watched([u for u in urls if u in taken]))
                rows = [
                    schema.Watch(
                        url=s.url,
                        name=s.name,
                        every_seconds=s.every_seconds,
                        selector=s.selector,
                        tags=list(s.tags),
                        obey_robots=s.obey_robots,
                        paused=False,
                        created_at=now,
                        next_check_at=now,
                        consecutive_failures=0,
                        failure_notified=False,
                    )
                    for s in specs
                ]
                session.add_all(rows)
                session.flush()
                return [_watch_state(row) for row in rows]
        except IntegrityError as exc:  # a concurrent add of the same URL
            raise WatchListError(f"already watched: {exc.params}") from exc

    def get_watch(self, ref: str | int) -> WatchState:
        """A watch by id or URL; WatchNotFound names what was asked for."""
        with self._read() as session:
            row = _find_watch(session, ref)
            return _watch_state(row)

    def list_watches(self) -> list[WatchState]:
        with self._read() as session:
            rows = session.scalars(select(schema.Watch).order_by(schema.Watch.id))
            return [_watch_state(row) for row in rows]

    def remove_watch(self, ref: str | int) -> WatchState:
        """Remove a watch and its history."""
        with self._write() as session:
            row = _find_watch(session, ref)
            state = _watch_state(row)
            session.execute(delete(schema.Change).where(schema.Change.watch_id == row.id))
            session.execute(delete(schema.Check).where(schema.Check.watch_id == row.id))
            session.execute(delete(schema.Snapshot).where(schema.Snapshot.watch_id == row.id))
            session.delete(row)
            return state

    def set_paused(self, ref: str | int, paused: bool) -> WatchState:
        with self._write() as session:
            row = _find_watch(session, ref)
            row.paused = paused
            return _watch_state(row)

    def due_watches(self, now: datetime, *, limit: int | None = None) -> list[WatchState]:
        """Watches whose next check time has come, oldest due first; paused ones never."""
        with self._read() as session:
            query = (
                select(schema.Watch)
                .where(schema.Watch.next_check_at <= now, schema.Watch.paused.is_(False))
                .order_by(schema.Watch.next_check_at, schema.Watch.id)
            )
            if limit is not None:
                query = query.limit(limit)
            return [_watch_state(row) for row in session.scalars(query)]

    def next_due_at(self) -> datetime | None:
        with self._read() as session:
            value = session.scalar(
                select(func.min(schema.Watch.next_check_at)).where(schema.Watch.paused.is_(False))
            )
            return _opt_utc(value)

    def acquire_lease(self, watch_id: int, *, owner: str, now: datetime, until: datetime) -> bool:
        """Take the watch's lease unless another owner holds an unexpired one.

        A duplicate delivery of the same check (several workers) finds the lease
        taken and does nothing."""
        with self._write() as session:
            result = session.execute(
                update(schema.Watch)
                .where(
                    schema.Watch.id == watch_id,
                    or_(
                        schema.Watch.lease_until.is_(None),
                        schema.Watch.lease_until < now,
                        schema.Watch.lease_owner == owner,
                    ),
                )
                .values(lease_owner=owner, lease_until=until)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def claim_watch(
        self, watch: WatchState, *, owner: str, now: datetime, until: datetime
    ) -> WatchState | None:
        """Lease the watch for one check; None when another check holds it (in this
        process or another). The check's save releases it.

        Returns the watch as stored now: ``watch`` itself unless it was checked (or
        changed) since the caller read it. A lease of a process that died on this
        host (SIGKILL) is taken over at once rather than waited out. WatchRemoved
        when the watch is gone."""
        params = {"claim_id": watch.id, "claim_now": now, "claim_owner": owner}
        params["claim_until"] = until
        if self._plain is not None:
            # Before every check: one statement on the driver's cursor, as _save_plain.
            row = self._run_plain(_CLAIM, params)
        else:
            with self._write_core() as conn:
                row = conn.execute(_CLAIM, params).first()
        if row is None:  # leased, gone, or its holder died: the rare path
            return self._claim_slowly(watch.id, owner=owner, now=now, until=until)
        checked_at, outcome, failures = row
        if (_opt_utc(checked_at), outcome, failures) == (
            watch.last_checked_at,
            watch.last_outcome,
            watch.consecutive_failures,
        ):
            return watch
        return self.get_watch(watch.id)

    def claim_watches(
        self, watches: Sequence[WatchState], *, owner: str, now: datetime, until: datetime
    ) -> dict[int, WatchState]:
        """``claim_watch`` for a batch of a pass, in one statement: the watches leased
        now, by id, as stored now. Those left out (held, gone, their holder dead) are
        for ``claim_watch`` to settle one by one."""
        ids = [w.id for w in watches]
        if not ids:
            return {}
        with self._write_core() as conn:
            rows = conn.execute(
                update(_WATCHES)
                .where(
                    _WATCHES.c.id.in_(ids),
                    or_(
                        _WATCHES.c.lease_until.is_(None),
                        _WATCHES.c.lease_until < now,
                        _WATCHES.c.lease_owner == owner,
                    ),
                )
                .values(lease_owner=owner, lease_until=until)
                .returning(*_WATCHES.c)
            ).all()
        return {row.id: _watch_state(row) for row in rows}

    def _claim_slowly(
        self, watch_id: int, *, owner: str, now: datetime, until: datetime
    ) -> WatchState | None:
        with self._write() as session:
            row = session.get(schema.Watch, watch_id, with_for_update=True)
            if row is None:
                raise WatchRemoved(f"watch #{watch_id} was removed")
            held = (
                row.lease_owner is not None
                and row.lease_owner != owner
                and row.lease_until is not None
                and utc(row.lease_until) >= now
                and not _owner_gone(row.lease_owner)
            )
            if held:
                return None
            row.lease_owner = owner
            row.lease_until = until
            return _watch_state(row)

    def _run_plain(self, statement: Update, params: dict[str, Any]) -> tuple[Any, ...] | None:
        """One UPDATE … RETURNING in a write transaction on the driver's cursor (SQLite);
        its row, with the result processors of the returned columns applied."""
        prepared = self._driver_statement(statement, ())
        with self._driver_transaction() as run:
            cursor = run(prepared.sql, prepared.params(params))
            row = cursor.fetchone()
        return None if row is None else prepared.result(row)

    @contextmanager
    def _driver_transaction(self) -> Iterator[Callable[[str, Any], Any]]:
        """A write transaction on SQLite's driver cursor, skipping SQLAlchemy's per-call
        work on the hot path: yields ``run(sql, params)``, commits at the end, and on a
        driver error rolls back and raises what SQLAlchemy would (IntegrityError,
        OperationalError…), through ``_database_errors``."""
        with _database_errors(self._engine), self._writer, self._engine.connect() as conn:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            cursor = dbapi.cursor()
            sql = "BEGIN IMMEDIATE"

            def run(statement: str, params: Any) -> Any:
                nonlocal sql
                sql = statement
                return cursor.execute(statement, params)

            try:
                cursor.execute(sql)
                yield run
                sql = "COMMIT"
                cursor.execute(sql)
            except self._engine.dialect.loaded_dbapi.Error as exc:
                if dbapi.in_transaction:
                    dbapi.rollback()
                raise DBAPIError.instance(
                    sql, None, exc, self._engine.dialect.loaded_dbapi.Error
                ) from exc
            finally:
                cursor.close()

    # ------------------------------------------------------------ snapshots and checks

    def latest_snapshot(self, watch_id: int) -> SnapshotState | None:
        with self._read() as session:
            row = session.scalars(
                select(schema.Snapshot)
                .where(schema.Snapshot.watch_id == watch_id)
                .order_by(schema.Snapshot.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _snapshot_state(row)

    def latest_body_sha(self, watch_id: int) -> str | None:
        """The content address of the watch's latest stored body, if any."""
        # A bare connection: this runs before every check, and a session per call
        # was most of its cost.
        with _database_errors(self._engine), self._engine.connect() as conn:
            sha: str | None = conn.execute(_LATEST_BODY_SHA, {"watch_id": watch_id}).scalar()
            return sha

    def latest_body_shas(self, watch_ids: Iterable[int]) -> dict[int, str]:
        """``latest_body_sha`` of many watches in a few queries; a watch with no stored
        version is absent. A pass reads them with its watch list, not per check."""
        ids = list(watch_ids)
        found: dict[int, str] = {}
        with _database_errors(self._engine), self._engine.connect() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(_LATEST_BODY_SHAS, {"watch_ids": ids[start : start + 500]})
                found.update((int(watch_id), str(sha)) for watch_id, sha in rows)
        return found

    def recent_fingerprints(self, watch_id: int, count: int) -> list[str]:
        """Fingerprints of the watch's last ``count`` claim sets, newest first."""
        with self._read() as session:
            return list(
                session.scalars(
                    select(schema.Snapshot.fingerprint)
                    .where(schema.Snapshot.watch_id == watch_id)
                    .order_by(schema.Snapshot.id.desc())
                    .limit(count)
                )
            )

    def snapshots(self, watch_id: int) -> list[SnapshotState]:
        with self._read() as session:
            rows = session.scalars(
                select(schema.Snapshot)
                .where(schema.Snapshot.watch_id == watch_id)
                .order_by(schema.Snapshot.id)
            )
            return [_snapshot_state(row) for row in rows]

    def blob(self, sha: str) -> bytes:
        """The original bytes of a stored body or text (a missing or damaged one, or
        one whose delta chain is, is a StoreError)."""
        with self._read() as session:
            return self._blobs.read(session, [sha])[sha]

    def save_check(self, record: CheckRecord) -> int:
        """Write one check and all it found in one transaction; returns the check id.

        WatchRemoved when the watch was removed while it was being checked."""
        try:
            return self._save_check(record)
        except IntegrityError as exc:
            with self._read() as session:
                gone = session.get(schema.Watch, record.watch_id) is None
            if gone:
                raise WatchRemoved(f"watch #{record.watch_id} was removed") from exc
            raise

    def _save_check(self, record: CheckRecord) -> int:
        if record.version is None and not record.changes and not record.notifications:
            # Most checks: one INSERT and one UPDATE, on the driver's cursor for SQLite.
            if self._plain is not None:
                return self._save_plain(record)
            with self._write_core() as conn:
                return _save_check_row(conn, record, None)
        with self._write() as session:
            snapshot_id: int | None = None
            if record.version is not None:
                snapshot_id = self._add_version(session, record.watch_id, record)
            conn = session.connection()
            check_id = _save_check_row(conn, record, snapshot_id, update_watch=False)
            for change in record.changes:
                assert snapshot_id is not None, "changes come with a new version"
                session.add(
                    schema.Change(
                        watch_id=record.watch_id,
                        check_id=check_id,
                        snapshot_id=snapshot_id,
                        at=record.started_at,
                        kind=change.kind,
                        subject=change.subject,
                        slot=change.slot,
                        change=change.change,
                        headline=change.headline,
                        old=change.old.to_json() if change.old else None,
                        new=change.new.to_json() if change.new else None,
                    )
                )
            for item in record.notifications:
                session.add(
                    schema.Outbox(
                        created_at=record.started_at,
                        event=item.event,
                        watch_id=record.watch_id,
                        tags=list(item.tags),
                        title=item.title,
                        body=item.body,
                        attempts=0,
                        next_attempt_at=record.started_at,
                    )
                )
            conn.execute(_UPDATE_WATCH, _watch_values(record))
            return check_id

    def _save_plain(self, record: CheckRecord) -> int:
        """``save_check`` of a check that stores no version, change or notification,
        in one transaction on the driver's cursor (SQLite); the check id."""
        assert self._plain is not None
        check, watch = _check_values(record, None), _watch_values(record)
        insert_check = self._driver_statement(_INSERT_PLAIN_CHECK, tuple(check))
        update_watch = self._driver_statement(_UPDATE_WATCH, tuple(watch))
        with self._driver_transaction() as run:
            check_id = run(insert_check.sql, insert_check.params(check)).lastrowid
            run(update_watch.sql, update_watch.params(watch))
        assert check_id is not None
        return int(check_id)

    def _driver_statement(
        self, statement: Insert | Update, keys: tuple[str, ...]
    ) -> _DriverStatement:
        assert self._plain is not None
        key = ("insert" if isinstance(statement, Insert) else "update", *keys)
        prepared = self._plain.get(key)
        if prepared is None:
            # Threads may build the same one at once: either copy will do.
            prepared = _DriverStatement(statement, self._engine.dialect, keys)
            self._plain[key] = prepared
        return prepared

    def _add_version(self, session: Session, watch_id: int, record: CheckRecord) -> int:
        version = record.version
        assert version is not None
        # The previous version of the same watch is the likeliest content to share
        # bytes with this one: each blob becomes a delta against it where that pays.
        body_sha = self._blobs.put(session, version.body, base=version.previous_body_sha256)
        text_sha = self._blobs.put(
            session, version.text.encode("utf-8"), base=version.previous_text_sha256
        )
        snapshot = schema.Snapshot(
            watch_id=watch_id,
            body_sha256=body_sha,
            text_sha256=text_sha,
            fetched_at=record.started_at,
            final_url=version.final_url,
            content_type=version.content_type,
            charset=version.charset,
            title=version.title,
            subject=version.subject,
            reference_date=version.reference_date,
            reference_basis=version.reference_basis,
            claims=[claim.to_json() for claim in version.claims],
            fingerprint=version.fingerprint,
        )
        session.add(snapshot)
        session.flush()
        return snapshot.id

    def checks(self, watch_id: int, *, limit: int = 100) -> list[CheckRow]:
        """A watch's checks, newest first."""
        with self._read() as session:
            rows = session.scalars(
                select(schema.Check)
                .where(schema.Check.watch_id == watch_id)
                .order_by(schema.Check.id.desc())
                .limit(limit)
            )
            return [_check_row(row) for row in rows]

    def count(self, table: str) -> int:
        """Rows in one of watcher's tables (status output, tests, benchmarks)."""
        model = {t.__tablename__: t for t in _TABLES}[table]
        with self._read() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)

    def stored_bytes(self) -> int:
        """Compressed bytes held in blobs."""
        with self._read() as session:
            return int(session.scalar(select(func.sum(func.length(schema.Blob.data)))) or 0)

    def history(self, *, check_limit: int, text_versions: int) -> History:
        """Everything the digest shows, in four bulk queries: the watches, each one's latest
        ``check_limit`` checks, every snapshot (with claims), and the extracted texts of
        each watch's latest ``text_versions`` snapshots (for text diffs)."""
        with self._read() as session:
            watches = [_watch_state(w) for w in session.scalars(select(schema.Watch))]
            # Each watch's latest checks through its (watch_id, started_at) index, in one
            # query: the cost is watches x limit, whatever the length of the checks'
            # history (a window over the whole table grows with every check ever made).
            checks: dict[int, list[CheckRow]] = {}
            rows = session.connection().execute(_RECENT_CHECKS, {"limit": check_limit})
            for row in rows:
                checks.setdefault(row.watch_id, []).append(_check_row(row))
            for found in checks.values():
                found.sort(key=lambda c: (c.started_at, c.id), reverse=True)  # newest first
            snapshots: dict[int, list[SnapshotState]] = {}
            for snap in session.scalars(select(schema.Snapshot).order_by(schema.Snapshot.id)):
                snapshots.setdefault(snap.watch_id, []).append(_snapshot_state(snap))
        wanted = {s.text_sha256 for snaps in snapshots.values() for s in snaps[-text_versions:]}
        return History(watches, checks, snapshots, self.texts(wanted))

    def texts(self, shas: Iterable[str]) -> dict[str, str]:
        """Stored extracted texts by content address. A damaged one is left out and
        logged: the digest that shows texts must not fail for one bad blob."""
        wanted = list(shas)
        with self._read() as session:
            try:
                raw = self._blobs.read(session, wanted)
            except StoreError:
                raw = {}
                for sha in wanted:
                    try:
                        raw.update(self._blobs.read(session, [sha]))
                    except StoreError as exc:
                        log.warning("text %s left out: %s", sha, exc)
        return {sha: data.decode("utf-8", "replace") for sha, data in raw.items()}

    # ------------------------------------------------------------ changes

    def changes_since(
        self,
        *,
        after_id: int = 0,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[ChangeRow]:
        """Change events newest first, optionally after a change id or a time."""
        # A Core select of the columns: the digest reads 10,000 of these, and an ORM
        # object per row (identity map, instrumented attributes) was a third of it.
        change = schema.Change.__table__.c
        with self._read() as session:
            query = (
                select(
                    change.id,
                    change.watch_id,
                    change.at,
                    change.kind,
                    change.subject,
                    change.slot,
                    change.change,
                    change.headline,
                    change.old,
                    change.new,
                    change.snapshot_id,
                    schema.Watch.name,
                    schema.Watch.url,
                )
                .join(schema.Watch, schema.Watch.id == change.watch_id)
                .where(change.id > after_id)
                .order_by(change.at.desc(), change.id.desc())
            )
            if since is not None:
                query = query.where(change.at >= since)
            if limit is not None:
                query = query.limit(limit)
            return [_change_row(row) for row in session.execute(query)]

    def last_change_id(self) -> int:
        with self._read() as session:
            return int(session.scalar(select(func.max(schema.Change.id))) or 0)

    # ------------------------------------------------------------ digests

    def last_digest(self) -> tuple[datetime, int] | None:
        """When the previous digest was written and the last change it covered."""
        with self._read() as session:
            row = session.scalars(
                select(schema.Digest).order_by(schema.Digest.id.desc()).limit(1)
            ).first()
            return None if row is None else (utc(row.generated_at), row.last_change_id)

    def record_digest(self, *, at: datetime, last_change_id: int, out_dir: str) -> None:
        with self._write() as session:
            session.add(
                schema.Digest(generated_at=at, last_change_id=last_change_id, out_dir=out_dir)
            )

    # ------------------------------------------------------------ outbox

    def pending_notifications(self, now: datetime) -> list[OutboxItem]:
        with self._read() as session:
            rows = session.scalars(
                select(schema.Outbox)
                .where(schema.Outbox.sent_at.is_(None), schema.Outbox.next_attempt_at <= now)
                .order_by(schema.Outbox.id)
            )
            return [
                OutboxItem(
                    event=row.event,
                    title=row.title,
                    body=row.body,
                    tags=tuple(row.tags),
                    id=row.id,
                    watch_id=row.watch_id,
                    attempts=row.attempts,
                    delivered_to=tuple(row.delivered_to or ()),
                )
                for row in rows
            ]

    def mark_notification(
        self,
        item_id: int,
        *,
        now: datetime,
        error: str | None,
        retry_at: datetime | None = None,
        delivered_to: Sequence[str] = (),
    ) -> None:
        """Record a send: sent when ``error`` is None, else keep it for ``retry_at``;
        ``delivered_to``: fingerprints of the targets that have it now."""
        with self._write() as session:
            row = session.get(schema.Outbox, item_id)
            if row is None:
                return
            row.attempts += 1
            row.delivered_to = list(dict.fromkeys([*(row.delivered_to or ()), *delivered_to]))
            if error is None:
                row.sent_at = now
                row.last_error = None
            else:
                row.last_error = error
                row.next_attempt_at = retry_at or now


_TABLES = (
    schema.Watch,
    schema.Blob,
    schema.Snapshot,
    schema.Check,
    schema.Change,
    schema.Digest,
    schema.Outbox,
)


def _save_check_row(
    conn: Connection, record: CheckRecord, snapshot_id: int | None, *, update_watch: bool = True
) -> int:
    """The check's row (and, unless told not to, the watch's new state); the check id."""
    check_id = conn.execute(_INSERT_CHECK, _check_values(record, snapshot_id)).scalar_one()
    if update_watch:
        conn.execute(_UPDATE_WATCH, _watch_values(record))
    return int(check_id)


def _check_values(record: CheckRecord, snapshot_id: int | None) -> dict[str, Any]:
    """The check's row."""
    return {
        "watch_id": record.watch_id,
        "started_at": record.started_at,
        "duration_ms": record.duration_ms,
        "outcome": record.outcome,
        "http_status": record.http_status,
        "bytes": record.bytes,
        "failure_class": record.failure_class,
        "error": record.error,
        "snapshot_id": snapshot_id,
    }


def _watch_values(record: CheckRecord) -> dict[str, Any]:
    """The watch's schedule and failure state after a check; its validators unless it
    failed. ``watch_key`` is the watch's id."""
    values: dict[str, Any] = {
        "watch_key": record.watch_id,
        "next_check_at": record.next_check_at,
        "last_checked_at": record.started_at,
        "last_outcome": record.outcome,
        "last_failure_class": record.failure_class,
        "last_error": record.error,
        "consecutive_failures": record.consecutive_failures,
        "failing_since": record.failing_since,
        "failure_notified": record.failure_notified,
        "lease_owner": None,
        "lease_until": None,
    }
    if record.outcome != "error":
        values["etag"] = record.etag
        values["last_modified"] = record.last_modified
    return values


class _DriverStatement:
    """A Core statement compiled once for a dialect with a positional paramstyle
    (SQLite's) and run on the driver's cursor. Values pass through the bind processors
    of their column types, so what is stored is what SQLAlchemy would store."""

    def __init__(self, statement: Insert | Update, dialect: Dialect, keys: Sequence[str]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        assert compiled.positiontup is not None, "a positional paramstyle"
        self.sql = compiled.string
        self._binds = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]
        returning = getattr(statement, "_returning", ())
        self._results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in returning
        ]

    def params(self, values: dict[str, Any]) -> list[Any]:
        return [
            values[name] if process is None else process(values[name])
            for name, process in self._binds
        ]

    def result(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """A returned row with its columns' result processors applied."""
        return tuple(
            value if process is None else process(value)
            for value, process in zip(row, self._results, strict=True)
        )


def _already_watched(urls: Sequence[str], *, shown: int = 5) -> str:
    """The duplicates of an import, a few by name: a re-imported list of thousands
    would otherwise be an error of thousands of URLs."""
    if len(urls) == 1:
        return f"already watched: {urls[0]} (use `watcher remove` first)"
    named = ", ".join(urls[:shown])
    more = f" and {len(urls) - shown} more" if len(urls) > shown else ""
    return (
        f"already watched: {len(urls)} URLs: {named}{more} "
        "(use `watcher remove` first, or import only the new ones)"
    )


def lease_owner(token: str = "") -> str:
    """A lease owner naming this host and process (and ``token``: one check of several)."""
    return f"{socket.gethostname()}:{os.getpid()}" + (f":{token}" if token else "")


def _owner_gone(owner: str) -> bool:
    """Whether the lease owner was a process of this host that is no longer running."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, owned by another user
        return False
    return False


def _database_path(engine: Engine) -> str:
    """The SQLite file (or the URL without its password) for error messages."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def describe_database_error(where: str, detail: str) -> str:
    """One line for a database failure (``detail``: the driver's words), saying what
    to do next."""
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        return (
            f"{where}: the database is locked by another process ({detail}); "
            "try again when it has finished"
        )
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return (
            f"{where} is not a watcher database or is damaged ({detail}); "
            "restore it from a backup, or move it away to start afresh"
        )
    return f"{where}: the database cannot be used ({detail})"


@contextmanager
def _database_errors(engine: Engine) -> Iterator[None]:
    """Turn the database's own failures (locked, damaged, not a database) into a
    StoreError; constraint failures stay IntegrityErrors for the caller to judge.

    The driver's own exceptions are caught too: raised in SQLAlchemy's event
    hooks (the SQLite ``BEGIN IMMEDIATE``, the connection's pragmas), they are
    not wrapped."""
    driver = engine.dialect.loaded_dbapi
    try:
        yield
    except (IntegrityError, driver.IntegrityError):
        raise
    except DatabaseError as exc:
        detail = str(exc.orig) if exc.orig is not None else str(exc)
        raise StoreError(describe_database_error(_database_path(engine), detail)) from exc
    except driver.DatabaseError as exc:
        raise StoreError(describe_database_error(_database_path(engine), str(exc))) from exc


def _safe_url(url: str) -> str:
    """The URL without a password, for error messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def _find_watch(session: Session, ref: str | int) -> schema.Watch:
    row: schema.Watch | None
    if isinstance(ref, int) or str(ref).isdigit():
        row = session.get(schema.Watch, int(ref))
    else:
        from watcher.watchlist import normalize_url

        try:
            url = normalize_url(str(ref))
        except WatchListError:
            url = str(ref)
        row = session.scalars(select(schema.Watch).where(schema.Watch.url == url)).first()
    if row is None:
        raise WatchNotFound(f"no watch with id or URL {ref!r} (see `watcher list`)")
    return row


def _watch_state(row: Any) -> WatchState:
    """A watch from a row of ``watches`` (ORM or Core: the same attributes)."""
    return WatchState(
        id=row.id,
        url=row.url,
        name=row.name,
        every_seconds=row.every_seconds,
        selector=row.selector,
        tags=tuple(row.tags or ()),
        obey_robots=row.obey_robots,
        paused=row.paused,
        next_check_at=utc(row.next_check_at),
        consecutive_failures=row.consecutive_failures,
        failing_since=_opt_utc(row.failing_since),
        failure_notified=row.failure_notified,
        last_checked_at=_opt_utc(row.last_checked_at),
        last_outcome=row.last_outcome,
        last_failure_class=row.last_failure_class,
        last_error=row.last_error,
        etag=row.etag,
        last_modified=row.last_modified,
    )


def _snapshot_state(row: schema.Snapshot) -> SnapshotState:
    return SnapshotState(
        id=row.id,
        watch_id=row.watch_id,
        body_sha256=row.body_sha256,
        text_sha256=row.text_sha256,
        fetched_at=utc(row.fetched_at),
        final_url=row.final_url,
        title=row.title,
        subject=row.subject,
        reference_date=row.reference_date,
        reference_basis=row.reference_basis,
        claims=tuple(Claim.from_json(c) for c in row.claims),
        fingerprint=row.fingerprint,
    )


def _check_row(row: Any) -> CheckRow:
    """A check from a row of the ``checks`` table (Core or ORM: the same attributes)."""
    return CheckRow(
        id=row.id,
        watch_id=row.watch_id,
        started_at=utc(row.started_at),
        duration_ms=row.duration_ms,
        outcome=row.outcome,
        http_status=row.http_status,
        bytes=row.bytes,
        failure_class=row.failure_class,
        error=row.error,
        snapshot_id=row.snapshot_id,
    )


def _change_row(row: Any) -> ChangeRow:
    """``row``: a row of ``changes_since``'s select (the change's columns, name, url)."""
    return ChangeRow(
        kind=row.kind,
        subject=row.subject,
        slot=row.slot,
        change=row.change,
        headline=row.headline,
        old=Claim.from_json(row.old) if row.old else None,
        new=Claim.from_json(row.new) if row.new else None,
        id=row.id,
        watch_id=row.watch_id,
        watch_name=row.name,
        url=row.url,
        at=utc(row.at),
        snapshot_id=row.snapshot_id,
    )
