"""The projections of the ledger: ``consent_states`` and ``marketing_reach``.

Both are derived from the events and written in the transaction of every
event, so the send-list filter reads one row per person instead of
replaying history; both only move forward in time and can always be
rebuilt from the ledger (:func:`rebuild_states`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import LargeBinary, bindparam, select, text
from sqlalchemy.orm import Session

from pledge import audit
from pledge.consent.ledger.coverage import ensure_coverage, forget_coverage
from pledge.consent.rules import current_state
from pledge.core import Pledge
from pledge.db.base import UTCDateTime, new_id
from pledge.db.models import ConsentEvent, ConsentState, Identity, MarketingReach, Subject

STATE_UPSERT = text(
    "INSERT INTO consent_states"
    " (id, subject_id, purpose, channel, granted, method, event_id, recorded_at)"
    " VALUES (:id, :subject_id, :purpose, :channel, :granted, :method, :event_id, :recorded_at)"
    " ON CONFLICT (subject_id, purpose, channel) DO UPDATE SET granted = excluded.granted,"
    " method = excluded.method, event_id = excluded.event_id, recorded_at = excluded.recorded_at"
    " WHERE consent_states.recorded_at <= excluded.recorded_at"
).bindparams(bindparam("recorded_at", type_=UTCDateTime()))
"""Upsert of one state row, unless a later event already moved it (PostgreSQL and SQLite).

Plain SQL built once: per request, building and compiling the statement cost
more than running it."""


def state_params(event: Mapping[str, Any]) -> dict[str, Any]:
    """The ``consent_states`` row an event moves to (the event as a column mapping)."""
    return {
        "id": new_id(),
        "subject_id": event["subject_id"],
        "purpose": event["purpose"],
        "channel": event["channel"],
        "granted": event["granted"],
        "method": event["method"],
        "event_id": event["id"],
        "recorded_at": event["recorded_at"],
    }


def advance_states(session: Session, states: list[dict[str, Any]]) -> None:
    """Upsert the projection rows (one statement, pipelined when several), in order."""
    if states:
        session.execute(STATE_UPSERT, states)


REACH_CHANNELS = ("email", "post", "phone")
"""The marketing channels, each a pair of columns of ``marketing_reach``."""

REACH_UPSERT = text(
    "INSERT INTO marketing_reach (email_index, purpose, subject_id, jurisdiction, "  # noqa: S608
    + ", ".join(f"{c}_granted, {c}_at" for c in REACH_CHANNELS)
    + ") SELECT :email_index, CAST(:purpose AS VARCHAR(64)), s.id, s.jurisdiction, "
    + ", ".join(f"{c}.granted, {c}.recorded_at" for c in REACH_CHANNELS)
    + " FROM subjects s "
    + " ".join(
        f"LEFT JOIN consent_states {c} ON {c}.subject_id = s.id"
        f" AND {c}.purpose = :purpose AND {c}.channel = '{c}'"
        for c in REACH_CHANNELS
    )
    + " WHERE s.id = :subject_id ON CONFLICT (email_index, purpose) DO UPDATE SET"
    " subject_id = excluded.subject_id, jurisdiction = excluded.jurisdiction, "
    + ", ".join(
        f"{c}_granted = excluded.{c}_granted, {c}_at = excluded.{c}_at" for c in REACH_CHANNELS
    )
).bindparams(bindparam("email_index", type_=LargeBinary()))
"""The subject's reach row recomputed from ``subjects`` and ``consent_states``, in the database."""


def refresh_reach(
    session: Session, subject_id: str, purpose: str, email_index: str | None = None
) -> None:
    """Recompute one subject's ``marketing_reach`` row for a purpose, in one statement.

    The row is derived from ``subjects`` and ``consent_states`` inside the
    database (INSERT ... SELECT ... ON CONFLICT DO UPDATE), so it is always
    exactly the projection's latest state, whatever order writers commit in.
    Without ``email_index`` (hex) it is read from the subject's e-mail identity.
    """
    if email_index is None:
        email_index = session.scalar(
            select(Identity.blind_index).where(
                Identity.subject_id == subject_id, Identity.kind == "email"
            )
        )
        if email_index is None:
            return
    session.execute(
        REACH_UPSERT,
        {"email_index": bytes.fromhex(email_index), "purpose": purpose, "subject_id": subject_id},
    )


def refresh_reaches(session: Session, wanted: dict[tuple[str, str], str | None]) -> None:
    """:func:`refresh_reach` for each (subject, purpose), the known e-mail indexes in one go."""
    known = [
        {"email_index": bytes.fromhex(index), "purpose": purpose, "subject_id": subject_id}
        for (subject_id, purpose), index in wanted.items()
        if index is not None
    ]
    if known:
        session.execute(REACH_UPSERT, known)
    for (subject_id, purpose), index in wanted.items():
        if index is None:
            refresh_reach(session, subject_id, purpose)


def event_columns(event: ConsentEvent) -> dict[str, Any]:
    return {c.key: getattr(event, c.key) for c in ConsentEvent.__table__.columns}


def rebuild_states(pledge: Pledge) -> int:
    """Recompute the projections from the ledger (after a restore); returns state rows.

    ``consent_states`` first, then ``marketing_reach`` for every subject with a state,
    then rows without states for every other subject with an e-mail.
    """
    with pledge.transaction() as session:
        session.query(ConsentState).delete()
        events = session.scalars(
            select(ConsentEvent).order_by(ConsentEvent.subject_id, ConsentEvent.recorded_at)
        ).all()
        by_subject: dict[str, list[ConsentEvent]] = {}
        for event in events:
            by_subject.setdefault(event.subject_id, []).append(event)
        count = 0
        for subject_events in by_subject.values():
            latest = list(current_state(subject_events).values())
            advance_states(session, [state_params(event_columns(e)) for e in latest])
            count += len(latest)
        session.query(MarketingReach).delete()
        forget_coverage(session)  # subjects without states get their rows back below
        marketing = [p.id for p in pledge.policy.marketing_purposes]
        for subject_id, index in session.execute(
            select(Identity.subject_id, Identity.blind_index)
            .join(Subject, Subject.id == Identity.subject_id)
            .where(
                Identity.kind == "email",
                Subject.erased_at.is_(None),
                Identity.subject_id.in_(select(ConsentState.subject_id)),
            )
        ).all():
            for purpose in marketing:
                refresh_reach(session, subject_id, purpose, index)
        audit.append(
            session,
            action="consent.states_rebuilt",
            actor="system",
            object_type="consent_states",
            object_id="all",
            details={"rows": count},
        )
    ensure_coverage(pledge)
    return count
