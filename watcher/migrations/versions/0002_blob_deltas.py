"""blob deltas: a blob may be a zstd delta against a base blob

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:05:00

Existing blobs are whole (codec ``zstd``): they get no base and depth 0 and read
as before. Plain ADD COLUMN / DROP COLUMN on both back ends (no batch rebuild
of ``blobs``, which on SQLite would trip the snapshots' foreign keys).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
import zstandard
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 200


def upgrade() -> None:
    op.add_column("blobs", sa.Column("base_sha256", sa.String(length=64), nullable=True))
    op.add_column("blobs", sa.Column("depth", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # The old schema knows only whole blobs: rewrite every delta whole first, by
    # ascending depth, so each one's base is already whole when it is reached.
    # Self-contained on purpose: a migration must not depend on code that changes.
    conn = op.get_bind()
    blobs = sa.table(
        "blobs",
        sa.column("sha256", sa.String),
        sa.column("size", sa.Integer),
        sa.column("codec", sa.String),
        sa.column("data", sa.LargeBinary),
        sa.column("base_sha256", sa.String),
        sa.column("depth", sa.Integer),
    )
    compressor = zstandard.ZstdCompressor(level=9)
    plain = zstandard.ZstdDecompressor()
    top = conn.scalar(sa.select(sa.func.max(blobs.c.depth))) or 0
    for depth in range(1, top + 1):
        keys = list(conn.scalars(sa.select(blobs.c.sha256).where(blobs.c.depth == depth)))
        for start in range(0, len(keys), _BATCH):
            rows = conn.execute(
                sa.select(blobs.c.sha256, blobs.c.size, blobs.c.data, blobs.c.base_sha256).where(
                    blobs.c.sha256.in_(keys[start : start + _BATCH])
                )
            ).all()
            for row in rows:
                base = conn.execute(
                    sa.select(blobs.c.size, blobs.c.data).where(blobs.c.sha256 == row.base_sha256)
                ).one()
                base_raw = plain.decompress(base.data, max_output_size=base.size)
                raw = zstandard.ZstdDecompressor(
                    dict_data=zstandard.ZstdCompressionDict(
                        base_raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT
                    )
                ).decompress(row.data, max_output_size=row.size)
                if hashlib.sha256(raw).hexdigest() != row.sha256:
                    raise RuntimeError(f"blob {row.sha256} is corrupt; not downgrading")
                conn.execute(
                    blobs.update()
                    .where(blobs.c.sha256 == row.sha256)
                    .values(codec="zstd", data=compressor.compress(raw), base_sha256=None, depth=0)
                )
    op.drop_column("blobs", "depth")
    op.drop_column("blobs", "base_sha256")
