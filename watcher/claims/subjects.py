"""The article's main subject, and which subject a stretch of a sentence is about.

The main subject comes from the headline ("All of Us Are Dead Season 2 ...").
A claim belongs to another subject when its clause names another installment
of the same title ("the first season", "Season 3") or another title that is
closer to the claim than any mention of the main subject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

NUMBER_WORDS: Final[dict[str, int]] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
ORDINALS: Final[dict[str, int]] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "sophomore": 2,
}
_NUM = r"(?:\d{1,2}|" + "|".join(NUMBER_WORDS) + r")"
_ORD = r"(?:" + "|".join(ORDINALS) + r")"
_UNIT = r"(?:season|series|part|volume|vol\.|chapter|act)"
INSTALLMENT: Final = re.compile(
    rf"\b(?:{_UNIT}\s+(?P<num>{_NUM})\b|(?P<ord>{_ORD})\s+(?:{_UNIT}|installment|outing)\b|"
    rf"(?:S|s)(?P<snum>\d{{1,2}})\b(?!\s*\d))",
    re.IGNORECASE,
)
_TITLE_SPLIT = re.compile(
    r"\s+(?:[-–—|:]\s+|(?=(?:gets?|is|are|has|have|will|won[’']t|release|premiere|"
    r"returns?|arrives?|debuts?|launch\w*|delayed|pushed|confirmed|renewed|cancel\w*|"
    r"officially|finally|trailer|teaser|update|news|cast|filming|wraps?|starts?|begins?|"
    r"shares?|reveals?|drops?|coming|set|slated|hits?|sets?|everything|what|when|"
    r"here[’']s|may|could|might|reportedly|date|window|moves?|stops?|won)\b))",
    re.IGNORECASE,
)
_STOP_NAME_WORDS: Final = frozenset(
    {"the", "of", "a", "an", "and", "season", "part", "series", "film", "movie", "game"}
)
# Words that refer back to the main subject.
_NOUNS = (
    r"(?:show|series|season|film|movie|game|sequel|title|installment|outing|project|"
    r"reboot|release|instalment|chapter|episodes|adaptation|drama|comedy|thriller|rpg)"
)
ANAPHOR: Final = re.compile(
    r"\b(?:the|this|new|upcoming|next|latest|second|third|fourth|fifth|final)\s+"
    # Up to two describing words may stand between ("the racing sequel", "the
    # open-world survival game"), in lower case: "the Blade reboot" names another work;
    # nor one that points at an earlier work ("the original series", "the first film").
    r"(?:(?!(?:first|original|previous|last|other|earlier|prior|old|debut)\b)(?-i:[a-z][\w-]*)\s+)"
    r"{0,2}"
    rf"{_NOUNS}\b|\b(?:the\s+show[’']s|the\s+film[’']s|the\s+game[’']s)",
    re.IGNORECASE,
)
PRONOUN: Final = re.compile(r"\b(?:it|it[’']s|its)\b", re.IGNORECASE)
# "That film", "another project", "a physical Switch edition": something else.
FOREIGN: Final = re.compile(
    # "that film", not the conjunction before a named installment ("given that Season 2").
    rf"\b(?:that|another|other|an?\s+new|untitled)\s+(?:\w+\s+)?{_NOUNS}s?\b(?!\s+\d)|"
    # A person's work ("her new film") and works in the plural ("the best shows
    # released in 2024") are not the subject.
    rf"\b(?:his|her)\s+(?:\w+\s+){{0,2}}{_NOUNS}\b|"
    r"\b(?:shows|films|movies|games|titles)\s+(?:released|coming|arriving|premiering|"
    r"launching|out|to\s+watch|of)\b|"
    r"\b(?:physical|PlayStation|Xbox|Switch|PC|console|mobile|Steam|retail|"
    r"beta|alpha|release\s+candidate)\s+(?:\w+\s+)?(?:editions?|versions?|ports?|\d+)\b|"
    r"\bversions?\s+for\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MainSubject:
    """The article's subject: display name, base title and installment number."""

    name: str | None
    base: str | None
    number: int | None
    unit: str | None
    keywords: tuple[str, ...]


