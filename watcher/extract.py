"""From a page to an article: title, main text and publication date (pure).

HTML goes through trafilatura, which drops menus, sidebars, "Also read" boxes
and footers, and htmldate's metadata search for the publication date (no
guessing from the body text, which holds release dates, not publication dates).
Plain text is taken as it is, its first line as the title. A CSS selector on a
watch narrows the page before extraction.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from watcher.errors import ExtractionError

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from lxml.html import HtmlElement

log = logging.getLogger(__name__)
# trafilatura logs at ERROR what is an ordinary outcome here (an empty page, JSON or
# XML served as HTML), which the visible-text fallback below handles; its lines
# would only alarm the user (and a check process's last-resort handler prints them).
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_BLANK_RUNS = re.compile(r"\n{3,}")
_HTML_SNIFF = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body|<!--|<meta|<div|<p\b)", re.I)
# trafilatura and htmldate parse with module-level lxml parsers, and an lxml parser
# used from two threads at once can crash the process (seen under load in bench/).
# Extraction is CPU-bound under the GIL anyway, so one at a time costs nothing.
_LXML_LOCK = threading.Lock()
_TITLE_MIN_WORDS = 4
_NEVER_TEXT = ("script", "style", "noscript", "template")
_CHROME = ("nav", "footer", "aside", "header")
_MARKUP_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")


@dataclass(frozen=True, slots=True)
class Article:
    """The parts of a page the claims engine reads."""

    title: str | None
    text: str
    published: date | None  # from the page's own metadata, when it has any


def is_markup(text: str, content_type: str | None) -> bool:
    """HTML by media type, or by its first bytes when the type is missing or text/plain."""
    if content_type and content_type.split(";")[0].strip().lower() in _MARKUP_TYPES:
        return True
    return bool(_HTML_SNIFF.match(text[:512].encode("utf-8", "ignore")))


def extract_article(
    text: str,
    *,
    content_type: str | None,
    url: str | None,
    now: datetime,
    selector: str | None = None,
) -> Article:
    """Turn a decoded page into an :class:`Article`.

    ``now`` bounds the publication date search (a page cannot be published in the
    future); it is passed in so this stays a pure function."""
    if not is_markup(text, content_type):
        return _plain_article(text)
    try:
        with _LXML_LOCK:
            return _html_article(text, url=url, now=now, selector=selector)
    except ExtractionError:
        raise
    except Exception as exc:  # lxml and trafilatura raise many kinds on hostile markup
        raise ExtractionError(f"could not extract the article from {url}: {exc}") from exc


def load_html_tools() -> None:
    """Import what HTML extraction needs now rather than at the first HTML page: a
    check process does it while starting, before it is handed any watches."""
    import htmldate  # noqa: F401
    import lxml.html  # noqa: F401
    import trafilatura  # noqa: F401


def _could_be_title(line: str) -> bool:
    """A headline has a few words; a three-word one ("Fedora 44 Released") needs a
    number or a second capital, which menu lines ("Skip to content") lack."""
    words = line.split()
    if len(line) > 200 or len(words) < _TITLE_MIN_WORDS - 1:
        return False
    if len(words) >= _TITLE_MIN_WORDS:
        return True
    return any(ch.isdigit() for ch in line) or sum(w[:1].isupper() for w in words) >= 2


def _plain_article(text: str) -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\ufeff")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Saved pages open with chrome ("top of page", "Menu", "Skip to content"): a headline
    # has a few words and is not a paragraph, so take the first line that looks like one.
    title = next(
        (line for line in lines[:10] if _could_be_title(line)), lines[0] if lines else None
    )
    return Article(title=title, text=text, published=None)


def _html_article(text: str, *, url: str | None, now: datetime, selector: str | None) -> Article:
    import trafilatura  # heavy import: only pages that are HTML need it
    from htmldate import find_date
    from lxml import html as lxml_html

    if selector:
        # The user picked the article: take all of its text, with no boilerplate guessing.
        body = _visible_text(_select(text, selector, url), drop=_NEVER_TEXT)
    else:
        # fast: no readability/justext fallback comparison, and no metadata pass (author,
        # licence, categories): ~60% of extraction, with the same text on news pages.
        document = trafilatura.bare_extraction(
            text,
            url=url,
            fast=True,
            with_metadata=False,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
        body = getattr(document, "text", None) or ""
        if not body.strip():
            # No main text found (tiny or odd pages): fall back to the visible text.
            body = _visible_text(text, drop=_NEVER_TEXT + _CHROME)
    # The whole page, not the selected part: title and date live in its head.
    tree = lxml_html.document_fromstring(
        text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8")
    )
    published_text = find_date(
        tree, extensive_search=False, original_date=True, max_date=now.strftime("%Y-%m-%d")
    )
    # One line per block from trafilatura; the claims engine reads blank-line paragraphs.
    body = _BLANK_RUNS.sub("\n\n", body.replace("\n", "\n\n")).strip()
    return Article(title=_title(tree), text=body, published=_parse_day(published_text))


def _title(tree: HtmlElement) -> str | None:
    """The headline: og:title, else the first h1, else <title>; sites' own names stay in
    the last, which the claims engine's subject detection tolerates."""
    for path in ('//meta[@property="og:title"]/@content', "//h1", "//title"):
        for found in tree.xpath(path):
            value = found if isinstance(found, str) else found.text_content()
            value = " ".join(value.split())
            if value:
                return value
    return None


def _soup(html: str) -> BeautifulSoup:
    """``html`` parsed by bs4. XML served as HTML is parsed as HTML on purpose: its
    visible text is what we want, so bs4's advice to use an XML parser is silenced
    (filterwarnings drops an identical filter before adding it: no pile-up)."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)
    return BeautifulSoup(html, "lxml")


def _select(html: str, selector: str, url: str | None) -> str:
    soup = _soup(html)
    found = soup.select(selector)
    if not found:
        raise ExtractionError(
            f"selector {selector!r} matches nothing on {url}; the page layout may have changed"
        )
    return "".join(str(node) for node in found)


def _visible_text(html: str, *, drop: tuple[str, ...]) -> str:
    soup = _soup(html)
    for node in soup(list(drop)):
        node.decompose()
    return soup.get_text("\n", strip=True)


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        log.debug("unusable publication date %r", value)
        return None
