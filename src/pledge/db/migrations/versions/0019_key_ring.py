"""the key ring: what a master-key rotation keeps, sealed

Revision ID: 0019_key_ring
Revises: 0018_legal_holds
Create Date: 2026-12-05 08:00:00

Why: ``pledge keys rotate-master`` re-wraps every subject key under a new
master key while servers keep running; the two keys' wrapping keys are sealed
for each other here until the rotation is retired, and the keys derived from
the first master key (blind indexes, signing, audit MACs) are kept sealed
under the key in force, since they must never change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0019_key_ring"
down_revision = "0018_legal_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_ring",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("sealed_by", sa.String(length=16), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_ring")),
    )
    op.create_index("uq_key_ring_entry", "key_ring", ["kind", "key_id", "sealed_by"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_key_ring_entry", table_name="key_ring")
    op.drop_table("key_ring")
