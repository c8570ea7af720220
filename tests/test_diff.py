"""Claim diff: identity over wording, the headline, fingerprints and the noise guard."""

from __future__ import annotations

from dataclasses import replace

from watcher.claims.model import Claim
from watcher.diff import (
    NoiseGuard,
    claim_identity,
    claims_fingerprint,
    diff_claims,
    headline,
    is_flip_back,
)

SUBJECT = "All of Us Are Dead Season 2"


def claim(
    kind: str, value: str, certainty: str = "official", evidence: str = "", **kw: object
) -> Claim:
    start = int(kw.pop("start", 0))  # type: ignore[call-overload]
    text = evidence or f"The article says {kind} is {value}."
    return Claim(kind, value, certainty, text, start, start + len(text), **kw)  # type: ignore[arg-type]


def diff(
    old: list[Claim], new: list[Claim], old_subject: str = SUBJECT, new_subject: str = SUBJECT
) -> list[tuple[str, str, str]]:
    return [
        (c.kind, c.slot, c.change)
        for c in diff_claims(old, new, old_subject=old_subject, new_subject=new_subject)
    ]


BASE = [
    claim("status", "renewed", evidence="Netflix has confirmed work on a second season.", start=10),
    claim("release_date", "2023-04-14", evidence="Season 2 arrives on April 14, 2023.", start=80),
    claim("platform", "Netflix", evidence="The episodes will appear on Netflix.", start=150),
    claim(
        "cast", "Park Ji-hu", role="returning", evidence="Park Ji-hu returns as On-jo.", start=200
    ),
    claim(
        "crew",
        "Lee Jae-kyoo",
        role="director",
        evidence="Director Lee Jae-kyoo is back.",
        start=260,
    ),
]


def test_identical_sets_have_no_changes() -> None:
    assert diff(BASE, BASE) == []


def test_reworded_sentences_are_not_a_change() -> None:
    reworded = [
        replace(c, evidence="Reworded: " + c.evidence[::-1], start=c.start + 7) for c in BASE
    ]
    assert diff(BASE, reworded) == []


def test_reordered_and_repeated_mentions_are_not_a_change() -> None:
    repeated = [*reversed(BASE), replace(BASE[1], evidence="Again: April 14, 2023.", start=900)]
    assert diff(BASE, repeated) == []


def test_subject_spelling_does_not_matter() -> None:
    assert diff(BASE, BASE, new_subject="'All of Us Are Dead' season two") == []


def test_certainty_change_is_a_change() -> None:
    old = [claim("release_date", "2023-04-14", "speculative")]
    new = [claim("release_date", "2023-04-14", "official")]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.kind, c.change, c.headline) for c in changes] == [("release_date", "changed", True)]
    assert changes[0].old is not None and changes[0].old.certainty == "speculative"
    assert changes[0].new is not None and changes[0].new.certainty == "official"


def test_value_change_is_one_changed_event() -> None:
    new = [replace(BASE[1], value="2024-01-05", evidence="Season 2 now arrives January 5, 2024.")]
    changes = diff_claims(BASE[1:2], new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert len(changes) == 1
    assert changes[0].change == "changed" and changes[0].slot == "" and changes[0].headline
    assert changes[0].subject == SUBJECT


def test_equal_edtf_spellings_are_the_same_value() -> None:
    old = [claim("release_date", "2024")]
    new = [claim("release_date", "2024-01/2024-12")]
    assert diff(old, new) == []


def test_moved_date_with_originally_scheduled_is_one_change() -> None:
    old = [claim("release_date", "2023-04-14", start=1)]
    new = [
        claim(
            "release_date", "2024-01-05", evidence="It now premieres on January 5, 2024.", start=1
        ),
        claim(
            "release_date",
            "2023-04-14",
            superseded=True,
            evidence="It was originally scheduled for April 14, 2023.",
            start=50,
        ),
    ]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.slot, c.change) for c in changes] == [("", "changed")]
    assert changes[0].old is not None and changes[0].old.value == "2023-04-14"
    assert changes[0].new is not None and changes[0].new.value == "2024-01-05"


def test_additional_alternative_value_is_added_not_changed() -> None:
    old = [claim("release_date", "2023-04-14", start=1)]
    new = [
        *old,
        claim(
            "release_date", "unknown", "reported", evidence="Others say it is unknown.", start=90
        ),
    ]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.slot, c.change, c.headline) for c in changes] == [("alt:unknown", "added", False)]
    assert diff(new, old) == [("release_date", "alt:unknown", "removed")]


