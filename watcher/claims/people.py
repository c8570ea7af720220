"""Cast: actors' names, with their roles and characters, from the patterns news copy uses.

Names are runs of capitalised words (accents, hyphens and apostrophes
allowed), so one-word names ("Zendaya", "Lomon") are accepted only where the
pattern itself says a person follows ("starring", "played by", a list).
"""

from __future__ import annotations

import re
from typing import Final

from watcher.claims.certainty import certainty_of
from watcher.claims.drafts import Context, Draft, clause_bounds, statement_of
from watcher.claims.model import Certainty
from watcher.claims.subjects import main_positions, other_installment, title_spans

_UP = r"[A-ZÀ-ÖØ-Þ]"
_WORD = rf"(?:{_UP}\.(?=\s)|{_UP}[\w’'.-]*(?<!['’.-]))"
_PARTICLE = r"(?:de|da|del|della|van|von|der|den|le|la|du|bin|al|el|dos|di)"
NAME: Final = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,3}}"
_NAME_LIST = rf"(?P<list>{NAME}(?:\s*,\s*{NAME}){{0,20}}(?:\s*,?\s*(?:and|&)\s+{NAME})?)"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_NAMES: Final = _words(
    "The A An And Or But In On At Of For With From By As It Its This That These Those He "
    "She They We You I His Her Their Our Season Series Part Netflix HBO Max Disney Marvel "
    "Apple Amazon Prime Video Xbox PlayStation Nintendo Switch PC Steam Studios Studio "
    "January February March April May June July August September October November "
    "December Monday Tuesday Wednesday Thursday Friday Saturday Sunday Variety Deadline "
    "Fans Episode Episodes Also Meanwhile However One Two Three Netflix's Film Movie Show "
    "Game Director Creator Writer Producer Showrunner Star Stars Actor Actress Cast New "
    "Returning Mr Mrs Ms Dr Sir Lady Lord King Queen Prince Princess Oscar Emmy Golden "
    "Globe "
)
_PLAYED_BY = re.compile(
    rf"(?:(?P<char>{NAME}),?\s+)?(?:(?:is|was)\s+)?played\s+by\s+(?P<name>{NAME})"
)
# Words after which a list of actors follows.
_LIST_TRIGGER = re.compile(
    r"\b(?:stars|[Ss]tarring|starred|co-stars|co-starring|also\s+stars|features(?:\s+the\s+"
    r"(?:voice\s+)?(?:talents?|voices?)\s+of)?|cast\s+(?:includes?|members?\s+(?:include|are)|"
    r"are|is)|ensemble(?:\s+cast)?\s+are|main\s+cast,|joined\s+by|alongside|(?:new|"
    r"returning)\s+(?:cast\s+)?(?:members?|faces|additions?)\s+(?:include|are)|"
    r"[Nn]ewcomers\s+(?:include|are)|added|"
    r"[Jj]oining\s+(?:them|him|her|the\s+(?:cast|ensemble|series|show))(?:\s+(?:for|in)\s+"
    r"[^,.;]{1,30}?)?\s+(?:are|is|will\s+be)|"
    r"welcoming(?:\s+this\s+season)?|reunited\s+with(?:\s+the\s+main\s+cast,)?|"
    r"(?:the\s+)?returning\s+cast\s+includes|"
    # "Returning are A, B", "New to the cast this season are A", "Not returning: A",
    # "joins fellow newcomers A, B and C", "Joining them: A as ...".
    r"[Rr]eturning(?:\s+this\s+(?:season|year|time))?\s+(?:are|is)|"
    r"[Nn]ew\s+to\s+the\s+(?:cast|series|show|ensemble)(?:\s+this\s+(?:season|year|time))?\s+"
    r"(?:are|is)|[Nn]ot\s+(?:returning|coming\s+back|back)(?=\s*:)|"
    r"(?:[Ll]eaving|[Ee]xiting|[Dd]eparting)(?:\s+the\s+(?:series|show|cast))?\s+(?:are|is)|"
    r"fellow\s+(?:newcomers?|cast\s+members?|new\s+(?:cast\s+)?(?:members?|faces?|additions?))|"
    r"[Jj]oining\s+(?:them|him|her|the\s+(?:cast|ensemble))(?=\s*:)|"
    r"(?<!original\s)(?<!former\s)(?<!fellow\s)"
    r"(?<!co-)\bstar|actors\s+like|see)\s*:?\s+"
    r"(?:(?:are|is)\s+(?=[A-Z]))?(?:the\s+(?:\w+\s+)?)?",
)
_LEADING_LIST = re.compile(
    rf"^(?P<list>{NAME}(?:\s*,\s*{NAME}){{2,}},?\s+(?:and|&)\s+{NAME})\s+"
    r"(?:are|were|will|have|all|also|return|star)\b"
)
# "X, who previously played Y, is coming back": a name, an aside, then the news.
_APPOSITIVE_RETURN = re.compile(
    rf"^(?:(?:Even\s+though|Although|Though|While)\s+)?(?P<name>{NAME}),\s+[^,]{{3,120}},\s+"
    r"(?:is|are|was|will|has|have)\b[^.]{0,60}?\b(?P<verb>(?:not\s+)?(?:\w+\s+)?"
    r"(?:return\w*|coming\s+back|reprise\w*|back))"
)
_CAST_UNKNOWN = re.compile(
    r"\bcast\b[^.]{0,60}\b(?:has\s+not|hasn[’']t|have\s+not|haven[’']t|is\s+not|isn[’']t)\s+"
    r"(?:yet\s+)?(?:been\s+)?(?:announced|revealed|confirmed)",
    re.IGNORECASE,
)
_WHO_PLAYS = re.compile(
    rf"(?P<name>{NAME}),\s+who\s+(?:will\s+)?(?:plays?|portrays?|voices?)\s+(?:the\s+)?"
    rf"(?P<char>{NAME})"
)
# "Sofia Lind stars as a rancher who…": an actor and a described (unnamed) part.
_STARS_AS_A = re.compile(
    rf"(?P<name>{NAME})\s+(?:also\s+)?(?:stars|will\s+star|co-stars|plays|will\s+play|portrays|"
    rf"will\s+portray|is\s+cast)\s+(?:as\s+)?(?:an?|the|his|her)\s+[a-z]"
)
# "will see X take over the lead role": X is new in it.
_TAKES_OVER = re.compile(
    rf"(?P<name>{NAME})\s+(?:will\s+)?(?:take|takes|taking|took|step|steps|stepping)\s+"
    r"(?:over|into)\s+(?:the\s+|a\s+)?(?:(?:lead|main|title|central)\s+)?(?:role|part|mantle)\b"
)
# "since X has now exited the series": X is not coming back.
_HAS_LEFT = re.compile(
    rf"\b(?:since|after|as|because|now\s+that)\s+(?P<name>{NAME})\s+(?:has\s+|had\s+)?"
    r"(?:now\s+|officially\s+)?(?:exited|left|quit|departed|stepped\s+(?:away|down)\s+from)\s+"
    r"(?:the\s+)?(?:series|show|role|film|franchise|project|cast)\b"
)
# "X has been tapped to play", "X has been approached to play" (a hedge: an offer).
_TO_PLAY = re.compile(
    rf"(?P<name>{NAME})\s+(?:has|have|had|is|are|was|were)\s+(?:also\s+)?(?:been\s+|being\s+)?"
    r"(?P<how>tapped|hired|cast|chosen|picked|recruited|enlisted|approached|eyed|courted|"
    r"in\s+(?:early\s+)?(?:talks|negotiations))\s+(?:to\s+(?:play|portray|voice|star|join)|"
    r"for\s+the\s+(?:\w+\s+)?(?:role|part)|in\s+[A-Z][^,.;]{0,40}?\s+as)\b"
)
_TO_PLAY_GATE = re.compile(
    r"\b(?:tapped|hired|cast|chosen|picked|recruited|enlisted|approached|eyed|courted|talks|"
    r"negotiations)\s+(?:to|for|in)\s"
)
_SUPPORTING_GATE = re.compile(r"(?:roles?|parts?)\b|\bstar\s|cameo")
_VERB_CHAR_GATE = re.compile(
    r"\b(?:return\w*|back|reprise\w*|roles?|come|coming|join\w*|cast|star\w*)\s+as\s|"
    r"\b(?:plays?|playing|portray\w*|voic\w*)\s"
)
_OFFERED = re.compile(r"approached|eyed|courted|talks|negotiations")
# Plain lists: "with A, B and C in supporting roles", "A and B star as…", "in a cameo, X".
_SUPPORTING = re.compile(
    rf"\bwith\s+{_NAME_LIST}\s+in\s+(?:(?:supporting|recurring|guest|key|major|minor|small|"
    r"lead|starring|main)\s+)(?:roles?|parts?)\b|"
    rf"^(?:(?:Both|And|But)\s+)?{_NAME_LIST.replace('<list>', '<pair>')}\s+(?:will\s+)?"
    r"(?:co-)?star\s+(?:as|in|opposite|alongside)\b|"
    rf"\bin\s+an?\s+(?:brief\s+|surprise\s+|special\s+)?cameo\s*,?\s+(?P<cameo>{NAME})|"
    rf"(?P<cameo2>{NAME})\s+(?:makes|made|will\s+make)\s+an?\s+(?:brief\s+|surprise\s+)?cameo\b"
)
# "X, who played the doctor, exited after the finale".
_ASIDE_EXIT = re.compile(
    rf"(?:^|(?<=,\sand\s)|(?<=,\swhile\s)|(?<=;\s))(?P<name>{NAME}),\s+who\s+[^,]{{3,80}},\s+(?:has\s+|had\s+)?(?:since\s+|already\s+)?"
    r"(?:(?:exited|departed|quit|bowed\s+out)\b(?!\s+(?:for|to)\b)|left\s+(?:the\s+)?(?:show|series|"
    r"role|cast|franchise|project|production)\b)"
)
# "X returns as Ysolde", "X is expected to return as the courier, Sam Kole",
# "X plays Nuala Quinn": the character after the verb.
_VERB_CHAR = re.compile(
    rf"(?P<name>{NAME})\s+(?:(?:is|are|will|would|has|have)\s+(?:\w+\s+){{0,3}}?)?"
    r"(?:(?:return\w*|back|reprise\w*(?:\s+(?:his|her|their)\s+roles?)?|come\s+back|"
    r"coming\s+back|join\w*(?:\s+the\s+cast)?|star\w*|cast)\s+as|plays|play|playing|portrays?|"
    r"portraying|voices?|voicing)\s+"
    rf"(?:(?:the|a|an)\s+(?:[a-z-]+\s+){{0,3}}?[a-z-]+,\s+)?(?P<char>{NAME})"
)
# "who played park manager Deb": the character after a lower-case description.
_WHO_PLAYED = re.compile(
    rf"(?P<name>{NAME}),\s+who\s+(?:previously\s+|originally\s+|also\s+)?(?:played|portrayed|"
    rf"voiced)\s+(?:the\s+)?(?!an?\s)(?:[a-z][\w-]*\s+){{0,3}}(?P<char>{NAME})"
)
# "(new)", "(returning)" after a name in a list.
_MARKER = re.compile(r"\((?P<marker>new|returning|recurring|guest|recast)\)", re.IGNORECASE)
# "X joins the cast of HBO's Crestfall": another show's news.
_JOINS_OTHER = re.compile(
    r"\b(?:join\w*\s+(?:the\s+)?(?:cast|ensemble)\s+of|(?:cast|role|lead|part)\s+in)\s+"
    r"(?:[A-Z][\w+]*[’']s\s+)?(?!(?:Season|Series|Part|Episode|Chapter|Volume|The\s+Season)\b)"
    r"(?P<title>[“\"]?[A-Z][\w’'&:+-]*(?:\s+(?:[A-Z][\w’'&:+-]*|of|the|and|\d+))*)"
)
_AS_WORK = re.compile(
    r"\s+(?:as|with)\s+(?:the|a|an|its)\s+(?:[\w’'-]+\s+){0,3}?(?:drama|series|show|film|movie|"
    r"hit|comedy|thriller|sitcom|franchise|season|game|sequel|episodes?)\b"
)
# "A and B will reprise their roles as C and D": the characters pair up in order.
_REPRISE_PAIRS = re.compile(
    rf"{_NAME_LIST}\s+(?:will\s+|are\s+set\s+to\s+|are\s+expected\s+to\s+|are\s+to\s+)?"
    r"(?:(?:reprise|reprising|return\s+to)\s+their\s+roles|(?:are\s+)?back|return|come\s+back|"
    r"(?:will\s+)?(?:co-)?star|play|will\s+play)\s+(?:as\s+)?"
    rf"(?P<chars>{NAME}(?:\s*,\s*{NAME})*\s*,?\s*(?:and|&)\s+{NAME})"
)
_REPLACING = re.compile(
    r"\s+(?:(?:is|will\s+be)\s+)?(?:replacing|replaces|(?:is\s+set\s+|set\s+)?to\s+replace|"
    r"who\s+(?:will\s+)?replaces?|takes\s+over\s+from|taking\s+over\s+from)\b"
)
# "Ted Lasso plays Christmas Day": a schedule, not a part.
_TIME_WORDS: Final = _words("Day Days Night Nights Eve Weekend Morning Evening Week Season")
_ITEM_END = re.compile(r"[,;\n]|\s+and\s+")
_MARKED: Final = {"new": "new", "returning": "returning", "recast": "new"}
_PAREN = re.compile(r"\([^)]*\)")
_PAST_PART = re.compile(
    r",\s+who\s+(?:previously\s+|originally\s+|also\s+)?(?:played|portrayed|voiced|starred)\b"
    r"[^,;]*(?=,|$)"
)
_CHUNK_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_CHUNK_NAME = re.compile(
    r"^(?:(?:and|also|the|(?:\S+\s+){0,3}?(?:winner|star|actor|actress|veteran|newcomer|comedian|comic|singer|rapper|musician|"
    r"model|presenter|host|legend)|"
    r"[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*[’']s?)\s+)?"
    rf"(?P<name>{NAME})(?:\s+as\s+(?P<char>(?:the\s+|an?\s+)?(?:new\s+|young\s+|older\s+)?"
    r"[A-Z][^,;]*?))?(?P<tail>\s+[a-z].*)?\s*$"
)
_BULLET_AS = re.compile(rf"^\s*[-•*–]\s*(?P<name>{NAME})\s+as\s+(?P<char>.+?)\s*$")


