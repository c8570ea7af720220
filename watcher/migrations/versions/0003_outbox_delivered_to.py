"""outbox: the targets a notification already reached

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 06:10:00

A notification for several apprise URLs is retried only for those that failed:
``delivered_to`` lists fingerprints (sha256 prefixes) of the URLs that took it,
never the URLs themselves, which carry tokens. Existing rows start with none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "outbox", sa.Column("delivered_to", sa.JSON(), nullable=False, server_default="[]")
    )


def downgrade() -> None:
    op.drop_column("outbox", "delivered_to")
