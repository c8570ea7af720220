"""Status words, platforms, trailers and episode counts from one sentence."""

from __future__ import annotations

import re
from typing import Final

from watcher.claims import dates
from watcher.claims.certainty import certainty_of
from watcher.claims.drafts import Context, Draft, clause_bounds, statement_of
from watcher.claims.release import other_titles
from watcher.claims.sentences import fact_value
from watcher.claims.subjects import (
    ANAPHOR,
    INSTALLMENT,
    NUMBER_WORDS,
    installment_number,
    main_positions,
    mentions_main,
    other_installment,
    unit_of,
)

_STATUS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (status, re.compile(pattern, re.IGNORECASE))
    for status, pattern in (
        (
            "cancelled",
            # Not when denied: "has not been canceled", "isn't cancelled".
            r"(?<!not\sbeen\s)(?<!n't\sbeen\s)(?<!n’t\sbeen\s)(?<!\snot\s)(?<!n't\s)(?<!n’t\s)"
            r"\b(?:cancel(?:l)?ed|cancel(?:l)?ation|axed|scrapped|stop\s+development\s+of|"
            r"pulled\s+the\s+plug)\b",
        ),
        (
            # Before "renewed": "has not been renewed" also contains "been renewed".
            "undecided",
            r"\b(?:(?:has|have)(?:\s+not|n[’']t)\s+(?:yet\s+)?(?:officially\s+)?(?:been\s+)?renewed|"
            r"(?:did|does)(?:\s+not|n[’']t)\s+(?:yet\s+)?(?:officially\s+)?renew|"
            r"(?:is|are|was)(?:\s+not|n[’']t)\s+(?:yet\s+)?(?:officially\s+)?renewed|"
            r"(?:has|have)\s+yet\s+to\s+(?:be\s+)?(?:officially\s+)?(?:renew|greenlight|green-light|"
            r"order|commission)|not\s+yet\s+(?:been\s+)?(?:renewed|greenlit|green-lit)|"
            r"no\s+(?:official\s+)?word\s+(?:yet\s+)?on\s+(?:whether|a\s+renewal|renewal|an?\s+"
            r"(?:second|third|fourth|fifth|new)\s+season)|(?:renewal|future|fate)(?:\s+of\s+[^.,;]{1,60}?)?\s+(?:is|remains)\s+"
            r"(?:still\s+)?(?:undecided|uncertain|unclear|up\s+in\s+the\s+air|unconfirmed)|"
            r"depending\s+on\s+(?:when|whether|if)\s+[^.]{0,40}?\bdecides?\b|"
            r"(?:has|have)(?:\s+not|n[’']t)\s+(?:yet\s+)?decided\s+whether|"
            r"(?:has|have)(?:\s+not|n[’']t)\s+(?:yet\s+)?(?:officially\s+)?(?:confirmed|announced|"
            r"said)\s+(?:whether|if)\b[^.]{0,80}?\b(?:return|renew|come\s+back|another\s+season|"
            r"(?:second|third|fourth|fifth|new)\s+season))",
        ),
        (
            "renewed",
            r"\b(?:(?:has\s+been|have\s+been|was|were|been|officially|is|being)\s+renewed(?!\s+(?:twice|"
            r"once|online|interest))|renewed\s+(?:for|the\s+(?:show|series)|it|(?-i:[A-Z]))|renewal\s+(?:of|for)|"
            # "renewed the psychological thriller", "renewed its hit comedy".
            r"renew(?:ed|s)\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}?(?:show|series|drama|comedy|"
            r"thriller|sitcom|anime|docuseries|procedural|western|hit|adaptation|saga)\b|"
            r"renews\b|renewing\s+[^.]{0,60}\bfor\s+an?\s+(?:second|third|fourth|fifth|new)\s+season|green-?lit|greenlighted|confirmed\s+(?:work\s+on\s+)?"
            r"an?\s+(?:second|third|fourth|fifth|new)\s+season|officially\s+(?:coming\s+back|returning)|"
            r"(?:second|third|fourth|fifth)\s+season\s+was\s+(?:absolutely\s+)?(?:planned|confirmed|ordered)|"
            r"(?:ordered|greenlit|green-lit|commissioned)\s+(?:a|an)\s+(?:second|third|fourth|fifth|"
            r"sixth|new)\s+season|"
            # "The second season of X has been officially confirmed", "X Season 3 is confirmed":
            # the season itself, as the sentence's subject (not "the date for the season").
            r"^(?:(?!(?:date|trailer|teaser|cast|title|poster|details|window|premiere)\s+"
            r"(?:for|of)\b)[^.,;]){0,60}?(?:(?:second|third|fourth|fifth|sixth|new)\s+season|"
            r"season\s+\d+)(?:\s+of\s+[^.,;]{1,50}?)?\s+(?:has\s+been|have\s+been|is|was)\s+"
            r"(?:now\s+)?(?:officially\s+)?(?:confirmed|greenlit|green-lit|ordered|announced)"
            r"(?!\s+(?:to|for|that|as|on|in)\b))",
        ),
        (
            "delayed",
            r"\b(?:delay(?:ed|s|ing)?|postpon\w+|(?:put|placed)\s+on\s+hold|pushed\s+(?:back|to|from)|push(?:ing)?\s+"
            r"(?:it\s+|the\s+\w+\s+)?back|pushing\s+the\b|moved\s+back|setback|slipp?ed|"
            r"removed\s+from\s+(?:its|the|disney[’']s)\b[^.]{0,30}\b(?:release|calendar|schedule))",
        ),
        ("completed", r"\b(?:gone\s+gold|went\s+gold|goes\s+gold)\b"),
        (
            "post_production",
            r"\b(?:wrapped\s+(?:filming|production|shooting)|(?:filming|production|"
            r"shooting)\s+(?:has\s+)?wrapped|in\s+post-?production|(?:filming|production|"
            r"shooting|photography)\s+(?:on|of|for)\s+[^,.;]{1,60}?\s(?:has|have|had)\s+"
            r"(?:officially\s+)?wrapped)\b",
        ),
        (
            "filming",
            r"\b(?:currently\s+(?:filming|shooting|in\s+production)|(?:is|are)\s+(?:now\s+)?"
            r"(?:officially\s+)?in\s+production|(?:filming|production|"
            r"shooting)\s+is\s+(?:currently\s+)?(?:underway|under\s+way|taking\s+place|ongoing)|"
            r"production\s+is\s+currently\s+taking\s+place|cameras\s+are\s+rolling|started\s+"
            r"(?:filming|shooting|production)|filming\s+(?:has\s+)?(?:started|began|begun|commenced)|"
            r"began\s+(?:filming|production|principal\s+photography)|starting\s+principal\s+photography|"
            r"(?:has|have)\s+begun\s+(?:filming|production|shooting)|(?:filming|production|shooting)\b"
            r"[^.]{0,80}?\b(?:has|have)\s+(?:officially\s+)?(?:started|begun|kicked\s+off|commenced))\b",
        ),
        (
            "pre_production",
            r"\b(?:pre-?production|outlined\s+all|scripts?\s+(?:are|is)\s+(?:done|"
            r"finished|written)|writers[’']?\s+room|prepping\s+to\s+(?:start\s+)?shoot|finalized\s+the\s+script|"
            # Filming that has not begun yet: the project is still being prepared.
            r"(?:filming|production|shooting|photography)\b[^.]{0,60}?\b(?:has|have|had)(?:\s+not|n[’']t)"
            r"\s+(?:yet\s+)?(?:begun|started|commenced|kicked\s+off)|(?:has|have|had|is|are)\s+yet\s+to"
            r"\s+(?:begin|start)\s+(?:filming|production|shooting)|(?:filming|production|shooting)\s+"
            r"(?:has|have|had|is)\s+yet\s+to\s+(?:begin|start)|cameras\s+(?:have|had)\s+yet\s+to\s+roll)",
        ),
        (
            # Out already: in early access (a subject of its own), or out in full.
            "released",
            r"\b(?:(?:launched|released|came\s+out|went\s+live|debuted|arrived|is\s+out)\s+"
            r"(?:\w+\s+){0,3}?in\s+early\s+access|early\s+access\s+(?:version|build|release)"
            r"(?:\s+of\s+[^,.;]{1,40}?)?\s+"
            r"(?:launched|went\s+live|arrived|released|is\s+(?:out|live|available))|"
            r"put(?:ting)?\s+(?:the\s+game|it)\s+out\s+in\s+early\s+access|"
            r"(?:is|are)\s+(?:out|available)\s+now|(?:is|are)\s+now\s+(?:out|available)|"
            r"has\s+(?:now\s+|finally\s+|officially\s+)?(?:launched|been\s+released|come\s+out)|"
            # Software: "announced the general availability of 6.0"; a headline "6.0 Released".
            r"(?:announc\w*|marks?|celebrat\w*)\s+the\s+general\s+availability\s+of|"
            r"(?:is|are)\s+(?:now\s+)?generally\s+available|"
            r"^[^!?\n]{1,80}?\s(?:released|is\s+out|out\s+now|now\s+available)$)\b",
        ),
        (
            "in_development",
            r"(?<!unannounced\s)(?<!\bMMO\s)\b(?:in\s+development|in\s+the\s+works|being\s+written|development\s+"
            r"(?:is|continues)|developer\s+blog)\b",
        ),
    )
)
# Words each status pattern cannot match without: a substring test is far cheaper
# than the pattern, and most sentences that pass the word gate name no status.
_STATUS_CUES: Final[dict[str, tuple[str, ...]]] = {
    "cancelled": ("cancel", "axed", "scrapped", "development", "plug"),
    "undecided": (
        "renew",
        "green",
        "order",
        "commission",
        "word",
        "decide",
        "uncertain",
        "unclear",
        "air",
        "unconfirmed",
        "whether",
        " if ",
    ),
    "renewed": (
        "renew",
        "green",
        "confirmed",
        "coming",
        "returning",
        "planned",
        "ordered",
        "announced",
        "commissioned",
    ),
    "delayed": ("delay", "postpon", "push", "moved", "setback", "slip", "removed", "hold"),
    "completed": ("gold",),
    "post_production": ("wrap", "post"),
    "filming": ("film", "shoot", "production", "camera", "photography"),
    "pre_production": (
        "production",
        "outlined",
        "script",
        "writers",
        "prepping",
        "film",
        "shoot",
        "photography",
        "camera",
    ),
    "released": ("early", "now", "launched", "released", "come", "general", " out"),
    "in_development": ("development", "works", "written"),
}
_STATUS_VETO = re.compile(
    r"\b(?:strike|interview|season\s+1|first\s+season|concert|event|flight|order)\b", re.IGNORECASE
)

