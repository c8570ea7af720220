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

import copyreg
import dataclasses
import functools
import hashlib
import io
import operator
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
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


def _pages(digest: Digest) -> Iterator[tuple[str, str, dict[str, Any], object | None]]:
    """Every HTML page: (path, template, its variables, the model it shows or None).

    A page with a model shows nothing but that model, the title and fixed text, so
    the model is its content key; the pages of changes show the digest's time and
    counts and have none (they are made every time)."""
    pages = len(digest.pages)
    for number, changes in enumerate(digest.pages, start=1):
        variables = {"root": "", "changes": changes, "number": number, "pages": pages}
        yield page_name(number), "index.html", variables, None
    for page in digest.subjects:
        yield f"subjects/{page.slug}.html", "subject.html", {"root": "../", "page": page}, page
    for wpage in digest.watches:
        yield f"watches/{wpage.id}.html", "watch.html", {"root": "../", "page": wpage}, wpage


def render_site(digest: Digest, *, templates: str | None = None) -> dict[str, str]:
    """Relative path -> file content of the whole site (pure)."""
    return _render(digest, None, templates)[0]


def render_changed(
    digest: Digest, previous: Mapping[str, str], *, templates: str | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """The pages whose content key is not the one in ``previous``, and the key of
    every file of the site (pure).

    Returns ``(files, keys)``: ``files`` maps a relative path to its new content,
    ``keys`` every path of the site to its content key ("" for files made every
    time). A page is made unless ``previous[path]`` equals its key, so an empty
    ``previous`` makes the whole site."""
    return _render(digest, previous, templates)


def _render(
    digest: Digest, previous: Mapping[str, str] | None, templates: str | None
) -> tuple[dict[str, str], dict[str, str]]:
    """``render_changed``; with ``previous`` None, every page and no keys."""
    from watcher.feed import render_feed

    env = environment(templates)
    fingerprint = _fingerprint(templates or str(resource_path("templates")))
    files: dict[str, str] = {}
    keys: dict[str, str] = {}
    common = {"digest": digest, "page_name": page_name}
    for path, name, variables, model in _pages(digest):
        if model is None or previous is None:
            key = ""
        else:
            key = content_key(fingerprint, name, digest.title, model)
            if previous.get(path) == key:
                keys[path] = key
                continue
        keys[path] = key
        # Only the pages of changes say when the digest was made: a subject or watch
        # page that shows the same model is the same file from one digest to the next.
        now = digest.now if model is None else None
        files[path] = env.get_template(name).render(common, updated=now, **variables)
    files["feed.xml"] = render_feed(digest, now=digest.now, site_url=digest.site_url)
    keys["feed.xml"] = ""
    loader = env.loader
    assert loader is not None
    style = loader.get_source(env, "style.css")[0]
    keys["style.css"] = hashlib.blake2b(style.encode(), digest_size=16).hexdigest()
    if previous is None or previous.get("style.css") != keys["style.css"]:
        files["style.css"] = style
    return files, keys


def content_key(fingerprint: str, template: str, title: str, model: object) -> str:
    """A key that changes whenever the page made from ``model`` may change: the
    templates and this module (``fingerprint``), the template, the site title, and
    every value of the model, pickled (equal bytes mean equal values)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _KEY_REDUCERS
    pickler.dump((fingerprint, template, title, model))
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()


def _reducer(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:  # attrgetter of one name returns the value, not a tuple
        return lambda obj: (cls, (getattr(obj, names[0]),))
    values = operator.attrgetter(*names)
    return lambda obj: (cls, values(obj))


# The page models pickled as (class, field values) in one C call each: a slotted
# dataclass's own __getstate__ asks fields() for every object, twice the time.
_KEY_REDUCERS: dict[type, Any] = {
    **copyreg.dispatch_table,
    **{
        cls: _reducer(cls)
        for cls in list(globals().values())
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == __name__
    },
}


@functools.cache
def _fingerprint(folder: str) -> str:
    """What a page's HTML depends on besides its model: every template and the
    filters of this module."""
    digest = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16)
    for path in sorted(Path(folder).iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
