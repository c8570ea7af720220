from __future__ import annotations

from pathlib import Path

import pytest

from watcher.errors import WatchListError
from watcher.watchlist import (
    dump_watchlist,
    format_interval,
    make_spec,
    normalize_url,
    parse_interval,
    parse_watchlist,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30m", 1800), ("6h", 21600), ("1d", 86400), ("2W", 1209600), (" 90 s ", 90), ("30s", None)],
    ids=["minutes", "hours", "day", "weeks-upper", "spaces", "too-short"],
)
def test_parse_interval(text: str, seconds: int | None) -> None:
    if seconds is None:
        with pytest.raises(WatchListError, match="between 1m and 90d"):
            parse_interval(text)
    else:
        assert parse_interval(text) == seconds
        assert parse_interval(format_interval(seconds)) == seconds


@pytest.mark.parametrize("bad", ["", "6", "h", "6 hours", "-1h", "1.5h", "100d", "٣h", "６h"])
def test_bad_intervals_name_the_value(bad: str) -> None:
    with pytest.raises(WatchListError, match="bad interval"):
        parse_interval(bad)


def test_normalize_url_canonical_form() -> None:
    assert normalize_url("HTTPS://News.Example/a?b=1#frag") == "https://news.example/a?b=1"
    assert normalize_url("http://news.example") == "http://news.example/"
    assert normalize_url("http://news.example:8080/x") == "http://news.example:8080/x"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "news.example/a",
        "ftp://news.example/",
        "javascript:alert(1)",
        "http://",
        "http://a b/",
        "http://news.example:99999/",
        "http://user:pw@news.example/",
        "http://..example/",
    ],
)
def test_invalid_urls_are_rejected(bad: str) -> None:
    with pytest.raises(WatchListError, match="invalid URL"):
        normalize_url(bad)


def test_make_spec_validates_tags_and_selector() -> None:
    spec = make_spec("https://news.example/s2", every="6h", tags=["tv", "tv", "k-drama"])
    assert spec.tags == ("tv", "k-drama")
    assert spec.name == "news.example/s2"
    with pytest.raises(WatchListError, match="bad tag"):
        make_spec("https://news.example/s2", every="6h", tags=["no spaces"])
    with pytest.raises(WatchListError, match="bad CSS selector"):
        make_spec("https://news.example/s2", every="6h", selector="div[")


def test_watchlist_round_trip() -> None:
    specs = [
        make_spec("https://news.example/a", every="6h", name="A", tags=["tv"]),
        make_spec("https://news.example/b", every="1d", selector="article", obey_robots=False),
    ]
    text = dump_watchlist(specs)
    assert parse_watchlist(text, default_every="6h", origin="x.toml") == specs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[watch]\nurl=", "not valid TOML"),
        ('[[watch]]\nname = "x"', "has no url"),
        ('[[watch]]\nurl = "ftp://x.example/"', "watch #1: invalid URL"),
        ('[[watch]]\nurl = "https://a.example/"\nevery = "soon"', "bad interval"),
        (
            '[[watch]]\nurl = "https://a.example/"\n[[watch]]\nurl = "https://A.example/"',
            "duplicate",
        ),
        ('[[watch]]\nurl = "https://a.example/"\ncolour = "red"', "unknown keys"),
        ('watch = "x"', "array of tables"),
        ('[[watch]]\nurl = "https://a.example/"\ntags = "tv"', "tags must be a list"),
    ],
    ids=["toml", "no-url", "url", "interval", "duplicate", "unknown-key", "shape", "tags"],
)
def test_corrupt_watchlist_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(WatchListError, match=message) as info:
        parse_watchlist(text, default_every="6h", origin="watches.toml")
    assert "watches.toml" in str(info.value)


