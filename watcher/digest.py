"""The digest: from stored watches, versions and change events to page models (pure).

``build_digest(DigestInput) -> Digest`` groups every source's claims by subject
(``subjects.subject_key``), computes each subject's headline across sources, the
cross-source view (what each source says now, grouped by value, with a verdict:
agree / compatible / conflict), the history of each value per source, and the
models of the index, subject and watch pages. ``render_site`` (in ``site.py``)
turns a ``Digest`` into files. Nothing here reads the clock, the database or the
network: the lead's store fills the input records, ``now`` comes in with them.

Size limits, so a digest with 10,000 change events still builds and renders in
well under two seconds: the change list since ``since`` is paginated by
``CHANGES_PER_PAGE`` (index.html is page 1, then changes-2.html ...), at most
``MAX_CHANGE_PAGES`` pages, i.e. 10,000 changes; changes beyond are counted, not
listed (the subject pages always show the current state). Watch pages list the latest
``MAX_CHECKS`` checks and diff the latest ``MAX_TEXT_DIFFS`` version pairs.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from watcher import edtf
from watcher.claims.model import CERTAINTIES, Claim
from watcher.diff import ClaimChange, best_claim, claim_rank, value_key
from watcher.names import PersonIndex
from watcher.site import (
    ChangeView,
    CheckView,
    CrossView,
    DiffLine,
    Digest,
    HeadlineItem,
    HistoryRow,
    PersonRow,
    SourceRef,
    SourceSays,
    SubjectPage,
    TextDiff,
    ValueGroup,
    ValueHistory,
    ValueView,
    Verdict,
    WatchPage,
    render_site,
)
from watcher.subjects import SubjectIndex, slug, subject_key

__all__ = [
    "ChangeRecord",
    "CheckRecord",
    "Digest",
    "DigestInput",
    "VersionRecord",
    "WatchRecord",
    "build_digest",
    "render_site",
]

CHANGES_PER_PAGE: Final = 200
MAX_CHANGE_PAGES: Final = 50  # 50 x 200 = 10,000 listed changes, issue 7's size
# A watch page lists its latest checks and counts the others: after a week of hourly
# checks, 200 rows of "unchanged" were most of a digest's bytes and of its gathering.
MAX_CHECKS: Final = 50
MAX_TEXT_DIFFS: Final = 5
MAX_DIFF_LINES: Final = 200
SUBJECT_RECENT_CHANGES: Final = 50
FEED_ENTRIES: Final = 100
NO_SUBJECT: Final = "(no subject found)"
VIEW_KINDS: Final = ("release_date", "status", "platform", "episodes", "trailer")
KIND_LABELS: Final[dict[str, str]] = {
    "release_date": "release date",
    "status": "status",
    "platform": "platform",
    "episodes": "episodes",
    "trailer": "trailer",
    "cast": "cast",
    "crew": "crew",
}


# ---- input: filled by the store -------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One check of one watch."""

    at: datetime
    outcome: str  # new / changed / unchanged / error
    http_status: int | None = None
    bytes: int = 0
    duration_ms: float = 0.0
    failure_class: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """One stored version (snapshot) of a watched page with its claims.

    ``snapshot_path`` is the stored copy's path relative to the site root (the
    lead links or copies the file there), or an absolute URL, or None."""

    watch_id: int
    snapshot_id: int
    fetched_at: datetime
    subject: str | None
    reference_date: str | None
    claims: tuple[Claim, ...]
    text: str = ""
    snapshot_path: str | None = None


@dataclass(frozen=True, slots=True)
class WatchRecord:
    """A watch with its checks and versions, in any order (they are sorted here)."""

    id: int
    url: str
    name: str
    tags: tuple[str, ...] = ()
    checks: tuple[CheckRecord, ...] = ()
    versions: tuple[VersionRecord, ...] = ()
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    """A stored change event."""

    id: int
    watch_id: int
    at: datetime
    change: ClaimChange
    snapshot_id: int | None = None


