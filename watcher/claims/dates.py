"""The date grammar: day, month, year, window and open-bound phrases as EDTF.

dateparser drops qualifiers ("late 2024" becomes a day) and reads words such
as "may" or "we" as dates, so release phrases get a small hand-written grammar
instead. Every phrase becomes a :class:`DateMention` with an EDTF value and the
character span it covers; phrases that need a reference date ("next year",
"this fall") are skipped when none is known.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

MONTHS: Final[dict[str, int]] = {
    name.lower(): index for index, name in enumerate(calendar.month_name) if name
}
MONTHS.update(
    {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "sept": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
# Longest first so "September" wins over "Sept" and "Sep".
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
# Month names are matched capitalised only: "may" is nearly always the modal verb.
_MONTH = rf"(?P<month>(?:{_MONTH_ALT.title()}|{_MONTH_ALT.upper()})\b\.?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<year>(?:19|20)\d{2})(?![\d.,]\d)"

# Days that name a date of their own: (month, day).
FEASTS: Final[dict[str, tuple[int, int]]] = {
    "christmas day": (12, 25),
    "christmas eve": (12, 24),
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
}
_FEAST_ALT = r"Christmas\s+(?:Day|Eve)|New\s+Year[’']s\s+(?:Day|Eve)|Halloween|Valentine[’']s\s+Day"

# Windows inside a year: (start month, end month). Devset README conventions.
WINDOWS: Final[dict[str, tuple[int, int]]] = {
    "early": (1, 4),
    "beginning of": (1, 4),
    "start of": (1, 4),
    "first part of": (1, 4),
    "early part of": (1, 4),
    "mid": (5, 8),
    "middle of": (5, 8),
    "late": (9, 12),
    "end of": (9, 12),
    "later part of": (9, 12),
    "latter part of": (9, 12),
    "first half of": (1, 6),
    "h1": (1, 6),
    "second half of": (7, 12),
    "latter half of": (7, 12),
    "back half of": (7, 12),
    "h2": (7, 12),
    "1h": (1, 6),
    "2h": (7, 12),
    "last quarter of": (10, 12),
    "final quarter of": (10, 12),
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
    "first quarter of": (1, 3),
    "second quarter of": (4, 6),
    "third quarter of": (7, 9),
    "fourth quarter of": (10, 12),
    "spring": (3, 5),
    "early summer": (6, 7),
    "summer": (6, 8),
    "fall": (9, 11),
    "autumn": (9, 11),
    "holiday": (11, 12),
    "holidays": (11, 12),
    "holiday season": (11, 12),
    "winter": (12, 14),  # December to February of the next year
}
_WINDOW_ALT = "|".join(
    re.escape(w).replace(r"\ ", r"\s+") for w in sorted(WINDOWS, key=len, reverse=True)
)
_WINDOW = rf"(?P<window>{_WINDOW_ALT})"
_REL_YEAR = r"(?P<rel>this\s+year|next\s+year|last\s+year)"
_YEARISH = rf"(?:{_YEAR}|{_REL_YEAR})"

# Order matters: longer, more specific phrases first; matches never overlap.
_PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (
        name,
        re.compile(
            pattern,
            re.IGNORECASE
            if name
            in {"window", "relwindow", "relweek", "bareseason", "inmonths", "yearend", "relday"}
            else 0,
        ),
    )
    for name, pattern in (
        # 2026-12-25; 12/25/2026 only when the day shows which number is the month.
        (
            "iso",
            r"(?<![\w./-])(?P<iy>(?:19|20)\d{2})-(?P<im>0[1-9]|1[0-2])-(?P<id>[0-3]\d)(?![\w/-])",
        ),
        (
            "numeric",
            r"(?<![\w./-])(?P<na>\d{1,2})/(?P<nb>\d{1,2})/(?P<ny>(?:19|20)\d{2})(?![\w/-])",
        ),
        ("feast", rf"\b(?P<feast>{_FEAST_ALT})(?:,?\s+(?P<fy>(?:19|20)\d{{2}}))?\b"),
        ("yearend", r"\b(?:the\s+)?(?:end\s+of\s+(?:the\s+)?year|year[-\s]end)\b"),
        ("mdy", rf"\b{_MONTH}\s+{_DAY}(?:,\s*|\s+){_YEAR}"),
        ("dmy", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}"),
        ("my", rf"\b{_MONTH}\s*,?\s+(?:of\s+)?{_YEAR}"),
        ("md", rf"\b{_MONTH}\s+{_DAY}(?!\s*(?:,\s*)?\d)"),
        ("dm", rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}"),
        (
            "window",
            rf"\b(?:the\s+|an?\s+)?{_WINDOW}(?:\s+of)?(?:\s+the\s+year)?[\s-]+(?:of\s+)?{_YEARISH}",
        ),
        (
            "relwindow",
            r"\b(?P<rwhen>this|next|later\s+this|early\s+next|late\s+next|early\s+this|late\s+this)"
            r"\s+(?P<rwhat>year|spring|summer|fall|autumn|winter|month|quarter|holiday\s+season)\b",
        ),
        ("relmonth", rf"\b(?P<rwhen2>this|next|last)\s+{_MONTH}"),
        ("relweek", r"\b(?P<wwhen>this|next|last)\s+week\b"),
        # "out today", "premiered last night"; not "today's target" nor "USA Today".
        (
            "relday",
            r"(?<!USA\s)\b(?P<dwhen>today|tonight|tomorrow|yesterday|last\s+night)\b(?![’']s)",
        ),
        ("yearwindow", rf"\b{_YEAR}\s+(?P<window2>holiday\s+season|holidays?)"),
        ("relyear", rf"\b(?:later\s+)?{_REL_YEAR}"),
        (
            "bareseason",
            r"\b(?:in|by|for|this|until|till|before|after)\s+(?P<bthe>the\s+)?[\"“‘']?(?P<bwin>(?:early\s+|late\s+|mid-?)?"
            r"(?:spring|summer|fall|autumn|winter)|the\s+holidays?)\b(?!\s+(?:of|\d))",
        ),
        (
            "inmonths",
            r"\bin\s+(?:just\s+|about\s+|another\s+|around\s+)?(?P<n>\d{1,2}|one|two|three|four|"
            r"five|six|seven|eight|nine|ten|eleven|twelve)\s+months?\b",
        ),
        (
            "month",
            rf"\b(?P<prep>in|on|for|by|until|till|from|to|this|since|before|after|between|and|or|"
            rf"through)\s+"
            rf"(?:early\s+|late\s+|mid-?)?{_MONTH}(?!\s*\d)",
        ),
        ("year", rf"(?<![\w$#.\-/]){_YEAR}(?![\w%-])"),
    )
)

# Words before a bare year that show it is part of a title or a count
# ("Flight Simulator 2024", "E3 2017", "Geeked Week 2024", "2024 mph").
_YEAR_ALLOWED_BEFORE = re.compile(
    r"(?:\b(?:in|by|for|to|until|till|than|from|of|around|before|after|since|sometime|"
    r"a|an|its|the|their|his|her|our|and|or|as|at|into|through|throughout|during|"
    r"early|late|mid|between|until|circa|year|summer|spring|fall|autumn|winter|"
    r"Q[1-4]|H[12]|slated|set|planned|due|scheduled|targets?|targeting|moved|pushed|"
    r"delayed|slipped|releas\w*|launch\w*|debut\w*|premier\w*|window|date)\s*[-–—,]?\s*|^|[(“\"‘'–—-]\s*)$",
    re.IGNORECASE,
)
_RELEASE_NOUN_AFTER = re.compile(
    r"\s+(?:theatrical\s+|global\s+)?(?:release|launch|premiere|debut|window)\b", re.IGNORECASE
)
_YEAR_OFFSET: Final = {"this": 0, "next": 1, "last": -1}
_DAY_OFFSET: Final = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "last night": -1}


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date phrase in a sentence: EDTF value and the span it covers."""

    value: str
    start: int
    end: int
    kind: str