@pytest.mark.parametrize(
    ("url", "canonical", "name"),
    [
        ("http://[::1]:8801/ok", "http://[::1]:8801/ok", "[::1]/ok"),
        ("http://[::1]/", "http://[::1]/", "[::1]"),
        ("HTTP://[2001:DB8:0:0::1]/a", "http://[2001:db8::1]/a", "[2001:db8::1]/a"),
    ],
    ids=["port", "no-port", "long-form"],
)
def test_ipv6_literal_keeps_its_brackets(url: str, canonical: str, name: str) -> None:
    assert normalize_url(url) == canonical
    assert make_spec(url, every="6h").name == name


def test_ipv6_watch_survives_export_and_import() -> None:
    specs = [make_spec("http://[::1]:8801/ok", every="6h")]
    assert parse_watchlist(dump_watchlist(specs), default_every="6h", origin="x.toml") == specs


@pytest.mark.parametrize("bad", ["http://[::1/x", "http://[::g]/", "http://[fe80::1%25eth0]/"])
def test_bad_ipv6_literals_are_rejected(bad: str) -> None:
    with pytest.raises(WatchListError, match="invalid URL"):
        normalize_url(bad)


def test_host_labels_and_length_are_limited() -> None:
    ok = "http://" + "a" * 63 + ".example/"
    assert normalize_url(ok) == ok
    with pytest.raises(WatchListError, match="longer than 63 characters"):
        normalize_url("http://" + "a" * 64 + ".example/ok")
    with pytest.raises(WatchListError, match="longer than 253 characters"):
        normalize_url("http://" + ".".join(["a" * 60] * 5) + "/ok")


def test_long_label_is_rejected_by_import_naming_the_entry() -> None:
    text = f'[[watch]]\nurl = "http://{"a" * 64}.example/ok"'
    with pytest.raises(WatchListError, match=r"watch #1: invalid URL .*63 characters"):
        parse_watchlist(text, default_every="6h", origin="watches.toml")


def test_idn_host_has_one_form() -> None:
    assert normalize_url("http://bücher.example/ok") == "http://xn--bcher-kva.example/ok"
    assert normalize_url("http://BÜCHER.example/ok") == "http://xn--bcher-kva.example/ok"
    assert normalize_url("http://xn--bcher-kva.example/ok") == "http://xn--bcher-kva.example/ok"
    # The name is for people: the Unicode form.
    assert make_spec("http://xn--bcher-kva.example/ok", every="6h").name == "bücher.example/ok"
    text = (
        '[[watch]]\nurl = "http://bücher.example/ok"\n'
        '[[watch]]\nurl = "http://xn--bcher-kva.example/ok"'
    )
    with pytest.raises(WatchListError, match="duplicate"):
        parse_watchlist(text, default_every="6h", origin="watches.toml")


@pytest.mark.parametrize("bad", ["http://xn--a.example/", "http://a\u200db.example/"])
def test_invalid_idn_hosts_are_rejected(bad: str) -> None:
    with pytest.raises(WatchListError, match=r"invalid URL .*host name"):
        normalize_url(bad)


def test_overlong_url_has_its_own_message() -> None:
    url = "https://news.example/" + "a" * 100_000
    with pytest.raises(WatchListError, match="longer than 2,048 characters") as info:
        make_spec(url, every="6h")
    assert "name" not in str(info.value)
    assert len(str(info.value)) < 300  # the message does not repeat 100 KB of URL


def test_long_url_under_the_limit_gets_a_short_default_name() -> None:
    url = "https://news.example/" + "a" * 1_000
    spec = make_spec(url, every="6h")
    assert spec.url == url and len(spec.name) <= 200


def test_an_entry_error_names_the_file_and_entry_once(tmp_path: Path) -> None:
    path = tmp_path / "list.toml"
    path.write_text('[[watch]]\nurl = "https://news.example/a"\ntags = "k-drama"\n')
    with pytest.raises(WatchListError) as caught:
        parse_watchlist(path.read_text(), default_every="6h", origin=str(path))
    message = str(caught.value)
    assert message.count("watch #1") == 1, message
    assert message.startswith(f"{path}: watch #1: tags must be a list of strings"), message