@dataclass(frozen=True, slots=True)
class DigestInput:
    now: datetime
    since: datetime | None  # the previous digest; None lists every change
    watches: tuple[WatchRecord, ...]
    changes: tuple[ChangeRecord, ...]
    title: str = "watcher digest"
    site_url: str = ""  # absolute base URL of the published site, for the feed


# ---- building ----------------------------------------------------------------------


def value_view(claim: Claim) -> ValueView:
    """How a claim is said on pages; release dates through ``edtf.describe``."""
    if claim.kind == "release_date":
        text, machine = edtf.describe(claim.value), claim.value
    elif claim.kind == "status":
        text, machine = claim.value.replace("_", " "), claim.value
    elif claim.kind == "episodes":
        text, machine = f"{claim.value} episodes", claim.value
    else:
        text, machine = claim.value, claim.value
    return ValueView(
        kind=claim.kind,
        value=claim.value,
        text=text,
        machine=machine,
        certainty=claim.certainty,
        evidence=claim.evidence,
        superseded=claim.superseded,
        role=claim.role.replace("_", " ") if claim.role else None,
        character=claim.character,
    )


def _resolved(claim: Claim, main: str | None) -> str:
    return claim.subject if claim.subject is not None else (main or "")


def _what(change: ClaimChange) -> str:
    label = KIND_LABELS.get(change.kind, change.kind)
    if change.kind in ("cast", "crew"):
        either = change.new or change.old
        return f"{label}: {either.value}" if either else label
    if change.kind == "platform" or change.slot.startswith("alt:"):
        return f"{label} (also stated)" if change.slot.startswith("alt:") else label
    return label


def _certainty_summary(claims: Iterable[Claim]) -> str:
    """ "official" when the group agrees on certainty, else "1 official, 2 reported"."""
    counts: dict[str, int] = dict.fromkeys(CERTAINTIES, 0)
    for claim in claims:
        counts[claim.certainty] = counts.get(claim.certainty, 0) + 1
    present = [(c, n) for c, n in counts.items() if n]
    if len(present) == 1:
        return present[0][0]
    return ", ".join(f"{n} {c}" for c, n in present)