def test_superseded_flag_is_a_change() -> None:
    old = [claim("release_date", "2023-04-14")]
    new = [claim("release_date", "2023-04-14", superseded=True)]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.slot, c.change, c.headline) for c in changes] == [("", "changed", True)]


def test_romanised_name_variants_are_not_a_change() -> None:
    old = [
        claim("cast", "Park Ji-hu", role="returning"),
        claim("crew", "Lee Jae-kyoo", role="director"),
    ]
    new = [
        claim("cast", "Park Ji Hoo", role="returning"),
        claim("crew", "Lee Jae Kyoo", role="director"),
    ]
    assert diff(old, new) == []


def test_different_people_are_added_and_removed() -> None:
    old = [claim("cast", "Park Ji-hu", role="returning")]
    new = [claim("cast", "Park Soo-hoo", role="returning")]
    assert sorted(c for _k, _s, c in diff(old, new)) == ["added", "removed"]


def test_cast_role_change_is_a_change() -> None:
    old = [claim("cast", "Park Ji-hu", role="returning")]
    new = [claim("cast", "Park Ji-hu", role="not_returning")]
    assert diff(old, new) == [("cast", "parkjihu", "changed")]


def test_headline_changes_come_first() -> None:
    old = [claim("cast", "Yoon Chan-young", role="returning"), claim("status", "undecided")]
    new = [claim("status", "renewed"), claim("cast", "Cho Yi-hyun", role="returning")]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert changes[0].kind == "status" and changes[0].headline
    assert all(not c.headline for c in changes[1:])


def test_platform_change_is_a_headline_change() -> None:
    old = [claim("platform", "Netflix")]
    new = [claim("platform", "Disney+")]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert {(c.change, c.headline) for c in changes} == {("added", True), ("removed", True)}


def test_claims_about_other_subjects_have_their_own_identity() -> None:
    old = [claim("release_date", "2022-01-28", subject="All of Us Are Dead Season 1")]
    new = [
        claim("release_date", "2022-01-28", subject="All of Us Are Dead Season 1"),
        claim("release_date", "2023"),
    ]
    changes = diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.subject, c.change) for c in changes] == [(SUBJECT, "added")]


def test_headline_picks_certainty_then_precision() -> None:
    claims = [
        claim("release_date", "unknown", "official", start=1),
        claim("release_date", "2023", "official", start=2),
        claim("release_date", "2023-04-14", "reported", start=3),
        claim("release_date", "2022-10/2023-12", "official", start=4),
        claim("release_date", "2022-12-01", "official", superseded=True, start=5),
        claim("status", "undecided", start=6),
        claim("status", "renewed", start=7),
        claim("status", "cancelled", "speculative", start=8),
        claim("platform", "Netflix", start=9),
    ]
    head = headline(claims, SUBJECT)
    assert head.release_date is not None and head.release_date.value == "2023"
    assert head.status is not None and head.status.value == "renewed"
    assert head.platform is not None and head.platform.value == "Netflix"


def test_headline_unknown_loses_to_a_date_of_the_same_certainty() -> None:
    claims = [claim("release_date", "unknown", start=1), claim("release_date", "2023/..", start=2)]
    head = headline(claims, SUBJECT)
    assert head.release_date is not None and head.release_date.value == "2023/.."
    assert headline([], SUBJECT).release_date is None


def test_headline_of_another_subject() -> None:
    claims = [
        claim("release_date", "2022-01-28", subject="All of Us Are Dead Season 1"),
        claim("release_date", "2023"),
    ]
    season1 = headline(claims, "All of Us Are Dead Season 1", main_subject=SUBJECT)
    assert season1.release_date is not None and season1.release_date.value == "2022-01-28"


def test_fingerprint_ignores_wording_order_repeats_and_spelling() -> None:
    base = claims_fingerprint(BASE, SUBJECT)
    reworded = [replace(c, evidence=c.evidence.upper(), start=c.start + 3) for c in reversed(BASE)]
    respelled = [replace(c, value="Park Ji Hoo") if c.kind == "cast" else c for c in BASE]
    assert claims_fingerprint([*reworded, BASE[0]], "'All of Us Are Dead' season two") == base
    assert claims_fingerprint(respelled, SUBJECT) == base
    assert claims_fingerprint([replace(BASE[1], certainty="reported"), *BASE[2:]], SUBJECT) != base


def test_claim_identity() -> None:
    assert claim_identity(BASE[3], SUBJECT) == ("cast", "all of us are dead season 2", "parkjihu")
    assert claim_identity(BASE[1], None) == ("release_date", "", "")
    assert claim_identity(BASE[2], SUBJECT) == (
        "platform",
        "all of us are dead season 2",
        "netflix",
    )


