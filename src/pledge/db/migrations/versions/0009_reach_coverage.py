"""marketing reach coverage; erased subjects leave marketing_reach

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_reach_coverage",
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("covered_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_marketing_reach_coverage")),
    )
    op.create_index("ix_marketing_reach_subject_id", "marketing_reach", ["subject_id"])
    # Erasure now deletes the subject's reach rows (they link a blind index to the subject).
    op.execute(
        "DELETE FROM marketing_reach WHERE subject_id IN"
        " (SELECT id FROM subjects WHERE erased_at IS NOT NULL)"
    )


def downgrade() -> None:
    op.drop_index("ix_marketing_reach_subject_id", table_name="marketing_reach")
    op.drop_table("marketing_reach_coverage")
