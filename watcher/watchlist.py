"""The watch list as values: validated URLs, intervals and the TOML watch-list file.

Pure: parsing and validation only; the store keeps the list.

A watch-list file::

    [[watch]]
    url = "https://news.example/all-of-us-are-dead-season-2"
    name = "AoUAD S2 tracker"     # optional
    every = "6h"                  # optional, default from settings
    selector = "article"          # optional CSS selector for the article text
    tags = ["k-drama"]            # optional
    robots = true                 # optional, obey robots.txt
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import idna
import tomli_w

from watcher.errors import WatchListError

# ASCII digits only: "\d" would take "٣h" (an Arabic-Indic three) for 3h.
_INTERVAL = re.compile(r"^\s*([0-9]+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MIN_EVERY: Final = 60
MAX_EVERY: Final = 90 * 86400
_TAG = re.compile(r"^[\w][\w.+-]{0,39}$")
_KEYS: Final = {"url", "name", "every", "selector", "tags", "robots"}
# Far beyond any article URL, and what old browsers and many servers accept.
MAX_URL: Final = 2048
MAX_LABEL: Final = 63  # DNS limits (RFC 1035), for the ASCII form of a host name
MAX_HOST: Final = 253
MAX_NAME: Final = 200


def parse_interval(text: str) -> int:
    """``"6h"`` → 21600 seconds. Units s, m, h, d, w; between 1 minute and 90 days."""
    match = _INTERVAL.match(str(text))
    if not match:
        raise WatchListError(
            f"bad interval {text!r}: use a number and a unit, e.g. 30m, 6h, 1d or 1w"
        )
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise WatchListError(f"bad interval {text!r}: must be between 1m and 90d")
    return seconds


def format_interval(seconds: int) -> str:
    """The shortest exact form: 21600 → ``"6h"``."""
    for unit in ("w", "d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def host_problem(host: str) -> str | None:
    """Why an ASCII host name cannot be looked up (DNS limits: labels ≤ 63, name ≤ 253
    characters), or None."""
    name = host.removesuffix(".")
    long_label = next((label for label in name.split(".") if len(label) > MAX_LABEL), None)
    if long_label is not None:
        return (
            f"the host name has a label of {len(long_label)} characters "
            f"({long_label[:20]}…), longer than {MAX_LABEL} characters"
        )
    if len(name) > MAX_HOST:
        return f"the host name is {len(name)} characters, longer than {MAX_HOST} characters"
    return None


def normalize_url(text: str) -> str:
    """Validate an http(s) URL and give its canonical form (lower-case scheme and host,
    IPv6 literals in brackets and compressed, international host names in their ASCII
    ``xn--`` form, no fragment, ``/`` for an empty path)."""
    raw = str(text).strip()
    if len(raw) > MAX_URL:
        # Not repeated whole: the message would be as long as the URL.
        raise WatchListError(
            f"invalid URL {raw[:60]!r}…: it is {len(raw):,} characters, longer than "
            f"{MAX_URL:,} characters; watch a shorter URL of the article"
        )
    if not raw or any(c.isspace() for c in raw):
        raise WatchListError(f"invalid URL {text!r}: it is empty or contains spaces")
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises on a bad port
    except ValueError as exc:
        raise WatchListError(f"invalid URL {text!r}: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise WatchListError(f"invalid URL {text!r}: only http:// and https:// can be watched")
    host = (parts.hostname or "").lower()
    if not host or host.startswith(".") or ".." in host:
        raise WatchListError(f"invalid URL {text!r}: it has no valid host name")
    # urlsplit drops the brackets of an IPv6 literal; the URL needs them.
    host = f"[{_ipv6(host, text)}]" if ":" in host else _ascii_host(host, text)
    netloc = host if port is None else f"{host}:{port}"
    if parts.username or parts.password:
        raise WatchListError(f"invalid URL {text!r}: credentials in URLs are not supported")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _ascii_host(host: str, text: str) -> str:
    """The one form of a host name: "bücher.example" and "xn--bcher-kva.example" are
    the same server, so they are one watch; the ASCII form is what is requested."""
    try:
        if host.isascii():
            for label in host.split("."):
                if label.startswith("xn--"):
                    idna.decode(label)  # only to reject a broken one
        else:
            # UTS 46, as browsers: case and width folded, then IDNA 2008.
            host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise WatchListError(
            f"invalid URL {text!r}: the host name is not a valid international domain name ({exc})"
        ) from exc
    problem = host_problem(host)
    if problem is not None:
        raise WatchListError(f"invalid URL {text!r}: {problem}")
    return host


def _ipv6(host: str, text: str) -> str:
    if "%" in host:  # a zone id (fe80::1%eth0) names an interface of this machine
        raise WatchListError(f"invalid URL {text!r}: IPv6 zone ids are not supported")
    try:
        return ipaddress.IPv6Address(host).compressed
    except ValueError as exc:
        raise WatchListError(f"invalid URL {text!r}: not a valid IPv6 address ({exc})") from exc


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """A validated watch as the user describes it."""

    url: str
    name: str
    every_seconds: int
    selector: str | None = None
    tags: tuple[str, ...] = field(default=())
    obey_robots: bool = True


def make_spec(
    url: str,
    *,
    name: str | None = None,
    every: str,
    selector: str | None = None,
    tags: tuple[str, ...] | list[str] = (),
    obey_robots: bool = True,
) -> WatchSpec:
    """Validate every field; the error names the field and the bad value."""
    clean_url = normalize_url(url)
    clean_name = (name or "").strip() or _default_name(clean_url)
    if len(clean_name) > MAX_NAME:
        raise WatchListError(f"name for {clean_url} is longer than {MAX_NAME} characters")
    for tag in tags:
        if not isinstance(tag, str) or not _TAG.match(tag):
            raise WatchListError(
                f"bad tag {tag!r} for {clean_url}: use letters, digits, '.', '+', '-' or '_'"
            )
    if selector is not None:
        selector = selector.strip() or None
        _check_selector(selector, clean_url)
    return WatchSpec(
        url=clean_url,
        name=clean_name,
        every_seconds=parse_interval(every),
        selector=selector,
        tags=tuple(dict.fromkeys(tags)),
        obey_robots=bool(obey_robots),
    )


def _check_selector(selector: str | None, url: str) -> None:
    if selector is None:
        return
    from bs4 import BeautifulSoup  # lazy: only a selector needs it

    try:
        BeautifulSoup("<p></p>", "html.parser").select(selector)
    except Exception as exc:  # soupsieve raises its own SelectorSyntaxError
        raise WatchListError(f"bad CSS selector {selector!r} for {url}: {exc}") from exc


def _default_name(url: str) -> str:
    """``host/last-path-segment``, host in Unicode for people, cut to fit a name."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    if "xn--" in host:
        with contextlib.suppress(idna.IDNAError):
            host = idna.decode(host)
    slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
    name = f"{host}/{slug}" if slug else host
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "…"


