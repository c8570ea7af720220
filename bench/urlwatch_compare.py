"""urlwatch on the same local corpus: checks/min, CPU per check and bytes per stored version.

urlwatch 2.29 lives in its own virtualenv, never in watcher's dependencies::

    python3 -m venv /tmp/urlwatch-venv
    /tmp/urlwatch-venv/bin/pip install urlwatch==2.29 html2text

For each N this starts the same local news server as ``bench/throughput.py``
(same seed, same pages, same rounds), writes a jobs file of the same URLs, each
with urlwatch's ``html2text`` filter (its default method), and runs
``urlwatch`` once per pass as a child process (reports to stdout, discarded).
Per pass: wall time, the child's CPU and peak RSS (``os.wait4``), and the
cache database (minidb, SQLite) size and row count, so that bytes per stored
version = growth of the cache file / new cache rows.

urlwatch sends ``If-None-Match`` with the ETag it kept and ``If-Modified-Since``
with its last run time, so an unchanged page is a 304 for it as for watcher.
Its checks filter the page to text and diff it; they extract no claims.

    .venv/bin/python bench/urlwatch_compare.py --n 1000 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import server

DEFAULT_URLWATCH = "/tmp/urlwatch-venv/bin/urlwatch"

_CONFIG = """\
display:
  new: true
  error: true
  unchanged: false
  empty-diff: true
report:
  text:
    line_length: 75
    details: true
    footer: true
    minimal: false
  stdout:
    enabled: true
    color: false
  email:
    enabled: false
  html:
    diff: unified
