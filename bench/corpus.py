"""A deterministic corpus of realistic release-news pages for the benchmarks.

``render_page(seed, index, version)`` returns one HTML page of 30–80 KB shaped
like a real news article page: a ``<head>`` with metadata, JSON-LD and a large
inline stylesheet, analytics and ad scripts, a navigation bar, ad slots, the
article itself (title, byline, dates and 8–20 paragraphs that state a release
date, a platform, a production status, cast, crew, a trailer and an episode
count among plot filler), related links, a comment thread and a long footer.

Every word is generated here from small invented vocabularies and templates
(no text comes from any real article). The same ``(seed, index, version)``
always gives the same bytes, so an unchanged page is byte-identical between
rounds. A new version moves one or two facts (a release date pushed back, a
status moving on, a cast member joining, a trailer out, an episode count),
stamps an "Updated" time and adds comments, as a real article update does.

``changed_in_round(seed, n, round_no, fraction)`` says which pages change in a
round: exactly ``round(fraction * n)`` of them, a different set each round.

Run ``python bench/corpus.py --pages 5 --out /tmp/corpus`` to look at a few
pages, or ``python bench/corpus.py --stats 200`` for the size distribution.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import html
import json
import random
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

MONTHS: Final = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
SEASONS_OF_YEAR: Final = ("spring", "summer", "fall", "winter")
ORDINALS: Final = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
)  # fmt: skip
NUMBER_WORDS: Final = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "eleven", "twelve",
)  # fmt: skip

FIRST: Final = (
    "Mara", "Tomas", "Ines", "Devon", "Keiko", "Ruben", "Alma", "Jonah", "Priya",
    "Lukas", "Noor", "Felix", "Hana", "Oscar", "Zara", "Milo", "Soraya", "Emil",
    "Talia", "Bruno", "Yara", "Caspian", "Leni", "Arjun", "Odette", "Rafael",
    "Selin", "Hugo", "Mei", "Anders", "Liesel", "Kwame", "Ottilie", "Vasco",
)  # fmt: skip
LAST: Final = (
    "Okafor", "Lindqvist", "Varga", "Moreau", "Tanaka", "Castellano", "Brennan",
    "Haddad", "Novak", "Whitfield", "Sandoval", "Kowalczyk", "Achterberg",
    "Delacroix", "Ferreira", "Nakamura", "Osei", "Petrov", "Quiroga", "Rasmussen",
    "Szabo", "Thornbury", "Umeh", "Valdez", "Wexler", "Yilmaz", "Zeller",
    "Abernathy", "Bakshi", "Carrow", "Engstrom", "Galloway", "Iwata", "Jablonski",
)  # fmt: skip
TITLE_ADJ: Final = (
    "Glass", "Hollow", "Crimson", "Silent", "Northern", "Iron", "Paper", "Velvet",
    "Broken", "Golden", "Last", "Wild", "Quiet", "Burning", "Frozen", "Sunken",
)  # fmt: skip
TITLE_NOUN: Final = (
    "Orchard", "Kingdom", "Ledger", "Harbor", "Signal", "Circuit", "Garden",
    "Archive", "Frontier", "Tide", "Compass", "Lantern", "Meridian", "Empire",
    "Orbit", "Verdict", "Parish", "Relay",
)  # fmt: skip
PLATFORMS: Final = (
    "Netflix", "Prime Video", "Disney+", "Hulu", "Apple TV+", "Max", "Paramount+",
    "Peacock", "Crunchyroll", "BBC iPlayer",
)  # fmt: skip
CITIES: Final = (
    "Vancouver", "Belfast", "Prague", "Budapest", "Atlanta", "Seoul", "Cape Town",
    "Lisbon", "Glasgow", "Toronto", "Wellington", "Reykjavik",
)  # fmt: skip
OUTLETS: Final = (
    "Screen Ledger", "The Reel Desk", "Cutaway Weekly", "Broadcast Beat",
    "Frame Rate Daily", "Premiere Wire",
)  # fmt: skip
SECTIONS: Final = (
    "News", "TV", "Movies", "Streaming", "Reviews", "Interviews", "Games", "Anime",
    "Comics", "Music", "Tech", "Culture", "Awards", "Box Office", "Trailers", "Podcasts",
)  # fmt: skip
NOUNS: Final = (
    "heir", "detective", "smuggler", "archivist", "pilot", "surgeon", "cartographer",
    "ferryman", "courier", "botanist", "hacker", "magistrate", "diver", "novelist",
)  # fmt: skip
PLACES: Final = (
    "a drowned city", "the border town", "a failing vineyard", "the orbital station",
    "a mountain monastery", "the night market", "a coastal prison", "the old observatory",
    "a research ship", "the abandoned mall", "a mining colony", "the capital's archive",
)  # fmt: skip
VERBS: Final = (
    "uncovers", "guards", "chases", "betrays", "rebuilds", "forgets", "inherits",
    "hunts for", "smuggles", "deciphers", "protects", "abandons",
)  # fmt: skip
THINGS: Final = (
    "a stolen ledger", "the family secret", "a missing signal", "an old promise",
    "the last map", "a sealed letter", "the rival crew", "a forged confession",
    "the drowned relay", "a forgotten vault", "the silver key", "a buried archive",
)  # fmt: skip
OPINIONS: Final = (
    "Fans have been waiting a long time for news.",
    "The show quickly climbed the streaming charts after its debut.",
    "Critics praised the cinematography and the score.",
    "Viewers on social media have been split on the cliffhanger.",
    "The writers' room reportedly met again earlier this year.",
    "It remains one of the most watched series of its genre.",
    "Several plot threads were left open at the end of the last episode.",
    "The cast has been sharing photos from the set.",
    "Ratings stayed strong for weeks after the premiere.",
    "The soundtrack album also topped the charts.",
)  # fmt: skip
COMMENT_BITS: Final = (
    "Can't wait", "Finally some news", "That cliffhanger though", "Another long wait",
    "Best show of the year", "I hope they keep the original cast", "Not sure about this",
    "Rewatching the whole thing now", "The books were better", "Please don't cancel it",
    "This better be worth it", "Who else is here after the trailer",
)  # fmt: skip

STATUS_STEPS: Final = ("renewed", "in_development", "filming", "post_production", "scheduled")
BASE_DAY: Final = date(2025, 1, 6)
Rngs = Callable[..., random.Random]


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    character: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What version ``v`` of an article says; updates move these."""

    show: str
    season: int
    platform: str
    published: date
    release: date | None  # None: only a vague window is known
    window_year: int
    status: str
    cast: tuple[Person, ...]
    leaving: tuple[Person, ...]
    director: str
    creator: str
    trailer: date | None
    episodes: int | None
    updated: datetime | None = None
    notes: tuple[str, ...] = field(default=())


