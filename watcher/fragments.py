"""HTML of the pieces a digest repeats thousands of times: a claim, its evidence, a
change event (pure).

The pages are Jinja templates; these three pieces are Python functions that the
templates call, because a digest of 10,000 change events shows each change on
a page of changes and on its subject page, and a Jinja macro call costs about
twice the CPU of this code. Every value goes through ``markupsafe.escape``
(attribute values are double-quoted, and escape quotes them too); the result is
``Markup``, so Jinja's autoescape leaves it as is.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from watcher.site import ChangeView, ValueView, iso, local_href, web_url, when


def value_html(value: ValueView) -> Markup:
    """One claim as said: the value (its machine form in ``data``), role, certainty."""
    e = escape
    title = f' title="EDTF {e(value.machine)}"' if value.kind == "release_date" else ""
    role = ""
    if value.role:
        character = f" as {e(value.character)}" if value.character else ""
        role = f'<span class="role">({e(value.role)}{character})</span>'
    superseded = " superseded" if value.superseded else ""
    tag = '<span class="tag">no longer current</span>' if value.superseded else ""
    return Markup(
        f'<span class="value{superseded}">'
        f'<data class="said" value="{e(value.machine)}"{title}>{e(value.text)}</data>'
        f'{role}<span class="certainty c-{e(value.certainty)}">{e(value.certainty)}</span>'
        f"{tag}</span>"
    )


def evidence_html(value: ValueView) -> Markup:
    """The sentence a claim was read from, quoted; nothing when there is none."""
    if not value.evidence:
        return Markup("")
    return Markup(f'<blockquote class="evidence">{escape(value.evidence)}</blockquote>')


def change_html(change: ChangeView, root: str) -> Markup:
    """One change event; ``root`` is the path from the page back to the site root."""
    e = escape
    r = e(root)
    badge = '<span class="badge headline-badge">headline</span>' if change.headline else ""
    if change.subject_slug:
        subject = (
            f'<a class="subject" href="{r}subjects/{e(change.subject_slug)}.html">'
            f"{e(change.subject)}</a>"
        )
    else:
        subject = f'<span class="subject">{e(change.subject)}</span>'
    sides = ""
    if change.old:
        sides += (
            '<div class="side old"><span class="label">was</span> '
            f"{value_html(change.old)}{evidence_html(change.old)}</div>"
        )
    if change.new:
        label = "now" if change.old else "new"
        sides += (
            f'<div class="side new"><span class="label">{label}</span> '
            f"{value_html(change.new)}{evidence_html(change.new)}</div>"
        )
    else:
        sides += (
            '<div class="side new"><span class="label">now</span> '
            '<span class="gone">no longer said</span></div>'
        )
    url = web_url(change.source.url)
    article = (
        f' · <a class="external" href="{e(url)}" rel="nofollow noopener">article</a>' if url else ""
    )
    snap = local_href(change.snapshot_path, root)
    snapshot = f' · <a class="snapshot" href="{e(snap)}">snapshot</a>' if snap else ""
    headline = " headline" if change.headline else ""
    kind = e(change.change)
    return Markup(
        f'<article class="change{headline} ch-{kind}" id="change-{change.id}">\n'
        f'<header>{badge} {subject} <span class="what">{e(change.what)}</span> '
        f'<span class="badge kind-{kind}">{kind}</span></header>\n'
        f'<div class="sides">{sides}</div>\n'
        f'<footer class="meta"><a class="source" href="{r}watches/{change.source.watch_id}.html">'
        f"{e(change.source.name)}</a>{article}{snapshot}"
        f' · <time datetime="{iso(change.at)}">{e(when(change.at))}</time></footer>\n'
        "</article>\n"
    )