def installment_number(m: re.Match[str]) -> int | None:
    """The installment number of an :data:`INSTALLMENT` match."""
    raw = m.group("num") or m.group("ord") or m.group("snum")
    if raw is None:
        return None
    raw = raw.lower()
    if raw.isdigit():
        return int(raw)
    return NUMBER_WORDS.get(raw) or ORDINALS.get(raw)


def unit_of(m: re.Match[str]) -> str:
    """The unit of an :data:`INSTALLMENT` match, named as in subjects ("Season", "Part")."""
    word = m.group(0).lower()
    for unit in ("season", "part", "volume", "chapter", "act", "series"):
        if unit in word:
            return "Season" if unit == "series" else unit.title()
    return "Season"


_HEAD_TOKEN = re.compile(r"[^\s‘’“”\"',:;!?()|]+(?:[’']s\b)?|:")


# Names that are never the subject on their own: companies, services, generic words.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_SUBJECT: Final = _word_set(
    "netflix hbo max disney disney+ marvel studios microsoft xbox playstation sony "
    "nintendo ubisoft apple amazon prime video hulu warner bros paramount take-two games "
    "the a an of and season part series new first official report exclusive here's here "
    "what when how why is are gets sets will may could release date trailer teaser update "
    "news premiere cast filming renewed delayed confirmed announces reveals more next "
    "surprise deal preview live-action it its this that delay window launch "
    # Services and networks lead headlines as the ones who act ("Peacock cancels X").
    "peacock tv+ paramount+ crunchyroll starz showtime amc amc+ fx bbc itv sky "
    "channel iplayer steam epic switch "
)
_COMPANY: Final = frozenset({"Games", "Studios", "Entertainment", "Interactive", "Productions"})
_JOINERS: Final = frozenset({"of", "the", "and", "&", ":", "a", "in", "on", "to"})


