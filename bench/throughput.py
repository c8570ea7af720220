"""Throughput and cost of checks: checks/min, CPU and bytes per check, peak RSS, by N and change.

For each N (number of watches) a local news server (``bench/server.py``, its
own process) serves N corpus pages. A fresh child process makes a new home
(SQLite), adds the N watches in one ``store.add_watches`` call and runs the
first pass (every check ``new``). Then, for each change fraction, a fresh child
works on a copy of that home: before each measured pass the server moves
``fraction × N`` pages to a new version, and the pass reads the watch list and
runs ``Runtime.check_many`` over it, as ``watcher check --all`` does.

Per pass it records wall time (``perf_counter``), CPU of the whole process and
of the check processes ``check_many`` started (``getrusage``: every thread, user
+ system), CPU of each check run in this process's threads (``thread_time``; the
children's checks are not sampled) by outcome, the server's CPU (reported, not charged),
new blob bytes (``store.stored_bytes``), new rows and the growth of the SQLite
file, and the child's peak RSS (``ru_maxrss``, one child per configuration).

Settings: per_host_delay=0, jitter=0, obey_robots=False, and
per_host_concurrency = max_concurrent_checks (every watch is on one loopback
host; a real list spreads over many hosts, each capped at 2 in flight).

    .venv/bin/python bench/throughput.py --quick             # N=200, ~1 min
    .venv/bin/python bench/throughput.py --n 1000 10000 --rounds 2 --cap-full 2000

``--cap-full K`` checks only the first K watches per pass at 100% change (the
rate is per check; a full 10,000-page changed pass alone takes minutes).
"""

from __future__ import annotations

import argparse
import faulthandler
import itertools
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import corpus

log = logging.getLogger("bench.throughput")


# ---------------------------------------------------------------- child side


def _settings(home: Path, workers: int, processes: int | None = None) -> Any:
    from watcher.settings import Settings

    # Processes for check_many: watcher's default (0: one per core) unless the
    # environment or the caller says otherwise.
    if processes is None:
        processes = int(os.environ.get("WATCHER_BENCH_PROCESSES", "0"))
    return Settings(
        home=home,
        per_host_delay=0.0,
        jitter=0.0,
        obey_robots=False,
        max_concurrent_checks=workers,
        per_host_concurrency=workers,
        check_processes=processes,
    )


