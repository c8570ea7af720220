"""From a page to an article: main text without page chrome, title, publication date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from watcher.errors import ExtractionError
from watcher.extract import extract_article, is_markup

NOW = datetime(2024, 3, 1, tzinfo=UTC)

PAGE = """<!doctype html><html><head>
<title>Moonlit Harbor Season 2 gets a date | The Daily Screen</title>
<meta property="og:title" content="Moonlit Harbor Season 2 gets a date">
<meta property="article:published_time" content="2024-02-20T09:30:00Z">
<script>window.ads = [1, 2, 3];</script></head><body>
<nav><a href="/">Home</a> <a href="/tv">TV</a> <a href="/film">Film</a></nav>
<article><h1>Moonlit Harbor Season 2 gets a date</h1>
<p>Moonlit Harbor Season 2 will premiere on Hulu on May 2, 2024, the streamer announced
on Tuesday, ending months of speculation about the coastal mystery's return.</p>
<p>The second season picks up right after the finale, with the whole cast back for
eight new episodes filmed on the coast of Maine last autumn.</p></article>
<aside><h3>Also read</h3><ul><li><a href="/x">Glass Tide Season 3 release date set for
June 2024</a></li></ul></aside>
<footer>Copyright 2024 The Daily Screen. All rights reserved.</footer></body></html>"""


def test_main_text_title_and_publication_date() -> None:
    article = extract_article(PAGE, content_type="text/html", url="https://x.example/a", now=NOW)
    assert article.title == "Moonlit Harbor Season 2 gets a date"
    assert article.published == date(2024, 2, 20)
    assert "premiere on Hulu on May 2, 2024" in article.text
    for chrome in ("Glass Tide", "Copyright", "window.ads", "Home"):
        assert chrome not in article.text
    assert "\n\n" in article.text, "paragraphs are separated by blank lines"


def test_publication_date_is_never_after_now() -> None:
    early = datetime(2024, 2, 1, tzinfo=UTC)
    article = extract_article(PAGE, content_type="text/html", url=None, now=early)
    assert article.published is None or article.published <= early.date()


def test_selector_narrows_the_page_and_a_missing_one_is_an_error() -> None:
    narrowed = extract_article(
        PAGE, content_type="text/html", url="https://x.example/a", now=NOW, selector="aside"
    )
    assert "Glass Tide" in narrowed.text
    assert "Daily Screen" not in narrowed.text, "only the selected nodes"
    assert narrowed.title == "Moonlit Harbor Season 2 gets a date", "the title is the page's"
    with pytest.raises(ExtractionError, match=r"matches nothing on https://x\.example/a"):
        extract_article(
            PAGE, content_type="text/html", url="https://x.example/a", now=NOW, selector="#gone"
        )


def test_plain_text_title_skips_page_chrome() -> None:
    text = "top of page\n\nMoonlit Harbor Season 2: everything we know\n\nIt returns in May."
    article = extract_article(text, content_type="text/plain", url=None, now=NOW)
    assert article.title == "Moonlit Harbor Season 2: everything we know"
    assert article.published is None
    assert article.text.endswith("It returns in May.")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Skip to content\n\nFedora 44 Released\n\nFedora 44 is out today.", "Fedora 44 Released"),
        ("Sign in now\n\nIronvale Delayed Again\n\nThe game slips.", "Ironvale Delayed Again"),
    ],
)
def test_plain_text_short_headline_with_a_number_or_capitals(text: str, title: str) -> None:
    assert extract_article(text, content_type="text/plain", url=None, now=NOW).title == title


@pytest.mark.parametrize(
    "broken",
    [
        "<html><head><title>Broken</head><body><p>Unclosed <b>bold <div><table><td>cell",
        "<p>only a paragraph, no html element at all, but still a page</p>",
        "<html><body><p>" + "&#xZZ; < > &" * 100 + "</p></body></html>",
    ],
)
def test_malformed_html_still_gives_an_article(broken: str) -> None:
    article = extract_article(broken, content_type="text/html", url=None, now=NOW)
    assert isinstance(article.text, str)


def test_markup_is_sniffed_when_the_type_says_plain() -> None:
    assert is_markup("<!DOCTYPE html><html></html>", "text/plain")
    assert is_markup("<p>x</p>", None)
    assert not is_markup("Moonlit Harbor returns.", "text/plain")
