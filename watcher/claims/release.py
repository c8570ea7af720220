"""Release dates and dated production states from one sentence.

Each date phrase is classified by the nearest event word before it in its
clause (or a release noun right after it, "a 2025 release"): release words
give ``release_date``, filming words a dated ``filming`` status, anything
else (interviews, strikes, announcements, events) is not a claim.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from watcher.claims import dates
from watcher.claims.certainty import ORG, certainty_of
from watcher.claims.drafts import Context, Draft, clause_bounds, statement_of
from watcher.claims.subjects import (
    ANAPHOR,
    FOREIGN,
    main_positions,
    other_installment,
    title_spans,
)

# The subject of a claim that is about something unnamed ("that film").
UNNAMED: Final = "?"

# Where a work "comes to": a platform, service or cinemas (not "came to Comic-Con").
_SCREEN = (
    r"(?:the\s+)?(?:Nintendo|Switch|PlayStation|PS[45]|Xbox|PC|Steam|Netflix|Max|HBO|Hulu|"
    r"Disney|Prime|Apple|Peacock|Paramount|theaters|theatres|cinemas|consoles?|iOS|Android)"
)
_RELEASE = (
    r"releas\w*|premier\w*|debut\w*|launch\w*|arriv\w*|(?:be|is|are|comes?|coming|came)\s+out|"
    # "we could see Season 2 in late 2027": the audience seeing the work is its release.
    r"see\s+(?:Season\s+\w+|Part\s+\w+|it|them|the\s+(?:new\s+|next\s+)?(?:season|show|series|"
    r"film|movie|game|sequel))|"
    r"out\s+now|hits?\s+(?:theaters|theatres|"
    r"screens|shelves|cinemas|version)|hitting|come\s+out|coming|comes|drops?|dropping|"
    r"returns?|returning|air(?:s|ing)?|streaming|bows?|opens?|opening|ships?|shipped|shipping|"
    rf"(?:goes|went|go|going)\s+live|(?:come|comes|came)\s+to\s+{_SCREEN}|"
    r"window|available|landing|lands?|GA|version\s+1\.0|unwrapping|follow|theaters|"
    r"theatres|screens|upped|release\s+date|way\s+to\s+you|early\s+access"
)
# Words that move or schedule whatever event was named before them.
_MOVE = (
    r"slated|scheduled|set|due|dated?|moved|moving|pushed|pushing|push|delay\w*|"
    r"postpon\w*|shift\w*|planned|targets?|targeted|targeting|until|till|will|instead|slip\w*|"
    r"penciled|pencilled"
)
# "shoot", "shooting", but not a game that is a "shooter".
_FILMING = r"filming|filmed|shoot(?:s|ing)?|shot|production|photography|cameras|wrap\w*|record\w*"
_OTHER = (
    r"interview\w*|said|says|told|announc\w*|reveal\w*|confirm\w*|strikes?|founded|"
    r"showcase|tweet\w*|posted|podcast|renew\w*|since|ago|earlier|wrote|written|"
    r"trailer|teaser|revealed|introduced|began|started|reported|spoke|speaking|"
    r"asked|panel|conference|Comic-Con|Expo|E3|Direct|blog|update|ended|aired|during|"
    r"back\s+in|meeting|decision|vote|review|freeze|beta|livestream|festival|convention|"
    r"casting|founded|formed|closure|record\w*|nominat\w*|won|award\w*|finale|ago|"
    r"kick-?off|kicks?\s+off|opener|tournament|election|game\s+day|calendar|slate|remov\w*|"
    # Support windows of a release already out: "4.3 remains supported until 2027".
    r"supported|support|maintained|maintenance|end-of-life|EOL|updates|fix(?:es)?|patch(?:es)?|"
    r"security|bug-?fix(?:es)?|end\s+of\s+(?:life|support)|sunset\w*|"
    # Schedules that are not the work's release: branching, pre-orders, prices, fixtures.
    r"branch(?:es|ed|ing)?|pre-?orders?|preorders?|price\s+(?:rise|increase|hike)s?|"
    r"fixtures?|copies|units|sales|party|parties|tickets?|notes|"
    # Meetings held: "will hold its investor day in May".
    r"hold|holds|holding|host|hosts|hosting"
)
_EVENT = re.compile(
    rf"\b(?:(?P<rel>{_RELEASE})|(?P<film>{_FILMING})|(?P<other>{_OTHER})|(?P<move>{_MOVE}))\b",
    re.IGNORECASE,
)
# A release date needs a release word somewhere in the sentence ("due" alone is a library book).
_STRONG = re.compile(
    r"\b(?:releas\w*|see\s+(?:Season|Part|it|them|the)\b|premier\w*|debut\w*|launch\w*|arriv\w*|(?:be|is|are|comes?|came)\s+out|"
    r"coming|comes|drops?|"
    r"returns?|air(?:s|ing)?|streaming|opens?|opening|ships?|shipped|available|theaters|theatres|"
    rf"(?:goes|went)\s+live|(?:come|comes|came)\s+to\s+{_SCREEN}|"
    r"GA|version\s+1\.0|delay\w*|postpon\w*|pushed|moved|shift(?:s|ed|ing)|"
    r"slip(?:s|ped|ping)?\s+(?:in)?to|"
    r"window|bow|lands?|unwrapping|"
    r"way\s+to\s+you|follow|moving|pushing|slated|scheduled|set\s+(?:to|for)|"
    r"filming|shooting|production|photography|wrap\w*|until|early\s+access|targets?|"
    r"targeted|targeting|revealed|announced|unveiled|announcement|dated|"
    r"expected\s+(?:in|on|for|by))\b",
    re.IGNORECASE,
)
_RELEASE_AFTER = re.compile(
    r"^\s*(?:[-–]\s*)?(?:(?:theatrical|global|worldwide|official|planned|target(?:ed)?|"
    r"premiere|launch|release)\s+)?(?:release|launch|premiere|debut|window|date|bow)\b",
    re.IGNORECASE,
)
# The end of filming, done or planned ("wrapped in May", "set to wrap in November"); a
# broadcast that "wrapped its run" is not filming news.
_WRAP = re.compile(
    r"\bwrap(?:s|ped|ping)?\b(?!\s+(?:its|their|the)\s+(?:run|broadcast|airing))|"
    r"\bpost-?production\b|\bfinish\w*\s+filming|\b(?:ended|concluded|completed)\b",
    re.IGNORECASE,
)
_SUPERSEDED = re.compile(
    r"\b(?:originally|initially|previously|once|formerly|was\s+(?:set|slated|scheduled|"
    r"planned|due|meant|supposed|going|to|penciled|pencilled)|were\s+(?:set|slated|scheduled|"
    r"planned|penciled|pencilled)|"
    r"had\s+been|last\s+we\s+heard|its\s+initial|previous|old|instead\s+of|rather\s+than|"
    r"removed\s+from|"
    r"mistake\w*)\b|\bfrom\s+(?:an?\s+|its\s+|the\s+)?$|"
    # "will no longer make its late 2025 window", "missed its spring window".
    r"\b(?:no\s+longer\s+(?:make|makes|making|hit|hits|meet|meets)\s+(?:its|the|their)|"
    r"miss(?:es|ed|ing)?\s+its)\s+(?:planned\s+|original\s+|target(?:ed)?\s+)?$",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_NOT_IN = re.compile(
    r"\b(?:won[’']t|will\s+not|not|isn[’']t|no\s+longer)\s+(?:be\s+)?(?:\w+\s+){0,2}?"
    r"(?:in|during)\s+$|\b(?:delayed|pushed|moved|slips?|slipped)\s+out\s+of\s+$",
    re.IGNORECASE,
)
_EARLIEST_AFTER = re.compile(r"\s*,?\s*at\s+the\s+(?:very\s+)?earliest\b", re.IGNORECASE)
_ANYMORE = re.compile(r"^\s*(?:anymore|any\s+longer)\b", re.IGNORECASE)
_NOT_UNTIL = re.compile(
    r"\b(?:not|n[’']t|no)\b[^.]{0,80}\b(?:until|till|before)\s+(?:next\s+year\s+in\s+)?$|"
    r"\bno\s+earlier\s+than\s+$|\bat\s+the\s+earliest\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"\bbefore\s+(?:the\s+end\s+of\s+)?$", re.IGNORECASE)
_BY_END = re.compile(
    r"\b(?:by|through|between\s+now\s+and|no\s+later\s+than)\s+(?:the\s+end\s+of\s+)?$",
    re.IGNORECASE,
)
_EPISODE_RUN = re.compile(
    r"\b(?:weekly|every\s+(?:week|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"new\s+episodes?)\b[^.;]{0,40}\b(?:through|until|till|to)\s+$",
    re.IGNORECASE,
)
_AT_LEAST_THROUGH = re.compile(r"\bat\s+least\s+(?:through|until)\s+(?:the\s+end\s+of\s+)?$", re.I)
_OR_JOIN = re.compile(
    r"^\s*(?:\([^)]*\)\s*)?(?:,\s*)?(?:or|to|and|-|–)\s+(?:as\s+(?:early|late)\s+as\s+|in\s+)?$",
    re.IGNORECASE,
)
_UNKNOWN = re.compile(
    r"(?:\b(?:no|without\s+an?|yet\s+to\s+(?:confirm|announce|reveal|set|receive|get|share)"
    r"(?:\s+an?)?|hasn[’']t\s+\w+\s+an?|has\s+not\s+\w+\s+an?|not\s+yet\s+\w+\s+an?|"
    r"lacked|without|silent\s+on\s+a|no\s+word\s+(?:yet\s+)?on)\s+(?:\w+\s+){0,2}"
    r"(?:release|premiere|launch)\s+(?:date|window)|"
    r"\b(?:release|premiere|launch)\s+date\b[^.]{0,60}\b(?:unknown|unclear|TBA|TBD|"
    r"yet\s+to\s+be\s+(?:revealed|announced|confirmed|set)|not\s+(?:yet\s+)?(?:been\s+)?"
    r"(?:announced|confirmed|revealed|set))|"
    r"\bunknown\s+when\b|\bno\s+word\s+(?:yet\s+)?on\s+when\b[^.]*\b(?:launch|release|premiere|"
    r"arrive|return)|\bremov\w*\b[^.]{0,80}\brelease\s+(?:calendar|schedule|slate)|"
    r"\bremoved\s+from\s+its\s+scheduled\s+release|"
    r"\b(?:release|launch|premiere)\s+date\s+(?:was|has\s+been|had\s+been)\s+never\s+"
    r"(?:announced|set|given|revealed)|\b(?:don[’']t|do\s+not|doesn[’']t)\s+have\s+an?\s+"
    r"(?:specific\s+|firm\s+|concrete\s+|exact\s+)?(?:end\s+|release\s+|launch\s+)?date)|"
    # "Hulu hasn't announced a date yet", "Apple did not announce a premiere window".
    r"\b(?:hasn[’']t|has\s+not|haven[’']t|have\s+not|didn[’']t|did\s+not|doesn[’']t|"
    r"does\s+not)\s+(?:yet\s+)?(?:announced?|revealed?|confirmed?|set|given|give|shared?|"
    r"named?)\s+(?:a|an|any)\s+(?:(?:release|premiere|launch|firm|specific|exact|official|"
    r"new)\s+)?(?:date|window)\b(?!\s+(?:for|of)\s+(?:the\s+|a\s+|its\s+)?(?:trailer|teaser|"
    r"event|panel|finale|reveal|announcement|interview))",
    re.IGNORECASE,
)
_PAST_OTHER_WINDOW: Final = 90
# "first revealed in 2017", "its announcement at Comic-Con in 2019".
_ANNOUNCED_BEFORE = re.compile(
    r"(?:\b(?:first|formally|originally|initially|officially|surprise-|was|were)\s*"
    r"(?:revealed|announced|unveiled|introduced)\s+(?:\w+\s+){0,4}?(?:in|at|during|on|back\s+in)\s+"
    r"(?:(?:early|late|mid)\s+)?$|\bannouncement\b[^.;]{0,60}\b(?:in|at)\s+(?:(?:early|late)\s+)?$)",
    re.IGNORECASE,
)
_ANNOUNCED_AFTER = re.compile(
    r"^\s*,?\s*(?:when\b[^.]{0,80}\b(?:\w+-)?(?:announc|reveal|unveil)\w*|it\s+was\s+"
    r"(?:confirmed|announced|revealed))",
    re.IGNORECASE,
)
# Plans in the past tense: a long-past date with these was superseded, not another title's.
_PLANNED = re.compile(
    r"\b(?:projected|planned|slated|scheduled|set|due|targeted|expected|intended|was\s+to|"
    r"penciled|pencilled|"
    r"were\s+to)\b",
    re.IGNORECASE,
)
_HOPES = re.compile(
    r"\bhop(?:es?|ed|ing)\s+(?:of|for)\s+(?:an?\s+)?$|"
    # "have until Oct. 31 to renew": a deadline, not a schedule.
    r"\b(?:have|has|had|get|gets|given)\s+until\s+$",
    re.IGNORECASE,
)
_DASHED = re.compile(
    r"^\s*\w+\s+(?:was|were|have\s+been|has\s+been)\s+(?:crushed|dashed|ruled\s+out)",
    re.IGNORECASE,
)
_FISCAL_END = re.compile(
    r"\b(?:before|by)\s+the\s+end\s+of\s+(?:its|the|their|this|the\s+current)\s+"
    r"(?:fiscal|financial)\s+year,?\s+which\s+(?:closes|ends|concludes|runs\s+(?:through|until|to))"
    r"\s+(?:on\s+)?$",
    re.IGNORECASE,
)
# "won't arrive until 2026" ("wouldn't resume production until early 2024" is annotated
# as the window itself, so only release dates take the open bound).
_WONT_UNTIL = re.compile(
    r"(?<=\w)n[’']t\b[^.]{0,80}\b(?:until|till|before)\s+(?:the\s+)?$", re.IGNORECASE
)
_WHEN_TOLD = re.compile(r"(?:last|yesterday)\b", re.IGNORECASE)
_AS_LATE_AS = re.compile(r"\bas\s+late\s+as\s+$", re.IGNORECASE)
# "today", "last night" date an event only when its verb is close by ("is out today",
# "began shooting yesterday"); a "today" far from it dates the report ("made the delay
# official today").
_RELDAY_EVENT = re.compile(
    # A version's dots ("Lumen 4.0") do not end the phrase.
    rf"\b(?:{_RELEASE}|{_FILMING})\b(?:[^,.;:]|(?<=\d)\.(?=\d)){{0,40}}$",
    re.IGNORECASE,
)


# A promo as the subject of the release verb: "No trailer has been released".
# Also what is not the work at all: "Feature Freeze lands on", "Pre-orders open next
# week", "the beta branch ships", "end of life arrives".
_PROMO_BEFORE = re.compile(
    r"\b(?:trailers?|teasers?|clips?|footage|featurettes?|posters?|images?|stills?|"
    r"photos?|first\s+look|freeze|branch|pre-?orders?|preorders?|end\s+of\s+(?:life|support)|"
    r"EOL|deadline|price\s+(?:rise|increase|hike)s?|servers?|website|site|store\s+page|"
    r"pre-?loads?|pre-?downloads?|sign-?ups?|registrations?)"
    # "The first trailer for Ironbloom Season 3 is": the promo of a named work.
    r"(?:\s+(?:for|of)\s+(?:the\s+)?(?:[A-Z0-9][\w:’'&-]*\s+){1,5}?)?"
    r"\s*(?:(?:has|have|had)\s+(?:yet\s+to\s+)?(?:been\s+)?|"
    r"was\s+|were\s+|is\s+|are\s+|will\s+(?:be\s+)?)?(?:not\s+)?"
    r"(?:(?:set|scheduled|slated|expected|due|going|poised|about)\s+to\s+)?$",
    re.IGNORECASE,
)


# What may stand between "filming" and "began": "on Season 2", "of the film".
_FILM_OBJECT = re.compile(r"\s*(?:(?:on|of|for)\s+[^,.;]{1,50}?\s+(?:has\s+|have\s+)?)?")
_BEGAN = re.compile(
    r"began|started|kick-?off|kicks?\s+off|ended|concluded|completed", re.IGNORECASE
)
_DELAY_WORD = re.compile(
    r"delay\w*|postpon\w*|pushed|pushing|push|moved|moving|shift\w*|slip\w*", re.I
)
_SPEECH_WORD = re.compile(
    r"said|says|told|announc\w*|reveal\w*|revealed|confirm\w*|reported|posted|tweet\w*", re.I
)


_MAINTENANCE_BEFORE = re.compile(
    r"\b(?:bug-?fix|security|maintenance|patch|hotfix)(?:\s+and\s+\w+)?\s+$", re.IGNORECASE
)


def _classify(before: str, after: str) -> str | None:
    """'release', 'filming' or None, from the text around a date phrase."""
    if _RELEASE_AFTER.match(after):
        return "release"
    last: re.Match[str] | None = None
    prev: re.Match[str] | None = None
    moved = delayed = False
    for m in _EVENT.finditer(before):
        if m.group("move"):
            moved = True
            delayed = delayed or bool(_DELAY_WORD.fullmatch(m.group(0)))
            continue
        if (
            last is not None
            and last.group("film")
            and _BEGAN.fullmatch(m.group(0))
            and _FILM_OBJECT.fullmatch(before[last.end() : m.start()])
        ):
            continue  # "filming began in May": the filming is the event, "began" its start
        prev, last, moved, delayed = last, m, False, False
    if last is None:
        return "release" if moved else None
    if delayed and _SPEECH_WORD.fullmatch(last.group(0)):
        return "release"  # "confirmed that the game has been delayed to spring 2027"
    if (
        prev is not None
        and prev.group("rel")
        and last.group(0).lower() == "beta"
        and _BETA_OBJECT.fullmatch(before, prev.end(), last.start())
        and not _FREEZE_AFTER.match(before, last.end())
    ):
        return "release"  # "released the first beta of X today": the beta's release
    if last.group("rel"):
        # "No trailer has been released, and none is expected before spring": the
        # release word is the trailer's.
        if _PROMO_BEFORE.search(before, max(0, last.start() - 80), last.start()):
            return None
        if _MAINTENANCE_BEFORE.search(before, max(0, last.start() - 20), last.start()):
            return None  # "bugfix releases until October 2027": support, not the release
        return "release"
    if last.group("film"):
        return "filming"
    return None


def _without_aside(segment: str) -> str:
    """The clause without a leading relative aside: in "which drops the previously
    announced subtitle, has been delayed to 2025" the aside's words name no event."""
    if re.match(r"(?:which|who)\b", segment) and "," in segment:
        return segment[segment.rindex(",") + 1 :]
    return segment


