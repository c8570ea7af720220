"""The subset of EDTF (ISO 8601-2) that release dates use: parse, compare, describe.

Values: ``2024-01-05`` (day), ``2023-04`` (month), ``2023`` (year), closed
intervals ``2022-10/2023-12``, open intervals ``2023/..`` and ``../2023-05``,
and ``unknown`` (the article says no date is known). Everything here is pure.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

UNKNOWN: Final = "unknown"
OPEN: Final = ".."

_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_MONTHS: Final = tuple(calendar.month_name)[1:]


class EdtfError(ValueError):
    """A string is not an EDTF value of the subset watcher uses."""


@dataclass(frozen=True, slots=True)
class Span:
    """A release date as a day interval; ``None`` ends are open, both None and
    ``unknown`` True means no date is known."""

    start: date | None
    end: date | None
    unknown: bool = False

    @property
    def width_days(self) -> float:
        """Days covered; open or unknown spans are infinitely wide."""
        if self.unknown or self.start is None or self.end is None:
            return float("inf")
        return float((self.end - self.start).days + 1)

    def overlaps(self, other: Span) -> bool:
        """True when two known spans share at least one day."""
        if self.unknown or other.unknown:
            return False
        lo_a, hi_a = self.start or date.min, self.end or date.max
        lo_b, hi_b = other.start or date.min, other.end or date.max
        return lo_a <= hi_b and lo_b <= hi_a


def _point_bounds(text: str) -> tuple[date, date]:
    match = _POINT.match(text)
    if not match:
        raise EdtfError(f"not an EDTF date: {text!r}")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        exact = date(year, month, day)
    except ValueError as exc:
        raise EdtfError(f"not a calendar date: {text!r}") from exc
    return exact, exact


def parse(value: str) -> Span:
    """Parse an EDTF value into a day span; raise EdtfError for anything else."""
    value = value.strip()
    if value == UNKNOWN:
        return Span(None, None, unknown=True)
    if "/" not in value:
        return Span(*_point_bounds(value))
    left, _, right = value.partition("/")
    start: date | None = None if left in (OPEN, "") else _point_bounds(left)[0]
    end: date | None = None if right in (OPEN, "") else _point_bounds(right)[1]
    if start is None and end is None:
        raise EdtfError(f"an interval needs at least one end: {value!r}")
    if start is not None and end is not None and start > end:
        raise EdtfError(f"interval ends before it starts: {value!r}")
    return Span(start, end)


def is_valid(value: str) -> bool:
    """True when ``value`` parses."""
    try:
        parse(value)
    except EdtfError:
        return False
    return True


def precision(value: str) -> str:
    """A word for how precise a value is: day, month, year, interval, open, unknown."""
    span = parse(value)
    if span.unknown:
        return "unknown"
    if span.start is None or span.end is None:
        return "open"
    if "/" in value:
        return "interval"
    return {10: "day", 7: "month", 4: "year"}[len(value)]


def same_value(a: str, b: str) -> bool:
    """True when two EDTF strings denote the same span (``2024-01/2024-12`` == ``2024``)."""
    try:
        return parse(a) == parse(b)
    except EdtfError:
        return a == b


# Windows people name, keyed by (first month, last month) within one year.
_WINDOWS: Final[dict[tuple[int, int], str]] = {
    (1, 3): "Q1 {y}",
    (4, 6): "Q2 {y}",
    (7, 9): "Q3 {y}",
    (10, 12): "Q4 {y}",
    (1, 6): "first half of {y}",
    (7, 12): "second half of {y}",
    (1, 4): "early {y}",
    (5, 8): "mid-{y}",
    (9, 12): "late {y}",
    (3, 5): "spring {y}",
    (6, 8): "summer {y}",
    (9, 11): "fall {y}",
    (6, 7): "early summer {y}",
    (11, 12): "holiday season {y}",
}


def _month_name(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def _describe_start(day: date) -> str:
    if day.month == 1 and day.day == 1:
        return str(day.year)
    if day.day == 1 and day.month >= 9:
        return f"late {day.year}"
    if day.day == 1:
        return _month_name(day)
    return describe_day(day)


def _describe_end(day: date) -> str:
    if day.month == 12 and day.day == 31:
        return str(day.year)
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return _month_name(day)
    return describe_day(day)


def describe_day(day: date) -> str:
    """``January 5, 2024``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def describe(value: str) -> str:
    """Say an EDTF value the way people say dates: "late 2022 – 2023", "not before 2023"."""
    try:
        span = parse(value)
    except EdtfError:
        return value
    if span.unknown:
        return "unknown"
    start, end = span.start, span.end
    if start is None and end is not None:
        following = date.fromordinal(end.toordinal() + 1)
        return f"before {_describe_start(following)}"
    if end is None and start is not None:
        return f"not before {_describe_start(start)}"
    assert start is not None and end is not None
    if "/" not in value:
        kind = precision(value)
        if kind == "day":
            return describe_day(start)
        if kind == "month":
            return _month_name(start)
        return str(start.year)
    whole_months = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
    if whole_months and start.year == end.year:
        window = _WINDOWS.get((start.month, end.month))
        if window:
            return window.format(y=start.year)
    if whole_months and (start.month, end.month) == (12, 2) and end.year == start.year + 1:
        return f"winter {start.year}–{end.year % 100:02d}"
    return f"{_describe_start(start)} – {_describe_end(end)}"
