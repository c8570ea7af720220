"""Sentence segmentation with offsets, and the page clutter that is not claim text.

Extracted article text keeps menus, "Also Read:" lines, related-article boxes,
footers and "Popular posts" lists. They are dropped here, before any rule
sees them, because a sidebar teaser about another title reads exactly like a
claim.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket)
# before whitespace and a capital, digit, quote or dash.
_BOUNDARY = re.compile(r"(?<=[.!?…])[”\"’')\]]*\s+(?=[A-Z0-9“\"‘'(\[–—-])")
# Abbreviations whose full stop does not end a sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Vol|Inc|Ltd|Co|Corp|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|Ep|ft|approx|e\.g|i\.e|Prof|Gen|Lt|Col|Capt)\.|\b[A-Z]\.)$"
)
_CLUTTER_LINE = re.compile(
    r"^\s*(?:also read|read more|read also|related|recommended|popular posts?|trending|"
    r"more from|more stories|you may also like|you might also like|see also|watch:|"
    r"advertisement|sponsored|share this|follow us|subscribe|sign up|newsletter|"
    r"copyright|©|all rights reserved|privacy policy|terms of|cookie|click here|"
    r"tags?:|filed under|image:|photo:|credit:|source:|latest news|top stories|"
    r"most popular|more news|next article|previous article|up next|editor's picks?)",
    re.IGNORECASE,
)
_CLUTTER_INLINE = re.compile(
    r"\b(?:also read|read more|read next|popular posts|related articles?|related stories)\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\s+")
# Fact-box labels of credits ("Directed by", "Producers").
_CREDIT_LABEL = (
    r"(?:Directed|Produced|Written|Created|Developed|Executive\s+produced)\s+by|"
    r"(?:Director|Creator|Writer|Producer|Executive\s+producer|Showrunner|Developer|Studio)s?"
)
# A credit label on a line of its own, above the names.
_FACT_LABEL = re.compile(rf"^\s*(?:{_CREDIT_LABEL})\s*:?\s*$", re.IGNORECASE)
# A fact-box entry on one line: "Developer: Driftwood Interactive", "Platforms: PC, PS5",
# "Release date: TBA". Such lines have no sentence punctuation, yet they are claims.
_FACT_INLINE = re.compile(
    rf"^\s*(?P<label>{_CREDIT_LABEL}|Release\s+date|Premiere\s+date|Launch\s+date|Platforms?|"
    r"Network|Streaming\s+on|Available\s+on|Episodes|Number\s+of\s+episodes)\s*:\s*"
    r"(?P<value>\S[^\n]{0,150})$",
    re.IGNORECASE,
)
# Names only: capitalised words, commas and "and", no sentence punctuation.
_FACT_NAMES = re.compile(
    r"^\s*[A-ZÀ-Þ][\w’'.-]*(?:\s+[A-ZÀ-Þ][\w’'.-]*){0,3}"
    r"(?:\s*(?:,|\band\b|&)\s*[A-ZÀ-Þ][\w’'.-]*(?:\s+[A-ZÀ-Þ][\w’'.-]*){0,3}){0,9}\s*$"
)
_TERMINAL = re.compile(r"[.!?…:”\"’')]\s*$")
_MIN_WORDS_UNPUNCTUATED: Final = 9


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the input: exact text and its offsets."""

    text: str
    start: int
    end: int
    paragraph: int
    headline: bool = False
    # A fact-box value keeps its label: the line above ("Produced by" over "Jane Doe,
    # Ann Lee") or its own start ("Developer: X").
    label: str | None = None


def fact_value(sentence: Sentence) -> str:
    """The value of a fact-box entry: the text after its label, if the label is inline."""
    label = sentence.label
    if label is not None and sentence.text.lower().startswith(label.lower()):
        return sentence.text[len(label) :].lstrip(" :")
    return sentence.text


_LIST_ITEM = re.compile(r"^\s*[-•*–]\s")


def _is_list_item(sentence: Sentence) -> bool:
    """A bulleted line ("- Jane Doe as Smoker")."""
    return _LIST_ITEM.match(sentence.text) is not None


def list_intros(sentences: Sequence[Sentence]) -> list[int | None]:
    """For each sentence, the index of the line that introduced the list it is an
    item of (None for a sentence that is no list item)."""
    intros: list[int | None] = []
    intro: int | None = None
    for i, sentence in enumerate(sentences):
        if _is_list_item(sentence):
            intros.append(intro)
        else:
            intros.append(None)
            intro = i
    return intros


MAX_HEADLINE_WORDS: Final = 40