def _headline_title(headline: str, body: str) -> str | None:
    """The headline phrase the body repeats most (case-sensitive), longer phrases preferred.

    Headlines are Title Case, so capitalisation cannot tell a title from a verb;
    the body, written in sentence case, repeats the title and not the verbs."""
    tokens = [t for t in _HEAD_TOKEN.findall(headline) if t]
    first_start: int | None = None
    body = body.replace(headline, " ")  # the headline must not vote for itself
    folded = body.casefold()
    scored: list[tuple[float, float, str]] = []  # (score, count, phrase)
    raw: list[tuple[float, float, str, str, str]] = []  # (score, count, phrase, prev, next)
    for i in range(len(tokens)):
        for j in range(i + 1, min(len(tokens), i + 6) + 1):
            words = tokens[i:j]
            first, last = words[0], words[-1]
            if first.lower() in _JOINERS - {"the"} or last.lower() in _JOINERS | _NOT_SUBJECT:
                continue
            bare = [re.sub(r"[’']s$", "", w).lower() for w in words]
            if all(w in _NOT_SUBJECT or w in _JOINERS for w in bare):
                continue
            if not (first[0].isupper() or first[0].isdigit()) or INSTALLMENT.match(first):
                continue
            if any(w.lower() in {"season", "part", "volume", "series"} for w in words):
                continue
            if not any(ch.isalpha() for ch in "".join(words)):
                continue
            if any(w[0].islower() and w.lower() not in _JOINERS for w in words):
                continue  # sentence-case headline words ("creator's new game") are not a title
            nxt = tokens[j] if j < len(tokens) else ""
            if (
                last in _COMPANY
                or any(t in _COMPANY for t in tokens[j : j + 3])
                or any("’s" in w or "'s" in w for w in words[:-1])
            ):
                # "Playground Games", "Ghost Story (Games)", "Ghost (Story Games)": a studio.
                continue
            phrase = " ".join(words).replace(" :", ":")
            phrase = re.sub(r"[’']s$", "", phrase)
            # One word must match case ("Gets" is not "gets"); longer phrases need not,
            # since headlines capitalise joiners ("All Of Us Are Dead").
            haystack, needle = (folded, phrase.casefold()) if len(words) > 1 else (body, phrase)
            count = float(len(_word_positions(haystack, needle, hyphen_joins=True)))
            if count == 0:
                continue
            if first_start is None:
                first_start = i
            prev = re.sub(r"[’']s$", "", tokens[i - 1]) if i > 0 else ""
            # The first title a headline names is usually its subject ("Blade, Deadpool 3 ...").
            score = count * len(words) ** 0.75 * (2.0 if i == first_start else 1.0)
            raw.append((score, count, phrase, prev, nxt))
    if not raw:
        return None
    # Only the leading candidates can win, so only they pay for the person check.
    leaders = {c[2] for c in sorted(raw, key=lambda c: -c[0])[:4]}
    people = _people(body)
    for score, count, phrase, prev, nxt in raw:
        single = " " not in phrase
        person = phrase in leaders and (
            _is_person(phrase, people)
            or (single and bool(nxt) and _is_person(f"{phrase} {nxt}", people))
            or (single and bool(prev) and _is_person(f"{prev} {phrase}", people))
        )
        factor = 0.15 if person else 1.0  # "James Gunn drops Legacy from Superman": a person
        scored.append((score * factor, count * factor, phrase))
    _best_score, best_count, best = max(scored, key=lambda t: t[0])
    # "Harbor" also counts every "Harbor Lights": a longer phrase that holds it and
    # carries most of its mentions is the real title.
    for _score, mentions, phrase in sorted(scored, key=lambda t: -len(t[2])):
        if best in phrase and phrase != best and mentions >= 0.5 * best_count:
            return phrase
    return best


def _word_positions(text: str, needle: str, *, hyphen_joins: bool = False) -> list[int]:
    """Where ``needle`` stands in ``text`` as whole words: plain string search, since a
    regex per article's phrase or keyword would be compiled anew for every article.
    With ``hyphen_joins`` a hyphen also continues a word ("Harbor" is not in "Harbor-X")."""
    joiners = "_-" if hyphen_joins else "_"
    found: list[int] = []
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in joiners or after.isalnum() or after in joiners):
            found.append(at)
        at = text.find(needle, at + 1)
    return found


_PERSON_ROLE = (
    r"(?:director|creator|showrunner|writer|producer|CEO|head|chief|boss|star|actor|actress|"
    r"executive|president|composer)"
)


# The contexts that make the words next to them a person: "X said", "X, who",
# "director X", "directed by X". One scan of the body collects every such name; the
# patterns look for the context words only, and the names are the words beside them.
_SPOKEN_BY = re.compile(
    r"\s+(?:has\s+|had\s+)?(?:said|says|told|revealed|shared|confirmed|explained|wrote|added|"
    r"posted|announced|formed|founded)\b|,\s+who\b"
)
_TITLED = re.compile(rf"\b(?:{_PERSON_ROLE}|(?:directed|written|created|produced)\s+by)\s+")
_NAME_EDGE = "\"“”‘’'(),.;:!?"


def _people(body: str) -> frozenset[str]:
    """The one- and two-word names the body treats as people."""
    found: set[str] = set()
    for m in _SPOKEN_BY.finditer(body):
        words = body[max(0, m.start() - 80) : m.start()].split()[-2:]
        if words:
            found.add(words[-1].strip(_NAME_EDGE))
        if len(words) == 2:
            found.add(f"{words[0].strip(_NAME_EDGE)} {words[1].strip(_NAME_EDGE)}")
    for m in _TITLED.finditer(body):
        words = body[m.end() : m.end() + 80].split()[:2]
        if words:
            found.add(words[0].strip(_NAME_EDGE))
        if len(words) == 2 and not words[0].endswith((",", ".", ";", ":")):
            found.add(f"{words[0].strip(_NAME_EDGE)} {words[1].strip(_NAME_EDGE)}")
    return frozenset(found)