def _month_of(token: str) -> int:
    return MONTHS[token.rstrip(".").lower()]


def _window_value(year: int, months: tuple[int, int]) -> str:
    first, last = months
    if last > 12:
        return f"{year:04d}-{first:02d}/{year + 1:04d}-{last - 12:02d}"
    return f"{year:04d}-{first:02d}/{year:04d}-{last:02d}"


def _guess_year(month: int, day: int | None, ref: date | None) -> int | None:
    """The year of a date written without one: the reference year, or the next
    year when that would put the date well before publication."""
    if ref is None:
        return None
    candidate = date(ref.year, month, min(day or 1, 28))
    if (ref - candidate).days > 62:
        return ref.year + 1
    return ref.year


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _value(name: str, m: re.Match[str], ref: date | None) -> str | None:
    groups = m.groupdict()
    if name in {"mdy", "dmy"}:
        year, month, day = int(groups["year"]), _month_of(groups["month"]), int(groups["day"])
        return f"{year:04d}-{month:02d}-{day:02d}" if _valid_day(year, month, day) else None
    if name == "my":
        return f"{int(groups['year']):04d}-{_month_of(groups['month']):02d}"
    if name in {"md", "dm"}:
        month, day = _month_of(groups["month"]), int(groups["day"])
        guessed = _guess_year(month, day, ref)
        if guessed is None or not _valid_day(guessed, month, day):
            return None
        return f"{guessed:04d}-{month:02d}-{day:02d}"
    if name == "month":
        month = _month_of(groups["month"])
        guessed = _guess_year(month, None, ref)
        return None if guessed is None else f"{guessed:04d}-{month:02d}"
    if name == "relmonth":
        if ref is None:
            return None
        month = _month_of(groups["month"])
        year = ref.year + _YEAR_OFFSET[groups["rwhen2"].lower()]
        return f"{year:04d}-{month:02d}"
    if name == "year":
        return groups["year"]
    if name == "yearwindow":
        return _window_value(int(groups["year"]), WINDOWS["holiday"])
    if name == "relyear":
        if ref is None:
            return None
        return str(ref.year + _YEAR_OFFSET[groups["rel"].split()[0].lower()])
    if name == "window":
        if groups["year"]:
            year = int(groups["year"])
        elif ref is None:
            return None
        else:
            year = ref.year + _YEAR_OFFSET[groups["rel"].split()[0].lower()]
        key = " ".join(groups["window"].lower().split())
        return _window_value(year, WINDOWS[key])
    if name == "iso":
        year, month, day = int(groups["iy"]), int(groups["im"]), int(groups["id"])
        return f"{year:04d}-{month:02d}-{day:02d}" if _valid_day(year, month, day) else None
    if name == "numeric":
        a, b, year = int(groups["na"]), int(groups["nb"]), int(groups["ny"])
        if a > 12 >= b:
            a, b = b, a  # 25/12/2026: day first
        elif b <= 12 or a > 12:
            return None  # 03/04/2026 is March 4 or 3 April: the text does not say
        return f"{year:04d}-{a:02d}-{b:02d}" if _valid_day(year, a, b) else None
    if name == "feast":
        key = " ".join(groups["feast"].lower().replace("’", "'").split())
        month, day = FEASTS[key]
        fixed = groups["fy"]
        guessed = int(fixed) if fixed else _guess_year(month, day, ref)
        return None if guessed is None else f"{guessed:04d}-{month:02d}-{day:02d}"
    if name == "yearend":
        return None if ref is None else _window_value(ref.year, WINDOWS["late"])
    if name == "relweek":
        if ref is None:
            return None
        offset = {"last": -1, "this": 0, "next": 1}[groups["wwhen"].lower()]
        monday = ref - timedelta(days=ref.weekday()) + timedelta(weeks=offset)
        return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}"
    if name == "relday":
        if ref is None:
            return None
        when = " ".join(groups["dwhen"].lower().split())
        return (ref + timedelta(days=_DAY_OFFSET[when])).isoformat()
    if name == "relwindow":
        return _relwindow(groups["rwhen"].lower(), groups["rwhat"].lower(), ref)
    if name == "bareseason":
        return _bare_season(groups["bwin"].lower(), ref)
    if name == "inmonths":
        if ref is None:
            return None
        raw = groups["n"].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS.index(raw) + 1
        index = ref.month - 1 + n
        return f"{ref.year + index // 12:04d}-{index % 12 + 1:02d}"
    return None


