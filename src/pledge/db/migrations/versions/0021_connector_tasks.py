"""connected systems: a request's task per system, and the rows access found there

Revision ID: 0021_connector_tasks
Revises: 0020_policy_announcements
Create Date: 2026-12-05 12:00:00

Why: a request reaches the company's other systems (``PLEDGE_SYSTEMS``) through
the delivery engine, one task per system, and is completed only when every
task is done; the rows an access request found wait, sealed, for its package.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0021_connector_tasks"
down_revision = "0020_policy_announcements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connector_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("system_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("identities_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_connector_tasks_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_tasks")),
        sa.UniqueConstraint(
            "request_id",
            "system_id",
            "action",
            name=op.f("uq_connector_tasks_request_id"),
        ),
    )
    op.create_index(
        op.f("ix_connector_tasks_request_id"), "connector_tasks", ["request_id"], unique=False
    )
    op.create_table(
        "connected_rows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["connector_tasks.id"],
            name=op.f("fk_connected_rows_task_id_connector_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connected_rows")),
    )
    op.create_index(op.f("ix_connected_rows_task_id"), "connected_rows", ["task_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_connected_rows_task_id"), table_name="connected_rows")
    op.drop_table("connected_rows")
    op.drop_index(op.f("ix_connector_tasks_request_id"), table_name="connector_tasks")
    op.drop_table("connector_tasks")
