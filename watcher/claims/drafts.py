"""What a rule proposes before evidence offsets are attached, and clause helpers.

Rules for each kind read one :class:`Context` (the sentence, the article's main
subject, the reference date) and return :class:`Draft` claims. Clause
boundaries matter because certainty, supersession and subject are decided on
the clause that holds the value, not the whole sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from watcher.claims.model import Certainty, Kind
from watcher.claims.sentences import Sentence
from watcher.claims.subjects import MainSubject


@dataclass(frozen=True, slots=True)
class Draft:
    """A claim without its evidence offsets."""

    kind: Kind
    value: str
    certainty: Certainty
    subject: str | None = None
    role: str | None = None
    superseded: bool = False
    date: str | None = None
    character: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """One sentence and what is known about the article around it."""

    sentence: Sentence
    subject: MainSubject
    ref: date | None
    # People the article calls actors anywhere ("lead actor Kim Seo-jun"): in
    # "Kim Seo-jun (Lee Hyun)" they are the actor, the name in brackets the character.
    actors: frozenset[str] = frozenset()
    # How the page writes numeric dates ("mdy" or "dmy"), when its unambiguous ones
    # agree ("10/22/2025"): then its "3/8/2023" can be read too.
    numeric_order: str | None = None

    @property
    def text(self) -> str:
        return self.sentence.text


# Clause boundaries: semicolons, dashes, contrastive or relative joints and
# participle phrases (", delaying its release to 2025").
_CLAUSE = re.compile(
    r";|\s[—–]\s|—|\s-\s|,\s*(?=(?:but|though|although|while|whereas|yet|so|which|who|"
    r"and|with|after|before|until|as|meaning|instead|even\s+if|even\s+though|unless)\b)|"
    r",\s*(?=\w+ing\b)|"
    r"\s(?=(?:but|though|although|whereas)\s)|:\s|,\s*(?=(?:days|weeks|months|hours)\s+"
    r"(?:after|before|later)\b)|,\s*(?=[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?\s+reports?\b)",
    re.IGNORECASE,
)


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``text`` that holds ``text[start:end]``."""
    left = 0
    for m in _CLAUSE.finditer(text, 0, start):
        left = m.end()
    right = len(text)
    m2 = _CLAUSE.search(text, end)
    if m2:
        right = m2.start()
    return _past_opening_clause(text, left, right, start), right


# Where a sentence turns to another statement: a contrast, a condition, a colon
# or semicolon before a quote or a new clause. Relative asides (", who…") do not
# count: the statement resumes after them.
_TURN = re.compile(
    r";|:\s|\s[—–]\s|,\s*(?=(?:but|though|although|while|whereas|yet|even\s+if|"
    r"even\s+though|unless)\b)|\s(?=(?:but|though|although|whereas)\s)|"
    # A new speech act: "…, and she said it could happen" is her statement, not the first.
    r",\s*(?=and\s+(?:he|she|they|we|I)\s+(?:said|says|added|noted|explained|told)\b)",
    re.IGNORECASE,
)


# "While the trailer showed X, the game was delayed": an opening subordinate clause
# ends at a comma, unless an aside starts there ("Although Jo Park, the actor who…,").
_OPENING_SUBORDINATE = re.compile(
    r"^\W*(?:[Ww]hile|[Aa]lthough|[Tt]hough|[Ww]hereas|[Ee]ven\s+though|[Dd]espite|"
    # Reasons given first: "Given that Season 2 arrived in 2024, Season 3 could…".
    r"[Gg]iven\s+that|[Bb]ecause|[Ss]ince|[Nn]ow\s+that|[Cc]onsidering|[Ss]eeing\s+(?:as|that))\b"
)
_ASIDE_START = re.compile(r"\s*(?:the|a|an|who|which|whose)\b", re.IGNORECASE)
_NAME_END = re.compile(r"\b[A-Z][\w’'.-]*$")  # a name right before the comma


def _opening_clause_end(text: str) -> int | None:
    """Where an opening subordinate clause ends (its closing comma), if there is one."""
    if not _OPENING_SUBORDINATE.match(text):
        return None
    at = text.find(",")
    while at >= 0 and _NAME_END.search(text, 0, at) and _ASIDE_START.match(text, at + 1):
        closing = text.find(",", at + 1)  # the aside's own closing comma…
        after = text.find(",", closing + 1) if closing >= 0 else -1
        if after < 0:
            break  # …and none: it was no aside, the first comma ends the clause
        at = after
    return at if at >= 0 else None


def _past_opening_clause(text: str, left: int, right: int, start: int) -> int:
    """``left``, moved past a subordinate clause that opens ``text[left:right]`` and
    ends before ``start`` (", although the bulletin seems to mangle its dates, Ubuntu
    was planned…"): that clause hedges only itself, as at a sentence's start."""
    inner_end = _opening_clause_end(text[left:right])
    if inner_end is not None and left + inner_end < start:
        return left + inner_end + 1
    return left


def statement_of(text: str, start: int, end: int) -> str:
    """The stretch of ``text`` between the turns around ``text[start:end]``.

    This is where a hedge must stand to hedge a claim made there: another clause
    (", though their advisors may…", ": he said it could…", "X is expected back,
    while Y joins") hedges something else."""
    opening_end = _opening_clause_end(text)
    if opening_end is not None and end <= opening_end:
        return text[:opening_end]
    left = opening_end + 1 if opening_end is not None else 0
    for m in _TURN.finditer(text, left, start):
        left = m.end()
    turn = _TURN.search(text, end)
    right = turn.start() if turn else len(text)
    return text[_past_opening_clause(text, left, right, start) : right]