def _list_names(rest: str) -> list[tuple[str, str | None]]:
    """Names (and characters) of an actor list that starts at ``rest``."""
    out: list[tuple[str, str | None]] = []
    flat = _PAREN.sub(" ", rest)
    flat = re.split(
        r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bMrs)[.!?:](?:\s|$)|\s[-–—]\s",
        flat,
        maxsplit=1,
    )[0]
    for raw_chunk in _CHUNK_SPLIT.split(flat):
        chunk = raw_chunk.strip()
        if not chunk:
            continue
        if re.match(r"(?:who|whose)\s", chunk) and out:
            continue  # "A, who plays a biologist, and B": the aside about A
        m = _CHUNK_NAME.match(chunk)
        if not m:
            break
        char = m.group("char")
        if m.group("tail") and len(m.group("name").split()) < 2:
            break  # "Starring X, Loki takes place...": a one-word subject, not an actor
        out.append((m.group("name"), char.strip() if char else None))
        if m.group("tail") and not m.group("tail").startswith(" as "):
            break  # the sentence goes on after this name: the list is over
    return out


_POSSESSIVE_CHAR = re.compile(
    rf"(?P<name>{NAME})(?:[’']s|(?<=s)[’'])\s+(?P<char>{NAME})"
    r"(?=\s+(?:character|has|is|was|and|who|will)\b|\s*[,.])"
)
_AS_CREW = re.compile(
    r"[^.]{0,30}?\bas\s+(?:an?\s+|the\s+)?(?:director|writer|producer|showrunner|creator|"
    r"co-showrunner|executive\s+producer)\b"
)
_AS_CHAR = re.compile(rf"(?P<name>{NAME})\s+(?:\([^)]*\)\s+)?as\s+(?P<char>{NAME})")
_CHAR_PAREN = re.compile(rf"(?P<char>{NAME})\s+\((?P<name>{NAME})\)")
_RETURN = re.compile(
    rf"(?P<list>{NAME}(?:\s*,\s*{NAME})*(?:\s*,?\s*(?:and|&)\s+{NAME})?)\s+(?:\([^)]*\)\s+)?"
    rf"(?:(?:is|are|will|would|has|have|had|won[’']t|wouldn[’']t|isn[’']t|aren[’']t|will\s+not)\s+"
    rf"(?:also\s+|all\s+|both\s+)?(?:be\s+)?(?:set\s+to\s+|expected\s+to\s+|"
    rf"confirmed\s+to\s+|officially\s+|been\s+|rumou?red\s+to\s+(?:be\s+)?|said\s+to\s+(?:be\s+)?|"
    rf"reported(?:ly)?\s+(?:to\s+)?(?:be\s+)?|likely\s+to\s+|tipped\s+to\s+)?)?(?P<verb>return\w*|reprise\w*|"
    rf"join\w*|cast\s+as|signed\s+on|(?:not|n[’']t)\s+(?:be\s+)?return\w*|exit\w*|"
    rf"left\s+(?:the\s+)?(?:show|series|role|cast|project|film|franchise)|depart\w*|quit|"
    rf"stepped\s+down|replac\w+|coming\s+back|back\s+as|appear\w*|"
    rf"(?:(?<=\bis\s)|(?<=\bare\s)|(?<=\bbe\s))back\b)",
)
# The crew's jobs, as nouns.
_CREW_JOB = r"(?:co-)?(?:director|writer|producer|showrunner|creator|composer)"
# "X returns to direct", "X is back as showrunner": a crew member coming back.
_TO_CREW = re.compile(
    r"\s+(?:to|as)\s+(?:an?\s+|the\s+)?(?:direct|helm|write|co-write|pen|produce|"
    rf"executive\s+produce|score|showrun|oversee|{_CREW_JOB})\b",
    re.IGNORECASE,
)
# The job itself, after a verb that already said "as" ("back as director").
_CREW_NOUN = re.compile(rf"\s+(?:an?\s+|the\s+)?{_CREW_JOB}s?\b", re.IGNORECASE)
_ROLE_CUES: Final = (
    (
        "not_returning",
        re.compile(
            r"(?:\bnot|n[’']t)\s+(?:be\s+)?(?:\w+\s+)?(?:to\s+)?(?:return|back)\w*|"
            r"\b(?:exit\w*|departure|depart(?:s|ed|ing)|quit|left|leaving|replac\w+|recast)\b",
            re.I,
        ),
    ),
    (
        "returning",
        re.compile(
            r"\b(?:return\w*|reprise\w*|back\s+as|coming\s+back|original\s+cast|"
            r"(?:will\s+be|is|are)\s+(?:also\s+)?back\b|"
            r"reunit\w*|main\s+cast|^back\b|back\s+for|(?:once\s+again|again)\s+(?:play|portray|"
            r"voice|star)\w*)\b",
            re.I,
        ),
    ),
    (
        "new",
        re.compile(
            r"\b(?:joins|joined|joining|will\s+join|to\s+join|newcomers?|new\s+(?:cast|faces?|additions?|"
            r"members?|stars?)|cast\s+as|signed\s+on|newly|added|adds|addition|welcom\w+|"
            r"new\s+to\s+the\s+(?:cast|series|show|ensemble)|new\s+this\s+(?:season|year)|"
            r"(?:tapped|hired|approached|recruited|chosen|picked)\s+to\s+(?:play|portray|star|voice))\b",
            re.I,
        ),
    ),
)
_SPLIT_LIST = re.compile(r"\s*(?:,\s*(?:and\s+|&\s+)?|\s+and\s+|\s*&\s*)")


