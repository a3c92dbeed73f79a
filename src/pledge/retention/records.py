"""Controller records whose retention has ended, deleted in batches; held people's kept.

Each record carries the deadline its category's retention gave it at
collection (``retain_until``: the policy's duration from the day it was
collected, calendar-correct). A record goes once that day has passed, whatever
its legal basis: a record kept for a legal obligation is kept as long as the
rule says and no longer (an erasure request leaves it in place, this run
removes it). A category whose retention is a rule a person judges (no
duration, e.g. "for the duration of the Client contract") has no deadline and
is never removed here. Records of a person under a legal hold stay.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge.core import Pledge
from pledge.db.models import Record
from pledge.retention.batches import audit_batch, timed_transaction
from pledge.retention.report import RetentionReport
from pledge.rights.holds import held_subject_ids


def expired(as_of: datetime, held: set[str]) -> ColumnElement[bool]:
    """Past its deadline, and not a held person's."""
    due = and_(Record.retain_until.is_not(None), Record.retain_until <= as_of)
    return and_(due, Record.subject_id.not_in(held)) if held else due


def count_records(session: Session, as_of: datetime, held: set[str]) -> Counter[str]:
    """Per category, what a run at ``as_of`` would delete."""
    rows = session.execute(
        select(Record.category, func.count()).where(expired(as_of, held)).group_by(Record.category)
    ).all()
    return Counter({category: int(count) for category, count in rows})


def count_held(session: Session, as_of: datetime, held: set[str]) -> int:
    """Records past their date that a legal hold keeps."""
    if not held:
        return 0
    found = session.scalar(
        select(func.count())
        .select_from(Record)
        .where(Record.retain_until <= as_of, Record.subject_id.in_(held))
    )
    return int(found or 0)


def delete_records(pledge: Pledge, report: RetentionReport, batch: int) -> None:
    """Delete expired records, ``batch`` per transaction, each batch audited per category.

    The holds are read again in every batch: one placed while the run goes stops it at
    the next batch.
    """
    while True:
        with timed_transaction(pledge, report) as session:
            held = held_subject_ids(session)
            ids = (
                select(Record.id)
                .where(expired(report.as_of, held))
                .order_by(Record.retain_until)
                .limit(batch)
            )
            gone = session.execute(
                delete(Record)
                .where(Record.id.in_(ids))
                .returning(Record.category)
                .execution_options(synchronize_session=False)
            ).all()
            if not gone:
                return
            counts = Counter(category for (category,) in gone)
            audit_batch(
                session,
                "records_deleted",
                report.as_of,
                {"categories": dict(sorted(counts.items()))},
            )
        report.records.update(counts)
