"""One person is not a send list: their marketing facts in one statement, the same rules.

The send-list filter (:mod:`pledge.consent.sendlist`) is built for a million
addresses: a strategy, transaction settings, a temporary table or the whole
projection, then the rare facts source by source. Asked about one address
once per purpose and channel, it sent that whole sequence for each to draw
one page (docs/consent.md has the counts), and could backfill the projection
inside what is a read.

Here one ``UNION ALL`` reads every row that decides anything about one
address, for every marketing purpose at once, each found by an index: the
``marketing_reach`` row per purpose (one branch per channel), the hashed
suppressions of the rights process, the active restrictions, and the
do-not-call entries by e-mail and by a phone number held for the person.
The rows are folded into :class:`~pledge.consent.rules.Facts` exactly as the
filter folds them, and decided by the same
:func:`~pledge.consent.rules.marketing_verdict`; tests hold the two paths to
the same verdicts on SQLite and PostgreSQL.

Nothing is written: a purpose the projection does not cover yet (it is
covered at start-up) shows its people as ``unknown``, as the filter does for
a missing row: a missing row can only suppress a message, never allow one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CompoundSelect, Select, String, and_, literal_column, null, select, union_all
from sqlalchemy.orm import Session, aliased

from pledge.consent.rules import (
    Facts,
    marketing_purpose,
    marketing_verdict,
    opt_in_jurisdictions,
    restriction_kinds,
    suppression_field,
)
from pledge.core import Pledge
from pledge.db.models import (
    DoNotCall,
    Identity,
    MarketingReach,
    MarketingSuppression,
    SubjectRestriction,
)
from pledge.policy import Policy

CHANNELS = ("email", "post", "phone")
"""The channels ``marketing_reach`` keeps a state for."""


class ChannelVerdict(BaseModel):
    """May this person be sent marketing on this channel now, and if not, why.

    True in a condition when allowed, so ``if may_send_marketing(...)`` reads
    as it should; ``reason`` is one of :data:`pledge.consent.rules.REASONS`.
    """

    model_config = ConfigDict(frozen=True)

    allowed: bool
    reason: str | None

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class ReachRow:
    """One ``marketing_reach`` row: the jurisdiction and the latest state per channel."""

    jurisdiction: str
    states: dict[str, tuple[bool | None, datetime | None]] = field(default_factory=dict)


@dataclass
class PersonFacts:
    """Every row that decides marketing for one address, for every marketing purpose."""

    reach: dict[str, ReachRow] = field(default_factory=dict)
    """Per purpose; a purpose without a row is unknown for this address."""
    suppressions: list[tuple[str, datetime | None]] = field(default_factory=list)
    """(reason, since) of the rights process's hashed suppressions."""
    restrictions: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    """(purpose, kind, since) of the active restrictions of the subject of each reach row."""
    listed_by_email: bool = False
    listed_by_phone: set[str] = field(default_factory=set)
    """Purposes whose reach row's subject holds a phone number on the do-not-call list."""

    def facts(self, policy: Policy, purpose: str, channel: str) -> Facts:
        """The facts for one purpose and channel, folded as the send-list filter folds them."""
        times: dict[str, datetime | None] = {}
        for reason, since in self.suppressions:
            _later(times, suppression_field(reason), since)
        kinds = restriction_kinds(purpose)
        restricted = False
        for of_purpose, kind, since in self.restrictions:
            name = kinds.get(kind) if of_purpose == purpose else None
            if name == "restricted":
                restricted = True
            elif name is not None:
                _later(times, name, since)
        reach = self.reach.get(purpose)
        granted, state_at = reach.states.get(channel, (None, None)) if reach else (None, None)
        listed = self.listed_by_email or purpose in self.listed_by_phone
        return Facts(
            known=reach is not None,
            opt_in=reach is not None
            and reach.jurisdiction in opt_in_jurisdictions(policy, purpose),
            granted=granted,
            state_at=state_at,
            erased_at=times.get("erased_at"),
            restricted=restricted,
            objected_at=times.get("objected_at"),
            opted_out_at=times.get("opted_out_at"),
            do_not_call=channel == "phone" and listed,
        )


def _later(times: dict[str, datetime | None], name: str, at: datetime | None) -> None:
    held = times.get(name)
    if at is not None and (held is None or at > held):
        times[name] = at


