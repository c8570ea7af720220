"""Every benchmark in one run, side by side with urlwatch, checked against the targets.

Runs, in order: throughput (``bench/throughput.py``) for each N at 0%, 10% and
100% change; urlwatch on the same corpus and rounds (``bench/urlwatch_compare.py``);
extract + claims per article (``bench/extract_speed.py``); bytes stored per
check (``bench/storage.py``); the digest of 10,000 change events built from the
largest N's home (``bench/digest_speed.py``). Prints one table per part, how the
figures grow with N, and the targets met or missed; writes the whole report to
``bench/results/run_all-<time>.md`` and the raw figures next to it.

    .venv/bin/python bench/run_all.py            # N = 1,000 and 10,000; ~15 min on 2 cores
    .venv/bin/python bench/run_all.py --quick    # N = 200 and 1,000; ~4 min, for development

Run it on an otherwise idle machine: other processes on the same cores skew
every figure (the report starts with the load average).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import throughput
import urlwatch_compare


def _by_fraction(run: dict[str, Any], fraction: float) -> dict[str, Any] | None:
    return next((c for c in run["configs"] if c["fraction"] == fraction), None)


def growth_table(runs: list[dict[str, Any]]) -> str:
    """How the figures move from the smallest N to the largest."""
    if len(runs) < 2:
        return "(one N only)"
    small, big = runs[0], runs[-1]
    rows = []

    def add(label: str, a: float | None, b: float | None) -> None:
        if a is None or b is None:
            return
        rows.append([label, a, b, f"×{b / a:.2f}" if a else "-"])

    for fraction in (0.0, 0.1, 1.0):
        sa, sb = _by_fraction(small, fraction), _by_fraction(big, fraction)
        if sa and sb:
            add(f"checks/min at {fraction:.0%}", sa["checks_per_min"], sb["checks_per_min"])
            add(f"CPU ms/check at {fraction:.0%}", sa["cpu_ms_per_check"], sb["cpu_ms_per_check"])
            add(f"peak RSS MB at {fraction:.0%}", sa["maxrss_mb"], sb["maxrss_mb"])
            add(
                f"db growth B/check at {fraction:.0%}",
                sa["db_growth_per_check"],
                sb["db_growth_per_check"],
            )
    add("first pass checks/min", small["first"]["checks_per_min"], big["first"]["checks_per_min"])
    add("first pass peak RSS MB", small["first"]["maxrss_mb"], big["first"]["maxrss_mb"])
    add(
        "SQLite file after first pass, MB",
        small["seed_db_bytes"] / 1e6,
        big["seed_db_bytes"] / 1e6,
    )
    return common.table(
        rows, ["figure", f"N={small['n']:,}", f"N={big['n']:,}", f"×{big['n'] // small['n']} N"]
    )


def targets(
    runs: list[dict[str, Any]],
    uw: dict[str, Any] | None,
    extract: dict[str, Any],
    storage: dict[str, Any],
    digests: list[dict[str, Any]],
) -> str:
    big = runs[-1]
    rows: list[list[object]] = []

    def check(name: str, value: str, goal: str, ok: bool | None) -> None:
        rows.append([name, value, goal, "-" if ok is None else ("met" if ok else "MISSED")])

    if uw is not None:
        ours = next(r for r in runs if r["n"] == uw["n"])
        for fraction, factor in ((0.0, 2.0), (0.1, 1.0)):
            a, b = _by_fraction(ours, fraction), _by_fraction(uw, fraction)
            if a and b:
                ratio = a["checks_per_min"] / b["checks_per_min"]
                check(
                    f"checks/min vs urlwatch at {fraction:.0%} (N={uw['n']:,})",
                    f"{a['checks_per_min']:,.0f} vs {b['checks_per_min']:,.0f} = ×{ratio:.2f}",
                    f"≥ ×{factor:g}",
                    ratio >= factor,
                )
        full = _by_fraction(ours, 1.0)
        uw_full = _by_fraction(uw, 1.0)
        if full and uw_full and uw_full["new_versions"]:
            mine = full["delta"]["db_bytes"] / max(full["changed"], 1)
            theirs = uw_full["bytes_per_new_version"]
            check(
                "bytes per stored version vs urlwatch",
                f"{mine:,.0f} vs {theirs:,.0f} B = {mine / theirs:.2f}",
                "≤ 1/3",
                mine <= theirs / 3,
            )
    ten = _by_fraction(big, 0.1)
    if ten:
        check(
            f"checks/min, N={big['n']:,}, 10% change",
            f"{ten['checks_per_min']:,.0f}",
            "≥ 20,000",
            ten["checks_per_min"] >= 20_000,
        )
    zero = _by_fraction(big, 0.0)
    if zero:
        check(
            f"CPU per unchanged check (N={big['n']:,}, whole process)",
            f"{zero['cpu_ms_per_check']:.2f} ms",
            "≤ 2 ms",
            zero["cpu_ms_per_check"] <= 2.0,
        )
        check(
            "new body bytes per unchanged check",
            f"{zero['delta']['stored_bytes'] / max(zero['checks'], 1):.0f} B",
            "0",
            zero["delta"]["stored_bytes"] == 0,
        )
    ec = extract["steps"]["extract+claims"]
    check(
        "extract + claims per changed article",
        f"median {ec['median_ms']:.1f} ms, p95 {ec['p95_ms']:.1f} ms",
        "median ≤ 20 ms",
        ec["median_ms"] <= 20,
    )
    rss = max([big["first"]["maxrss_mb"]] + [c["maxrss_mb"] for c in big["configs"]])
    check(f"peak RSS, N={big['n']:,}", f"{rss:.0f} MB", "≤ 250 MB", rss <= 250)
    changed_row = next(r for r in storage["rows"] if r["kind"] == "changed")
    share = changed_row["db_growth_share_of_raw"] or 0.0
    check(
        "changed version stored / raw size (SQLite growth)",
        f"{share:.0%} ({changed_row['db_growth_per_check']:,.0f} of "
        f"{changed_row['raw_body_per_version']:,.0f} B)",
        "≤ 30%",
        share <= 0.30,
    )
    for d in digests:
        staged = d["staged_total"]["wall_s"]
        check(
            f"digest of {d['events']:,} events ({d['watches']:,} watches)",
            f"{staged:.2f} s (gather {d['stages']['gather (store → input)']['wall_s']:.2f}, "
            f"build {d['stages']['build_digest']['wall_s']:.2f}, "
            f"render {d['stages']['render_site']['wall_s']:.2f})",
            "≤ 2 s",
            staged <= 2.0,
        )
        for timed in d.get("rewrites", {}).values():
            if "batch" not in timed:
                continue
            batch = timed["batch"]
            check(
                f"digest rewritten after {batch['checks']:,} checks, {batch['events']} new events "
                f"({d['watches']:,} watches)",
                f"{timed['wall_s']:.2f} s ({timed['cpu_s']:.2f} s CPU)",
                "≤ 2 s",
                timed["wall_s"] <= 2.0,
            )
    return common.table(rows, ["target", "measured", "goal", "verdict"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N=200 and 1,000, one pass each")
    parser.add_argument("--n", type=int, nargs="+", help="override the Ns")
    parser.add_argument("--rounds", type=int, help="measured passes per configuration")
    parser.add_argument("--cap-full", type=int, help="watches per 100%% pass")
    parser.add_argument(
        "--cap-first",
        type=int,
        default=1000,
        help="first-pass checks measured when N is larger; the rest are seeded in 2 processes",
    )
    parser.add_argument("--urlwatch", default=urlwatch_compare.DEFAULT_URLWATCH)
    parser.add_argument("--urlwatch-n", type=int, nargs="+", help="Ns for urlwatch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    ns = args.n or ([200, 1000] if args.quick else [1000, 10_000])
    rounds = args.rounds or 1
    cap_full = args.cap_full or (500 if args.quick else 1000)
    uw_ns = args.urlwatch_n or [ns[-1] if args.quick else 1000]
    fractions = [0.0, 0.1, 1.0]
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    head = [
        f"# watcher benchmarks, {started:%Y-%m-%d %H:%M} UTC",
        "",
        "Command: `"
        + " ".join([".venv/bin/python bench/run_all.py", *(argv or sys.argv[1:])])
        + "`",
        f"Machine: {common.busy_note()} at start; Python {sys.version.split()[0]}.",
        f"Ns {ns}, change fractions {fractions}, {rounds} measured passes each, "
        f"{args.workers} check threads; 100% passes check the first {cap_full:,} watches; "
        f"first passes measure the first {args.cap_first:,} checks (the rest seeded unmeasured).",
    ]
    print("\n".join(head), flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="watcher-run-all-"))
    stamp = f"{started:%Y%m%dT%H%M%S}"
    try:
        runs = [
            throughput.run_n(
                n,
                fractions,
                rounds=rounds,
                cap_full=cap_full,
                workers=args.workers,
                seed=args.seed,
                scratch=scratch,
                cap_first=args.cap_first,
            )
            for n in ns
        ]
        uw_runs: list[dict[str, Any]] = []
        if Path(args.urlwatch).exists():
            version = subprocess.run(
                [args.urlwatch, "--version"], capture_output=True, text=True, check=True
            ).stdout.strip()
            head.append(f"Compared with {version} ({args.urlwatch}, its own venv).")
            for n in uw_ns:
                uw_runs.append(
                    urlwatch_compare.run_n(
                        n, fractions, rounds=rounds, seed=args.seed, scratch=scratch,
                        urlwatch=args.urlwatch,
                    )
                )  # fmt: skip
        else:
            head.append(f"urlwatch not found at {args.urlwatch}: no comparison.")
        print("extract + claims per article ...", flush=True)
        extract = common.run_child(
            [str(common.BENCH / "extract_speed.py"), "--pages", "100" if args.quick else "200",
             "--seed", str(args.seed), "--json", str(common.RESULTS / f"extract-{stamp}.json")]
        ).result  # fmt: skip
        print("bytes stored per check ...", flush=True)
        storage = common.run_child(
            [str(common.BENCH / "storage.py"), "--n", "150" if args.quick else "200",
             "--rounds", "1", "--seed", str(args.seed),
             "--json", str(common.RESULTS / f"storage-{stamp}.json")]
        ).result  # fmt: skip
        digests = []
        for k, run in enumerate((runs[0], runs[-1]) if len(runs) > 1 else runs):
            print(f"digest of 10,000 change events, home of N={run['n']:,} ...", flush=True)
            digests.append(
                common.run_child(
                    [str(common.BENCH / "digest_speed.py"), "--home", run["seed_home"],
                     "--events", "10000", "--seed", str(args.seed),
                     "--json", str(common.RESULTS / f"digest{k}-{stamp}.json")]
                ).result
            )  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    import digest_speed
    import extract_speed
    import storage as storage_bench

    sections = [
        "\n".join(head),
        "## Throughput (watcher)\n\n" + throughput.report(runs),
        "## How it grows with N\n\n" + growth_table(runs),
    ]
    if uw_runs:
        sections.append("## urlwatch on the same corpus\n\n" + urlwatch_compare.report(uw_runs))
    sections += [
        "## Extract + claims per changed article\n\n" + extract_speed.report(extract),
        "## Bytes stored per check\n\n" + storage_bench.report(storage),
        "## Digest\n\n" + "\n\n".join(digest_speed.report(d) for d in digests),
        "## Targets\n\n"
        + targets(runs, uw_runs[0] if uw_runs else None, extract, storage, digests),
        f"Whole run: {(time.perf_counter() - t0) / 60:.1f} min; machine at the end: "
        f"{common.busy_note()}.",
    ]
    text = "\n\n".join(sections) + "\n"
    print("\n" + text)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / f"run_all-{stamp}.md").write_text(text, encoding="utf-8")
    raw = {"throughput": runs, "urlwatch": uw_runs, "extract": extract, "storage": storage}
    raw["digest"] = digests
    (common.RESULTS / f"run_all-{stamp}.json").write_text(json.dumps(raw, indent=1), "utf-8")
    print(f"report: {common.RESULTS / f'run_all-{stamp}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
