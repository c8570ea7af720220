"""Writing the digest site: the store's history in, files on disk out.

The pure steps (``digest.build_digest``, ``site.render_site``) make the pages;
this module gathers their input from the store and writes the files, each one
atomically (temp file + rename) so a reader never sees half a page. Stored
snapshots are published as plain-text files of their extracted text: a page's
own HTML is never served from the digest, so nothing from it can run there.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from watcher.digest import (
    CHANGES_PER_PAGE,
    MAX_CHANGE_PAGES,
    MAX_CHECKS,
    MAX_TEXT_DIFFS,
    ChangeRecord,
    CheckRecord,
    Digest,
    DigestInput,
    VersionRecord,
    WatchRecord,
    build_digest,
)
from watcher.records import ChangeRow, CheckRow, SnapshotState, WatchState
from watcher.runtime import Runtime
from watcher.site import render_changed
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


MANIFEST = ".digest-manifest.json"
LOCK = ".digest.lock"
_TEMP = re.compile(r"(?:^|/)\.[^/]+\.\d+-\d+\.tmp$")  # _write_atomically's temp names


def _write_atomically(path: Path, data: bytes, *, made: set[Path] | None = None) -> None:
    """Write ``path`` through a temp file and a rename. ``made``: folders known to
    exist already (a digest writes thousands of files into three folders)."""
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(path.parent)
    # One writer per process and thread at a time, so a fixed name per writer is
    # unique: no random names to try (mkstemp), and the file gets the usual
    # permissions (umask) a web server can read, not mkstemp's 0600.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read_manifest(out_dir: Path) -> dict[str, str]:
    """Content key per file of the digest already in ``out_dir`` ({} if none or unreadable)."""
    try:
        raw = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = raw.get("files") if isinstance(raw, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def _write_manifest(out_dir: Path, keys: dict[str, str]) -> None:
    body = json.dumps({"version": 1, "files": keys}, separators=(",", ":"), sort_keys=True)
    _write_atomically(out_dir / MANIFEST, body.encode("utf-8"))


def _present(out_dir: Path, folders: set[str]) -> set[str]:
    """Relative paths of the files in ``out_dir`` and its ``folders`` (one listing each,
    not a stat per file)."""
    found: set[str] = set()
    for folder in ("", *sorted(folders)):
        try:
            with os.scandir(out_dir / folder) as entries:
                found.update(folder + "/" + e.name if folder else e.name for e in entries)
        except (FileNotFoundError, NotADirectoryError):
            continue
    return found


@dataclass(frozen=True, slots=True)
class Written:
    """What one digest did to its folder."""

    pages: int  # pages of the site (HTML, feed, style sheet)
    rendered: int  # pages made and written; the others were already there unchanged
    snapshots: int  # snapshot text files written
    removed: int  # files of the previous digest that this one no longer has


def write_site(out_dir: Path, digest: Digest, data: DigestInput) -> Written:
    """Write the site into ``out_dir``, making only the pages whose content changed
    since the digest already there, and the snapshot texts its pages link to.

    ``out_dir/.digest-manifest.json`` holds each file's content key. It is written
    last, and before any page is replaced the keys of the pages about to change are
    taken out of it: a digest stopped half-way leaves each file whole (temp file and
    rename) and a manifest that vouches only for files that match it, so the next
    digest makes the rest. Files of the previous digest that this one does not have
    (a removed watch's page, a page of changes no longer needed) are deleted."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        return _write_site(out_dir, digest, data)


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One digest at a time per folder (``watcher run`` and ``watcher digest`` may
    meet there): two writers could leave a manifest vouching for the other's page."""
    with open(out_dir / LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_site(out_dir: Path, digest: Digest, data: DigestInput) -> Written:
    present = _present(out_dir, {"subjects", "watches", SNAPSHOT_DIR})
    # Temp files of a writer that died (killed, power cut): no other writer runs now.
    for relative in [p for p in present if _TEMP.search(p)]:
        (out_dir / relative).unlink(missing_ok=True)
        present.discard(relative)
    previous = {p: k for p, k in _read_manifest(out_dir).items() if p in present}
    files, keys = render_changed(digest, previous)
    stale = [p for p in previous if p not in keys]
    if any(previous.get(p) for p in files) or stale:
        _write_manifest(
            out_dir, {p: k for p, k in previous.items() if p in keys and p not in files}
        )
    made: set[Path] = set()
    for relative, content in files.items():
        _write_atomically(out_dir / relative, content.encode("utf-8"), made=made)
    snapshots = 0
    for watch in data.watches:
        for version in watch.versions:
            path = version.snapshot_path
            if path is None or path in present:  # snapshots never change once stored
                continue
            _write_atomically(out_dir / path, version.text.encode("utf-8"), made=made)
            snapshots += 1
    for relative in stale:
        (out_dir / relative).unlink(missing_ok=True)
    _write_manifest(out_dir, keys)
    return Written(pages=len(keys), rendered=len(files), snapshots=snapshots, removed=len(stale))


def write_files(out_dir: Path, files: dict[str, str], data: DigestInput) -> int:
    """Write every file of a rendered site and the snapshot text files it links to
    (no manifest: the next ``write_site`` there makes every page); returns how many
    files were written."""
    made: set[Path] = set()
    for relative, content in files.items():
        _write_atomically(out_dir / relative, content.encode("utf-8"), made=made)
    present = _present(out_dir, {SNAPSHOT_DIR})
    written = len(files)
    for watch in data.watches:
        for version in watch.versions:
            path = version.snapshot_path
            if path is not None and path not in present:  # snapshots never change once stored
                _write_atomically(out_dir / path, version.text.encode("utf-8"), made=made)
                written += 1
    return written


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a digest is made, as it was after.

    A digest makes millions of small objects that live until it is written, and no
    garbage cycles worth chasing: with the collector on, each time the heap grows by a
    quarter it walks the whole heap again (gather + build + render measured 1.9 s CPU
    with it and 1.4 s without at 1,000 watches, 10.3 s and 7.5 s at 10,000). The switch
    is the process's: in ``watcher run`` the check threads' cycles wait until the
    digest is written (a few seconds), then the collector runs as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    with collector_paused():
        data = digest_input(store, now=now, since=since)  # type: ignore[arg-type]
        written = write_site(out_dir, build_digest(data), data)
    store.record_digest(at=now, last_change_id=store.last_change_id(), out_dir=str(out_dir))
    log.info(
        "digest: %d of %d pages made, %d snapshot texts written, %d old files removed in %s",
        written.rendered,
        written.pages,
        written.snapshots,
        written.removed,
        out_dir,
    )
    return out_dir / "index.html"
