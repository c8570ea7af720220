"""Charset finding and the not-text check, on bytes (no server needed)."""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Callable

import pytest

import watcher.decode
from watcher.decode import (
    Decompressor,
    Inflater,
    check_text,
    content_codings,
    decode_body,
    looks_binary,
    media_type,
    parse_content_type,
    unsupported_codings,
)
from watcher.errors import FetchError

WESTERN = "Der nächste Teil erscheint im März – „sagt“ der Verlag. Preis: 5 €."
RUSSIAN = (
    "Выход фильма перенесён на март следующего года. Студия подтвердила новую дату "
    "премьеры и пообещала показать трейлер уже этой осенью. Съёмки завершены."
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=UTF-8", ("text/html", {"charset": "UTF-8"})),
        ('Text/HTML;Charset="iso-8859-1"', ("text/html", {"charset": "iso-8859-1"})),
        ("text/plain", ("text/plain", {})),
        (
            "application/xhtml+xml; q; charset = utf-8 ",
            ("application/xhtml+xml", {"charset": "utf-8"}),
        ),
        ("", (None, {})),
        (None, (None, {})),
    ],
)
def test_parse_content_type(
    header: str | None, expected: tuple[str | None, dict[str, str]]
) -> None:
    assert parse_content_type(header) == expected


def test_media_type() -> None:
    assert media_type("TEXT/HTML; charset=utf-8") == "text/html"
    assert media_type(None) is None


# -- decode_body ---------------------------------------------------------------------


def test_header_charset() -> None:
    sample = "Über Größe weiß man nichts; Preis 5 €."
    text, charset = decode_body(sample.encode("iso-8859-15"), "text/html; charset=ISO-8859-15")
    assert (text, charset) == (sample, "iso8859-15")


def test_utf8_is_the_plain_case() -> None:
    assert decode_body(WESTERN.encode(), "text/html; charset=utf-8") == (WESTERN, "utf-8")
    assert decode_body(WESTERN.encode(), None) == (WESTERN, "utf-8")


def test_bom_beats_a_stale_header() -> None:
    text, charset = decode_body(codecs.BOM_UTF8 + WESTERN.encode(), "text/html; charset=iso-8859-1")
    assert (text, charset) == (WESTERN, "utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_wide_encodings_with_bom(codec: str) -> None:
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(
        codec, codecs.BOM_UTF32_LE
    )
    body = bom + WESTERN.encode(codec)
    assert not looks_binary(body, "text/html")
    assert decode_body(body, "text/html") == (WESTERN, codec)


@pytest.mark.parametrize(
    "head",
    [
        b'<meta charset="windows-1251">',
        b"<meta charset=windows-1251>",
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
        b"<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=cp1251'>",
    ],
)
def test_meta_charset(head: bytes) -> None:
    body = b"<html><head>" + head + b"</head><body>" + RUSSIAN.encode("cp1251") + b"</body>"
    text, charset = decode_body(body, "text/html")
    assert charset == "cp1251"
    assert RUSSIAN in text


def test_xml_declaration() -> None:
    body = b'<?xml version="1.0" encoding="windows-1251"?><rss>' + RUSSIAN.encode("cp1251")
    text, charset = decode_body(body, "application/rss+xml")
    assert (charset, RUSSIAN in text) == ("cp1251", True)


def test_meta_claiming_utf16_means_utf8() -> None:
    body = b'<meta charset="utf-16"><p>' + WESTERN.encode() + b"</p>"
    assert decode_body(body, "text/html")[1] == "utf-8"


def test_unknown_header_charset_falls_through() -> None:
    body = WESTERN.encode("cp1252")
    assert decode_body(body, "text/html; charset=x-klingon") == (WESTERN, "cp1252")


def test_wrong_header_charset_falls_through() -> None:
    # Declared UTF-8, served cp1252: the bytes do not decode as UTF-8.
    assert decode_body(WESTERN.encode("cp1252"), "text/html; charset=utf-8") == (WESTERN, "cp1252")


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "us-ascii"])
def test_latin1_and_ascii_labels_mean_cp1252(label: str) -> None:
    # As in browsers: the curly quotes and € in 0x80-0x9F are cp1252, not C1 controls.
    text, charset = decode_body(WESTERN.encode("cp1252"), f"text/html; charset={label}")
    assert (text, charset) == (WESTERN, "cp1252")


@pytest.mark.parametrize(
    "sample",
    ["Hello world’s", "Café – “quoted” résumé €5", f"<html><body><p>{WESTERN}</p></body></html>"],
)
def test_undeclared_western_text_is_cp1252(sample: str) -> None:
    # charset-normalizer alone guesses Big5, cp775 or cp1250 for these.
    assert decode_body(sample.encode("cp1252"), "text/html") == (sample, "cp1252")


def test_undeclared_cyrillic_is_detected() -> None:
    body = f"<html><body><p>{RUSSIAN}</p></body></html>".encode("cp1251")
    text, charset = decode_body(body, "text/html")
    assert RUSSIAN in text
    assert charset in ("cp1251", "kz1048", "ptcp154")  # same bytes, same text


def test_cp1252_fallback_without_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher.decode, "charset_normalizer", None)
    body = WESTERN.encode("cp1252") * 10
    assert decode_body(body, None) == (WESTERN * 10, "cp1252")