def _cpu_s() -> float:
    """CPU of this process and of the check processes it has waited for (check_many
    joins its children before it returns), user + system."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return common.cpu_s() + children.ru_utime + children.ru_stime


def _server_stats(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/_control/stats", timeout=60) as answer:
        data: dict[str, Any] = json.loads(answer.read())
        return data


def _server_round(base: str, fraction: float) -> dict[str, Any]:
    request = urllib.request.Request(f"{base}/_control/round?fraction={fraction}", method="POST")
    with urllib.request.urlopen(request, timeout=600) as answer:
        data: dict[str, Any] = json.loads(answer.read())
        return data


def _store_totals(rt: Any) -> dict[str, int]:
    from sqlalchemy import text

    with rt.store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        row = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM blobs), (SELECT coalesce(sum(size), 0) FROM blobs),"
                " (SELECT coalesce(sum(length(data)), 0) FROM blobs),"
                " (SELECT coalesce(max(id), 0) FROM snapshots), (SELECT count(*) FROM checks),"
                " (SELECT count(*) FROM changes)"
            )
        ).one()
    return {
        "blobs": int(row[0]),
        "blob_raw": int(row[1]),
        "blob_stored": int(row[2]),
        "max_snapshot": int(row[3]),
        "checks": int(row[4]),
        "changes": int(row[5]),
        "stored_bytes": rt.store.stored_bytes(),
        "db_bytes": common.db_bytes(rt.settings.home),
    }


def _new_versions(rt: Any, after_snapshot: int) -> dict[str, int]:
    """Raw and stored sizes of the bodies, texts and claims of snapshots after an id."""
    from sqlalchemy import text

    with rt.store.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*), coalesce(sum(b.size), 0), coalesce(sum(length(b.data)), 0),"
                " coalesce(sum(t.size), 0), coalesce(sum(length(t.data)), 0),"
                " coalesce(sum(length(s.claims)), 0)"
                " FROM snapshots s JOIN blobs b ON b.sha256 = s.body_sha256"
                " JOIN blobs t ON t.sha256 = s.text_sha256 WHERE s.id > :after"
            ),
            {"after": after_snapshot},
        ).one()
    keys = ("versions", "body_raw", "body_stored", "text_raw", "text_stored", "claims_json")
    return {k: int(v) for k, v in zip(keys, row, strict=True)}


def measure_pass(rt: Any, base: str, *, cap: int | None) -> dict[str, Any]:
    """One pass over the watch list (or its first ``cap`` watches), measured."""
    per_outcome: dict[str, list[float]] = defaultdict(list)
    lock = threading.Lock()
    original = type(rt).check

    def timed(watch: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        result = original(rt, watch, **kwargs)
        spent = time.thread_time() - t0
        with lock:
            per_outcome[result.outcome].append(spent * 1000)
        return result

    rt.check = timed  # the instance attribute shadows the method check_many calls
    before = _store_totals(rt)
    server0 = _server_stats(base)
    cpu0, wall0 = _cpu_s(), time.perf_counter()
    watches = rt.store.list_watches()
    if cap is not None:
        watches = watches[:cap]
    results = rt.check_many(watches)
    wall = time.perf_counter() - wall0
    cpu = _cpu_s() - cpu0
    server1 = _server_stats(base)
    del rt.check
    after = _store_totals(rt)
    versions = _new_versions(rt, before["max_snapshot"])
    outcomes: dict[str, int] = defaultdict(int)
    for r in results:
        outcomes[r.outcome] += 1
    errors = [f"{r.url}: {r.error}" for r in results if r.outcome == "error"][:3]
    return {
        "checks": len(results),
        "outcomes": dict(outcomes),
        "errors": errors,
        "wall_s": wall,
        "cpu_s": cpu,
        "thread_cpu_ms": {k: sorted(v) for k, v in per_outcome.items()},
        "server_cpu_s": server1["cpu_s"] - server0["cpu_s"],
        "server_200": server1.get("status_200", 0) - server0.get("status_200", 0),
        "server_304": server1.get("status_304", 0) - server0.get("status_304", 0),
        "delta": {k: after[k] - before[k] for k in after if k != "max_snapshot"},
        "versions": versions,
        "db_bytes_after": after["db_bytes"],
        "maxrss_mb": common.maxrss_mb(),
    }


def child_seed(args: argparse.Namespace) -> None:
    """Add the N watches (unless --slice) and run the first pass over the first --cap."""
    from watcher.runtime import Runtime
    from watcher.watchlist import make_spec

    home = Path(args.home)
    # The slices are seeded in several of these processes at once already.
    with Runtime.open(_settings(home, args.workers, 1 if args.slice else None)) as rt:
        if args.slice:
            start, stop = (int(x) for x in args.slice.split(":"))
            rt.check_many(rt.store.list_watches()[start:stop])
            common.emit({})
            return
        specs = [
            make_spec(
                args.base + corpus.page_path(args.seed, i),
                name=f"bench article {i}",
                every="1h",
                obey_robots=False,
            )
            for i in range(args.n[0])
        ]
        t0 = time.perf_counter()
        rt.store.add_watches(specs, now=rt.clock())
        add_s = time.perf_counter() - t0
        first = measure_pass(rt, args.base, cap=args.cap)
    common.emit({"add_watches_s": add_s, "first": first})


def _seed_rest(home: Path, base: str, start: int, n: int, workers: int, procs: int) -> float:
    """First versions of watches[start:n], in ``procs`` processes at once (not measured)."""
    from concurrent.futures import ThreadPoolExecutor

    bounds = [start + (n - start) * k // procs for k in range(procs + 1)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(procs) as pool:
        jobs = [
            pool.submit(
                common.run_child,
                [
                    __file__,
                    "--child",
                    "seed",
                    "--home",
                    str(home),
                    "--base",
                    base,
                    "--workers",
                    str(workers),
                    "--slice",
                    f"{a}:{b}",
                ],
            )
            for a, b in itertools.pairwise(bounds)
        ]
        for job in jobs:
            job.result()
    return time.perf_counter() - t0


def child_steady(args: argparse.Namespace) -> None:
    from watcher.runtime import Runtime

    home = Path(args.home)
    passes = []
    with Runtime.open(_settings(home, args.workers)) as rt:
        for _ in range(args.rounds):
            moved = _server_round(args.base, args.fraction)
            measured = measure_pass(rt, args.base, cap=args.cap)
            measured["server_round"] = moved
            passes.append(measured)
    common.emit({"passes": passes, "maxrss_mb": common.maxrss_mb()})


# ---------------------------------------------------------------- parent side


def summarize(passes: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals over the measured passes of one configuration."""
    checks = sum(p["checks"] for p in passes)
    wall = sum(p["wall_s"] for p in passes)
    cpu = sum(p["cpu_s"] for p in passes)
    outcomes: dict[str, int] = defaultdict(int)
    thread: dict[str, list[float]] = defaultdict(list)
    for p in passes:
        for k, v in p["outcomes"].items():
            outcomes[k] += v
        for k, v in p["thread_cpu_ms"].items():
            thread[k].extend(v)
    delta: dict[str, int] = defaultdict(int)
    versions: dict[str, int] = defaultdict(int)
    for p in passes:
        for k, v in p["delta"].items():
            delta[k] += v
        for k, v in p["versions"].items():
            versions[k] += v
    changed = outcomes.get("changed", 0) + outcomes.get("new", 0)
    unchanged = outcomes.get("unchanged", 0)
    return {
        "checks": checks,
        "outcomes": dict(outcomes),
        "errors": [e for p in passes for e in p["errors"]][:3],
        "checks_per_min": checks / wall * 60 if wall else 0.0,
        "wall_s": wall,
        "cpu_ms_per_check": cpu * 1000 / checks if checks else 0.0,
        "thread_cpu_ms": {
            k: {"n": len(v), "median": common.median(v), "p95": common.percentile(v, 95)}
            for k, v in thread.items()
        },
        "server_cpu_ms_per_check": sum(p["server_cpu_s"] for p in passes) * 1000 / checks
        if checks
        else 0.0,
        "server_304": sum(p["server_304"] for p in passes),
        "blob_bytes_per_changed": delta["stored_bytes"] / changed if changed else 0.0,
        "blob_bytes_per_unchanged": delta["stored_bytes"] / checks if not changed and checks else 0,
        "db_growth_per_check": delta["db_bytes"] / checks if checks else 0.0,
        "changed": changed,
        "unchanged": unchanged,
        "delta": dict(delta),
        "versions": dict(versions),
        "db_bytes_after": passes[-1]["db_bytes_after"] if passes else 0,
    }


