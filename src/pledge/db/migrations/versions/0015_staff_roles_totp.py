"""staff roles and TOTP second factor

Revision ID: 0015_staff_roles_totp
Revises: 0014_throttle
Create Date: 2026-12-10 09:00:00

Why: staff accounts get five roles (admin, privacy_officer, support, recruiter,
auditor), checked route by route; the old ``staff`` role handled requests only,
which is what ``support`` does, so its rows are renamed. Administrators must
use an authenticator app (TOTP): its secret is kept sealed, a secret being set
up waits in ``totp_pending`` until a code from it is confirmed, and
``totp_last_step`` refuses a code used once already.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_staff_roles_totp"
down_revision = "0014_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("totp_pending", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.execute("UPDATE staff_users SET role = 'support' WHERE role = 'staff'")


def downgrade() -> None:
    op.execute("UPDATE staff_users SET role = 'staff' WHERE role <> 'admin'")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_pending")
        batch_op.drop_column("totp_secret")