def test_nothing_works_is_a_decode_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher.decode, "charset_normalizer", None)
    # 0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined in cp1252 and invalid UTF-8.
    body = b"<p>" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 20 + b"</p>"
    with pytest.raises(FetchError) as info:
        decode_body(body, "text/html; charset=utf-8", url="https://example.com/a")
    assert info.value.failure_class == "decode"
    assert "https://example.com/a" in str(info.value)


def test_empty_body() -> None:
    assert decode_body(b"", "text/html; charset=utf-8") == ("", "utf-8")
    assert decode_body(b"", None) == ("", "utf-8")


# -- the not-text check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="png"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="jpeg"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", id="pdf"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00", id="zip"),
        pytest.param(b"\x1f\x8b\x08\x00\x00\x00\x00\x00", id="gzip"),
        pytest.param(b"RIFF\x24\x00\x00\x00WEBPVP8 ", id="webp"),
        pytest.param(b"<html><body>text\x00more</body></html>", id="nul"),
    ],
)
def test_binary_bodies_even_when_served_as_html(body: bytes) -> None:
    assert looks_binary(body, "text/html; charset=utf-8")
    with pytest.raises(FetchError) as info:
        check_text(body, "text/html", url="https://example.com/x")
    assert info.value.failure_class == "not_text"
    assert "https://example.com/x" in str(info.value)


@pytest.mark.parametrize(
    "ctype",
    ["image/png", "application/octet-stream", "application/pdf", "application/zip", "video/mp4"],
)
def test_non_text_media_types(ctype: str) -> None:
    assert looks_binary(b"<html>looks like text</html>", ctype)
    with pytest.raises(FetchError, match=ctype):
        check_text(b"<html></html>", ctype)


@pytest.mark.parametrize(
    "ctype",
    [
        "text/html",
        "text/html; charset=utf-8",
        "application/xhtml+xml",
        "text/plain",
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        None,
    ],
)
def test_text_media_types(ctype: str | None) -> None:
    assert not looks_binary(b"<html><p>fine</p></html>", ctype)
    check_text(b"<html><p>fine</p></html>", ctype)


def test_nul_allowed_in_declared_utf16() -> None:
    body = "<p>hi</p>".encode("utf-16-le")
    assert not looks_binary(body, "text/html; charset=utf-16le")
    assert looks_binary(body, "text/html")


def test_signature_past_the_start_does_not_count() -> None:
    assert not looks_binary(b"<p>see the PNG \x89PNG here</p>", "text/html")


# -- content-encoding ----------------------------------------------------------------------


def _feed_all(inflater: Inflater, data: bytes, room: int, step: int = 7) -> bytes:
    out = b""
    for i in range(0, len(data), step):
        out += inflater.feed(data[i : i + step], room - len(out))
    return out


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as IIS sends it
    ],
)
def test_inflater_encodings(encoding: str, compress: Callable[[bytes], bytes]) -> None:
    data = WESTERN.encode() * 50
    assert _feed_all(Inflater(encoding), compress(data), 10_000) == data


def test_inflater_stops_one_byte_past_room() -> None:
    bomb = gzip.compress(b" " * 10_000_000)
    out = Inflater("gzip").feed(bomb, 1000)
    assert len(out) == 1001


def test_inflater_concatenated_members_and_trailing_junk() -> None:
    data = gzip.compress(b"one ") + gzip.compress(b"two") + b"\x00junk"
    assert _feed_all(Inflater("gzip"), data, 1000) == b"one two"


def test_inflater_corrupt_stream_raises() -> None:
    with pytest.raises(zlib.error):
        Inflater("gzip").feed(b"\x1f\x8b\x08\x00not really gzip at all", 1000)


@pytest.mark.parametrize(
    ("header", "codings"),
    [
        (None, ()),
        ("", ()),
        ("identity", ()),
        ("GZIP", ("gzip",)),
        ("deflate, gzip", ("deflate", "gzip")),
    ],
)
def test_content_codings_in_applied_order(header: str | None, codings: tuple[str, ...]) -> None:
    assert content_codings(header) == codings


@pytest.mark.parametrize(
    ("codings", "says"),
    [
        (("zstd",), "Content-Encoding zstd, which watcher never asks for"),
        (("gzip", "br"), "Content-Encoding br, which watcher never asks for"),
        (("gzip",) * 4, "4 stacked content-encodings, more than the 3 watcher undoes"),
    ],
)
def test_unsupported_codings_say_why(codings: tuple[str, ...], says: str) -> None:
    assert unsupported_codings(codings) == says
    with pytest.raises(ValueError, match="watcher"):
        Decompressor(codings, limit=1000)


def test_decompressor_undoes_layers_last_applied_first() -> None:
    data = WESTERN.encode() * 50
    body = gzip.compress(zlib.compress(data))  # "deflate, gzip"
    decoder = Decompressor(("deflate", "gzip"), limit=10_000)
    out = b"".join(decoder.feed(body[i : i + 7]) for i in range(0, len(body), 7))
    assert (out, decoder.over) == (data, False)


def test_decompressor_bounds_an_inner_layer_too() -> None:
    # The outer layer is small; the inner one inflates without end.
    body = gzip.compress(gzip.compress(b" " * 10_000_000))
    decoder = Decompressor(("gzip", "gzip"), limit=1000)
    out = decoder.feed(body)
    assert decoder.over and len(out) <= 1001


def test_decompressor_counts_plain_bytes_too() -> None:
    decoder = Decompressor((), limit=10)
    assert decoder.feed(b"12345") == b"12345" and not decoder.over
    decoder.feed(b"123456")
    assert decoder.over
