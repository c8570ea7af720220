"""How sure a sentence is: official, reported or speculative.

A hedge wins over a source: "According to Netflix, it may be released" is
speculative even though Netflix is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Final, Literal, Protocol

from watcher.claims.model import Certainty
from watcher.claims.sentences import Sentence, list_intros

# "May" with a capital is usually the month, so the modal is matched in lower case only.
HEDGE: Final = re.compile(
    r"\b(?:(?-i:may)|might|could|would\s+likely|likely|unlikely|probably|possibly|possible|"
    r"perhaps|maybe|expects?|expected|expecting|anticipated\s+to|predict\w*|speculat\w*|"
    r"rumou?r\w*|conceivabl[ey]|"
    # "Hopes of a 2023 release were crushed" negates the hope; it hedges nothing.
    r"hope(?:s|fully)?(?![^.]{0,60}\b(?:crushed|dashed|shattered|ruled\s+out)\b)|hoping|guess|suggests?|seems?|seemingly|"
    r"apparently|sounds\s+like|we\s+think|i\s+think|believes?|believed|projections?|"
    r"estimate\w*|potential(?:ly)?|tentative(?:ly)?|allegedly|reportedly\s+could|"
    r"if\s+\w+|should|chances?\s+are|wouldn[’']t\s+be\s+surprised|assum\w+|plausibl[ey]|"
    r"very\s+certainly|unconfirmed|could\s+be|(?:is|are)\s+said\s+to)\b",
    re.IGNORECASE,
)
# The hedges that still count for who is in a cast or on a platform ("expect another
# thrilling season" says nothing about whether the named people are in it).
STRONG_HEDGE: Final = re.compile(
    r"\b(?:(?-i:may)|might|could|likely|unlikely|probably|possibly|rumou?r\w*|speculat\w*|"
    r"reportedly\s+in\s+talks|in\s+talks|potentially|tipped|if\s+\w+|anticipated\s+to|"
    r"expected\s+to|very\s+certainly|conceivabl[ey]|expect\s+to\s+see)\b",
    re.IGNORECASE,
)
# Organisations whose word makes a claim official.
ORG: Final = (
    r"(?:Netflix|HBO|Max|Disney\+?|Marvel(?:\s+Studios)?|Lucasfilm|Amazon|Prime\s+Video|"
    r"Apple(?:\s+TV\+)?|Hulu|Paramount(?:\+|\s+Pictures)?|Peacock|Warner\s+Bros\.?(?:\s+Discovery)?|WBD|"
    r"Universal|Sony|Nintendo|Xbox|Microsoft|PlayStation|Ubisoft|Bethesda|EA|"
    r"Electronic\s+Arts|Take-Two|Rockstar|Valve|Capcom|Square\s+Enix|Bandai\s+Namco|"
    r"Canonical|Red\s+Hat|DC\s+Studios|Lionsgate|Legendary|A24|Neon|Focus\s+Features|"
    r"Searchlight|Pixar|DreamWorks|Illumination|Crunchyroll|AMC\+?|Starz|Showtime|FX|BBC|ITV|"
    r"Channel\s+4|Sky|Obsidian(?:\s+Entertainment)?|Playground(?:\s+Games)?|"
    r"Supergiant(?:\s+Games)?|Ghost\s+Story(?:\s+Games)?|Riot(?:\s+Games)?|Naughty\s+Dog|"
    r"Insomniac(?:\s+Games)?|FromSoftware|CD\s+Projekt(?:\s+Red)?|Bungie|Blizzard|"
    r"Epic\s+Games|id\s+Software|Remedy(?:\s+Entertainment)?|BioWare|Larian(?:\s+Studios)?|"
    r"Sega|Atlus|Konami|Activision|Devolver(?:\s+Digital)?|Annapurna(?:\s+Interactive)?|"
    r"Mojang|Santa\s+Monica\s+Studio|Guerrilla(?:\s+Games)?|Mozilla|GNOME|KDE|"
    r"the\s+Fedora\s+Project|the\s+PostgreSQL\s+Global\s+Development\s+Group|"
    # A company or project by its shape: "Copperline Studios", "the Quillstack project".
    r"(?:[A-Z][\w&+-]*\s+){1,3}(?:Games|Studios|Entertainment|Interactive|Pictures|Productions|"
    r"Software|Foundation|Project|Development\s+Group)|"
    r"Team\s+[A-Z][\w-]+|"
    r"[Tt]he\s+(?:[A-Z][\w.+-]*\s+){1,3}(?:(?:release|core|development|security|engineering)\s+)?"
    r"(?:project|team|developers|maintainers)|"
    r"[Tt]he\s+(?:streamer|studio|network|developer|publisher|company|project|team|"
    r"streaming\s+(?:service|giant|platform)))"
)
# What follows an organisation's name when it speaks or acts: "has officially announced",
# "made a mistake and mentioned", "'s statement", "head Kevin Feige" (a word or two, or
# a short "… and", may stand between).
SPEAKS: Final = (
    r"(?:[’'](?:s\b)?)?\s+(?:\w+\s+){0,2}(?:(?:\w+\s+){1,2}and\s+)?"
    r"(?:has\s+|have\s+|had\s+)?(?:officially\s+)?"
    r"(?:announc\w*|confirm\w*|reveal\w*|said|says|stated|explain\w*|teas\w*|shared|"
    r"dropped|released|unveiled|posted|tweeted|streamed|renew\w*|dated|describ\w*|wrote|writes|"
    r"decided|is\s+moving|announcement|blog|statement|advised|mentioned|gave|promis\w*|"
    r"pushed|delayed|moved|is\s+delaying|set(?!\s+to\b)|scheduled(?!\s+to\b)|"
    r"cancel\w*|axed|spokes(?:person|man|woman)|representative|rep|"
    r"press\s+release|trailer|teaser|video(?!\s+games?\b)|exec\w*|head|CEO|chief|president|boss|"
    r"schedule|slate|calendar)\b"
)
_OFFICIAL = re.compile(
    rf"(?:\b{ORG}{SPEAKS}"
    rf"|according\s+to\s+(?:a\s+|an\s+)?{ORG}|"
    # "officially", unless denied: "hasn't officially renewed it" announces nothing.
    r"(?<!not\s)(?<!n[’']t\s)(?<!yet\s)\bofficial(?:ly)?\b|"
    # The makers' spokespeople: "a spokesperson confirmed", "a Netflix rep said".
    r"\b(?:spokes(?:person|man|woman)|representative|rep)\s+(?:for\s+[A-Z][\w+]*\s+)?"
    r"(?:has\s+)?(?:confirmed|announced|said|says|revealed|stated)\b|"
    r"\bthe\s+(?:broadcaster|channel|production\s+committee|official\s+(?:website|site|account))"
    r"\s+(?:has\s+)?(?:\w+\s+)?(?:announced|confirmed|revealed|said|says|stated|shared|posted)\b|"
    r"\bproduction\s+committee\b[^.]{0,40}\b(?:announced|confirmed|revealed)\b|"
    r"\bpress\s+release\b|\bearnings\s+call\b|"
    r"\baccording\s+to\s+(?:a|an|the|its)\s+(?:new\s+|recent\s+|latest\s+)?(?:developer|studio|"
    r"publisher|official)\s+(?:update|post|blog|statement|announcement)\b|"
    # "publisher Northstar said": a maker named by its role, whatever its name.
    r"\b(?:publisher|developer|studio|network|streamer|distributor)\s+(?:[A-Z][\w&.+-]*\s+){1,3}"
    r"(?:has\s+|have\s+)?(?:said|says|announced|confirmed|revealed|stated|explained)\b|"
    r"\bsays\s+the\s+(?:post|blog|announcement|studio)|\breads\s+the\b|"
    r"\bschedule\s+page\b|"
    r"\bthe\s+(?:studio|streamer|network|developer|publisher)\s+(?:announced|explained|said|"
    r"confirmed|revealed))",
)
_NOT_OFFICIAL = re.compile(
    r"\b(?:yet\s+to\s+(?:be\s+)?(?:officially\s+)?(?:confirm|announc|renew)\w*|not\s+(?:yet\s+)?"
    r"(?:been\s+)?(?:officially\s+)?(?:confirm|announc|renew)\w*|no\s+official|unofficial\w*|"
    r"(?:hasn|haven|didn|doesn)[’']t\s+(?:yet\s+)?(?:been\s+)?(?:officially\s+)?"
    r"(?:confirm|announc|renew)\w*|(?:Deadline|Variety|THR|The\s+Hollywood\s+Reporter|"
    r"Insider\s+Gaming|The\s+Verge|sources?|insiders?)\b|\b(?:reports|reported)\s+(?:that|by)\b|"
    r"\bstar\s+[A-Z]|\b(?:actor|actress)\b|"
    r"\b[Aa]s\s+(?:[A-Z][\w.]*\s+){1,3}(?:reports?|reported|notes?|noted|writes?|wrote)\b)",
)


# A headline announcing news from the source itself ("Disney announces new dates",
# "Official: ...", "Release Delay Confirmed") makes the article's dates official.
_OFFICIAL_HEADLINE = re.compile(
    r"\b(?:announc(?:es|ed)|confirm(?:s|ed)|official(?:ly)?|reveal(?:s|ed)|unveil(?:s|ed))\b",
    re.IGNORECASE,
)


def official_headline(headline: str | None) -> bool:
    """True when the headline reports an announcement by the source itself."""
    return bool(headline and _OFFICIAL_HEADLINE.search(headline) and not HEDGE.search(headline))


def is_hedged(text: str) -> bool:
    """True when the text hedges what it says."""
    return HEDGE.search(text) is not None


# "official": the work's makers as an organisation; "maker": one of its people
# (an executive, the director); "other": media, insiders, cast.
Attribution = Literal["official", "maker", "other"]

# A line introducing a list ("The cast includes:").
_INTRODUCES = re.compile(r":\s*$")
_OPENING_QUOTE = re.compile(r"^\W*[“\"]")
# Quoted speech, not a quoted title: six words or more between the marks.
_QUOTATION = re.compile(r"[“\"](?:[^”\"\s]+\s+){5,}[^”\"]*[”\"]")
_QUOTE_MARK = re.compile(r"[“”\"]")


class Speakers(Protocol):
    """Tells whether one of the work's people is the one saying a sentence."""

    def speaks(self, sentence: str) -> bool: ...