_PLATFORMS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Netflix", r"\bNetflix\b"),
        ("HBO", r"\bHBO\b(?!\s+Max)"),
        ("Max", r"\b(?:HBO\s+Max|Max)\b(?!\s+\w*[A-Z])"),
        ("Prime Video", r"\b(?:Prime\s+Video|Amazon\s+Prime(?:\s+Video)?)\b"),
        ("Disney+", r"\bDisney\s?\+|\bDisney\s+Plus\b"),
        ("Apple TV+", r"\bApple\s+TV\s?\+|\bApple\s+TV\s+Plus\b"),
        ("Hulu", r"\bHulu\b"),
        ("Paramount+", r"\bParamount\s?\+"),
        ("Peacock", r"\bPeacock\b"),
        ("Crunchyroll", r"\bCrunchyroll\b"),
        ("BBC iPlayer", r"\bBBC\s+iPlayer\b"),
        ("Starz", r"\bStarz\b"),
        ("AMC+", r"\bAMC\s?\+"),
        ("Showtime", r"\bShowtime\b"),
        ("FX", r"\bFX\b(?=\s+(?:on\s+Hulu|series|drama|comedy|network)|[’']s\b)"),
        # Broadcast networks: not their newsrooms ("told ABC News", "Fox Sports").
        ("CBS", r"\bCBS\b(?!\s+(?:News|Sports|Corporation|Studios))"),
        ("NBC", r"\bNBC\b(?!\s*(?:News|Sports|Universal|UniversalMedia))"),
        ("ABC", r"\bABC\b(?!\s+(?:News|Signature|Studios))"),
        (
            "Fox",
            r"\bFox\b(?=\s+(?:series|drama|comedy|network|on\b)|[’']s\s+(?:new|hit|drama|comedy|series))",
        ),
        ("The CW", r"\b(?:The\s+)?CW\b"),
        ("BBC One", r"\bBBC\s+(?:One|1)\b"),
        ("BBC Two", r"\bBBC\s+(?:Two|2)\b"),
        ("ITVX", r"\bITVX\b"),
        ("ITV", r"\bITV1?\b(?!\s+Studios)"),
        ("Channel 4", r"\bChannel\s+4\b"),
        ("Sky Atlantic", r"\bSky\s+Atlantic\b"),
        ("Tubi", r"\bTubi\b"),
        ("Freevee", r"\b(?:Amazon\s+)?Freevee\b"),
        ("Shudder", r"\bShudder\b"),
        ("MGM+", r"\bMGM\s?\+"),
        ("BritBox", r"\bBritBox\b"),
        ("Acorn TV", r"\bAcorn\s+TV\b"),
        ("HIDIVE", r"\bHIDIVE\b"),
        ("Tokyo MX", r"\bTokyo\s+MX\b"),
        (
            "theatrical",
            r"\b(?:in|into|to|hit|hits|hitting)\s+(?:theaters|theatres|cinemas)\b|"
            r"\btheatrical(?:ly)?\s+(?:release|debut|run)\b(?!s)",
        ),
        ("Nintendo Switch 2", r"\b(?:Nintendo\s+)?Switch\s+2\b"),
        (
            "Nintendo Switch",
            r"\b(?:Nintendo\s+)?Switch\b(?!\s+2)(?=\s+(?:game|edition|version|"
            r"and|or|,|\.)|[,.)]|\s+in\b|$)|\bNintendo\s+Switch\b(?!\s+2)",
        ),
        ("PlayStation 5", r"\b(?:PlayStation\s+5|PS5)\b"),
        ("PlayStation", r"\bPlayStation\b(?!\s+[45]|\s+Studios|\s+Plus|\s+Showcase)"),
        ("Xbox Series X|S", r"\bXbox\s+Series\s+X\s?(?:[|/]|and|&)\s?S\b"),
        ("Xbox Series X", r"\bXbox\s+Series\s+X\b(?!\s?(?:[|/]|and|&)\s?S)"),
        (
            "Xbox",
            r"\bXbox\b(?!\s+(?:Series|Game\s+Studios|Games?\s+Showcase|One|Wire|boss|"
            r"head|chief|social|[A-Z]))",
        ),
        ("PC", r"\b(?:Windows\s+)?PC\b"),
        ("Steam", r"\bSteam\b"),
        (
            "Epic Games Store",
            r"\bEpic(?:\s+Games)?(?:\s+Store)?\b(?=\s*[,)/.]|\s+and|\s+Games\s+Store)",
        ),
        ("Amazon Luna", r"\bAmazon\s+Luna\b"),
        ("Google Stadia", r"\b(?:Google\s+)?Stadia\b"),
    )
)
_PLATFORM_CONTEXT = re.compile(
    r"\b(?:on|to|for|via|exclusive|stream\w*|releas\w*|launch\w*|premier\w*|debut\w*|"
    r"arriv\w*|coming|available|renew\w*|announced|hit|series|show|drama|season|original|"
    r"obtainable|platforms?|console|version|edition|cancel\w*|axed|ordered|picked\s+up)\b|"
    r"[’']s\s",
    re.IGNORECASE,
)
_PLATFORM_VETO = re.compile(
    r"\b(?:known\s+for|starred\s+in|appeared\s+in|also\s+(?:on|stars)|other\s+"
    r"(?:shows?|series)|previously\s+(?:worked|starred)|@\w+)",
    re.IGNORECASE,
)

