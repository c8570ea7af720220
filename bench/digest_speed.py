"""Digest render time for 10,000 change events, stage by stage, from a real benchmark home.

The home comes from a real first pass over the local corpus (every claim of a
new article is an ``added`` change event): either ``--home`` (e.g. the seed
home ``bench/throughput.py --keep DIR`` leaves in ``DIR/n10000/seed``) or one
made here for ``--n`` watches (``--keep DIR`` keeps it for the next run). The
digest input is gathered from the store as ``watcher.publish.write_digest``
gathers it (the newest 10,000 change events, what its pages can list), cut to
the newest ``--events``, then built (``build_digest``), rendered
(``render_site``) and written to a temporary folder with the snapshot text files
(``publish.write_files``), each stage timed (wall and CPU).

Then ``write_digest`` end to end, three times into one folder, as ``watcher
run`` does all day: into the empty folder (as ``watcher digest`` the first
time), again with nothing new, and again after a batch of checks: the server
moves ``--batch-pages`` pages to a new version and the watches due in one minute
of an hourly schedule (N/60) plus the moved ones are checked (not timed).

    .venv/bin/python bench/digest_speed.py --n 1000 --keep /tmp/digest-n1000   # ~1 min to make
    .venv/bin/python bench/digest_speed.py --home /tmp/digest-n1000
    .venv/bin/python bench/digest_speed.py --n 10000 --keep /tmp/digest-n10000  # ~6 min to make
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common


class Stopwatch:
    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    def run(self, name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        c0, w0 = common.cpu_s(), time.perf_counter()
        out = fn(*args, **kwargs)
        self.stages[name] = {
            "wall_s": time.perf_counter() - w0,
            "cpu_s": common.cpu_s() - c0,
        }
        return out


def measure(
    home: Path, events: int, *, end_to_end: bool = True, batch_pages: int = 0, seed: int = 1
) -> dict[str, Any]:
    from watcher.digest import build_digest
    from watcher.publish import digest_input, write_digest, write_files

    try:
        from watcher.publish import collector_paused
    except ImportError:  # code from before it: the collector stays on, as write_digest had it
        collector_paused = contextlib.nullcontext
    from watcher.runtime import Runtime
    from watcher.settings import Settings
    from watcher.site import render_site

    watch = Stopwatch()
    rewrites: dict[str, dict[str, Any]] = {}
    # Every folder is deleted at the end: deleting 20,000 files makes the disk slow
    # to create the next ones for a while, which would land on the next stage.
    with Runtime.open(Settings(home=home)) as rt, tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(UTC)
        rt_events = rt.store.last_change_id()  # a benchmark home never deletes events
        with collector_paused():  # the stages run as write_digest runs them
            full = watch.run("gather (store → input)", digest_input, rt.store, now=now, since=None)
            newest = sorted(full.changes, key=lambda c: (c.at, c.id), reverse=True)[:events]
            data = replace(full, changes=tuple(newest))
            digest = watch.run("build_digest", build_digest, data)
            files = watch.run("render_site", render_site, digest)
            written = watch.run("write files", write_files, Path(tmp, "staged"), files, data)
        sizes = {
            "watches": len(full.watches),
            "events_loaded": len(full.changes),
            "events": len(data.changes),
            "pages": len(files),
            "site_bytes": sum(len(v.encode()) for v in files.values()),
        }
        del full, data, digest, files  # what write_digest makes next is its own
        staged = {
            "wall_s": sum(s["wall_s"] for s in watch.stages.values()),
            "cpu_s": sum(s["cpu_s"] for s in watch.stages.values()),
        }
        whole: dict[str, float] | None = None
        if end_to_end:
            site = Path(tmp, "site")
            whole = _timed(write_digest, rt, out_dir=site, since=None)
            # The same folder again, as `watcher run` rewrites it after every run
            # with changes: first with nothing new, then after a batch of checks.
            rewrites["nothing new"] = _timed(write_digest, rt, out_dir=site, since=None)
            if batch_pages:
                batch = _check_batch(home, rt, batch_pages, seed)
                timed = _timed(write_digest, rt, out_dir=site, since=None)
                rewrites[_batch_label(batch)] = {**timed, "batch": batch}
    return {
        "home": str(home),
        **sizes,
        "events_in_home": rt_events,
        "stages": watch.stages,
        "staged_total": staged,
        "files_written": written,
        "write_digest_all_events": whole,
        "rewrites": rewrites,
        "maxrss_mb": common.maxrss_mb(),
    }


def _timed(fn: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
    c0, w0 = common.cpu_s(), time.perf_counter()
    fn(*args, **kwargs)
    return {"wall_s": time.perf_counter() - w0, "cpu_s": common.cpu_s() - c0}


def _batch_label(batch: dict[str, int]) -> str:
    return (
        f"write_digest again after {batch['checks']:,} checks "
        f"({batch['changed']} changed, {batch['events']} new events)"
    )


def _check_batch(home: Path, rt: Any, pages: int, seed: int) -> dict[str, int]:
    """Between two digests of ``watcher run``: the server moves ``pages`` pages to a
    new version, then the watches due in one minute of an hourly schedule (N/60) and
    the moved ones are checked (not timed)."""
    from urllib.parse import urlsplit

    import corpus
    import server
    import throughput

    from watcher.runtime import Runtime

    watches = rt.store.list_watches()
    n = len(watches)
    by_index = {int(urlsplit(w.url).path.split("/")[2]): w for w in watches}
    port = urlsplit(watches[0].url).port or 0  # the home's URLs name the server's port
    srv = server.start(n, seed=seed, port=port)
    try:
        moved = srv.control("round", fraction=pages / n)
        changed = corpus.changed_in_round(seed, n, moved["round"], pages / n)
        chosen = {w.id: w for w in watches[: max(1, n // 60)]}
        chosen.update((by_index[i].id, by_index[i]) for i in changed)
        before = rt.store.last_change_id()
        with Runtime.open(throughput._settings(home, 8, 1)) as checker:
            results = checker.check_many(list(chosen.values()))
        events = rt.store.last_change_id() - before
    finally:
        srv.stop()
    return {
        "checks": len(results),
        "changed": sum(1 for r in results if r.outcome == "changed"),
        "errors": sum(1 for r in results if r.outcome == "error"),
        "events": events,
    }


FIRST_PROCESS_CHECKS = 1000  # beyond these, the first versions are made in 2 processes


def _make_home(n: int, seed: int, home: Path) -> Path:
    import server
    import throughput

    srv = server.start(n, seed=seed)
    try:
        srv.control("warm")
        print(f"digest: first pass over {n} watches to make change events ...", flush=True)
        cap = ["--cap", str(FIRST_PROCESS_CHECKS)] if n > FIRST_PROCESS_CHECKS else []
        common.run_child(
            [str(common.BENCH / "throughput.py"), "--child", "seed", "--home", str(home),
             "--base", srv.base, "--n", str(n), "--seed", str(seed), *cap]
        )  # fmt: skip
        if cap:
            throughput._seed_rest(home, srv.base, FIRST_PROCESS_CHECKS, n, 8, 2)
    finally:
        srv.stop()
    return home


def report(result: dict[str, Any]) -> str:
    rows = [[name, s["wall_s"], s["cpu_s"]] for name, s in result["stages"].items()]
    rows.append(
        ["total (staged)", result["staged_total"]["wall_s"], result["staged_total"]["cpu_s"]]
    )
    if result["write_digest_all_events"]:
        rows.append(
            [
                f"write_digest into an empty folder, newest {result['events_loaded']:,} events",
                result["write_digest_all_events"]["wall_s"],
                result["write_digest_all_events"]["cpu_s"],
            ]
        )
    for label, timed in result.get("rewrites", {}).items():
        shown = (
            "write_digest again into that folder, nothing new" if label == "nothing new" else label
        )
        rows.append([shown, timed["wall_s"], timed["cpu_s"]])
    head = (
        f"digest of {result['events']:,} change events (newest of {result['events_in_home']:,}) "
        f"over {result['watches']:,} watches"
        + (f" with {result['history']:,} more checks each" if result.get("history") else "")
        + ": "
        f"{result['pages']:,} pages, {result['files_written']:,} files, "
        f"{result['site_bytes'] / 1e6:.1f} MB of HTML; peak RSS {result['maxrss_mb']:.0f} MB\n"
    )
    return head + common.table(rows, ["stage", "wall s", "CPU s"])


def _add_history(home: Path, per_watch: int) -> None:
    """``per_watch`` unchanged checks (HTTP 304) for every watch, as the hourly checks of
    a service that ran for days leave them: the digest reads each watch's latest."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(home / "watcher.db")) as db, db:
        firsts = db.execute("SELECT watch_id, MIN(started_at) FROM checks GROUP BY watch_id")
        db.executemany(
            "INSERT INTO checks (watch_id, started_at, duration_ms, outcome, http_status, "
            "bytes) VALUES (?, ?, 1.0, 'unchanged', 304, 0)",
            [(watch, at) for watch, at in firsts.fetchall() for _ in range(per_watch)],
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing benchmark home")
    parser.add_argument("--n", type=int, default=1000, help="watches, when making a home")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="make the home here and keep it (with --n)")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="skip the end-to-end write_digest"
    )
    parser.add_argument(
        "--batch-pages",
        type=int,
        default=60,
        help="pages moved before the last rewrite (0: no batch)",
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="unchanged checks added to each watch's history first, as weeks of "
        "`watcher run` leave (0: the home as it is)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    scratch = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    try:
        home = args.home or _make_home(args.n, args.seed, args.keep or scratch / "home")
        # Work on a copy: write_digest records a digest row in the store.
        work = scratch / "work"
        shutil.copytree(home, work)
        if args.history:
            _add_history(work, args.history)
        result = measure(
            work,
            args.events,
            end_to_end=not args.no_end_to_end,
            batch_pages=args.batch_pages,
            seed=args.seed,
        )
        result["home"] = str(home)
        result["history"] = args.history
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(report(result))
    out = args.json or common.RESULTS / f"digest-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    common.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