_COMPANY_WORDS: Final = _words(
    "Games Studios Studio Entertainment Productions Pictures Television Interactive Media "
    "Films Animation Network Inc Ltd "
)
_LEAD_WORDS: Final = _words(
    "After Although While When If Since Because Before Once Until Whereas Though With "
    "Without During Despite Like Both Neither Even Only Plus Stars Starring Newcomer Newcomers "
    "Veteran Actor Actress Star Co-star Regular Regulars "
)


def names(raw: str) -> list[str]:
    out: list[str] = []
    for part in _SPLIT_LIST.split(raw):
        name = part.strip(" ,.")
        words = name.split()
        while words and (words[0] in _NOT_NAMES or words[0] in _LEAD_WORDS):
            words = words[1:]
        name = " ".join(words)
        if not name or name in _NOT_NAMES or (name.isupper() and len(name) <= 5):
            continue
        if re.search(r"[’']s\b|s[’'](?:\s|$)", name):
            continue  # "Ken Levine's Ghost Story Games", "Netflix's Hollywood": not one name
        out.append(name)
    return out


# "as a grieving ornithologist who returns to the coast": the character's story.
_PLOT_RETURN = re.compile(
    r"\b(?:who|that|which)\s+(?:\w+\s+)?(?:returns?|returning|comes?\s+back|is\s+back|"
    r"goes\s+back|leaves|quits|joins)\s+(?:to|home|from|after|with|an?)\b(?!\s+(?:the\s+|his\s+|her\s+|"
    r"their\s+)?(?:role|series|show|cast|franchise|part|fold|season)\b)"
)
_JOINED_BY = re.compile(
    r"\b(?:will\s+be|are|is|were|was|have\s+been|has\s+been)\s+joined\s+by\b", re.IGNORECASE
)