_TRAILER_NOUN = r"(?:trailer|teaser(?:\s+trailer)?)"
_TRAILER: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (value, re.compile(pattern, re.IGNORECASE))
    for value, pattern in (
        (
            "none",
            rf"\b(?:(?:no|without\s+an?)\s+|yet\s+to\s+(?:release|drop|get|see)\s+(?:a|an|the)?\s*)"
            rf"(?:\w+\s+)?{_TRAILER_NOUN}|\bwait\s+for\s+[^.]{{0,40}}\brelease\s+a\s+(?:new\s+)?"
            rf"{_TRAILER_NOUN}|"
            # "Netflix has not yet released a trailer".
            rf"\b(?:has|have|had)(?:\s+not|n[’']t)\s+(?:yet\s+)?(?:released|dropped|shared|shown|"
            rf"unveiled|revealed)\s+(?:a|an|any|the)\s+(?:\w+\s+)?{_TRAILER_NOUN}",
        ),
        (
            "upcoming",
            # "The first trailer (for Harbor Lights Season 2) is expected to drop in November".
            rf"\b{_TRAILER_NOUN}\s+(?:for\s+[^.,;]{{1,60}}?\s+)?(?:is|will\s+be)\s+(?:coming|"
            rf"expected|due|planned|set\s+to|likely\s+to|on\s+its\s+way)|"
            # "The first trailer drops tomorrow", "will debut at Comic-Con", "Expect a trailer".
            rf"\b{_TRAILER_NOUN}\s+(?:drops|arrives|lands|debuts|premieres|will\s+(?:drop|arrive|"
            rf"land|debut|premiere|be\s+released|be\s+revealed))\b|"
            rf"\b[Ee]xpect\s+(?:a|an|the)\s+(?:\w+\s+)?{_TRAILER_NOUN}|"
            rf"\b(?:will|to)\s+(?:release|drop|debut|reveal|unveil)\s+(?:a|an|the)\s+(?:\w+\s+)?{_TRAILER_NOUN}",
        ),
        (
            "released",
            # "Watch the new teaser below": the page embeds it, so it is out.
            rf"\b(?:[Ww]atch|[Cc]heck\s+out|[Ss]ee)\s+(?:the\s+|a\s+|its\s+)?(?:\w+\s+){{0,3}}?"
            rf"{_TRAILER_NOUN}s?\b[^.]{{0,50}}?\s(?:below|above|here|now)\b|"
            rf"\b(?:released|dropped|unveiled|shared|debuted|revealed|premiered|posted|"
            rf"launched|showed|got)\s+(?:a|an|the|its|their)\s+(?:[\w-]+\s+){{0,4}}{_TRAILER_NOUN}|"
            rf"\b{_TRAILER_NOUN}\b[^.]{{0,60}}\b(?:was|were|has\s+been|have\s+been)\s+"
            rf"(?:released|dropped|unveiled|revealed|shared)|\b(?:new|first|latest|official|"
            rf"final|big)\s+(?:\w+\s+)?{_TRAILER_NOUN}\s+(?:for|of)\b|\b{_TRAILER_NOUN}s?,?\s+"
            rf"(?:landing|landed|arrived|dropped|debuted|released|unveiled|revealed|published)|\b{_TRAILER_NOUN}\b[^.]{{0,60}}?\b(?:debuted|"
            rf"dropped|arrived|landed|showcas\w+|knocked|showed|lacked|featured|gave|teased)\b|"
            # Heard or seen "in one of the trailers": they are out.
            rf"\b(?:in|from)\s+(?:one\s+of\s+)?(?:the|a|its|their)\s+(?:\S+\s+){{0,2}}?"
            rf"{_TRAILER_NOUN}s?\b(?!\s+(?:is|will|to\s+come|coming|due))|"
            # Games show gameplay: "gameplay was first unveiled in 2023", "a gameplay reveal".
            r"\bgameplay\s+(?:(?:was|were|has\s+been|have\s+been)\s+(?:first\s+)?"
            r"(?:unveiled|revealed|shown|showcased)|reveal(?:ed)?|showing|showcase)\b"
            r"(?!\s+(?:live)?stream|\s+event|\s+presentation)",
        ),
    )
)
_NUMBER = r"(?:\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_EPISODES = re.compile(
    rf"\b(?P<n>{_NUMBER})(?:\s+|-)(?:new\s+|total\s+|hour-long\s+)?episodes?\b",
    re.IGNORECASE,
)
_SPLIT_SEASON = re.compile(
    rf"\b(?P<parts>{_NUMBER})\s+(?:chapters|parts|volumes|batches|halves)\s+of\s+"
    rf"(?P<each>{_NUMBER})\s+episodes\s+(?:each|apiece)\b",
    re.IGNORECASE,
)


