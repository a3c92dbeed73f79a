"""mail leaves no copies: payloads sealed per person, a hashed recipient, sent mail purged

Revision ID: 0017_mail_copies
Revises: 0016_request_page
Create Date: 2026-12-05 08:00:00

Why: a mail's address and body were encrypted with the system key and kept after
sending, so an erased person's mail could still be read. ``outbox.payload_key``
says which key sealed a payload: ``subject`` (the person's own key, shredded by
their erasure) or ``system`` (purged once delivered). ``outbox.recipient_index``
is the e-mail blind index of a mail's recipient (the HMAC ``identities`` and
``marketing_suppressions`` use), so an erasure finds every mail to the address,
code mails sent before anything was held included. Mail already sent was sealed
with the system key, so its payload is purged here, as it would be from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_mail_copies"
down_revision = "0016_request_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("payload_key", sa.String(length=16), server_default="system", nullable=False)
        )
        batch_op.add_column(sa.Column("recipient_index", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_recipient_index"), ["recipient_index"], unique=False
        )
    op.execute("UPDATE outbox SET payload = NULL WHERE kind = 'email' AND status = 'sent'")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_recipient_index"))
        batch_op.drop_column("recipient_index")
        batch_op.drop_column("payload_key")
