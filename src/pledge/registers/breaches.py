"""The breach register: the 72-hour clock, the people affected, the decision, the notices.

GDPR Art. 33 gives the controller 72 hours from becoming aware of a breach to
tell the supervisory authority (unless it is unlikely to result in a risk),
and Art. 34 asks that the people be told when the risk is high. Each entry
holds when the breach became known (the deadline is that plus 72 hours, and
an entry whose authority has not been told by then, without a decision not
to tell it, is flagged overdue), the affected categories and the people
affected counted from the store (everyone Pledge holds records of those
categories about), the decision on both notices with its reasons, when the
authority was told, and the notices mailed to the people in bounded,
resumable batches, once each. The summary, reasons and notice text are
sealed with the system key; the audit log gets ids and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import select, update

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import Breach
from pledge.errors import Conflict, NotFound
from pledge.registers.common import (
    MAX_SHOWN,
    Prose,
    Strict,
    audit_shown,
    check_categories,
    matches,
    refuse,
    to_csv,
)
from pledge.registers.mails import BREACH_TEMPLATE, breach_mail
from pledge.registers.notices import BATCH, count_affected, count_told, send_notices

REGISTER = "breach"
TEXT = "breach_text"
"""What a read entry says was shown: the sealed summary, reasons and notice."""
AUTHORITY_CLOCK = timedelta(hours=72)


class BreachIn(Strict):
    summary: Prose = Field(description="What happened; sealed, since it may name people.")
    known_at: datetime = Field(description="When we became aware: the 72 hours start here.")
    categories: list[str] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _aware(self) -> BreachIn:
        if self.known_at.tzinfo is None:
            refuse("the breach was not recorded", {"known_at": "needs a time zone (Z or +hh:mm)"})
        elif self.known_at > utcnow() + timedelta(minutes=5):
            refuse("the breach was not recorded", {"known_at": "must not be in the future"})
        return self


class DecisionIn(Strict):
    notify_authority: bool
    authority_reason: Prose
    notify_people: bool
    people_reason: Prose
    people_notice: Prose | None = None
    """What the people are told: what happened, what we did, what they can do."""
    authority_told_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DecisionIn:
        problems: dict[str, str] = {}
        if self.notify_people and not self.people_notice:
            problems["people_notice"] = "the text to tell the people is needed"
        if self.authority_told_at is not None:
            if not self.notify_authority:
                problems["authority_told_at"] = "the authority is told only with notify_authority"
            elif self.authority_told_at.tzinfo is None:
                problems["authority_told_at"] = "needs a time zone (Z or +hh:mm)"
        refuse("the decision was not recorded", problems)
        return self


@dataclass(frozen=True)
class BreachView:
    id: str
    summary: str
    known_at: datetime
    categories: tuple[str, ...]
    affected: int
    notify_authority: bool | None
    notify_people: bool | None
    authority_reason: str
    people_reason: str
    people_notice: str
    decided_by: str | None
    decided_at: datetime | None
    authority_told_at: datetime | None
    told: int
    notices_done_at: datetime | None
    created_by: str
    created_at: datetime

    @property
    def deadline(self) -> datetime:
        """When the authority must have been told: 72 hours after the breach became known."""
        return self.known_at + AUTHORITY_CLOCK

    def overdue(self, now: datetime | None = None) -> bool:
        """Past the deadline, the authority not told, and no decision that it need not be."""
        if self.authority_told_at is not None or self.notify_authority is False:
            return False
        return (now or utcnow()) > self.deadline

    @property
    def hours_left(self) -> float:
        return round((self.deadline - utcnow()).total_seconds() / 3600, 1)


def create_breach(pledge: Pledge, body: BreachIn, *, actor: str) -> BreachView:
    refuse("the breach was not recorded", check_categories(pledge.policy, body.categories))
    breach_id = new_id()
    with pledge.transaction() as session:
        session.add(
            Breach(
                id=breach_id,
                summary_ciphertext=pledge.keys.encrypt_system(body.summary, _aad(breach_id)),
                known_at=body.known_at,
                categories=sorted(set(body.categories)),
                created_by=actor,
                created_at=utcnow(),
            )
        )
        session.flush()
        audit.append(
            session,
            action="breaches.created",
            actor=actor,
            object_type=REGISTER,
            object_id=breach_id,
            details={"categories": sorted(set(body.categories))},
        )
    return get_breach(pledge, breach_id)


def decide(pledge: Pledge, breach_id: str, body: DecisionIn, *, actor: str) -> BreachView:
    """Record (or revise) the decision on both notices and when the authority was told."""
    reasons = {
        "authority_reason": body.authority_reason,
        "people_reason": body.people_reason,
        "people_notice": body.people_notice or "",
    }
    with pledge.transaction() as session:
        row = _get(session, breach_id)
        row.notify_authority = body.notify_authority
        row.notify_people = body.notify_people
        row.decision_ciphertext = pledge.keys.encrypt_system(reasons, _decision_aad(row.id))
        row.decided_by, row.decided_at = actor, utcnow()
        row.authority_told_at = body.authority_told_at
        audit.append(
            session,
            action="breaches.decided",
            actor=actor,
            object_type=REGISTER,
            object_id=row.id,
            details={
                "notify_authority": body.notify_authority,
                "notify_people": body.notify_people,
                "authority_told": body.authority_told_at is not None,
            },
        )
    return get_breach(pledge, breach_id)


def notify_breach(pledge: Pledge, breach_id: str, *, actor: str, batch: int = BATCH) -> int:
    """Mail everyone affected not yet told (409 unless the decision is to tell them)."""
    view = get_breach(pledge, breach_id)
    if view.notify_people is not True:
        raise Conflict("the decision is not to notify the people (or there is none yet)")
    mail = breach_mail(
        pledge,
        known_at=view.known_at,
        categories=list(view.categories),
        notice=view.people_notice,
    )
    queued = send_notices(
        pledge,
        register=REGISTER,
        register_id=view.id,
        categories=view.categories,
        mail=mail,
        template=BREACH_TEMPLATE,
        batch=batch,
    )
    with pledge.transaction() as session:
        session.execute(update(Breach).where(Breach.id == view.id).values(notices_done_at=utcnow()))
        audit.append(
            session,
            action="breaches.notices_sent",
            actor=actor,
            object_type=REGISTER,
            object_id=view.id,
            details={"mails": queued},
        )
    return queued


def list_breaches(
    pledge: Pledge, *, search: str = "", reader: str | None = None, form: str = "page"
) -> list[BreachView]:
    """Newest first; ``search`` keeps those holding every word; shown to ``reader``, audited."""
    with pledge.sessions() as session:
        ids = session.scalars(
            select(Breach.id).order_by(Breach.known_at.desc()).limit(MAX_SHOWN)
        ).all()
    views = [get_breach(pledge, breach_id) for breach_id in ids]
    found = [v for v in views if not search or matches(search, v.summary, *v.categories)]
    audit_shown(pledge, reader, REGISTER, "list", TEXT, entries=len(found), form=form)
    return found


def get_breach(
    pledge: Pledge, breach_id: str, *, reader: str | None = None, form: str = "page"
) -> BreachView:
    """The entry, its texts decrypted; shown to ``reader`` (one audit entry), or to the service."""
    with pledge.sessions() as session:
        row = _get(session, breach_id)
        affected = count_affected(session, row.categories)
        found = _view(pledge.keys, row, affected=affected, told=count_told(session, row.id))
    audit_shown(pledge, reader, REGISTER, found.id, TEXT, entries=1, form=form)
    return found


def _get(session: Any, breach_id: str) -> Breach:
    row: Breach | None = session.get(Breach, breach_id[:36])
    if row is None:
        raise NotFound("no breach has this id")
    return row


def _aad(breach_id: str) -> str:
    return f"breach:{breach_id}"


def _decision_aad(breach_id: str) -> str:
    return f"breach-decision:{breach_id}"


def _view(keys: KeyManager, row: Breach, *, affected: int, told: int) -> BreachView:
    reasons: dict[str, str] = {}
    if row.decision_ciphertext is not None:
        reasons = dict(keys.decrypt_system(row.decision_ciphertext, _decision_aad(row.id)))
    return BreachView(
        id=row.id,
        summary=str(keys.decrypt_system(row.summary_ciphertext, _aad(row.id))),
        known_at=row.known_at,
        categories=tuple(row.categories),
        affected=affected,
        notify_authority=row.notify_authority,
        notify_people=row.notify_people,
        authority_reason=reasons.get("authority_reason", ""),
        people_reason=reasons.get("people_reason", ""),
        people_notice=reasons.get("people_notice", ""),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        authority_told_at=row.authority_told_at,
        told=told,
        notices_done_at=row.notices_done_at,
        created_by=row.created_by,
        created_at=row.created_at,
    )


CSV_HEADER = (
    "id",
    "known_at",
    "authority_deadline",
    "overdue",
    "summary",
    "categories",
    "people_affected",
    "notify_authority",
    "authority_reason",
    "authority_told_at",
    "notify_people",
    "people_reason",
    "people_told",
    "decided_by",
    "decided_at",
)


def breaches_csv(items: list[BreachView]) -> str:
    now = utcnow()
    rows = (
        (
            i.id,
            i.known_at,
            i.deadline,
            i.overdue(now),
            i.summary,
            list(i.categories),
            i.affected,
            i.notify_authority,
            i.authority_reason,
            i.authority_told_at,
            i.notify_people,
            i.people_reason,
            i.told,
            i.decided_by,
            i.decided_at,
        )
        for i in items
    )
    return to_csv(CSV_HEADER, rows)