def _number(raw: str) -> int:
    raw = raw.lower()
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw]


_EPISODE_VETO = re.compile(
    r"(?:-episodes?\s+(?!season|first\s+season|order|run)\w+|predecessor|previous\s+season|"
    r"first\s+\w+\s+episodes|episodes?\s+(?:each|per|a\s+week)|remaining|"
    r"of\s+the\s+(?:first|final|last))",
    re.IGNORECASE,
)


# What is delayed is not a work: "if state grants are delayed", "flights were delayed".
_DELAYED_THING = re.compile(
    r"\b(?:grants?|payments?|funding|flights?|trains?|deliver(?:y|ies)|shipments?|decisions?|"
    r"votes?|talks|negotiations|construction|roadworks|results|earnings|budgets?|permits?|"
    r"approvals?|hearings?|trials?|elections?|matches)\s+(?:(?:are|is|was|were|has\s+been|"
    r"have\s+been|had\s+been|got|get|could\s+be|may\s+be|might\s+be|will\s+be)\s+)?$",
    re.IGNORECASE,
)
_DELAY_VETO = re.compile(
    r"\b(?:possibility|risk|chance|fear)s?\s+of\s+(?:further\s+)?delays?\b", re.IGNORECASE
)


def _about_other_title(ctx: Context) -> bool:
    """True when the sentence names another title and never the main subject."""
    text = ctx.text
    if mentions_main(text, ctx.subject):
        return False
    return bool(other_titles(ctx, text))


