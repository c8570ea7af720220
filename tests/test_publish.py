"""Writing the digest into a folder: only changed pages are made again, stale pages
go, and a digest stopped half-way never leaves a page the next one trusts wrongly."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_digest import at, sample_input
from watcher import publish
from watcher.digest import CheckRecord, DigestInput, build_digest
from watcher.publish import MANIFEST, write_site


def write(folder: Path, data: DigestInput) -> publish.Written:
    return write_site(folder, build_digest(data), data)


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file of a digest folder but the bookkeeping ones."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, publish.LOCK)
    }


def with_check(data: DigestInput, watch_id: int, hours: int = 1) -> DigestInput:
    """``data`` an hour later, ``watch_id`` checked once more (unchanged)."""
    watches = tuple(
        replace(
            w,
            checks=(*w.checks, CheckRecord(data.now + timedelta(hours=hours), "unchanged", 304)),
        )
        if w.id == watch_id
        else w
        for w in data.watches
    )
    return replace(data, now=data.now + timedelta(hours=hours), watches=watches)


@pytest.fixture
def data() -> DigestInput:
    return sample_input(since=at("2023-01-01T00:00"))


def test_a_fresh_folder_gets_every_page_and_snapshot(tmp_path: Path, data: DigestInput) -> None:
    written = write(tmp_path, data)
    assert written.rendered == written.pages
    assert written.snapshots >= 1 and (tmp_path / "snapshots/10.txt").exists()
    assert files_of(tmp_path).keys() >= {"index.html", "watches/1.html", "feed.xml", "style.css"}


def test_only_the_index_says_when_the_digest_was_made(tmp_path: Path, data: DigestInput) -> None:
    write(tmp_path, data)
    index = BeautifulSoup((tmp_path / "index.html").read_text(), "html.parser")
    assert index.select_one(".generated time")["datetime"] == "2023-04-02T09:00:00Z"  # type: ignore[index]
    for page in ("watches/1.html", next(str(p) for p in (tmp_path / "subjects").iterdir())):
        assert (
            BeautifulSoup(Path(tmp_path, page).read_text(), "html.parser").select(".generated")
            == []
        )


def test_a_digest_with_nothing_new_makes_only_the_pages_of_changes_and_the_feed(
    tmp_path: Path, data: DigestInput
) -> None:
    write(tmp_path, data)
    before = {p: (tmp_path / p).stat().st_mtime_ns for p in files_of(tmp_path)}
    later = replace(data, now=data.now + timedelta(hours=1))
    written = write(tmp_path, later)
    assert written.rendered == len(build_digest(later).pages) + 1  # + feed.xml
    after = {p: (tmp_path / p).stat().st_mtime_ns for p in files_of(tmp_path)}
    rewritten = {p for p in before if after[p] != before[p]}
    assert rewritten == {"index.html", "feed.xml"}


def test_a_changed_watch_gets_its_pages_made_again_and_the_site_is_as_if_fresh(
    tmp_path: Path, data: DigestInput
) -> None:
    write(tmp_path, data)
    later = with_check(data, 2)
    written = write(tmp_path, later)
    # The watch page (a new check) and the subject page that quotes when it last said it.
    assert 2 < written.rendered < written.pages
    fresh = tmp_path.parent / "fresh"
    write(fresh, later)
    assert files_of(tmp_path) == files_of(fresh)
    page = BeautifulSoup((tmp_path / "watches/2.html").read_text(), "html.parser")
    assert len(page.select(".checks-table tbody tr")) == 2


def test_a_removed_watch_loses_its_page_and_other_files_are_left_alone(
    tmp_path: Path, data: DigestInput
) -> None:
    write(tmp_path, data)
    (tmp_path / "notes.html").write_text("mine")
    (tmp_path / "watches" / "notes.txt").write_text("mine too")
    removed = replace(
        data,
        watches=tuple(w for w in data.watches if w.id != 4),
        changes=tuple(c for c in data.changes if c.watch_id != 4),
    )
    written = write(tmp_path, removed)
    assert written.removed == 1
    assert not (tmp_path / "watches/4.html").exists()
    assert (tmp_path / "notes.html").read_text() == "mine"
    assert (tmp_path / "watches" / "notes.txt").read_text() == "mine too"


def test_a_page_deleted_by_hand_is_made_again(tmp_path: Path, data: DigestInput) -> None:
    write(tmp_path, data)
    (tmp_path / "watches/1.html").unlink()
    write(tmp_path, data)
    assert (tmp_path / "watches/1.html").exists()


def test_a_digest_stopped_half_way_is_repaired_by_the_next(
    tmp_path: Path, data: DigestInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, data)
    changed = with_check(with_check(data, 1), 2)
    real = publish._write_atomically
    calls = 0

    def dies_on_the_third(path: Path, content: bytes, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3 and path.name != MANIFEST:
            raise KeyboardInterrupt
        real(path, content, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(publish, "_write_atomically", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        write(tmp_path, changed)
    monkeypatch.setattr(publish, "_write_atomically", real)
    assert not list(tmp_path.rglob("*.tmp"))  # no temp file left behind
    # Back to the first data: every page the stopped digest replaced must be made again,
    # though its key is the one the folder had before.
    write(tmp_path, data)
    fresh = tmp_path.parent / "fresh"
    write(fresh, data)
    assert files_of(tmp_path) == files_of(fresh)


def test_a_damaged_manifest_means_every_page_is_made(tmp_path: Path, data: DigestInput) -> None:
    write(tmp_path, data)
    (tmp_path / MANIFEST).write_text("{not json")
    written = write(tmp_path, data)
    assert written.rendered == written.pages


def test_new_templates_make_every_page_again(
    tmp_path: Path, data: DigestInput, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, data)
    monkeypatch.setattr(publish, "render_changed", _with_other_fingerprint(publish.render_changed))
    written = write(tmp_path, data)
    assert written.rendered == written.pages - 1  # all but the unchanged style sheet


def _with_other_fingerprint(render_changed):  # type: ignore[no-untyped-def]
    from watcher import site

    def render(digest, previous, **kwargs):  # type: ignore[no-untyped-def]
        original = site._fingerprint
        site._fingerprint = lambda folder: "another version of the templates"  # type: ignore[assignment]
        try:
            return render_changed(digest, previous, **kwargs)
        finally:
            site._fingerprint = original

    return render


def test_temp_files_of_a_writer_that_died_are_removed(tmp_path: Path, data: DigestInput) -> None:
    write(tmp_path, data)
    leftovers = [tmp_path / "watches" / ".1.html.4242-1717.tmp", tmp_path / ".index.html.1-2.tmp"]
    for path in leftovers:
        path.write_text("half a page")
    (tmp_path / "watches" / ".mine.tmp").write_text("not ours")
    write(tmp_path, data)
    assert not any(path.exists() for path in leftovers)
    assert (tmp_path / "watches" / ".mine.tmp").exists()