def looks_like_headline(line: str) -> bool:
    """A headline candidate: words with a capital, not a menu ("top of page", "Home | News")."""
    words = line.split()
    if "|" in line or _CLUTTER_LINE.match(line.strip()):
        return False
    # A paragraph is not a headline, and the subject, taken from the headline, is
    # looked for around every claim: a long one would cost time on each.
    return 3 <= len(words) <= MAX_HEADLINE_WORDS and any(ch.isupper() for ch in line)


def _same_text(a: str, b: str) -> bool:
    def fold(s: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", s).casefold().split())

    return fold(a) == fold(b)


def _lines(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _is_clutter(line: str, in_list_block: bool) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    if _CLUTTER_LINE.match(stripped):
        return True
    if stripped.startswith(("http://", "https://", "www.", "@", "#", "pic.twitter")):
        return True
    if re.match(r"^[-•*–]\s*[A-ZÀ-Þ][\w’'.-]+(?:\s+[A-ZÀ-Þ][\w’'.-]+)*\s+as\s+\S", stripped):
        return False  # "- Jane Doe as Captain Smoker": a cast list entry
    if " | " in stripped and not stripped.endswith("."):
        return True  # "Title | Channel - YouTube" embed captions
    words = stripped.split()
    # Short lines without sentence punctuation are menus, captions or teasers.
    if not _TERMINAL.search(stripped) and len(words) < _MIN_WORDS_UNPUNCTUATED:
        return True
    return in_list_block


# Real sentences stay well under this (the longest in the devset is about 500
# characters); a longer run is a list or machine text, and since each date in a
# sentence looks over the whole sentence, it is cut so the work stays linear.
MAX_SENTENCE: Final = 1000
# A comma before a digit is inside a date ("April 14, 2027"), not a clause break.
# A comma before a digit is inside a date ("April 14, 2027"), not a clause break.
_CLAUSE_BREAK = re.compile(r"[,;:]\s(?!\d)")
_SPACE = re.compile(r"\s")


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most MAX_SENTENCE characters, each cut after
    the last clause break that fits, else after the last space, else at the limit."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        window = text[start : start + MAX_SENTENCE]
        cut = MAX_SENTENCE
        for pattern in (_CLAUSE_BREAK, _SPACE):
            ends = [m.end() for m in pattern.finditer(window)]
            if ends:
                cut = ends[-1]
                break
        pieces.append((start, start + cut))
        start += cut
    pieces.append((start, end))
    return pieces


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [
        bounded
        for piece_start, piece_end in _sentences(text, start, end)
        for bounded in _bounded(text, piece_start, piece_end)
    ]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    chunk = text[start:end]
    for m in _BOUNDARY.finditer(chunk):
        cut = start + m.start()
        # keep closing quotes with the sentence they close
        cut_end = start + m.start() + len(m.group(0).rstrip())
        if _ABBREV.search(text[max(cursor, cut - 12) : cut]):
            continue
        pieces.append((cursor, cut_end))
        cursor = start + m.end()
    pieces.append((cursor, end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segment(text: str, title: str | None = None) -> list[Sentence]:
    """Claim-bearing sentences of ``text``, clutter removed, with exact offsets.

    The first non-empty line is marked as the headline when no title is given
    (or when it repeats the title)."""
    out: list[Sentence] = []
    paragraph = 0
    seen_headline = False
    in_list_block = False
    label: str | None = None
    for raw_start, line_end in _lines(text):
        line_start = raw_start
        line = text[line_start:line_end]
        if not line.strip():
            paragraph += 1
            in_list_block = False
            label = None
            continue
        above, label = label, (line.strip() if _FACT_LABEL.match(line) else None)
        inline = _FACT_INLINE.match(line)
        if inline:
            s, e = _trim(text, line_start, line_end)
            out.append(Sentence(text[s:e], s, e, paragraph, label=inline.group("label")))
            continue
        if above and _FACT_NAMES.match(line):
            s, e = _trim(text, line_start, line_end)
            out.append(Sentence(text[s:e], s, e, paragraph, label=above))
            continue
        if _CLUTTER_INLINE.search(line) and len(line.split()) < 30:
            # "Popular posts" and similar headers start a block of teasers.
            in_list_block = bool(re.match(r"^\s*(?:popular|related|trending|more)", line, re.I))
            continue
        header = _HEADER.match(line)
        if header:
            line_start += header.end()
            line = text[line_start:line_end]
        # With a separate title, only a line repeating it is the headline; the
        # article's first sentence must stay an ordinary sentence.
        is_headline = (
            not seen_headline
            and looks_like_headline(line)
            and (title is None or _same_text(line, title))
        )
        seen_headline = seen_headline or is_headline
        if not is_headline and _is_clutter(line, in_list_block):
            continue
        for piece_start, piece_end in _split(text, line_start, line_end):
            s, e = _trim(text, piece_start, piece_end)
            if e - s < 3:
                continue
            out.append(Sentence(text[s:e], s, e, paragraph, headline=is_headline))
    return out