_STATUS_GATE = re.compile(
    r"decide|word|uncertain|unclear|undecided|air\b|fate|future|yet|"
    r"cancel|axed|scrap|plug|renew|green|season|coming\s+back|returning|delay|postpon|push|"
    r"moved|setback|slip|remov|gold|wrap|post-?production|film|shoot|production|camera|hold|"
    r"photography|outlined|script|writers|prepping|development|works|written|blog|early\s+access|"
    r"out|available|general\s+availab|launched|released",
    re.IGNORECASE,
)


_NOT_THE_WORK = re.compile(
    r"\b(?:trailers?|teasers?|clips?|posters?|images?|photos?|footage|featurettes?|details|"
    r"date|first\s+look|no|not|none)\b[^.;]*$",
    re.IGNORECASE,
)


# "renewed (…) for a second season", "for Season 3": the installment after "for".
_RENEWED_FOR = re.compile(r"[^.;]{0,60}?\bfor\s+(?:an?\s+|its\s+|the\s+)?", re.IGNORECASE)


def _season_renewed_for(text: str, at: int) -> int | None:
    """The season number a renewal starting at ``at`` names after "for", if any."""
    lead = _RENEWED_FOR.match(text, at)
    season = INSTALLMENT.match(text, lead.end()) if lead else None
    if season is None or unit_of(season) != "Season":
        return None
    return installment_number(season)


def _renewed_for(ctx: Context, m: re.Match[str], named: str | None) -> str | None:
    """The subject of a renewal: another work the grammar ties it to ("Hot Desk, was
    renewed for Season 3"), else the season it is for ("renewed for a second season"),
    else the one after the season named ("Season 1 … was renewed" is news of Season 2)."""
    titled = _titled_subject(ctx, m.start(), m.end())
    base, unit, number = ctx.subject.base, ctx.subject.unit or "Season", ctx.subject.number
    if base is None:
        return named if named is not None else titled
    wanted = _season_renewed_for(ctx.text, m.start())
    if titled is not None:
        return titled if wanted is None else f"{titled} {unit} {wanted}"
    if named is not None and not named.startswith(base):
        return named
    if wanted is None:
        earlier = re.search(rf"\b{unit}\s+(\d{{1,2}})$", named or "")
        if earlier is None:
            return named
        wanted = int(earlier.group(1)) + 1
    if number is None or number == wanted:
        # An article about the show as a whole ("Harbor Lights renewed") keeps its
        # renewals; one about a season gives the others' their own subject.
        return None
    return f"{base} {unit} {wanted}"


# Things renewed that are not works: "the renewal of its supply contract", "their
# subscription renews", "renew their season passes".
_RENEWED_THINGS = (
    r"\b(?:contracts?|subscriptions?|subscribers?|leases?|licen[cs]es?|deals?|agreements?|"
    r"memberships?|pass(?:es)?|permits?|visas?|partnerships?|passports?|policy|policies|"
    r"loans?|sponsorships?|mandates?|vows?|calls?|interest|commitment|efforts?|buybacks?|"
    r"bonds?|credit|facility|authori[sz]ations?|plan|scheme|district|neighbou?rhood|"
    r"urban|downtown)\b"
)
_WORK_WORDS = re.compile(
    r"\b(?:seasons?|series|show|shows|drama|comedy|sitcom|thriller|anime|docuseries|"
    r"programme|program|franchise|it|installment|chapter|run|episodes?)\b",
    re.IGNORECASE,
)