def parse_watchlist(text: str, *, default_every: str, origin: str) -> list[WatchSpec]:
    """Parse a TOML watch-list file; any error names the file and the entry, and the
    whole file is rejected so that an import is all or nothing."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WatchListError(f"{origin}: not valid TOML ({exc})") from exc
    entries = data.get("watch", [])
    if set(data) - {"watch"}:
        raise WatchListError(f"{origin}: unexpected top-level keys {sorted(set(data) - {'watch'})}")
    if not isinstance(entries, list):
        raise WatchListError(f"{origin}: 'watch' must be an array of tables ([[watch]])")
    specs: list[WatchSpec] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}: watch #{number}"
        if not isinstance(entry, dict):
            raise WatchListError(f"{where}: must be a table")
        unknown = set(entry) - _KEYS
        if unknown:
            raise WatchListError(f"{where}: unknown keys {sorted(unknown)}")
        if "url" not in entry:
            raise WatchListError(f"{where}: has no url")
        # The field checks name ``where`` themselves; make_spec's errors do not.
        url = _str(entry["url"], "url", where)
        name = _opt_str(entry.get("name"), "name", where)
        every = _str(entry.get("every", default_every), "every", where)
        selector = _opt_str(entry.get("selector"), "selector", where)
        tags = _tags(entry.get("tags", []), where)
        obey_robots = _bool(entry.get("robots", True), where)
        try:
            spec = make_spec(
                url, name=name, every=every, selector=selector, tags=tags, obey_robots=obey_robots
            )
        except WatchListError as exc:
            raise WatchListError(f"{where}: {exc}") from exc
        if spec.url in seen:
            raise WatchListError(f"{where}: duplicate URL {spec.url}")
        seen.add(spec.url)
        specs.append(spec)
    return specs


def _str(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str):
        raise WatchListError(f"{where}: {key} must be a string, got {value!r}")
    return value


def _opt_str(value: Any, key: str, where: str) -> str | None:
    return None if value is None else _str(value, key, where)


def _tags(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise WatchListError(f"{where}: tags must be a list of strings")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise WatchListError(f"{where}: robots must be true or false")
    return value


def dump_watchlist(specs: list[WatchSpec]) -> str:
    """The TOML watch-list file for ``watcher export``; ``parse_watchlist`` reads it back."""
    entries: list[dict[str, Any]] = []
    for spec in specs:
        entry: dict[str, Any] = {
            "url": spec.url,
            "name": spec.name,
            "every": format_interval(spec.every_seconds),
        }
        if spec.selector:
            entry["selector"] = spec.selector
        if spec.tags:
            entry["tags"] = list(spec.tags)
        if not spec.obey_robots:
            entry["robots"] = False
        entries.append(entry)
    return tomli_w.dumps({"watch": entries})
