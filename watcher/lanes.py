"""How one pass of checks is split over processes without breaking politeness (pure).

A check is CPU-bound Python, so a pass on one process uses one core whatever
its thread count. ``Runtime.check_many`` runs it in several *lanes*: the
calling process and ``processes - 1`` children, each with its own fetcher.
Politeness lives in each fetcher's ``HostGate``, so the split must keep it:

* with a delay between requests to a host (the default), every watch of one
  host goes to the same lane: chunks never share a host, and the lane's gate
  spaces and bounds that host's requests as a single process would;
* with no delay, only the concurrency bound is left to keep, and a host may be
  split when each lane gets an equal share of it (``per_host_concurrency //
  lanes``, at least 1), so the lanes together never exceed the setting. A
  Retry-After answered to one lane is then learned by each other lane from its
  own next request to that host (one more request per lane at most).

The calling process takes chunks too, so the children's start-up (imports, a
second or so) costs no wall time, and a small pass finishes before they are up.

In auto mode the children are started only once the pass shows work for them
(``children_pay``): pages to analyse. An unchanged check is about a millisecond
of the HTTP stack and one SQLite write, which a second process does not speed
up (the writes queue on SQLite's one write lock); a new or changed page is
about fifty milliseconds of extraction and claims, which it does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import httpx

from watcher.records import WatchState
from watcher.settings import Settings

# More processes than this mostly queue on SQLite's single writer and cost ~100 MB each.
MAX_AUTO_PROCESSES: Final = 4
# In auto mode, a child is worth its start-up only with this many watches for it.
WATCHES_PER_CHILD: Final = 200
# Watches handed to a lane at once: small enough to balance the lanes at the end
# of a pass, large enough that sending them to a child costs little.
CHUNK: Final = 25
# Auto mode: checks finished before a pass is judged, and the pages still to analyse
# (new or changed, by the share so far) that make the children worth their start-up.
SAMPLE: Final = 10
ANALYSES_FOR_CHILDREN: Final = 20


@dataclass(frozen=True, slots=True)
class Plan:
    """The chunks of one pass and the per-host concurrency of each lane's fetcher."""

    chunks: tuple[tuple[WatchState, ...], ...]
    per_host_concurrency: int
    hosts_split: bool  # False: no host is in two chunks


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, as in a container), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def processes_for(settings: Settings, watches: int) -> int:
    """Processes for a pass of ``watches`` checks: ``check_processes``, or with 0 (auto)
    one per usable core, at most MAX_AUTO_PROCESSES, and only as many as the pass
    keeps busy."""
    if settings.check_processes:
        return max(1, min(settings.check_processes, watches))
    wanted = min(usable_cores(), MAX_AUTO_PROCESSES)
    return max(1, min(wanted, 1 + watches // WATCHES_PER_CHILD))


def children_pay(checked: int, analysed: int, left: int) -> bool:
    """Auto mode: start the check processes for a pass that has finished ``checked``
    checks, ``analysed`` of them new or changed pages, with ``left`` still to finish?"""
    if checked < SAMPLE:
        return False
    return analysed * left >= ANALYSES_FOR_CHILDREN * checked


def host_key(url: str) -> str:
    """A watch's host as the fetcher's politeness keys it (host[:port])."""
    try:
        return httpx.URL(url).netloc.decode("ascii")
    except (httpx.InvalidURL, TypeError, UnicodeDecodeError):
        return url  # the check fails on its own; alone in its group is fine


def plan(
    watches: Sequence[WatchState], lanes: int, *, per_host_delay: float, per_host_concurrency: int
) -> Plan:
    """Chunks of about CHUNK watches for ``lanes`` lanes, under the fetcher's politeness
    settings in force (see the module doc)."""
    concurrency = per_host_concurrency
    if per_host_delay == 0 and concurrency >= lanes:
        chunks = tuple(tuple(watches[i : i + CHUNK]) for i in range(0, len(watches), CHUNK))
        return Plan(chunks, concurrency // lanes, hosts_split=True)
    by_host: dict[str, list[WatchState]] = {}
    for watch in watches:
        by_host.setdefault(host_key(watch.url), []).append(watch)
    # A host's watches stay together however many there are; small hosts share chunks.
    grouped: list[tuple[WatchState, ...]] = []
    current: list[WatchState] = []
    for group in sorted(by_host.values(), key=len, reverse=True):
        if len(group) >= CHUNK:
            grouped.append(tuple(group))
            continue
        if len(current) + len(group) > CHUNK:
            grouped.append(tuple(current))
            current = []
        current.extend(group)
    if current:
        grouped.append(tuple(current))
    return Plan(tuple(grouped), concurrency, hosts_split=False)