# The thing renewed, right after the renewal words ("the renewal of its $1 billion share
# buyback program") or right before them ("their subscription renews").
_THING_AFTER_RENEWAL = re.compile(
    rf"^\W*(?:of\s+|for\s+)?(?:(?:its|their|the|a|an|his|her|your|our)\s+)?"
    # Modifiers only ("$1 billion share"): a preposition or a verb ends the object.
    r"(?:(?!(?:after|before|with|by|to|in|on|at|as|because|when|while|and|but|from|following|"
    r"amid|despite|than|that|which|who)\b)(?![\w-]*ing\b)[\w$.,-]+\s+){0,4}?"
    rf"{_RENEWED_THINGS}",
    re.IGNORECASE,
)
_THING_BEFORE_RENEWAL = re.compile(
    rf"{_RENEWED_THINGS}\s+(?:(?:will|would|automatically|is|are|was|were)\s+)?$",
    re.IGNORECASE,
)


def _renews_a_work(ctx: Context, m: re.Match[str]) -> bool:
    """A renewal is news of a work only when a work is what is renewed."""
    text = ctx.text
    if _THING_AFTER_RENEWAL.match(text[m.end() : m.end() + 80]) or _THING_BEFORE_RENEWAL.search(
        text[max(0, m.start() - 40) : m.start()]
    ):
        return False
    return bool(
        _WORK_WORDS.search(ctx.text)
        or mentions_main(ctx.text, ctx.subject)
        or INSTALLMENT.search(ctx.text)
        or other_titles(ctx, ctx.text)
    )


# The work a status verb acts on, named right after it: "has cancelled Saltmarsh, a…".
_OBJECT_GAP = re.compile(r"\s*(?:the\s+|its\s+|their\s+)?")
# A title as the status verb's grammatical subject: "Thunderbolts has been delayed".
# Passive only: in "Obsidian has delayed Avowed" the title before the verb is the agent.
_AUXILIARY_GAP = re.compile(
    r"[”\"’']?,?\s+(?:(?:has|have|had)\s+(?:also\s+)?(?:now\s+)?been|is|are|was|were)\s+"
    r"(?:also\s+)?(?:now\s+)?(?:officially\s+)?$"
)
_BARE_GAP = re.compile(r"[”\"’']?,?\s+$")
_PASSIVE_START = re.compile(r"(?:has\s+been|have\s+been|was|were|is|are|been)\s", re.I)
# "cancelled Saltmarsh", "renews Copper Lanterns": a verb, then its object.
_TRANSITIVE = re.compile(r"(?:ed|renews|cancels|axes|scraps|delays|postpones|greenlights)$", re.I)
_NOT_AN_OBJECT = frozenset({"To", "For", "From", "Until", "Till", "Into", "By", "Of", "In", "On"})


def _titled_subject(ctx: Context, start: int, end: int) -> str | None:
    """Another title the status words ``ctx.text[start:end]`` are about, or None.

    Only a title the grammar ties to the words counts: the verb's subject ("its film Pip
    and the Paper Moon has been cancelled", "Hot Desk, was renewed") or its object
    ("cancelled Saltmarsh, a tactics game"). A title elsewhere in the sentence is not
    enough: "Fable may miss its window, possible delay to 2027" is still Fable's.
    """
    text = ctx.text
    clause_start, _clause_end = clause_bounds(text, start, end)
    before = text[clause_start:start]
    titles = other_titles(ctx, before)
    if titles:
        offset, phrase = titles[-1]
        gap = before[offset + len(phrase) :]
        passive = _AUXILIARY_GAP.match(gap) or (
            _BARE_GAP.match(gap) and _PASSIVE_START.match(text, start)
        )
        if passive and not main_positions(gap, ctx.subject):
            return phrase
    if not _TRANSITIVE.search(text[start:end]):
        return None
    lead = _OBJECT_GAP.match(text, end)
    follows = text[lead.end() if lead else end :][:80]
    after = other_titles(ctx, follows)
    if after and after[0][0] == 0 and after[0][1].split()[0] not in _NOT_AN_OBJECT:
        return after[0][1]
    return None


def status_claims(ctx: Context) -> list[Draft]:
    """Undated status claims of one sentence (dated ones come from release.py)."""
    text = ctx.text
    if not _STATUS_GATE.search(text):
        return []
    folded = text.lower()
    drafts: list[Draft] = []
    for status, pattern in _STATUS:
        if not any(cue in folded for cue in _STATUS_CUES[status]):
            continue
        m = pattern.search(text)
        if not m:
            continue
        if status == "renewed" and any(d.value == "undecided" for d in drafts):
            continue  # the renewal words were negated ("has not been renewed")
        if status == "renewed" and not _renews_a_work(ctx, m):
            continue
        # The installment named last before the status word is the one it is about.
        subject = other_installment(text[: m.end()], ctx.subject)
        if _STATUS_VETO.search(text[max(0, m.start() - 15) : m.end() + 15]) and status != "delayed":
            continue
        if status == "cancelled" and re.search(r"\bdate\s+(?:was\s+|is\s+)?cancel", text, re.I):
            continue
        if status == "delayed" and (
            _DELAY_VETO.search(text)
            or _DELAYED_THING.search(text, max(0, m.start() - 40), m.start())
        ):
            continue
        if status == "renewed":
            subject = _renewed_for(ctx, m, subject)  # the grammar is consulted there
        elif subject is None:
            subject = _titled_subject(ctx, m.start(), m.end())
        if subject is None and _about_other_title(ctx):
            continue
        if status == "released" and _NOT_THE_WORK.search(text, max(0, m.start() - 40), m.start()):
            continue  # "No trailer has been released yet": something else, or nothing, is out
        if status == "released" and "early access" in m.group(0).lower():
            # Early access is a release of its own, not the finished game's.
            subject = f"{subject or ctx.subject.name} (early access)"
        when = None
        if ctx.ref is not None and re.search(r"\btoday\b", text, re.IGNORECASE):
            when = ctx.ref.isoformat()  # "started filming today": the publication day
        # "Undecided" is itself the doubt: the "may" of "may be released as late as…,
        # depending on whether Netflix renews it" is what it reports, not a hedge on it.
        scope = "" if status == "undecided" else statement_of(text, m.start(), m.end())
        certainty = certainty_of(text, scope)
        drafts.append(Draft("status", status, certainty, subject=subject, date=when))
    return drafts