def _is_person(phrase: str, people: frozenset[str]) -> bool:
    """True when the body treats the phrase as a person ("X said", "director X")."""
    if len(phrase.split()) > 2 or any(ch.isdigit() for ch in phrase):
        return False
    return " ".join(phrase.split()) in people


def main_subject(headline: str | None, body: str = "") -> MainSubject:
    """Guess the main subject from the headline: the title and its installment."""
    if not headline:
        return MainSubject(None, None, None, None, ())
    text = headline.strip().strip("\"“”'")
    inst = INSTALLMENT.search(text)
    found = None
    if body:
        # "Deadpool 3 delayed; Captain America ... also move": the first clause leads.
        lead = re.split(r"\s*[;|]\s*|\s+[-–—]\s+", text, maxsplit=1)[0]
        found = _headline_title(lead, body) if lead != text else None
        found = found or _headline_title(text, body)
    if found is not None:
        found = _with_version(found, text, body)
        number = installment_number(inst) if inst else None
        unit = unit_of(inst) if inst else None
        name = f"{found} {unit} {number}" if number else found
        return MainSubject(name, found, number, unit, _keywords(found))
    if inst and inst.start() > 0:
        base = text[: inst.start()].strip(" ,:-–—")
        base = re.sub(r"[’']s$", "", base).strip(" ,:-–—")
        base = _strip_lead(base)
        number = installment_number(inst)
        unit = unit_of(inst)
        name = f"{base} {unit} {number}" if number else base
    else:
        base = _strip_lead(_TITLE_SPLIT.split(text, maxsplit=1)[0].strip(" ,:-–—"))
        number, unit, name = None, None, base
    if not base:
        return MainSubject(None, None, None, None, ())
    return MainSubject(name, base, number, unit, _keywords(base))


# "Fedora 44", "Ubuntu 24.04.1", "iOS 18", "Kubernetes v1.36": a version number is part
# of the title, but a year is not ("Avowed 2024 delay").
_VERSION = re.compile(r"\s+(v?\d+(?:\.\d+)+|\d{1,3})(?![\w.])")


def _with_version(title: str, headline: str, body: str) -> str:
    """The title with the version number the headline gives it, when the body agrees."""
    at = headline.find(title)
    m = _VERSION.match(headline, at + len(title)) if at >= 0 else None
    if m is None:
        return title
    versioned = f"{title} {m.group(1)}"
    # The body may shorten the title: "Silksong 2" for "Hollow Knight: Silksong 2".
    short = f"{title.rsplit(maxsplit=1)[-1]} {m.group(1)}"
    return versioned if versioned in body or short in body else title


def _keywords(base: str) -> tuple[str, ...]:
    words = re.findall(r"[\w’'&*.:+-]+", base)
    keywords = tuple(
        w.strip(".:")
        for w in words
        if w.lower() not in _STOP_NAME_WORDS and (len(w) > 2 or w[0].isdigit())
    )
    return (base, *keywords) if keywords else (base,)


def _strip_lead(text: str) -> str:
    # "Netflix's One Piece" and "Exclusive: Blade" name the title after the lead.
    text = re.sub(
        r"^(?:exclusive|breaking|report|update|watch|first look)\s*:\s*", "", text, flags=re.I
    )
    text = re.sub(
        r"^(?:Netflix|HBO|Disney\+|Apple TV\+|Prime Video|Amazon|Marvel|Max)[’']s\s+", "", text
    )
    return text.strip()


def mentions_main(text: str, subject: MainSubject) -> bool:
    """True when ``text`` names the main subject or refers back to it."""
    return (
        main_positions(text, subject) != []
        or ANAPHOR.search(text) is not None
        or PRONOUN.search(text) is not None
        or _names_own_installment(text, subject)
    )


