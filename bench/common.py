"""Helpers shared by the benchmark scripts: child processes, settings, sizes, tables.

Each measured configuration runs in a fresh child process so that its peak RSS
is its own; :func:`run_child` reads the child's rusage with ``os.wait4`` (CPU
and peak RSS of that child alone) and its result from a ``RESULT {json}`` line.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"  # git-ignored
VENV_PYTHON = str(ROOT / ".venv" / "bin" / "python")


@dataclass(frozen=True, slots=True)
class ChildRun:
    result: dict[str, Any]
    cpu_s: float  # user + system of the child and the children it waited for
    maxrss_mb: float
    wall_s: float


def run_child(argv: Sequence[str], *, python: str = VENV_PYTHON, retries: int = 1) -> ChildRun:
    """Run ``python argv...``; its last ``RESULT `` line is the result. Raises on failure.

    A child killed by a signal is run again ``retries`` times: watcher's check
    threads can abort the process ("double free or corruption" inside lxml while
    trafilatura copies a tree), and one crash should not lose a 15-minute run."""
    for attempt in range(retries + 1):
        try:
            return _run_child_once(argv, python)
        except ChildCrashed as exc:
            print(f"WARNING: {exc}; attempt {attempt + 1} of {retries + 1}", flush=True)
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


class ChildCrashed(RuntimeError):
    pass


def _run_child_once(argv: Sequence[str], python: str) -> ChildRun:
    t0 = time.perf_counter()
    process = subprocess.Popen([python, *argv], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    result: dict[str, Any] | None = None
    for line in process.stdout:
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
        else:
            sys.stdout.write(line)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode < 0:
        raise ChildCrashed(
            f"benchmark child killed by signal {-process.returncode}: {' '.join(argv)}"
        )
    if process.returncode != 0 or result is None:
        raise RuntimeError(f"benchmark child failed ({process.returncode}): {' '.join(argv)}")
    return ChildRun(
        result=result,
        cpu_s=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        wall_s=time.perf_counter() - t0,
    )


def emit(result: dict[str, Any]) -> None:
    """The child's side of :func:`run_child`."""
    print("RESULT " + json.dumps(result), flush=True)


def cpu_s() -> float:
    """CPU seconds of this process, all threads, user + system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def db_bytes(home: Path) -> int:
    """Size on disk of the SQLite database with its WAL."""
    return sum(
        (home / name).stat().st_size
        for name in ("watcher.db", "watcher.db-wal")
        if (home / name).exists()
    )


def table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    """A plain Markdown table (it reads as well in a terminal as in the README)."""
    cells = [[str(h) for h in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
             for r in cells]  # fmt: skip
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def busy_note() -> str:
    """How busy the machine is right now (other test runs skew every figure)."""
    load1, load5, _ = os.getloadavg()
    try:
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False)
        pytests = sum("pytest" in line for line in ps.stdout.splitlines())
    except OSError:
        pytests = -1
    return (
        f"load average {load1:.2f} / {load5:.2f}, {pytests} pytest processes, {os.cpu_count()} CPUs"
    )