_PAREN = re.compile(r"\([^)]*\)")
# "HBO head Casey Bloys", "the Switch 2 Direct": the name is an organisation or event here.
_PLATFORM_AS_ORG = re.compile(
    r"\s*(?:[’']s\s+)?(?:head|exec\w*|chief|CEO|boss|president|programming|content|"
    r"spokes(?:person|man|woman)|representatives?|reps?|insiders?|sources?|"
    r"Direct|Showcase|State\s+of\s+Play|Podcast|Game\s+Studios|Studios|Deck|versions?|"
    r"editions?|ports?|players|owners|users|titles|Gamer|Era|lineup|first-party)\b",
    re.IGNORECASE,
)


_PLATFORM_GATE = re.compile(
    r"Netflix|HBO|Max|Prime|Amazon|Disney|Apple|Hulu|Paramount|Peacock|theat|cinema|Switch|"
    r"Crunchyroll|BBC|Starz|AMC|Showtime|FX|CBS|NBC|ABC|Fox|CW|ITV|Channel|Sky|Tubi|Freevee|"
    r"Shudder|MGM|BritBox|Acorn|HIDIVE|Tokyo|"
    r"PlayStation|PS5|Xbox|PC\b|Steam|Epic|Luna|Stadia"
)


_CREDIT_AFTER = re.compile(
    r"(?:[’']s)?\s+(?:series|show|film|movie|original|drama|comedy)\s+((?:[A-Z][\w’'-]*\s?){1,4})"
)


_PLATFORM_LABEL = re.compile(r"(?:Platforms?|Network|Streaming\s+on|Available\s+on)$", re.I)
_EPISODES_LABEL = re.compile(r"(?:Number\s+of\s+)?episodes$", re.I)


def _platforms_in(text: str) -> list[str]:
    """Platform names in ``text``, each once, in the table's order."""
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _PLATFORMS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            if name not in found:
                found.append(name)
    return found


def _installment_nearest(ctx: Context, text: str) -> str | None:
    """The other installment named nearest the sentence's first platform, or None when the
    nearest is the main subject's ("HBO renewed it for a third season, days after the
    season 2 finale" is the third season's platform)."""
    first = min((m.start() for _n, p in _PLATFORMS for m in [p.search(text)] if m), default=0)
    mentions = list(INSTALLMENT.finditer(text))
    # What the platform does something to follows it ("Netflix renewed it for a second
    # season"), unless it is a comparison or a time ("like season 2", "after season 1").
    after = [
        m
        for m in mentions
        if m.start() > first and not _COMPARED.search(text, max(0, m.start() - 16), m.start())
    ]
    before = [m for m in mentions if m.end() <= first]
    chosen = after[0] if after else (before[-1] if before else None)
    if chosen is None:
        return other_installment(text, ctx.subject)
    return other_installment(text[: chosen.end()], ctx.subject)


