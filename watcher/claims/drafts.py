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
    return left, right


# Where a sentence turns to another statement: a contrast, a condition, a colon
# or semicolon before a quote or a new clause. Relative asides (", who…") do not
# count: the statement resumes after them.
_TURN = re.compile(
    r";|:\s|\s[—–]\s|,\s*(?=(?:but|though|although|while|whereas|yet|even\s+if|"
    r"even\s+though|unless)\b)|\s(?=(?:but|though|although|whereas)\s)",
    re.IGNORECASE,
)


def through_clause(text: str, end: int) -> str:
    """``text`` up to the first turn after position ``end``.

    This is where a hedge must stand to hedge a claim made there: a later clause
    (", though their advisors may…", ": he said it could…") hedges something else."""
    turn = _TURN.search(text, end)
    return text[: turn.start()] if turn else text