def _names_own_installment(text: str, subject: MainSubject) -> bool:
    """True when ``text`` names the main subject's own installment ("Season 2 will…")."""
    if subject.number is None:
        return False
    return any(
        installment_number(m) == subject.number and unit_of(m) == (subject.unit or "Season")
        for m in INSTALLMENT.finditer(text)
    )


def main_positions(text: str, subject: MainSubject) -> list[int]:
    """Offsets where the main subject's distinctive words occur in ``text``."""
    return sorted(at for word in subject.keywords[:4] for at in _word_positions(text, word))


def other_installment(text: str, subject: MainSubject) -> str | None:
    """Name of another installment of the main title named in ``text``, if any."""
    if subject.base is None:
        return None
    found: str | None = None
    at = -1
    season = subject.name  # the season a later "Part 2" or "Volume 1" belongs to
    for m in INSTALLMENT.finditer(text):  # the last mention is the one nearest the claim
        number = installment_number(m)
        if number is None or subject.number is None:
            continue
        unit = unit_of(m)
        if unit == (subject.unit or "Season"):
            other = number != subject.number
            found = f"{subject.base} {unit} {number}" if other else None
            season = found or subject.name
            at = m.start()
        elif unit in {"Part", "Volume", "Act", "Chapter"}:
            # A part of a season: its own subject, named under the season.
            found = f"{season} {unit} {number}"
            at = m.start()
    version = _other_version(text, subject.base)
    if version is not None and version[0] > at:
        found = version[1]
    return found


_VERSIONED = re.compile(r"^(?P<title>.*\S)\s+(?P<version>v?\d+(?:\.\d+)*)$")


def _other_version(text: str, base: str) -> tuple[int, str | None] | None:
    """The last version of a versioned title ("Quillstack 5.0") that ``text`` names:
    its offset, and its name when it is another version ("Quillstack 4.3")."""
    versioned = _VERSIONED.match(base)
    if versioned is None:
        return None
    title, current = versioned.group("title"), _version_key(versioned.group("version"))
    last = None
    for m in re.finditer(rf"(?<![\w-]){re.escape(title)}\s+(v?\d+(?:\.\d+)*)(?![\w.])", text):
        other = _version_key(m.group(1)) != current
        last = (m.start(), f"{title} {m.group(1)}" if other else None)
    if versioned.group("version").isdigit() and 2 <= current[0] <= 9:
        # A numbered sequel ("Silksong 2"): its bare title is the earlier work
        # ("Hollow Knight: Silksong launched in 2025").
        for m in re.finditer(rf"(?<![\w-]){re.escape(title)}(?![\w’'-]|\s+v?\d|:)", text):
            if last is None or m.start() > last[0]:
                last = (m.start(), title)
    return last


