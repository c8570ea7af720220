"""Characters of cast claims on invented sentences (the `characters` key of
tests/data/claims/sentences_people.toml; the other keys run in test_claims_sentences)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from watcher.claims import extract_claims

CASES: list[dict[str, Any]] = [
    case
    for case in tomllib.loads(
        (Path(__file__).parent / "data/claims/sentences_people.toml").read_text(encoding="utf-8")
    )["case"]
    if "characters" in case
]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_character(case: dict[str, Any]) -> None:
    result = extract_claims(case["text"], reference_date=date.fromisoformat(case["ref"]))
    found = {f"{c.kind}|{c.value}": c for c in result.claims if c.subject is None}
    for key, character in case["characters"].items():
        assert key in found, f"{key} not in {sorted(found)}"
        assert found[key].character == character, f"{key}: {found[key].character!r}"
