"""log data: the beacon's page views and the aggregates that outlive them

Revision ID: 0025_log_data
Revises: 0023_registers
Create Date: 2027-01-20 08:00:00

Why: the policy's log data (issue #17, point 2) is kept per page view only for
``log_data.retention``, without IP address or cookie id; ``site_aggregates``
keeps the daily counts of groups of at least k page views after the rows go.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0025_log_data"
down_revision = "0023_registers"
branch_labels = None
depends_on = None

UTC = pledge.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "site_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", UTC(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("landing", sa.Boolean(), nullable=False),
        sa.Column("search_engine", sa.String(length=40), nullable=True),
        sa.Column("search_terms", sa.String(length=200), nullable=True),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("browser_family", sa.String(length=64), nullable=False),
        sa.Column("browser_major", sa.String(length=16), nullable=True),
        sa.Column("os_family", sa.String(length=64), nullable=False),
        sa.Column("device_class", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("screen_class", sa.String(length=16), nullable=True),
        sa.Column("do_not_track", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_events")),
    )
    op.create_index(op.f("ix_site_events_occurred_at"), "site_events", ["occurred_at"])
    op.create_index(op.f("ix_site_events_day"), "site_events", ["day"])
    op.create_table(
        "site_aggregates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_aggregates")),
        sa.UniqueConstraint("day", "dimension", "key", name=op.f("uq_site_aggregates_day")),
    )
    op.create_index(op.f("ix_site_aggregates_day"), "site_aggregates", ["day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_site_aggregates_day"), table_name="site_aggregates")
    op.drop_table("site_aggregates")
    op.drop_index(op.f("ix_site_events_day"), table_name="site_events")
    op.drop_index(op.f("ix_site_events_occurred_at"), table_name="site_events")
    op.drop_table("site_events")