def subject_for(ctx: Context, clause_start: int, date_start: int) -> str | None:
    """Main subject (None) or the name of the subject the date phrase is about."""
    text = _without_platforms(ctx.text)
    segment = text[clause_start:date_start]
    if re.match(r"(?:which|who)\b", segment) and "," in segment:
        # "X, which drops "Part Two" from its title, has been delayed to 2025": the
        # relative clause is an aside; X before it owns the date.
        segment = text[:clause_start] + segment[segment.rindex(",") + 1 :]
    other = other_installment(segment, ctx.subject)
    if other is not None:
        return other
    if ctx.subject.name is None:
        return None
    titles, spin = _titles_and_spinoffs(ctx, segment)
    main = _outside(main_positions(segment, ctx.subject), spin)
    anaphors = [m.start() for m in ANAPHOR.finditer(segment)]
    foreign = [m.start() for m in FOREIGN.finditer(segment)]
    last_main = max(main + anaphors, default=-1)
    last_title = titles[-1][0] if titles else -1
    if max(foreign, default=-1) > max(last_main, last_title):
        return _port_of(ctx, segment, max(foreign)) or UNNAMED
    if titles and last_title > last_main:
        return titles[-1][1]
    if last_main >= 0:
        return None
    # Nothing but pronouns in the clause: the sentence before it decides.
    whole = text[:date_start]
    other = other_installment(whole, ctx.subject)
    whole_titles, whole_spin = _titles_and_spinoffs(ctx, whole)
    # "her new film": the anaphor inside another work's mention is that work's.
    whole_foreign = [(m.start(), m.end(), m.group(0)) for m in FOREIGN.finditer(whole)]
    main_all = _outside(main_positions(whole, ctx.subject), whole_spin)
    main_all += _outside([m.start() for m in ANAPHOR.finditer(whole)], whole_foreign)
    if other is not None and not main_all:
        return other
    if whole_titles and whole_titles[-1][0] > max(main_all, default=-1):
        return whole_titles[-1][1]
    if whole_foreign and not main_all:
        return UNNAMED
    return None


