"""complaints: the queue of complaints about how personal data was handled

Revision ID: 0022_complaints
Revises: 0021_connector_tasks
Create Date: 2026-12-05 13:00:00

Why: the policy promises to resolve complaints (an answer within 45 days, then
free independent recourse); each is kept, sealed, until its retention ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0022_complaints"
down_revision = "0021_connector_tasks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("email_index", sa.String(length=64), nullable=False),
        sa.Column("email_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("text_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("answer_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("verified_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_to", sa.String(length=200), nullable=True),
        sa.Column("escalation_reference", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_email_index"), "complaints", ["email_index"], unique=False)
    op.create_index("ix_complaints_state_due_at", "complaints", ["state", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_complaints_state_due_at", table_name="complaints")
    op.drop_index(op.f("ix_complaints_email_index"), table_name="complaints")
    op.drop_table("complaints")