def _numeric(m: re.Match[str], order: str) -> str | None:
    """An ambiguous numeric date ("3/8/2023") read in the page's own order."""
    a, b, year = int(m.group("na")), int(m.group("nb")), int(m.group("ny"))
    month, day = (a, b) if order == "mdy" else (b, a)
    if month > 12 or not _valid_day(year, month, day):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


_NUMERIC_ANY: Final = re.compile(
    r"(?<![\w./-])(?P<na>\d{1,2})/(?P<nb>\d{1,2})/(?:19|20)\d{2}(?![\w/-])"
)


def numeric_order(page: str) -> str | None:
    """ "mdy" or "dmy" when the page's unambiguous numeric dates ("12/25/2026",
    "25/12/2026") all agree; None when it has none or mixes them. One pass per page."""
    orders = set()
    for m in _NUMERIC_ANY.finditer(page):
        a, b = int(m.group("na")), int(m.group("nb"))
        if a <= 12 < b <= 31:
            orders.add("mdy")
        elif b <= 12 < a <= 31:
            orders.add("dmy")
    return orders.pop() if len(orders) == 1 else None


_NUMBER_WORDS: Final = (
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
)


def _bare_season(phrase: str, ref: date | None) -> str | None:
    """ "in early summer" with no year: the next such season from the reference date."""
    if ref is None:
        return None
    phrase = " ".join(phrase.replace("mid-", "mid ").split())
    if phrase.startswith("the holiday"):
        phrase = "holiday"
    key = phrase if phrase in WINDOWS else phrase.split()[-1]
    months = WINDOWS[key]
    end_month = months[1] if months[1] <= 12 else months[1] - 12
    year = ref.year
    if months[1] <= 12 and end_month < ref.month:
        year += 1  # that season is over this year: the next one
    return _window_value(year, months)