Span = tuple[int, int, str]

_PORT_PLATFORM = (
    r"PlayStation(?:\s*[45])?|PS[45]|Xbox(?:\s+Series\s+X(?:\s*[|/]\s*S)?|\s+One)?|"
    r"(?:Nintendo\s+)?Switch(?:\s+2)?|PC|Mac|iOS|Android"
)
# "the console versions", "PlayStation and Xbox versions", "a physical Switch edition".
_PORT = re.compile(
    rf"(?P<label>(?:(?:physical|digital|retail)\s+)?(?:console|mobile|{_PORT_PLATFORM})"
    rf"(?:\s*(?:,|and|&|or)\s*(?:{_PORT_PLATFORM}))*)\s+(?P<noun>editions?|versions?|ports?)\b"
)


def _port_of(ctx: Context, segment: str, at: int) -> str | None:
    """The port or edition of the main work named at ``at`` as a subject of its own,
    "Hades II (PlayStation and Xbox)" or "Hades II (physical Switch edition)"."""
    if ctx.subject.name is None:
        return None
    # "Nintendo Switch 2 version": the port's name may start before the word that
    # marked it as foreign ("Switch").
    m = _PORT.search(segment, max(0, at - 9), at + 80)
    if m is None or m.end() <= at or m.start() - at > 12:
        return None
    label = m.group("label")
    if m.group("noun").startswith("edition"):
        label += " edition"  # an edition is a product; a version is the work on a platform
    return f"{ctx.subject.name} ({label})"


