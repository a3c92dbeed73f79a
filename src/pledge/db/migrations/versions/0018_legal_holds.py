"""legal holds: a person whose data retention and erasure must leave alone

Revision ID: 0018_legal_holds
Revises: 0017_mail_copies
Create Date: 2026-12-05 08:00:00

Why: a hold placed by staff (``pledge holds create``, the console, the admin
API) stops the retention run and erasure for one person until it is released
(issue #13, item 2). The person is known by the blind index of their e-mail
and, when known, their subject id; the reason is encrypted with the system key.
``cookie_consents.recorded_at`` gets an index: the retention run deletes the
rows past their keep by it, in batches.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0018_legal_holds"
down_revision = "0017_mail_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email_index", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=True),
        sa.Column("reason_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=128), nullable=True),
        sa.Column("released_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("waiting_requests", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_legal_holds_email_index"), ["email_index"])
        batch_op.create_index(batch_op.f("ix_legal_holds_subject_id"), ["subject_id"])
    with op.batch_alter_table("cookie_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cookie_consents_recorded_at"), ["recorded_at"])


def downgrade() -> None:
    with op.batch_alter_table("cookie_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cookie_consents_recorded_at"))
    with op.batch_alter_table("legal_holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_legal_holds_subject_id"))
        batch_op.drop_index(batch_op.f("ix_legal_holds_email_index"))
    op.drop_table("legal_holds")
