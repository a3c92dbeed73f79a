"""What is kept for a while for its own reasons: cookie choices and the outbox's past.

- A cookie-consent row proves the choice a visitor made; the banner asks again
  after ``PLEDGE_COOKIE_CONSENT_MONTHS``, and the row is kept as proof for
  ``PLEDGE_COOKIE_CONSENT_KEEP_MONTHS`` (never fewer months than the choice
  itself lasts), then goes.
- A delivery sent, dead or cancelled more than ``PLEDGE_OUTBOX_KEEP_DAYS`` ago
  (its last attempt, or its creation when it never had one) goes with its
  encrypted payload: a mail's address and body live nowhere else. Pending
  deliveries are never touched, nor mail about a person under a legal hold.
- A site form's answers held for the person's confirmation go once the mailed
  link has expired: nobody can open them any more (the key is only in the link).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from pledge.core import Pledge
from pledge.db.models import CookieConsent, Delivery, FormConfirmation
from pledge.delivery import Status
from pledge.policy.durations import add_months
from pledge.retention.batches import audit_batch, timed_transaction
from pledge.retention.report import RetentionReport
from pledge.rights.holds import held_subject_ids

FINISHED = (Status.SENT, Status.DEAD, Status.CANCELLED)


def cookie_cutoff(pledge: Pledge, as_of: datetime) -> datetime:
    settings = pledge.settings
    months = max(settings.cookie_consent_keep_months, settings.cookie_consent_months)
    return add_months(as_of, -months)


def _old_cookies(cutoff: datetime) -> ColumnElement[bool]:
    return CookieConsent.recorded_at <= cutoff


def _old_deliveries(pledge: Pledge, as_of: datetime, held: set[str]) -> ColumnElement[bool]:
    cutoff = as_of - timedelta(days=pledge.settings.outbox_keep_days)
    last = func.coalesce(Delivery.last_attempt_at, Delivery.created_at)
    old = and_(Delivery.status.in_([str(s) for s in FINISHED]), last <= cutoff)
    if not held:
        return old
    return and_(old, (Delivery.subject_id.is_(None)) | Delivery.subject_id.not_in(held))


def count_cookies(session: Session, pledge: Pledge, as_of: datetime) -> int:
    query = select(func.count()).select_from(CookieConsent)
    return int(session.scalar(query.where(_old_cookies(cookie_cutoff(pledge, as_of)))) or 0)


def count_deliveries(
    session: Session, pledge: Pledge, as_of: datetime, held: set[str]
) -> Counter[str]:
    rows = session.execute(
        select(Delivery.kind, func.count())
        .where(_old_deliveries(pledge, as_of, held))
        .group_by(Delivery.kind)
    ).all()
    return Counter({kind: int(count) for kind, count in rows})


def delete_cookies(pledge: Pledge, report: RetentionReport, batch: int) -> None:
    cutoff = cookie_cutoff(pledge, report.as_of)
    while True:
        with timed_transaction(pledge, report) as session:
            ids = select(CookieConsent.id).where(_old_cookies(cutoff)).limit(batch)
            done = session.execute(
                delete(CookieConsent)
                .where(CookieConsent.id.in_(ids))
                .execution_options(synchronize_session=False)
            )
            count = int(done.rowcount or 0)  # type: ignore[attr-defined]
            if not count:
                return
            audit_batch(
                session, "cookie_consents_deleted", report.as_of, {"cookie_consents": count}
            )
        report.cookie_consents += count


def delete_deliveries(pledge: Pledge, report: RetentionReport, batch: int) -> None:
    while True:
        with timed_transaction(pledge, report) as session:
            held = held_subject_ids(session)
            ids = (
                select(Delivery.id).where(_old_deliveries(pledge, report.as_of, held)).limit(batch)
            )
            gone = session.execute(
                delete(Delivery)
                .where(Delivery.id.in_(ids))
                .returning(Delivery.kind)
                .execution_options(synchronize_session=False)
            ).all()
            if not gone:
                return
            counts = Counter(kind for (kind,) in gone)
            audit_batch(
                session, "deliveries_deleted", report.as_of, {"kinds": dict(sorted(counts.items()))}
            )
        report.deliveries.update(counts)


def count_confirmations(session: Session, as_of: datetime) -> int:
    query = select(func.count()).select_from(FormConfirmation)
    return int(session.scalar(query.where(FormConfirmation.expires_at < as_of)) or 0)


def delete_confirmations(pledge: Pledge, report: RetentionReport) -> None:
    """Expired held answers: one statement (a row is a few hundred bytes of ciphertext)."""
    with timed_transaction(pledge, report) as session:
        gone = session.execute(
            delete(FormConfirmation).where(FormConfirmation.expires_at < report.as_of)
        )
        count = int(gone.rowcount or 0)  # type: ignore[attr-defined]
        if count:
            audit_batch(
                session, "form_confirmations_deleted", report.as_of, {"form_confirmations": count}
            )
    report.form_confirmations += count