_PLATFORM = (
    r"(?:Nintendo\s+)?Switch(?:\s+2)?|PlayStation\s*[45]|PS[45]|Xbox(?:\s+Series\s+X"
    r"(?:\s*[|/]\s*S)?|\s+One)?|Steam\s+Deck|PC|Mac"
)
# "coming exclusively to Nintendo Switch 2 in holiday 2025": the platform the work comes
# to is neither another title nor a port ("the Switch 2 version" is one).
_PLATFORM_TARGET = re.compile(
    rf"\b(?:to|on|for)\s+(?:the\s+)?(?:{_PLATFORM})(?:\s*(?:,|and|&|or)\s*(?:{_PLATFORM}))*"
    r"\b(?!\s+(?:editions?|versions?|ports?)\b)"
)


@lru_cache(maxsize=32)
def _without_platforms(text: str) -> str:
    """``text`` with the platforms a work comes to blanked out (offsets kept); once
    per sentence, however many dates it holds."""
    return _PLATFORM_TARGET.sub(lambda m: " " * len(m.group(0)), text)


def _titles_and_spinoffs(ctx: Context, segment: str) -> tuple[list[tuple[int, str]], list[Span]]:
    """Other titles in ``segment`` by offset, spinoffs of the main title among them, and
    the spinoffs' spans (the title phrases are found once for both)."""
    spans = title_spans(segment)
    spin = _spinoffs(ctx, segment, spans)
    titles = other_titles(ctx, segment, spans) + [(s, phrase) for s, _e, phrase in spin]
    return sorted(titles), spin


def _spinoffs(ctx: Context, segment: str, spans: list[Span]) -> list[Span]:
    """Titles that extend the main title with a subtitle of their own ("Crimson Tide:
    Origins" in an article about "Crimson Tide Season 5"): another work."""
    base, name = ctx.subject.base, ctx.subject.name or ""
    if not base:
        return []
    return [
        (start, end, phrase)
        for start, end, phrase in spans
        if _extends(phrase, base)
        and phrase.casefold() not in name.casefold()
        # "“Andor: A Star Wars Story” Season 2": the show's full name, with its season.
        and not _INSTALLMENT_AFTER.match(segment, end)
    ]


def _extends(phrase: str, base: str) -> bool:
    """True for "Base: Subtitle" (also with a dash): the base title and one of its own."""
    if not phrase.startswith(base):
        return False
    rest = phrase[len(base) :].lstrip()
    return rest[:1] in {":", "–", "—"} and rest[1:].lstrip()[:1].isalnum()


_INSTALLMENT_AFTER = re.compile(r"[”\"’']?\s+(?:Season|Part|Volume|Chapter|Series)\s+\w")