def may_send_marketing(
    pledge: Pledge, email: str, channel: str, purpose: str | None = None
) -> ChannelVerdict:
    """Whether this address may receive marketing on a channel now (one statement).

    ``purpose`` may be left out when the policy has one marketing purpose;
    ValidationFailed names a purpose or channel the policy does not pair.
    """
    chosen = marketing_purpose(pledge.policy, purpose, channel)
    with pledge.sessions() as session:
        facts = person_facts(session, pledge, email, [chosen.id])
    return decide(facts.facts(pledge.policy, chosen.id, channel))


def marketing_state(pledge: Pledge, email: str) -> dict[str, dict[str, ChannelVerdict]]:
    """Per marketing purpose and channel: may this person be contacted now, and if not why."""
    with pledge.sessions() as session:
        return marketing_state_in(session, pledge, email)


def marketing_state_in(
    session: Session, pledge: Pledge, email: str
) -> dict[str, dict[str, ChannelVerdict]]:
    """:func:`marketing_state` on the caller's session (one statement)."""
    policy = pledge.policy
    purposes = policy.marketing_purposes
    facts = person_facts(session, pledge, email, [p.id for p in purposes])
    return {
        purpose.id: {
            channel: decide(facts.facts(policy, purpose.id, channel))
            for channel in purpose.channels
        }
        for purpose in purposes
        if purpose.channels
    }


def decide(facts: Facts) -> ChannelVerdict:
    reason = marketing_verdict(facts)
    return ChannelVerdict(allowed=reason is None, reason=reason)


def person_facts(
    session: Session, pledge: Pledge, email: str, purposes: Sequence[str]
) -> PersonFacts:
    """The rows that decide marketing for one address and these purposes, in one statement."""
    index = pledge.keys.blind_index("email", email)
    rows = session.execute(_fact_rows(bytes.fromhex(index), index, list(purposes))).all()
    return _fold(rows)


def _fact_rows(digest: bytes, index: str, purposes: list[str]) -> CompoundSelect[Any]:
    """One ``UNION ALL``; every row is (source, purpose, label, since, granted).

    The first branch gives the columns their types (times as aware UTC on
    SQLite too); each branch is an index look-up by the blind index, or by
    the subject of the address's reach rows.
    """
    reach = MarketingReach
    mine = and_(reach.email_index == digest, reach.purpose.in_(purposes))
    states: list[Select[Any]] = [
        select(
            _source(channel),
            reach.purpose,
            reach.jurisdiction,
            getattr(reach, f"{channel}_at"),
            getattr(reach, f"{channel}_granted"),
        ).where(mine)
        for channel in CHANNELS
    ]
    sup, res, dnc = MarketingSuppression, SubjectRestriction, DoNotCall
    phone = aliased(Identity)
    return union_all(
        *states,
        select(_source("suppression"), null(), sup.reason, sup.created_at, null()).where(
            sup.email_index == index
        ),
        select(_source("restriction"), reach.purpose, res.kind, res.created_at, null())
        .join(reach, reach.subject_id == res.subject_id)
        .where(mine, res.lifted_at.is_(None)),
        select(_source("dnc_email"), null(), null(), null(), null()).where(
            dnc.kind == "email", dnc.blind_index == index
        ),
        select(_source("dnc_phone"), reach.purpose, null(), null(), null())
        .join(phone, and_(phone.subject_id == reach.subject_id, phone.kind == "phone"))
        .join(dnc, and_(dnc.kind == "phone", dnc.blind_index == phone.blind_index))
        .where(mine),
    )


def _source(name: str) -> Any:
    """A constant naming the branch a row comes from (ours, never input)."""
    return literal_column(f"'{name}'", String).label("source")


def _fold(rows: Iterable[Any]) -> PersonFacts:
    found = PersonFacts()
    for source, purpose, label, since, granted in rows:
        at = _aware(since)
        if source in CHANNELS:
            entry = found.reach.setdefault(purpose, ReachRow(label))
            entry.states[source] = (None if granted is None else bool(granted), at)
        elif source == "suppression":
            found.suppressions.append((label, at))
        elif source == "restriction":
            found.restrictions.append((purpose, label, at))
        elif source == "dnc_email":
            found.listed_by_email = True
        else:
            found.listed_by_phone.add(purpose)
    return found


def _aware(value: Any) -> datetime | None:
    """Times come back aware (the first branch's ``UTCDateTime``); text is parsed in case."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
