"""Claim diff: what changed between two claim sets, by identity, not by wording.

A claim's identity is ``(kind, subject key, slot)``:

* subject key: ``subjects.subject_key`` of ``claim.subject``, or of the article's
  main subject when ``claim.subject`` is None, so "Season 2" and "season two" match;
* slot, for multi-valued kinds: the folded person key for cast and crew
  (``names``: romanisations of one name share a slot) and the platform key;
* slot, for single-valued kinds (release_date, status, episodes, trailer): ``""``
  for the *primary* value -- the one ``headline`` would pick -- and
  ``alt:<value>`` for every other value the article states at the same time
  (an "originally scheduled" superseded date, an "unknown" next to a date).

Why primary + alternatives: an article that moves the date from April 14 to
January 5 and keeps "originally scheduled for April 14" must give one
``changed`` event (April 14 → January 5), not a removal and two additions. The
alternative equal to the other side's primary value is that change's
explanation, so it is not reported again; any other alternative appearing or
disappearing is an ``added``/``removed`` event of its own.

Within one slot, repeated mentions collapse to one representative (current over
superseded, then the strongest certainty, then the first mention). Two
representatives are equal when value (EDTF ``same_value`` for dates, person
identity for people), certainty, superseded flag and role agree; evidence
wording and position never matter.

The noise guard (``is_flip_back``/``NoiseGuard``) is described on ``is_flip_back``.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final, Literal

from watcher import edtf
from watcher.claims.model import Claim, Kind
from watcher.names import PersonIndex, folded_key, person_key
from watcher.subjects import subject_key

ChangeKind = Literal["added", "removed", "changed"]

SINGLE_VALUED: Final[frozenset[str]] = frozenset({"release_date", "status", "episodes", "trailer"})
HEADLINE_KINDS: Final[frozenset[str]] = frozenset({"release_date", "status", "platform"})
_CERTAINTY_RANK: Final[dict[str, int]] = {"official": 0, "reported": 1, "speculative": 2}
# Later stages win when one article states several; "cancelled" is terminal and
# "delayed" is news about a date that was already set, so it ranks late.
STATUS_ORDER: Final[dict[str, int]] = {
    "undecided": 0,
    "announced": 1,
    "renewed": 1,
    "in_development": 2,
    "pre_production": 3,
    "filming": 4,
    "post_production": 5,
    "completed": 6,
    "delayed": 7,
    "released": 8,
    "cancelled": 9,
}
_KIND_ORDER: Final[dict[str, int]] = {
    k: i
    for i, k in enumerate(
        ("release_date", "status", "platform", "episodes", "trailer", "cast", "crew")
    )
}


@dataclass(frozen=True, slots=True)
class ClaimChange:
    """One change of one claim identity between two claim sets."""

    kind: Kind
    subject: str  # resolved subject: the main subject's name when claim.subject is None
    slot: str  # identity within kind + subject ("" = the primary value of a single-valued kind)
    change: ChangeKind
    old: Claim | None
    new: Claim | None
    headline: bool  # True when the subject's headline (date, status, platform) changed here


@dataclass(frozen=True, slots=True)
class Headline:
    """The best current claims about one subject."""

    release_date: Claim | None
    status: Claim | None
    platform: Claim | None


def certainty_rank(certainty: str) -> int:
    """0 for official, 1 reported, 2 speculative, 3 anything else."""
    return _CERTAINTY_RANK.get(certainty, 3)


def value_key(kind: str, value: str) -> str:
    """The comparable form of a value: EDTF spans, person keys, casefolded words."""
    if kind == "release_date":
        try:
            span = edtf.parse(value)
        except edtf.EdtfError:
            return value.strip().casefold()
        if span.unknown:
            return edtf.UNKNOWN
        return f"{span.start or '..'}/{span.end or '..'}"
    if kind in ("cast", "crew"):
        return folded_key(value)
    if kind == "platform":
        return person_key(value)
    return " ".join(value.casefold().split())


def _resolve(claim: Claim, main_subject: str | None) -> str:
    return claim.subject if claim.subject is not None else (main_subject or "")


# The last element of each rank breaks ties by value, not by position, so that
# reordered paragraphs pick the same claim (the spec: reordering is no change).


def _date_rank(claim: Claim) -> tuple[int, int, float, str]:
    try:
        span = edtf.parse(claim.value)
        unknown, width = int(span.unknown), span.width_days
    except edtf.EdtfError:
        unknown, width = 2, float("inf")
    return (certainty_rank(claim.certainty), unknown, width, value_key(claim.kind, claim.value))


def _status_rank(claim: Claim) -> tuple[int, int, int, str]:
    # Hedged statuses ("could be cancelled") never outrank stated ones.
    hedged = int(claim.certainty == "speculative")
    stage = STATUS_ORDER.get(claim.value, -1)
    return (hedged, -stage, certainty_rank(claim.certainty), claim.value)


def _plain_rank(claim: Claim) -> tuple[int, str]:
    return (certainty_rank(claim.certainty), value_key(claim.kind, claim.value))


def claim_rank(claim: Claim) -> tuple[float, ...]:
    """The order ``best_claim`` uses (smaller is better), without the final
    tie-break by value, so that callers can add their own (e.g. the newest source)."""
    if claim.kind == "release_date":
        return _date_rank(claim)[:-1]
    if claim.kind == "status":
        return _status_rank(claim)[:-1]
    return _plain_rank(claim)[:-1]


def best_claim(kind: str, claims: Iterable[Claim]) -> Claim | None:
    """The claim ``headline`` would show for ``kind`` among current ``claims``."""
    current = [c for c in claims if c.kind == kind and not c.superseded]
    if not current:
        return None
    if kind == "release_date":
        return min(current, key=_date_rank)
    if kind == "status":
        return min(current, key=_status_rank)
    return min(current, key=_plain_rank)


def headline(
    claims: Sequence[Claim], subject: str | None, *, main_subject: str | None = None
) -> Headline:
    """Best current release date (certainty, then narrowest span; "unknown" loses to a
    date of the same certainty), latest status by lifecycle, and platform of ``subject``.

    Claims with ``subject=None`` are about ``main_subject`` (default: ``subject``), so
    ``headline(article.claims, article.subject)`` is the article's own headline."""
    main = subject if main_subject is None else main_subject
    want = subject_key(subject or "")
    mine = [c for c in claims if subject_key(_resolve(c, main)) == want]
    return Headline(
        release_date=best_claim("release_date", mine),
        status=best_claim("status", mine),
        platform=best_claim("platform", mine),
    )


