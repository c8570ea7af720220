"""Digest: page models and the rendered site, checked by parsing the HTML."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from watcher.claims.model import Claim
from watcher.diff import ClaimChange, diff_claims
from watcher.digest import (
    CHANGES_PER_PAGE,
    ChangeRecord,
    CheckRecord,
    DigestInput,
    VersionRecord,
    WatchRecord,
    build_digest,
    render_site,
)
from watcher.site import ChangeView, SourceRef, ValueView, environment, page_name

SUBJECT = "All of Us Are Dead Season 2"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def c(kind: str, value: str, certainty: str, evidence: str, **kw: object) -> Claim:
    return Claim(kind, value, certainty, evidence, 0, len(evidence), **kw)  # type: ignore[arg-type]


# Decider's article, four versions: the date moves 2022-10/2023-12 (speculative)
# → unknown → 2023-04-14 → 2024-01-05, the status undecided → renewed.
DECIDER = [
    (
        "2022-04-15T08:00",
        [
            c("status", "undecided", "reported", "Netflix has not yet renewed the show."),
            c(
                "release_date",
                "2022-10/2023-12",
                "speculative",
                "We could see it late 2022 or in 2023.",
            ),
            c("platform", "Netflix", "official", "The episodes will appear on Netflix."),
            c("cast", "Park Ji-hu", "reported", "Park Ji-hu is expected back.", role="returning"),
            c("crew", "Lee Jae-kyoo", "official", "Directed by Lee Jae-kyoo.", role="director"),
            c(
                "release_date",
                "2022-01-28",
                "official",
                "Season 1 was released on January 28, 2022.",
                subject="All of Us Are Dead Season 1",
            ),
        ],
    ),
    (
        "2022-09-15T08:00",
        [
            c(
                "status",
                "renewed",
                "official",
                "Meanwhile, Netflix has confirmed work on a second season.",
            ),
            c(
                "release_date",
                "unknown",
                "official",
                "It is currently unknown when it will continue.",
            ),
            c(
                "platform",
                "Netflix",
                "official",
                "In collaboration with Netflix, the episodes will appear there.",
            ),
            c(
                "cast",
                "Park Ji Hoo",
                "reported",
                "Park Ji Hoo should return as On-jo.",
                role="returning",
            ),
            c(
                "crew",
                "Lee Jae Kyoo",
                "official",
                "Director Lee Jae Kyoo adapted the webtoon.",
                role="director",
            ),
        ],
    ),
    (
        "2023-02-01T08:00",
        [
            c("status", "renewed", "official", "Netflix renewed the series."),
            c("release_date", "2023-04-14", "official", "Season 2 premieres April 14, 2023."),
            c("platform", "Netflix", "official", "Streaming on Netflix."),
            c("cast", "Park Ji-hu", "reported", "Park Ji-hu returns.", role="returning"),
        ],
    ),
    (
        "2023-03-20T08:00",
        [
            c("status", "renewed", "official", "Netflix renewed the series."),
            c(
                "release_date",
                "2024-01-05",
                "official",
                f"Netflix moved it to January 5, 2024. {SCRIPT}",
            ),
            c(
                "release_date",
                "2023-04-14",
                "official",
                "It was originally scheduled for April 14, 2023.",
                superseded=True,
            ),
            c("platform", "Netflix", "official", "Streaming on Netflix."),
            c("cast", "Park Ji-hu", "reported", "Park Ji-hu returns.", role="returning"),
        ],
    ),
]


def sample_input(*, since: datetime | None = None, extra_changes: int = 0) -> DigestInput:
    """Four sources about one subject, one of them failing, with planted markup."""
    versions = []
    for n, (when, claims) in enumerate(DECIDER, start=1):
        text = "\n".join(cl.evidence for cl in claims)
        versions.append(
            VersionRecord(1, n, at(when), SUBJECT, None, tuple(claims), text, f"snapshots/{n}.txt")
        )
    checks = (
        *(
            CheckRecord(v.fetched_at, "new" if i == 0 else "changed", 200, 5_000 + i, 120.5)
            for i, v in enumerate(versions)
        ),
        CheckRecord(at("2023-04-01T08:00"), "unchanged", 304, 0, 30.0),
    )
    decider = WatchRecord(
        1, "https://news.example/decider", "Decider", ("kdrama",), checks, tuple(versions)
    )
    stale = WatchRecord(
        2,
        "https://news.example/whats-on",
        "What's on Netflix",
        checks=(CheckRecord(at("2023-02-10T08:00"), "new", 200, 4_000, 99.0),),
        versions=(
            VersionRecord(
                2,
                10,
                at("2023-02-10T08:00"),
                "'All of Us Are Dead' season two",
                None,
                (
                    c("release_date", "2023-04-14", "reported", "Insiders say April 14, 2023."),
                    c("status", "renewed", "official", "It was renewed in June."),
                ),
                "Insiders say April 14, 2023.",
                "snapshots/10.txt",
            ),
        ),
    )
    fan = WatchRecord(
        3,
        "javascript:alert(1)",
        f"Fan blog {IMG}",
        checks=(CheckRecord(at("2023-03-01T08:00"), "new", 200, 3_000, 80.0),),
        versions=(
            VersionRecord(
                3,
                20,
                at("2023-03-01T08:00"),
                "All of Us Are Dead S2",
                None,
                (
                    c("release_date", "unknown", "reported", f"Nobody knows yet {IMG} when."),
                    c(
                        "cast",
                        "Park Ji Hu",
                        "speculative",
                        "Maybe Park Ji Hu comes back.",
                        role="returning",
                    ),
                ),
                "Nobody knows yet.",
                None,
            ),
        ),
    )
    broken = WatchRecord(
        4,
        "https://news.example/broken",
        "Broken site",
        checks=(
            CheckRecord(
                at("2023-03-10T08:00"),
                "error",
                503,
                120,
                40.0,
                "http_status",
                "HTTP 503 <b>Service Unavailable</b>",
            ),
        ),
        consecutive_failures=3,
        failing_since=at("2023-03-08T08:00"),
        last_error=f"HTTP 503 from https://news.example/broken {SCRIPT}",
    )
    changes: list[ChangeRecord] = []
    previous: list[Claim] = []
    for version in versions:
        for change in diff_claims(
            previous, version.claims, old_subject=SUBJECT, new_subject=SUBJECT
        ):
            changes.append(
                ChangeRecord(len(changes) + 1, 1, version.fetched_at, change, version.snapshot_id)
            )
        previous = list(version.claims)
    base = at("2023-03-21T00:00")
    filler = ClaimChange(
        "cast", SUBJECT, "x", "added", None, c("cast", "Extra", "reported", "Extra joins."), False
    )
    for i in range(extra_changes):
        person = c("cast", f"Extra Person {i}", "reported", f"Extra Person {i} joins the cast.")
        changes.append(
            ChangeRecord(
                len(changes) + 1,
                1,
                base + timedelta(seconds=i),
                replace(filler, slot=str(i), new=person),
            )
        )
    return DigestInput(
        now=at("2023-04-02T09:00"),
        since=since,
        watches=(decider, stale, fan, broken),
        changes=tuple(changes),
        title="K-drama watch",
    )


@pytest.fixture(scope="module")
def site() -> dict[str, str]:
    return render_site(build_digest(sample_input(since=at("2023-01-01T00:00"))))


def soup(site: dict[str, str], path: str) -> BeautifulSoup:
    return BeautifulSoup(site[path], "html.parser")


def test_site_has_every_page(site: dict[str, str]) -> None:
    assert {
        "index.html",
        "feed.xml",
        "style.css",
        "subjects/all-of-us-are-dead-season-2.html",
    } <= set(site)
    assert {f"watches/{n}.html" for n in (1, 2, 3, 4)} <= set(site)


def test_index_lists_changes_since_the_previous_digest_headline_first(site: dict[str, str]) -> None:
    page = soup(site, "index.html")
    changes = page.select("section.changes article.change")
    flags = ["headline" in (a.get("class") or []) for a in changes]
    assert flags[0] and True in flags and False in flags
    assert flags == sorted(flags, reverse=True), "headline changes must come first"
    # Only the two 2023 versions are after `since`: no 2022 change is listed.
    times = [t["datetime"] for t in page.select("section.changes article.change footer time")]
    assert times and all(str(t) >= "2023-01-01" for t in times)
    first = changes[0]
    assert first.select_one(".side.old data")["value"] == "2023-04-14"  # type: ignore[index]
    assert first.select_one(".side.new data")["value"] == "2024-01-05"  # type: ignore[index]
    assert first.select_one(".side.new .said").get_text() == "January 5, 2024"  # type: ignore[union-attr]
    assert "originally" not in first.get_text() or "scheduled" in first.get_text()
    assert first.select_one("footer a.source").get_text() == "Decider"  # type: ignore[union-attr]
    quotes = [q.get_text() for q in first.select("blockquote.evidence")]
    assert quotes[0] == "Season 2 premieres April 14, 2023."
    assert quotes[1] == f"Netflix moved it to January 5, 2024. {SCRIPT}"


def test_release_date_move_is_one_headline_event(site: dict[str, str]) -> None:
    page = soup(site, "index.html")
    moves = [
        a
        for a in page.select("article.change.headline")
        if a.select_one(".what").get_text() == "release date"  # type: ignore[union-attr]
    ]
    assert [m.select_one(".side.new data")["value"] for m in moves] == ["2024-01-05", "2023-04-14"]  # type: ignore[index]


def test_failing_watches_section(site: dict[str, str]) -> None:
    page = soup(site, "index.html")
    items = page.select("#failing li")
    assert len(items) == 1
    assert items[0].select_one("a").get_text() == "Broken site"  # type: ignore[union-attr]
    assert "3 failures" in items[0].get_text()
    assert items[0].select_one("time")["datetime"] == "2023-03-08T08:00:00Z"  # type: ignore[index]
    assert SCRIPT in items[0].select_one(".error-text").get_text()  # type: ignore[union-attr]


def test_subject_page_cross_source_view_flags_the_conflict(site: dict[str, str]) -> None:
    page = soup(site, "subjects/all-of-us-are-dead-season-2.html")
    assert page.select_one("h1").get_text() == SUBJECT  # type: ignore[union-attr]
    assert page.select_one(".conflict-banner") is not None
    view = page.select_one("#view-release_date")
    assert view is not None and view.select_one(".conflict-badge") is not None
    summaries = [" ".join(s.get_text().split()) for s in view.select(".group-summary")]
    assert summaries == [
        "January 5, 2024 — 1 source, official",
        "April 14, 2023 — 1 source, reported",
        "unknown — 1 source, reported",
    ]
    assert "best" in (view.select(".group")[0].get("class") or [])
    status = page.select_one("#view-status")
    assert status is not None and status.select_one(".agree-badge") is not None
    head = {
        dt.get_text(): dd.select_one("data")["value"]  # type: ignore[index]
        for dt, dd in zip(page.select("#headline dt"), page.select("#headline dd"), strict=True)
    }
    assert head == {"release date": "2024-01-05", "status": "renewed", "platform": "Netflix"}


def test_subject_page_links_sources_and_snapshots(site: dict[str, str]) -> None:
    page = soup(site, "subjects/all-of-us-are-dead-season-2.html")
    hrefs = {a["href"] for a in page.select("#sources a")}
    assert {"https://news.example/decider", "../snapshots/4.txt", "../watches/3.html"} <= hrefs
    assert not any(str(h).startswith("javascript:") for h in hrefs)
    assert any(s.get_text().startswith("javascript:") for s in page.select("#sources .muted"))


def test_subject_page_value_history(site: dict[str, str]) -> None:
    page = soup(site, "subjects/all-of-us-are-dead-season-2.html")
    histories = {
        d.select_one("summary data")["value"]: d  # type: ignore[index]
        for d in page.select("details.value-history")
    }
    april = histories["2023-04-14"]
    rows = {r.select_one("td a").get_text(): r for r in april.select("tbody tr")}  # type: ignore[union-attr]
    decider = [t["datetime"] for t in rows["Decider"].select("time")]
    # First said in the Feb 1 version, last said at the last check before it moved.
    assert decider == ["2023-02-01T08:00:00Z", "2023-02-01T08:00:00Z"]
    assert "current" not in (rows["Decider"].get("class") or [])
    assert "current" in (rows["What's on Netflix"].get("class") or [])


def test_people_are_grouped_across_romanisations(site: dict[str, str]) -> None:
    page = soup(site, "subjects/all-of-us-are-dead-season-2.html")
    names = [tr.select_one("td").get_text() for tr in page.select("#people tbody tr")]  # type: ignore[union-attr]
    assert names.count("Park Ji-hu") == 1 and "Park Ji Hu" not in names


def test_watch_page_checks_and_text_diff(site: dict[str, str]) -> None:
    page = soup(site, "watches/1.html")
    rows = page.select("table.checks-table tbody tr")
    assert len(rows) == 5
    assert rows[0].select("td")[2].get_text() == "unchanged"
    diffs = page.select("details.text-diff")
    assert len(diffs) == 3 and all(d.get("open") is None for d in diffs)
    newest = diffs[0].select_one("pre.diff")
    assert newest is not None
    added = [s.get_text() for s in newest.select(".d-add")]
    assert f"+Netflix moved it to January 5, 2024. {SCRIPT}" in added
    broken = soup(site, "watches/4.html")
    assert broken.select_one(".error-banner") is not None
    assert broken.select_one("tr.outcome-error code").get_text() == "http_status"  # type: ignore[union-attr]


def test_planted_markup_is_only_text(site: dict[str, str]) -> None:
    for path, content in site.items():
        if not path.endswith(".html"):
            continue
        page = BeautifulSoup(content, "html.parser")
        assert page.find("script") is None, path
        assert page.find("img") is None, path
        assert not page.select("[onerror]"), path
    index = soup(site, "index.html")
    subject = soup(site, "subjects/all-of-us-are-dead-season-2.html")
    texts = [q.get_text() for q in subject.select("blockquote.evidence")]
    assert f"Nobody knows yet {IMG} when." in texts
    assert SCRIPT in index.get_text()


def test_dates_are_said_as_people_say_them() -> None:
    data = sample_input()
    page = BeautifulSoup(render_site(build_digest(data))["index.html"], "html.parser")
    said = {d["value"]: d.get_text() for d in page.select("article.change data.said")}
    assert said["2022-10/2023-12"] == "late 2022 – 2023"
    assert said["unknown"] == "unknown"
    assert said["2023-04-14"] == "April 14, 2023"


def test_no_changes_since_says_so() -> None:
    data = sample_input(since=at("2024-01-01T00:00"))
    page = BeautifulSoup(render_site(build_digest(data))["index.html"], "html.parser")
    assert page.select("article.change") == []
    assert "Nothing changed" in page.select_one("section.changes").get_text()  # type: ignore[union-attr]


def test_changes_are_paginated() -> None:
    data = sample_input(extra_changes=2 * CHANGES_PER_PAGE)
    digest = build_digest(data)
    files = render_site(digest)
    total = len(data.changes)
    assert len(digest.pages) == 3 and digest.changes_total == total
    listed = sum(
        len(BeautifulSoup(files[p], "html.parser").select("section.changes article.change"))
        for p in ("index.html", "changes-2.html", "changes-3.html")
    )
    assert listed == total
    pager = BeautifulSoup(files["changes-2.html"], "html.parser").select(".pager a")
    assert [a["href"] for a in pager] == ["index.html", "changes-3.html"]
    # The failing watches are listed on the first page only; later pages link there.
    for path, href in (("index.html", "#failing"), ("changes-2.html", "index.html#failing")):
        counts = BeautifulSoup(files[path], "html.parser").select_one(".counts a")
        assert counts is not None and counts["href"] == href


def test_a_subject_only_mentioned_gets_its_own_page() -> None:
    digest = build_digest(sample_input())
    names = [p.name for p in digest.subjects]
    # The subject sources are about comes first.
    assert names == [SUBJECT, "All of Us Are Dead Season 1"]
    files = render_site(digest)
    page = BeautifulSoup(files["subjects/all-of-us-are-dead-season-1.html"], "html.parser")
    history = [d["value"] for d in page.select("details.value-history summary data")]
    assert history == ["2022-01-28"]
    # Decider's latest version no longer mentions Season 1: nothing said "now".
    assert page.select("#view-release_date") == []
    index = BeautifulSoup(files["index.html"], "html.parser")
    assert [a.get_text() for a in index.select("#subjects .card a.subject")] == [SUBJECT]
    assert [a["href"] for a in index.select("#subjects .mentioned a")] == [
        "subjects/all-of-us-are-dead-season-1.html"
    ]


def test_a_change_without_subject_is_listed_without_a_link() -> None:
    data = sample_input()
    orphan = ChangeRecord(
        999,
        1,
        at("2023-03-25T00:00"),
        ClaimChange(
            "status",
            "",
            "",
            "added",
            None,
            c("status", "filming", "reported", "Filming began."),
            True,
        ),
    )
    files = render_site(build_digest(replace(data, changes=(*data.changes, orphan))))
    page = BeautifulSoup(files["index.html"], "html.parser")
    article = page.select_one("#change-999")
    assert article is not None
    assert article.select_one("span.subject").get_text() == "(no subject found)"  # type: ignore[union-attr]
    assert not any(p.startswith("subjects/untitled") for p in files)


def test_link_helpers_refuse_script_urls() -> None:
    from watcher.site import iso, local_href, web_url, when

    assert web_url("https://news.example/a") == "https://news.example/a"
    assert web_url("javascript:alert(1)") is None
    assert web_url(" JavaScript:alert(1)") is None
    assert web_url("data:text/html,<script>alert(1)</script>") is None
    assert local_href("snapshots/4.txt", "../") == "../snapshots/4.txt"
    assert local_href("./snapshots/4.txt", "") == "snapshots/4.txt"
    assert local_href("/var/lib/watcher/4.txt", "../") is None
    assert local_href("javascript:alert(1)", "../") is None
    assert local_href(None, "../") is None
    naive = datetime(2023, 4, 2, 9, 0)
    assert when(naive) == "2023-04-02 09:00 UTC" and iso(naive) == "2023-04-02T09:00:00Z"
    assert when(None) == "—" and iso(None) == ""


def test_ten_thousand_changes_are_all_listed_across_the_pages() -> None:
    # Issue 7's size: every one of 10,000 changes since the previous digest is on a
    # page of changes (none "not listed"), each once, and the pager reaches them all.
    base = len(sample_input().changes)
    data = sample_input(extra_changes=10_000 - base)
    assert len(data.changes) == 10_000
    digest = build_digest(data)
    files = render_site(digest)
    assert digest.changes_unlisted == 0
    pages = [page_name(n) for n in range(1, len(digest.pages) + 1)]
    assert len(pages) == 10_000 // CHANGES_PER_PAGE
    listed = [
        int(m)
        for page in pages
        for m in re.findall(r'<article class="[^"]*" id="change-(\d+)"', files[page])
    ]
    assert sorted(listed) == sorted(r.id for r in data.changes)
    last = BeautifulSoup(files[pages[-1]], "html.parser")
    assert last.select_one(".unlisted") is None
    assert {str(a["href"]) for a in last.select(".pager a")} == set(pages[:-1])


def test_change_values_are_escaped_in_attributes_and_text() -> None:
    # Claim values come from fetched pages: a quote in one must not end the
    # attribute it is put in, and markup in it must stay text.
    evil = '" onmouseover="alert(1)" x="<script>alert(1)</script>'
    data = sample_input()
    odd = ChangeRecord(
        998,
        1,
        at("2023-03-26T00:00"),
        ClaimChange(
            "release_date",
            SUBJECT,
            "",
            "changed",
            c("release_date", evil, "reported", f"Was {evil}.", role=evil),
            c("release_date", "2024", evil, f"Now {evil}.", role=evil, character=evil),  # type: ignore[arg-type]
            True,
        ),
        snapshot_id=4,
    )
    files = render_site(build_digest(replace(data, changes=(*data.changes, odd))))
    page = BeautifulSoup(files["index.html"], "html.parser")
    article = page.select_one("#change-998")
    assert article is not None
    assert article.find("script") is None and not article.select("[onmouseover]")
    assert article.select_one(".side.old data.said")["value"] == evil  # type: ignore[index]
    assert article.select_one(".side.old data.said")["title"] == f"EDTF {evil}"  # type: ignore[index]
    certainty = article.select_one(".side.new .certainty")
    assert certainty is not None and certainty.get_text() == evil
    assert " ".join(certainty["class"]) == f"certainty c-{evil}"
    assert article.select_one(".side.new blockquote.evidence").get_text() == f"Now {evil}."  # type: ignore[union-attr]
    assert article.select_one(".side.new .role").get_text() == f"({evil} as {evil})"  # type: ignore[union-attr]


def test_change_items_show_values_as_the_value_macros_do() -> None:
    """change_item holds copies of value_view and evidence (for speed): they must agree."""
    macros = environment().get_template("_macros.html").module
    odd = ValueView(
        "release_date", "2024", "2024", "2024", "official", f"Said {SCRIPT}.", True, "lead", IMG
    )
    plain = ValueView("status", "renewed", "renewed", "renewed", "reported", "")
    source = SourceRef(1, "Decider", "https://news.example/decider")
    made = [
        ChangeView(9, at("2024-01-01T00:00"), source, SUBJECT, "s", k, "w", ch, False, o, n, None)
        for k, ch, o, n in (
            ("release_date", "changed", plain, odd),
            ("release_date", "changed", odd, plain),
            ("status", "removed", odd, None),
            ("status", "added", None, plain),
        )
    ]
    digest = build_digest(sample_input(since=at("2023-01-01T00:00")))
    for change in [*made, *(c for page in digest.pages for c in page)]:
        item = str(macros.change_item(change, ""))  # type: ignore[attr-defined]
        for value in (change.old, change.new):
            if value is not None:
                shown = str(macros.value_view(value)) + str(macros.evidence(value))  # type: ignore[attr-defined]
                assert shown in item


def _two_sources_on_one_date(now: datetime) -> DigestInput:
    """An older official date and a newer reported one, both about SUBJECT."""

    def watch(wid: int, when: str, claim: Claim) -> WatchRecord:
        version = VersionRecord(
            wid, wid * 10, at(when), SUBJECT, None, (claim,), claim.evidence, None
        )
        check = CheckRecord(at(when), "new", 200, 1_000, 10.0)
        return WatchRecord(
            wid, f"https://news.example/{wid}", f"Source {wid}", (), (check,), (version,)
        )

    return DigestInput(
        now=now,
        since=None,
        watches=(
            watch(1, "2023-02-01T08:00", c("release_date", "2023-04-14", "official", "April 14.")),
            watch(2, "2023-05-01T08:00", c("release_date", "2024-01-05", "reported", "January 5.")),
        ),
        changes=(),
    )


def test_a_passed_date_gives_way_to_one_still_ahead() -> None:
    def best(now: str) -> str:
        files = render_site(build_digest(_two_sources_on_one_date(at(now))))
        page = BeautifulSoup(files["subjects/all-of-us-are-dead-season-2.html"], "html.parser")
        group = page.select_one("#view-release_date .group-summary.best")
        assert group is not None
        return " ".join(group.get_text().split())

    # Before April 14 the official date is the best; after it, with no release
    # reported, the date another source still expects is.
    assert best("2023-03-01T09:00").startswith("April 14, 2023")
    assert best("2023-06-01T09:00").startswith("January 5, 2024")
