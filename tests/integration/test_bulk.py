"""Bulk inserts: COPY for many rows, one pipeline for a few rows of several tables."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pledge.audit.chain import audit_row
from pledge.core import Pledge
from pledge.db import bulk
from pledge.db.base import new_id, utcnow
from pledge.db.models import AuditEntry, Subject
from pledge.records.schemas import SubjectIn
from pledge.records.subjects import _by_email_index, resolve_subjects


def _rows(pledge: Pledge, n: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    subjects = [
        {"id": new_id(), "jurisdiction": "eu", "country": "FR", "created_at": utcnow()}
        for _ in range(n)
    ]
    entries = [
        audit_row(
            keys=pledge.keys,
            action="test.bulk",
            actor="test",
            object_type="subject",
            object_id=str(s["id"]),
            subject_id=str(s["id"]),
            details={"n": i, "nested": {"ok": True}},
        )
        for i, s in enumerate(subjects)
    ]
    return subjects, entries


@pytest.mark.parametrize("size", [3, bulk.PIPELINE_MAX_ROWS])  # pipelined, then COPY
def test_bulk_insert_all_writes_every_table_in_order(pledge: Pledge, size: int) -> None:
    subjects, entries = _rows(pledge, size)
    with pledge.transaction() as session:
        bulk.bulk_insert_all(
            session,
            [
                (Subject.__table__, subjects),
                (AuditEntry.__table__, entries),
                (Subject.__table__, []),
            ],
        )
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Subject)) == size
        details = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "test.bulk")
        ).all()
    assert sorted(d["n"] for d in details) == list(range(size))
    assert all(d["nested"] == {"ok": True} for d in details)  # JSON, not text
    assert pledge.verify_audit().ok


def test_bulk_insert_all_is_all_or_nothing(pledge: Pledge) -> None:
    subjects, _ = _rows(pledge, 2)
    # SQLAlchemy's error on both databases, though the pipeline bypasses SQLAlchemy.
    with pytest.raises(IntegrityError), pledge.transaction() as session:
        bulk.bulk_insert_all(session, [(Subject.__table__, subjects + subjects[:1])])
    with pledge.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Subject)) == 0


def test_people_are_looked_up_by_index_probes_on_a_table_not_yet_analysed(pledge: Pledge) -> None:
    """1,000 e-mail indexes against a growing table: no scan of every e-mail identity."""
    if pledge.settings.is_sqlite:
        pytest.skip("PostgreSQL's planner")
    people = [SubjectIn(email=f"p{n}@example.org", country="US") for n in range(3000)]
    with pledge.transaction() as session:
        resolve_subjects(session, pledge.keys, pledge.policy, people)
    wanted = [pledge.keys.blind_index("email", f"new{n}@example.org") for n in range(1000)]
    query = _by_email_index(wanted, postgres=True)
    compiled = query.compile(dialect=pledge.engine.dialect, compile_kwargs={"literal_binds": True})
    with pledge.engine.connect() as conn:
        plan = "\n".join(row[0] for row in conn.exec_driver_sql(f"EXPLAIN ANALYZE {compiled}"))
    assert "Rows Removed by Filter" not in plan, plan
