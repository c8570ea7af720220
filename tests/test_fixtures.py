"""The fixture transport answers through a real httpx client, like a server would."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import SNAPSHOTS
from watcher.fixtures import FixtureTransport, load_manifest

TIMELINE = "https://news.example/tv/all-of-us-are-dead-season-2-tracker"


def test_manifest_serves_every_seed() -> None:
    urls = load_manifest(SNAPSHOTS)
    pages = [u for u in urls if not u.timeline]
    files = {v.file for u in urls for v in u.versions}
    assert files == {p.name for p in SNAPSHOTS.glob("*.txt")}
    assert len(pages) == 5
    [timeline] = [u for u in urls if u.timeline]
    assert [v.file[:3] for v in timeline.versions] == ["001", "003", "000", "004", "002"]
    dates = [v.last_modified for v in timeline.versions]
    assert dates == sorted(dates), "the timeline moves forward in publication order"


def test_answers_with_validators_and_304() -> None:
    transport = FixtureTransport()
    with httpx.Client(transport=transport) as client:
        first = client.get(TIMELINE)
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/plain")
        assert "Season 2" in first.text
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert client.get(TIMELINE, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(TIMELINE, headers={"If-Modified-Since": modified}).status_code == 304
        transport.round_index = 1
        moved = client.get(TIMELINE, headers={"If-None-Match": etag})
        assert moved.status_code == 200
        assert moved.headers["etag"] != etag
        assert moved.content != first.content
        transport.round_index = 99  # past the end: the last version stays
        assert client.get(TIMELINE).headers["last-modified"].endswith("2023 12:00:00 GMT")


@pytest.mark.parametrize("path", ["/nope", "/robots.txt"])
def test_unknown_urls_are_404(path: str) -> None:
    with httpx.Client(transport=FixtureTransport()) as client:
        assert client.get(f"https://news.example{path}").status_code == 404
