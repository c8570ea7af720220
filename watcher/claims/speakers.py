"""People who speak for a work's makers, and the sentences in which they speak.

An executive or a member of the crew announcing a date or a state speaks for the
project ("says Duncan", when the article introduced "Head of Xbox Game Studios
Craig Duncan"; "James Gunn has announced…", when Gunn directs the film), so
what they say is official. Cast speaking stays reported: a star is not the studio.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from watcher.claims.certainty import SPEAKS

# A first name and a surname, the last capitalised words after the title.
_WORD: Final = r"[A-Z]\w+(?:[’'-][A-Z]\w+)?"
_NAME: Final = rf"{_WORD}\s+(?:[A-Z]\.\s+)?{_WORD}(?![\w’'-]|\s+[A-Z])"
# "Head of Xbox Game Studios Craig Duncan", "Creator Neil Druckmann", "studio chief X".
_TITLED: Final = re.compile(
    r"\b(?:[Hh]ead|[Cc]hief|CEO|co-CEO|[Pp]resident|[Bb]oss|[Cc]reator|[Ss]howrunner|"
    r"[Dd]irector|[Cc]hairman|[Cc]hairwoman|[Ee]xecutive\s+[Pp]roducer)"
    r"(?:\s+of(?:\s+[A-Z][\w+&.]*){1,4}?)?\s+(?P<name>" + _NAME + r")"
)
_SAYS: Final = r"(?:said|says|told|tells|announced|confirmed|revealed|stated|explained|shared)"


_COMPANY_ROLES: Final = frozenset({"developer", "studio"})
# First words that do not name a company on their own ("The Initiative" is not "The").
_GENERIC_FIRST_WORDS: Final = frozenset(
    {"The", "Studio", "Studios", "Team", "Games", "Entertainment", "Interactive", "Digital"}
)


class MakerSpeech:
    """Finds sentences in which one of an article's makers speaks."""

    def __init__(self, text: str, crew: Iterable[tuple[str, str | None]]) -> None:
        crew = list(crew)
        people = {m.group("name") for m in _TITLED.finditer(text)}
        people.update(name for name, role in crew if " " in name and role not in _COMPANY_ROLES)
        # The article's own developer or studio, by its full name or its first word
        # ("Obsidian Entertainment", "Obsidian").
        companies = sorted(
            {
                re.escape(form)
                for name, role in crew
                if role in _COMPANY_ROLES
                for form in (name, name.split()[0])
                if len(form) > 2 and form not in _GENERIC_FIRST_WORDS
            },
            key=len,
            reverse=True,
        )
        self._company = (
            # It speaks as a known organisation does (``certainty.SPEAKS``).
            re.compile(rf"\b(?:{'|'.join(companies)}){SPEAKS}") if companies else None
        )
        # A full name or its surname alone ("says Duncan"), after or before the verb.
        forms = sorted(
            {re.escape(form) for name in people for form in (name, name.split()[-1])},
            key=len,
            reverse=True,
        )
        self._pattern = (
            re.compile(
                rf"\b{_SAYS}\s+(?:{'|'.join(forms)})\b"
                rf"|\b(?:{'|'.join(forms)})\s+(?:has\s+|had\s+|have\s+)?{_SAYS}\b"
            )
            if forms
            else None
        )

    def speaks(self, sentence: str) -> bool:
        """True when a maker is the one saying ``sentence``."""
        if self._company is not None and self._company.search(sentence) is not None:
            return True
        return self._pattern is not None and self._pattern.search(sentence) is not None
