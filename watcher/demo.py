"""``watcher demo``: the bundled articles replayed offline, round by round, then a digest.

Each round is one publication date of the timeline: the timeline URL moves to
its next version and the article published that day joins the watch list, so
the digest shows the claims changing over time and sources agreeing or not.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from watcher.errors import ConfigError
from watcher.fixtures import FixtureTransport, FixtureUrl
from watcher.runtime import Runtime
from watcher.settings import Settings
from watcher.watchlist import WatchSpec, make_spec

MARKER = ".watcher-demo"


def fresh_home(home: Path) -> None:
    """Empty ``home`` for the demo, refusing to touch a folder the demo did not make."""
    if home.exists():
        if any(home.iterdir()) and not (home / MARKER).exists():
            raise ConfigError(
                f"{home} exists and is not a demo directory; choose another with --home"
            )
        shutil.rmtree(home)
    home.mkdir(parents=True)
    (home / MARKER).write_text("made by `watcher demo`; emptied by the next demo\n")


class ReplayClock:
    """The demo's clock: set to each round's date, so history has real dates."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def run_demo(home: Path, *, echo: Callable[[str], None]) -> Path:
    """Replay the fixtures into a fresh ``home`` and return the digest's index.html."""
    from watcher.publish import write_digest

    fresh_home(home)
    settings = Settings(
        home=home,
        fixtures=True,
        per_host_delay=0.0,  # one fictional host: politeness delays would only slow the demo
        jitter=0.0,
        max_concurrent_checks=4,
    )
    transport = FixtureTransport()
    timeline = next(u for u in transport.urls if u.timeline)
    pages = [u for u in transport.urls if not u.timeline]
    clock = ReplayClock(timeline.versions[0].last_modified)
    with Runtime.open(settings, transport=transport, clock=clock) as rt:
        rt.store.add_watch(_spec(timeline, settings), now=clock())
        for round_index, version in enumerate(timeline.versions):
            transport.round_index = round_index
            clock.now = version.last_modified + timedelta(days=1)
            joining = [p for p in pages if p.versions[0].last_modified <= clock.now]
            for page in joining:
                rt.store.add_watch(_spec(page, settings), now=clock())
                pages.remove(page)
            results = rt.check_many([w for w in rt.store.list_watches() if not w.paused])
            changes = sum(r.changes for r in results)
            failed = sum(r.outcome == "error" for r in results)
            echo(
                f"round {round_index + 1} ({clock.now:%Y-%m-%d}): checked {len(results)}, "
                f"{changes} claim changes, {failed} failed"
            )
        return write_digest(rt, out_dir=home / "digest")


def _spec(fixture: FixtureUrl, settings: Settings) -> WatchSpec:
    return make_spec(
        fixture.url,
        name=fixture.name,
        every=settings.default_every,
        tags=["demo", "timeline"] if fixture.timeline else ["demo"],
    )