def run_n(
    n: int,
    fractions: list[float],
    *,
    rounds: int,
    cap_full: int | None,
    workers: int,
    seed: int,
    scratch: Path,
    cap_first: int | None = None,
    seed_procs: int = 2,
) -> dict[str, Any]:
    """First pass and every change fraction for one N.

    With ``cap_first`` below N only the first ``cap_first`` checks of the first
    pass are measured; the rest are seeded in ``seed_procs`` processes at once."""
    import server

    srv = server.start(n, seed=seed)
    out: dict[str, Any] = {"n": n, "configs": []}
    try:
        out["server_warm"] = srv.control("warm")
        base_home = scratch / f"n{n}" / "seed"
        print(f"[N={n}] first pass (all new) ...", flush=True)
        measured_first = cap_first if cap_first and cap_first < n else None
        seeded = common.run_child(
            [__file__, "--child", "seed", "--home", str(base_home), "--base", srv.base,
             "--n", str(n), "--seed", str(seed), "--workers", str(workers),
             *(["--cap", str(measured_first)] if measured_first else [])]
        )  # fmt: skip
        if measured_first:
            print(f"[N={n}] first versions of the other {n - measured_first:,} watches "
                  f"({seed_procs} processes, not measured) ...", flush=True)  # fmt: skip
            out["seed_rest_s"] = _seed_rest(
                base_home, srv.base, measured_first, n, workers, seed_procs
            )
        out["seed_db_bytes"] = common.db_bytes(base_home)
        first = summarize([seeded.result["first"]])
        first.update(
            cap=measured_first,
            maxrss_mb=seeded.maxrss_mb,
            child_cpu_s=seeded.cpu_s,
            add_watches_s=seeded.result["add_watches_s"],
        )
        out["first"] = first
        out["seed_home"] = str(base_home)
        _say(n, "first", first)
        for fraction in fractions:
            srv.control("reset")
            home = scratch / f"n{n}" / f"f{fraction:g}"
            shutil.rmtree(home, ignore_errors=True)
            shutil.copytree(base_home, home)
            cap = cap_full if fraction >= 1.0 and cap_full and cap_full < n else None
            passes = 1 if fraction >= 1.0 else rounds  # every check changed: one pass is plenty
            print(f"[N={n}] {fraction:.0%} change, {passes} passes ...", flush=True)
            steady = common.run_child(
                [__file__, "--child", "steady", "--home", str(home), "--base", srv.base,
                 "--fraction", str(fraction), "--rounds", str(passes), "--workers", str(workers),
                 *(["--cap", str(cap)] if cap else [])]
            )  # fmt: skip
            summary = summarize(steady.result["passes"])
            summary.update(
                fraction=fraction, cap=cap, maxrss_mb=steady.maxrss_mb, child_cpu_s=steady.cpu_s
            )
            out["configs"].append(summary)
            _say(n, f"{fraction:.0%}", summary)
            shutil.rmtree(home, ignore_errors=True)
    finally:
        srv.stop()
    return out


