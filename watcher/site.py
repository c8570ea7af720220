"""The digest site: page models and their rendering to files (pure).

``watcher.digest.build_digest`` fills these models; ``render_site`` turns a
``Digest`` into ``{relative path: content}``: index.html (changes since the
previous digest, headline changes first), changes-<n>.html (further pages),
subjects/<slug>.html, watches/<id>.html, feed.xml and style.css.

Every value reaches the page through Jinja autoescaping; links to sources are
only made for http(s) URLs, so a watch URL such as ``javascript:...`` is shown as
text. Pages carry no JavaScript and a CSP that forbids scripts, as a second
line of defence behind the escaping.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from watcher.resources import resource_path

Verdict = Literal["single", "agree", "compatible", "conflict"]


@dataclass(frozen=True, slots=True)
class ValueView:
    """A claim as pages show it: ``text`` as people say it, ``machine`` the raw value."""

    kind: str
    value: str
    text: str
    machine: str
    certainty: str
    evidence: str
    superseded: bool = False
    role: str | None = None
    character: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    watch_id: int
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ChangeView:
    id: int
    at: datetime
    source: SourceRef
    subject: str
    subject_slug: str
    kind: str
    what: str  # "release date", "cast: Park Ji-hu"
    change: str
    headline: bool
    old: ValueView | None
    new: ValueView | None
    snapshot_path: str | None


@dataclass(frozen=True, slots=True)
class SourceSays:
    source: SourceRef
    as_of: datetime
    value: ValueView
    snapshot_path: str | None


@dataclass(frozen=True, slots=True)
class ValueGroup:
    value: ValueView  # the strongest claim of the group
    sources: tuple[SourceSays, ...]
    certainties: str  # "1 official, 2 reported"
    best: bool


@dataclass(frozen=True, slots=True)
class CrossView:
    kind: str
    label: str
    groups: tuple[ValueGroup, ...]
    verdict: Verdict
    silent: tuple[SourceRef, ...]  # sources about the subject that do not say


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    kind: str
    roles: str
    sources: tuple[SourceSays, ...]
    differs: bool  # sources give different roles


@dataclass(frozen=True, slots=True)
class HistoryRow:
    source: SourceRef
    value: ValueView
    first_said: datetime
    last_said: datetime
    current: bool
    snapshot_path: str | None


@dataclass(frozen=True, slots=True)
class ValueHistory:
    kind: str
    label: str
    text: str
    machine: str
    rows: tuple[HistoryRow, ...]


@dataclass(frozen=True, slots=True)
class HeadlineItem:
    label: str
    value: ValueView | None
    source: SourceRef | None


@dataclass(frozen=True, slots=True)
class SubjectPage:
    key: str
    slug: str
    name: str
    headline: tuple[HeadlineItem, ...]
    views: tuple[CrossView, ...]
    people: tuple[PersonRow, ...]
    histories: tuple[ValueHistory, ...]
    sources: tuple[SourceSays, ...]  # latest version per source, value = none
    changes: tuple[ChangeView, ...]
    conflict: bool
    about: int = 0  # how many sources have this as their main subject (0: only mentioned)


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: Literal["add", "del", "hunk", "ctx"]
    text: str


@dataclass(frozen=True, slots=True)
class TextDiff:
    old_at: datetime
    new_at: datetime
    old_id: int
    new_id: int
    added: int
    removed: int
    lines: tuple[DiffLine, ...]
    truncated: bool


@dataclass(frozen=True, slots=True)
class CheckView:
    at: datetime
    outcome: str
    http_status: int | None
    bytes: int
    duration_ms: float
    failure_class: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class WatchPage:
    id: int
    name: str
    url: str
    tags: tuple[str, ...]
    consecutive_failures: int
    failing_since: datetime | None
    last_error: str | None
    last_failure_class: str | None
    checks: tuple[CheckView, ...]  # newest first, at most MAX_CHECKS
    checks_total: int
    errors: int
    diffs: tuple[TextDiff, ...]  # newest first
    subjects: tuple[tuple[str, str], ...]  # (name, slug)
    latest_snapshot_path: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    title: str
    now: datetime
    since: datetime | None
    site_url: str
    pages: tuple[tuple[ChangeView, ...], ...]  # changes since ``since``, paginated
    changes_total: int
    headline_total: int
    changes_unlisted: int
    subjects: tuple[SubjectPage, ...]
    watches: tuple[WatchPage, ...]
    failing: tuple[WatchPage, ...]
    feed: tuple[ChangeView, ...] = field(default=())  # newest first


# ---- rendering ---------------------------------------------------------------------


# The filters below are pure and see the same few values over and over (a source's
# fetch time on every line it is quoted, the same URLs and snapshot paths): cached.


@lru_cache(maxsize=65536)
def when(moment: datetime | None) -> str:
    """``2024-01-05 10:00 UTC``: readable, unambiguous, sortable."""
    if moment is None:
        return "—"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


@lru_cache(maxsize=65536)
def iso(moment: datetime | None) -> str:
    """The machine form for ``<time datetime>``."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@lru_cache(maxsize=65536)
def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL, else None: no ``javascript:`` links."""
    if not url:
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


@lru_cache(maxsize=65536)
def local_href(path: str | None, root: str) -> str | None:
    """A link to a stored snapshot: site-relative paths get the page's ``root``."""
    if not path:
        return None
    if web_url(path):
        return path
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith("/"):
        return None  # absolute file paths and odd schemes do not work from a published site
    return root + path.removeprefix("./")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def human_bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} kB"
    return f"{n / 1024 / 1024:.1f} MB"


@lru_cache(maxsize=4)
def environment(templates: str | None = None) -> Environment:
    """The Jinja environment of the site, one per templates folder per process:
    compiled templates are kept, and never re-checked on disk (a stat per
    template load adds up over thousands of pages)."""
    return _environment(templates or str(resource_path("templates")))


@functools.cache
def _environment(folder: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    env.filters.update(
        when=when,
        iso=iso,
        web_url=web_url,
        local_href=local_href,
        plural=plural,
        human_bytes=human_bytes,
    )
    return env


def page_name(number: int) -> str:
    """File of the n-th page of changes: index.html, changes-2.html, ..."""
    return "index.html" if number == 1 else f"changes-{number}.html"


def render_site(digest: Digest, *, templates: str | None = None) -> dict[str, str]:
    """Relative path -> file content of the whole site (pure)."""
    from watcher.feed import render_feed

    env = environment(templates)
    common = {"digest": digest, "page_name": page_name}
    files: dict[str, str] = {}
    index = env.get_template("index.html")
    for number, changes in enumerate(digest.pages, start=1):
        files[page_name(number)] = index.render(
            common, root="", changes=changes, number=number, pages=len(digest.pages)
        )
    subject = env.get_template("subject.html")
    for page in digest.subjects:
        files[f"subjects/{page.slug}.html"] = subject.render(common, root="../", page=page)
    watch = env.get_template("watch.html")
    for wpage in digest.watches:
        files[f"watches/{wpage.id}.html"] = watch.render(common, root="../", page=wpage)
    files["feed.xml"] = render_feed(digest, now=digest.now, site_url=digest.site_url)
    loader = env.loader
    assert loader is not None
    files["style.css"] = loader.get_source(env, "style.css")[0]
    return files
