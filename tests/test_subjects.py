"""Subjects: one title and installment written many ways is one key."""

from __future__ import annotations

import pytest

from watcher.subjects import SubjectIndex, display_subject, slug, subject_key

AOUAD2 = "all of us are dead season 2"


@pytest.mark.parametrize(
    "spelling",
    [
        "All of Us Are Dead Season 2",
        "'All of Us Are Dead' season two",
        "“All of Us Are Dead” Season Two",
        "All of Us Are Dead S2",
        "All of Us Are Dead: 2nd Season",
        "All of Us Are Dead – second season",
        "The second season of All of Us Are Dead",
        "Season 2 of All of Us Are Dead",
        "ALL OF US ARE DEAD SEASON 2!",
    ],
)
def test_installment_spellings_share_a_key(spelling: str) -> None:
    assert subject_key(spelling) == AOUAD2


def test_installments_and_titles_stay_distinct() -> None:
    assert subject_key("All of Us Are Dead Season 1") != AOUAD2
    assert subject_key("All of Us Are Dead") != AOUAD2
    assert subject_key("Sweet Home Season 2") != AOUAD2


def test_ampersand_and_articles() -> None:
    assert subject_key("Love & Death") == subject_key("Love and Death")
    assert subject_key("The Glory Part 2") == subject_key("Glory: Part Two")


def test_display_subject_tidies_quotes_and_installment() -> None:
    assert display_subject("'All of Us Are Dead' season two") == "All of Us Are Dead Season 2"
    assert display_subject("all of us are dead s2") == "All Of Us Are Dead Season 2"
    assert display_subject("  Sweet Home  ") == "Sweet Home"


def test_slug_is_file_safe() -> None:
    assert slug("'All of Us Are Dead' season two") == "all-of-us-are-dead-season-2"
    assert slug("???") == "untitled"


def test_subject_index_shows_the_most_common_spelling() -> None:
    index = SubjectIndex()
    key = index.add("'All of Us Are Dead' season two")
    index.add("All of Us Are Dead Season 2")
    index.add("All of Us Are Dead S2")
    assert index.keys() == [key]
    assert index.display(key) == "All of Us Are Dead Season 2"
    assert index.display("missing") == "missing"