def _relwindow(when: str, what: str, ref: date | None) -> str | None:
    if ref is None:
        return None
    when = " ".join(when.split())
    year = ref.year + (1 if "next" in when else 0)
    if what == "year":
        if when == "later this":
            # "later this year": from now to December, not the year's last third.
            return f"{year:04d}-12" if ref.month == 12 else _window_value(year, (ref.month, 12))
        if when.startswith("early"):
            return _window_value(year, WINDOWS["early"])
        if when.startswith("late"):
            return _window_value(year, WINDOWS["late"])
        return str(year)
    if what == "month":
        month = ref.month + (1 if when == "next" else 0)
        year = ref.year + (month - 1) // 12
        return f"{year:04d}-{(month - 1) % 12 + 1:02d}"
    if what == "quarter":
        quarter = (ref.month - 1) // 3 + (1 if when == "next" else 0)
        year = ref.year + quarter // 4
        first = (quarter % 4) * 3 + 1
        return _window_value(year, (first, first + 2))
    key = "holiday" if what.startswith("holiday") else what
    months = WINDOWS[key]
    if when == "next" and ref.month <= months[0]:
        year = ref.year  # "next summer" said in March is this summer
    return _window_value(year, months)


_JOINERS: Final = frozenset({"and", "or", "through"})
_MONTH_BEFORE: Final = re.compile(rf"{_MONTH},?\s*$")


