"""Orchestration: sentences in, de-duplicated claims with evidence out.

Every kind's rules see each sentence; the engine attaches the evidence
offsets, keeps one claim per (kind, subject, value) — per (status, date) for
status — and prefers the most explicit sentence among repeated mentions.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from watcher.claims.certainty import (
    Attribution,
    attribution,
    carried_attributions,
    official_headline,
)
from watcher.claims.crew import crew_claims
from watcher.claims.dates import numeric_order
from watcher.claims.drafts import Context, Draft
from watcher.claims.facets import episode_claims, platform_claims, status_claims, trailer_claims
from watcher.claims.model import ArticleClaims, Claim, ReferenceBasis
from watcher.claims.people import actor_names, cast_claims, cast_role
from watcher.claims.release import release_claims
from watcher.claims.sentences import (
    MAX_HEADLINE_WORDS,
    Sentence,
    list_intros,
    looks_like_headline,
    segment,
)
from watcher.claims.speakers import MakerSpeech
from watcher.claims.subjects import main_subject

log = logging.getLogger(__name__)

# About a hundred long articles' worth of text. The engine's cost grows with the text,
# so a page of megabytes of lines would hold a check for minutes; what lies past this
# is not read (and the log says so).
MAX_TEXT = 400_000

Rule = Callable[[Context], list[Draft]]
RULES: tuple[Rule, ...] = (
    release_claims,
    status_claims,
    platform_claims,
    cast_claims,
    crew_claims,
    trailer_claims,
    episode_claims,
)
# Lower sorts first: which of several sentences saying the same thing is kept.
_CERTAINTY_RANK = {"official": 0, "reported": 1, "speculative": 2}


def _key(draft: Draft) -> tuple[str, str, str, str]:
    subject = (draft.subject or "").casefold()
    # Status is keyed by (status, date); a person with two crew roles is two claims.
    date_part = draft.date or "" if draft.kind == "status" else ""
    if draft.kind == "crew":
        date_part = draft.role or ""
    return (draft.kind, subject, draft.value.casefold(), date_part)


def _headline_of(text: str, title: str | None) -> str | None:
    if title and title.strip() and len(title.split()) <= MAX_HEADLINE_WORDS:
        return title.strip()
    for line in text.splitlines():
        if looks_like_headline(line):
            return line.strip()
    return None


def extract_claims(
    text: str,
    *,
    reference_date: date | None = None,
    reference_basis: ReferenceBasis = "given",
    title: str | None = None,
) -> ArticleClaims:
    """Claims of one plain-text article; relative dates resolve against ``reference_date``."""
    if len(text) > MAX_TEXT:
        cut = text.rfind("\n", 0, MAX_TEXT)
        log.warning("claims: the text is %d characters; only the first %d are read", len(text), cut)
        text = text[: cut if cut > 0 else MAX_TEXT]
    headline = _headline_of(text, title)
    sentences = segment(text, title)
    # The subject is voted on by the article's own sentences, not by its menus and teasers.
    body = "\n".join(s.text for s in sentences if not s.headline)
    subject = main_subject(_strip_date_prefix(headline), body)
    announced = official_headline(headline)
    actors = actor_names(body)
    order = numeric_order(body)
    best: dict[tuple[str, str, str, str], tuple[tuple[int, int, int], Claim]] = {}
    proposed = [
        (sentence, draft)
        for sentence in sentences
        for rule in RULES
        for draft in rule(Context(sentence, subject, reference_date, actors, order))
    ]
    proposed = _roles_from_list_intros(proposed, sentences)
    makers = MakerSpeech(text, ((d.value, d.role) for _s, d in proposed if d.kind == "crew"))
    own = [attribution(s.text, makers) for s in sentences]
    carried = carried_attributions(text, sentences, own)
    sources = {s.start: (o, c) for s, o, c in zip(sentences, own, carried, strict=True)}
    for sentence, raw in proposed:
        draft = _with_source(raw, *sources[sentence.start])
        if announced:
            draft = _in_official_article(draft)
        claim = _claim(draft, sentence)
        rank = (_CERTAINTY_RANK[draft.certainty], 1 if sentence.headline else 0, sentence.start)
        key = _key(draft)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, claim)
    # "No firm date, but a fall 2024 window": the sentence's own window wins over unknown.
    firm_at = {
        c.start
        for _r, c in best.values()
        if c.kind == "release_date"
        and c.subject is None
        and c.value != "unknown"
        and not c.superseded
        and c.certainty != "speculative"
    }
    best = {
        k: rc
        for k, rc in best.items()
        if not (
            rc[1].kind == "release_date"
            and rc[1].value == "unknown"
            and not rc[1].subject
            and rc[1].start in firm_at
        )
    }
    # An undated status is redundant next to the same status with a date.
    dated = {(c.subject, c.value) for _r, c in best.values() if c.kind == "status" and c.date}
    kept = [
        c
        for _r, c in best.values()
        if not (c.kind == "status" and c.date is None and (c.subject, c.value) in dated)
    ]
    kept = _resolve_surnames(kept, text)
    claims = tuple(sorted(kept, key=lambda c: (c.start, c.kind)))
    return ArticleClaims(
        subject=subject.name,
        reference_date=reference_date.isoformat() if reference_date else None,
        reference_basis=reference_basis,
        claims=claims,
    )


_OFFICIAL_KINDS = frozenset({"release_date", "status", "platform", "trailer"})
# What a maker's own word settles: when and in what state the work is.
_MAKERS_SAY = frozenset({"release_date", "status", "trailer", "episodes"})


def _with_source(draft: Draft, own: Attribution | None, source: Attribution | None) -> Draft:
    """A plain statement is official when it continues an announcement, or when one
    of the work's people states its date or state (who is in the crew or cast, and
    where it streams, stay the outlet's word)."""
    if draft.certainty != "reported":
        return draft
    if (own is None and source == "official") or (source == "maker" and draft.kind in _MAKERS_SAY):
        return replace(draft, certainty="official")
    return draft


