"""The date grammar, driven by invented sentences in tests/data/claims/dates.toml."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from watcher.claims.dates import find_dates, merge

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
