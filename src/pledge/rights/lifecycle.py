"""A request's life cycle, shared by every step: finding it, moving it, its timeline, its mail.

Kept apart from the steps themselves so intake, verification, fulfilment and
staff actions each stay small and read the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import (
    Delivery,
    MarketingSuppression,
    RequestEvent,
    RequestPageSession,
    RightsRequest,
    Subject,
)
from pledge.errors import NotFound
from pledge.i18n import Language, language, source_language, supported
from pledge.mail import queue_mail
from pledge.policy import Policy
from pledge.policy.schema import Jurisdiction, Right
from pledge.rights.identity import PageSession, page_token_hash, token_hash, tokens_equal
from pledge.rights.states import check_move

NOT_FOUND = "no such request"
"""One message for unknown ids and wrong tokens, so no one can probe who has asked."""

REQUEST_PAGE_PATH = "/privacy-center/requests/{request_id}"
"""The request's own page (:mod:`pledge.web.request_page`): the code mail links to it."""


def page_link(pledge: Pledge, request_id: str) -> str:
    """The request page's address under ``PLEDGE_BASE_URL``; it reveals nothing by itself."""
    base = pledge.settings.base_url.rstrip("/")
    return base + REQUEST_PAGE_PATH.format(request_id=request_id)


_LOOKUP = {"know": ("know", "access"), "erasure": ("erasure", "delete")}


def now_or(now: datetime | None) -> datetime:
    return now if now is not None else utcnow()


def resolve_right(policy: Policy, jurisdiction: Jurisdiction, type: str) -> tuple[Right, bool]:
    """The policy's right for this request type, or a voluntary stand-in.

    Where the law of the person's place does not grant the right (portability
    in California, say), Pledge still answers, on the jurisdiction's shortest
    deadline, and marks the request ``voluntary``.
    """
    for name in _LOOKUP.get(type, (type,)):
        right = jurisdiction.right(name)
        if right is not None:
            return right, False
    shortest = min(jurisdiction.rights, key=lambda r: _approx_days(r.deadline))
    stand_in = Right(
        type=type,
        description="Not required by the law of your place; we answer it voluntarily.",
        deadline=shortest.deadline,
        staff_review=type == "rectification",
    )
    return stand_in, True


def _approx_days(duration: str) -> float:
    from pledge.policy.durations import parse_iso_duration

    return parse_iso_duration(duration).approximate().total_seconds()


def right_of(policy: Policy, row: RightsRequest) -> Right:
    jurisdiction = policy.jurisdiction(row.jurisdiction) or policy.default_jurisdiction
    return resolve_right(policy, jurisdiction, row.type)[0]


