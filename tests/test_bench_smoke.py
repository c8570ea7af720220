"""The benchmark corpus and server behave as the benchmarks assume (behaviour, never speed)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import corpus
import server


def test_pages_are_deterministic_news_pages_of_30_to_80_kb() -> None:
    sizes = []
    for i in range(20):
        page = corpus.render_page(7, i, 0)
        assert page == corpus.render_page(7, i, 0)
        assert page.startswith("<!DOCTYPE html>") and "<article" in page and "<nav" in page
        sizes.append(len(page.encode()))
    assert min(sizes) > 25_000 and max(sizes) < 90_000


def test_a_new_version_moves_facts_and_keeps_the_chrome() -> None:
    old, new = corpus.render_page(7, 3, 0), corpus.render_page(7, 3, 1)
    assert old != new
    assert "Updated" in new and "Updated" not in old
    # Navigation and stylesheet come from the page's own generator, not the version's.
    assert old[: old.index("<main")] == new[: new.index("<main")].replace(
        corpus.facts_at(7, 3, 1).updated.isoformat(), corpus.base_facts(7, 3).published.isoformat()
    )


def test_rounds_change_exactly_the_fraction_asked_for() -> None:
    first = corpus.changed_in_round(7, 1000, 1, 0.1)
    second = corpus.changed_in_round(7, 1000, 2, 0.1)
    assert len(first) == len(second) == 100
    assert first != second
    assert corpus.changed_in_round(7, 1000, 1, 0.0) == []
    assert corpus.changed_in_round(7, 10, 1, 1.0) == list(range(10))


@pytest.fixture
def running() -> Iterator[server.Running]:
    srv = server.start(5, seed=7)
    try:
        yield srv
    finally:
        srv.stop()


def test_server_answers_conditional_requests_and_moves_pages_by_round(
    running: server.Running,
) -> None:
    with httpx.Client() as client:
        page = client.get(running.url(2))
        assert page.status_code == 200
        assert page.headers["content-encoding"] == "gzip"
        assert "<article" in page.text
        etag, modified = page.headers["etag"], page.headers["last-modified"]
        assert client.get(running.url(2), headers={"If-None-Match": etag}).status_code == 304
        assert (
            client.get(running.url(2), headers={"If-Modified-Since": modified}).status_code == 304
        )
        assert client.get(running.base + "/robots.txt").status_code == 200
        assert client.get(running.base + "/tv/99/nothing").status_code == 404

        moved = running.control("round", fraction=1.0)
        assert moved["changed"] == 5
        again = client.get(running.url(2), headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert again.headers["etag"] != etag
        assert again.text != page.text

        running.control("reset")
        assert client.get(running.url(2), headers={"If-None-Match": etag}).status_code == 304
        stats = running.control("stats")
        assert stats["status_304"] >= 3 and stats["cpu_s"] > 0
