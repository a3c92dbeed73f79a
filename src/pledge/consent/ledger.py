"""The consent ledger: every consent given or withdrawn, appended and never changed.

Why append-only: consent must be *provable* (GDPR Art. 7(1)): who agreed to
what, when, how, under which policy text and wording. Overwriting a flag
would lose exactly that. The current state is derived from the events; the
``consent_states`` projection is written with each event in the same
transaction so the marketing filter stays set-based, and it only moves
forward in time.

Giving and withdrawing are the same call with ``granted`` true or false, so
withdrawing never takes more steps than giving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge import audit
from pledge.consent.evidence import short_user_agent, text_hash, truncate_ip
from pledge.consent.schemas import ConsentIn, EvidenceIn
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import ConsentEvent, ConsentState, Subject, SubjectKey
from pledge.errors import ValidationFailed
from pledge.policy import Policy, Purpose
from pledge.records.subjects import resolve_subjects

ANY_CHANNEL = "any"
"""The channel of a purpose that has none (e.g. analytics): the consent covers it whole."""


@dataclass(frozen=True)
class SubjectRef:
    """A subject as the ledger needs it: id, open data key and jurisdiction."""

    id: str
    data_key: bytes
    jurisdiction: str


@dataclass(frozen=True)
class Act:
    """One act of the person: a purpose, its channels, given or withdrawn, and proof."""

    purpose: str
    channels: tuple[str, ...]
    granted: bool
    method: str
    actor: str
    evidence: dict[str, Any] = field(default_factory=dict)
    text_hash: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_consent` wrote."""

    subject_id: str
    purpose: str
    channels: tuple[str, ...]
    granted: bool
    event_ids: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "subject_id": self.subject_id,
            "purpose": self.purpose,
            "channels": list(self.channels),
            "granted": self.granted,
            "events": list(self.event_ids),
        }


def allowed_channels(policy: Policy, purpose: Purpose) -> tuple[str, ...]:
    """A purpose's own channels; without any, the cookie categories or ``any``."""
    if purpose.channels:
        return tuple(purpose.channels)
    categories = sorted({c.category for c in policy.cookies} - {"strictly_necessary"})
    return (ANY_CHANNEL, *categories)


def resolve_act_target(
    policy: Policy, purpose_id: str, channel: str | None
) -> tuple[Purpose, tuple[str, ...]]:
    """The purpose and the channels an act covers; ValidationFailed names the bad field."""
    purpose = policy.purpose(purpose_id)
    if purpose is None:
        raise ValidationFailed(
            "the policy does not declare this purpose",
            fields={"purpose": "not a purpose of the policy"},
        )
    channels = allowed_channels(policy, purpose)
    if channel is None:
        return purpose, tuple(purpose.channels) or (ANY_CHANNEL,)
    if channel not in channels:
        raise ValidationFailed(
            "this purpose does not use this channel",
            fields={"channel": f"one of {', '.join(channels)}"},
        )
    return purpose, (channel,)


def evidence_dict(evidence: EvidenceIn | None, now: datetime) -> dict[str, Any]:
    """The stored proof: time of the act, truncated IP, bounded user agent, form."""
    given = evidence or EvidenceIn()
    return {
        "at": (given.at or now).isoformat(),
        "ip": truncate_ip(given.ip),
        "user_agent": short_user_agent(given.user_agent),
        "form": given.form,
    }


def wording_hash(purpose: Purpose, evidence: EvidenceIn | None) -> str:
    """The hash of what the person was shown; the purpose's own text when none is given."""
    if evidence is not None and evidence.text_hash:
        return evidence.text_hash
    if evidence is not None and evidence.text:
        return text_hash(evidence.text)
    return text_hash(f"{purpose.name}\n{purpose.description}")


