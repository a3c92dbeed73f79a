"""the request's own page: browser sessions and sign-in code failures

Revision ID: 0017_request_page
Revises: 0014_throttle
Create Date: 2026-12-10 09:00:00

Why: a person opens their request's page from the link in the code mail and
enters the code; the browser is then signed in to that one request for a short
while. ``rights_page_sessions`` keeps each session's cookie value only as an
HMAC, so a session can be ended (signing out) and expires on the server, not
only in the browser. ``rights_requests.sign_in_failures`` counts wrong codes
against the code a verified request's page asked for (the verification code
keeps its own count, ``failed_attempts``, and its lock).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0016_request_page"
down_revision = "0015_staff_roles_totp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sign_in_failures", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "rights_page_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_page_sessions_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_page_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rights_page_sessions_token_hash")),
    )
    with op.batch_alter_table("rights_page_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rights_page_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rights_page_sessions_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rights_page_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rights_page_sessions_request_id"))
        batch_op.drop_index(batch_op.f("ix_rights_page_sessions_expires_at"))
    op.drop_table("rights_page_sessions")
    with op.batch_alter_table("rights_requests", schema=None) as batch_op:
        batch_op.drop_column("sign_in_failures")