def load(session: Session, request_id: str, *, lock: bool = False) -> RightsRequest:
    row = session.get(RightsRequest, request_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


Holder = str | PageSession | None
"""What a caller shows to read a request: its token, or a signed-in page's cookie."""


def load_for_holder(
    session: Session, pledge: Pledge, request_id: str, token: Holder, *, lock: bool = False
) -> RightsRequest:
    """The request, only for the holder of its token or of a live page session for it;
    404 alike for a wrong id, token or session."""
    if isinstance(token, PageSession):
        if not page_session_live(session, pledge, request_id, token):
            raise NotFound(NOT_FOUND)
        return load(session, request_id, lock=lock)
    row = session.get(RightsRequest, request_id, with_for_update=lock or None)
    if row is None or not token:
        raise NotFound(NOT_FOUND)
    if not tokens_equal(row.token_hash, token_hash(pledge.keys, row.id, token)):
        raise NotFound(NOT_FOUND)
    return row


def page_session_live(session: Session, pledge: Pledge, request_id: str, page: PageSession) -> bool:
    """True while a session for this very request holds the cookie's value and has not expired."""
    if not page.token:
        return False
    found = session.scalar(
        select(RequestPageSession.id).where(
            RequestPageSession.request_id == request_id,
            RequestPageSession.token_hash == page_token_hash(pledge.keys, request_id, page.token),
            RequestPageSession.expires_at > utcnow(),
        )
    )
    return found is not None


def add_event(
    session: Session,
    row: RightsRequest,
    event: str,
    *,
    actor: str,
    at: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A timeline step and its audit entry (ids and tags only), in the caller's transaction."""
    session.add(RequestEvent(request_id=row.id, at=at, event=event, actor=actor, note=note))
    audit.append(
        session,
        action=f"rights.{event}",
        actor=actor,
        object_type="rights_request",
        object_id=row.id,
        subject_id=row.subject_id,
        details={"type": row.type, "status": row.status, **(details or {})},
    )


def move(
    session: Session, row: RightsRequest, status: str, *, actor: str, at: datetime, **kw: Any
) -> None:
    """Change status if the life cycle allows it, with its timeline step."""
    check_move(row.status, status)
    row.status = status
    add_event(session, row, status, actor=actor, at=at, **kw)


def person_email(pledge: Pledge, row: RightsRequest) -> str | None:
    if row.email_ciphertext is None:
        return None
    return str(pledge.keys.decrypt_system(row.email_ciphertext, f"rights-email:{row.id}"))


def private_data(pledge: Pledge, row: RightsRequest) -> dict[str, Any]:
    """Details, corrections, agent and match indexes, decrypted."""
    if row.private_ciphertext is None:
        return {}
    data: dict[str, Any] = pledge.keys.decrypt_system(
        row.private_ciphertext, f"rights-private:{row.id}"
    )
    return data


def language_of(pledge: Pledge, row: RightsRequest) -> Language:
    """The language the request was made in, for every mail about it (English if unknown).

    Kept in the encrypted private part at intake (``language``), so it goes
    with the rest when the request's personal data is wiped.
    """
    code = private_data(pledge, row).get("language")
    return language(code) if code in supported() else source_language()


def mail_person(
    session: Session, pledge: Pledge, row: RightsRequest, mail: tuple[str, str], template: str
) -> Delivery | None:
    """Queue a mail to the person (not the agent) in the caller's transaction.

    ``mail`` is written in the request's language (:func:`language_of`); the
    ``Content-Language`` header says which. None when their address is gone
    (wiped by an erasure).
    """
    to = person_email(pledge, row)
    if to is None:
        return None
    subject, body = mail
    return queue_mail(
        session,
        pledge.keys,
        to=to,
        subject=subject,
        body=body,
        template=template,
        subject_id=row.subject_id,
        headers=_language_header(pledge, row),
    )


def mail_agent(
    session: Session, pledge: Pledge, row: RightsRequest, mail: tuple[str, str], template: str
) -> None:
    agent = private_data(pledge, row).get("agent")
    if not agent:
        return
    subject, body = mail
    queue_mail(
        session,
        pledge.keys,
        to=agent["email"],
        subject=subject,
        body=body,
        template=template,
        headers=_language_header(pledge, row),
    )


def _language_header(pledge: Pledge, row: RightsRequest) -> dict[str, str]:
    """RFC 3282: says which language the mail is in (a screen reader reads it so)."""
    return {"Content-Language": language_of(pledge, row).code}


def forget_if_erased(session: Session, row: RightsRequest) -> bool:
    """Wipe the e-mail and details of a request whose person was erased since it came in.

    An erasure wipes the person's closed requests at once; one still open keeps
    them, since it still owes the person an answer. Called once that answer is
    queued (the mail itself is purged once delivered), so no request is left
    holding an erased person's address. True when it wiped. An erasure refused
    because of a legal hold suppressed the address but erased nothing: it keeps
    the address until the hold's release carries it out and tells the person.
    """
    if row.email_ciphertext is None and row.private_ciphertext is None:
        return False
    if (row.result or {}).get("waiting_for_hold"):
        return False  # not erased yet: the release still owes the person their answer
    erased = row.subject_id is not None and (
        session.scalar(select(Subject.erased_at).where(Subject.id == row.subject_id)) is not None
    )
    if not erased and row.email_index is not None:
        erased = (
            session.scalar(
                select(MarketingSuppression.id)
                .where(
                    MarketingSuppression.email_index == row.email_index,
                    MarketingSuppression.reason == "erasure",
                    MarketingSuppression.created_at >= row.received_at,
                )
                .limit(1)
            )
            is not None
        )
    if erased:
        row.email_ciphertext = None
        row.private_ciphertext = None
        row.email_index = None
    return erased


def close(
    session: Session,
    row: RightsRequest,
    status: str,
    *,
    actor: str,
    at: datetime,
    outcome: str,
    reason: str | None = None,
) -> None:
    """End the clock: completed, denied or referred, with how far it was complied with."""
    move(session, row, status, actor=actor, at=at, note=reason, details={"outcome": outcome})
    row.closed_at = at
    row.outcome = outcome
    row.reason = reason