def cast_role(text: str) -> str:
    """The cast role a sentence signals: not_returning, returning, new or series."""
    text = _PLOT_RETURN.sub(" ", text)
    for role, cue in _ROLE_CUES:
        if cue.search(text):
            return role
    return "series"


# Cheap gate: a sentence without any of these words names no actor.
_CAST_GATE = re.compile(
    r"star|cast|play|portray|return|join|\sas\s|voice|repris|welcom|reunit|add|appear|leav|"
    r"quit|exit|replac|back|see\s|actor|actress|newcomer|character|role|\(",
    re.IGNORECASE,
)


# An earlier installment named only as a point of reference: "returning from Season 1",
# "killed off in the Season 1 finale", "since the first season". The news is the
# subject's own season.
_REFERENCE_INSTALLMENT = re.compile(
    r"\b(?:from|since|than|after|following|during|at\s+the\s+end\s+of|(?:in|at)\s+the)\s+"
    r"(?:the\s+)?(?:(?:Season|Series|Part)\s+\w+|(?:first|second|third|fourth|fifth|previous|"
    r"last|earlier)\s+"
    r"(?:season|series|part))(?:[’']s)?(?:\s+(?:finale|premiere|opener|episode|cliffhanger))?\b|"
    r"\b(?:Season|Series|Part)\s+\w+(?:[’']s)?\s+(?:finale|premiere|opener|cliffhanger)\b",
    re.IGNORECASE,
)