def _version_key(version: str) -> tuple[int, ...]:
    """ "5", "5.0" and "5.0.0" are one version."""
    parts = [int(p) for p in version.lstrip("v").split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


# Capitalised title-like phrases: runs of capitalised words, digits and joiners.
_TITLE_WORD = r"(?:[A-Z][\w’'*.+-]*|\d+[\w.]*)"
# Up to two joiners between capitalised words: "Return of the Jedi", "Pip and the Moon".
_TITLE_RUN = re.compile(
    rf"{_TITLE_WORD}(?:(?:(?:\s+(?:of|the|and|&|in|on|a|to)){{1,2}}|:)?\s+{_TITLE_WORD})*"
)
_MONTH_WORDS: Final = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Jan.",
        "Feb.",
        "Aug.",
        "Sept.",
        "Oct.",
        "Nov.",
        "Dec.",
        "Jan",
        "Feb",
        "Aug",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
    ]
)
NOT_TITLES: Final = _MONTH_WORDS | frozenset(
    {
        "The",
        "A",
        "An",
        "In",
        "On",
        "It",
        "This",
        "That",
        "These",
        "Those",
        "But",
        "And",
        "However",
        "Meanwhile",
        "According",
        "As",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "Although",
        "Though",
        "Since",
        "Because",
        "Given",
        "Once",
        "Until",
        "Unless",
        "Whether",
        "Considering",
        "With",
        "For",
        "Fans",
        "We",
        "They",
        "He",
        "She",
        "Season",
        "Part",
        "Netflix",
        "HBO",
        "Max",
        "Disney",
        "Disney+",
        "Marvel",
        "Apple",
        "Amazon",
        "Prime",
        "Video",
        "Xbox",
        "PlayStation",
        "Nintendo",
        "Switch",
        "PC",
        "Steam",
        "Microsoft",
        "Sony",
        "Ubisoft",
        "Studios",
        "Variety",
        "Deadline",
        "Thursday",
        "Friday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Saturday",
        "Sunday",
        "Still",
        "So",
        "Now",
        "Then",
        "Also",
        "Finally",
        "Unfortunately",
        "Fortunately",
        "Here",
        "There",
        # Sentence adverbs that open a sentence with a capital ("Right now, …").
        "Right",
        "Later",
        "Today",
        "Yesterday",
        "Currently",
        "Previously",
        "Originally",
        "Recently",
        "Earlier",
        "Sadly",
        "Luckily",
        "Interestingly",
        "Instead",
        "Overall",
        "Elsewhere",
        "Plus",
        "Last",
        "Next",
        "Back",
        "THR",
        "Reporter",
        "TheWrap",
        # Event nouns that open a sentence ("Filming is expected to begin…").
        "Filming",
        "Shooting",
        "Production",
        "Casting",
        "Development",
        "Release",
        "Premiere",
        "News",
        "Details",
        "Viewers",
        "Audiences",
        "Critics",
        "Newcomer",
        "IGN",
        "PS5",
        "PS4",
        "PS3",
        "Series",
        "RPG",
        "MMO",
        "FPS",
        "DLC",
        "AAA",
    }
)


_JOINER_WORDS: Final = frozenset({"of", "the", "and", "&", "in", "on", "a", "to"})
_NUMBER_TITLES: Final = frozenset(w.title() for w in NUMBER_WORDS)


def title_spans(text: str) -> list[tuple[int, int, str]]:
    """Capitalised multi-word phrases that may be titles (start, end, phrase)."""
    spans: list[tuple[int, int, str]] = []
    for m in _TITLE_RUN.finditer(text):
        words = m.group(0).split()
        # A date ends the title before it: "TheWrap in September 2022", "Season 2 on Nov. 12".
        for i, word in enumerate(words[1:], start=1):
            if word in _MONTH_WORDS or word.rstrip(".,:") in _MONTH_WORDS:
                words = words[:i]
                break
        # An owner before a title: "Paramount+'s The Lighthouse Keepers", "HBO's Crestfall"
        # (but "Schindler's List" keeps its first word).
        if len(words) > 1 and re.search(r"[’']s$", words[0]):
            owner = words[0][:-2].lower()
            if owner in _NOT_SUBJECT or words[1] in {"The", "A", "An"}:
                words = words[1:]
        # Leading generic words, numbers ("Part Two") and joiners are not the title.
        while words and (
            words[0] in NOT_TITLES
            or words[0].rstrip(".,:") in NOT_TITLES
            or words[0][0].isdigit()
            or words[0] in _JOINER_WORDS
            or words[0] in _NUMBER_TITLES
        ):
            words = words[1:]
        while words and words[-1] in _JOINER_WORDS:
            words = words[:-1]
        phrase = " ".join(words).strip(" .,:")
        if len(phrase) < 2:
            continue  # "Xbox Series X|S" leaves a lone letter
        start = text.find(phrase, m.start())
        spans.append((start, start + len(phrase), phrase))
    return spans
