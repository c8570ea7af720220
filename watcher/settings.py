"""Settings: one table of (name, default, help), a TOML file that overrides part of it,
and environment variables for the database URL and the data directory.

Parsed once into a frozen :class:`Settings` that is passed down; nothing reads
globals. ``watcher settings`` prints the table; a test fails when a setting is
missing from the README.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Final

from watcher import __version__
from watcher.errors import ConfigError
from watcher.watchlist import parse_interval

USER_AGENT: Final = f"watcher/{__version__} (+https://github.com/watcher-news/watcher)"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: Any
    help: str


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, typed. Built by :func:`load`; tests build it directly."""

    home: Path
    database_url: str = ""
    default_every: str = "6h"
    jitter: float = 0.1
    max_concurrent_checks: int = 8
    tick_seconds: float = 15.0
    check_processes: int = 0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    obey_robots: bool = True
    user_agent: str = USER_AGENT
    failure_threshold: int = 3
    backoff_max: str = "1d"
    misfire_grace: str = "10m"
    noise_memory: int = 8
    digest_dir: str = ""
    digest_window: str = "7d"
    notify_urls: tuple[str, ...] = ()
    notify_tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixtures: bool = False
    lock_timeout: float = 30.0

    @property
    def db_url(self) -> str:
        """The database URL in force: the setting, else a SQLite file in the home."""
        return self.database_url or f"sqlite:///{self.home / 'watcher.db'}"

    @property
    def digest_path(self) -> Path:
        return Path(self.digest_dir) if self.digest_dir else self.home / "digest"

    @property
    def backoff_max_seconds(self) -> int:
        return parse_interval(self.backoff_max)

    @property
    def digest_window_seconds(self) -> int:
        return parse_interval(self.digest_window)

    @property
    def misfire_grace_seconds(self) -> int:
        return parse_interval(self.misfire_grace)


# Help text of each setting; defaults are the Settings fields above, the one place
# they are written. Order is the order of `watcher settings` and of the README.
_HELP: Final[dict[str, str]] = {
    "database_url": "SQLAlchemy URL; empty means a SQLite file in the home.",
    "default_every": "Interval for watches added without --every.",
    "jitter": "Random spread of each next check, as a fraction of the interval.",
    "max_concurrent_checks": "Checks in flight at once in `watcher run`.",
    "tick_seconds": "How often `watcher run` looks for due watches.",
    "check_processes": "Processes `watcher check` spreads checks over; 0: one per core (≤ 4).",
    "connect_timeout": "Seconds to open a connection.",
    "read_timeout": "Seconds to wait for each read from the server.",
    "total_timeout": "Seconds one fetch may take in all, body included.",
    "max_bytes": "Largest body accepted, after decompression.",
    "max_redirects": "Redirects followed before a check fails.",
    "per_host_concurrency": "Requests in flight to one host at once.",
    "per_host_delay": (
        "Minimum seconds between two requests to one host (its robots.txt Crawl-delay, "
        "up to 30 s, can ask for more)."
    ),
    "obey_robots": "Obey robots.txt (a watch can opt out).",
    "user_agent": "User-Agent header sent with every request.",
    "failure_threshold": "Consecutive failures before a watch is flagged.",
    "backoff_max": "Longest wait between checks of a failing watch.",
    "misfire_grace": "How late a scheduled pass may still run.",
    "noise_memory": "Recent claim sets remembered per watch to ignore flip-flops.",
    "digest_dir": "Where the digest is written; empty means <home>/digest.",
    "digest_window": "Changes listed on the index the service keeps up to date.",
    "notify_urls": "apprise URLs notified of headline changes.",
    "notify_tags": "Tag -> list of apprise URLs, for watches with that tag.",
    "fixtures": "Serve the bundled snapshots/ instead of the network.",
    "lock_timeout": "Seconds to wait for a SQLite database another process is writing.",
}

# Settings that must be above zero (the others only not negative), and the range of
# the fractions.
_POSITIVE: Final = frozenset(
    {
        "max_concurrent_checks",
        "tick_seconds",
        "connect_timeout",
        "read_timeout",
        "total_timeout",
        "max_bytes",
        "per_host_concurrency",
        "failure_threshold",
    }
)
_FRACTIONS: Final = frozenset({"jitter"})


def _default(item: Field[Any]) -> Any:
    if item.default_factory is not MISSING:
        return item.default_factory()
    return item.default


_FIELDS: Final = {f.name: f for f in fields(Settings)}
SETTINGS: Final[tuple[Setting, ...]] = tuple(
    Setting(name, _default(_FIELDS[name]), text) for name, text in _HELP.items()
)
_BY_NAME: Final = {s.name: s for s in SETTINGS}


def default_home() -> Path:
    return Path(os.environ.get("WATCHER_HOME") or Path.home() / ".watcher")


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    default = setting.default
    # bool is an int in Python, and TOML gives ints where floats are meant.
    expected: tuple[type, ...] = {
        bool: (bool,),
        int: (int,),
        float: (int, float),
        tuple: (list,),
    }.get(type(default), (type(default),))
    if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
        raise ConfigError(
            f"{origin}: {setting.name} must be a {type(default).__name__}, got {value!r}"
        )
    if isinstance(default, float):
        value = float(value)  # type: ignore[arg-type]  # checked just above
    if type(default) in (int, float) and value < 0:
        raise ConfigError(f"{origin}: {setting.name} must not be negative, got {value!r}")
    if setting.name in _POSITIVE and value <= 0:
        raise ConfigError(f"{origin}: {setting.name} must be above 0, got {value!r}")
    if setting.name in _FRACTIONS and not 0 <= value <= 1:
        raise ConfigError(
            f"{origin}: {setting.name} is a fraction of the interval, from 0 to 1; got {value!r}"
        )
    if setting.name in ("default_every", "backoff_max", "misfire_grace", "digest_window"):
        parse_interval(value)  # raises a clear error naming the bad value
    if setting.name == "notify_urls":
        if not all(isinstance(u, str) for u in value):
            raise ConfigError(f"{origin}: notify_urls must be a list of strings")
        value = tuple(value)
    if setting.name == "notify_tags":
        if not all(
            isinstance(v, list) and all(isinstance(u, str) for u in v) for v in value.values()
        ):
            raise ConfigError(f"{origin}: notify_tags must map tags to lists of URLs")
        value = {str(k): tuple(v) for k, v in value.items()}
    return value


def load(
    *,
    home: Path | None = None,
    config_path: Path | None = None,
    database_url: str | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Defaults, then ``<home>/watcher.toml`` or ``config_path``, then the environment,
    then explicit arguments. A ``config_path`` that does not exist is an error."""
    home = home or default_home()
    values: dict[str, Any] = {}
    path = config_path or home / "watcher.toml"
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"config file {config_path} does not exist")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc}); fix or remove it") from exc
        for key, value in data.items():
            if key not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                raise ConfigError(f"{path}: unknown setting {key!r}; known settings: {known}")
            values[key] = _coerce(_BY_NAME[key], value, str(path))
    env_url = os.environ.get("WATCHER_DATABASE_URL")
    if env_url:
        values["database_url"] = env_url
    for key, value in (overrides or {}).items():
        values[key] = _coerce(_BY_NAME[key], value, "option")
    if database_url:
        values["database_url"] = database_url
    return replace(Settings(home=home), **values)


def describe() -> list[tuple[str, str, str]]:
    """(name, default, help) rows for `watcher settings` and the README."""
    return [(s.name, repr(s.default), s.help) for s in SETTINGS]


assert {f.name for f in fields(Settings)} - {"home"} == set(_HELP), "a setting has no help text"
