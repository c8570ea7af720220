"""Titles: the same show and installment named by several articles is one subject.

Sources write one subject many ways: "All of Us Are Dead Season 2",
"'All of Us Are Dead' season two", "All of Us Are Dead S2", "the second season
of All of Us Are Dead". ``subject_key`` maps them to one key so that changes,
the cross-source view and the subject pages group by subject, not by spelling.
The key is deliberately coarse on punctuation, articles and "&"/"and", and exact
on the installment number: Season 1 and Season 2 are different subjects.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Final

_NUMBER_WORDS: Final[dict[str, int]] = {
    word: n
    for n, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_ORDINAL_WORDS: Final[dict[str, int]] = {
    word: n + 1
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
        ]
    )
}
_INSTALLMENTS: Final = ("season", "part", "volume", "series", "chapter")
_ABBREVIATIONS: Final[dict[str, str]] = {"s": "season", "pt": "part", "vol": "volume"}
_ARTICLES: Final = frozenset({"the", "a", "an"})

_NUMBER = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
_ORDINAL = r"(\d{1,3}(?:st|nd|rd|th)|" + "|".join(_ORDINAL_WORDS) + r")"
_KIND = r"(season|part|volume|vol|pt|chapter)"
# "season 2", "season two", "s2", "vol. 3"
_FORWARD = re.compile(rf"\b{_KIND}\.?\s*{_NUMBER}\b")
_SHORT = re.compile(r"\b(s)(\d{1,3})\b")
# "2nd season", "second season"
_BACKWARD = re.compile(rf"\b{_ORDINAL}\s+{_KIND}\b")
# "the second season of X" / "season 2 of X" moves the installment after the title.
_LEADING = re.compile(r"^(?:the\s+)?((?:season|part|volume|chapter)\s+\d+)\s+of\s+(.+)$")
_QUOTES = re.compile(r"[\"“”„‟«»‘’‚‛'`´]")
_PUNCT = re.compile(r"[^\w\s]")
_SPACE = re.compile(r"\s+")


def _ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if token in _ORDINAL_WORDS:
        return _ORDINAL_WORDS[token]
    return int(re.sub(r"\D", "", token))


def _kind(word: str) -> str:
    return _ABBREVIATIONS.get(word, word)


def _installments(text: str) -> str:
    """Rewrite every spelling of an installment in lower-case ``text`` as "season 2"."""
    text = _BACKWARD.sub(lambda m: f"{_kind(m.group(2))} {_number(m.group(1))}", text)
    text = _FORWARD.sub(lambda m: f"{_kind(m.group(1))} {_number(m.group(2))}", text)
    text = _SHORT.sub(lambda m: f"season {int(m.group(2))}", text)
    leading = _LEADING.match(text)
    if leading:
        text = f"{leading.group(2)} {leading.group(1)}"
    return text


@lru_cache(maxsize=4096)  # called per claim by the diff and the digest; titles repeat
def subject_key(subject: str) -> str:
    """Normalised title + installment, e.g. ``all of us are dead season 2``."""
    text = _ascii_fold(subject).casefold()
    text = _QUOTES.sub("", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _PUNCT.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    text = _installments(text)
    words = [w for w in text.split(" ") if w and w not in _ARTICLES]
    return " ".join(words)


@lru_cache(maxsize=4096)
def display_subject(subject: str) -> str:
    """A tidy form of a title for pages: quotes dropped, installment as "Season 2"."""
    text = _SPACE.sub(" ", _QUOTES.sub("", subject)).strip()
    text = text.strip(" :-–—,.")
    all_lower = text.islower()

    def forward(m: re.Match[str]) -> str:
        return f"{_kind(m.group(1).lower()).title()} {_number(m.group(2).lower())}"

    def backward(m: re.Match[str]) -> str:
        return f"{_kind(m.group(2).lower()).title()} {_number(m.group(1).lower())}"

    text = re.sub(_BACKWARD.pattern, backward, text, flags=re.IGNORECASE)
    text = re.sub(_FORWARD.pattern, forward, text, flags=re.IGNORECASE)
    text = re.sub(r"\b[sS](\d{1,3})\b", lambda m: f"Season {int(m.group(1))}", text)
    leading = re.match(
        r"^(?:the\s+)?((?:Season|Part|Volume|Chapter)\s+\d+)\s+of\s+(.+)$", text, re.IGNORECASE
    )
    if leading:
        text = f"{leading.group(2)} {leading.group(1)}"
    if all_lower:
        # A lower-case title is a slug or a careless source; title case reads better.
        text = text.title()
    return text


def slug(subject: str) -> str:
    """A file-name-safe form of a subject key: ``all-of-us-are-dead-season-2``."""
    key = subject_key(subject)
    out = re.sub(r"[^a-z0-9]+", "-", key).strip("-")
    return out[:80] or "untitled"


class SubjectIndex:
    """Groups subject spellings by key; the display name is the most common spelling
    (ties: the first seen), so a page title does not flip between runs."""

    def __init__(self) -> None:
        self._counts: dict[str, Counter[str]] = {}
        self._order: dict[str, list[str]] = {}

    def add(self, subject: str, *, times: int = 1) -> str:
        """Record one mention (or ``times`` of the same spelling); returns its key."""
        key = subject_key(subject)
        shown = display_subject(subject)
        counts = self._counts.setdefault(key, Counter())
        if shown not in counts:
            self._order.setdefault(key, []).append(shown)
        counts[shown] += times
        return key

    def display(self, key: str) -> str:
        """The name to show for ``key``."""
        counts = self._counts.get(key)
        if not counts:
            return key
        order = self._order[key]
        return max(order, key=lambda name: (counts[name], -order.index(name)))

    def keys(self) -> list[str]:
        return list(self._counts)
