"""the consent ledger refuses UPDATE and DELETE in the database itself

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 15:00:00

Why: consent must stay provable (GDPR Art. 7(1)). Pledge only ever inserts
into ``consent_events`` (erasure destroys the subject's key instead of
deleting rows), but a bug, a hand-written fix in ``psql`` or another program
sharing the database should not be able to rewrite or remove what someone
agreed to either. Row triggers on both databases refuse it; ``TRUNCATE`` (a
whole-database reset) is left to the database owner.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

MESSAGE = "consent_events is append-only: events are never updated or deleted"

_POSTGRES = [
    f"""
    CREATE FUNCTION pledge_consent_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER consent_events_append_only
    BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION pledge_consent_events_append_only()
    """,
]

_SQLITE = [
    f"""
    CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES if postgres else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS consent_events_append_only ON consent_events")
        op.execute("DROP FUNCTION IF EXISTS pledge_consent_events_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_delete")