def cast_claims(ctx: Context) -> list[Draft]:
    """Cast claims of one sentence."""
    text = ctx.text
    if not _CAST_GATE.search(text):
        return []
    # "X, who played Y in the first season, is not returning": X's past credit, not the
    # installment the news is about.
    role = sentence_role = cast_role(text)
    masked = _PAST_PART.sub(" ", text) if "who " in text else text
    if role != "series":
        # Coming, returning or leaving is news of the next season, whatever season the
        # sentence mentions as a reference ("exited after Season 1's finale"); a plain
        # mention ("Mobius (Owen Wilson) in Season 1's finale") stays with its season.
        masked = _REFERENCE_INSTALLMENT.sub(" ", masked)
    subject = other_installment(masked, ctx.subject)
    found: dict[str, tuple[str, str | None]] = {}
    offered: set[str] = set()  # "has been approached to play": an offer, not a casting
    others: dict[str, tuple[str, str | None, str]] = {}

    def add(name: str, role: str, character: str | None = None, owner: str | None = None) -> None:
        if name in _NOT_NAMES or len(name) < 3 or not names(name):
            return
        if name.rsplit(maxsplit=1)[-1] in _COMPANY_WORDS:
            return
        base = (ctx.subject.base or "").casefold()
        if base and name.casefold() in base:
            return  # "All of Us Are Dead left viewers...": part of the title, not a person
        if owner is not None:
            others[name] = (role, character, owner)  # "Deadpool 3 starring X": not ours
            return
        if role == sentence_role:
            role = _own_role(name)
        if name in found and found[name][0] != "series" and role == "series":
            role = found[name][0]
        if name not in found or (character and not found[name][1]):
            found[name] = (role, character)

    mixed: list[bool] = []  # computed on first need

    def _own_role(name: str) -> str:
        # "Returning cast include A, while newcomer B joins": B's clause says B is new.
        at = text.find(name)
        if at < 0 or role == "series":
            return role
        if _REPLACING.match(text, at + len(name)):
            return "new"  # "the new star X replacing Cavill": X is the replacement
        if not mixed:
            # Only a sentence with cues of two roles can give its names different roles.
            plot_free = _PLOT_RETURN.sub(" ", text)
            mixed.append(sum(1 for _r, cue in _ROLE_CUES if cue.search(plot_free)) > 1)
        if not mixed[0]:
            return role
        lo, hi = clause_bounds(text, at, at + len(name))
        local = cast_role(text[lo:hi])
        return local if local != "series" else role

    for m in _PLAYED_BY.finditer(text):
        char = m.group("char")
        add(m.group("name"), role, char if char and char not in _NOT_NAMES else None)
    for m in _AS_CHAR.finditer(text):
        if _looks_like_cast(text) and len(m.group("name").split()) >= 2:
            for name in names(m.group("name")):
                add(name, role, m.group("char"))
    for m in _LIST_TRIGGER.finditer(text):
        trigger = m.group(0).lower()
        one_word_ok = trigger.startswith(("star", "cast", "co-star")) or "cast" in trigger
        owner = _title_before(ctx, text[: m.start()])
        for raw, char in _list_names(text[m.end() :]):
            if trigger.startswith("see") and not char:
                continue  # "we see X steal a ship": a character, unless "as" follows
            for name in names(raw):
                if len(name.split()) >= 2 or one_word_ok:
                    add(name, role, char, owner)
    lead = _LEADING_LIST.match(text)
    if lead:
        for name in names(lead.group("list")):
            add(name, role)
    for m in _WHO_PLAYS.finditer(text):
        add(m.group("name"), role, m.group("char"))
    for m in _STARS_AS_A.finditer(text):
        if len(m.group("name").split()) >= 2 and not _crew_titled(text, m.group("name"), m.start()):
            add(m.group("name"), role)
    for m in _TAKES_OVER.finditer(text):
        add(m.group("name"), "new")
    for m in _TO_PLAY.finditer(text) if _TO_PLAY_GATE.search(text) else ():
        if len(m.group("name").split()) >= 2:
            add(m.group("name"), "new")
            if _OFFERED.search(m.group("how")):
                offered.add(m.group("name"))
    for m in _SUPPORTING.finditer(text) if _SUPPORTING_GATE.search(text) else ():
        raw = m.group("list") or m.group("pair") or m.group("cameo") or m.group("cameo2") or ""
        for name in names(raw):
            if len(name.split()) >= 2:
                add(name, role)
    for m in _ASIDE_EXIT.finditer(text):
        add(m.group("name"), "not_returning")
    for m in _HAS_LEFT.finditer(text):
        add(m.group("name"), "not_returning")
    aside = _APPOSITIVE_RETURN.match(text)
    if aside:
        add(aside.group("name"), cast_role(text[aside.end("name") : aside.end()]))
    if _CAST_UNKNOWN.search(text) and not found:
        found["unknown"] = ("series", None)
    bullet = _BULLET_AS.match(text)
    if bullet:
        add(bullet.group("name"), role, bullet.group("char"))
    for m in _OWN_CHARACTER.finditer(text):
        if len(m.group("name").split()) >= 2:
            add(m.group("name"), role)
    for m in _POSSESSIVE_CHAR.finditer(text):
        if len(m.group("name").split()) >= 2 and (_looks_like_cast(text) or "character" in text):
            add(m.group("name"), role, m.group("char"))
    pairs = [m for m in _CHAR_PAREN.finditer(text) if not m.group("name").isupper()]
    if pairs and not _CREW_WORDS.search(_PAREN.sub(" ", text)):
        # "Kim Seo-jun (Lee Hyun)" or "Princess Rhaenyra (Emma D'Arcy)": one sentence
        # writes its pairs in one order, which the cues of all its pairs decide.
        credits = [m for m in pairs if _CREDIT_AFTER.match(text, m.end())]
        for m in credits:
            # "Gemma Strand (Low Tide), who will play…": the parentheses hold a credit.
            if len(m.group("char").split()) >= 2:
                add(m.group("char"), _own_role(m.group("char")))
        pairs = [m for m in pairs if m not in credits]
        actor_first = _actor_first(text, pairs, ctx.actors) if pairs else False
        for m in pairs:
            name, char = m.group("name"), m.group("char")
            if actor_first:
                name, char = char, name
            # "Actor (Character)" lists are the other order: the actor is already known.
            known = any(char.endswith(k) for k in found)
            long_enough = len(name.split()) >= 2 or actor_first
            if long_enough and "’s" not in name and "'s" not in name and not known:
                add(name, _own_role(name), char)
    for m in _RETURN.finditer(text):
        if text.endswith(" as ", 0, m.start()) or text.endswith(" as", 0, m.start()):
            # "X returns as Ysolde, and Y is back": Ysolde is X's character
            first = names(m.group("list"))[:1]
            listed_chars = set(first)
        else:
            listed_chars = set()
        after_as = m.group("verb").endswith("as") and _CREW_NOUN.match(text, m.end())
        if _AS_CREW.match(text, m.end()) or _TO_CREW.match(text, m.end()) or after_as:
            continue  # "X stepped down as director", "X returns to direct": crew news
        if _AS_WORK.match(text, m.end()):
            continue  # "Ocean Road returns as the streamer's biggest drama": a title
        local = cast_role(m.group(0))
        listed = names(m.group("list"))
        # A one-word name counts in a list of full names ("A B and Zendaya are back").
        people = any(len(name.split()) >= 2 for name in listed)
        for name in listed:
            if name in listed_chars:
                continue
            if _crew_titled(text, name, m.start()):
                continue  # "Showrunner X will return": crew coming back, not an actor
            if len(name.split()) >= 2 or name in found or (people and len(listed) > 1):
                add(name, local)
    for m in _VERB_CHAR.finditer(text) if _VERB_CHAR_GATE.search(text) else ():
        name, char = m.group("name"), m.group("char")
        plays = not m.group(0).rstrip().endswith(" as " + char) and " as " not in m.group(0)
        if char in found and name in found:
            del found[char]  # "X returns as Ysolde": Ysolde was read as a name
        plural = re.search(r"\b(?:are|were|have|return|star|play|reprise|come)\b", m.group(0))
        if plural and re.search(r"(?:,|\band|&)\s*$", text[: m.start()]):
            continue  # "A and B are back as C and D": paired below, or not at all
        if name in found and not found[name][1]:
            found[name] = (found[name][0], char)
        elif (
            plays
            and len(name.split()) >= 2
            and not text.startswith(("’s", "'s"), m.end())
            and names(char)
            and char.split()[-1] not in _TIME_WORDS
        ):
            add(name, role, char)
    pairs_gate = (" and " in text or "&" in text) and _VERB_CHAR_GATE.search(text)
    for m in _REPRISE_PAIRS.finditer(text) if pairs_gate else ():
        actors, parts = names(m.group("list")), names(m.group("chars"))
        if len(actors) == len(parts) > 1:
            for name, char in zip(actors, parts, strict=True):
                found.pop(char, None)
                if name in found:
                    found[name] = (found[name][0], char)
                elif not re.search(r"\bplay\b", m.group(0)) and all(
                    len(a.split()) >= 2 for a in actors
                ):
                    # "A and B return as C and D"; "A and B play C and D" could be a match
                    add(name, role, char)
    for m in _WHO_PLAYED.finditer(text) if "who " in text else ():
        name = m.group("name")
        if name in found and not found[name][1]:
            found[name] = (found[name][0], m.group("char"))
    for name, (had, part) in list(found.items()) if "(" in text else ():
        # "Joan Abara as Mother Superior Clare (new)": the marker is the role.
        at = text.find(name)
        item = _ITEM_END.split(text[at:], maxsplit=1)[0] if at >= 0 else ""
        marker = _MARKER.search(item)
        clean = (_MARKER.sub("", part).strip() or None) if part else None
        found[name] = (_MARKED.get(marker.group("marker").lower(), had) if marker else had, clean)
    for other in _JOINS_OTHER.finditer(text) if " of " in text or " in " in text else ():
        title = re.sub(r"(?:\s+(?:of|the|and))+$", "", other.group("title").strip(' “"'))
        if main_positions(title, ctx.subject):
            continue
        for name in list(found):
            at = text.find(name)
            if 0 <= at < other.start() and "," not in text[at : other.start()]:
                # "X joins the cast of HBO's Crestfall": that show's cast, not ours
                had, char = found.pop(name)
                others[name] = ("new", char, title)
    if not found and not others:
        return []
    joined = _JOINED_BY.search(text)
    if joined:
        # "Regulars A and B will be joined by newcomers C and D": A and B are back.
        for name, (_role, char) in list(found.items()):
            before = 0 <= text.find(name) < joined.start()
            found[name] = ("returning" if before else "new", char)

    def certainty(name: str) -> Certainty:
        if name in offered:
            return "speculative"
        # Each name's own clause: "X is expected back, while Y joins" hedges X only.
        at = max(text.find(name), 0)
        return certainty_of(text, statement_of(text, at, at + len(name)), strong=True)

    drafts = [
        Draft("cast", name, certainty(name), subject=subject, role=r, character=char)
        for name, (r, char) in found.items()
    ]
    drafts.extend(
        Draft("cast", name, certainty(name), subject=owner, role=r, character=char)
        for name, (r, char, owner) in others.items()
        if name not in found
    )
    return drafts


