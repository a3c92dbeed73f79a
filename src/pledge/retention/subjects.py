"""People with nothing left to keep are shredded: their key destroyed, their identities gone.

A person is shredded by the run when all of these hold:

- no record of theirs is left that has not expired (a record with no deadline,
  or one not yet due, keeps them);
- no request of theirs is open (it still owes them an answer), whether its code
  was confirmed or not (a request locked after wrong codes does not count);
- no legal hold covers them;
- no consent of theirs is in force, and their last consent event is older
  than ``PLEDGE_CONSENT_EVIDENCE_MONTHS``: until then its evidence (encrypted
  under their key) is kept as proof of what they agreed to or withdrew.

Shredding destroys the key (so consent evidence and anything else under it
becomes unreadable, the append-only ledger included, whose rows are never
updated), deletes their identities and marketing reach. Someone who had
withdrawn a consent gets a hashed marketing suppression first, so that
forgetting them never puts them back on a mailing list.

Subjects are walked in pages of their ids (keyset, never an offset), each page
checked and shredded in one short transaction, audited with counts only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import (
    ConsentEvent,
    ConsentState,
    Identity,
    MarketingSuppression,
    Record,
    RightsRequest,
    Subject,
)
from pledge.policy.durations import add_months
from pledge.records.shredding import destroy_subject_keys
from pledge.retention.batches import audit_batch, timed_transaction
from pledge.retention.report import RetentionReport
from pledge.rights.holds import held_subject_ids
from pledge.rights.states import LOCKED

SUPPRESSION_REASON = "retention"


def _nothing_to_keep(as_of: datetime, evidence_cutoff: datetime) -> ColumnElement[bool]:
    live_record = exists().where(
        Record.subject_id == Subject.id,
        or_(Record.retain_until.is_(None), Record.retain_until > as_of),
    )
    pending = and_(RightsRequest.closed_at.is_(None), RightsRequest.status != LOCKED)
    open_request = exists().where(pending, RightsRequest.subject_id == Subject.id)
    # Before its code is confirmed a request knows the person by their e-mail only.
    open_by_email = exists().where(
        pending,
        Identity.subject_id == Subject.id,
        Identity.kind == "email",
        Identity.blind_index == RightsRequest.email_index,
    )
    consent_in_force = exists().where(
        ConsentState.subject_id == Subject.id, ConsentState.granted.is_(True)
    )
    recent_evidence = exists().where(
        ConsentEvent.subject_id == Subject.id, ConsentEvent.recorded_at > evidence_cutoff
    )
    return and_(~live_record, ~open_request, ~open_by_email, ~consent_in_force, ~recent_evidence)


def _page(session: Session, after: str, size: int) -> list[str]:
    return list(
        session.scalars(
            select(Subject.id)
            .where(Subject.erased_at.is_(None), Subject.id > after)
            .order_by(Subject.id)
            .limit(size)
        )
    )


def _shreddable(
    session: Session,
    after: str,
    last: str,
    report: RetentionReport,
    evidence_cutoff: datetime,
) -> list[str]:
    """The page's people with nothing to keep (the page as an id range: no list to parse)."""
    return list(
        session.scalars(
            select(Subject.id).where(
                Subject.id > after,
                Subject.id <= last,
                Subject.erased_at.is_(None),
                _nothing_to_keep(report.as_of, evidence_cutoff),
            )
        )
    )


def _count_in(session: Session, column: Any, ids: list[str], *where: Any) -> int:
    return int(session.scalar(select(func.count()).where(column.in_(ids), *where)) or 0)


def shred_people(pledge: Pledge, report: RetentionReport, batch: int) -> None:
    """Walk every subject not yet erased; shred (or, dry, count) those with nothing to keep."""
    evidence_cutoff = add_months(report.as_of, -pledge.settings.consent_evidence_months)
    after = ""
    while True:
        with timed_transaction(pledge, report) as session:
            page = _page(session, after, batch)
            if not page:
                return
            found = _shreddable(session, after, page[-1], report, evidence_cutoff)
            held = held_subject_ids(session)
            after = page[-1]
            doomed = [subject for subject in found if subject not in held]
            if doomed:
                _shred(session, report, doomed)


def _shred(session: Session, report: RetentionReport, doomed: list[str]) -> None:
    evidence = _count_in(
        session, ConsentEvent.subject_id, doomed, ConsentEvent.evidence.is_not(None)
    )
    report.subjects += len(doomed)
    report.consent_evidence += evidence
    if report.dry_run:
        report.identities += _count_in(session, Identity.subject_id, doomed)
        return
    _suppress_withdrawn(session, doomed, report.as_of)
    identities = destroy_subject_keys(session, doomed, now=utcnow())
    report.identities += identities
    audit_batch(
        session,
        "subjects_shredded",
        report.as_of,
        {"subjects": len(doomed), "identities": identities, "consent_evidence": evidence},
    )


def _suppress_withdrawn(session: Session, doomed: list[str], now: datetime) -> None:
    """A hashed suppression for each e-mail of a person who had withdrawn a consent."""
    withdrew = select(ConsentState.subject_id).where(ConsentState.subject_id.in_(doomed))
    indexes: set[str] = set(
        session.scalars(
            select(Identity.blind_index).where(
                Identity.subject_id.in_(withdrew),
                Identity.kind == "email",
                Identity.blind_index.is_not(None),
            )
        )
    )
    if not indexes:
        return
    present = set(
        session.scalars(
            select(MarketingSuppression.email_index).where(
                MarketingSuppression.email_index.in_(indexes)
            )
        )
    )
    session.add_all(
        MarketingSuppression(email_index=index, reason=SUPPRESSION_REASON, created_at=now)
        for index in sorted(indexes - present)
    )