def find_dates(text: str, ref: date | None, *, order: str | None = None) -> list[DateMention]:
    """All date phrases in ``text``, left to right, without overlaps. ``order`` ("mdy"
    or "dmy", from :func:`numeric_order` over the whole page) reads "3/8/2023"."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if name == "month":
                start = m.start("month")
            elif name == "bareseason":
                # The preposition is left to the reader: "before the autumn" is a bound.
                start = m.start("bthe") if m.group("bthe") else m.start("bwin")
            if any(start < e and s < end for s, e in taken):
                continue
            if (
                name == "year"
                and not _YEAR_ALLOWED_BEFORE.search(text[max(0, start - 14) : start])
                and not _RELEASE_NOUN_AFTER.match(text, end)
            ):
                continue
            # "July and August": a month joined to a month before it, nothing else
            # ("Tom and June" is no date).
            if (
                name == "month"
                and m.group("prep").lower() in _JOINERS
                and not _MONTH_BEFORE.search(text, 0, m.start())
            ):
                continue
            value = _value(name, m, ref)
            if value is None and name == "numeric" and order is not None:
                value = _numeric(m, order)
            if value is None:
                continue
            taken.append((start, end))
            found.append(DateMention(value, start, end, name))
    found.sort(key=lambda d: d.start)
    return found


def bounds(value: str) -> tuple[date | None, date | None]:
    """Day bounds of an EDTF value (None for an open end); for merging ranges."""
    if value == "unknown":
        return None, None
    left, sep, right = value.partition("/")
    if not sep:
        right = left
    return (_point(left, first=True), _point(right, first=False))


def _point(text: str, *, first: bool) -> date | None:
    if text in ("", ".."):
        return None
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else (1 if first else 12)
    if len(parts) > 2:
        return date(year, month, parts[2])
    day = 1 if first else calendar.monthrange(year, month)[1]
    return date(year, month, day)


def before(value: str) -> str:
    """The open interval ending just before ``value`` starts: "before June 2023"."""
    start, _ = bounds(value)
    if start is None:
        return "unknown"
    if start.month == 1 and start.day == 1 and len(value) == 4:
        return f"../{start.year - 1:04d}"
    prev_month = start.month - 1 or 12
    prev_year = start.year - (1 if start.month == 1 else 0)
    if len(value) == 10 and start.day > 1:
        return f"../{start.year:04d}-{start.month:02d}-{start.day - 1:02d}"
    return f"../{prev_year:04d}-{prev_month:02d}"


def after(value: str) -> str:
    """The open interval starting just after ``value`` ends: "not in 2024" → 2025/.."""
    _, end = bounds(value)
    if end is None:
        return "unknown"
    if "/" not in value and len(value) == 4:
        return f"{end.year + 1:04d}/.."
    next_month = end.month % 12 + 1
    next_year = end.year + (1 if end.month == 12 else 0)
    return f"{next_year:04d}-{next_month:02d}/.."


def from_(value: str) -> str:
    """The open interval starting where ``value`` starts: "not until 2023" → 2023/..."""
    left = value.partition("/")[0]
    return f"{left}/.."


def until(value: str) -> str:
    """The open interval ending where ``value`` ends: "by the end of March 2025"."""
    right = value.rpartition("/")[2] if "/" in value else value
    return f"../{right}"


# Date phrases that carry no year of their own: the year is guessed from the reference.
YEARLESS: Final = frozenset({"md", "dm", "month"})


def in_the_past(value: str, ref: date | None) -> str:
    """A yearless date told in the past tense ("filming wrapped in October"): the
    latest such date on or before ``ref``, where the forward guess found a future one."""
    start, _end = bounds(value)
    if ref is None or start is None or start <= ref:
        return value
    return _in_year(value, int(value[:4]) - 1) or value


def year_before(value: str, later: str) -> str:
    """A yearless month or day that opens a range ending at ``later``, in the latest
    year that keeps it before ``later``'s start."""
    later_start, _ = bounds(later)
    if later_start is None:
        return value
    for year in (later_start.year, later_start.year - 1):
        candidate = _in_year(value, year)
        if candidate is None:
            continue
        start, _end = bounds(candidate)
        if start is not None and start <= later_start:
            return candidate
    return value


def _in_year(value: str, year: int) -> str | None:
    """A month ("2026-10") or day value moved to ``year``; None for a February 29
    the year lacks."""
    rest = value[5:]
    if "-" in rest and not _valid_day(year, *map(int, rest.split("-"))):
        return None
    return f"{year:04d}-{rest}"


def merge(a: str, b: str) -> str:
    """The smallest interval covering two values ("as late as X or as early as Y")."""
    a_start, a_end = bounds(a)
    b_start, b_end = bounds(b)
    lo = a if (a_start or date.max) <= (b_start or date.max) else b
    hi = a if (a_end or date.min) >= (b_end or date.min) else b
    left = lo.partition("/")[0]
    right = hi.rpartition("/")[2] if "/" in hi else hi
    return f"{left}/{right}"
