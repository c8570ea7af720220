"""A progress bar for long interactive ``watcher check`` runs (rich); none elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Below this many watches a bar only flickers.
MIN_WATCHES = 20


@contextmanager
def progress_reporter(total: int, *, enabled: bool) -> Iterator[Callable[[Any], None]]:
    """Yield a callback to call once per finished check."""
    if not enabled or total < MIN_WATCHES:
        yield lambda _result: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("checking", total=total)
        yield lambda _result: progress.advance(task)
