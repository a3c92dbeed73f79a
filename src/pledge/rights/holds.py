"""Legal holds: one person's data kept whatever retention or an erasure request would do.

Why a hold: data needed for the establishment, exercise or defence of legal
claims may be kept against an erasure request (GDPR Art. 17(3)(e); CCPA
§ 1798.105(d)), and a retention run must not destroy evidence a court or an
authority has asked to be preserved. Staff place a hold on an e-mail address
with a reason; while any hold on the person is in force, the retention run
skips everything of theirs and an erasure request is answered with the hold
as its exception (:mod:`pledge.rights.actions.erase`). Releasing the last
hold lets both proceed (:mod:`pledge.rights.hold_release`).

The person is held by the blind index of their e-mail and, when Pledge
already knows them, their subject id: a person first collected after the
hold is still held, found by the index. The reason is encrypted with the
system key (it may name a case, or the person); the audit log gets ids only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import Identity, LegalHold
from pledge.errors import NotFound, ValidationFailed
from pledge.validation import text_problem

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_EMAIL = 320
MAX_REASON = 2000


@dataclass(frozen=True)
class HoldView:
    """A hold as staff see it: the reason decrypted, the person only as 'known' or not."""

    id: str
    reason: str
    subject_known: bool
    created_by: str
    created_at: datetime
    released_by: str | None
    released_at: datetime | None
    waiting_requests: int

    @property
    def active(self) -> bool:
        return self.released_at is None


def check_hold_input(email: str, reason: str) -> tuple[str, str]:
    """The trimmed e-mail and reason, or ValidationFailed naming each bad field."""
    email, reason = email.strip(), reason.strip()
    problems: dict[str, str] = {}
    if not email or len(email) > MAX_EMAIL or not EMAIL.match(email):
        problems["email"] = "an e-mail address is needed (name@example.org)"
    if not reason:
        problems["reason"] = "a reason is needed (a case or matter, not personal data)"
    elif len(reason) > MAX_REASON:
        problems["reason"] = f"at most {MAX_REASON} characters"
    elif (problem := text_problem(reason)) is not None:
        problems["reason"] = problem
    if problems:
        raise ValidationFailed("the hold was not placed", fields=problems)
    return email, reason


def create_hold(pledge: Pledge, *, email: str, reason: str, actor: str) -> HoldView:
    """Place a hold on the person with this e-mail; audited with its id only."""
    email, reason = check_hold_input(email, reason)
    index = pledge.keys.blind_index("email", email)
    hold_id = new_id()
    with pledge.transaction() as session:
        subject_id = session.scalar(
            select(Identity.subject_id).where(
                Identity.kind == "email", Identity.blind_index == index
            )
        )
        row = LegalHold(
            id=hold_id,
            email_index=index,
            subject_id=subject_id,
            reason_ciphertext=pledge.keys.encrypt_system(reason, f"hold:{hold_id}"),
            created_by=actor,
            created_at=utcnow(),
            waiting_requests=[],
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="holds.created",
            actor=actor,
            object_type="legal_hold",
            object_id=hold_id,
            subject_id=subject_id,
            details={"subject_known": subject_id is not None},
        )
        return view(pledge.keys, row)


def list_holds(pledge: Pledge, *, reader: str, active_only: bool = False) -> list[HoldView]:
    """Every hold, those in force first, newest first; their reasons shown to ``reader``
    (an audited read: a reason can name the person or their matter)."""
    query = select(LegalHold)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    with pledge.transaction() as session:
        rows = session.scalars(query.order_by(LegalHold.created_at.desc())).all()
        views = [view(pledge.keys, row) for row in rows]
        if views:
            audit.audit_read(
                session, reader, "legal_hold", "list", "holds", counts={"holds": len(views)}
            )
    return sorted(views, key=lambda hold: not hold.active)


def get_hold(session: Session, hold_id: str, *, lock: bool = False) -> LegalHold:
    """The hold by id, or NotFound (an unknown id and a malformed one alike)."""
    query = select(LegalHold).where(LegalHold.id == hold_id[:36])
    if lock:
        query = query.with_for_update()
    row = session.scalar(query)
    if row is None:
        raise NotFound("no legal hold has this id")
    return row


def view(keys: KeyManager, row: LegalHold) -> HoldView:
    return HoldView(
        id=row.id,
        reason=str(keys.decrypt_system(row.reason_ciphertext, f"hold:{row.id}")),
        subject_known=row.subject_id is not None,
        created_by=row.created_by,
        created_at=row.created_at,
        released_by=row.released_by,
        released_at=row.released_at,
        waiting_requests=len(row.waiting_requests or []),
    )


def holds_on(
    session: Session, *, subject_id: str | None, email_index: str | None
) -> list[LegalHold]:
    """The holds in force on a person, by their subject id, their e-mail's index, or both.

    A subject is also held through any e-mail identity of theirs that a hold names.
    """
    who = []
    if subject_id is not None:
        who.append(LegalHold.subject_id == subject_id)
        who.append(
            LegalHold.email_index.in_(
                select(Identity.blind_index).where(
                    Identity.subject_id == subject_id, Identity.kind == "email"
                )
            )
        )
    if email_index is not None:
        who.append(LegalHold.email_index == email_index)
    if not who:
        return []
    return list(
        session.scalars(
            select(LegalHold)
            .where(LegalHold.released_at.is_(None), or_(*who))
            .order_by(LegalHold.created_at)
        )
    )


def held_subject_ids(session: Session) -> set[str]:
    """Every subject a hold in force covers (holds are few: one query, a small set)."""
    active = select(LegalHold.subject_id, LegalHold.email_index).where(
        LegalHold.released_at.is_(None)
    )
    rows = session.execute(active).all()
    ids = {subject_id for subject_id, _ in rows if subject_id is not None}
    indexes = [index for _, index in rows]
    if indexes:
        ids.update(
            session.scalars(
                select(Identity.subject_id).where(
                    Identity.kind == "email", Identity.blind_index.in_(indexes)
                )
            )
        )
    return ids


def wait_for_release(holds: Iterable[LegalHold], request_id: str) -> None:
    """Note on each hold that this erasure request is waiting for it to end."""
    for hold in holds:
        waiting = list(hold.waiting_requests or [])
        if request_id not in waiting:
            hold.waiting_requests = [*waiting, request_id]


__all__ = [
    "HoldView",
    "check_hold_input",
    "create_hold",
    "get_hold",
    "held_subject_ids",
    "holds_on",
    "list_holds",
    "view",
    "wait_for_release",
]
