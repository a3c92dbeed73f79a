"""rights packages: a snapshot taken at fulfilment, with an expiry

Revision ID: 0012_rights_package_snapshot
Revises: 0011
Create Date: 2026-12-10 09:00:00

Why: the package of an access, know or portability request was built from the
live store at each download, for as long as the request was kept (24 months),
so a token read records collected long after the request. The package is now
built once at fulfilment and stored encrypted (with the subject's key, so an
erasure or crypto-shredding also destroys it); downloads stop after
``PLEDGE_PACKAGE_DAYS`` or ``PLEDGE_PACKAGE_COPIES``. Requests completed
before this revision have no snapshot: their package answers 410, and the
person may ask again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0012_rights_package_snapshot"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rights_requests") as batch:
        batch.add_column(sa.Column("package_ciphertext", sa.LargeBinary(), nullable=True))
        batch.add_column(
            sa.Column(
                "package_expires_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("rights_requests") as batch:
        batch.drop_column("package_expires_at")
        batch.drop_column("package_ciphertext")
