"""People's names: romanisation variants are one person, different people stay apart."""

from __future__ import annotations

import pytest

from watcher.names import PersonIndex, folded_key, person_key, same_person


def test_person_key_drops_case_accents_and_separators() -> None:
    assert person_key("Lee Jae-kyoo") == person_key("lee jae kyoo") == "leejaekyoo"
    assert person_key("Zoë Saldaña") == "zoesaldana"
    assert person_key("Kim Ji'won") == person_key("Kim Jiwon")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Ji-hu", "Park Ji Hu"),
        ("Park Ji-hu", "Park Ji Hoo"),
        ("Park Ji Hu", "Park Ji Hoo"),
        ("Lee Jae-kyoo", "Lee Jae Kyoo"),
        ("Lee Jae-kyoo", "Yi Jae-kyu"),
        ("Yoon Chan-young", "Yoon Chan-yeong"),
        ("Cho Yi-hyun", "Jo Yi-hyun"),
        ("Park Solomon", "Park  solomon"),
    ],
)
def test_romanisation_variants_are_one_person(a: str, b: str) -> None:
    assert same_person(a, b)
    assert same_person(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Ji-hu", "Park Soo-hoo"),
        ("Lee Jae-kyoo", "Lee You-mi"),
        ("Yoon Chan-young", "Yoon Ji-young"),
        ("Kim Ji-won", "Kim Ji-hoon"),
        ("Park Ji-hu", "Kim Ji-hu"),
        ("Lomon", "Cho Yi-hyun"),
    ],
)
def test_different_people_with_a_shared_family_name_stay_apart(a: str, b: str) -> None:
    assert not same_person(a, b)


def test_folded_key_is_shared_by_variants_only() -> None:
    assert folded_key("Park Ji-hu") == folded_key("Park Ji Hoo")
    assert folded_key("Park Ji-hu") != folded_key("Park Soo-hoo")


def test_person_index_keeps_the_first_spelling() -> None:
    index = PersonIndex()
    assert index.canonical("Park Ji-hu") == "Park Ji-hu"
    assert index.canonical("Park Ji Hoo") == "Park Ji-hu"
    assert index.canonical("Park Soo-hoo") == "Park Soo-hoo"
    assert index.canonical("park ji hu") == "Park Ji-hu"
    assert index.canonical("Parkjihu") == "Park Ji-hu"  # one token: equal person key
    assert index.canonical("Yoon Chan-young") == "Yoon Chan-young"
    assert index.canonical("Yoon Chan-youngg") == "Yoon Chan-young"  # a slip in a long name
    assert index.key("Park Ji Hoo") == index.key("Park Ji-hu")
    assert len(index) == 3
    assert index.people() == ["Park Ji-hu", "Park Soo-hoo", "Yoon Chan-young"]