def _roles_from_list_intros(
    proposed: list[tuple[Sentence, Draft]], sentences: list[Sentence]
) -> list[tuple[Sentence, Draft]]:
    """A cast list takes its role from the line that introduced it ("The newly
    announced cast includes:" makes every item a new cast member)."""
    intros = {s.start: i for s, i in zip(sentences, list_intros(sentences), strict=True)}
    out: list[tuple[Sentence, Draft]] = []
    for sentence, draft in proposed:
        intro = intros[sentence.start]
        if draft.kind == "cast" and draft.role == "series" and intro is not None:
            out.append((sentence, replace(draft, role=cast_role(sentences[intro].text))))
        else:
            out.append((sentence, draft))
    return out


def _in_official_article(draft: Draft) -> Draft:
    """In an article about an announcement, plain statements of the main subject's
    dates and states come from that announcement."""
    if draft.kind in _OFFICIAL_KINDS and draft.subject is None and draft.certainty == "reported":
        return replace(draft, certainty="official")
    return draft


_COMPANY_END = re.compile(r"\b(?:Games|Studios|Entertainment|Interactive|Productions)$")


def _resolve_surnames(claims: list[Claim], text: str) -> list[Claim]:
    """People named by surname only take the full name the article uses elsewhere
    ("Smith as Prince Daemon", after "Matt Smith"). A crew surname the article never
    spells out in full is dropped (it may be anyone); a one-word cast name stays,
    since many actors go by one (Zendaya)."""
    out: list[Claim] = []
    seen = {(c.kind, c.subject, c.value, c.role) for c in claims}
    for claim in claims:
        person = claim.kind in ("crew", "cast") and claim.value != "unknown"
        if not person or " " in claim.value or _COMPANY_END.search(claim.value):
            out.append(claim)
            continue
        full = re.search(rf"\b([A-Z][\w’'-]+(?:\s+[A-Z]\.)?)\s+{re.escape(claim.value)}\b", text)
        if full is None or full.group(1) in _NOT_FIRST_NAMES:
            if claim.kind == "cast":
                out.append(claim)
            continue
        name = f"{full.group(1)} {claim.value}"
        if (claim.kind, claim.subject, name, claim.role) not in seen:
            seen.add((claim.kind, claim.subject, name, claim.role))
            out.append(replace(claim, value=name))
    return _one_per_cast_member(out)


def _one_per_cast_member(claims: list[Claim]) -> list[Claim]:
    """One cast claim per person and subject: a resolved surname may meet the full
    name's own claim, and the one that says how they are cast wins."""
    best: dict[tuple[str | None, str], Claim] = {}
    for claim in claims:
        if claim.kind != "cast":
            continue
        key = (claim.subject, claim.value)
        kept = best.get(key)
        if kept is None or (kept.role == "series" and claim.role != "series"):
            best[key] = claim
    return [c for c in claims if c.kind != "cast" or best[(c.subject, c.value)] is c]


_NOT_FIRST_NAMES = frozenset(
    {
        "The",
        "A",
        "An",
        "And",
        "But",
        "If",
        "As",
        "Although",
        "While",
        "When",
        "Director",
        "Creator",
        "Writer",
        "Producer",
        "Showrunner",
        "Star",
        "Actor",
        "Marvel",
        "Netflix",
        "HBO",
        "Disney",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "With",
        "By",
        "From",
        "For",
        "In",
        "On",
    }
)


def _strip_date_prefix(headline: str | None) -> str | None:
    if headline and headline.lstrip().startswith("date "):
        parts = headline.split(maxsplit=2)
        return parts[2] if len(parts) == 3 else headline
    return headline


def _claim(draft: Draft, sentence: Sentence) -> Claim:
    return Claim(
        kind=draft.kind,
        value=draft.value,
        certainty=draft.certainty,
        evidence=sentence.text,
        start=sentence.start,
        end=sentence.end,
        subject=draft.subject,
        role=draft.role,
        superseded=draft.superseded,
        date=draft.date,
        character=draft.character,
    )
