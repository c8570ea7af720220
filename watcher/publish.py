"""Writing the digest site: the store's history in, files on disk out.

The pure steps (``digest.build_digest``, ``site.render_site``) make the pages;
this module gathers their input from the store and writes the files, each one
atomically (temp file + rename) so a reader never sees half a page. Stored
snapshots are published as plain-text files of their extracted text: a page's
own HTML is never served from the digest, so nothing from it can run there.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

from watcher.digest import (
    CHANGES_PER_PAGE,
    MAX_CHANGE_PAGES,
    MAX_CHECKS,
    MAX_TEXT_DIFFS,
    ChangeRecord,
    CheckRecord,
    DigestInput,
    VersionRecord,
    WatchRecord,
    build_digest,
)
from watcher.records import ChangeRow, CheckRow, SnapshotState, WatchState
from watcher.runtime import Runtime
from watcher.site import render_site
from watcher.store import Store

log = logging.getLogger(__name__)

SNAPSHOT_DIR = "snapshots"


def snapshot_file(snapshot_id: int) -> str:
    return f"{SNAPSHOT_DIR}/{snapshot_id}.txt"


def _check(row: CheckRow) -> CheckRecord:
    return CheckRecord(
        at=row.started_at,
        outcome=row.outcome,
        http_status=row.http_status,
        bytes=row.bytes,
        duration_ms=row.duration_ms,
        failure_class=row.failure_class,
        error=row.error,
    )


def _version(snapshot: SnapshotState, texts: dict[str, str]) -> VersionRecord:
    return VersionRecord(
        watch_id=snapshot.watch_id,
        snapshot_id=snapshot.id,
        fetched_at=snapshot.fetched_at,
        subject=snapshot.subject,
        reference_date=snapshot.reference_date,
        claims=snapshot.claims,
        text=texts.get(snapshot.text_sha256, ""),
        snapshot_path=snapshot_file(snapshot.id) if snapshot.text_sha256 in texts else None,
    )


def _watch(
    watch: WatchState, checks: list[CheckRow], versions: list[SnapshotState], texts: dict[str, str]
) -> WatchRecord:
    return WatchRecord(
        id=watch.id,
        url=watch.url,
        name=watch.name,
        tags=watch.tags,
        checks=tuple(_check(c) for c in checks),
        versions=tuple(_version(v, texts) for v in versions),
        consecutive_failures=watch.consecutive_failures,
        failing_since=watch.failing_since,
        last_error=watch.last_error,
    )


def _change(row: ChangeRow) -> ChangeRecord:
    assert row.at is not None, "stored changes have a time"
    return ChangeRecord(
        id=row.id,
        watch_id=row.watch_id,
        at=row.at,
        change=row.claim_change(),
        snapshot_id=row.snapshot_id,
    )


def digest_input(store: Store, *, now: datetime, since: datetime | None) -> DigestInput:
    """Gather what the digest shows from the store."""
    watches, checks, snapshots, texts = store.history(
        check_limit=MAX_CHECKS, text_versions=MAX_TEXT_DIFFS + 1
    )
    return DigestInput(
        now=now,
        since=since,
        watches=tuple(
            _watch(w, checks.get(w.id, []), snapshots.get(w.id, []), texts) for w in watches
        ),
        # The pages list at most this many changes; loading the whole history would
        # make every digest cost more as the database grows.
        changes=tuple(
            _change(row) for row in store.changes_since(limit=CHANGES_PER_PAGE * MAX_CHANGE_PAGES)
        ),
    )


def _write_atomically(path: Path, data: bytes, *, made: set[Path] | None = None) -> None:
    """Write ``path`` through a temp file and a rename. ``made``: folders known to
    exist already (a digest writes thousands of files into three folders)."""
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(out_dir: Path, files: dict[str, str], data: DigestInput) -> int:
    """Write the rendered site and the snapshot text files it links to; returns
    how many files were written."""
    made: set[Path] = set()
    for relative, content in files.items():
        _write_atomically(out_dir / relative, content.encode("utf-8"), made=made)
    written = len(files)
    for watch in data.watches:
        for version in watch.versions:
            if version.snapshot_path is None:
                continue
            target = out_dir / version.snapshot_path
            if not target.exists():  # snapshots never change once stored
                _write_atomically(target, version.text.encode("utf-8"), made=made)
                written += 1
    return written


def write_digest(
    runtime: Runtime, *, out_dir: Path, since: datetime | str | None = "previous"
) -> Path:
    """Write the site to ``out_dir`` and return its index.html.

    ``since="previous"`` lists the changes made since the previous digest."""
    store = runtime.store
    now = runtime.clock()
    if since == "previous":
        previous = store.last_digest()
        since = previous[0] if previous else None
    data = digest_input(store, now=now, since=since)  # type: ignore[arg-type]
    files = render_site(build_digest(data))
    written = write_files(out_dir, files, data)
    store.record_digest(at=now, last_change_id=store.last_change_id(), out_dir=str(out_dir))
    log.info("digest: %d files written in %s", written, out_dir)
    return out_dir / "index.html"
