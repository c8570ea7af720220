"""From response bytes to text: is it text at all, and which charset it is in.

Two questions, asked in this order by the fetcher:

``check_text(body, content_type)``
    Rejects bodies watcher cannot read (``not_text``): media types that are not
    text (images, PDF, archives, ``application/octet-stream``...) and bodies
    whose first bytes are a binary signature or hold NUL bytes, *whatever* the
    Content-Type says: servers label PNGs and downloads ``text/html`` often
    enough.

``decode_body(body, content_type_header)``
    Finds the charset: byte-order mark → Content-Type ``charset`` → ``<meta
    charset>`` / ``http-equiv`` / XML declaration in the first 8 KB → UTF-8 →
    detection (charset-normalizer) → windows-1252.  Raises ``decode`` only when
    no candidate decodes the bytes.

``content_codings(header)`` / ``unsupported_codings(codings)``
    Which content-codings a response applied, and why watcher will not undo
    them (an encoding it never asks for, or too many stacked).

``Inflater`` / ``Decompressor``
    Undo one gzip/deflate layer / all of a response's layers, never producing
    more than allowed at any layer.

All are pure: bytes and header values in, values or ``FetchError`` out.
"""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Final

from watcher.errors import FetchError

try:  # charset-normalizer ships with our dependency tree, but decoding must not need it.
    import charset_normalizer
except ImportError:  # pragma: no cover - exercised only in stripped-down installs
    charset_normalizer = None  # type: ignore[assignment]

__all__ = [
    "INFLATABLE",
    "MAX_CODINGS",
    "Decompressor",
    "Inflater",
    "check_text",
    "content_codings",
    "decode_body",
    "looks_binary",
    "media_type",
    "parse_content_type",
    "unsupported_codings",
]

INFLATABLE: Final = frozenset({"gzip", "x-gzip", "deflate"})
# Browsers undo stacked codings ("gzip, gzip" from a proxy gzipping a gzipped
# page); more than this is no real server, only a bomb in layers.
MAX_CODINGS: Final = 3
# Where a page declares its own charset; the HTML spec's prescan reads 1024 bytes,
# but real pages put large scripts and styles before the meta tag.
_SNIFF_BYTES: Final = 8192
# Bytes looked at for signatures and NULs: enough to be sure, cheap on a 5 MB page.
_BINARY_SNIFF_BYTES: Final = 4096

_TEXT_TYPES: Final = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml"}
)

_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x00\x00\x01\x00", "an icon"),
)

_BOMS: Final[tuple[tuple[bytes, str], ...]] = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")

# Labels browsers decode as windows-1252 (WHATWG Encoding): servers that say
# latin-1 or ASCII almost always serve cp1252 curly quotes and dashes.
_AS_CP1252: Final = frozenset(
    {"iso8859-1", "latin-1", "ascii", "x-user-defined", "cp819", "iso-ir-100", "l1"}
)
# A detector's guess counts only when its output is mostly free of odd characters.
_MAX_CHAOS: Final = 0.2
# Below this share of non-ASCII bytes there is too little for a detector to go on.
_FEW_NON_ASCII: Final = 0.05
_ASCII: Final = bytes(range(128))


def parse_content_type(header: str | None) -> tuple[str | None, dict[str, str]]:
    """Split ``text/html; charset="UTF-8"`` into ``("text/html", {"charset": "UTF-8"})``."""
    if not header:
        return None, {}
    head, *rest = header.split(";")
    mtype = head.strip().lower() or None
    params: dict[str, str] = {}
    for part in rest:
        name, sep, value = part.partition("=")
        if sep:
            params[name.strip().lower()] = value.strip().strip("\"'").strip()
    return mtype, params


def media_type(header: str | None) -> str | None:
    """The media type of a Content-Type header, lower case, without parameters."""
    return parse_content_type(header)[0]


def _is_text_type(mtype: str) -> bool:
    return mtype in _TEXT_TYPES or mtype.startswith("text/") or mtype.endswith("+xml")


