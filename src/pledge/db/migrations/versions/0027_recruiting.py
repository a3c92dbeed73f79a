"""recruiting: the positions applications name

Revision ID: 0027_recruiting
Revises: 0026_form_confirmations
Create Date: 2027-02-01 08:00:00

Why: recruiting (issue #17, point 3) closes a position and, with it, deletes
the applications that did not ask to be kept; applications are records and
need no table of their own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0027_recruiting"
down_revision = "0026_form_confirmations"
branch_labels = None
depends_on = None

UTC = pledge.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "positions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opened_at", UTC(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=128), nullable=False),
        sa.Column("closed_at", UTC(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positions")),
    )


def downgrade() -> None:
    op.drop_table("positions")