def _by_subject(claims: Sequence[Claim], main_subject: str | None) -> dict[str, list[Claim]]:
    grouped: dict[str, list[Claim]] = {}
    for claim in claims:
        grouped.setdefault(subject_key(_resolve(claim, main_subject)), []).append(claim)
    return grouped


def _representative(claims: Sequence[Claim]) -> Claim:
    # Repeated mentions of one identity: current over superseded, strongest
    # certainty, then the first mention -- independent of sentence wording.
    return min(claims, key=lambda c: (c.superseded, certainty_rank(c.certainty), c.start))


def _with_all_roles(claim: Claim, members: Sequence[Claim]) -> Claim:
    """One person named as director and writer: compare the set of roles, so that
    which mention comes first does not matter."""
    roles = sorted({m.role for m in members if m.role and m.superseded == claim.superseded})
    if len(roles) <= 1:
        return claim
    return replace(claim, role=", ".join(roles))


def _primary(kind: str, claims: Sequence[Claim]) -> Claim:
    best = best_claim(kind, claims)
    if best is not None:
        return best
    # Everything is superseded: the strongest of them still holds the slot, so
    # "became superseded" is a change of that slot rather than a removal.
    return _representative(claims)


def claim_identity(claim: Claim, main_subject: str | None) -> tuple[str, str, str]:
    """``(kind, subject key, slot)`` of one claim taken alone.

    The slot is ``""`` for single-valued kinds (the release date *of* a subject),
    the folded person key for cast and crew and the platform key for platforms.
    ``diff_claims``, which sees a whole article, further splits a single-valued
    identity into the primary value (``""``) and ``alt:<value>`` alternatives."""
    subject = subject_key(_resolve(claim, main_subject))
    if claim.kind in SINGLE_VALUED:
        return (claim.kind, subject, "")
    return (claim.kind, subject, value_key(claim.kind, claim.value))


