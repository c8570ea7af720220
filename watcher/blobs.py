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

Reading resolves chains iteratively and checks every decoded blob against its
key: a missing or damaged base is a :class:`StoreError`, never wrong bytes.
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
from sqlalchemy import select
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
# full blob. Reading the deepest version costs 15 dictionary decompressions and
# checks (≈ 0.1 ms each for a 56 KB page), and a damaged blob makes at most 15
# later versions unreadable; 16 keeps both small.
CHAIN_LIMIT = 16
LEVEL = 9
# A delta under 1/16 of the raw size beats any plain compression of a real page
# (level 9 keeps corpus pages at 17-30 %), so the plain compression (several
# times the delta's CPU) is only tried, and compared, for larger deltas.
_SURE_DELTA_SHARE = 16
# Below this a base is no useful dictionary (and zstd wants a few bytes of it).
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


def _raw_dict(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


class Blobs:
    """Writes and reads blob rows inside a caller's session; thread-safe."""

    def __init__(self, *, chain_limit: int = CHAIN_LIMIT, level: int = LEVEL) -> None:
        if chain_limit < 1:
            raise ValueError("chain_limit must be at least 1")
        self.chain_limit = chain_limit
        self._level = level
        # zstd (de)compression contexts must not be used by two threads at once.
        self._local = threading.local()

    def _plain(self, data: bytes) -> bytes:
        compressor: zstandard.ZstdCompressor | None = getattr(self._local, "compressor", None)
        if compressor is None:
            compressor = self._local.compressor = zstandard.ZstdCompressor(level=self._level)
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
        exists = session.scalar(select(schema.Blob.sha256).where(schema.Blob.sha256 == digest))
        if exists is None:
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
        delta = zstandard.ZstdCompressor(level=self._level, dict_data=_raw_dict(base_bytes))
        as_delta = _Encoded(DELTA, base, depth + 1, delta.compress(data))
        if len(as_delta.data) * _SURE_DELTA_SHARE <= len(data):
            return as_delta
        plain = self._plain(data)
        return as_delta if len(as_delta.data) < len(plain) else _Encoded(FULL, None, 0, plain)

    def _base_for(self, session: Session, base: str | None) -> tuple[bytes | None, int]:
        """The base's bytes and depth, or None when the new blob must be full."""
        if base is None:
            return None, 0
        row = session.execute(
            select(schema.Blob.size, schema.Blob.depth).where(schema.Blob.sha256 == base)
        ).first()
        if row is None or row.size < _MIN_BASE or row.depth + 1 >= self.chain_limit:
            return None, 0
        try:
            return self.read(session, [base])[base], int(row.depth)
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
        return {sha: decoded[sha] for sha in wanted}

    def _rows(self, session: Session, wanted: list[str]) -> dict[str, _Row]:
        """The wanted rows and every base their chains need, a query per chain level."""
        rows: dict[str, _Row] = {}
        needed_by: dict[str, str] = {}  # base key -> a blob that needs it (for the error)
        pending = wanted
        while pending:
            found = self._fetch(session, pending)
            missing = [sha for sha in pending if sha not in found]
            if missing:
                sha = missing[0]
                if sha in needed_by:
                    raise StoreError(
                        f"blob {needed_by[sha]} is a delta against {sha}, which is missing"
                    )
                raise StoreError(f"no stored blob {sha}")
            rows.update(found)
            pending = []
            for row in found.values():
                base = row.base_sha256
                if base is not None and base not in rows and base not in needed_by:
                    needed_by[base] = row.sha256
                    pending.append(base)
        return rows

    @staticmethod
    def _fetch(session: Session, shas: list[str]) -> dict[str, _Row]:
        blob = schema.Blob
        out: dict[str, _Row] = {}
        for start in range(0, len(shas), _CHUNK):
            query = select(
                blob.sha256, blob.size, blob.codec, blob.base_sha256, blob.depth, blob.data
            ).where(blob.sha256.in_(shas[start : start + _CHUNK]))
            for r in session.execute(query):
                out[r.sha256] = _Row(r.sha256, r.size, r.codec, r.base_sha256, r.depth, r.data)
        return out

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
                raise StoreError(f"blob {row.sha256} has an unknown codec {row.codec!r}")
        except zstandard.ZstdError as exc:
            via = f" (a delta against {row.base_sha256})" if row.base_sha256 else ""
            raise StoreError(f"blob {row.sha256}{via} does not decode: {exc}") from exc
        if len(raw) != row.size or sha256(raw) != row.sha256:
            via = f" (a delta against {row.base_sha256})" if row.base_sha256 else ""
            raise StoreError(f"blob {row.sha256}{via} is corrupt: its bytes do not match its key")
        return raw


def _insert_for(dialect: str) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
