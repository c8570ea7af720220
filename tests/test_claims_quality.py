"""Quality gate: the claims engine must not drop below pinned precision/recall floors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset" / "articles"


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("claims_eval", ROOT / "bench" / "claims_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["claims_eval"] = module
    spec.loader.exec_module(module)
    return module


SCORER = _scorer()

# Floors are what the engine reaches minus a small margin; raise them as it improves.
SEED_FLOORS = {"precision": 0.75, "recall": 0.91, "certainty": 0.97}
DEVSET_FLOORS = {
    "precision": 0.91,
    "recall": 0.90,
    "cast_precision": 0.98,
    "cast_recall": 0.92,
    "certainty": 0.89,
}


def test_seeds_meet_floors() -> None:
    report = SCORER.score(
        SCORER.load(ROOT / "tests/data/gold_seeds.json"), SCORER.default_extractor
    )
    total = report.micro(cast=True)
    assert total.precision >= SEED_FLOORS["precision"], SCORER.format_report(report)
    assert total.recall >= SEED_FLOORS["recall"], SCORER.format_report(report)
    certainty = report.certainty[True] / max(1, sum(report.certainty.values()))
    assert certainty >= SEED_FLOORS["certainty"]
    assert report.negative_claims == 0


@pytest.mark.skipif(not DEVSET.is_dir(), reason="devset not present at ../shared/devset")
def test_devset_meets_floors() -> None:
    report = SCORER.score(SCORER.load(DEVSET), SCORER.default_extractor)
    text = SCORER.format_report(report)
    total = report.micro(cast=False)
    cast = report.main["cast"]
    assert total.precision >= DEVSET_FLOORS["precision"], text
    assert total.recall >= DEVSET_FLOORS["recall"], text
    assert cast.precision >= DEVSET_FLOORS["cast_precision"], text
    assert cast.recall >= DEVSET_FLOORS["cast_recall"], text
    certainty = report.certainty[True] / max(1, sum(report.certainty.values()))
    assert certainty >= DEVSET_FLOORS["certainty"], text


def test_scorer_matches_dates_by_interval() -> None:
    gold = {"kind": "release_date", "value": "2024-06/2024-08"}
    assert SCORER.values_match("release_date", "2024-06/2024-08", gold)
    assert not SCORER.values_match("release_date", "2024-06", gold)
    assert SCORER.values_match("release_date", "2024-06", gold, lenient=True)
    assert not SCORER.values_match("release_date", "unknown", gold)


def test_scorer_normalises_names() -> None:
    gold = {"kind": "cast", "value": "Tom Glynn-Carney"}
    assert SCORER.values_match("cast", "tom glynncarney", gold)


def test_score_counts_negatives_traps_and_matches() -> None:
    article = SCORER.GoldArticle(
        name="toy",
        text="Starfall Season 2 news\n\nStarfall Season 2 premieres on June 12, 2025.",
        title=None,
        reference_date=None,
        negative=False,
        claims=({"kind": "release_date", "value": "2025-06-12", "certainty": "official"},),
        distractors=("Starfall Season 2 premieres on June 12, 2025.",),
    )
    negative = SCORER.GoldArticle(
        name="neg",
        text="Library hours\n\nBooks premiere on the shelf on June 12, 2025.",
        title=None,
        reference_date=None,
        negative=True,
        claims=(),
    )
    report = SCORER.score([article, negative], SCORER.default_extractor)
    assert report.main["release_date"].tp == 1
    assert report.trapped >= 1  # the predicted evidence overlaps the planted distractor
    assert report.negative_claims == report.main["release_date"].fp + sum(
        t.fp for k, t in report.main.items() if k != "release_date"
    )


def _all_articles() -> list[object]:
    articles = list(SCORER.load(ROOT / "tests/data/gold_seeds.json"))
    if DEVSET.is_dir():
        articles += SCORER.load(DEVSET)
    return articles


def test_output_respects_the_contract() -> None:
    from watcher import edtf
    from watcher.claims import extract_claims
    from watcher.claims.model import CAST_ROLES, CREW_ROLES, KINDS, STATUSES, TRAILER_VALUES

    for article in _all_articles():
        result = extract_claims(
            article.text,  # type: ignore[attr-defined]
            reference_date=article.reference_date,  # type: ignore[attr-defined]
            title=article.title,  # type: ignore[attr-defined]
        )
        for claim in result.claims:
            assert article.text[claim.start : claim.end] == claim.evidence  # type: ignore[attr-defined]
            assert claim.kind in KINDS
            if claim.kind == "release_date":
                assert edtf.is_valid(claim.value), claim.value
            if claim.date is not None:
                assert edtf.is_valid(claim.date), claim.date
            if claim.kind == "status":
                assert claim.value in STATUSES
            if claim.kind == "cast":
                assert claim.role in CAST_ROLES
            if claim.kind == "crew":
                assert claim.role in CREW_ROLES
            if claim.kind == "trailer":
                assert claim.value in TRAILER_VALUES
            if claim.kind == "episodes":
                assert claim.value.isdigit()