def record_consent(pledge: Pledge, consent: ConsentIn, *, actor: str) -> Recorded:
    """Append one act (one event per channel) for the person with this e-mail.

    The person is found by e-mail blind index, or created as a subject with
    encrypted identities; the e-mail itself is never stored in clear.
    """
    purpose, channels = resolve_act_target(pledge.policy, consent.purpose, consent.channel)
    act = Act(
        purpose=purpose.id,
        channels=channels,
        granted=consent.granted,
        method=consent.method,
        actor=actor,
        evidence=evidence_dict(consent.evidence, utcnow()),
        text_hash=wording_hash(purpose, consent.evidence),
    )
    try:
        return _record_for_person(pledge, consent, act)
    except IntegrityError:
        # Another writer created this subject at the same moment: now we find it.
        return _record_for_person(pledge, consent, act)


def _record_for_person(pledge: Pledge, consent: ConsentIn, act: Act) -> Recorded:
    policy = pledge.policy
    with pledge.transaction() as session:
        handles = resolve_subjects(session, pledge.keys, policy, [consent.subject])
        (handle,) = handles.values()
        person = consent.subject
        subject = SubjectRef(
            handle.id, handle.data_key, policy.jurisdiction_for(person.country, person.region).id
        )
        ids = write_act(session, pledge, subject, act)
    return Recorded(subject.id, act.purpose, act.channels, act.granted, tuple(ids))


def subject_ref(session: Session, pledge: Pledge, subject_id: str) -> SubjectRef | None:
    """A known subject with its data key; None when unknown or erased (key destroyed)."""
    row = session.execute(
        select(Subject.jurisdiction, SubjectKey.wrapped_key)
        .join(SubjectKey, SubjectKey.subject_id == Subject.id)
        .where(Subject.id == subject_id, Subject.erased_at.is_(None))
    ).first()
    if row is None or row[1] is None:
        return None
    return SubjectRef(subject_id, pledge.keys.unwrap(row[1], subject_id), row[0])


def write_act(session: Session, pledge: Pledge, subject: SubjectRef, act: Act) -> list[str]:
    """Insert the events, move the state projection forward, audit; the caller commits."""
    policy, now = pledge.policy, utcnow()
    events = []
    for channel in act.channels:
        event_id = new_id()
        events.append(
            ConsentEvent(
                id=event_id,
                subject_id=subject.id,
                purpose=act.purpose,
                channel=channel,
                granted=act.granted,
                method=act.method,
                jurisdiction=subject.jurisdiction,
                policy_version=policy.version,
                policy_digest=policy.digest,
                text_hash=act.text_hash or "",
                actor=act.actor,
                recorded_at=now,
                evidence=pledge.keys.encrypt_json(
                    subject.data_key, act.evidence, f"consent:{event_id}"
                ),
            )
        )
    session.add_all(events)
    for event in events:
        _advance_state(session, event)
    audit.append(
        session,
        action="consent.granted" if act.granted else "consent.withdrawn",
        actor=act.actor,
        object_type="subject",
        object_id=subject.id,
        subject_id=subject.id,
        details={
            "purpose": act.purpose,
            "channels": list(act.channels),
            "method": act.method,
            "events": [e.id for e in events],
        },
    )
    return [e.id for e in events]


def _advance_state(session: Session, event: ConsentEvent) -> None:
    """Upsert the projection row, unless a later event already moved it."""
    values = {
        "id": new_id(),
        "subject_id": event.subject_id,
        "purpose": event.purpose,
        "channel": event.channel,
        "granted": event.granted,
        "method": event.method,
        "event_id": event.id,
        "recorded_at": event.recorded_at,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ConsentState).values(values)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["subject_id", "purpose", "channel"],
        set_={
            "granted": excluded.granted,
            "method": excluded.method,
            "event_id": excluded.event_id,
            "recorded_at": excluded.recorded_at,
        },
        where=ConsentState.recorded_at <= excluded.recorded_at,
    )
    session.execute(statement)


def rebuild_states(pledge: Pledge) -> int:
    """Recompute the whole projection from the ledger (after a restore); returns rows."""
    from pledge.consent.rules import current_state

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
            for event in current_state(subject_events).values():
                _advance_state(session, event)
                count += 1
        audit.append(
            session,
            action="consent.states_rebuilt",
            actor="system",
            object_type="consent_states",
            object_id="all",
            details={"rows": count},
        )
    return count
