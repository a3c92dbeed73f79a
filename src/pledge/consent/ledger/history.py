"""A person's consent history and current state, as the ledger proves it.

The current state here is recomputed from the events themselves (not read
from the projection), so what is shown is exactly what the ledger proves.
What marketing may do comes from the one-person path
(:mod:`pledge.consent.ledger.person`). Three statements for a known person
(the person with their key, the events, the marketing facts), two for a
stranger, and nothing written.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.audit import audit_read
from pledge.consent.ledger.acts import SubjectRef
from pledge.consent.ledger.person import ChannelVerdict, marketing_state_in
from pledge.consent.rules import current_state
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.crypto.aead import DecryptionFailed
from pledge.db.models import ConsentEvent, Identity, Subject, SubjectKey


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class EventOut(_Out):
    """One ledger event as shown, its evidence decrypted (None once the person is erased)."""

    id: str
    purpose: str
    channel: str
    granted: bool
    method: str
    jurisdiction: str
    policy_version: str
    policy_digest: str
    text_hash: str
    actor: str
    recorded_at: str
    """ISO 8601 with the UTC offset, as recorded."""
    evidence: dict[str, Any] | None
    """As it was stored: time of the act, truncated IP, user agent, form."""


class StateOut(_Out):
    """The current state of one purpose and channel: the latest event's choice."""

    granted: bool
    since: str
    method: str
    event: str
    """The id of the event that set it."""


class ConsentHistory(_Out):
    """``GET /api/v1/consents``: every event, the state derived from them, what marketing may do."""

    known: bool
    subject_id: str | None
    jurisdiction: str | None
    events: list[EventOut]
    current: dict[str, dict[str, StateOut]]
    """Per purpose, per channel."""
    marketing: dict[str, dict[str, ChannelVerdict]]
    """Per marketing purpose, per channel."""


def consent_history(pledge: Pledge, email: str, *, reader: str) -> ConsentHistory:
    """Every event, the current state per purpose and channel, and what marketing may do.

    A known person's history (their evidence decrypted) is an audited read by ``reader``.
    """
    with pledge.transaction() as session:
        subject_id, ref = _person(session, pledge, email)
        events = _events(session, subject_id) if subject_id else []
        marketing = marketing_state_in(session, pledge, email)
        if subject_id is not None:
            audit_read(
                session,
                reader,
                "subject",
                subject_id,
                "consent_history",
                subject_id=subject_id,
                counts={"events": len(events)},
            )
    data_key = ref.data_key if ref else None
    current: dict[str, dict[str, StateOut]] = {}
    for (purpose, channel), event in sorted(current_state(events).items()):
        current.setdefault(purpose, {})[channel] = StateOut(
            granted=event.granted,
            since=event.recorded_at.isoformat(),
            method=event.method,
            event=event.id,
        )
    return ConsentHistory(
        known=subject_id is not None,
        subject_id=subject_id,
        jurisdiction=ref.jurisdiction if ref else None,
        events=[_event_out(pledge.keys, data_key, e) for e in events],
        current=current,
        marketing=marketing,
    )


def _person(session: Session, pledge: Pledge, email: str) -> tuple[str | None, SubjectRef | None]:
    """The subject with this e-mail, and its open key unless erased (one statement)."""
    index = pledge.keys.blind_index("email", email)
    row = session.execute(
        select(Identity.subject_id, Subject.jurisdiction, Subject.erased_at, SubjectKey.wrapped_key)
        .outerjoin(Subject, Subject.id == Identity.subject_id)
        .outerjoin(SubjectKey, SubjectKey.subject_id == Identity.subject_id)
        .where(Identity.kind == "email", Identity.blind_index == index)
    ).first()
    if row is None:
        return None, None
    subject_id, jurisdiction, erased_at, wrapped = row
    if jurisdiction is None or erased_at is not None or wrapped is None:
        return subject_id, None
    return subject_id, SubjectRef(subject_id, pledge.keys.unwrap(wrapped, subject_id), jurisdiction)


def _events(session: Session, subject_id: str) -> list[ConsentEvent]:
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.subject_id == subject_id)
            .order_by(ConsentEvent.recorded_at)
        )
    )


def _event_out(keys: KeyManager, data_key: bytes | None, event: ConsentEvent) -> EventOut:
    evidence: dict[str, Any] | None = None
    if data_key is not None and event.evidence is not None:
        try:
            evidence = keys.decrypt_json(data_key, event.evidence, f"consent:{event.id}")
        except DecryptionFailed:
            evidence = None
    return EventOut(
        id=event.id,
        purpose=event.purpose,
        channel=event.channel,
        granted=event.granted,
        method=event.method,
        jurisdiction=event.jurisdiction,
        policy_version=event.policy_version,
        policy_digest=event.policy_digest,
        text_hash=event.text_hash,
        actor=event.actor,
        recorded_at=event.recorded_at.isoformat(),
        evidence=evidence,
    )