def _signature(prefix: bytes) -> str | None:
    for magic, what in _SIGNATURES:
        if prefix.startswith(magic):
            return what
    if prefix.startswith(b"RIFF") and prefix[8:12] == b"WEBP":
        return "a WebP image"
    return None


def _binary_reason(body: bytes, content_type: str | None) -> str | None:
    """Why the body is not text watcher can read, or None when it is."""
    mtype, params = parse_content_type(content_type)
    if mtype is not None and not _is_text_type(mtype):
        return f"it is served as {mtype}, not as a text page"
    prefix = body[:_BINARY_SNIFF_BYTES]
    what = _signature(prefix)
    if what is not None:
        served = f" although served as {mtype}" if mtype else ""
        return f"its first bytes are {what}{served}"
    # UTF-16/32 text is full of NULs; only a declared or marked wide encoding excuses them.
    wide = _bom(prefix) not in (None, "utf-8") or params.get("charset", "").lower().startswith(
        ("utf-16", "utf-32")
    )
    if b"\x00" in prefix and not wide:
        return "it contains NUL bytes, which text pages never do"
    return None


def looks_binary(body: bytes, content_type: str | None) -> bool:
    """True when the body is not a text page (by media type, signature or NUL bytes)."""
    return _binary_reason(body, content_type) is not None


def check_text(body: bytes, content_type: str | None, *, url: str | None = None) -> None:
    """Raise ``FetchError(not_text)`` unless the body is a text page watcher can read."""
    reason = _binary_reason(body, content_type)
    if reason is not None:
        where = f"{url} " if url else "the body "
        raise FetchError(
            f"{where}is not a text page: {reason}; point the watch at the article's HTML page",
            failure_class="not_text",
        )


