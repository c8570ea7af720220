"""How sure a sentence is: official, reported or speculative.

A hedge wins over a source: "According to Netflix, it may be released" is
speculative even though Netflix is named.
"""

from __future__ import annotations

import re
from typing import Final

from watcher.claims.model import Certainty

HEDGE: Final = re.compile(
    r"\b(?:may|might|could|would\s+likely|likely|unlikely|probably|possibly|possible|"
    r"perhaps|maybe|expects?|expected|expecting|anticipated|predict\w*|speculat\w*|"
    r"rumou?r\w*|conceivabl[ey]|hope(?:s|fully)?|hoping|guess|suggests?|seems?|seemingly|"
    r"apparently|sounds\s+like|we\s+think|i\s+think|believes?|believed|projections?|"
    r"estimate\w*|potential(?:ly)?|tentative(?:ly)?|allegedly|reportedly\s+could|"
    r"if\s+\w+|should|chances?\s+are|wouldn[’']t\s+be\s+surprised|assum\w+|plausibl[ey]|"
    r"very\s+certainly|unconfirmed|could\s+be)\b",
    re.IGNORECASE,
)
# Organisations whose word makes a claim official.
ORG: Final = (
    r"(?:Netflix|HBO|Max|Disney\+?|Marvel(?:\s+Studios)?|Lucasfilm|Amazon|Prime\s+Video|"
    r"Apple(?:\s+TV\+)?|Hulu|Paramount\+?|Peacock|Warner\s+Bros\.?(?:\s+Discovery)?|WBD|"
    r"Universal|Sony|Nintendo|Xbox|Microsoft|PlayStation|Ubisoft|Bethesda|EA|"
    r"Electronic\s+Arts|Take-Two|Rockstar|Valve|Capcom|Square\s+Enix|Bandai\s+Namco|"
    r"Obsidian(?:\s+Entertainment)?|Playground(?:\s+Games)?|Supergiant(?:\s+Games)?|"
    r"Ghost\s+Story(?:\s+Games)?|Canonical|Fedora(?:\s+Project)?|Red\s+Hat|"
    r"the\s+PostgreSQL\s+Global\s+Development\s+Group|DC\s+Studios|Riot(?:\s+Games)?|"
    r"the\s+(?:streamer|studio|network|developer|publisher|company|project|team|"
    r"streaming\s+(?:service|giant|platform))|Deadline)"
)
_OFFICIAL = re.compile(
    rf"(?:\b{ORG}(?:[’']s)?\s+(?:\w+\s+){{0,3}}(?:has\s+|have\s+|had\s+)?(?:officially\s+)?"
    r"(?:announc\w*|confirm\w*|reveal\w*|said|says|stated|explain\w*|teas\w*|shared|"
    r"dropped|released|unveiled|posted|tweeted|streamed|made|renew\w*|set|dated|"
    r"delay\w*|push\w*|mov\w*|decided|gave|is\s+moving|announcement|blog|statement|"
    r"press\s+release|trailer|teaser|video|exec\w*|head|CEO|chief|president|boss)"
    rf"|according\s+to\s+(?:a\s+|an\s+)?{ORG}|\bofficial(?:ly)?\b|\bannounced\b|"
    r"\bannouncement\b|\bconfirmed\b|\bpress\s+release\b|\bearnings\s+call\b)",
)
_NOT_OFFICIAL = re.compile(
    r"\b(?:yet\s+to\s+(?:be\s+)?(?:confirm|announc)\w*|not\s+(?:yet\s+)?(?:been\s+)?"
    r"(?:confirm|announc)\w*|no\s+official|unofficial\w*|hasn[’']t\s+(?:been\s+)?"
    r"(?:confirm|announc)\w*|(?:Deadline|Variety|THR|The\s+Hollywood\s+Reporter|"
    r"Insider\s+Gaming|The\s+Verge|sources?|insiders?|reports?)\b)",
    re.IGNORECASE,
)


def is_hedged(text: str) -> bool:
    """True when the text hedges what it says."""
    return HEDGE.search(text) is not None


def certainty_of(sentence: str, clause: str | None = None) -> Certainty:
    """Certainty of a claim stated in ``clause`` (defaults to the whole sentence)."""
    scope = clause if clause is not None else sentence
    if is_hedged(scope):
        return "speculative"
    if _OFFICIAL.search(sentence) and not _NOT_OFFICIAL.search(sentence):
        return "official"
    return "reported"
