"""form confirmations: site-form answers held until the mailed link is followed

Revision ID: 0026_form_confirmations
Revises: 0025_log_data
Create Date: 2027-01-27 08:00:00

Why: a public form cannot prove who typed an address (security review of
issue #17): consents given there, and submissions kept only with consent, now
wait in ``form_confirmations`` (ciphertext only, under a key held by the
mailed link) until the person confirms from their mailbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0026_form_confirmations"
down_revision = "0025_log_data"
branch_labels = None
depends_on = None

UTC = pledge.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "form_confirmations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("expires_at", UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_confirmations")),
    )
    op.create_index(op.f("ix_form_confirmations_expires_at"), "form_confirmations", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_form_confirmations_expires_at"), table_name="form_confirmations")
    op.drop_table("form_confirmations")
