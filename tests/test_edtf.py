from __future__ import annotations

from datetime import date

import pytest

from watcher import edtf


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2024-01-05", date(2024, 1, 5), date(2024, 1, 5)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023", date(2023, 1, 1), date(2023, 12, 31)),
        ("2022-10/2023-12", date(2022, 10, 1), date(2023, 12, 31)),
        ("2023/..", date(2023, 1, 1), None),
        ("../2023-05", None, date(2023, 5, 31)),
    ],
)
def test_parse_spans(value: str, start: date | None, end: date | None) -> None:
    span = edtf.parse(value)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "soon", "../..", "2024/2023", "24"])
def test_invalid_values(bad: str) -> None:
    assert not edtf.is_valid(bad)
    with pytest.raises(edtf.EdtfError):
        edtf.parse(bad)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("2024-01-05", "January 5, 2024"),
        ("2023-04", "April 2023"),
        ("2022-10/2023-12", "late 2022 – 2023"),
        ("2023/..", "not before 2023"),
        ("../2023-05", "before June 2023"),
        ("2024-07/2024-12", "second half of 2024"),
        ("2024-01/2024-04", "early 2024"),
        ("2024-12/2025-02", "winter 2024–25"),
        ("unknown", "unknown"),
    ],
)
def test_describe_says_dates_as_people_do(value: str, said: str) -> None:
    assert edtf.describe(value) == said


def test_same_value_and_precision() -> None:
    assert edtf.same_value("2024", "2024-01/2024-12")
    assert not edtf.same_value("2024", "2024-01")
    assert edtf.precision("2024-01-05") == "day"
    assert edtf.precision("2023/..") == "open"
    assert edtf.parse("2024-01").width_days < edtf.parse("2024").width_days
    assert edtf.parse("unknown").width_days == float("inf")
    assert edtf.parse("2024").overlaps(edtf.parse("2023-06/2024-02"))
    assert not edtf.parse("2024").overlaps(edtf.parse("unknown"))
