from __future__ import annotations

from pathlib import Path

import pytest

from watcher import settings as settings_module
from watcher.errors import ConfigError, StoreError

REPO = Path(__file__).resolve().parent.parent


def test_defaults_and_sqlite_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    loaded = settings_module.load(home=tmp_path)
    assert loaded.db_url == f"sqlite:///{tmp_path / 'watcher.db'}"
    assert loaded.digest_path == tmp_path / "digest"
    assert loaded.backoff_max_seconds == 86400


def test_file_overrides_part_and_env_sets_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "watcher.toml").write_text(
        "max_concurrent_checks = 3\nper_host_delay = 2\n"
        'notify_tags = { tv = ["json://127.0.0.1:1/"] }\n'
        'notify_urls = ["json://127.0.0.1:2/"]\n'
    )
    monkeypatch.setenv("WATCHER_DATABASE_URL", "sqlite:////tmp/other.db")
    loaded = settings_module.load(home=tmp_path)
    assert loaded.max_concurrent_checks == 3
    assert loaded.per_host_delay == 2.0
    assert loaded.notify_tags == {"tv": ("json://127.0.0.1:1/",)}
    assert loaded.notify_urls == ("json://127.0.0.1:2/",)
    assert loaded.read_timeout == 20.0
    assert loaded.db_url == "sqlite:////tmp/other.db"
    assert (
        settings_module.load(home=tmp_path, database_url="sqlite:///x.db").db_url
        == "sqlite:///x.db"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("max_bytes = 'lots'", "max_bytes must be a int"),
        ("obey_robots = 1", "obey_robots must be a bool"),
        ("max_redirects = true", "max_redirects must be a int"),
        ("colour = 'red'", "unknown setting 'colour'"),
        ("default_every = 'often'", "bad interval"),
        ("read_timeout = -1", "must not be negative"),
        ("[[[", "not valid TOML"),
    ],
)
def test_bad_settings_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "watcher.toml").write_text(content)
    with pytest.raises(Exception, match=message):
        settings_module.load(home=tmp_path)


def test_missing_explicit_config_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=str(missing)):
        settings_module.load(home=tmp_path, config_path=missing)


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    rows = [f"| `{name}` | `{default}` |" for name, default, _help in settings_module.describe()]
    missing = [row for row in rows if row not in readme]
    assert not missing, f"settings missing or with another default in README.md: {missing}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("jitter = 5.0", "jitter is a fraction of the interval, from 0 to 1"),
        ("tick_seconds = 0", "tick_seconds must be above 0"),
        ("max_bytes = 0", "max_bytes must be above 0"),
        ("max_concurrent_checks = 0", "max_concurrent_checks must be above 0"),
    ],
)
def test_values_out_of_range_name_the_file_and_the_range(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "watcher.toml").write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        settings_module.load(home=tmp_path)
    assert str(tmp_path / "watcher.toml") in str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:////nonexistent/dir/x.db", "the folder /nonexistent/dir of the database"),
        ("mysql://user@127.0.0.1/watcher", "unsupported database 'mysql'"),
        ("not a url at all", "cannot parse the database URL"),
    ],
)
def test_a_database_url_that_cannot_be_used_is_a_clear_error(
    tmp_path: Path, url: str, message: str
) -> None:
    from watcher.runtime import Runtime

    with pytest.raises(StoreError, match=message):
        Runtime.open(settings_module.load(home=tmp_path, database_url=url))
    assert not Path("/nonexistent").exists(), "only the default home is created"


def test_the_default_home_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watcher.runtime import Runtime

    monkeypatch.delenv("WATCHER_DATABASE_URL", raising=False)
    home = tmp_path / "new" / "home"
    with Runtime.open(settings_module.load(home=home)):
        assert (home / "watcher.db").is_file()