def _same(a: Claim, b: Claim) -> bool:
    if a.kind in ("cast", "crew"):
        equal = True  # the slot is the person; spelling variants are not a change
    elif a.kind == "release_date":
        equal = edtf.same_value(a.value, b.value)
    else:
        equal = value_key(a.kind, a.value) == value_key(b.kind, b.value)
    return (
        equal
        and a.certainty == b.certainty
        and a.superseded == b.superseded
        and (a.role or "") == (b.role or "")
    )


_Slots = dict[tuple[str, str, str], Claim]


def _slots(
    claims: Sequence[Claim], main_subject: str | None, people: PersonIndex
) -> tuple[_Slots, dict[tuple[str, str], str]]:
    """Representative claim per identity, and the subject name per subject key."""
    groups: dict[tuple[str, str, str], list[Claim]] = {}
    names: dict[tuple[str, str], str] = {}
    for claim in claims:
        resolved = _resolve(claim, main_subject)
        skey = subject_key(resolved)
        names.setdefault((claim.kind, skey), resolved)
        if claim.kind in ("cast", "crew"):
            slot = people.key(claim.value)
        elif claim.kind in SINGLE_VALUED:
            slot = ""  # split into primary and alternatives below
        else:
            slot = value_key(claim.kind, claim.value)
        groups.setdefault((claim.kind, skey, slot), []).append(claim)
    out: _Slots = {}
    for (kind, skey, slot), members in groups.items():
        if kind not in SINGLE_VALUED:
            out[(kind, skey, slot)] = _with_all_roles(_representative(members), members)
            continue
        primary = _primary(kind, members)
        out[(kind, skey, "")] = primary
        primary_value = value_key(kind, primary.value)
        alternatives: dict[str, list[Claim]] = {}
        for claim in members:
            vkey = value_key(kind, claim.value)
            if vkey != primary_value:
                alternatives.setdefault(vkey, []).append(claim)
        for vkey, alts in alternatives.items():
            out[(kind, skey, f"alt:{vkey}")] = _representative(alts)
    return out, names


def _sort_key(change: ClaimChange) -> tuple[int, int, str, int, str]:
    return (
        0 if change.headline else 1,
        _KIND_ORDER.get(change.kind, 99),
        subject_key(change.subject),
        0 if change.slot == "" else 1,
        change.slot,
    )