def _bom(prefix: bytes) -> str | None:
    for bom, name in _BOMS:
        if prefix.startswith(bom):
            return name
    return None


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when Python does not know it."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _try(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_in_body(body: bytes) -> str | None:
    """The charset the page names itself: XML declaration or ``<meta>`` tag."""
    head = body[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    codec = _codec(match.group(1).decode("ascii", "replace"))
    # A page that could be read as ASCII to find this tag is not UTF-16 (HTML spec).
    if codec is not None and codec.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return codec


def _detect(body: bytes) -> str | None:
    """Guess a legacy charset; windows-1252 wins whenever it is a plausible reading."""
    cp1252_ok = _try(body, "cp1252") is not None
    non_ascii = len(body.translate(None, _ASCII)) / max(len(body), 1)
    # A handful of accented letters is what Western pages look like, and far too
    # little for a detector (it reads "’" as Big5 or "é" as cp775).
    if cp1252_ok and non_ascii < _FEW_NON_ASCII:
        return "cp1252"
    if charset_normalizer is not None:
        matches = [m for m in charset_normalizer.from_bytes(body) if m.chaos <= _MAX_CHAOS]
        if cp1252_ok and any("cp1252" in m.could_be_from_charset for m in matches):
            return "cp1252"
        if matches:
            return _codec(matches[0].encoding)
    return "cp1252" if cp1252_ok else None


def decode_body(
    body: bytes, content_type_header: str | None, *, url: str | None = None
) -> tuple[str, str]:
    """Decode a page to ``(text, charset)``; raise ``FetchError(decode)`` if nothing fits."""
    # The BOM goes first, as in browsers: a UTF-8 BOM under "charset=iso-8859-1"
    # means the header is stale, and trusting it would turn the BOM into "ï»¿".
    bom = _bom(body)
    if bom is not None:
        text = _try(body[_bom_len(body) :], bom)
        if text is not None:
            return text, bom
    _, params = parse_content_type(content_type_header)
    # Header, then the page's own declaration; a wrong label (bytes that do not
    # decode under it) falls through to the next source rather than failing.
    for codec in (_codec(params.get("charset")), _declared_in_body(body), "utf-8"):
        text = _try(body, codec)
        if text is not None and codec is not None:
            return text, codec
    detected = _detect(body)
    text = _try(body, detected)
    if text is not None and detected is not None:
        return text, detected
    where = url or "the page"
    raise FetchError(
        f"could not decode {where}: the bytes fit neither its declared charset "
        f"({params.get('charset') or 'none'}) nor UTF-8 nor any detected charset; "
        "the page is probably corrupt, check it in a browser",
        failure_class="decode",
    )


def _bom_len(body: bytes) -> int:
    for bom, _ in _BOMS:
        if body.startswith(bom):
            return len(bom)
    return 0


class Inflater:
    """gzip/deflate content-encoding undone with a bound on the output of every step.

    httpx inflates each network chunk whole: 64 KB of a gzip bomb become ~64 MB
    before anyone can count them.  Here ``feed`` stops one byte past ``room``.
    """

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._raw_tried = False
        self._members = 0  # complete gzip members so far
        self._finished = False
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``; stops as soon as output exceeds ``room`` bytes."""
        out = bytearray()
        while data and not self._finished:
            try:
                # max_length = room+1: one byte over proves the body is too large.
                out += self._obj.decompress(data, room - len(out) + 1)
            except zlib.error:
                if self._members:
                    # Junk after a complete stream: ignored, as browsers do.
                    self._finished = True
                    break
                # "deflate" is zlib-wrapped by the RFC and raw by many servers.
                if self._gzip or self._raw_tried or out:
                    raise
                self._raw_tried = True
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_tried = True
            if len(out) > room:
                break
            if self._obj.eof:
                self._members += 1
                data = self._obj.unused_data
                if not self._gzip:
                    self._finished = True
                elif data:
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)  # concatenated members
            else:
                data = self._obj.unconsumed_tail
        return bytes(out)


def content_codings(header: str | None) -> tuple[str, ...]:
    """The codings of a Content-Encoding header, lower case, in the order they were
    applied (undo them last to first); ``identity`` and empty items left out."""
    if not header:
        return ()
    items = (item.strip().lower() for item in header.split(","))
    return tuple(item for item in items if item and item != "identity")


def unsupported_codings(codings: tuple[str, ...]) -> str | None:
    """Why watcher will not undo these codings, or None when ``Decompressor`` can."""
    others = sorted({c for c in codings if c not in INFLATABLE})
    if others:
        return f"Content-Encoding {', '.join(others)}, which watcher never asks for"
    if len(codings) > MAX_CODINGS:
        return (
            f"{len(codings)} stacked content-encodings, more than the {MAX_CODINGS} watcher undoes"
        )
    return None


class Decompressor:
    """Every content-coding of a body undone, each layer's output bounded by ``limit``.

    ``feed`` returns decoded bytes; once any layer has produced more than
    ``limit`` bytes in all, ``over`` is True and the body is too large: an inner
    layer is compressed data, so it is never much larger than what it decodes to.
    With no codings the bytes pass through, counted the same way.
    """

    def __init__(self, codings: tuple[str, ...], *, limit: int) -> None:
        problem = unsupported_codings(codings)
        if problem is not None:
            raise ValueError(problem)
        # Undo the last applied first.
        self._layers = [Inflater(coding) for coding in reversed(codings)]
        self._made = [0] * len(self._layers)
        self._limit = limit
        self._total = 0
        self.over = False

    def feed(self, data: bytes) -> bytes:
        """Decode ``data``; never more than ``limit`` + 1 bytes out of any layer in all."""
        if self.over:
            return b""
        for i, layer in enumerate(self._layers):
            data = layer.feed(data, self._limit - self._made[i])
            self._made[i] += len(data)
            if self._made[i] > self._limit:
                self.over = True
                return data if i == len(self._layers) - 1 else b""
        self._total += len(data)
        if self._total > self._limit:
            self.over = True
        return data
