"""Claim rules on invented sentences (tests/data/claims/sentences*.toml).

The cases are split by theme over several files so that rules for dates, people
and subjects can grow without every change touching one long file.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from watcher.claims import Claim, extract_claims

CASE_FILES = sorted((Path(__file__).parent / "data/claims").glob("sentences*.toml"))
CASES: list[dict[str, Any]] = [
    case for path in CASE_FILES for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]
]


def test_case_ids_are_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(CASE_FILES) >= 1
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def _key(claim: Claim) -> str:
    base = f"{claim.kind}|{claim.value}"
    return base if claim.subject is None else f"{base}|{claim.subject}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sentence_case(case: dict[str, Any]) -> None:
    text = case["text"]
    result = extract_claims(text, reference_date=date.fromisoformat(case["ref"]))
    found = {_key(c): c for c in result.claims}
    if case.get("reject_all"):
        assert not result.claims
    for key in case.get("expect", []):
        assert key in found, f"{key} not in {sorted(found)}"
    for key in case.get("reject", []):
        assert key not in found
    for key, certainty in case.get("certainty", {}).items():
        assert found[key].certainty == certainty
    for key, when in case.get("dates", {}).items():
        # An empty string asserts that the claim carries no date.
        assert found[key].date == (when or None), f"{key}: dated {found[key].date}, not {when}"
    for key in case.get("superseded", []):
        assert found[key].superseded
    for key, role in case.get("roles", {}).items():
        assert found[key].role == role, f"{key}: {found[key].role} is not {role}"
    roles = {(c.value, c.role) for c in result.claims}
    for entry in case.get("reject_roles", []):
        name, role = entry.split("|")
        assert (name, role) not in roles, f"{name} should not be a {role}"
    for claim in result.claims:
        assert text[claim.start : claim.end] == claim.evidence


def test_deterministic_and_deduplicated() -> None:
    text = (
        "Starfall Season 2 date\n\nStarfall Season 2 premieres on June 12, 2025. "
        "Netflix confirmed the June 12, 2025 premiere."
    )
    first = extract_claims(text, reference_date=date(2025, 1, 1))
    second = extract_claims(text, reference_date=date(2025, 1, 1))
    assert first == second
    keys = [(c.kind, c.subject, c.value, c.date) for c in first.claims]
    assert len(keys) == len(set(keys))


def test_no_reference_date_leaves_relative_dates_out() -> None:
    result = extract_claims("Starfall Season 2\n\nThe show returns next year.")
    assert result.reference_date is None
    assert not [c for c in result.claims if c.kind == "release_date"]


def test_subject_comes_from_headline() -> None:
    result = extract_claims("Starfall Season 2 gets a release date\n\nIt is coming.")
    assert result.subject == "Starfall Season 2"
