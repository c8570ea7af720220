"""Where watcher's bundled folders are: ``templates`` and ``snapshots``.

The design card keeps them at the top of the repository; a wheel carries them
inside the package (see ``force-include`` in pyproject.toml). Look in the package
first, then beside it, so installed and editable checkouts both work.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_path(name: str) -> Path:
    """The folder ``name`` (``templates`` or ``snapshots``); FileNotFoundError if absent."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"watcher's {name}/ folder is missing: looked in {_PACKAGE}")