# A job title right before a name: the person is crew ("Showrunner X", "director X").
_CREW_TITLE_BEFORE = re.compile(
    r"\b(?:showrunners?|co-showrunners?|directors?|creators?|writers?|screenwriters?|"
    r"producers?|composers?|author|head|chief|CEO|president|boss)\s*$",
    re.IGNORECASE,
)


def _crew_titled(text: str, name: str, start: int) -> bool:
    """True when ``name`` (found at or after ``start``) follows a crew job title."""
    at = text.find(name, start)
    return at >= 0 and _CREW_TITLE_BEFORE.search(text, max(0, at - 30), at) is not None


_ACTOR_CUE = re.compile(
    rf"\b(?:[Aa]ctor|[Aa]ctress|[Ss]tar|[Cc]o-star|[Ll]ead|[Ss]tarring|[Vv]oice\s+actor)\s+"
    rf"(?P<name>{NAME})"
)


# Words after which a list names actors first ("actors like A (Role), B (Role)").
_ACTORS_LISTED = re.compile(
    r"\b(?:actors|actresses|performers)\s+(?:like|such\s+as|including)\b|\b(?:starring|"
    r"(?:voice|vocal)\s+(?:talents?|cast)\s+of|voices\s+of)\b"
)
# "Catherine O'Hara's unnamed character": an actor's part in the work.
_OWN_CHARACTER = re.compile(
    rf"(?P<name>{NAME})[’']s\s+(?:(?:new|unnamed|mysterious|returning|recurring|main)\s+)?"
    r"(?:character|role)\b"
)


