"""Every command through click's runner, on a SQLite home and the offline fixtures."""

from __future__ import annotations

import json
import re
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from tests.conftest import SNAPSHOTS
from watcher.cli import cli

TIMELINE = "https://news.example/tv/all-of-us-are-dead-season-2-tracker"
PAGE = "https://news.example/tv/all-of-us-are-dead-season-2-release-date-revealed"


@pytest.fixture
def run(home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> object:
    """Invoke the CLI on a home with the fixtures, on each database back end."""
    monkeypatch.setenv("WATCHER_DATABASE_URL", db_url)
    (home / "watcher.toml").write_text("fixtures = true\nper_host_delay = 0.0\n")
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True, stdin: str | None = None) -> Result:
        result = runner.invoke(cli, ["--home", str(home), *args], input=stdin)
        if ok:
            assert result.exit_code == 0, result.output + repr(result.exception)
        return result

    return invoke


def test_add_list_remove(run) -> None:  # type: ignore[no-untyped-def]
    assert (
        "added #1"
        in run("add", TIMELINE, "--name", "tracker", "--every", "12h", "--tag", "tv").output
    )
    [watch] = json.loads(run("list", "--json").output)
    assert watch == {
        "id": 1,
        "url": TIMELINE,
        "name": "tracker",
        "every": "12h",
        "tags": ["tv"],
        "last_checked": None,
        "last_outcome": None,
        "last_error": None,
    }
    assert "tracker" in run("list").output
    duplicate = run("add", TIMELINE + "#again", ok=False)
    assert duplicate.exit_code == 1 and "already watched" in duplicate.output
    assert "removed #1" in run("remove", TIMELINE).output
    assert json.loads(run("list", "--json").output) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "not a url"), "invalid URL"),
        (("add", "ftp://x.example/"), "only http"),
        (("add", TIMELINE, "--every", "soon"), "bad interval"),
        (("remove", "42"), "no watch"),
        (("check", "7"), "no watch"),
    ],
)
def test_bad_input_is_one_clear_line(run, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args, ok=False)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_import_export_round_trip_and_corrupt_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    watchlist = tmp_path / "watches.toml"
    watchlist.write_text(
        f'[[watch]]\nurl = "{TIMELINE}"\nname = "tracker"\ntags = ["tv"]\n\n'
        f'[[watch]]\nurl = "{PAGE}"\nevery = "1d"\n'
    )
    assert "imported 2" in run("import", str(watchlist)).output
    exported = run("export").output
    assert 'name = "tracker"' in exported and 'every = "1d"' in exported
    corrupt = tmp_path / "corrupt.toml"
    corrupt.write_text('[[watch]]\nurl = "https://other.example/"\n[[watch\n')
    result = run("import", str(corrupt), ok=False)
    assert "corrupt.toml" in result.output and "not valid TOML" in result.output
    assert len(json.loads(run("list", "--json").output)) == 2, "nothing stored was lost"
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "binary.toml" in run("import", str(binary), ok=False).output


def test_check_changes_digest_status(run, home: Path) -> None:  # type: ignore[no-untyped-def]
    run("add", TIMELINE)
    run("add", "https://news.example/no-such-page")
    checked = run("check", "--all").output
    assert "1 ok, 1 failed" in checked
    assert "http_status" in checked
    [tracker, missing] = json.loads(run("list", "--json").output)
    assert tracker["last_outcome"] == "new"
    assert missing["last_outcome"] == "error" and "404" in missing["last_error"]
    changes = json.loads(run("changes", "--json").output)
    assert changes and {c["change"] for c in changes} == {"added"}
    assert all(c["url"] == TIMELINE and c["watch"] == 1 for c in changes)
    assert all(
        set(c) >= {"watch", "url", "at", "kind", "subject", "change", "old", "new"} for c in changes
    )
    out = home / "site"
    index = Path(run("digest", "--out", str(out)).output.strip())
    assert index == out / "index.html"
    soup = BeautifulSoup(index.read_text(), "html.parser")
    assert soup.title is not None
    assert run("digest", "--out", str(out), "--since", "all").output.strip() == str(index)
    assert run("digest", "--out", str(out), "--since", "7d").output.strip() == str(index)
    assert "bad interval" in run("digest", "--since", "lately", ok=False).output
    assert not soup.find_all("script")
    status = run("status").output
    assert "watches: 2" in status
    assert "no-such-page" in json.dumps(json.loads(run("status", "--json").output))


