"""rate-limit counters for sign-in and anonymous intake

Revision ID: 0014_throttle
Revises: 0013_security_review
Create Date: 2026-12-06 09:00:00

Why: sign-in and the anonymous request intake are throttled per IP address,
per e-mail address and per (account, address). The counters live in the
database so that every server process (``pledge serve --workers N``, several
machines) counts against the same limit, and each hit is one atomic upsert.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_throttle"
down_revision = "0013_security_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "throttle_counters",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("period", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "period", name=op.f("pk_throttle_counters")),
    )
    with op.batch_alter_table("throttle_counters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_throttle_counters_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("throttle_counters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_throttle_counters_expires_at"))
    op.drop_table("throttle_counters")
