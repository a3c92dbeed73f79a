"""A consent act: what the person chose, checked against the policy, with its proof.

An act names a purpose, the channels it covers, given or withdrawn, how it
was made and the evidence; it is checked here (the purpose and channel must
be the policy's) before anything is written, so a bad one is refused before
it can join a batch (:mod:`pledge.consent.ledger.writer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from pledge.consent.ledger.evidence import short_user_agent, text_hash, truncate_ip
from pledge.consent.schemas import ConsentIn, EvidenceIn
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.errors import ValidationFailed
from pledge.policy import Policy, Purpose
from pledge.records.schemas import SubjectIn

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


class RecordedOut(BaseModel):
    """``POST /api/v1/consents`` (201): the schema of :meth:`Recorded.as_json`.

    Documentation only: the busiest route encodes :meth:`Recorded.as_json` itself.
    """

    subject_id: str
    purpose: str
    channels: list[str]
    granted: bool
    events: list[str]
    """The ids of the events written, one per channel."""


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


@dataclass(frozen=True)
class PendingAct:
    """An act checked against the policy and ready to write, with the person it is about."""

    person: SubjectIn
    act: Act


def prepare_act(pledge: Pledge, consent: ConsentIn, *, actor: str) -> PendingAct:
    """Check a consent against the policy and build its act; nothing is written.

    Raises ValidationFailed naming the bad field, so a caller that writes acts
    in batches (:mod:`pledge.consent.ledger.writer`) refuses bad input before it
    joins a batch.
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
    return PendingAct(consent.subject, act)