def _outside(positions: list[int], spans: list[Span]) -> list[int]:
    return [p for p in positions if not any(s <= p < e for s, e, _phrase in spans)]


def other_titles(
    ctx: Context, segment: str, spans: list[Span] | None = None
) -> list[tuple[int, str]]:
    """Title-like phrases in ``segment`` that are not the main subject, with offsets;
    ``spans``: its ``title_spans``, when the caller has them already."""
    # Quoted capitalised names are titles even when short ("If", "Us"), and whole:
    # “A Quiet Place: Day One” keeps its article.
    quoted: list[tuple[int, int, str]] = []
    for m in _QUOTED.finditer(segment):
        inner = m.group(1).strip(" ,.")
        if _SPEECH.search(m.group(1)):
            continue  # “We're thrilled to be back,” she said: a quote, not a title
        if _THING_AFTER.match(segment, m.end()):
            continue  # the “Villainy” mechanic, the “Sorcerer” trailer: a part, not a work
        if inner[:1].isupper() and not main_positions(inner, ctx.subject):
            quoted.append((m.start(1), m.start(1) + len(inner), inner))
    found = [
        _with_article(segment, s, phrase)
        for s, e, phrase in (title_spans(segment) if spans is None else spans)
        if not main_positions(phrase, ctx.subject)
        and _looks_like_title(segment, s, phrase)
        and not any(qs <= s and e <= qe for qs, qe, _q in quoted)
    ]
    found.extend((qs, inner) for qs, _qe, inner in quoted)
    return sorted(set(found))


# A capital "The" inside a sentence belongs to the title after it ("the rival western
# The Burning Acre"); at a sentence's start it may be just the article.
_MID_SENTENCE_THE = re.compile(r"[\w,;:)’'”]\s+The\s$")


def _with_article(segment: str, start: int, phrase: str) -> tuple[int, str]:
    if _MID_SENTENCE_THE.search(segment, max(0, start - 8), start):
        return start - 4, f"The {phrase}"
    return start, phrase


_EVENT_AFTER = re.compile(
    r"\s+(?:showcase|event|conference|presentation|livestream|stream|keynote|Direct|panel|"
    r"expo|festival|awards?|ceremony|convention|summit)\b",
    re.IGNORECASE,
)
# What marks quoted words as speech: a person speaking, or a sentence's length (a
# title of eight words or more is rare; a quoted remark is not).
_SPEECH = re.compile(
    r"\b(?:I|I[’']m|I[’']ve|we|we[’']re|we[’']ve|you|you[’']re|our|my)\b|^(?:\S+\s+){7,}",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^”\"]{1,60})[”\"]")
_THING_AFTER = re.compile(
    r"\s+(?:mechanics?|mode|system|feature|update|patch|event|expansion|DLC|trailer|teaser|"
    r"featurette|episode|segment|song|track|map|level|quest|storyline|arc|panel)\b"
)


_TITLE_CUE_AFTER = re.compile(
    r"^[”\"’']?\s*(?:(?:film|movie|game|series|show|sequel|reboot|spinoff)\s+)?"
    r"(?:,\s+(?:which|will|now|is|was|has|had|the\s+(?:film|movie|game|sequel|series|show))|"
    r"[’']s\b|\(|"
    r"has|have|had|is|was|will|would|which|moved|shifted|"
    r"got|gets|takes|took|and\b|now|also|\b(?:has|have)\s+been)",
)
_PERSON_BEFORE = re.compile(
    r"\b(?:starring|stars?|actor|actress|director|creator|writer|producer|showrunner|CEO|"
    r"head|chief|boss|exec\w*|winner|by)\s+$|"
    # A character: "who played park manager Deb".
    r"\b(?:played|plays|playing|portrays?|portrayed|voices|voiced)\s+(?:[\w-]+\s+){0,3}$"
)
# Places where work is done: "filming in Gdańsk and Rotterdam", "based in Los Angeles".
_PLACE_BEFORE = re.compile(
    r"\b(?:filming|shooting|shot|filmed|production|based|set|located|born|lives?|lived|"
    r"headquartered|(?:takes|took)\s+place|studios?|recorded|wrapped|stage[ds]?|held)\s+"
    r"(?:\w+\s+)?(?:in|at|across|around|near|throughout)\s+$"
)
_PERSON_CUE_AFTER = re.compile(
    r"^\s*(?:said|says|told|who|revealed|explained|confirmed|announced)\b"
)


_KNOWN_ORG = re.compile(ORG)
_MAKER_NAME = re.compile(
    r"\b(?:Games|Studios?|Entertainment|Interactive|Productions|Pictures|Television|Software)$"
)


# A kind of work named just before a capitalised phrase makes it a title: "its animated
# film Pip and the Paper Moon", "the rival western The Burning Acre", "co-production, X".
_WORK_BEFORE = re.compile(
    r"\b(?:film|movie|game|series|show|drama|comedy|thriller|western|sequel|prequel|"
    r"spinoff|spin-off|remake|remaster|reboot|adaptation|co-production|documentary|"
    r"docuseries|anime|miniseries|RPG|shooter|title)(?:,\s+|\s+)(?:The\s+)?$"
)
# What a title's apposition says of it: "Saltmarsh, a tactics game", "X, from Kadence
# Studios,": the phrase before is a work (a person would be "X, the actor who…").
_WORK_APPOSITION = re.compile(
    r"^,\s+(?:from\s+(?:[A-Z][\w&’'-]*\s?){1,4}[,.]|(?:a|an|the|its|their|another)\s+"
    r"(?:[\w-]+\s+){0,4}?(?:game|film|movie|series|show|drama|comedy|thriller|western|sequel|"
    r"prequel|spinoff|spin-off|remake|remaster|reboot|adaptation|co-production|documentary|"
    r"docuseries|anime|miniseries|RPG|shooter|project)\b)"
)