def test_noise_guard_suppresses_an_ab_flip_flop() -> None:
    page_a = claims_fingerprint([claim("release_date", "2023-04-14")], SUBJECT)
    page_b = claims_fingerprint(
        [claim("release_date", "2023-04-14"), claim("trailer", "released")], SUBJECT
    )
    page_c = claims_fingerprint([claim("release_date", "2024-01-05")], SUBJECT)
    guard = NoiseGuard(memory=8)
    raised = [not guard.observe(fp) for fp in [page_a, page_b, page_a, page_b, page_a, page_c]]
    # A and B are each raised once; the flips back are not; a new state C is.
    assert raised == [True, True, False, False, False, True]


def test_is_flip_back_rule() -> None:
    assert is_flip_back("a", "b", ["b", "a"])
    assert not is_flip_back("c", "b", ["b", "a"])
    assert not is_flip_back("b", "b", ["b", "a"])
    # Outside the memory window a return is raised again.
    guard = NoiseGuard(memory=2, recent=["b", "a"])
    assert guard.observe("a")
    assert not guard.observe("c")
    assert not NoiseGuard(memory=2, recent=["c", "a"]).observe("x")


def test_realistic_sequence_of_versions() -> None:
    """Season 2's date: 2022-10/2023-12 (speculative) → unknown → 2023-04-14 → 2024-01-05."""
    v1 = [
        claim("status", "undecided", "reported", start=1),
        claim("release_date", "2022-10/2023-12", "speculative", start=2),
        claim("cast", "Park Ji-hu", "reported", role="returning", start=3),
    ]
    v2 = [
        claim("status", "renewed", start=1),
        claim("release_date", "unknown", start=2),
        claim("cast", "Park Ji Hoo", "reported", role="returning", start=3),
    ]
    v3 = [
        claim("status", "renewed", start=1),
        claim("release_date", "2023-04-14", start=2),
        claim(
            "release_date", "unknown", "speculative", evidence="Some still say unknown.", start=9
        ),
        claim("cast", "Park Ji Hu", "reported", role="returning", start=3),
    ]
    v4 = [
        claim("status", "renewed", start=1),
        claim("release_date", "2024-01-05", start=2),
        claim("release_date", "2023-04-14", superseded=True, start=5),
        claim("cast", "Park Ji-hu", "reported", role="returning", start=3),
    ]

    def steps(old: list[Claim], new: list[Claim]) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                ch.kind,
                ch.slot,
                ch.change,
                ch.old.value if ch.old else "-",
                ch.new.value if ch.new else "-",
            )
            for ch in diff_claims(old, new, old_subject=SUBJECT, new_subject=SUBJECT)
        ]

    assert steps(v1, v2) == [
        ("release_date", "", "changed", "2022-10/2023-12", "unknown"),
        ("status", "", "changed", "undecided", "renewed"),
    ]
    # "unknown" stays on as a hedged alternative: the date change absorbs it.
    assert steps(v2, v3) == [("release_date", "", "changed", "unknown", "2023-04-14")]
    assert steps(v3, v4) == [
        ("release_date", "", "changed", "2023-04-14", "2024-01-05"),
        ("release_date", "alt:unknown", "removed", "unknown", "-"),
    ]
    first = diff_claims([], v1, old_subject=None, new_subject=SUBJECT)
    assert {(ch.kind, ch.change, ch.headline) for ch in first} == {
        ("status", "added", True),
        ("release_date", "added", True),
        ("cast", "added", False),
    }


def test_person_with_two_roles_reordered_is_not_a_change() -> None:
    old = [
        claim("crew", "Lee Jae-kyoo", role="director", start=1),
        claim("crew", "Lee Jae-kyoo", role="writer", start=50),
    ]
    new = [replace(old[1], start=1), replace(old[0], start=50)]
    assert diff(old, new) == []
    changes = diff_claims(old, old[:1], old_subject=SUBJECT, new_subject=SUBJECT)
    assert [(c.change, c.old.role if c.old else None) for c in changes] == [
        ("changed", "director, writer")
    ]


def test_equally_ranked_dates_reordered_are_not_a_change() -> None:
    # An article that contradicts itself: which date is primary must not depend
    # on which paragraph comes first.
    old = [
        claim("release_date", "2023-04-14", start=1),
        claim("release_date", "2023-04-21", start=9),
    ]
    new = [replace(old[0], start=9), replace(old[1], start=1)]
    assert diff(old, new) == []