def _rng(*parts: object) -> random.Random:
    key = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(key, "big"))


def _name(r: random.Random) -> str:
    return f"{r.choice(FIRST)} {r.choice(LAST)}"


def _day(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def show_title(r: random.Random) -> str:
    title = f"{r.choice(TITLE_ADJ)} {r.choice(TITLE_NOUN)}"
    return f"The {title}" if r.random() < 0.4 else title


@functools.lru_cache(maxsize=65536)
def base_facts(seed: int, index: int) -> Facts:
    """Version 0 of article ``index``."""
    r = _rng(seed, index, "base")
    published = BASE_DAY + timedelta(days=r.randrange(0, 600))
    cast = tuple(
        Person(_name(r), f"{r.choice(FIRST)} {r.choice(LAST)}") for _ in range(r.randint(3, 6))
    )
    release = published + timedelta(days=r.randrange(40, 400)) if r.random() < 0.6 else None
    return Facts(
        show=show_title(r),
        season=r.randint(2, 5),
        platform=r.choice(PLATFORMS),
        published=published,
        release=release,
        window_year=(release or published + timedelta(days=300)).year,
        status=r.choice(STATUS_STEPS[:3]),
        cast=cast,
        leaving=(),
        director=_name(r),
        creator=_name(r),
        trailer=None,
        episodes=r.choice((None, 6, 8, 8, 10, 12)),
    )


def _update(facts: Facts, r: random.Random, version: int) -> Facts:
    """One article update: one or two facts move."""
    updated = datetime.combine(facts.published, datetime.min.time()) + timedelta(
        days=version * 9 + r.randrange(0, 5), hours=r.randrange(6, 22), minutes=r.randrange(60)
    )
    notes = list(facts.notes)
    for _ in range(r.choice((1, 1, 2))):
        what = r.choice(("delay", "status", "join", "leave", "trailer", "episodes"))
        if what == "delay":
            old = facts.release
            new = (old or facts.published) + timedelta(days=r.randrange(30, 160))
            if old is not None:
                notes.append(
                    f"Update: the premiere of {facts.show} has been pushed back from "
                    f"{_day(old)} to {_day(new)}."
                )
            facts = replace(facts, release=new, window_year=new.year)
        elif what == "status":
            i = STATUS_STEPS.index(facts.status)
            facts = replace(facts, status=STATUS_STEPS[min(i + 1, len(STATUS_STEPS) - 1)])
        elif what == "join":
            facts = replace(facts, cast=(*facts.cast, Person(_name(r), _name(r))))
        elif what == "leave" and len(facts.cast) > 2:
            gone = facts.cast[r.randrange(len(facts.cast))]
            facts = replace(
                facts,
                cast=tuple(p for p in facts.cast if p != gone),
                leaving=(*facts.leaving, gone),
            )
        elif what == "trailer" and facts.trailer is None:
            facts = replace(facts, trailer=updated.date())
        else:
            facts = replace(facts, episodes=r.choice((6, 7, 8, 9, 10, 12)))
    return replace(facts, updated=updated, notes=tuple(notes[-3:]))


def facts_at(seed: int, index: int, version: int) -> Facts:
    facts = base_facts(seed, index)
    for v in range(1, version + 1):
        facts = _update(facts, _rng(seed, index, "v", v), v)
    return facts


def slug(seed: int, index: int) -> str:
    facts = base_facts(seed, index)
    words = f"{facts.show} season {facts.season} release date cast trailer".lower().split()
    return "-".join(w for w in words if w != "the")


def page_path(seed: int, index: int) -> str:
    """The URL path of article ``index`` (the server parses the index back out)."""
    return f"/tv/{index}/{slug(seed, index)}"


# ---------------------------------------------------------------- the article


def _fact_paragraphs(f: Facts, rr: Rngs) -> list[tuple[str, str]]:
    """(h2 or '', paragraph) pairs stating the facts, wording varied per page.

    Each paragraph draws from its own generator, so a fact that moves leaves the
    wording of the others as it was."""
    s, n, p = f.show, f.season, f.platform
    r = rr("release")
    out: list[tuple[str, str]] = []
    if f.release is not None:
        out.append(
            (
                f"When does {s} season {n} come out?",
                r.choice(
                    (
                        f"{s} season {n} will premiere on {_day(f.release)}, on {p}.",
                        f"{p} has confirmed that season {n} of {s} arrives on {_day(f.release)}.",
                        f"Mark your calendars: the new season of {s} starts streaming "
                        f"{_day(f.release)} on {p}.",
                    )
                ),
            )
        )
    else:
        season_word = r.choice(SEASONS_OF_YEAR)
        out.append(
            (
                f"{s} season {n} release date",
                r.choice(
                    (
                        f"There is no official release date for season {n} yet, but "
                        f"{r.choice(OUTLETS)} reports that it is expected in "
                        f"{season_word} {f.window_year}.",
                        f"{p} has not announced a date. Insiders point to a release in "
                        f"{season_word} {f.window_year} at the earliest.",
                    )
                ),
            )
        )
    r = rr("status")
    status_text = {
        "renewed": f"{p} officially renewed {s} for a {ORDINALS[n - 1]} season "
        f"in {MONTHS[f.published.month - 1]} {f.published.year}.",
        "in_development": f"Season {n} of {s} is in development; scripts are being written "
        "and filming has not started.",
        "filming": f"Filming on season {n} began in {r.choice(CITIES)} and is expected to "
        "last several months.",
        "post_production": f"Filming has wrapped and season {n} of {s} is now in post-production.",
        "scheduled": f"The episodes are finished and {p} has put season {n} on its schedule.",
    }
    out.append(("", status_text[f.status]))
    cast_lines = [
        rr("cast", c.name).choice(
            (
                f"{c.name} returns as {c.character}.",
                f"{c.name} is back as {c.character}.",
                f"{c.name} will reprise the role of {c.character}.",
            )
        )
        for c in f.cast
    ]
    out.append((f"Who is in the cast of {s} season {n}?", " ".join(cast_lines)))
    for c in f.leaving:
        out.append(("", f"{c.name} will not return as {c.character} in season {n}."))
    out.append(
        (
            "",
            rr("crew").choice(
                (
                    f"The series was created by {f.creator}; {f.director} directs the "
                    "first episodes of the new season.",
                    f"Creator {f.creator} stays on as showrunner, and {f.director} is "
                    "attached as director.",
                )
            ),
        )
    )
    if f.trailer is not None:
        out.append(
            (
                f"Is there a trailer for {s} season {n}?",
                f"Yes: {p} released the first trailer for season {n} on {_day(f.trailer)}.",
            )
        )
    else:
        out.append(
            (
                f"Is there a trailer for {s} season {n}?",
                f"Not yet. {p} has not released a trailer for the new season.",
            )
        )
    if f.episodes is not None:
        word = NUMBER_WORDS[f.episodes] if f.episodes < len(NUMBER_WORDS) else str(f.episodes)
        out.append(("", f"Season {n} will consist of {word} episodes."))
    return out


def _filler(r: random.Random, f: Facts, sentences: int) -> str:
    out: list[str] = []
    for _ in range(sentences):
        k = r.random()
        if k < 0.45:
            who = r.choice(f.cast) if f.cast else Person(_name(r), _name(r))
            out.append(
                f"{who.character}, a {r.choice(NOUNS)} from {r.choice(PLACES)}, "
                f"{r.choice(VERBS)} {r.choice(THINGS)}."
            )
        elif k < 0.75:
            out.append(r.choice(OPINIONS))
        else:
            out.append(
                f"In season {f.season - 1}, the {r.choice(NOUNS)} {r.choice(VERBS)} "
                f"{r.choice(THINGS)} near {r.choice(PLACES)}, and nothing is the same since."
            )
    return " ".join(out)


def _article(f: Facts, rr: Rngs, seed: int, index: int) -> str:
    # Filler names the original characters, so that a cast change moves only the cast line.
    base = base_facts(seed, index)
    esc = html.escape
    r = rr("byline")
    head = f"{f.show} season {f.season}: release date, cast, trailer and everything we know"
    parts = [
        '<article class="post" itemscope itemtype="https://schema.org/NewsArticle">',
        f'<h1 class="post-title" itemprop="headline">{esc(head)}</h1>',
        f'<div class="byline">By <a rel="author" href="/authors/{r.randrange(900)}">'
        f"{esc(_name(r))}</a> · "
        f'<time datetime="{f.published.isoformat()}" itemprop="datePublished">'
        f"{_day(f.published)}</time>",
    ]
    if f.updated is not None:
        parts.append(
            f' · Updated <time datetime="{f.updated.isoformat()}" itemprop="dateModified">'
            f"{_day(f.updated.date())} {f.updated:%H:%M}</time>"
        )
    parts.append("</div>")
    parts.append(
        f'<figure class="hero"><img src="/img/{index}/hero.jpg" width="1200" height="675" '
        f'alt="{esc(f.show)} key art"><figcaption>{esc(f.show)} © {esc(f.platform)}'
        "</figcaption></figure>"
    )
    parts.append(f'<p class="lead"><strong>{esc(_filler(rr("lead"), base, 2))}</strong></p>')
    for note in f.notes:
        parts.append(f'<p class="update-note"><em>{esc(note)}</em></p>')
    facts = _fact_paragraphs(f, rr)
    for i, (h2, para) in enumerate(facts):
        if h2:
            parts.append(f"<h2>{esc(h2)}</h2>")
        parts.append(f"<p>{esc(para)}</p>")
        r = rr("filler", i)
        parts.append(f"<p>{esc(_filler(r, base, r.randint(3, 7)))}</p>")
        if i == 2:
            other = (index * 7 + 3) % 997
            parts.append(
                f'<div class="also-read">Also read: <a href="{page_path(seed, other)}">'
                f"{esc(base_facts(seed, other).show)}: everything we know</a></div>"
            )
            parts.append(_ad(rr("ad"), "in-article"))
    r = rr("closing")
    parts.append(f"<p>{esc(_filler(r, base, r.randint(3, 6)))}</p>")
    parts.append(
        '<div class="tags">'
        + "".join(
            f'<a class="tag" href="/tag/{t.lower().replace(" ", "-")}">{esc(t)}</a>'
            for t in (f.show, f.platform, "TV", "Release dates")
        )
        + "</div></article>"
    )
    return "".join(parts)


# ---------------------------------------------------------------- the page around it


def _ad(r: random.Random, where: str) -> str:
    unit = f"/{r.randrange(10**8, 10**9)}/news/{where}"
    return (
        f'<div class="ad-slot ad-{where}" data-ad-unit="{unit}" data-sizes="[[300,250],[728,90]]">'
        f'<div id="gpt-{r.randrange(10**6)}"></div><script>window.adq=window.adq||[];'
        f'adq.push({{unit:"{unit}",lazy:true,refresh:30}});</script></div>'
    )


def _css(r: random.Random, rules: int) -> str:
    props = (
        "margin:0 auto", "padding:12px 16px", "display:flex", "font-size:15px",
        "line-height:1.55", "color:#1b1b1f", "background:#fff", "border-radius:6px",
        "grid-template-columns:repeat(auto-fill,minmax(220px,1fr))", "gap:12px",
        "text-decoration:none", "box-shadow:0 1px 3px rgba(0,0,0,.12)",
    )  # fmt: skip
    out = []
    for i in range(rules):
        sel = f".c-{r.choice(('nav', 'card', 'post', 'ad', 'foot', 'cmt', 'hdr'))}-{i:x}"
        out.append(sel + "{" + ";".join(r.sample(props, r.randint(2, 5))) + "}")
    return "".join(out)


def _scripts(r: random.Random, size: int) -> str:
    cfg = {
        "site": "cutaway",
        "consent": {"vendors": [r.randrange(1000) for _ in range(60)], "purposes": list(range(11))},
        "ads": {
            "slots": [
                {"id": f"slot-{i}", "sizes": [[300, 250], [728, 90]], "refresh": 30}
                for i in range(12)
            ]
        },
        "experiments": {f"exp_{i}": r.choice(("a", "b", "control")) for i in range(40)},
    }
    blob = json.dumps(cfg, separators=(",", ":"))
    fn = (
        "!function(w,d){var q=w.__tq=w.__tq||[];function t(e,p){q.push([e,p,Date.now()])}"
        "d.addEventListener('scroll',function(){t('scroll',w.scrollY)},{passive:true});"
        "w.addEventListener('load',function(){t('load',performance.now())})}(window,document);"
    )
    chunks = [f"<script>window.__CONFIG__={blob};</script>", f"<script>{fn}</script>"]
    filler: list[str] = []
    total = 0
    while total < size:
        filler.append(
            f"function m{r.randrange(10**6):x}(a,b){{return a&&a.{r.choice(NOUNS)}"
            f"?b({r.randrange(999)}):null}}"
        )
        total += len(filler[-1])
    chunks.append("<script>" + ";".join(filler) + "</script>")
    return "".join(chunks)


def _nav(r: random.Random) -> str:
    links = []
    for sec in SECTIONS:
        sub = "".join(
            f'<li><a href="/{sec.lower().replace(" ", "-")}/{w.lower()}">{w}</a></li>'
            for w in r.sample(TITLE_NOUN, r.randint(3, 6))
        )
        href = sec.lower().replace(" ", "-")
        links.append(f'<li class="menu"><a href="/{href}">{sec}</a><ul>{sub}</ul></li>')
    return (
        '<header class="site"><a class="logo" href="/">Cutaway</a><nav aria-label="Main"><ul>'
        + "".join(links)
        + '</ul></nav><form class="search" action="/search"><input name="q" placeholder="Search">'
        "</form></header>"
    )


def _related(r: random.Random, seed: int, index: int, count: int) -> str:
    cards = []
    for k in range(count):
        other = (index * 31 + k * 17 + 1) % 5000
        f = base_facts(seed, other)
        cards.append(
            f'<li class="card"><a href="{page_path(seed, other)}">'
            f'<img src="/img/{other}/thumb.jpg" loading="lazy" alt="">'
            f"<h3>{html.escape(f.show)} season {f.season}: what we know"
            f'</h3></a><p class="teaser">{html.escape(r.choice(OPINIONS))}</p></li>'
        )
    return f'<aside class="related"><h2>More from TV</h2><ul>{"".join(cards)}</ul></aside>'


def _comments(r: random.Random, count: int, start: date) -> str:
    items = []
    for k in range(count):
        when = start + timedelta(days=k // 4)
        text = ". ".join(r.sample(COMMENT_BITS, r.randint(1, 3))) + r.choice(("!", ".", "?"))
        items.append(
            f'<li class="comment" id="c{k}"><div class="meta"><span class="author">'
            f"{r.choice(FIRST).lower()}_{r.randrange(100, 9999)}</span> "
            f'<time datetime="{when.isoformat()}">{_day(when)}</time></div>'
            f'<p>{html.escape(text)}</p><button class="reply">Reply</button> '
            f'<button class="like">♥ {r.randrange(0, 400)}</button></li>'
        )
    return (
        f'<section class="comments"><h2>{count} comments</h2><ol>{"".join(items)}</ol>'
        '<form class="new-comment"><textarea name="c"></textarea><button>Post</button></form>'
        "</section>"
    )


def _footer(r: random.Random) -> str:
    cols = []
    for sec in SECTIONS:
        cols.append(
            f"<div><h4>{sec}</h4><ul>"
            + "".join(
                f'<li><a href="/{sec.lower().replace(" ", "-")}/{p}">{p.title()}</a></li>'
                for p in ("latest", "features", "guides", "lists")
            )
            + "</ul></div>"
        )
    return (
        '<footer class="site-footer"><div class="cols">'
        + "".join(cols)
        + '</div><form class="newsletter"><input type="email" name="email">'
        "<button>Subscribe</button></form><p>© 2026 Cutaway Media. All rights reserved. "
        '<a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> · '
        '<a href="/cookies">Cookie settings</a></p>'
        '<div id="cookie-banner" hidden>We use cookies to personalise content and ads.'
        "<button>Accept</button><button>Manage</button></div></footer>"
    )


def render_page(seed: int, index: int, version: int) -> str:
    """Version ``version`` of article ``index``: 30–80 KB of HTML."""
    f = facts_at(seed, index, version)
    # Chrome stays the same between versions, the article and the comments do not.
    chrome = _rng(seed, index, "chrome")

    def rr(*tag: object) -> random.Random:
        return _rng(seed, index, *tag)

    size_class = chrome.random()
    css_rules = int(60 + size_class * 260)
    script_bytes = int(4_000 + size_class * 18_000)
    comments = int(6 + size_class * 40) + version * 2
    title = f"{f.show} Season {f.season}: Release Date, Cast, Trailer | Cutaway"
    description = f"Everything we know about {f.show} season {f.season} on {f.platform}."
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": f.published.isoformat(),
        "dateModified": (f.updated.isoformat() if f.updated else f.published.isoformat()),
        "publisher": {"@type": "Organization", "name": "Cutaway"},
    }
    esc = html.escape
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f'<meta name="description" content="{esc(description)}">',
        f'<meta property="og:title" content="{esc(title)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="article:published_time" content="{f.published.isoformat()}T08:00:00Z">',
        f'<link rel="canonical" href="https://cutaway.example{page_path(seed, index)}">',
        f'<script type="application/ld+json">{json.dumps(ld)}</script>',
        f"<style>{_css(chrome, css_rules)}</style>",
        _scripts(chrome, script_bytes),
        "</head><body>",
        _nav(chrome),
        _ad(chrome, "leaderboard"),
        '<main class="layout"><div class="col-main">',
        _article(f, rr, seed, index),
        _comments(rr("comments"), comments, f.published),
        "</div>",
        '<div class="col-side">',
        _ad(chrome, "sidebar"),
        _related(chrome, seed, index, 10 + int(size_class * 10)),
        _ad(chrome, "sidebar-2"),
        "</div></main>",
        _footer(chrome),
        '<script async src="/static/app.js"></script></body></html>',
    ]
    return "".join(parts)


# ---------------------------------------------------------------- rounds


def changed_in_round(seed: int, n: int, round_no: int, fraction: float) -> list[int]:
    """The pages that change in round ``round_no``: exactly ``round(fraction * n)``."""
    k = round(fraction * n)
    if k <= 0:
        return []
    if k >= n:
        return list(range(n))
    return sorted(_rng(seed, "round", round_no).sample(range(n), k))


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=3, help="pages to write with --out")
    parser.add_argument("--version", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write pages here as <index>.html")
    parser.add_argument("--stats", type=int, default=0, help="size stats over this many pages")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for i in range(args.pages):
            page = render_page(args.seed, i, args.version)
            (args.out / f"{i}.html").write_text(page, encoding="utf-8")
        print(f"wrote {args.pages} pages to {args.out}")
    if args.stats:
        sizes = [len(render_page(args.seed, i, 0).encode()) for i in range(args.stats)]
        print(
            f"{args.stats} pages: min {min(sizes) / 1024:.1f} KB, median "
            f"{statistics.median(sizes) / 1024:.1f} KB, max {max(sizes) / 1024:.1f} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(_main())
