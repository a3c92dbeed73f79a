"""policy versions announced: numbered publications, diffs, change-notice mails

Revision ID: 0020_policy_announcements
Revises: 0019_key_ring
Create Date: 2026-12-05 09:00:00

Why: every past policy version is served at a stable URL (its number) with the
dates it was in force and what changed from the one before
(``policy_publications``); a material change mails every person once, each mail
recorded in ``policy_change_mails`` so a run resumes after a crash without
mailing anyone twice. Versions loaded before this migration are numbered in the
order they were first loaded, effective from then, with no diff.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pledge.db.base

revision = "0020_policy_announcements"
down_revision = "0019_key_ring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_publications",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("effective_from", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("notices_done_at", pledge.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["digest"],
            ["policy_versions.digest"],
            name=op.f("fk_policy_publications_digest_policy_versions"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_policy_publications")),
    )
    op.create_index(
        op.f("ix_policy_publications_digest"), "policy_publications", ["digest"], unique=False
    )
    op.execute(
        sa.text(
            "INSERT INTO policy_publications (number, digest, effective_from, material) "
            "SELECT ROW_NUMBER() OVER (ORDER BY first_loaded_at, digest), digest, "
            "first_loaded_at, false FROM policy_versions"
        )
    )
    op.create_table(
        "policy_change_mails",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("publication", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("queued_at", pledge.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication"],
            ["policy_publications.number"],
            name=op.f("fk_policy_change_mails_publication_policy_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_policy_change_mails_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_change_mails")),
        sa.UniqueConstraint(
            "publication", "subject_id", name=op.f("uq_policy_change_mails_publication")
        ),
    )


def downgrade() -> None:
    op.drop_table("policy_change_mails")
    op.drop_index(op.f("ix_policy_publications_digest"), table_name="policy_publications")
    op.drop_table("policy_publications")