def _looks_like_title(segment: str, start: int, phrase: str) -> bool:
    before = segment[:start]
    after = segment[start + len(phrase) :]
    if _WORK_BEFORE.search(before) or _WORK_APPOSITION.match(after):
        return not _MAKER_NAME.search(phrase) and not _KNOWN_ORG.fullmatch(phrase)
    if "’s" in phrase or "'s" in phrase:
        return False  # "Ubisoft's E3 2017": an owner's event, not a title
    if _MAKER_NAME.search(phrase) or _KNOWN_ORG.fullmatch(phrase):
        return False  # "the RPG from Copperleaf Games", "Lionsgate has set": who makes it
    if _PERSON_BEFORE.search(before):
        return False  # "starring Mahershala Ali has faced...": a person
    if _PLACE_BEFORE.search(before) or _EVENT_AFTER.match(after):
        return False  # "filming in Gdańsk", "Ubisoft's E3 2017 showcase": a place, an event
    if _PERSON_CUE_AFTER.match(after):
        return False
    if re.search(r"\b(?:told|tells|according\s+to|via)\s+$", before):
        return False  # "told TheWrap": an outlet
    quote_end = re.match(r"[,.!?]?[”\"’]", after)
    if re.search(r"[“\"‘](?:The\s+|A\s+|An\s+)?$", before) and quote_end:
        # A quoted name is a title; a quoted speech is not, nor a part of the work
        # (the “Villainy” mechanic).
        return not _THING_AFTER.match(after, quote_end.end())
    if any(ch.isdigit() for ch in phrase) or ":" in phrase or "&" in phrase or "*" in phrase:
        return True
    return bool(_TITLE_CUE_AFTER.match(after)) and len(phrase.split()) <= 6


# A finished event: "premiered in May", "filming wrapped in October", "began shooting".
_PAST_EVENT = re.compile(
    r"\b(?:wrapped|premiered|debuted|aired|began|started|kicked\s+off|finished|completed|"
    r"concluded|ended|(?:was|were)\s+released|came\s+out|launched|arrived|opened|dropped|"
    r"after\s+(?:its\s+)?(?:opening|premiering|debuting|launching|airing|release|premiere|debut|"
    r"launch))\b",
    re.IGNORECASE,
)
_FUTURE_AFTER = re.compile(
    r"\b(?:will|would|to|set|slated|scheduled|expected|due|planned|targeting|next)\b",
    re.IGNORECASE,
)


_DONE_RELEASE = re.compile(
    r"\b(?:released|launched|premiered|debuted|shipped|came\s+out|put\s+out)\b", re.I
)


# "<the work> is (originally) expected in", "is due on", "was slated for": a schedule
# whose event goes unsaid; it is the release when the work itself is what is scheduled.
_SCHEDULED_END = re.compile(
    r"\b(?:is|was|are|were|been|now|originally|initially|still|currently|first)\s+"
    r"(?:\w+\s+)?(?:expected|due|slated|scheduled|targeted|planned|penciled\s+in|pencilled\s+in)"
    # "is due back in the spring", "is expected early next year".
    r"(?:\s+(?:back|out))?(?:\s+(?:for|in|on|by|before))?\s+(?:(?:the|a|an)\s+)?"
    r"(?:(?:early|late)\s+|mid-?)?$",
    re.IGNORECASE,
)
# Without a release word a date needs the work itself to be what is scheduled:
# "HarborDB 18 is due in Q3 2025" (but "books are due on May 3" is no release).
_SCHEDULE_CUE = re.compile(
    r"\b(?:due|planned|expected|penciled|pencilled|targeted)\b", re.IGNORECASE
)


def _scheduled_work(ctx: Context, clause: str, local: str) -> bool:
    """True for "Pixel Drift 2 ... was originally expected in" with the work (its name
    or "the game") as what is scheduled. ``local`` is the end of ``clause`` since the
    previous date: "X was announced in 2025 and was expected in late 2026" schedules X."""
    m = _SCHEDULED_END.search(local)
    if m is None:
        return False
    if _names_event(local[: m.start()]):
        return False
    if local.strip() != clause.strip() and not re.match(r"\s*(?:,\s*)?(?:and|but)\b", local):
        return False  # only a verb coordinated with the earlier one shares its subject
    head = clause[: len(clause) - len(local) + m.start()]
    # The work's whole name as written, not one of its words ("Books" of "Renewing Books"
    # is not "a book was due on…").
    base = ctx.subject.base
    named = [head.rfind(base)] if base and base in head else []
    named += [a.start() for a in ANAPHOR.finditer(head)]
    # "A second beta is expected in late June": a pre-release of the work.
    named += [a.start() for a in _MILESTONE.finditer(head)]
    if not named:
        return False
    if local.strip() != clause.strip():
        return True
    between = head[max(named) :]
    return not _names_event(between)


def _names_event(segment: str) -> bool:
    """True when ``segment`` names an event other than the work's release; a beta is
    the work's pre-release ("the second beta is expected"), its freeze is not."""
    return any(
        (e.group("other") or e.group("film"))
        and not (e.group(0).lower() == "beta" and not _FREEZE_AFTER.match(segment, e.end()))
        for e in _EVENT.finditer(segment)
    )


_BETA_OBJECT = re.compile(r"\s+(?:(?:the|a|an|its|their)\s+)?(?:[\w-]+\s+)?", re.IGNORECASE)
_FREEZE_AFTER = re.compile(r"\s+(?:freeze|branch)", re.IGNORECASE)


def _told_as_past(local: str) -> bool:
    """True when the words before a yearless date tell a finished event, with no
    plan after the verb ("began filming in May" yes; "began in May and will
    premiere in October": only May)."""
    found = list(_PAST_EVENT.finditer(local))
    return bool(found) and not _FUTURE_AFTER.search(local, found[-1].end())


def _long_past(value: str, ctx: Context) -> bool:
    """True when the value ended well before the article was written."""
    if ctx.ref is None or value == "unknown":
        return False
    _start, end = dates.bounds(value)
    return end is not None and (ctx.ref - end).days > _PAST_OTHER_WINDOW


