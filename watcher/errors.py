"""Errors of watcher, one hierarchy.

    WatcherError
    ├── ConfigError          bad settings file, bad option value, missing path
    ├── WatchListError       invalid URL, duplicate, bad interval, corrupt watch-list file
    │   └── WatchNotFound
    │       └── WatchRemoved a watch was removed while it was being checked
    ├── StoreError           the database cannot be opened, read or written
    │                        (locked by another process, damaged, not watcher's)
    └── CheckError           one check failed; ``failure_class`` names how
        ├── FetchError       dns, connect, timeout, tls, http_status, too_large,
        │                    not_text, decode, robots, redirects, invalid_url
        └── ExtractionError  the body could not be turned into text and claims

A CheckError never escapes ``check_watch``: it is recorded on the check and the
watch, and the next watch goes on.
"""

from __future__ import annotations

from typing import Final, Literal

FailureClass = Literal[
    "dns",
    "connect",
    "timeout",
    "tls",
    "http_status",
    "too_large",
    "not_text",
    "decode",
    "robots",
    "redirects",
    "invalid_url",
    "extraction",
    "internal",
]

FAILURE_CLASSES: Final[tuple[str, ...]] = (
    "dns",
    "connect",
    "timeout",
    "tls",
    "http_status",
    "too_large",
    "not_text",
    "decode",
    "robots",
    "redirects",
    "invalid_url",
    "extraction",
    "internal",
)


class WatcherError(Exception):
    """Base of every error watcher raises on purpose."""


class ConfigError(WatcherError):
    """A setting, option or configuration file is wrong."""


class WatchListError(WatcherError):
    """A watch or a watch-list file is invalid; nothing was changed."""


class WatchNotFound(WatchListError):
    """No watch has that id or URL."""


class WatchRemoved(WatchNotFound):
    """The watch was removed while it was being checked; the check's result is dropped."""


class StoreError(WatcherError):
    """The database cannot be opened, migrated or written."""


class CheckError(WatcherError):
    """One check of one watch failed; recorded, never raised to the scheduler."""

    failure_class: FailureClass = "internal"

    def __init__(
        self,
        message: str,
        *,
        failure_class: FailureClass | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        if failure_class is not None:
            self.failure_class = failure_class
        self.http_status = http_status
        # Seconds the server asked us to wait (429/503 Retry-After), if any.
        self.retry_after = retry_after


class FetchError(CheckError):
    """The page could not be fetched or decoded as text."""


class ExtractionError(CheckError):
    """The page was fetched but text or claims could not be extracted."""

    failure_class: FailureClass = "extraction"