# Titles that open a character's name, not an actor's ("Captain Maren Holt").
_CHAR_TITLE = re.compile(
    r"(?:Captain|Princess|Prince|King|Queen|Lord|Lady|Ser|Dr|Doctor|Detective|Agent|Commander|"
    r"General|Mother|Father|Sister|Brother|Uncle|Aunt|Officer|Inspector|Sergeant|Lieutenant|"
    r"Colonel|Major|Professor|Mr|Mrs|Ms|Miss|Emperor|Empress|Duke|Duchess|Count|Countess|"
    r"Baron|Chief|Admiral|Young|Old|Little)\b"
)
# After "Name (…)": a verb or "as" that gives the part, so the parentheses hold a credit.
_CREDIT_AFTER = re.compile(
    r"\s*(?:,\s*who\s+(?:will\s+|also\s+)?(?:plays?|portrays?|voices?|stars?)\b|"
    # "as" the part ("as the rival pilot", "as Sable"), not "as they fight".
    r"\s+(?:as(?=\s+(?:the|a|an|his|her|their|[A-Z])\b)|joins|joined|will\s+join|plays|"
    r"will\s+play|portrays|stars)\b)"
)


def _actor_first(text: str, pairs: list[re.Match[str]], actors: frozenset[str]) -> bool:
    """Whether a sentence's "A (B)" pairs put the actor outside the parentheses."""
    votes = 0
    for m in pairs:
        outside, inside = m.group("char"), m.group("name")
        out_words, in_words = len(outside.split()), len(inside.split())
        if _CHAR_TITLE.match(inside) or (outside in actors and inside not in actors):
            votes += 2
        if _CHAR_TITLE.match(outside) or (inside in actors and outside not in actors):
            votes -= 2
        if in_words == 1 and out_words >= 2:
            votes += 1  # "Dev Sharma (Felix)": characters go by one name, actors by two
        elif out_words == 1 and in_words >= 2:
            votes -= 1
    before = text[: pairs[0].start()]
    if _ACTORS_LISTED.search(before) or _LIST_BEFORE.search(before):
        votes += 2  # "The cast includes A (B), C (D)": a list of actors
    return votes > 0


