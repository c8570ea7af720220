"""Extract + claims time per changed article on the benchmark corpus (median, p95).

For ``--pages`` corpus pages at a new version, runs the pure steps of a
changed check one after another, each timed with ``thread_time`` (CPU) in one
thread, no I/O: ``extract_article`` (trafilatura + htmldate), ``extract_claims``,
the claims fingerprint and ``diff_claims`` against the previous version's
claims, and zstd compression of the body as the store does it. Warm-up pages
(imports, lazy regex compilation) are excluded.

    .venv/bin/python bench/extract_speed.py --pages 200
    .venv/bin/python bench/extract_speed.py --pages 100 --profile extract   # cProfile one step
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import corpus


def _steps() -> dict[str, Callable[..., Any]]:
    import zstandard

    from watcher import diff
    from watcher.claims import extract_claims
    from watcher.extract import extract_article

    now = datetime(2027, 1, 1, tzinfo=UTC)
    compressor = zstandard.ZstdCompressor(level=9)

    def extract(html: str) -> Any:
        return extract_article(html, content_type="text/html", url="http://bench.local/a", now=now)

    def claims(article: Any) -> Any:
        return extract_claims(
            article.text,
            reference_date=article.published,
            reference_basis="html" if article.published else "fetched",
            title=article.title,
        )

    def fingerprint(found: Any) -> str:
        return diff.claims_fingerprint(found.claims, found.subject)

    def diff_step(old: Any, new: Any) -> Any:
        return diff.diff_claims(
            old.claims, new.claims, old_subject=old.subject, new_subject=new.subject
        )

    def compress(html: str) -> bytes:
        return compressor.compress(html.encode("utf-8"))

    return {
        "extract": extract,
        "claims": claims,
        "fingerprint": fingerprint,
        "diff": diff_step,
        "compress": compress,
    }


def run(pages: int, seed: int, warmup: int = 5) -> dict[str, Any]:
    steps = _steps()
    timings: dict[str, list[float]] = {k: [] for k in (*steps, "extract+claims")}
    claim_counts: list[int] = []
    text_sizes: list[int] = []
    for i in range(pages + warmup):
        old_html = corpus.render_page(seed, i, 0)
        new_html = corpus.render_page(seed, i, 1)
        old = steps["claims"](steps["extract"](old_html))
        spent: dict[str, float] = {}

        def timed(name: str, *args: Any) -> Any:
            t0 = time.thread_time()
            out = steps[name](*args)
            spent[name] = (time.thread_time() - t0) * 1000  # noqa: B023  # used at once
            return out

        article = timed("extract", new_html)
        found = timed("claims", article)
        timed("fingerprint", found)
        timed("diff", old, found)
        timed("compress", new_html)
        if i < warmup:
            continue
        for name, ms in spent.items():
            timings[name].append(ms)
        timings["extract+claims"].append(spent["extract"] + spent["claims"])
        claim_counts.append(len(found.claims))
        text_sizes.append(len(article.text))
    return {
        "pages": pages,
        "claims_per_article": common.median(claim_counts),
        "text_chars": common.median(text_sizes),
        "steps": {
            name: {
                "median_ms": common.median(v),
                "p95_ms": common.percentile(v, 95),
                "mean_ms": sum(v) / len(v),
            }
            for name, v in timings.items()
        },
    }


def profile(step: str, pages: int, seed: int, top: int) -> str:
    steps = _steps()
    inputs = []
    for i in range(pages):
        html = corpus.render_page(seed, i, 1)
        article = steps["extract"](html)
        inputs.append((html, article))
    prof = cProfile.Profile()
    prof.enable()
    for html, article in inputs:
        if step == "extract":
            steps["extract"](html)
        else:
            steps["claims"](article)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def report(result: dict[str, Any]) -> str:
    rows = [
        [name, s["median_ms"], s["p95_ms"], s["mean_ms"]] for name, s in result["steps"].items()
    ]
    return (
        f"{result['pages']} changed articles, median {result['claims_per_article']:.0f} claims, "
        f"{result['text_chars']:,.0f} characters of article text\n"
        + common.table(rows, ["step (CPU, one thread)", "median ms", "p95 ms", "mean ms"])
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=("extract", "claims"))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile, args.pages, args.seed, args.top))
        return 0
    result = run(args.pages, args.seed)
    print(report(result))
    out = args.json or common.RESULTS / f"extract-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    common.emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
