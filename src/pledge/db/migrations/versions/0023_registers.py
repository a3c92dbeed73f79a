"""registers: legal requests, business transfers, breaches, and the notices they mail

Revision ID: 0023_registers
Revises: 0022_complaints
Create Date: 2027-01-10 08:00:00

Why: the policy promises disclosure to public authorities only on lawful
request, notice in a business transfer, and reasonable security; these
registers are the evidence (issue #15, items 2 and 3). ``register_notices``
records each person told of a transfer or breach, so a batch run never mails
anyone twice. ``disclosures.withheld_until`` hides a disclosure from the
person while the authority forbids telling them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0023_registers"
down_revision = "0022_complaints"
branch_labels = None
depends_on = None

UTC = pledge.db.base.UTCDateTime


def _made() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "legal_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=500), nullable=False),
        sa.Column("scope_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UTC(timezone=True), nullable=False),
        sa.Column("answered_at", UTC(timezone=True), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("notify_allowed", sa.Boolean(), nullable=False),
        sa.Column("notify_after", UTC(timezone=True), nullable=True),
        *_made(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_requests")),
    )
    op.create_index(op.f("ix_legal_requests_received_at"), "legal_requests", ["received_at"])
    op.create_table(
        "legal_request_subjects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("legal_request_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("disclosure_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["legal_request_id"],
            ["legal_requests.id"],
            name=op.f("fk_legal_request_subjects_legal_request_id_legal_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_request_subjects")),
        sa.UniqueConstraint(
            "legal_request_id",
            "subject_id",
            name=op.f("uq_legal_request_subjects_legal_request_id"),
        ),
    )
    op.create_index(
        op.f("ix_legal_request_subjects_subject_id"), "legal_request_subjects", ["subject_id"]
    )
    op.create_table(
        "business_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("buyer", sa.String(length=200), nullable=False),
        sa.Column("transferred_at", UTC(timezone=True), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("note_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("notices_done_at", UTC(timezone=True), nullable=True),
        *_made(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_transfers")),
    )
    op.create_index(
        op.f("ix_business_transfers_transferred_at"), "business_transfers", ["transferred_at"]
    )
    op.create_table(
        "breaches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("summary_ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("known_at", UTC(timezone=True), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("notify_authority", sa.Boolean(), nullable=True),
        sa.Column("notify_people", sa.Boolean(), nullable=True),
        sa.Column("decision_ciphertext", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", UTC(timezone=True), nullable=True),
        sa.Column("authority_told_at", UTC(timezone=True), nullable=True),
        sa.Column("notices_done_at", UTC(timezone=True), nullable=True),
        *_made(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breaches")),
    )
    op.create_index(op.f("ix_breaches_known_at"), "breaches", ["known_at"])
    op.create_table(
        "register_notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("register", sa.String(length=16), nullable=False),
        sa.Column("register_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("queued_at", UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_register_notices_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_notices")),
        sa.UniqueConstraint(
            "register_id", "subject_id", name=op.f("uq_register_notices_register_id")
        ),
    )
    op.create_index("ix_register_notices_subject_id", "register_notices", ["subject_id"])
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withheld_until", UTC(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_column("withheld_until")
    op.drop_index("ix_register_notices_subject_id", table_name="register_notices")
    op.drop_table("register_notices")
    op.drop_index(op.f("ix_breaches_known_at"), table_name="breaches")
    op.drop_table("breaches")
    op.drop_index(op.f("ix_business_transfers_transferred_at"), table_name="business_transfers")
    op.drop_table("business_transfers")
    op.drop_index(op.f("ix_legal_request_subjects_subject_id"), table_name="legal_request_subjects")
    op.drop_table("legal_request_subjects")
    op.drop_index(op.f("ix_legal_requests_received_at"), table_name="legal_requests")
    op.drop_table("legal_requests")