# What is released, opened or changed in the clause is not a work: a list, results,
# tickets, prices. (A work's own name may still be near: "Harbury Rovers released…".)
_NOT_A_WORK_EVENT = re.compile(
    r"\b(?:releas\w*|publish\w*|unveil\w*|post\w*)\s+(?:of\s+)?(?:its|their|the|a|an|his|her|"
    r"our)\s+(?:[\w-]+\s+(?:and\s+)?){0,4}(?:list|fixtures?|results|earnings|figures|report|"
    r"statement|guidance|data|numbers|forecast|budget|findings|squad|line-?up|roster|"
    r"price\s+list|ratings|minutes|accounts|schedule|calendar|(?:product\s+)?line|"
    r"products?|models?|renderings)\b|"
    r"\b(?:renewals|tickets?|season[- ]tickets?|sales|applications|registrations?|bookings|"
    r"voting|votes|entries|nominations|submissions|enrol(?:l?ment)s?|sign-?ups)\s+"
    r"(?:for\s+[^,.;]{1,30}?\s+)?"
    r"(?:will\s+|are\s+set\s+to\s+|is\s+set\s+to\s+)?(?:open|opens|opening|close|closes|"
    r"go\s+on\s+sale|goes\s+on\s+sale|start|starts|begin|begins)\b|"
    # A sports or school year opens: "open their 2026-27 season on October 8".
    r"\b(?:open|opens|opening|start|starts|begin|begins|kick\s+off|kicks\s+off)\s+"
    r"(?:their|its|the)\s+(?:\d{4}[-–/]\d{2,4}|regular|new\s+school|academic)\s+"
    r"(?:season|campaign|year|term)\b|"
    # Buildings open and works begin: "the first residential buildings expected to open".
    r"\b(?:buildings?|stores?|shops?|restaurants?|stations?|parks?|schools?|hospitals?|"
    r"stadiums?|arenas?|museums?|bridges?|offices?|plants?|factories|branches|airports?|"
    r"terminals?|hotels?|apartments?|homes?|housing)\s+(?:\w+\s+){0,3}?(?:(?:to|will)\s+)?"
    r"(?:open|opens|reopen\w*)\b|"
    r"\b(?:demolition|construction|renovation|roadworks|refurbishment)\b[^,.;]{0,80}?"
    r"\b(?:begin|begins|start|starts|end|ends|finish\w*|complet\w*)\b|"
    r"\b(?:raise|raises|raising|hike|hikes|hiking|increase|increases|increasing|cut|cuts|"
    r"cutting|lower|lowers|freeze|freezes|frozen)\s+(?:the\s+|its\s+|their\s+)?"
    r"(?:\w+\s+){0,2}(?:price|prices|cost|costs|fee|fees|rates?|subscription)\b|"
    r"\bprices?\s+(?:\w+\s+){0,2}(?:frozen|rise|rises|go\s+up|goes\s+up|increase)\b",
    re.IGNORECASE,
)


_WORK_RELEASE_WORD = re.compile(r"\b(?:premier\w*|launch\w*|debut\w*|arriv\w*|hits?)\b", re.I)


def _not_a_work_event(text: str, c_start: int, c_end: int, date_start: int) -> bool:
    """True when what the date times is not a work's release: the clause says so, or a
    clause just before does with no release word of a work in between ("will raise
    the price of its tier by $3, starting November 17")."""
    if _NOT_A_WORK_EVENT.search(text, c_start, c_end):
        return True
    near = _NOT_A_WORK_EVENT.search(text, max(0, date_start - 90), date_start)
    return near is not None and not _WORK_RELEASE_WORD.search(text, near.end(), date_start)