@lru_cache(maxsize=1024)
def _named_source(sentence: str) -> Attribution | None:
    # Cached: every rule asks it of the same sentence.
    if _NOT_OFFICIAL.search(sentence):
        return "other"
    if _OFFICIAL.search(sentence):
        return "official"
    return None


def certainty_of(sentence: str, clause: str | None = None, *, strong: bool = False) -> Certainty:
    """Certainty of a claim stated in ``clause`` (defaults to the whole sentence).

    ``strong`` counts only outright hedges (may, could, rumoured), for kinds such as
    cast whose sentence often hedges something else."""
    scope = clause if clause is not None else sentence
    hedge = STRONG_HEDGE if strong else HEDGE
    if hedge.search(scope):
        return "speculative"
    return "official" if _named_source(sentence) == "official" else "reported"


def attribution(sentence: str, makers: Speakers | None = None) -> Attribution | None:
    """Who the sentence itself says is speaking, or None when it names nobody."""
    named = _named_source(sentence)
    if named is None and makers is not None and makers.speaks(sentence):
        return "maker"
    return named


def _quoted(line_before: str) -> bool:
    """True when a quotation opened in ``line_before`` is still open."""
    curly = line_before.count("“") > line_before.count("”")
    return curly or line_before.count('"') % 2 == 1


