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

from sqlalchemy import LargeBinary, bindparam, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge import audit
from pledge.consent.evidence import short_user_agent, text_hash, truncate_ip
from pledge.consent.schemas import ConsentIn, EvidenceIn
from pledge.core import Pledge
from pledge.db.base import UTCDateTime, new_id, utcnow
from pledge.db.models import (
    ConsentEvent,
    ConsentState,
    Identity,
    MarketingReach,
    Subject,
    SubjectKey,
)
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
        ((email_index, handle),) = handles.items()
        person = consent.subject
        subject = SubjectRef(
            handle.id, handle.data_key, policy.jurisdiction_for(person.country, person.region).id
        )
        ids = write_act(session, pledge, subject, act, email_index=email_index)
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


def write_act(
    session: Session,
    pledge: Pledge,
    subject: SubjectRef,
    act: Act,
    *,
    email_index: str | None = None,
) -> list[str]:
    """Insert the events, move the state projections forward, audit; the caller commits.

    ``email_index`` (the hex e-mail blind index, when the caller has it) saves
    looking it up again for the ``marketing_reach`` projection.
    """
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
    _advance_states(session, events)
    purpose = policy.purpose(act.purpose)
    if purpose is not None and purpose.marketing:
        refresh_reach(session, subject.id, act.purpose, email_index)
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


_STATE_UPSERT = text(
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


def _advance_states(session: Session, events: list[ConsentEvent]) -> None:
    """Upsert the projection rows (one statement, pipelined when several)."""
    if not events:
        return
    session.execute(
        _STATE_UPSERT,
        [
            {
                "id": new_id(),
                "subject_id": event.subject_id,
                "purpose": event.purpose,
                "channel": event.channel,
                "granted": event.granted,
                "method": event.method,
                "event_id": event.id,
                "recorded_at": event.recorded_at,
            }
            for event in events
        ],
    )


REACH_CHANNELS = ("email", "post", "phone")
"""The marketing channels, each a pair of columns of ``marketing_reach``."""

_REACH_UPSERT = text(
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
        _REACH_UPSERT,
        {"email_index": bytes.fromhex(email_index), "purpose": purpose, "subject_id": subject_id},
    )


def rebuild_states(pledge: Pledge) -> int:
    """Recompute the projections from the ledger (after a restore); returns state rows.

    ``consent_states`` first, then ``marketing_reach`` for every subject with a state,
    then rows without states for every other subject with an e-mail.
    """
    from pledge.consent.reach import ensure_coverage, forget_coverage
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
            latest = list(current_state(subject_events).values())
            _advance_states(session, latest)
            count += len(latest)
        session.query(MarketingReach).delete()
        forget_coverage(session)  # subjects without states get their rows back below
        marketing = [p.id for p in pledge.policy.purposes if p.marketing]
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
