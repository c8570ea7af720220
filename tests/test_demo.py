"""The demo's digest tells the timeline's story and the cross-source conflict."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from watcher import edtf
from watcher.demo import run_demo


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = run_demo(tmp_path_factory.mktemp("demo") / "home", echo=lambda _line: None)
    return index.parent


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _timeline_changes(site: Path, what: str) -> list[tuple[str | None, str | None]]:
    """(old, new) machine values of the timeline watch's changes of one kind, oldest first."""
    timeline = next(
        page for page in (site / "watches").glob("*.html") if "tracker" in page.read_text()
    )
    watch_id = timeline.stem
    pairs = []
    for article in _soup(site / "index.html").select("article.change"):
        source = article.select_one("footer a.source")
        if source is None or not source["href"].endswith(f"watches/{watch_id}.html"):
            continue
        if article.select_one(".what").get_text(strip=True) != what:
            continue
        if "Season 2" not in article.select_one(".subject").get_text():
            continue
        if "ch-changed" not in article["class"] and "ch-added" not in article["class"]:
            continue

        def machine(side: str, node: BeautifulSoup = article) -> str | None:
            data = node.select_one(f".side.{side} data")
            return str(data["value"]) if data is not None else None

        pairs.append((machine("old"), machine("new")))
    return pairs[::-1]


def test_timeline_release_date_moves_in_order(site: Path) -> None:
    pairs = _timeline_changes(site, "release date")
    first_value = pairs[0][1]
    assert pairs[0][0] is None and first_value is not None
    assert edtf.describe(first_value) == "late 2022 – 2023"
    moves = [(old, new) for old, new in pairs if old is not None]
    assert moves == [
        (first_value, "unknown"),
        ("unknown", "2023-04-14"),
        ("2023-04-14", "2024-01-05"),
    ]


def test_timeline_status_moves_from_undecided_to_renewed(site: Path) -> None:
    assert ("undecided", "renewed") in _timeline_changes(site, "status")


def test_subject_page_shows_sources_side_by_side_with_the_conflict(site: Path) -> None:
    page = _soup(site / "subjects" / "all-of-us-are-dead-season-2.html")
    assert page.select_one(".conflict-banner") is not None
    release = page.select_one("#view-release_date")
    assert release is not None and release.select_one(".conflict-badge") is not None
    values = {str(d["value"]) for d in release.select(".group-head data")}
    assert {"2023-04-14", "2024-01-05", "unknown"} <= values
    sources = {a.get_text(strip=True) for a in release.select(".says a[href^='../watches/']")}
    assert len(sources) >= 4, "several sources, each with its own value"
    assert release.select(".says blockquote, .says .evidence"), "evidence quoted"
    assert not page.find_all("script")