def _verdict(kind: str, keys: Sequence[str], values: Sequence[str], n_sources: int) -> Verdict:
    if len(keys) <= 1:
        return "agree" if n_sources > 1 else "single"
    if kind != "release_date":
        return "conflict"
    spans = [edtf.parse(v) for v in values if edtf.is_valid(v) and not edtf.parse(v).unknown]
    if len(spans) <= 1:
        return "compatible"  # one date and "unknown": not a contradiction
    clash = any(not a.overlaps(b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    return "conflict" if clash else "compatible"


@dataclass(slots=True)
class _Said:
    """While building a value history: what one source said, first and last."""

    claim: Claim
    first: datetime
    last: datetime
    current: bool
    version: VersionRecord


class _Builder:
    """State shared while building one digest: sources, subjects, people."""

    def __init__(self, data: DigestInput) -> None:
        self.data = data
        # The same claims and subjects come back on many pages (a change, the
        # cross-source view, the history): convert each one once. Views are keyed
        # by identity: hashing a Claim hashes all its fields, and every claim here
        # lives in ``data`` for the whole build.
        self._views: dict[int, ValueView] = {}
        self._keys: dict[str, str] = {}
        self._value_keys: dict[tuple[str, str], str] = {}
        self.sources = {w.id: SourceRef(w.id, w.name, w.url) for w in data.watches}
        self.subjects = SubjectIndex()
        # Subject spellings in the order first seen, with how often each is said:
        # added to ``subjects`` once per spelling, not once per mention.
        mentions: dict[str, int] = {}
        self.versions = {
            w.id: sorted(w.versions, key=lambda v: (v.fetched_at, v.snapshot_id))
            for w in data.watches
        }
        self.check_times = {
            w.id: sorted(c.at for c in w.checks if c.outcome != "error") for w in data.watches
        }
        self.snapshot_paths = {
            v.snapshot_id: v.snapshot_path for vs in self.versions.values() for v in vs
        }
        # subject key -> watch id -> claims of the watch's latest version about it
        self.current: dict[str, dict[int, list[Claim]]] = {}
        self.main_subject_of: dict[str, set[int]] = {}
        # subject key -> (kind, value key) -> watch id -> when it said it, first and last
        self.said: dict[str, dict[tuple[str, str], dict[int, _Said]]] = {}
        for watch in data.watches:
            versions = self.versions[watch.id]
            for i, version in enumerate(versions):
                if version.subject:
                    mentions[version.subject] = mentions.get(version.subject, 0) + 1
                for claim in version.claims:
                    if claim.subject is not None:
                        mentions[claim.subject] = mentions.get(claim.subject, 0) + 1
                self._record_said(watch.id, versions, i)
            if not versions:
                continue
            latest = versions[-1]
            if latest.subject:
                key = self.key(latest.subject)
                self.main_subject_of.setdefault(key, set()).add(watch.id)
                self.current.setdefault(key, {}).setdefault(watch.id, [])
            for claim in latest.claims:
                key = self.key(_resolved(claim, latest.subject))
                if key:
                    self.current.setdefault(key, {}).setdefault(watch.id, []).append(claim)
        for record in data.changes:
            subject = record.change.subject
            if self.key(subject):
                mentions[subject] = mentions.get(subject, 0) + 1
        for subject, times in mentions.items():
            self.subjects.add(subject, times=times)
        self._names: dict[str, str] = {}
        self.slugs = self._slugs()
        # watch id -> the subjects its latest version speaks about (for its page;
        # asking every subject per watch would be quadratic in watches)
        self.keys_of: dict[int, set[str]] = {}
        for key, per_source in self.current.items():
            for wid in per_source:
                self.keys_of.setdefault(wid, set()).add(key)

    def key(self, subject: str) -> str:
        """``subject_key``, once per spelling."""
        key = self._keys.get(subject)
        if key is None:
            key = self._keys[subject] = subject_key(subject)
        return key

    def name(self, key: str) -> str:
        """``subjects.display``, once per subject (every spelling is known by now)."""
        name = self._names.get(key)
        if name is None:
            name = self._names[key] = self.subjects.display(key)
        return name

    def value_key(self, kind: str, value: str) -> str:
        """``diff.value_key`` (an EDTF parse for dates), once per value."""
        key = self._value_keys.get((kind, value))
        if key is None:
            key = self._value_keys[kind, value] = value_key(kind, value)
        return key

    def view(self, claim: Claim) -> ValueView:
        """``value_view``, once per claim."""
        view = self._views.get(id(claim))
        if view is None:
            view = self._views[id(claim)] = value_view(claim)
        return view

    def _slugs(self) -> dict[str, str]:
        out: dict[str, str] = {}
        taken: set[str] = set()
        for key in sorted(self.subjects.keys()):
            base = slug(key)
            candidate, n = base, 2
            while candidate in taken:  # two keys may share a slug after punctuation folding
                candidate, n = f"{base}-{n}", n + 1
            taken.add(candidate)
            out[key] = candidate
        return out

    def source(self, watch_id: int) -> SourceRef:
        return self.sources.get(watch_id) or SourceRef(watch_id, f"watch {watch_id}", "")

    def change_view(self, record: ChangeRecord) -> ChangeView:
        change = record.change
        key = self.key(change.subject)
        return ChangeView(
            id=record.id,
            at=record.at,
            source=self.source(record.watch_id),
            # No subject page exists for claims whose article named no subject.
            subject=self.name(key) if key else NO_SUBJECT,
            subject_slug=self.slugs.get(key, "") if key else "",
            kind=change.kind,
            what=_what(change),
            change=change.change,
            headline=change.headline,
            old=self.view(change.old) if change.old else None,
            new=self.view(change.new) if change.new else None,
            snapshot_path=self.snapshot_paths.get(record.snapshot_id or -1),
        )

    def last_seen(self, watch_id: int, start: datetime, until: datetime | None) -> datetime:
        """The last successful check in [start, until): when the source last said it."""
        times = self.check_times.get(watch_id, [])
        hi = bisect.bisect_left(times, until) if until is not None else len(times)
        return max(start, times[hi - 1]) if hi > 0 else start

    def says(self, watch_id: int, claim: Claim) -> SourceSays:
        latest = self.versions[watch_id][-1]
        return SourceSays(
            self.source(watch_id), latest.fetched_at, self.view(claim), latest.snapshot_path
        )

    def subject_page(self, key: str, changes: Sequence[ChangeView]) -> SubjectPage:
        per_source = self.current.get(key, {})
        # Each source's best claim per kind, and the best across sources, once: the
        # headline and the cross-source views both ask.
        best_of = {kind: self.best_of(kind, per_source) for kind in VIEW_KINDS}
        overall = {kind: self.best_across(best_of[kind]) for kind in VIEW_KINDS}
        views = tuple(
            self.cross_view(kind, per_source, best_of[kind], overall[kind]) for kind in VIEW_KINDS
        )
        heads = []
        for kind in ("release_date", "status", "platform"):
            best = overall[kind]
            heads.append(
                HeadlineItem(
                    KIND_LABELS[kind],
                    self.view(best[0]) if best else None,
                    self.source(best[1]) if best else None,
                )
            )
        sources = tuple(
            sorted(
                (
                    SourceSays(
                        self.source(wid),
                        self.versions[wid][-1].fetched_at,
                        ValueView("", "", "", "", "", ""),
                        self.versions[wid][-1].snapshot_path,
                    )
                    for wid in per_source
                ),
                key=lambda s: s.source.name.casefold(),
            )
        )
        return SubjectPage(
            key=key,
            slug=self.slugs.get(key, slug(key)),
            name=self.name(key),
            headline=tuple(heads),
            views=tuple(v for v in views if v.groups),
            people=self.people(per_source),
            histories=self.histories(key),
            sources=sources,
            changes=tuple(changes[:SUBJECT_RECENT_CHANGES]),
            conflict=any(v.verdict == "conflict" for v in views),
            about=len(self.main_subject_of.get(key, ())),
        )

    @staticmethod
    def best_of(kind: str, per_source: dict[int, list[Claim]]) -> dict[int, Claim | None]:
        """Each source's best current claim of ``kind`` (None: it does not say)."""
        return {wid: best_claim(kind, claims) for wid, claims in per_source.items()}

    def best_across(self, best_of: dict[int, Claim | None]) -> tuple[Claim, int] | None:
        """The best claim any source makes now; a newer source wins a tie. A release
        date that has passed gives way to a source's date still ahead: the work was not
        out by then, or the sources would not still be waiting."""
        candidates = []
        for wid, best in best_of.items():
            if best is not None:
                fetched = self.versions[wid][-1].fetched_at
                candidates.append((claim_rank(best), -fetched.timestamp(), wid, best))
        if not candidates:
            return None
        ahead = [c for c in candidates if not _passed(c[3], self.data.now)]
        if ahead:
            candidates = ahead
        _rank, _t, wid, best = min(candidates, key=lambda c: c[:3])
        return best, wid

    def cross_view(
        self,
        kind: str,
        per_source: dict[int, list[Claim]],
        best_of: dict[int, Claim | None],
        overall: tuple[Claim, int] | None,
    ) -> CrossView:
        groups: dict[str, list[tuple[int, Claim]]] = {}
        silent = []
        for wid in per_source:
            best = best_of[wid]
            if best is None:
                silent.append(self.source(wid))
                continue
            groups.setdefault(self.value_key(kind, best.value), []).append((wid, best))
        best_key = self.value_key(kind, overall[0].value) if overall else None
        built = []
        for vkey, members in groups.items():
            strongest = min((c for _w, c in members), key=claim_rank)
            built.append(
                ValueGroup(
                    value=self.view(strongest),
                    sources=tuple(self.says(w, c) for w, c in members),
                    certainties=_certainty_summary(c for _w, c in members),
                    best=vkey == best_key,
                )
            )
        built.sort(key=lambda g: (not g.best, -len(g.sources), g.value.text))
        return CrossView(
            kind=kind,
            label=KIND_LABELS[kind],
            groups=tuple(built),
            verdict=_verdict(
                kind,
                list(groups),
                [g.value.value for g in built],
                sum(len(m) for m in groups.values()),
            ),
            silent=tuple(sorted(silent, key=lambda s: s.name.casefold())),
        )

    def people(self, per_source: dict[int, list[Claim]]) -> tuple[PersonRow, ...]:
        index = PersonIndex()
        rows: dict[tuple[str, str], list[tuple[int, Claim]]] = {}
        for wid, claims in sorted(per_source.items()):
            for claim in claims:
                if claim.kind in ("cast", "crew") and not claim.superseded:
                    rows.setdefault((claim.kind, index.canonical(claim.value)), []).append(
                        (wid, claim)
                    )
        out = []
        for (kind, name), members in rows.items():
            seen: dict[int, Claim] = {}
            for wid, claim in members:  # one line per source: its strongest mention
                if wid not in seen or claim_rank(claim) < claim_rank(seen[wid]):
                    seen[wid] = claim
            roles = sorted({(c.role or "").replace("_", " ") for c in seen.values()} - {""})
            out.append(
                PersonRow(
                    name=name,
                    kind=kind,
                    roles=", ".join(roles),
                    sources=tuple(self.says(w, c) for w, c in seen.items()),
                    differs=len(roles) > 1,
                )
            )
        out.sort(key=lambda r: (r.kind, -len(r.sources), r.name.casefold()))
        return tuple(out)

    def _record_said(self, wid: int, versions: Sequence[VersionRecord], i: int) -> None:
        version = versions[i]
        until = versions[i + 1].fetched_at if i + 1 < len(versions) else None
        last = self.last_seen(wid, version.fetched_at, until)
        for claim in version.claims:
            if claim.kind not in VIEW_KINDS or claim.superseded:
                continue
            key = self.key(_resolved(claim, version.subject))
            table = self.said.setdefault(key, {})
            cell = table.setdefault((claim.kind, self.value_key(claim.kind, claim.value)), {})
            said = cell.get(wid)
            if said is None:
                cell[wid] = _Said(claim, version.fetched_at, last, until is None, version)
            else:
                said.last, said.current, said.version = last, until is None, version

    def histories(self, key: str) -> tuple[ValueHistory, ...]:
        table = self.said.get(key, {})
        out = []
        for (kind, _vkey), cell in table.items():
            rows = sorted(
                (
                    HistoryRow(
                        self.source(wid),
                        self.view(s.claim),
                        s.first,
                        s.last,
                        s.current,
                        s.version.snapshot_path,
                    )
                    for wid, s in cell.items()
                ),
                key=lambda r: (r.first_said, r.source.name),
            )
            view = rows[0].value
            out.append(ValueHistory(kind, KIND_LABELS[kind], view.text, view.machine, tuple(rows)))
        out.sort(key=lambda h: (VIEW_KINDS.index(h.kind), min(r.first_said for r in h.rows)))
        return tuple(out)

    def watch_page(self, watch: WatchRecord) -> WatchPage:
        checks = sorted(watch.checks, key=lambda c: c.at, reverse=True)
        versions = self.versions[watch.id]
        diffs = tuple(
            text_diff(versions[i - 1], versions[i])
            for i in range(len(versions) - 1, max(0, len(versions) - 1 - MAX_TEXT_DIFFS), -1)
        )
        keys = self.keys_of.get(watch.id, set())
        last_failure = next((c.failure_class for c in checks if c.outcome == "error"), None)
        return WatchPage(
            id=watch.id,
            name=watch.name,
            url=watch.url,
            tags=watch.tags,
            consecutive_failures=watch.consecutive_failures,
            failing_since=watch.failing_since,
            last_error=watch.last_error,
            last_failure_class=last_failure if watch.consecutive_failures else None,
            checks=tuple(
                CheckView(
                    c.at, c.outcome, c.http_status, c.bytes, c.duration_ms, c.failure_class, c.error
                )
                for c in checks[:MAX_CHECKS]
            ),
            checks_total=len(checks),
            errors=sum(1 for c in checks if c.outcome == "error"),
            diffs=diffs,
            subjects=tuple(sorted((self.name(k), self.slugs.get(k, slug(k))) for k in keys)),
            latest_snapshot_path=versions[-1].snapshot_path if versions else None,
        )


def text_diff(old: VersionRecord, new: VersionRecord) -> TextDiff:
    """Unified diff of the extracted text of two consecutive versions."""
    raw = list(
        difflib.unified_diff(old.text.splitlines(), new.text.splitlines(), lineterm="", n=2)
    )[2:]  # the ---/+++ header names nothing useful here
    lines: list[DiffLine] = []
    added = removed = 0
    for line in raw:
        # Count every line, but build only what the page shows.
        tag: Literal["add", "del", "hunk", "ctx"]
        if line.startswith("@@"):
            tag = "hunk"
        elif line.startswith("+"):
            added += 1
            tag = "add"
        elif line.startswith("-"):
            removed += 1
            tag = "del"
        else:
            tag = "ctx"
        if len(lines) < MAX_DIFF_LINES:
            lines.append(DiffLine(tag, line))
    return TextDiff(
        old_at=old.fetched_at,
        new_at=new.fetched_at,
        old_id=old.snapshot_id,
        new_id=new.snapshot_id,
        added=added,
        removed=removed,
        lines=tuple(lines),
        truncated=len(raw) > MAX_DIFF_LINES,
    )


def _passed(claim: Claim, now: datetime) -> bool:
    """True for a release date whose last day is before ``now``."""
    if claim.kind != "release_date":
        return False
    try:
        span = edtf.parse(claim.value)
    except edtf.EdtfError:
        return False
    return not span.unknown and span.end is not None and span.end < now.date()


def build_digest(data: DigestInput) -> Digest:
    """Page models of the whole site from stored records (pure)."""
    builder = _Builder(data)
    views = [builder.change_view(r) for r in data.changes]
    newest_first = sorted(views, key=lambda v: (v.at, v.id), reverse=True)
    recent = [v for v in newest_first if data.since is None or v.at > data.since]
    # Headline changes first, then newest first (sorted() is stable).
    recent.sort(key=lambda v: not v.headline)
    limit = CHANGES_PER_PAGE * MAX_CHANGE_PAGES
    listed = recent[:limit]
    pages = tuple(
        tuple(listed[i : i + CHANGES_PER_PAGE]) for i in range(0, len(listed), CHANGES_PER_PAGE)
    ) or ((),)
    by_subject: dict[str, list[ChangeView]] = {}
    for view in newest_first:
        by_subject.setdefault(view.subject_slug, []).append(view)
    keys = set(builder.current) | {builder.key(r.change.subject) for r in data.changes}
    keys.discard("")
    subjects = [builder.subject_page(k, by_subject.get(builder.slugs[k], [])) for k in keys]
    # Subjects that sources are *about* first, then the ones only mentioned.
    subjects.sort(key=lambda p: (-len(builder.main_subject_of.get(p.key, ())), p.name.casefold()))
    watches = tuple(builder.watch_page(w) for w in sorted(data.watches, key=lambda w: w.id))
    failing = tuple(
        sorted(
            (w for w in watches if w.consecutive_failures > 0),
            key=lambda w: (-w.consecutive_failures, w.name.casefold()),
        )
    )
    return Digest(
        title=data.title,
        now=data.now,
        since=data.since,
        site_url=data.site_url,
        pages=pages,
        changes_total=len(recent),
        headline_total=sum(1 for v in recent if v.headline),
        changes_unlisted=max(0, len(recent) - limit),
        subjects=tuple(subjects),
        watches=watches,
        failing=failing,
        feed=tuple(newest_first[:FEED_ENTRIES]),
    )