"""


@dataclass(frozen=True, slots=True)
class Setup:
    folder: Path
    urls: Path
    config: Path
    cache: Path
    hooks: Path


def prepare(folder: Path, urls: list[str]) -> Setup:
    folder.mkdir(parents=True, exist_ok=True)
    jobs = folder / "urls.yaml"
    docs = [
        f"name: bench article {i}\nurl: {url}\nfilter: html2text\n" for i, url in enumerate(urls)
    ]
    jobs.write_text("---\n".join(docs), encoding="utf-8")
    config = folder / "urlwatch.yaml"
    config.write_text(_CONFIG, encoding="utf-8")
    hooks = folder / "hooks.py"
    hooks.write_text("", encoding="utf-8")
    return Setup(folder, jobs, config, folder / "cache.db", hooks)


def cache_stats(cache: Path) -> dict[str, int]:
    if not cache.exists():
        return {"rows": 0, "bytes": 0, "data_bytes": 0}
    with sqlite3.connect(cache) as conn:
        rows, data = conn.execute(
            "SELECT count(*), coalesce(sum(length(data)), 0) FROM CacheEntry"
        ).fetchone()
    size = sum(
        p.stat().st_size for p in (cache, cache.with_name(cache.name + "-wal")) if p.exists()
    )
    return {"rows": int(rows), "bytes": size, "data_bytes": int(data)}


def run_pass(setup: Setup, urlwatch: str, srv: server.Running, checks: int) -> dict[str, Any]:
    """One ``urlwatch`` run over every job, measured from outside."""
    before = cache_stats(setup.cache)
    s0 = srv.control("stats")
    t0 = time.perf_counter()
    cmd = [urlwatch, "--urls", str(setup.urls), "--config", str(setup.config),
           "--cache", str(setup.cache), "--hooks", str(setup.hooks)]  # fmt: skip
    errors = setup.folder / "stderr.txt"
    with open(os.devnull, "w") as sink, errors.open("w") as err_file:
        process = subprocess.Popen(cmd, stdout=sink, stderr=err_file)
        # wait4, not wait: the rusage of this child alone (CPU, peak RSS).
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    err = errors.read_text(encoding="utf-8", errors="replace")
    wall = time.perf_counter() - t0
    if process.returncode != 0:
        raise RuntimeError(f"urlwatch failed ({process.returncode}): {err[-2000:]}")
    s1 = srv.control("stats")
    after = cache_stats(setup.cache)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "checks": checks,
        "wall_s": wall,
        "cpu_s": cpu,
        "checks_per_min": checks / wall * 60,
        "cpu_ms_per_check": cpu * 1000 / checks,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "server_200": s1.get("status_200", 0) - s0.get("status_200", 0),
        "server_304": s1.get("status_304", 0) - s0.get("status_304", 0),
        "server_cpu_s": s1["cpu_s"] - s0["cpu_s"],
        "new_rows": after["rows"] - before["rows"],
        "cache_growth": after["bytes"] - before["bytes"],
        "cache_bytes": after["bytes"],
        "cache_rows": after["rows"],
        "stderr_tail": err[-300:],
    }


def run_n(
    n: int,
    fractions: list[float],
    *,
    rounds: int,
    seed: int,
    scratch: Path,
    urlwatch: str = DEFAULT_URLWATCH,
) -> dict[str, Any]:
    srv = server.start(n, seed=seed)
    out: dict[str, Any] = {"n": n, "configs": []}
    try:
        srv.control("warm")
        base = prepare(scratch / f"urlwatch-n{n}" / "seed", srv.urls())
        print(f"[urlwatch N={n}] first pass (all new) ...", flush=True)
        first = run_pass(base, urlwatch, srv, n)
        first["bytes_per_version"] = first["cache_bytes"] / max(first["cache_rows"], 1)
        out["first"] = first
        _say(n, "first", first)
        for fraction in fractions:
            srv.control("reset")
            folder = scratch / f"urlwatch-n{n}" / f"f{fraction:g}"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(base.folder, folder)
            setup = prepare(folder, srv.urls())
            passes = []
            for _ in range(rounds):
                # urlwatch's If-Modified-Since is its last run time, in whole seconds.
                time.sleep(1.0)
                srv.control("round", fraction=fraction)
                passes.append(run_pass(setup, urlwatch, srv, n))
            summary = _summarize(passes)
            summary["fraction"] = fraction
            out["configs"].append(summary)
            _say(n, f"{fraction:.0%}", summary)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        srv.stop()
    return out


def _summarize(passes: list[dict[str, Any]]) -> dict[str, Any]:
    checks = sum(p["checks"] for p in passes)
    wall = sum(p["wall_s"] for p in passes)
    cpu = sum(p["cpu_s"] for p in passes)
    rows = sum(p["new_rows"] for p in passes)
    growth = sum(p["cache_growth"] for p in passes)
    return {
        "checks": checks,
        "wall_s": wall,
        "checks_per_min": checks / wall * 60,
        "cpu_ms_per_check": cpu * 1000 / checks,
        "maxrss_mb": max(p["maxrss_mb"] for p in passes),
        "server_200": sum(p["server_200"] for p in passes),
        "server_304": sum(p["server_304"] for p in passes),
        "new_versions": rows,
        "bytes_per_new_version": growth / rows if rows else 0.0,
        "cache_bytes": passes[-1]["cache_bytes"],
        "cache_rows": passes[-1]["cache_rows"],
        "passes": passes,
    }


def _say(n: int, label: str, s: dict[str, Any]) -> None:
    print(
        f"[urlwatch N={n}] {label}: {s['checks']} checks ({s['server_304']} × 304), "
        f"{s['checks_per_min']:,.0f}/min, {s['cpu_ms_per_check']:.2f} ms CPU/check, "
        f"RSS {s['maxrss_mb']:.0f} MB",
        flush=True,
    )


def report(runs: list[dict[str, Any]]) -> str:
    rows = []
    for run in runs:
        first = run["first"]
        rows.append(
            [f"{run['n']:,}", "first pass (new)", first["checks"], first["checks_per_min"],
             first["cpu_ms_per_check"], first["bytes_per_version"], first["maxrss_mb"]]
        )  # fmt: skip
        for c in run["configs"]:
            rows.append(
                [f"{run['n']:,}", f"{c['fraction']:.0%} change", c["checks"], c["checks_per_min"],
                 c["cpu_ms_per_check"], c["bytes_per_new_version"] if c["new_versions"] else "-",
                 c["maxrss_mb"]]
            )  # fmt: skip
    return common.table(
        rows, ["N", "pass", "checks", "checks/min", "CPU ms/check", "B/version", "peak RSS MB"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.0, 0.1, 1.0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--urlwatch", default=DEFAULT_URLWATCH)
    parser.add_argument("--quick", action="store_true", help="N=200, one pass each")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not Path(args.urlwatch).exists():
        print(f"no urlwatch at {args.urlwatch}; install it into its own venv (see --help)")
        return 2
    if args.quick:
        args.n, args.rounds = [200], 1
    version = subprocess.run(
        [args.urlwatch, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"{version}: N={args.n}; {common.busy_note()}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="urlwatch-bench-"))
    try:
        runs = [
            run_n(n, args.fractions, rounds=args.rounds, seed=args.seed, scratch=scratch,
                  urlwatch=args.urlwatch)
            for n in args.n
        ]  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(report(runs))
    out = args.json or common.RESULTS / f"urlwatch-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    print(f"\nraw figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
