"""Offline mode: an httpx transport that serves the bundled ``snapshots/``.

Fixture mode answers through the real httpx client, so offline and online runs
share one code path: the same Fetcher, the same conditional requests (ETag and
Last-Modified, answered with 304), the same decoding. The manifest
(``snapshots/manifest.toml``) gives each article a stable URL on a reserved
domain, and a *timeline* URL whose content moves through several articles, one
per round.
"""

from __future__ import annotations

import hashlib
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx

from watcher.errors import ConfigError
from watcher.resources import resource_path
from watcher.watchlist import normalize_url


@dataclass(frozen=True, slots=True)
class FixtureVersion:
    file: str
    body: bytes
    last_modified: datetime
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class FixtureUrl:
    """A URL the fixtures answer: one version, or several for a timeline."""

    url: str
    name: str | None
    versions: tuple[FixtureVersion, ...]
    timeline: bool

    def version(self, round_index: int) -> FixtureVersion:
        return self.versions[min(round_index, len(self.versions) - 1)]


def _midday(value: object, origin: str) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(12), tzinfo=UTC)
    try:
        return datetime.combine(date.fromisoformat(str(value)), time(12), tzinfo=UTC)
    except ValueError as exc:
        raise ConfigError(f"{origin}: bad last_modified {value!r}") from exc


def load_manifest(folder: Path | None = None) -> list[FixtureUrl]:
    """Read ``manifest.toml`` of a snapshots folder (the bundled one by default)."""
    folder = folder or resource_path("snapshots")
    path = folder / "manifest.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read fixture manifest {path}: {exc}") from exc

    def version(entry: dict[str, object], content_type: str) -> FixtureVersion:
        file = str(entry["file"])
        return FixtureVersion(
            file=file,
            body=(folder / file).read_bytes(),
            last_modified=_midday(entry["last_modified"], str(path)),
            content_type=str(entry.get("content_type", content_type)),
        )

    urls: list[FixtureUrl] = []
    for page in data.get("page", []):
        content_type = str(page.get("content_type", "text/plain; charset=utf-8"))
        urls.append(
            FixtureUrl(
                url=normalize_url(page["url"]),
                name=page.get("name"),
                versions=(version(page, content_type),),
                timeline=False,
            )
        )
    for line in data.get("timeline", []):
        content_type = str(line.get("content_type", "text/plain; charset=utf-8"))
        urls.append(
            FixtureUrl(
                url=normalize_url(line["url"]),
                name=line.get("name"),
                versions=tuple(version(v, content_type) for v in line["versions"]),
                timeline=True,
            )
        )
    return urls


class FixtureTransport(httpx.BaseTransport):
    """Serves the fixtures; ``round_index`` picks each timeline's version."""

    def __init__(self, urls: list[FixtureUrl] | None = None) -> None:
        self._urls = {u.url: u for u in (urls if urls is not None else load_manifest())}
        self._lock = threading.Lock()
        self._round = 0
        self.requests: list[httpx.Request] = []

    @property
    def urls(self) -> list[FixtureUrl]:
        return list(self._urls.values())

    @property
    def round_index(self) -> int:
        return self._round

    @round_index.setter
    def round_index(self, value: int) -> None:
        self._round = value

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        if request.url.path == "/robots.txt":
            return httpx.Response(404, request=request)
        fixture = self._urls.get(normalize_url(str(request.url)))
        if fixture is None:
            return httpx.Response(
                404, text="no such fixture", headers={"content-type": "text/plain"}
            )
        version = fixture.version(self._round)
        headers = {
            "content-type": version.content_type,
            "etag": version.etag,
            "last-modified": format_datetime(version.last_modified, usegmt=True),
        }
        if _not_modified(request, version):
            return httpx.Response(304, headers=headers, request=request)
        return httpx.Response(200, content=version.body, headers=headers, request=request)


def _not_modified(request: httpx.Request, version: FixtureVersion) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # RFC 9110: If-None-Match wins over If-Modified-Since when both are sent.
        tags = {t.strip() for t in if_none_match.split(",")}
        return version.etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return version.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
