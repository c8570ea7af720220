"""Atom 1.0 feed of change events (pure).

Built with ElementTree rather than a template so that the XML is well formed
whatever the evidence contains (control characters are dropped, markup is
escaped by the serializer). Entry ids are ``tag:watcher,2024:change/<id>``: the
store's change id, stable across digests, so feed readers never show an event
twice.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Final

from watcher.site import ChangeView, Digest, ValueView, iso

ATOM: Final = "http://www.w3.org/2005/Atom"
TAG_PREFIX: Final = "tag:watcher,2024:"
# XML 1.0 forbids most C0 controls even as character references.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def entry_id(change_id: int) -> str:
    """The stable Atom id of one change event."""
    return f"{TAG_PREFIX}change/{change_id}"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _side(value: ValueView | None) -> str:
    if value is None:
        return "—"
    text = value.text
    if value.role:
        text += f" ({value.role})"
    return text


def entry_title(change: ChangeView) -> str:
    """``All of Us Are Dead Season 2 — release date: April 14, 2023 → January 5, 2024``."""
    if change.change == "changed":
        what = f"{_side(change.old)} → {_side(change.new)}"
    elif change.change == "added":
        what = f"now {_side(change.new)}"
    else:
        what = f"no longer {_side(change.old)}"
    return f"{change.subject} — {change.what}: {what}"


def _content(change: ChangeView) -> str:
    """A small HTML body; every value goes through ``html.escape``."""
    parts = []
    for label, value in (("was", change.old), ("now", change.new)):
        if value is None:
            continue
        parts.append(
            f"<p><strong>{label}:</strong> {escape(_side(value))} "
            f"<em>({escape(value.certainty)}"
            f"{', no longer current' if value.superseded else ''})</em></p>"
            f"<blockquote>{escape(value.evidence)}</blockquote>"
        )
    parts.append(f"<p>Source: {escape(change.source.name)} — {escape(change.source.url)}</p>")
    return "".join(parts)


def _link(site_url: str, path: str) -> str:
    return (site_url.rstrip("/") + "/" + path) if site_url else path


def render_feed(
    digest_or_changes: Digest | Sequence[ChangeView],
    *,
    now: datetime,
    site_url: str,
    title: str = "watcher digest",
) -> str:
    """Atom XML of change events, newest first."""
    if isinstance(digest_or_changes, Digest):
        changes: Sequence[ChangeView] = digest_or_changes.feed
        title = digest_or_changes.title
    else:
        changes = sorted(digest_or_changes, key=lambda c: (c.at, c.id), reverse=True)
    ET.register_namespace("", ATOM)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = _clean(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", f"{TAG_PREFIX}digest" if not site_url else _link(site_url, "feed.xml"))
    sub(feed, "title", title)
    updated = max([now, *(c.at for c in changes)]) if changes else now
    sub(feed, "updated", iso(updated))
    author = sub(feed, "author")
    sub(author, "name", "watcher")
    sub(feed, "link", rel="alternate", type="text/html", href=_link(site_url, "index.html"))
    if site_url:
        sub(feed, "link", rel="self", type="application/atom+xml", href=_link(site_url, "feed.xml"))
    sub(feed, "generator", "watcher")
    for change in changes:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(change.id))
        sub(entry, "title", entry_title(change))
        sub(entry, "updated", iso(change.at))
        sub(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=_link(
                site_url,
                f"subjects/{change.subject_slug}.html" if change.subject_slug else "index.html",
            ),
        )
        for term in ("headline",) if change.headline else ():
            sub(entry, "category", term=term)
        sub(entry, "category", term=change.kind)
        sub(entry, "content", _content(change), type="html")
    body = ET.tostring(feed, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"