def test_pause_resume_and_due(run) -> None:  # type: ignore[no-untyped-def]
    run("add", TIMELINE)
    run("pause", "1")
    assert "nothing to check" in run("check").output
    run("resume", "1")
    assert "1 ok" in run("check").output
    assert "nothing to check" in run("check").output, "checked watches are not due again yet"


def test_claims_of_a_file_and_of_stdin(run) -> None:  # type: ignore[no-untyped-def]
    seed = SNAPSHOTS / "004_29035f49391a91f7.txt"
    data = json.loads(run("claims", str(seed), "--reference-date", "2023-02-15", "--json").output)
    assert set(data) >= {"subject", "reference_date", "claims"}
    assert data["reference_date"] == "2023-02-15"
    text = seed.read_text()
    for claim in data["claims"]:
        assert {"kind", "value", "certainty", "evidence"} <= set(claim)
        assert claim["evidence"] in text
    assert any(c["kind"] == "release_date" and c["value"] == "2023-04-14" for c in data["claims"])
    piped = json.loads(run("claims", "-", "--json", stdin=text).output)
    assert [c["value"] for c in piped["claims"]] == [
        c["value"] for c in json.loads(run("claims", str(seed), "--json").output)["claims"]
    ]
    assert "release_date" in run("claims", str(seed)).output
    assert (
        "YYYY-MM-DD" in run("claims", str(seed), "--reference-date", "2023-13-01", ok=False).output
    )


def test_settings_lists_every_setting(run) -> None:  # type: ignore[no-untyped-def]
    output = run("settings").output
    assert "max_bytes" in output and "notify_tags" in output


def test_demo_builds_a_digest(tmp_path: Path) -> None:
    demo_home = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--home", str(demo_home)])
    assert result.exit_code == 0, result.output
    index = Path(result.stdout.strip().splitlines()[-1])
    assert index.is_file() and index.name == "index.html"
    assert (demo_home / ".watcher-demo").exists()
    again = CliRunner().invoke(cli, ["demo", "--home", str(demo_home)])
    assert again.exit_code == 0, "a demo directory is emptied and reused"
    not_demo = tmp_path / "precious"
    not_demo.mkdir()
    (not_demo / "keep.txt").write_text("mine")
    refused = CliRunner().invoke(cli, ["demo", "--home", str(not_demo)])
    assert refused.exit_code != 0 and "not a demo directory" in refused.output
    assert (not_demo / "keep.txt").read_text() == "mine"


# ---------------------------------------------------------------- a database in trouble


