"""The date grammar, driven by invented sentences in tests/data/claims/dates.toml."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from watcher.claims.dates import find_dates, merge, numeric_order

CASES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).parent / "data/claims/dates.toml").read_text(encoding="utf-8")
)["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_date_phrases(case: dict[str, Any]) -> None:
    ref = date.fromisoformat(case["ref"]) if "ref" in case else None
    found = find_dates(case["text"], ref)
    assert [m.value for m in found] == case["values"]
    for m in found:
        assert case["text"][m.start : m.end].strip()


def test_merge_covers_both_values() -> None:
    assert merge("2022-09/2022-12", "2023") == "2022-09/2023"


def test_numeric_order_comes_from_unambiguous_dates() -> None:
    assert numeric_order("Posted 12/25/2024. Updated 3/8/2023.") == "mdy"
    assert numeric_order("Posted 25/12/2024. Updated 3/8/2023.") == "dmy"
    assert numeric_order("Only 3/8/2023 here.") is None
    assert numeric_order("Mixed 12/25/2024 and 25/12/2024.") is None


def test_ambiguous_numeric_date_needs_the_page_order() -> None:
    text = "The update ships on 3/8/2023."
    assert [m.value for m in find_dates(text, None)] == []
    assert [m.value for m in find_dates(text, None, order="mdy")] == ["2023-03-08"]
    assert [m.value for m in find_dates(text, None, order="dmy")] == ["2023-08-03"]
    # An unambiguous date keeps its own reading whatever the page does.
    assert [m.value for m in find_dates("On 25/12/2026.", None, order="mdy")] == ["2026-12-25"]