def release_claims(ctx: Context) -> list[Draft]:
    """Release-date and dated filming claims of one sentence."""
    text = ctx.text
    drafts: list[Draft] = []
    if text.rstrip().endswith("?"):
        return drafts  # questions to the reader state nothing
    folded = text.lower()
    # Every unknown-date phrase names a date, a window or when (cheap test first).
    cued = any(cue in folded for cue in ("date", "window", "when", "remov"))
    unknown = _UNKNOWN.search(text) if cued else None
    if unknown:
        subject = other_installment(text, ctx.subject)
        if subject is None:
            # "Meanwhile, Armor Wars is still in development with no release date."
            u_start, _u_end = clause_bounds(text, unknown.start(), unknown.end())
            subject = subject_for(ctx, u_start, unknown.start())
        certainty = certainty_of(text, statement_of(text, unknown.start(), unknown.end()))
        if subject != UNNAMED:
            drafts.append(Draft("release_date", "unknown", certainty, subject=subject))
    strong = bool(_STRONG.search(text))
    scheduled_only = not strong and bool(_SCHEDULE_CUE.search(text))
    mentions = (
        dates.find_dates(text, ctx.ref, order=ctx.numeric_order) if strong or scheduled_only else []
    )
    skip: set[int] = set()
    prev_end = 0
    for i, mention in enumerate(mentions):
        if i in skip:
            continue
        if i > 0:
            prev_end = mentions[i - 1].end
        c_start, c_end = clause_bounds(text, mention.start, mention.end)
        before = _without_aside(text[c_start : mention.start])
        after = text[mention.end : c_end]
        if _announced(ctx, text, mention):
            subject = subject_for(ctx, c_start, mention.start)
            if subject != UNNAMED:
                drafts.append(
                    Draft(
                        "status",
                        "announced",
                        # Only its own statement: "announced in 2025 and expected in 2026".
                        certainty_of(text, statement_of(text, mention.start, mention.end)),
                        subject=subject,
                        date=mention.value,
                    )
                )
            continue
        since_previous = text[max(c_start, prev_end) : mention.start]
        if mention.kind == "relday" and not _RELDAY_EVENT.search(before):
            continue
        if (
            i > 0
            and _WHEN_TOLD.match(text, mention.start)
            and not text[prev_end : mention.start].strip()
        ):
            continue  # "pushed back to late 2025 last year": when the move was made
        event = None if scheduled_only else _classify(before, after)
        if _HOPES.search(before) or _DASHED.match(after):
            continue  # "hopes of a 2023 release were crushed": not a claim
        if _not_a_work_event(text, c_start, c_end, mention.start):
            continue  # "released their retained list", "renewals open on 2 June"
        if event is None and c_start > 0 and mention.kind != "relday" and not scheduled_only:
            event = _classify(text[: mention.start], after)
        if event is None and _scheduled_work(ctx, text[c_start : mention.start], since_previous):
            event = "release"
        if event is None:
            continue
        value = mention.value
        end = mention.end
        if mention.kind in dates.YEARLESS and _told_as_past(since_previous):
            value = dates.in_the_past(value, ctx.ref)
        # "as late as X or as early as Y", "November or December": one interval.
        if i + 1 < len(mentions) and _OR_JOIN.match(text[mention.end : mentions[i + 1].start]):
            nxt = mentions[i + 1]
            if not _FROM_TO.search(before[-30:]):
                if mention.kind in dates.YEARLESS and nxt.kind not in dates.YEARLESS:
                    # "between March and May 2027": March of the range's year.
                    value = dates.year_before(value, nxt.value)
                value = dates.merge(value, nxt.value)
                end = nxt.end
                skip.add(i + 1)
        head = before[-60:]
        if _EPISODE_RUN.search(head):
            continue  # "one new episode every Friday through April 30": the run, not the release
        gone = bool(_ANYMORE.match(text[end:]))
        # "before the end of the fiscal year, which closes on March 31, 2026".
        fiscal = _FISCAL_END.search(text, max(0, mention.start - 120), mention.start)
        if _AT_LEAST_THROUGH.search(head) or (_NOT_IN.search(head) and not gone):
            value = dates.after(value)
        elif (
            _NOT_UNTIL.search(text[: mention.start])
            or _EARLIEST_AFTER.match(text, end)
            or (
                event == "release"
                and _WONT_UNTIL.search(text, max(0, mention.start - 120), mention.start)
            )
        ):
            value = dates.from_(value)
        elif fiscal:
            value = dates.until(value[:7])  # its last month: "../2026-03"
        elif _BEFORE.search(head) and mention.kind == "yearend":
            value = dates.until(value)  # "before the end of the year": by its end
        elif _BEFORE.search(head):
            value = dates.before(value)
        elif _BY_END.search(head) or (_AS_LATE_AS.search(head) and end == mention.end):
            value = dates.until(value)
        # Only the words since the previous date can mark this one as replaced:
        # "originally due July 26, will now release on February 14".
        local = text[max(c_start, prev_end) : mention.start]
        superseded = (bool(_SUPERSEDED.search(local)) or gone) and event == "release"
        if superseded and not gone and _DONE_RELEASE.search(local) and not _PLANNED.search(local):
            # "The studio previously released Ashfall in 2021": a release that happened
            # (another work's history), not a plan that was replaced.
            superseded = False
        # A replaced date was a plan, stated as such: the hedge on its replacement
        # ("previously set for April 15, is now expected on May 6") is not its own.
        scope = (
            text[max(c_start, prev_end) : end] if superseded else text[c_start : max(end, c_end)]
        )
        if fiscal:
            scope = text[:end]  # the plan is the main clause's, the date is in the aside
        certainty = certainty_of(text, scope)
        subject = subject_for(ctx, c_start, mention.start)
        if subject in (None, UNNAMED) and event == "release" and not value.endswith("/.."):
            # "beta 1 came out on May 23" dates a pre-release of the subject ("in early
            # access at least through 2024" bounds the full release instead).
            subject = _milestone_of(ctx, local) or subject
        if subject == UNNAMED:
            continue
        if event == "release" and subject is None and not superseded and _long_past(value, ctx):
            if not _PLANNED.search(before):
                # A past date without "originally" is another title's or installment's history.
                continue
            superseded = True  # "projected for a 2018 launch", written years later
        if (
            event == "release"
            and subject is not None
            and re.search(r"\b(?:Part|Act|Volume|Chapter)\s+(?:1|One)$", subject)
            # The first part of a season opens the season; the first film of a
            # "Part Two" is another work.
            and ctx.subject.unit in (None, "Season")
        ):
            drafts.append(Draft("release_date", value, certainty, superseded=superseded))
        if event == "release":
            drafts.append(
                Draft("release_date", value, certainty, subject=subject, superseded=superseded)
            )
        else:
            status = "post_production" if _WRAP.search(before[-40:]) else "filming"
            drafts.append(Draft("status", status, certainty, subject=subject, date=value))
    return _with_delay(drafts)


# A pre-release of the subject dated on its own: "beta 1 came out on May 23",
# "a release candidate is expected in August", "early access starts in May".
_MILESTONE = re.compile(
    r"\b(?:(?P<kind>(?:open\s+|closed\s+|public\s+)?beta|alpha|preview|demo|playtest)"
    r"(?:\s+(?P<n>\d{1,2})\b)?|(?P<rc>release\s+candidate|RC(?P<rcn>\d{1,2})?\b)|"
    r"(?P<ea>early\s+access))",
    re.IGNORECASE,
)


def _milestone_of(ctx: Context, local: str) -> str | None:
    """The main subject's pre-release named since the previous date, as a subject."""
    found = list(_MILESTONE.finditer(local))
    m = found[-1] if found else None  # the one nearest the date
    if m is None or ctx.subject.name is None:
        return None
    if m.group("ea"):
        return f"{ctx.subject.name} (early access)"
    if m.group("rc"):
        return f"{ctx.subject.name} RC{m.group('rcn') or ''}"
    label = " ".join(w.capitalize() for w in m.group("kind").split())
    return f"{ctx.subject.name} {label}{' ' + m.group('n') if m.group('n') else ''}"


def _with_delay(drafts: list[Draft]) -> list[Draft]:
    """A sentence that replaces a main-subject date with another reports a delay."""
    main = [d for d in drafts if d.kind == "release_date" and d.subject is None]
    old = [d for d in main if d.superseded and d.value != "unknown"]
    new = [d for d in main if not d.superseded and d.value != "unknown"]
    if old and new and _later(new[0].value, old[0].value):
        drafts.append(Draft("status", "delayed", new[0].certainty))
    return drafts


def _later(new: str, old: str) -> bool:
    """True when ``new`` starts after ``old`` starts (moved back, not up)."""
    new_start, _ = dates.bounds(new)
    old_start, _ = dates.bounds(old)
    return new_start is not None and old_start is not None and new_start > old_start


def _announced(ctx: Context, text: str, mention: dates.DateMention) -> bool:
    """True when the date phrase is when the subject was first announced (in the past)."""
    before = text[max(0, mention.start - 80) : mention.start]
    after = text[mention.end : mention.end + 100]
    if not (_ANNOUNCED_BEFORE.search(before) or _ANNOUNCED_AFTER.match(after)):
        return False
    if re.search(r"\b(?:casting|cast|trailer|teaser|date|delay|departure|exit)\b", before[-45:]):
        return False  # "his casting was announced in October": not the title's announcement
    if ctx.ref is None:
        return False
    start, _end = dates.bounds(mention.value)
    return start is not None and start <= ctx.ref