@pytest.fixture
def sqlite_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home on its default SQLite file with one checked watch, offline."""
    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    (home / "watcher.toml").write_text(
        "fixtures = true\nper_host_delay = 0.0\nlock_timeout = 0.2\n"
    )
    for args in (("add", TIMELINE), ("add", PAGE), ("check", "1")):
        result = CliRunner().invoke(cli, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
    return home


def _invoke(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args])


def _assert_clean_failure(result: Result, *words: str) -> None:
    assert result.exit_code not in (0, None), result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.output.startswith("Error: "), result.output
    for word in words:
        assert word in result.output, result.output


def test_a_database_locked_by_another_process_is_a_clear_error_and_changes_nothing(
    sqlite_home: Path,
) -> None:
    db = sqlite_home / "watcher.db"
    with sqlite3.connect(db) as conn:
        before = conn.execute("select count(*) from checks").fetchone()[0]
    locker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert locker.stdout is not None and locker.stdout.readline() == b"locked\n"
        for args in (("add", "https://news.example/other"), ("check", "--all"), ("check", "2")):
            _assert_clean_failure(_invoke(sqlite_home, *args), "locked by another process")
    finally:
        locker.communicate(b"", timeout=30)
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from checks").fetchone()[0] == before
        failing = conn.execute(
            "select count(*) from watches where consecutive_failures > 0 or last_error is not null"
        ).fetchone()[0]
        assert failing == 0, "a store failure is not the page's failure"
    assert "1 ok" in _invoke(sqlite_home, "check", "2").output, "it is checked once unlocked"


def _damage_text(db: Path) -> None:
    db.write_text("these are my notes, not a database\n" * 100)


def _damage_truncate(db: Path) -> None:
    with db.open("r+b") as f:
        f.truncate(8192)


def _damage_page(db: Path) -> None:
    # Scribble over every page but the first (the schema): reads of the tables fail.
    size = db.stat().st_size
    with db.open("r+b") as f:
        for offset in range(4096, size, 4096):
            f.seek(offset + 16)
            f.write(b"\xff" * 64)


def _damage_last_page(db: Path) -> None:
    # One page: most commands still work, those that read it must fail cleanly.
    with db.open("r+b") as f:
        f.seek(db.stat().st_size - 4096)
        f.write(b"\xff" * 4096)


@pytest.mark.parametrize(
    "damage", [_damage_text, _damage_truncate, _damage_page, _damage_last_page]
)
@pytest.mark.parametrize("command", [("list",), ("digest",), ("check", "--all"), ("status",)])
def test_a_damaged_database_is_a_clear_error(
    sqlite_home: Path, damage: Callable[[Path], None], command: tuple[str, ...]
) -> None:
    db = sqlite_home / "watcher.db"
    with sqlite3.connect(db) as conn:  # everything in the main file, none in the WAL
        conn.execute("pragma wal_checkpoint(TRUNCATE)")
        conn.execute("pragma journal_mode=DELETE")
    damage(db)
    result = _invoke(sqlite_home, *command)
    if result.exit_code == 0:  # a read that missed the damaged pages is fine
        return
    _assert_clean_failure(result, str(db), "damaged")


# ---------------------------------------------------------------- hostile arguments


def test_a_huge_limit_is_refused_with_its_range(sqlite_home: Path) -> None:
    result = _invoke(sqlite_home, "changes", "--limit", "99999999999999999999")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--limit" in result.output and "range" in result.output


def test_a_digest_folder_that_cannot_be_written_is_a_clear_error(
    sqlite_home: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for out in (blocker / "digest", Path("/proc/1")):
        result = _invoke(sqlite_home, "digest", "--out", str(out))
        _assert_clean_failure(result, "cannot write the digest", str(out))
    with sqlite3.connect(sqlite_home / "watcher.db") as conn:
        assert conn.execute("select count(*) from digests").fetchone()[0] == 0


def test_claims_input_is_capped_at_max_bytes(sqlite_home: Path, tmp_path: Path) -> None:
    (sqlite_home / "watcher.toml").write_text("max_bytes = 1000\n")
    big = tmp_path / "big.txt"
    big.write_text("The show returns on May 5, 2027. " * 100)
    for args, stdin in (((str(big),), None), (("-",), big.read_text())):
        result = CliRunner().invoke(cli, ["--home", str(sqlite_home), "claims", *args], input=stdin)
        _assert_clean_failure(result, "larger than max_bytes (1000 bytes)")
    if Path("/dev/zero").exists():
        result = _invoke(sqlite_home, "claims", "/dev/zero")
        _assert_clean_failure(result, "/dev/zero", "larger than max_bytes")


def _examples() -> list[tuple[str, list[str]]]:
    found = []
    for name, command in cli.commands.items():
        for match in re.finditer(r"Example: (?:\S+=\S+ )?watcher (.+)", command.help or ""):
            found.append((name, shlex.split(match.group(1))))
    return found


@pytest.mark.parametrize(("name", "args"), _examples(), ids=[n for n, _ in _examples()])
def test_each_help_example_parses(name: str, args: list[str]) -> None:
    """The example in each command's help is a command line click accepts: parsed with
    --help added, it shows that command's help instead of an error."""
    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="watcher")
    assert result.exit_code == 0, result.output
    assert "Usage: watcher" in result.output and f" {name} " in result.output


def test_an_empty_interval_is_refused(sqlite_home: Path) -> None:
    result = _invoke(sqlite_home, "add", "https://news.example/tv/x", "--every", "")
    _assert_clean_failure(result, "bad interval ''")


def test_re_importing_a_long_list_names_a_few_duplicates_and_counts_the_rest(
    sqlite_home: Path, tmp_path: Path
) -> None:
    watchlist = tmp_path / "many.toml"
    watchlist.write_text(
        "".join(f'[[watch]]\nurl = "https://news.example/show/{i}"\n\n' for i in range(300))
    )
    assert "imported 300" in _invoke(sqlite_home, "import", str(watchlist)).output
    result = _invoke(sqlite_home, "import", str(watchlist))
    _assert_clean_failure(result, "already watched: 300 URLs", "and 295 more")
    assert len(result.output) < 1000
