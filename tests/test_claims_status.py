"""Status claims on invented sentences: an undecided renewal is not a renewal."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest

from watcher.claims import extract_claims
from watcher.claims.facets import _STATUS, _STATUS_CUES

TITLE = "Moonlit Harbor Season 2: everything we know"


def _statuses(sentence: str) -> set[str]:
    text = f"{TITLE}\n\n{sentence}"
    found = extract_claims(text, reference_date=date(2025, 3, 1), title=TITLE)
    return {c.value for c in found.claims if c.kind == "status" and c.subject is None}


@pytest.mark.parametrize(
    "sentence",
    [
        "Moonlit Harbor has not yet been renewed for a second season by Hulu.",
        "Hulu hasn't renewed Moonlit Harbor, and the show's future remains up in the air.",
        "The streamer has yet to renew Moonlit Harbor for Season 2.",
        "There is no word yet on a second season of Moonlit Harbor.",
        "Moonlit Harbor Season 2 could come in 2026, depending on when the network decides.",
        "Apple has not decided whether Moonlit Harbor will return for Season 2.",
        "The fate of Moonlit Harbor remains uncertain, its showrunner said on Monday.",
    ],
    ids=[
        "not-yet-renewed",
        "future-in-the-air",
        "yet-to-renew",
        "no-word",
        "depending-on",
        "not-decided-whether",
        "fate-uncertain",
    ],
)
def test_undecided_renewal(sentence: str) -> None:
    statuses = _statuses(sentence)
    assert "undecided" in statuses
    assert "renewed" not in statuses


@pytest.mark.parametrize(
    "sentence",
    [
        "Moonlit Harbor has officially been renewed for a second season by Hulu.",
        "Hulu renewed Moonlit Harbor for Season 2 last week.",
    ],
    ids=["renewed", "renewed-active"],
)
def test_a_real_renewal_is_not_undecided(sentence: str) -> None:
    statuses = _statuses(sentence)
    assert "renewed" in statuses
    assert "undecided" not in statuses


def test_unrelated_uses_of_the_words_are_not_status() -> None:
    assert (
        _statuses("The jury has yet to decide the case, and the weather remains uncertain.")
        == set()
    )


def _invented_sentences() -> list[str]:
    cases = tomllib.loads(
        (Path(__file__).parent / "data/claims/sentences.toml").read_text(encoding="utf-8")
    )["case"]
    return [c["text"] for c in cases] + [
        "Filming has officially kicked off in Belfast.",
        "The series was scrapped after one season.",
        "Production has not yet begun on the sequel.",
        "The game is now available on Steam.",
    ]


def test_every_status_match_holds_one_of_its_cues() -> None:
    # The cues gate the status patterns: a pattern that can match without any of
    # its cues would silently never run.
    for text in _invented_sentences():
        for status, pattern in _STATUS:
            m = pattern.search(text)
            if m:
                assert any(cue in text.lower() for cue in _STATUS_CUES[status]), (status, text)
