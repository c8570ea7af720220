"""Blobs: content-addressed bodies and texts, stored whole or as zstd deltas.

A blob row is keyed by the sha256 of its original bytes and is either
self-contained (codec ``zstd``) or a delta (codec ``zstd-delta``): a zstd frame
compressed with its base blob's original bytes as a raw-content dictionary.
The base is the previous version of the same watch, so a changed page costs
only what changed (a few hundred bytes instead of a sixth of the page).

A delta's ``depth`` is its base's depth + 1 (a full blob has depth 0), so a
chain never holds more than :data:`CHAIN_LIMIT` blobs: the version that would
make it longer is stored whole, which also bounds what one damaged blob can
take with it. Rows are never rewritten (``ON CONFLICT DO NOTHING``) and a base
always exists before its delta, so chains cannot form cycles.

Reading fetches a chain in one query, decodes it in a loop (not recursion) and
checks what it returns against its key: a missing or damaged base is a
:class:`StoreError` that names it, never wrong bytes.
Nothing deletes blobs today (removing a watch leaves its blobs, which other
watches' chains may share); whatever prunes them one day must keep every blob
that some row's ``base_sha256`` names.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

import zstandard
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from watcher import schema
from watcher.errors import StoreError
from watcher.records import sha256

log = logging.getLogger(__name__)

FULL = "zstd"
DELTA = "zstd-delta"

# Blobs in the longest chain (one full + 15 deltas). Per version a chain costs
# (full + (k-1)·delta)/k: with corpus pages (full ≈ 10 KB, delta ≈ 200 B) that is
# ≈ 1.4 KB at k = 8, ≈ 0.8 KB at 16, and beyond 16 less than another 1/16 of a
# full blob. Reading the deepest version costs 15 dictionary decompressions
# (tens of µs each for a 56 KB page; the chain comes in one query), and a damaged
# blob makes at most 15 later versions unreadable; 16 keeps both small.
CHAIN_LIMIT = 16
LEVEL = 9
# A delta under 1/16 of the raw size beats any plain compression of a real page
# (level 9 keeps corpus pages at 17-30 %), so the plain compression (several
# times the delta's CPU) is only tried, and compared, for larger deltas.
_SURE_DELTA_SHARE = 16
# Below this a base is no useful dictionary.
_MIN_BASE = 64
_CHUNK = 500  # keys per IN (...) query: well under every back end's parameter limit


class _Encoded(NamedTuple):
    """The stored form of one blob: the columns besides its key and size."""

    codec: str
    base_sha256: str | None
    depth: int
    data: bytes


@dataclass(frozen=True, slots=True)
class _Row:
    sha256: str
    size: int
    codec: str
    base_sha256: str | None
    depth: int
    data: bytes


_BLOBS = schema.Base.metadata.tables["blobs"]
_EXISTS = select(_BLOBS.c.sha256).where(_BLOBS.c.sha256 == bindparam("sha"))


def _chains_query() -> Select[Any]:
    """The rows of the blobs ``:keys`` and of every base down their chains (UNION, not
    UNION ALL, so even a loop edited into the table ends)."""
    chain = (
        select(_BLOBS.c.sha256, _BLOBS.c.base_sha256)
        .where(_BLOBS.c.sha256.in_(bindparam("keys", expanding=True)))
        .cte("chain", recursive=True)
    )
    chain = chain.union(
        select(_BLOBS.c.sha256, _BLOBS.c.base_sha256).select_from(
            _BLOBS.join(chain, _BLOBS.c.sha256 == chain.c.base_sha256)
        )
    )
    columns = ("sha256", "size", "codec", "base_sha256", "depth", "data")
    return select(*(_BLOBS.c[name] for name in columns)).where(
        _BLOBS.c.sha256.in_(select(chain.c.sha256))
    )


# Built once: constructing a statement costs more than running this one.
_CHAINS = _chains_query()


def _raw_dict(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


class Blobs:
    """Writes and reads blob rows inside a caller's session; thread-safe."""

    def __init__(self) -> None:
        # zstd (de)compression contexts must not be used by two threads at once.
        self._local = threading.local()

    def _plain(self, data: bytes) -> bytes:
        compressor: zstandard.ZstdCompressor | None = getattr(self._local, "compressor", None)
        if compressor is None:
            compressor = self._local.compressor = zstandard.ZstdCompressor(level=LEVEL)
        return compressor.compress(data)

    def _unplain(self, row: _Row) -> bytes:
        decompressor: zstandard.ZstdDecompressor | None = getattr(self._local, "decompressor", None)
        if decompressor is None:
            decompressor = self._local.decompressor = zstandard.ZstdDecompressor()
        return decompressor.decompress(row.data, max_output_size=row.size)

    # ------------------------------------------------------------ writing

    def put(self, session: Session, data: bytes, *, base: str | None = None) -> str:
        """Store ``data`` unless its content is already there; its sha256 key.

        ``base`` is the key of the previous version of the same content (the
        caller knows it): the new blob becomes a delta against it when that is
        smaller and the chain stays within the limit."""
        digest = sha256(data)
        if session.execute(_EXISTS, {"sha": digest}).first() is None:
            values = self._encode(session, data, base)
            # Two checks storing the same content at once (syndicated copies) race on
            # the key; content addressing makes "already there" a success, so let the
            # database settle it instead of failing one of the checks. Either row is
            # a valid encoding of the same bytes.
            insert = _insert_for(session.get_bind().dialect.name)
            session.execute(
                insert(schema.Blob)
                .values(sha256=digest, size=len(data), **values._asdict())
                .on_conflict_do_nothing(index_elements=["sha256"])
            )
        return digest

    def _encode(self, session: Session, data: bytes, base: str | None) -> _Encoded:
        base_bytes, depth = self._base_for(session, base)
        if base is None or base_bytes is None:
            return _Encoded(FULL, None, 0, self._plain(data))
        delta = zstandard.ZstdCompressor(level=LEVEL, dict_data=_raw_dict(base_bytes))
        as_delta = _Encoded(DELTA, base, depth + 1, delta.compress(data))
        if len(as_delta.data) * _SURE_DELTA_SHARE <= len(data):
            return as_delta
        plain = self._plain(data)
        return as_delta if len(as_delta.data) < len(plain) else _Encoded(FULL, None, 0, plain)

    def _base_for(self, session: Session, base: str | None) -> tuple[bytes | None, int]:
        """The base's bytes and depth, or None when the new blob must be full."""
        if base is None:
            return None, 0
        try:
            rows = self._rows(session, [base])
            row = rows[base]
            if row.size < _MIN_BASE or row.depth + 1 >= CHAIN_LIMIT:
                return None, 0
            decoded: dict[str, bytes] = {}
            self._resolve(base, rows, decoded)
            _verify(base, rows, decoded)
            return decoded[base], row.depth
        except StoreError as exc:
            # A damaged old version must not cost the new one: store it whole.
            log.warning("storing a full blob: the previous version is unreadable (%s)", exc)
            return None, 0

    # ------------------------------------------------------------ reading

    def read(self, session: Session, shas: Iterable[str]) -> dict[str, bytes]:
        """The original bytes of each blob, chains resolved; StoreError if any is
        missing or does not decode to its key."""
        wanted = list(dict.fromkeys(shas))
        rows = self._rows(session, wanted)
        decoded: dict[str, bytes] = {}
        for sha in wanted:
            self._resolve(sha, rows, decoded)
            _verify(sha, rows, decoded)
        return {sha: decoded[sha] for sha in wanted}

    @staticmethod
    def _rows(session: Session, wanted: list[str]) -> dict[str, _Row]:
        """The wanted rows and every base their chains need: one query per 500 keys,
        not one per chain level (a query costs far more than a delta's decoding)."""
        rows: dict[str, _Row] = {}
        for start in range(0, len(wanted), _CHUNK):
            for r in session.execute(_CHAINS, {"keys": wanted[start : start + _CHUNK]}):
                rows[r.sha256] = _Row(r.sha256, r.size, r.codec, r.base_sha256, r.depth, r.data)
        for sha in wanted:
            if sha not in rows:
                raise StoreError(f"no stored blob {sha}")
        for row in rows.values():
            if row.base_sha256 is not None and row.base_sha256 not in rows:
                raise StoreError(
                    f"blob {row.sha256} is a delta against {row.base_sha256}, which is missing"
                )
        return rows

    def _resolve(self, sha: str, rows: dict[str, _Row], decoded: dict[str, bytes]) -> None:
        # Walk down to a full blob or one already decoded, then decode back up: a loop,
        # not recursion, and a key seen twice (impossible unless rows were edited)
        # is an error rather than an endless walk.
        chain: list[str] = []
        key: str | None = sha
        while key is not None and key not in decoded:
            if key in chain:
                raise StoreError(f"blob {sha}: its delta chain loops at {key}")
            chain.append(key)
            key = rows[key].base_sha256
        for key in reversed(chain):
            row = rows[key]
            decoded[key] = self._decode(row, decoded.get(row.base_sha256 or ""))

    def _decode(self, row: _Row, base: bytes | None) -> bytes:
        try:
            if row.codec == FULL:
                raw = self._unplain(row)
            elif row.codec == DELTA and base is not None:
                decompressor = zstandard.ZstdDecompressor(dict_data=_raw_dict(base))
                raw = decompressor.decompress(row.data, max_output_size=row.size)
            else:
                raise StoreError(
                    f"blob {row.sha256} has codec {row.codec!r} and base {row.base_sha256}:"
                    " no stored form watcher knows"
                )
        except zstandard.ZstdError as exc:
            via = f" (a delta against {row.base_sha256})" if row.base_sha256 else ""
            raise StoreError(f"blob {row.sha256}{via} does not decode: {exc}") from exc
        if len(raw) != row.size:
            raise _corrupt(row.sha256, needed_by=None)
        return raw


def _verify(sha: str, rows: dict[str, _Row], decoded: dict[str, bytes]) -> None:
    """Check a blob that is returned against its key. Only returned blobs are hashed:
    a base is used only as a dictionary, so a damaged one shows as a wrong result
    (and one damaged where the delta does not look yields the right bytes)."""
    if sha256(decoded[sha]) == sha:
        return
    chain = [sha]
    while (base := rows[chain[-1]].base_sha256) is not None:
        chain.append(base)
    # Name the lowest damaged blob: that is the one to restore.
    culprit = next((key for key in reversed(chain) if sha256(decoded[key]) != key), sha)
    raise _corrupt(culprit, needed_by=None if culprit == sha else sha)


def _corrupt(sha: str, *, needed_by: str | None) -> StoreError:
    via = f" (blob {needed_by} is a delta chain on it)" if needed_by else ""
    return StoreError(f"blob {sha} is corrupt: its bytes do not match its key{via}")


def _insert_for(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