def diff_claims(
    old: Sequence[Claim],
    new: Sequence[Claim],
    *,
    old_subject: str | None,
    new_subject: str | None,
) -> list[ClaimChange]:
    """Changes from ``old`` to ``new`` by identity; headline changes first."""
    people = PersonIndex()  # one index for both sides, so a respelling keeps its slot
    before, old_names = _slots(old, old_subject, people)
    after, new_names = _slots(new, new_subject, people)
    old_heads: dict[str, Headline] = {}
    new_heads: dict[str, Headline] = {}
    # Claims by subject key, grouped once: an article about thousands of subjects
    # must not rescan every claim for each of them.
    by_subject = {"old": _by_subject(old, old_subject), "new": _by_subject(new, new_subject)}

    def head(side: str, skey: str) -> Headline:
        cache = old_heads if side == "old" else new_heads
        if skey not in cache:
            mine = by_subject[side].get(skey, [])
            cache[skey] = Headline(
                best_claim("release_date", mine),
                best_claim("status", mine),
                best_claim("platform", mine),
            )
        return cache[skey]

    def is_headline(kind: str, skey: str, slot: str) -> bool:
        if kind not in HEADLINE_KINDS:
            return False
        a: Claim | None = getattr(head("old", skey), kind)
        b: Claim | None = getattr(head("new", skey), kind)
        if a is None and b is None:
            return False
        if a is not None and b is not None and _same(a, b):
            return False
        if kind == "platform":
            return slot in {value_key(kind, c.value) for c in (a, b) if c is not None}
        return slot == ""

    changes: list[ClaimChange] = []
    for identity in list(before) + [i for i in after if i not in before]:
        kind, skey, slot = identity
        a, b = before.get(identity), after.get(identity)
        if a is not None and b is not None:
            if _same(a, b):
                continue
            change: ChangeKind = "changed"
        elif b is not None:
            change = "added"
        else:
            change = "removed"
        if slot.startswith("alt:") and _explains_primary_change(identity, before, after):
            continue
        name = new_names.get((kind, skey)) or old_names.get((kind, skey)) or skey
        changes.append(
            ClaimChange(
                kind=kind,  # type: ignore[arg-type]
                subject=name,
                slot=slot,
                change=change,
                old=a,
                new=b,
                headline=is_headline(kind, skey, slot),
            )
        )
    changes.sort(key=_sort_key)
    return changes


def _explains_primary_change(identity: tuple[str, str, str], before: _Slots, after: _Slots) -> bool:
    """True for an alternative that was (or becomes) the other side's primary value:
    "originally scheduled for April 14" after the date moved is part of that move."""
    kind, skey, slot = identity
    vkey = slot.removeprefix("alt:")
    in_old, in_new = identity in before, identity in after
    if in_new and not in_old:
        other = before.get((kind, skey, ""))
    elif in_old and not in_new:
        other = after.get((kind, skey, ""))
    else:
        return False
    return other is not None and value_key(kind, other.value) == vkey


def claims_fingerprint(claims: Sequence[Claim], main_subject: str | None) -> str:
    """A stable hash of a claim set: identities, values, certainty, superseded, role.

    Insensitive to evidence wording, order, repeated mentions and romanisation."""
    rows = sorted(
        {
            (
                *claim_identity(claim, main_subject),
                value_key(claim.kind, claim.value),
                claim.certainty,
                "superseded" if claim.superseded else "current",
                (claim.role or "").casefold(),
            )
            for claim in claims
        }
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()[:32]


def is_flip_back(fingerprint: str, previous: str | None, recent: Sequence[str]) -> bool:
    """True when a new claim set returns to one of the watch's recent claim sets.

    Rule: the new fingerprint differs from the previous version's and equals one of
    the last N fingerprints (``recent``, newest first, N = ``noise_memory`` ≈ 8).
    A/B tests and rotating "related news" blocks make a page alternate between a
    few states; each state is raised once, when first seen, and returning to it
    is stored as a version but not raised again.

    Trade-off: a genuine revert to a state seen within the last N versions (a date
    moved and then moved back) is not raised either. The digest's headline and
    cross-source view are computed from the latest version, not from change
    events, so they still show the reverted value; only the event is silent.
    """
    if previous is not None and fingerprint == previous:
        return False
    return fingerprint in recent


class NoiseGuard:
    """``is_flip_back`` with its own memory, for callers that keep no history."""

    def __init__(self, memory: int = 8, recent: Iterable[str] = ()) -> None:
        self._recent: deque[str] = deque(maxlen=memory)
        # ``recent`` is newest first, like Store.recent_fingerprints; keep oldest first.
        for fingerprint in reversed(list(recent)[:memory]):
            self._recent.append(fingerprint)

    def observe(self, fingerprint: str) -> bool:
        """Record a new claim set; True when its changes should not be raised."""
        recent = list(reversed(self._recent))
        previous = recent[0] if recent else None
        suppressed = is_flip_back(fingerprint, previous, recent)
        if fingerprint != previous:
            self._recent.append(fingerprint)
        return suppressed
