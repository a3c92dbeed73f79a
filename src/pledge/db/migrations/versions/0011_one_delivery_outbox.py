"""one outbox for every delivery: mail, Client webhooks, recipient notices

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 09:00:00

Why: mail, Client webhooks and recipient notices each had a loop with its own
lease and back-off. The ``outbox`` table becomes the one queue of the delivery
engine (:mod:`pledge.delivery`): a kind, an id-only target, a lease with a
token, a dead-letter state and a nullable ``subject_id``. Mail keeps its rows
(``failed`` becomes ``dead``). Each Client webhook delivery gets an outbox row of
the same id, kind ``client_webhook``, carrying its encrypted body unchanged (its
associated data stays ``webhook:<id>``, so nothing needs the master key here);
``webhook_deliveries`` stays as the Client's view of it and loses its payload.
Queued recipient notices are left to the running code, which alone knows from the
policy which recipients have a webhook (:func:`pledge.rights.notices.queue_hooked_notices`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WEBHOOKS_INTO_OUTBOX = """
INSERT INTO outbox (id, kind, template, target, payload, status, attempts,
                    next_attempt_at, last_error, created_at, sent_at)
SELECT id, 'client_webhook', 'conversation.collected', client_id, payload,
       CASE status WHEN 'pending' THEN 'pending' WHEN 'delivered' THEN 'sent' ELSE 'cancelled' END,
       attempts, next_attempt_at,
       CASE WHEN status = 'delivered' THEN NULL ELSE last_status END,
       created_at, delivered_at
FROM webhook_deliveries
"""

_PAYLOADS_BACK = """
UPDATE webhook_deliveries SET payload = (
    SELECT outbox.payload FROM outbox
    WHERE outbox.id = webhook_deliveries.id AND outbox.kind = 'client_webhook'
)
"""


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=16), type_=sa.String(length=32)
        )
        batch_op.alter_column("payload", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.add_column(sa.Column("target", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("subject_id", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", pledge.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("lease_token", sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column("last_attempt_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_outbox_subject_id"), ["subject_id"], unique=False)
        batch_op.create_index("ix_outbox_due", ["kind", "status", "next_attempt_at"], unique=False)
    op.execute("UPDATE outbox SET status = 'dead' WHERE status = 'failed'")
    op.execute(_WEBHOOKS_INTO_OUTBOX)
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_column("payload")


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.LargeBinary(), nullable=True))
    op.execute(_PAYLOADS_BACK)
    # 0010 retried pending deliveries for ever and knew no dead state.
    op.execute(
        "UPDATE webhook_deliveries SET status = 'pending' "
        "WHERE status = 'dead' AND payload IS NOT NULL"
    )
    op.execute("DELETE FROM outbox WHERE kind <> 'email' OR payload IS NULL")
    op.execute("UPDATE outbox SET status = 'failed' WHERE status IN ('dead', 'cancelled')")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index(batch_op.f("ix_outbox_subject_id"))
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("lease_token")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("subject_id")
        batch_op.drop_column("target")
        batch_op.alter_column("payload", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=32), type_=sa.String(length=16)
        )
