"""security review (issue #11): audit MACs and head, verbatim customer ids, circuit breakers

Revision ID: 0013_security_review
Revises: 0012_rights_package_snapshot
Create Date: 2026-12-04 17:00:00

- ``audit_entries.entry_mac``: each entry's MAC under the audit entry key, written with
  the entry. Existing entries keep NULL and are reported as legacy by ``pledge audit
  verify`` (no key is available to a migration, and MACing them now would vouch for
  whatever they hold today).
- ``audit_head``: the chain's newest sealed position and hash, and the last position
  that may lack a MAC, MACed; written by the first seal after this migration, then by
  every seal.
- ``service_customers.legacy_index``: customer ids used to be trimmed and case-folded
  before blind-indexing, so two of a Client's customers could share a row. New rows
  index the id verbatim; the raw id was never stored, so existing rows cannot be
  re-indexed and are marked legacy here (found by their folded index, closed to new
  conversations).
- ``delivery_circuits``: consecutive failures per delivery target and, while a target's
  circuit is open, until when its deliveries wait.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0013_security_review"
down_revision = "0012_rights_package_snapshot"
branch_labels = None
depends_on = None

_CUSTOMERS = sa.table("service_customers", sa.column("legacy_index", sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entry_mac", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "legacy_until",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    with op.batch_alter_table("service_customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legacy_index", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(_CUSTOMERS.update().values(legacy_index=True))
    op.create_table(
        "delivery_circuits",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("open_until", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=64), nullable=True),
        sa.Column("updated_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "target", name=op.f("pk_delivery_circuits")),
    )


def downgrade() -> None:
    op.drop_table("delivery_circuits")
    with op.batch_alter_table("service_customers", schema=None) as batch_op:
        batch_op.drop_column("legacy_index")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("entry_mac")
