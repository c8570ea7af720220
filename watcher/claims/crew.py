"""Crew: directors, creators, writers, showrunners, producers, developers and studios.

News copy names crew in a few shapes: a role before names ("showrunner Craig
Mazin", "the head writer and executive producers include A, B and C"),
"created and executive produced by X", "X, the series creator", "adds X as a
writer and co-showrunner" and company forms ("Obsidian Entertainment-developed").
A role word right after another title ("BioShock creator Ken Levine") credits
that other title, so it is skipped.
"""

from __future__ import annotations

import re
from typing import Final

from watcher.claims.certainty import ORG, certainty_of
from watcher.claims.drafts import Context, Draft, statement_of
from watcher.claims.model import Certainty
from watcher.claims.people import NAME, names
from watcher.claims.sentences import fact_value
from watcher.claims.subjects import main_positions, other_installment

_ROLE = (
    r"(?:[Cc]o-)?[Cc]reators?|(?:[Cc]o-)?[Ss]howrunners?|[Dd]irectors?|(?:[Ee]xecutive\s+)?"
    r"[Pp]roducers?|[Hh]ead\s+writers?|(?:[Cc]o-)?(?:[Ss]creen)?[Ww]riters?(?!\s+Guild)|"
    r"[Dd]evelopers?|[Ss]tudios?"
)
_ROLES = rf"(?P<roles>(?:{_ROLE})(?:\s*,\s*(?:and\s+)?(?:{_ROLE}))*(?:\s*,?\s*and\s+(?:{_ROLE}))?)"
_LIST = rf"(?P<list>{NAME}(?:\s*,\s*{NAME})*(?:\s*,?\s*(?:and|&)\s+{NAME})?)"
_VERB = (
    r"(?i:created|directed|written|produced|executive\s+produced|developed|helmed|penned|"
    r"co-created|showrun|(?:an?\s+|the\s+)?(?:original\s+)?(?:script|screenplay|teleplay))"
)

