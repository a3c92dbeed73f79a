"""Releasing a legal hold: the erasures that waited on it are carried out, the person told.

Why here and not in :mod:`pledge.rights.holds`: the release runs the erasure
action, which itself reads the holds. When the released hold was the person's
last, each erasure request it kept waiting is carried out in the same
transaction (records deleted but those a legal obligation keeps, the key
shredded when nothing is kept, processors notified), the request's timeline
says so, and the person is mailed that it is done; then their address is
wiped from the request as after any erasure. While another hold is still in
force the requests move to it and keep waiting. Retention that the hold held
up happens at the next retention run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import LegalHold, RightsRequest
from pledge.errors import Conflict
from pledge.rights import mails
from pledge.rights.actions import Context
from pledge.rights.actions.erase import erase_subject, forget_earlier_requests
from pledge.rights.connected.work import queue_after_hold
from pledge.rights.holds import HoldView, get_hold, holds_on, view, wait_for_release
from pledge.rights.lifecycle import add_event, language_of, mail_person, now_or


@dataclass(frozen=True)
class Released:
    hold: HoldView
    erasures_done: int
    """Waiting erasure requests carried out now (0 while another hold is in force)."""


def release_hold(
    pledge: Pledge, hold_id: str, *, actor: str, now: datetime | None = None
) -> Released:
    """End a hold; NotFound for an unknown id, Conflict when it was already released."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = get_hold(session, hold_id, lock=True)
        if row.released_at is not None:
            raise Conflict("this legal hold was already released")
        row.released_at, row.released_by = now, actor
        session.flush()
        done = _resume(session, pledge, row, actor=actor, now=now)
        audit.append(
            session,
            action="holds.released",
            actor=actor,
            object_type="legal_hold",
            object_id=row.id,
            subject_id=row.subject_id,
            details={"erasures_done": done},
        )
        return Released(hold=view(pledge.keys, row), erasures_done=done)


def _resume(session: Session, pledge: Pledge, hold: LegalHold, *, actor: str, now: datetime) -> int:
    waiting = list(hold.waiting_requests or [])
    if not waiting:
        return 0
    requests = session.scalars(select(RightsRequest).where(RightsRequest.id.in_(waiting))).all()
    done = 0
    for request in requests:
        others = holds_on(session, subject_id=request.subject_id, email_index=request.email_index)
        if others:
            wait_for_release(others, request.id)
            continue
        _erase_now(session, pledge, request, actor=actor, now=now)
        done += 1
    return done


def _erase_now(
    session: Session, pledge: Pledge, row: RightsRequest, *, actor: str, now: datetime
) -> None:
    """Carry out an erasure that waited on a hold, record it on its timeline, tell the person."""
    result = dict(row.result or {})
    ctx = Context(session=session, pledge=pledge, row=row, now=now, actor=actor)
    if queue_after_hold(ctx):  # before the key goes: the tasks' payload is sealed with it
        result["systems"] = "reached after the hold"
    if row.subject_id is not None:
        forget_earlier_requests(ctx)
        result["after_hold"] = erase_subject(ctx, row.subject_id).result
    result["waiting_for_hold"] = False
    row.result = result
    add_event(
        session,
        row,
        "erased_after_hold",
        actor=actor,
        at=now,
        note="The legal hold ended; the erasure was carried out.",
        details={"records_deleted": result.get("after_hold", {}).get("records_deleted", 0)},
    )
    t = language_of(pledge, row)
    mail = mails.closing_mail(
        pledge.policy, t, row.type, "completed", None, link=None, country=row.country
    )
    mail_person(session, pledge, row, mail, "rights_completed")
    row.email_ciphertext = None
    row.private_ciphertext = None
    row.email_index = None


__all__ = ["Released", "release_hold"]
