"""Atom feed: feedparser reads it cleanly, ids are stable, markup stays text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
from bs4 import BeautifulSoup

from tests.test_digest import IMG, SCRIPT, at, sample_input
from watcher.digest import build_digest
from watcher.feed import ATOM, entry_id, render_feed


def parse(xml: str) -> feedparser.FeedParserDict:
    return feedparser.parse(xml)


def test_feed_parses_cleanly_with_one_entry_per_change() -> None:
    data = sample_input()
    digest = build_digest(data)
    xml = render_feed(digest, now=data.now, site_url="https://digest.example/")
    feed = parse(xml)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(data.changes)
    newest = feed.entries[0]
    last = max(data.changes, key=lambda r: (r.at, r.id))
    assert newest.id == entry_id(last.id) == f"tag:watcher,2024:change/{last.id}"
    assert newest.title == (
        "All of Us Are Dead Season 2 — release date: April 14, 2023 → January 5, 2024"
    )
    assert newest.link == "https://digest.example/subjects/all-of-us-are-dead-season-2.html"
    assert newest.updated == "2023-03-20T08:00:00Z"
    assert {t.term for t in newest.tags} == {"headline", "release_date"}
    assert feed.feed.title == "K-drama watch"


def test_feed_content_escapes_planted_markup() -> None:
    data = sample_input()
    xml = render_feed(build_digest(data), now=data.now, site_url="https://digest.example/")
    # The HTML body escapes the evidence, and the XML escapes the HTML once more.
    assert "<script>" not in xml
    root = ET.fromstring(xml)
    html = root.findtext(f"{{{ATOM}}}entry/{{{ATOM}}}content") or ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html and "<blockquote>" in html
    content = parse(xml).entries[0].content[0]
    assert content.type == "text/html"
    assert SCRIPT in BeautifulSoup(content.value, "html.parser").get_text()


def test_feed_from_a_list_of_changes_without_site_url() -> None:
    data = sample_input()
    views = build_digest(data).feed
    xml = render_feed(list(reversed(views)), now=at("2023-04-02T09:00"), site_url="")
    feed = parse(xml)
    assert feed.bozo == 0
    assert [e.id for e in feed.entries] == [entry_id(v.id) for v in views]
    assert feed.feed.id == "tag:watcher,2024:digest"


def test_feed_survives_control_characters_and_empty_input() -> None:
    empty = parse(render_feed([], now=at("2023-04-02T09:00"), site_url=""))
    assert empty.bozo == 0 and empty.entries == []
    data = sample_input()
    views = build_digest(data).feed
    odd = [
        v.__class__(
            **{**{f: getattr(v, f) for f in v.__slots__}, "subject": f"Bad\x00\x0bname {IMG}"}
        )
        for v in views[:1]
    ]
    feed = parse(render_feed(odd, now=data.now, site_url=""))
    assert feed.bozo == 0
    assert feed.entries[0].title.startswith(f"Badname {IMG}")
