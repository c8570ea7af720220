"""Bytes stored per check: what a new version and an unchanged check add to the database.

Starts the local news server, makes a home with N watches and runs the first
pass, then passes at 100% change and passes at 0% change. For each kind it
reports, per check: raw body bytes received, blob bytes added (``stored_bytes``
delta: zstd body + zstd extracted text), the claims JSON of the snapshot rows,
the growth of the SQLite file (every table and index, after a WAL checkpoint)
and that growth as a share of the raw body. At the end it breaks the blobs down
by codec (whole or delta against the watch's previous version, with the chain
depths), times reading every watch's latest body back (chains resolved and
verified), and breaks the database down by table and index (SQLite's ``dbstat``).

    .venv/bin/python bench/storage.py --n 300 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import corpus
import server
from throughput import _settings, measure_pass

from watcher import blobs


def by_table(rt: Any) -> list[tuple[str, int]]:
    with rt.store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = conn.exec_driver_sql(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC"
        ).all()
    return [(str(name), int(size)) for name, size in rows]


def by_codec(rt: Any) -> list[dict[str, Any]]:
    """Blobs by codec: how many, raw and stored bytes, and their delta-chain depths."""
    with rt.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT codec, count(*), sum(size), sum(length(data)), avg(depth), max(depth)"
            " FROM blobs GROUP BY codec ORDER BY codec"
        ).all()
    return [
        {
            "codec": str(codec),
            "blobs": int(count),
            "raw_per_blob": raw / count,
            "stored_per_blob": stored / count,
            "stored_share_of_raw": stored / raw if raw else 0.0,
            "mean_depth": float(mean_depth),
            "max_depth": int(max_depth),
        }
        for codec, count, raw, stored, mean_depth, max_depth in rows
    ]


def read_latest(rt: Any) -> dict[str, float]:
    """Wall time to read back every watch's latest body through ``Store.blob``."""
    shas = [s for w in rt.store.list_watches() if (s := rt.store.latest_body_sha(w.id))]
    t0 = time.perf_counter()
    raw = sum(len(rt.store.blob(sha)) for sha in shas)
    elapsed = time.perf_counter() - t0
    return {"bodies": len(shas), "raw_bytes": raw, "ms_per_body": elapsed * 1000 / len(shas)}


def _per_check(kind: str, passes: list[dict[str, Any]]) -> dict[str, Any]:
    checks = sum(p["checks"] for p in passes)
    versions = sum(p["versions"]["versions"] for p in passes)
    body_raw = sum(p["versions"]["body_raw"] for p in passes)
    blob_added = sum(p["delta"]["stored_bytes"] for p in passes)
    growth = sum(p["delta"]["db_bytes"] for p in passes)
    return {
        "kind": kind,
        "checks": checks,
        "new_versions": versions,
        "raw_body_per_version": body_raw / versions if versions else 0.0,
        "body_blob_per_version": sum(p["versions"]["body_stored"] for p in passes) / versions
        if versions
        else 0.0,
        "text_blob_per_version": sum(p["versions"]["text_stored"] for p in passes) / versions
        if versions
        else 0.0,
        "claims_json_per_version": sum(p["versions"]["claims_json"] for p in passes) / versions
        if versions
        else 0.0,
        "blob_bytes_per_check": blob_added / checks,
        "db_growth_per_check": growth / checks,
        "db_growth_share_of_raw": growth / body_raw if body_raw else None,
        "blob_share_of_raw": blob_added / body_raw if body_raw else None,
    }


def run(n: int, rounds: int, seed: int) -> dict[str, Any]:
    from watcher.runtime import Runtime
    from watcher.watchlist import make_spec

    srv = server.start(n, seed=seed)
    try:
        srv.control("warm")
        with tempfile.TemporaryDirectory() as tmp, Runtime.open(_settings(Path(tmp), 8)) as rt:
            specs = [
                make_spec(srv.base + corpus.page_path(seed, i), every="1h", obey_robots=False)
                for i in range(n)
            ]
            rt.store.add_watches(specs, now=rt.clock())
            first = measure_pass(rt, srv.base, cap=None)
            changed = []
            for _ in range(rounds):
                srv.control("round", fraction=1.0)
                changed.append(measure_pass(rt, srv.base, cap=None))
            unchanged = []
            for _ in range(rounds):
                srv.control("round", fraction=0.0)
                unchanged.append(measure_pass(rt, srv.base, cap=None))
            codecs = by_codec(rt)
            reads = read_latest(rt)
            tables = by_table(rt)
            total = common.db_bytes(Path(tmp))
    finally:
        srv.stop()
    return {
        "n": n,
        "rows": [
            _per_check("first version (new)", [first]),
            _per_check("changed", changed),
            _per_check("unchanged", unchanged),
        ],
        "chain_limit": blobs.CHAIN_LIMIT,
        "codecs": codecs,
        "read_latest": reads,
        "tables": tables,
        "db_bytes": total,
        "outcomes": [p["outcomes"] for p in (first, *changed, *unchanged)],
    }


def report(result: dict[str, Any]) -> str:
    rows = [
        [
            r["kind"],
            r["checks"],
            r["raw_body_per_version"] or "-",
            r["body_blob_per_version"] or "-",
            r["text_blob_per_version"] or "-",
            r["claims_json_per_version"] or "-",
            r["blob_bytes_per_check"],
            r["db_growth_per_check"],
            f"{r['db_growth_share_of_raw']:.0%}" if r["db_growth_share_of_raw"] else "-",
        ]
        for r in result["rows"]
    ]
    main = common.table(
        rows,
        ["check", "checks", "raw body B", "body blob B", "text blob B", "claims JSON B",
         "blob B/check", "db growth B/check", "growth/raw"],
    )  # fmt: skip
    codecs = common.table(
        [
            [c["codec"], c["blobs"], c["raw_per_blob"], c["stored_per_blob"],
             f"{c['stored_share_of_raw']:.1%}", f"{c['mean_depth']:.1f}", c["max_depth"]]
            for c in result["codecs"]
        ],
        ["codec", "blobs", "raw B/blob", "stored B/blob", "stored/raw", "mean depth",
         "max depth"],
    )  # fmt: skip
    reads = result["read_latest"]
    tables = common.table(
        [[name, size, f"{size / result['db_bytes']:.0%}"] for name, size in result["tables"]],
        ["table or index", "bytes", "share"],
    )
    return (
        f"{main}\n\nBlobs by codec (a chain holds at most {result['chain_limit']} blobs):\n"
        f"{codecs}\n\nReading each watch's latest body back: {reads['bodies']} bodies, "
        f"{reads['ms_per_body']:.2f} ms each\n\n"
        f"SQLite file {result['db_bytes']:,} bytes, by table and index:\n{tables}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = run(args.n, args.rounds, args.seed)
    print(report(result))
    out = args.json or common.RESULTS / f"storage-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    common.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