_ROLES_BEFORE = re.compile(
    rf"(?<![\w-]){_ROLES}\s+(?:for\s+the\s+(?:season|series|show|film|game)\s+)?"
    rf"(?:include|includes|are|is|were|was)?\s*:?\s*{_LIST}"
)
_BY = re.compile(
    rf"\b(?P<roles>(?:{_VERB})(?:\s*,\s*(?:{_VERB}))*(?:\s*,?\s*and\s+(?:{_VERB}))?)\s+by\s+"
    rf"(?:(?:directors?|creators?|writers?|showrunners?|studio|developer)\s+)?"
    rf"(?:[“\"‘'][^”\"’']+[”\"’']\s+(?:{_ROLE})\s+)?"
    # "a script by the first film's writer, X": the person, after their description.
    rf"(?:the\s+(?:[a-z]+\s+){{0,2}}(?:film|series|show|game|season)[’']s\s+(?:{_ROLE}),?\s+)?"
    rf"{_LIST}"
)
_AS_ROLE = re.compile(
    rf"(?P<list>{NAME})\s+(?:will\s+|would\s+)?(?P<verb>return\s+|serve\s+|"
    rf"join\w*\s+(?:the\s+)?(?:[a-z]+\s+){{0,2}}?\w+\s+|"
    rf"stepped\s+down\s+|step\s+down\s+|came\s+on(?:board)?\s+|signed\s+on\s+)?as\s+"
    rf"(?:an?\s+|the\s+|its\s+)?(?:star\s+and\s+)?{_ROLES}\b"
)
_ADDS_AS = re.compile(
    rf"\b(?:add|adds|added|adding|hired|hires|tapped|taps|brings?\s+on|brought\s+on)\s+"
    rf"{_LIST}\s+as\s+(?:an?\s+|the\s+)?{_ROLES}\b"
)
_WHO_SERVE = re.compile(
    rf"{_LIST}\s*,\s+who\s+(?:also\s+)?(?:will\s+)?(?:serve|serves|act|acts)\s+as\s+"
    rf"(?:an?\s+|the\s+)?{_ROLES}\b"
)
# "X is the showrunner", "X remains the director", "X is the series mastermind and
# showrunner", "X will serve as showrunner".
_IS_ROLE = re.compile(
    rf"(?P<list>{NAME})\s+(?:(?:is|was|will\s+be|remains|became|becomes|is\s+now)\s+(?:also\s+)?"
    rf"(?:once\s+again\s+)?(?:the|its|their)\s+|(?:will\s+)?serves?\s+as\s+(?:an?\s+|the\s+)?)"
    rf"(?:(?:new|series|show[’']s|film[’']s|game[’']s|season[’']s|lead|returning|current)\s+)?"
    rf"(?:\w+\s+(?:and|&)\s+)?{_ROLES}\b(?!\s+(?:known|who|whose|famous|best)\b)"
    # "is the director of Other Film": another work's credit, checked by the caller.
    rf"(?P<of>\s+(?:of|on|for|behind)\s+(?:the\s+)?[A-Z“\"][^,.;]{{0,50}})?"
)
_APPOS = re.compile(
    rf"(?P<list>{NAME}),\s+(?:the\s+|who\s+(?:is|was)\s+(?:the\s+)?)?(?:series\s+|show[’']s\s+|"
    rf"film[’']s\s+|game[’']s\s+)?{_ROLES}\b(?!\s+(?:known|of|for|behind))"
)
_NAME_VERB = re.compile(
    # "Title was created by X", "Title is directed by X": passive, the name is the work.
    rf"{_LIST}(?:,\s+who(?:\s+also)?)?\s+"
    rf"(?:(?:has|have|had|will|is|was)\s+(?!(?:co-)?(?:created|directed)\b))?"
    rf"(?P<roles>directed|created|wrote|"
    rf"co-created|co-wrote|(?:co-)?showruns?|co-directs|co-directed|is\s+directing|will\s+direct|"
    rf"directs|(?<=will\s)(?:executive\s+|co-)?produce|executive\s+produces?|co-produces?|"
    # "X returns to direct", "X is set to write": the job this title hired X for.
    rf"(?:(?:returns?|returning|is\s+back|(?:is|was|has\s+been)\s+(?:set|tapped|hired|"
    rf"attached)|signed\s+on)\s+to\s+(?:direct|helm|write|co-write|produce|showrun))|"
    # "X back as director", "X returns as showrunner".
    rf"(?:(?:is\s+)?back|returns?|returning)\s+as\s+(?:the\s+)?(?:director|writer|showrunner|"
    rf"producer|creator))\b"
    # "X wrote in a blog post", "X wrote that…": a statement, not the work's script.
    r"(?!\s+(?:in|on|to|that|about|online|alongside|beside|under|beneath|next|:)\b|\s*[:,]|"
    r"(?<=wrote)\s*(?:[.!?;”\"]|$)|"
    r"\s+(?:an?|the|his|her|their)\s+"
    r"(?:blog|post|statement|letter|tweet|message|note|update|column|novel|book|memoir|comic|"
    r"manga|song|poem|foreword|article|op-ed)s?\b)"
)
# "X created the series with novelist Y", "co-showruns the season with Y", "executive
# producer alongside Y and Z": the partners share the job.
_WITH = re.compile(
    r"\b(?P<roles>(?:co-)?wrote|(?:co-)?created|(?:co-)?showruns?|(?:co-)?showrunners?|"
    r"(?:executive\s+)?producers?|(?:co-)?writers?|(?:co-)?creators?|"
    r"(?<=will\s)(?:executive\s+|co-)?produce)"
    r"(?:\s+(?:the|this|its|all|both|every)\s+(?:[a-z-]+\s+){0,3}?"
    r"(?!(?:book|novel|memoir|song|album|letter|post|article|foreword|poem)s?\b)[a-z-]+)?"
    r"\s+(?:together\s+)?(?:with|alongside)\s+(?:(?:his|her|their|the)\s+)?"
    rf"(?:(?:[a-z][\w-]*\s+){{0,2}}(?=[A-Z]))?{_LIST}"
)
# "with X directing", "with X at the helm".
_WITH_ING = re.compile(
    rf"\bwith\s+{_LIST}\s+(?P<roles>directing|writing|showrunning|producing|at\s+the\s+helm)\b"
)
# "director X's fantasy drama": the work this sentence is about, not an earlier one.
# "The screenplay is by X and Y".
_SCRIPT_BY = re.compile(
    rf"\b(?:[Ss]cript|[Ss]creenplay|[Tt]eleplay)\s+(?:is|was|will\s+be|comes)\s+(?:from|by)\s+{_LIST}"
)
_ROLE_POSSESSIVE = re.compile(
    rf"(?<![\w-])(?P<roles>[Dd]irector|[Cc]reator|[Ss]howrunner|[Ww]riter|[Ff]ilmmaker)\s+"
    rf"(?P<list>{NAME})[’']s\s+(?!(?:previous|last|earlier|other|past|debut|breakout|first|"
    r"former|prior|older|acclaimed|hit|award)\b)(?:[a-z-]+\s+){0,3}?(?:film|movie|series|show|"
    r"drama|thriller|comedy|horror|feature|game|sequel|adaptation|project|epic|musical)\b"
)
# "the X-directed thriller"; "series composition by X" (an anime's head writer).
_HYPHEN_CREDIT = re.compile(
    rf"(?P<list>{NAME})-(?P<roles>directed|written|created|produced|penned|helmed)\b|"
    rf"\b(?P<comp>[Ss]eries\s+composition)\s+(?:is\s+|was\s+)?(?:handled\s+|done\s+)?"
    rf"by\s+(?P<list2>{NAME})"
)
# "directs from her own screenplay": both jobs.
_OWN_SCRIPT = re.compile(
    rf"(?P<list>{NAME})\s+(?:will\s+)?(?:directs?|directed|helms?)\s+from\s+(?:his|her|their)\s+"
    r"own\s+(?:script|screenplay)\b"
)
# Companies by their suffix ("Northlight Films", "Amazon MGM Studios").
_CO = (
    r"(?:[A-Z][\w&.-]*\s+){0,3}(?:Pictures|Films|Studios|Television|Entertainment|Productions|"
    r"Games|Interactive|Animation|Media)"
)
# "Halcyon Pictures' Marta Bel": the person works for the company.
_CO_PERSON = re.compile(rf"\b(?P<co>{_CO})[’']s?\s+(?={NAME})")
# "Sky Studios and HBO co-produce", "X, which produced the series", "The studio, X,",
# "Title, from X Studios", "X Studios announced that Title has gone gold".
_CO_MAKES = re.compile(
    rf"(?P<list>{NAME}(?:\s*,\s*{NAME})*(?:\s*,?\s*(?:and|&)\s+{NAME})?)\s+(?:will\s+)?"
    r"(?P<roles>(?:co-)?(?:executive\s+)?produces?|(?:are|is)\s+(?:co-)?producing)\b"
    r"(?=\s*(?:[.;]|$|the\s|this\s|it\b))|"
    rf"\b(?P<list2>{_CO}),\s+which\s+(?:also\s+)?(?P<roles2>(?:co-)?produce[sd]?|developed|"
    r"develops|is\s+(?:co-)?producing|is\s+developing)\b|"
    r"\b[Tt]he\s+(?P<roles3>studio|developer|production\s+company),\s+"
    rf"(?P<list3>{NAME}),|"
    rf"(?<=,)\s+from\s+(?P<list4>{_CO})\s*(?:[,.;]|$)|"
    rf"^(?P<list5>{_CO})\s+(?:has\s+)?(?:announced|confirmed|revealed)\b|"
    # "a co-production between Sky Studios and Lionsgate Television".
    rf"\bco-production\s+(?:between|of|from)\s+(?P<list6>{_CO}(?:\s*,\s*{_CO})*\s*,?\s*(?:and|&)\s+{_CO})|"
    # "from several companies, including A Productions, B Television and C Television".
    r"\b(?:production\s+)?(?:companies|studios|partners)\b[^.;]{0,20}?\b(?:including|such\s+as|like)\s+"
    rf"(?P<list7>{_CO}(?:\s*,\s*{_CO})*(?:\s*,?\s*(?:and|&)\s+{_CO})?)"
)
_WHOLE_CO = re.compile(rf"(?!(?:The|A|An)\s){_CO}")
_CO_MAKES_GATE = re.compile(
    r"produc|,\s+from\s|announced|confirmed|revealed|[Tt]he\s+(?:studio|developer|production)|"
    r"(?:companies|studios|partners)\b"
)
_CO_POSSESSIVE = re.compile(
    r"(?:Pictures|Films|Studios|Television|Entertainment|Productions|Games|Interactive|Animation|"
    r"Media)[’']"
)
_GAMEISH = re.compile(
    r"\b(?:game|gone\s+gold|players?|PC|consoles?|Steam|PlayStation|PS5|Xbox|Switch|"
    r"early\s+access|RPG|DLC|patch)\b"
)
_COMPANY_ROLE = re.compile(
    rf"(?P<list>{NAME}),\s+the\s+(?P<roles>studio|developer)\s+(?:making|behind|that|known|"
    rf"developing|responsible)|(?P<list2>{NAME})-developed\b"
)
_COMPANY = r"(?:[A-Z][\w&-]*\s+){0,3}(?:Games|Studios|Entertainment|Interactive)"
# Company shapes without a role word: "the debut game from X Games", "X Games, led by",
# "X Games' upcoming RPG".
_COMPANY_DEV = re.compile(
    rf"\b(?:game|title|project|RPG)\s+from\s+[^,.;]{{0,40}}?(?P<a>{_COMPANY})\b|"
    rf"(?P<b>{_COMPANY}),\s+(?:led|headed|founded|run)\s+by\b|"
    rf"(?P<c>{_COMPANY})[’']s?\s+(?:upcoming|new|next|latest|debut|first)\b"
)
_ROLE_STEMS: Final = (
    ("showrunner", "showrun"),
    ("director", "direct"),
    ("director", "helm"),
    ("creator", "creat"),
    ("writer", "writ"),
    ("writer", "wrote"),
    ("writer", "penned"),
    ("writer", "script"),
    ("writer", "screenplay"),
    ("writer", "teleplay"),
    ("producer", "produc"),
    ("developer", "develop"),
    ("studio", "studio"),
)
_SPLIT_ROLES = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)\s*")
_COMPANY_END = re.compile(
    r"\b(?:Games|Studios|Entertainment|Interactive|Productions|Pictures|Films|Television)$"
)
# "Ubisoft Singapore", "Sony Santa Monica": a known company's studio, not a person.
_KNOWN_COMPANY = re.compile(rf"{ORG}\b")
_LEFT = re.compile(r"\b(?:stepped\s+down|step\s+down|left|depart\w*|exit\w*|replaced)\b")
_PAREN = re.compile(r"\([^)]*\)")
_HIRED = re.compile(
    r"\b(?:hire[sd]?|hiring|tap(?:s|ped)|brought\s+(?:on|in)|brings?\s+(?:on|in)|recruit\w*|"
    r"enlist\w*|sign(?:s|ed)?\s+(?:on|up))\s+$"
)
# "cycled through multiple directors, with X departing": the plural names X's role.
_DEPARTED_FROM = re.compile(
    rf"\b(?P<roles>directors|writers|showrunners|producers|creators)\b[^.;]{{0,40}}?,\s+with\s+"
    rf"(?P<list>{NAME})\s+(?:departing|leaving|exiting|quitting|stepping\s+(?:down|away))\b"
)


