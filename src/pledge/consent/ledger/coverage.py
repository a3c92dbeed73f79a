"""Keeping ``marketing_reach`` complete, so the send-list filter reads one table.

A subject gets its reach rows when it is created (:mod:`pledge.records.subjects`)
and loses them at erasure (:mod:`pledge.records.shredding`); the ledger moves
their consent columns. What is left is a marketing purpose the policy did not
have when older subjects were created: :func:`ensure_coverage` backfills it
once and records the purpose in ``marketing_reach_coverage``.

Should a row still be missing (a subject created by a process running an
older policy during a deploy), the filter reports that address as
``unknown``: a missing row can only suppress a message, never allow one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, func, literal, select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.bulk import bulk_insert
from pledge.db.models import Identity, MarketingReach, MarketingReachCoverage, Subject

BACKFILL_CHUNK = 10_000


def ensure_coverage(pledge: Pledge, purposes: Iterable[str] | None = None) -> list[str]:
    """Backfill every purpose not yet covered (the policy's marketing ones by default).

    Cheap when nothing is missing: one primary-key read. Returns the purposes
    backfilled now. Safe to run concurrently: rows and the coverage mark are
    inserted only where absent.
    """
    wanted = (
        list(purposes) if purposes is not None else [p.id for p in pledge.policy.marketing_purposes]
    )
    with pledge.sessions() as session:
        covered = set(
            session.scalars(
                select(MarketingReachCoverage.purpose).where(
                    MarketingReachCoverage.purpose.in_(wanted)
                )
            )
        )
    done = []
    for purpose in wanted:
        if purpose not in covered:
            _cover(pledge, purpose)
            done.append(purpose)
    return done


def forget_coverage(session: Session) -> None:
    """Mark every purpose uncovered (after the projection is rebuilt from the ledger)."""
    session.query(MarketingReachCoverage).delete()


def _cover(pledge: Pledge, purpose: str) -> None:
    with pledge.transaction() as session:
        if session.get(MarketingReachCoverage, purpose) is not None:
            return  # another process covered it meanwhile
        added = _backfill(session, purpose)
        session.add(MarketingReachCoverage(purpose=purpose, covered_at=utcnow()))
        audit.append(
            session,
            action="projection.reach_covered",
            actor="system",
            object_type="marketing_purpose",
            object_id=purpose,
            details={"rows_added": added},
        )


def _missing(purpose: str) -> tuple[ColumnElement[bool], ...]:
    return (
        Identity.kind == "email",
        Subject.erased_at.is_(None),
        ~exists().where(
            MarketingReach.subject_id == Identity.subject_id, MarketingReach.purpose == purpose
        ),
    )


def _backfill(session: Session, purpose: str) -> int:
    """Rows with no consent state for e-mail subjects that have none for this purpose."""
    base = select(Identity.blind_index, Subject.id, Subject.jurisdiction).join(
        Subject, Subject.id == Identity.subject_id
    )
    if session.get_bind().dialect.name == "postgresql":
        chosen = base.with_only_columns(
            func.decode(Identity.blind_index, "hex"),
            literal(purpose, MarketingReach.purpose.type),
            Subject.id,
            Subject.jurisdiction,
        ).where(*_missing(purpose))
        target = MarketingReach.__table__
        statement = target.insert().from_select(  # type: ignore[attr-defined]
            ["email_index", "purpose", "subject_id", "jurisdiction"], chosen
        )
        done = session.execute(statement, execution_options={"preserve_rowcount": True})
        return int(done.rowcount)  # type: ignore[attr-defined]
    rows = session.execute(base.where(*_missing(purpose))).all()
    for start in range(0, len(rows), BACKFILL_CHUNK):
        bulk_insert(
            session,
            MarketingReach.__table__,
            [
                {
                    "email_index": bytes.fromhex(str(index)),
                    "purpose": purpose,
                    "subject_id": subject_id,
                    "jurisdiction": jurisdiction,
                }
                for index, subject_id, jurisdiction in rows[start : start + BACKFILL_CHUNK]
            ],
        )
    return len(rows)