_COMPARED = re.compile(
    r"\b(?:like|unlike|than|after|following|since|before|as\s+with|as\s+did)\s+(?:the\s+)?"
    r"(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _title_owning(ctx: Context, text: str, at: int) -> str | None:
    """Another title named in the clause before ``at`` and after any mention of the
    main subject ("Nova will now premiere on Disney+"), else None (the main subject)."""
    c_start, _c_end = clause_bounds(text, at, at + 1)
    segment = text[c_start:at]
    # "air on Tokyo MX and BBC One and stream on Crunchyroll": the channels are no title.
    titles = [(p, t) for p, t in other_titles(ctx, segment) if not _platforms_in(t)]
    if not titles:
        return None
    named = main_positions(segment, ctx.subject) + [m.start() for m in ANAPHOR.finditer(segment)]
    last_at, last_title = titles[-1]
    return last_title if last_at > max(named, default=-1) else None


def platform_claims(ctx: Context) -> list[Draft]:
    """Platforms the sentence attaches to a subject."""
    if ctx.sentence.label is not None:
        # A fact box ("Platforms: PC, PS5") speaks of the page's own subject.
        if not _PLATFORM_LABEL.match(ctx.sentence.label):
            return []
        return [Draft("platform", n, "reported") for n in _platforms_in(fact_value(ctx.sentence))]
    if not _PLATFORM_GATE.search(ctx.text):
        return []
    # Parentheses with a possessive hold actors' credits ("(Netflix's Hollywood)"), not
    # this title's platform; "(Steam/Epic)" is a platform list and stays.
    text = _PAREN.sub(
        lambda m: " " * len(m.group(0)) if re.search(r"[’']s\b", m.group(0)) else m.group(0),
        ctx.text,
    )
    if _PLATFORM_VETO.search(text) or not _PLATFORM_CONTEXT.search(text):
        return []
    if not (mentions_main(text, ctx.subject) or ctx.sentence.headline):
        return []
    subject = _installment_nearest(ctx, text)
    certainty = certainty_of(ctx.text, strong=True)
    drafts: list[Draft] = []
    taken: list[tuple[int, int]] = []
    owner: str | None = None
    owner_known = False
    for name, pattern in _PLATFORMS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            if _PLATFORM_AS_ORG.match(text, m.end()):
                continue
            credit = _CREDIT_AFTER.match(text, m.end())
            if credit and not main_positions(credit.group(1), ctx.subject):
                continue  # "in Netflix series Luke Cage": an actor's other credit
            taken.append(m.span())
            if not owner_known:
                # "Nova will now premiere on Disney+": the title before the first platform
                # named owns the sentence's platforms (later ones follow it in a list).
                first = min(m.start(), *(s for s, _e in taken))
                owner = subject if subject is not None else _title_owning(ctx, text, first)
                owner_known = True
            drafts.append(Draft("platform", name, certainty, subject=owner))
            break
    return drafts


def trailer_claims(ctx: Context) -> list[Draft]:
    """Trailer state of the subject, if the sentence gives one."""
    text = ctx.text
    folded = text.lower()
    if "trailer" not in folded and "teaser" not in folded and "gameplay" not in folded:
        return []  # every trailer pattern names one (or a game's gameplay reveal)
    for value, pattern in _TRAILER:
        m = pattern.search(text)
        if m:
            subject = other_installment(text[: m.end()], ctx.subject)
            # Who released a trailer is said in its own clause, not by a later one
            # ("While the trailer showed…, the game was officially delayed").
            scope = statement_of(text, m.start(), m.end())
            when = _trailer_date(ctx, m) if value != "none" else None
            return [Draft("trailer", value, certainty_of(scope, scope), subject=subject, date=when)]
    return []


# A date after these words is the work's, not the trailer's ("ahead of the March 6 premiere").
_WORK_EVENT_BEFORE = re.compile(
    r"\b(?:premier\w*|releas\w*|launch\w*|debut\w*|arriv\w*|opens?|out|window|season)\W*"
    r"(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)


def _trailer_date(ctx: Context, m: re.Match[str]) -> str | None:
    """When the trailer came (or comes) out, if the clause naming it dates it: "the
    trailer dropped on October 28" (not "…, following a teaser that dropped in June")."""
    _start, end = clause_bounds(ctx.text, m.start(), m.end())
    clause = ctx.text[m.start() : end]
    for mention in dates.find_dates(clause, ctx.ref, order=ctx.numeric_order):
        if mention.value == "unknown" or _WORK_EVENT_BEFORE.search(clause[: mention.start]):
            continue
        return mention.value
    return None


# The installment a count belongs to, named right after it ("the eight-episode first
# season", "10 episodes in Season 2"), not a comparison further on ("two more than Season 1").
_INSTALLMENT_RIGHT_AFTER = re.compile(
    r"[^,.;()]{0,20}?\b(?:(?:first|second|third|fourth|fifth|sixth|final|last|new|next)\s+"
    r"(?:season|series|part|volume)|(?:season|series|part|volume)\s+\w+)\b",
    re.IGNORECASE,
)


def episode_claims(ctx: Context) -> list[Draft]:
    """Episode count of the subject's season or part."""
    text = ctx.text
    label = ctx.sentence.label
    if label is not None and _EPISODES_LABEL.match(label):
        number = re.match(r"\d{1,3}\b", fact_value(ctx.sentence))
        return [Draft("episodes", number.group(0), "reported")] if number else []
    if "episode" not in text.lower():
        return []  # both patterns name episodes
    split = _SPLIT_SEASON.search(text)
    if split:
        # "two chapters of four episodes each": the season has eight.
        count = _number(split.group("parts")) * _number(split.group("each"))
        subject = other_installment(text[: split.start()], ctx.subject)
        return [Draft("episodes", str(count), certainty_of(text), subject=subject)]
    m = _EPISODES.search(text)
    if not m or _EPISODE_VETO.search(text):
        return []
    count = _number(m.group("n"))
    if count < 2:
        return []
    # "The eight-episode first season": the installment may follow the count, unless
    # one was named before it ("Season 3 will have eight episodes, like season 2").
    named_before = INSTALLMENT.search(text, 0, m.start()) is not None
    after = _INSTALLMENT_RIGHT_AFTER.match(text, m.end())
    subject = other_installment(
        text[: m.start() if named_before or not after else after.end()], ctx.subject
    )
    # "ran for 13 episodes, ending on a cliffhanger Season 3 is expected to resolve": the
    # hedge of another clause does not reach the count.
    clause_start, clause_end = clause_bounds(text, m.start(), m.end())
    certainty = certainty_of(text, text[clause_start:clause_end])
    return [Draft("episodes", str(count), certainty, subject=subject)]
