"""site visitors: a pseudonym per day on each page view, distinct visitors per aggregate

Revision ID: 0028_site_visitors
Revises: 0027_recruiting
Create Date: 2027-02-08 08:00:00

Why: issue #17 publishes aggregates only for groups of at least k people, not k
page views. Each page view now carries a pseudonym valid for one UTC day (a keyed
hash of address and user agent under that day's random salt, kept in
``site_salts`` until the day is over); ``site_aggregates`` counts the distinct
visitors of each group. Aggregates rolled up before this revision counted page
views only: they get ``visitors`` 0, which no k reaches, so they are no longer
shown (a downgrade shows them again). Page views stored before it have no
pseudonym and count no visitor.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_site_visitors"
down_revision = "0027_recruiting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_salts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_site_salts")),
    )
    with op.batch_alter_table("site_events") as batch:
        batch.add_column(sa.Column("visitor", sa.String(length=16), nullable=True))
    with op.batch_alter_table("site_aggregates") as batch:
        batch.add_column(
            sa.Column("visitors", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("site_aggregates") as batch:
        batch.drop_column("visitors")
    with op.batch_alter_table("site_events") as batch:
        batch.drop_column("visitor")
    op.drop_table("site_salts")