def _say(n: int, label: str, s: dict[str, Any]) -> None:
    print(
        f"[N={n}] {label}: {s['checks']} checks {s['outcomes']}, {s['checks_per_min']:,.0f}/min, "
        f"{s['cpu_ms_per_check']:.2f} ms CPU/check, RSS {s['maxrss_mb']:.0f} MB"
        + (f", errors e.g. {s['errors'][0]}" if s["errors"] else ""),
        flush=True,
    )


def report(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        n = run["n"]
        first_label = "first pass (new)" + (
            f" (first {run['first']['cap']:,})" if run["first"].get("cap") else ""
        )
        for label, s in [(first_label, run["first"])] + [
            (f"{c['fraction']:.0%} change" + (f" (first {c['cap']:,})" if c["cap"] else ""), c)
            for c in run["configs"]
        ]:
            thread = s["thread_cpu_ms"]
            rows.append(
                [
                    f"{n:,}",
                    label,
                    s["checks"],
                    s["checks_per_min"],
                    s["cpu_ms_per_check"],
                    thread.get("unchanged", {}).get("median", "-"),
                    (thread.get("changed") or thread.get("new") or {}).get("median", "-"),
                    s["server_cpu_ms_per_check"],
                    s["blob_bytes_per_changed"] if s["changed"] else "-",
                    s["db_growth_per_check"],
                    s["maxrss_mb"],
                ]
            )
    return common.table(
        rows,
        [
            "N", "pass", "checks", "checks/min", "CPU ms/check", "unchanged ms (med)",
            "changed ms (med)", "server ms/check", "blob B/changed", "db B/check", "peak RSS MB",
        ],
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.0, 0.1, 1.0])
    parser.add_argument("--rounds", type=int, default=2, help="measured passes per config")
    parser.add_argument("--cap-full", type=int, default=2000, help="watches per 100%% pass")
    parser.add_argument("--workers", type=int, default=8, help="max_concurrent_checks")
    parser.add_argument(
        "--cap-first", type=int, help="measure only this many first-pass checks; seed the rest"
    )
    parser.add_argument("--slice", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="N=200, one pass each")
    parser.add_argument("--keep", type=Path, help="keep the homes under this folder")
    parser.add_argument("--json", type=Path, help="write the raw figures here")
    parser.add_argument("--child", choices=("seed", "steady"), help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--fraction", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    faulthandler.enable()  # a crash in a check thread (lxml, sqlite) leaves its traceback
    if args.child == "seed":
        child_seed(args)
        return 0
    if args.child == "steady":
        child_steady(args)
        return 0
    if args.quick:
        args.n, args.rounds = [200], 1
    print(f"throughput: N={args.n}, fractions={args.fractions}, {args.rounds} passes each; "
          f"{common.busy_note()}", flush=True)  # fmt: skip
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="watcher-bench-"))
    runs = []
    try:
        for n in args.n:
            runs.append(
                run_n(
                    n,
                    args.fractions,
                    rounds=args.rounds,
                    cap_full=args.cap_full,
                    workers=args.workers,
                    seed=args.seed,
                    scratch=scratch,
                    cap_first=args.cap_first,
                )
            )
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(report(runs))
    out = args.json or common.RESULTS / f"throughput-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    print(f"\nraw figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