# A quotation closing right before the name: the verb reports speech.
_QUOTE_BEFORE = re.compile(r"[,.!?…]\s*[”\"’']\s*$")
_ACTED_IN = re.compile(r"\b(?:starred|starring|appeared|featured|cameo)\s+(?:\w+\s+)?in\b")


def _roles(raw: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT_ROLES.split(raw.lower()):
        for role, stem in _ROLE_STEMS:
            if stem in part:
                if role not in out:
                    out.append(role)
                break
    return out


def _credits_other_title(text: str, start: int, ctx: Context) -> bool:
    """True for "BioShock creator X": a capitalised title right before the role word."""
    before = text[:start].rstrip()
    if re.search(r"\b(?:[Ss]eason|[Pp]art)\s+\w+$", before):
        # "Season 1 co-showrunner X": that season's credit
        return other_installment(before[-16:], ctx.subject) is not None
    quoted = re.search(r"[“\"‘']([^”\"’']{1,60})[”\"’']$", before)
    if quoted and _HIRED.search(before[: quoted.start()]):
        return False  # "hired 'Logan' writer X": X's past credit, hired for this project
    if quoted:
        inner = quoted.group(1)
        base = ctx.subject.base or ""
        acronym = "".join(w[0] for w in base.split() if w[:1].isalnum()).upper()
        if inner.isupper() and inner == acronym:
            return False  # "HOTD" showrunner: the main title's initials
        return not main_positions(inner, ctx.subject)
    m = re.search(r"([A-Z][\w’'.:-]*)$", before)
    if not m or before == m.group(0):
        return False
    word = m.group(1)
    if word in {"The", "A", "An", "Its", "His", "Her", "Their"}:
        return False
    return not main_positions(word, ctx.subject)


_CREW_GATE = re.compile(
    r"(?i:creat|direct|writ|wrote|produc|showrun|develop|studio|helm|penn|composition|script|"
    r"screenplay)|,\s+from\s+[A-Z]|(?:Studios|Games|Interactive|Entertainment|Pictures|Films)\s+"
    r"(?:has\s+)?(?:announced|confirmed|revealed)"
)


def crew_claims(ctx: Context) -> list[Draft]:
    """Crew claims of one sentence."""
    if ctx.sentence.label is not None:
        return _fact_box_claims(fact_value(ctx.sentence), ctx.sentence.label)
    if not _CREW_GATE.search(ctx.text):
        return []
    # Credits in parentheses ("Aaron Moorhead (Moon Knight)") are other titles.
    text = _PAREN.sub(lambda m: " " * len(m.group(0)), ctx.text)
    # "produced by Halcyon Pictures' Marta Bel": the credit is the person's; the company
    # is kept aside and named the studio when its person is credited.
    employers = (
        [(m.group("co"), m.start(), m.end()) for m in _CO_PERSON.finditer(text)]
        if _CO_POSSESSIVE.search(text)
        else []
    )
    for _co, start, end in employers:
        text = text[:start] + " " * (end - start) + text[end:]
    # Who is on the crew is the outlet's word, even in a sentence about an official act
    # ("forcing Marvel Studios head Kevin Feige to hire writer X"); an outright hedge
    # ("X may direct") still counts. Who makes a game is background too ("developer
    # Supergiant Games surprised everyone"): only a hedge on the maker itself
    # ("rumoured to be developed by") makes a studio speculative.
    for_company: Certainty = "speculative" if _HEDGED_MAKER.search(ctx.text) else "reported"

    def for_person(name: str) -> Certainty:
        # The person's own statement: "Director X was asked whether Season 2 could
        # happen" hedges Season 2, not who directs.
        at = max(ctx.text.find(name), 0)
        scope = statement_of(ctx.text, at, at + len(name))
        hedged = certainty_of(ctx.text, scope, strong=True) == "speculative"
        return "speculative" if hedged else "reported"

    # Crew named in an article about an installment works on it ("Season 1 co-showrunner
    # X will serve as executive producer"), so crew stays with the main subject.
    subject = None
    found: dict[tuple[str, str], bool] = {}

    def add(
        raw_names: str,
        roles: list[str],
        superseded: bool = False,
        co: bool = False,
        exact: bool = False,
    ) -> None:
        # A company is named as written ("Amazon MGM Studios", not "MGM Studios"); so is
        # one the sentence calls a studio ("The Initiative, the studio making the game").
        whole = raw_names.strip()
        named = exact and " " in whole and whole.split()[0] == "The"
        listed = [whole] if (co and _WHOLE_CO.fullmatch(whole)) or named else names(raw_names)
        for name in listed:
            if _COMPANY_END.search(name) or _WHOLE_CO.fullmatch(name):
                # "Produced by Northlight Films": a company's credit is the studio's
                roles = ["studio" if r == "producer" else r for r in roles]
            for role in roles:
                # A lone surname ("Gunn wrote the script") is kept for the engine to
                # resolve against the full name used elsewhere in the article.
                found[(name, role)] = superseded

    for m in _ROLES_BEFORE.finditer(text):
        if _credits_other_title(text, m.start(), ctx):
            continue
        roles = _roles(m.group("roles"))
        words = _SPLIT_ROLES.split(m.group("roles").lower())
        listed = names(m.group("list"))
        if len(listed) > 1 and any(w.endswith("s") for w in words) and len(words) > 1:
            # "The head writer and executive producers include A, B and C": the
            # singular role is A's alone.
            singular = [
                r
                for w, r in zip(words, _roles(m.group("roles")), strict=False)
                if not w.endswith("s")
            ]
            add(listed[0], roles)
            for other in listed[1:]:
                add(other, [r for r in roles if r not in singular])
            continue
        add(m.group("list"), roles)
    for pattern in (_BY, _ADDS_AS, _APPOS, _NAME_VERB, _WHO_SERVE, _WITH, _WITH_ING):
        if pattern is _WITH and " with " not in text and " alongside " not in text:
            continue
        for m in pattern.finditer(text):
            if _ACTED_IN.search(text, max(0, m.start() - 80), m.start()):
                continue  # "X also starred in Night Shift, directed by Y": that film's credit
            speech = pattern is _NAME_VERB and m.group("roles") == "wrote"
            if speech and _QUOTE_BEFORE.search(text, 0, m.start()):
                continue  # "'I love this crew,' X wrote": X's post, not a writing credit
            roles = _roles(m.group("roles"))
            listed = names(m.group("list"))
            if pattern is _NAME_VERB and m.group("roles") in ("created", "directed"):
                # Only the name next to the verb for now: a team credit ("A and B created")
                # also credits A, but the seed gold lacks A's other claims, so the pinned
                # floor would drop; kept narrow until that gold is completed.
                listed = listed[-1:]
            for name in listed:
                # A person who "developed" a series created it; a company developed a game.
                person = not (_COMPANY_END.search(name) or _KNOWN_COMPANY.match(name))
                add(name, ["creator" if r == "developer" and person else r for r in roles])
    gameish = _GAMEISH.search(text) is not None
    for m in _CO_MAKES.finditer(text) if _CO_MAKES_GATE.search(text) else ():
        if m.group("list"):
            for part in _SPLIT_ROLES.split(m.group("list")):
                is_co = _WHOLE_CO.fullmatch(part.strip()) is not None
                add(part, ["studio" if is_co else "producer"], co=is_co)
        elif m.group("list2"):
            made = "develop" in m.group("roles2")
            add(m.group("list2"), ["developer" if made else "studio"], co=True)
        elif m.group("list3"):
            role = m.group("roles3")
            add(m.group("list3"), ["developer" if role == "developer" else "studio"], exact=True)
        elif m.group("list6") or m.group("list7"):
            for part in _SPLIT_ROLES.split(m.group("list6") or m.group("list7")):
                add(part, ["studio"], co=True)
        else:
            company = m.group("list4") or m.group("list5")
            if m.group("list5") and not main_positions(text, ctx.subject):
                continue  # a company's news about some other work
            add(company, ["developer" if gameish else "studio"], co=True)
    for m in _ROLE_POSSESSIVE.finditer(text):
        if not _credits_other_title(text, m.start(), ctx):
            add(m.group("list"), _roles(m.group("roles")))
    for m in _HYPHEN_CREDIT.finditer(text):
        if m.group("comp"):
            add(m.group("list2"), ["writer"])
        else:
            add(m.group("list"), _roles(m.group("roles")))
    for m in _SCRIPT_BY.finditer(text):
        add(m.group("list"), ["writer"])
    for m in _OWN_SCRIPT.finditer(text):
        add(m.group("list"), ["director", "writer"])
    for m in _IS_ROLE.finditer(text):
        credited = m.group("of")
        if credited and not main_positions(credited, ctx.subject):
            continue  # "X is the director of Other Film"
        add(m.group("list"), _roles(m.group("roles")))
    for m in _AS_ROLE.finditer(text):
        gone = bool(m.group("verb") and _LEFT.search(m.group("verb")))
        add(m.group("list"), _roles(m.group("roles")), superseded=gone)
    for m in _DEPARTED_FROM.finditer(text):
        add(m.group("list"), _roles(m.group("roles")), superseded=True)
    for m in _COMPANY_DEV.finditer(text):
        company = m.group("a") or m.group("b") or m.group("c")
        if company and not company.startswith(("Xbox", "PlayStation", "Nintendo", "Sony")):
            add(company, ["developer"])
    for m in _COMPANY_ROLE.finditer(text):
        if m.group("list2"):
            add(m.group("list2"), ["developer"])
        else:
            # "the studio making the game": a game's studio is its developer
            roles = _roles(m.group("roles"))
            as_maker = ["developer" if r == "studio" and gameish else r for r in roles]
            add(m.group("list"), as_maker, exact=True)
    for employer, _start, end in employers:
        employee = re.match(NAME, text[end:])
        if employee and any(employee.group(0).startswith(n) for n, _r in found):
            add(employer, ["studio"], co=True)
    return [
        Draft(
            "crew",
            name,
            for_company if role in _COMPANY_ROLES else for_person(name),
            subject=subject,
            role=role,
            superseded=gone,
        )
        for (name, role), gone in found.items()
    ]


def _fact_box_claims(text: str, label: str) -> list[Draft]:
    """Crew of a fact box: under "Produced by", each name gets the label's roles."""
    return [
        Draft("crew", name, "reported", role=role) for name in names(text) for role in _roles(label)
    ]


_COMPANY_ROLES = frozenset({"developer", "studio"})
_HEDGED_MAKER = re.compile(
    r"\b(?:rumou?red|said|believed|thought|reportedly|may|might|could|likely)\s+"
    r"(?:to\s+)?(?:be\s+)?(?:being\s+)?(?:developed|made|produced|handled|helmed)\s+by\b",
    re.IGNORECASE,
)
