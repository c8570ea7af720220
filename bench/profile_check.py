"""Where a check spends its CPU: cProfile of unchanged and changed checks, one thread.

Starts the local news server, makes a home with N watches, runs the first pass,
then profiles a pass with no page changed (every check ``unchanged``) and a
pass with every page changed, each run sequentially in the main thread so that
cProfile sees all of it. Prints the top functions by own time and by
cumulative time, and the CPU per check of each pass.

    .venv/bin/python bench/profile_check.py --n 200
    .venv/bin/python bench/profile_check.py --n 200 --only unchanged --top 40
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import corpus
import server
from throughput import _settings


def _pass(rt: Any, label: str, top: int, sort: tuple[str, ...]) -> None:
    watches = rt.store.list_watches()
    profile = cProfile.Profile()
    c0 = time.process_time()
    profile.enable()
    outcomes: dict[str, int] = {}
    # As check_many does: the latest body hashes read with the watch list, not per check.
    shas = rt.store.latest_body_shas(w.id for w in watches)
    for watch in watches:
        result = rt.check(watch, known_shas=shas)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    profile.disable()
    spent = time.process_time() - c0
    print(f"\n=== {label}: {len(watches)} checks {outcomes}, "
          f"{spent * 1000 / len(watches):.2f} ms CPU per check (under cProfile) ===")  # fmt: skip
    for key in sort:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(text[text.find("   ncalls") :])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=("unchanged", "changed"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    from watcher.runtime import Runtime
    from watcher.watchlist import make_spec

    srv = server.start(args.n, seed=args.seed)
    try:
        srv.control("warm")
        with tempfile.TemporaryDirectory() as tmp, Runtime.open(_settings(Path(tmp), 1, 1)) as rt:
            specs = [
                make_spec(srv.base + corpus.page_path(args.seed, i), every="1h", obey_robots=False)
                for i in range(args.n)
            ]
            rt.store.add_watches(specs, now=rt.clock())
            for watch in rt.store.list_watches():
                rt.check(watch)
            if args.only != "changed":
                _pass(rt, "unchanged (304)", args.top, ("tottime", "cumulative"))
            if args.only != "unchanged":
                srv.control("round", fraction=1.0)
                _pass(rt, "changed", args.top, ("tottime", "cumulative"))
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