# A list of actors opening right before the first pair ("The cast includes A (B)",
# "Back for season two are A (B)"), not any cast word nearby ("the returning drama").
_LIST_BEFORE = re.compile(
    r"\b(?:(?:cast|ensemble|line-?up)(?:\s+members?)?\s+(?:includes?|are|is)|stars?|starring|"
    r"co-stars?|features|joined\s+by|led\s+by|reunited\s+with(?:\s+the\s+(?:main\s+)?cast)?|"
    r"(?:back|returning|new|joining|returnees|newcomers)\b[^.;,]{0,30}\b(?:are|is|include))"
    r"\s*[:,]?\s*$",
    re.IGNORECASE,
)


def actor_names(text: str) -> frozenset[str]:
    """Names the article introduces as actors ("lead actor X", "star X")."""
    return frozenset(name for m in _ACTOR_CUE.finditer(text) for name in names(m.group("name")))


def _title_before(ctx: Context, before: str) -> str | None:
    """The other title right before "starring" ("Deadpool 3 starring", "“If” starring")."""
    quoted = re.search(r"[“\"]([^”\"]{1,60})[”\"]\s*,?\s*$", before)
    if quoted and not main_positions(quoted.group(1), ctx.subject):
        return quoted.group(1).strip(" ,")
    spans = [s for s in title_spans(before) if s[1] >= len(before.rstrip()) - 1]
    if spans and not main_positions(spans[-1][2], ctx.subject):
        phrase = spans[-1][2]
        if any(ch.isdigit() for ch in phrase) or ":" in phrase:
            return phrase
    return None


_CAST_CONTEXT = re.compile(
    r"\b(?:cast|stars?|starring|return\w*|reprise|join\w*|plays?|played|role|actors?|"
    r"actress|portray\w*|character|voices?|voiced)\b",
    re.IGNORECASE,
)


_CREW_WORDS = re.compile(
    r"\b(?:direct\w*|produc\w*|writ\w*|creat\w*|showrunner|studio)\b", re.IGNORECASE
)


def _looks_like_cast(text: str) -> bool:
    return _CAST_CONTEXT.search(text) is not None
