"""Time ``extract_claims`` per article: median and p95 milliseconds.

    .venv/bin/python bench/claims_speed.py [--devset ../shared/devset/articles] [--repeat 5]

Uses the seed snapshots and, when present, the devset articles. Then times hostile
inputs of growing size (one run-on sentence of repeated dates; thousands of one-line
items, each a claim about its own subject, diffed against a changed copy), whose cost
must grow in proportion to their size, not faster.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from claims_eval import GoldArticle, load_devset, load_seeds

from watcher.claims import extract_claims
from watcher.diff import diff_claims

ROOT = Path(__file__).resolve().parent.parent


def timings(articles: list[GoldArticle], repeat: int) -> list[tuple[float, int]]:
    """(milliseconds, characters) per article and run."""
    out: list[tuple[float, int]] = []
    for article in articles:
        for _ in range(repeat):
            started = time.perf_counter()
            extract_claims(article.text, reference_date=article.reference_date, title=article.title)
            out.append(((time.perf_counter() - started) * 1000, len(article.text)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared/devset/articles")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sets = {"seeds": load_seeds(ROOT / "tests/data/gold_seeds.json")}
    if args.devset.is_dir():
        sets["devset"] = load_devset(args.devset)
    extract_claims("Warm-up. It premieres on May 5, 2024.")  # compile regexes once
    for name, articles in sets.items():
        runs = timings(articles, args.repeat)
        ms = sorted(t for t, _ in runs)
        # Time scaled to a 5 KB article, the size the speed target is stated for.
        per_5kb = statistics.median(t * 5000 / max(1, size) for t, size in runs)
        sizes = [len(a.text) for a in articles]
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        print(
            f"{name}: {len(articles)} articles, median size {statistics.median(sizes):.0f} chars, "
            f"median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms, "
            f"median scaled to 5 KB {per_5kb:.2f} ms"
        )
        # The target is stated for a 5 KB article: the articles near that size, unscaled
        # (a fixed cost per article makes linear scaling of short ones pessimistic).
        near = sorted(t for t, size in runs if 4000 <= size <= 6000)
        if near:
            count = len(near) // args.repeat
            print(f"{name}: {count} articles of 4-6 KB, median {statistics.median(near):.2f} ms")
    hostile()
    return 0


def _run_on(n: int) -> str:
    return "Run-on\n\n" + "Season 2 premieres on April 14, 2027, " * n


def _many_subjects(n: int, day: int = 1) -> str:
    return "Many\n\n" + "\n\n".join(
        f"Show {i} Season 2 is set to premiere on April {(i + day) % 28 + 1}, 2027 on Netflix."
        for i in range(n)
    )


def hostile() -> None:
    """Milliseconds per KB as hostile inputs grow: flat means linear."""
    for label, make, sizes in (
        ("run-on sentence", _run_on, (250, 1000, 4000)),
        ("one-line items", _many_subjects, (500, 2000, 5000)),
    ):
        for n in sizes:
            text = make(n)
            started = time.perf_counter()
            result = extract_claims(text, reference_date=None)
            extracted = time.perf_counter() - started
            line = f"{label}: {n} repeats, {len(text) / 1000:.0f} KB, {len(result.claims)} claims, "
            line += f"extract {extracted:.2f} s ({extracted * 1e6 / len(text):.2f} ms/KB)"
            if make is _many_subjects:
                changed = extract_claims(_many_subjects(n, day=2), reference_date=None)
                started = time.perf_counter()
                changes = diff_claims(
                    result.claims,
                    changed.claims,
                    old_subject=result.subject,
                    new_subject=changed.subject,
                )
                line += f", diff {time.perf_counter() - started:.2f} s ({len(changes)} changes)"
            print(line)


if __name__ == "__main__":
    raise SystemExit(main())