def carried_attributions(
    text: str, sentences: Sequence[Sentence], own: Sequence[Attribution | None]
) -> list[Attribution | None]:
    """The source each sentence of ``text`` speaks for: its ``own`` or a carried one.

    A sentence naming no source continues the sentence just before it on the same
    line when that one names its own ("Apple TV+ has announced a fourth season.
    Jason Sudeikis will return…"); the carry goes one sentence and stops at a line
    break, because an article soon moves from the news to its own background. A
    quotation goes on speaking for whoever was said to say it, sentence after
    sentence. The items of a list continue the line that introduced the list, and
    that line ("The newly announced cast includes:") continues the sentence before it."""
    carried: list[Attribution | None] = []
    intros = list_intros(sentences)
    for i, sentence in enumerate(sentences):
        source = own[i]
        previous = sentences[i - 1] if i else None
        if source is None and previous is not None and not previous.headline:
            line_start = text.rfind("\n", 0, sentence.start) + 1
            intro = intros[i]
            if intro is not None:
                source = carried[intro]
            elif _INTRODUCES.search(sentence.text):
                source = carried[i - 1]
            elif line_start > previous.start:
                # A line break ends every carry but a list's, and a quotation's: an
                # unattributed quote right after a quoted speaker is the same speaker's
                # ('Netflix explains, "…"' then 'The story centres on "…"').
                if _QUOTATION.search(sentence.text) and _QUOTE_MARK.search(previous.text):
                    source = carried[i - 1]
            elif _OPENING_QUOTE.match(sentence.text) or _quoted(text[line_start : sentence.start]):
                source = carried[i - 1]
            else:
                source = own[i - 1]
        carried.append(source)
    return carried
