"""Intake and verification of data subject requests: the public half of the rights service.

Every write here goes through ``pledge.transaction()`` together with its audit
entry and its mail (queued in the outbox, so a rolled-back request sends
nothing); the job runners are woken after the commit. The web
routes, the privacy center, the CLI and a future staff console all call these
functions and hold no logic of their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from pledge.core import Pledge
from pledge.db.base import new_id
from pledge.db.models import Identity, RecipientNotice, RequestEvent, RightsRequest
from pledge.errors import BadRequest, Conflict, TooManyRequests, ValidationFailed
from pledge.i18n import N_, SOURCE, supported_code
from pledge.rights import deadlines, mails
from pledge.rights.corrections import check_corrections
from pledge.rights.identity import (
    MAX_FAILED_CODES,
    check_agent,
    check_match,
    code_expiry,
    code_hash,
    match_indexes,
    matches_held_data,
    new_code,
    new_token,
    token_hash,
    tokens_equal,
)
from pledge.rights.lifecycle import (
    Holder,
    add_event,
    close,
    forget_if_erased,
    language_of,
    load_for_holder,
    mail_agent,
    mail_person,
    move,
    now_or,
    page_link,
    person_email,
    private_data,
    resolve_right,
)
from pledge.rights.purposes import check_purposes
from pledge.rights.schemas import RequestIn
from pledge.rights.states import LOCKED, PENDING_VERIFICATION, REFERRED, VERIFIED
from pledge.rights.views import (
    CodeResent,
    NoticeView,
    RequestAccepted,
    RequestView,
    TimelineEvent,
)

log = logging.getLogger(__name__)

LOCKED_NOW = N_("too many wrong codes: this request is locked")
MAX_CODES_SENT = 5
METHODS = ("web", "email", "phone", "post", "in_person", "api")


@dataclass(frozen=True)
class Submitted:
    """What the requester gets back: the token is shown here once and never again."""

    id: str
    status: str
    due_at: datetime
    token: str

    def accepted(self) -> RequestAccepted:
        """The 202 answer; the only place the token is ever shown."""
        return RequestAccepted(id=self.id, status=self.status, due_at=self.due_at, token=self.token)


def submit(
    pledge: Pledge,
    body: RequestIn,
    *,
    method: str = "web",
    actor: str = "public",
    now: datetime | None = None,
) -> Submitted:
    """Record a request, mail the code and the acknowledgement; nothing is revealed yet."""
    now = now_or(now)
    if method not in METHODS:
        raise ValidationFailed("unknown method", fields={"method": f"one of {METHODS}"})
    check_agent(body.agent.model_dump() if body.agent else None)
    policy = pledge.policy
    jurisdiction = policy.jurisdiction_for(body.country, body.region)
    right, voluntary = resolve_right(policy, jurisdiction, body.type)
    match = check_match(policy.verification, body.match, body.email)
    purposes = check_purposes(policy, body.type, jurisdiction.id, body.purposes)
    if body.corrections:
        if body.type != "rectification":
            raise ValidationFailed(
                "only a rectification request carries corrections",
                fields={"corrections": "only for type rectification"},
            )
        check_corrections(policy, body.corrections, now.date())
    try:
        indexes = match_indexes(pledge.keys, match, body.country)
    except ValidationFailed:
        raise ValidationFailed(
            "match.phone is not a phone number", fields={"match.phone": "invalid"}
        ) from None
    row = RightsRequest(
        id=new_id(),
        type=body.type,
        status=PENDING_VERIFICATION,
        scope=body.about,
        method=method,
        jurisdiction=jurisdiction.id,
        country=body.country,
        region=body.region,
        voluntary=voluntary,
        email_index=pledge.keys.blind_index("email", body.email),
        by_agent=body.agent is not None,
        codes_sent=0,
        failed_attempts=0,
        copies_served=0,
        received_at=now,
        due_at=deadlines.due_date(right, now),
        acknowledge_by=deadlines.acknowledge_by(right, now),
        result={},
    )
    token = new_token()
    row.token_hash = token_hash(pledge.keys, row.id, token)
    row.email_ciphertext = pledge.keys.encrypt_system(body.email, f"rights-email:{row.id}")
    private = _private(body, indexes)
    if purposes is not None:
        private["purposes"] = purposes
    row.private_ciphertext = pledge.keys.encrypt_system(private, f"rights-private:{row.id}")
    with pledge.transaction() as session:
        session.add(row)
        session.flush()  # the timeline rows below refer to it
        add_event(
            session,
            row,
            "received",
            actor=actor,
            at=now,
            note=f"Received by {method}; due {row.due_at.date().isoformat()}.",
            details={"method": method, "jurisdiction": row.jurisdiction, "by_agent": row.by_agent},
        )
        if body.about == "service_data":
            _refer(session, pledge, row, body.client, actor=actor, now=now)
        else:
            send_code(session, pledge, row, now)
            _acknowledge(session, pledge, row, now)
        status = row.status
    return Submitted(id=row.id, status=status, due_at=row.due_at, token=token)


def _private(body: RequestIn, indexes: dict[str, str]) -> dict[str, Any]:
    return {
        "details": body.details,
        "corrections": body.corrections,
        "agent": body.agent.model_dump() if body.agent else None,
        "match": indexes,
        "client": body.client,
        "language": supported_code(body.language) or SOURCE,
    }


def send_code(
    session: Any,
    pledge: Pledge,
    row: RightsRequest,
    now: datetime,
    *,
    note: str = "A one-time code was sent to the person's e-mail address.",
) -> None:
    """A fresh code (the old one stops working), mailed with the link to the request's page."""
    code = new_code()
    row.code_hash = code_hash(pledge.keys, row.id, code)
    row.code_expires_at = code_expiry(now)
    row.codes_sent += 1
    mail_person(
        session,
        pledge,
        row,
        mails.code_mail(
            pledge.policy,
            language_of(pledge, row),
            code,
            by_agent=row.by_agent,
            link=page_link(pledge, row.id),
        ),
        "rights_code",
    )
    add_event(
        session,
        row,
        "code_sent",
        actor="system",
        at=now,
        note=note,
    )


def _acknowledge(session: Any, pledge: Pledge, row: RightsRequest, now: datetime) -> None:
    t = language_of(pledge, row)
    mail_person(
        session,
        pledge,
        row,
        mails.acknowledgement_mail(pledge.policy, t, row.type, row.due_at, to_agent=False),
        "rights_acknowledgement",
    )
    if row.by_agent:
        mail_agent(
            session,
            pledge,
            row,
            mails.acknowledgement_mail(pledge.policy, t, row.type, row.due_at, to_agent=True),
            "rights_acknowledgement_agent",
        )
    row.acknowledged_at = now
    add_event(
        session,
        row,
        "acknowledged",
        actor="system",
        at=now,
        note="Receipt confirmed by e-mail, with the due date.",
    )


def _refer(
    session: Any,
    pledge: Pledge,
    row: RightsRequest,
    client: str | None,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Service Data is the Client's: record the request and say whom to ask.

    The answer and the mail are the same whether or not a Client of that name
    exists, so intake never tells anyone who Pledge's Clients are; the name
    given is kept (encrypted) with the request for staff.
    """
    reason = (
        "Service Data is controlled by the Client; we process it on the Client's "
        "instructions. Please contact the business you dealt with, which can ask us "
        "to act on your data."
    )
    referral = mails.referral_mail(pledge.policy, language_of(pledge, row), None)
    mail_person(session, pledge, row, referral, "rights_referral")
    row.acknowledged_at = now
    row.result = {"controller": "client"}
    close(session, row, REFERRED, actor=actor, at=now, outcome="none", reason=reason)
    forget_if_erased(session, row)


def resend_code(
    pledge: Pledge, request_id: str, token: str | None, *, now: datetime | None = None
) -> CodeResent:
    """A fresh code (the old one stops working); at most five codes per request."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load_for_holder(session, pledge, request_id, token, lock=True)
        if row.status == LOCKED or row.codes_sent >= MAX_CODES_SENT:
            raise TooManyRequests(N_("no more codes can be sent for this request"))
        if row.status != PENDING_VERIFICATION:
            raise Conflict(N_("this request is already verified or closed"))
        send_code(session, pledge, row, now)
    return CodeResent(id=request_id, status=PENDING_VERIFICATION)


def verify(
    pledge: Pledge, request_id: str, token: str | None, code: str, *, now: datetime | None = None
) -> RequestView:
    """Check the code; on success fulfil at once (unless staff must review first).

    A wrong code is counted in its own committed transaction before the error
    is raised, so the lock after :data:`MAX_FAILED_CODES` misses survives.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = load_for_holder(session, pledge, request_id, token, lock=True)
        attempt = check_code(session, pledge, row, code, now)
    if attempt.error is not None:
        raise attempt.error
    fulfil_quietly(pledge, request_id, now)
    return view(pledge, request_id, token)


def fulfil_quietly(pledge: Pledge, request_id: str, now: datetime) -> None:
    """Fulfil a request just verified; a failure is logged and left to the periodic task."""
    from pledge.rights.fulfil import fulfil

    try:
        fulfil(pledge, request_id, now=now)
    except Exception as exc:  # the periodic task retries; the person is verified either way
        log.error("fulfilment of request %s failed: %s", request_id, type(exc).__name__)


@dataclass(frozen=True)
class Attempt:
    """One code checked: right (``ok``), or the error to raise once the count is committed."""

    ok: bool
    error: Exception | None = None


def check_code(
    session: Any, pledge: Pledge, row: RightsRequest, code: str, now: datetime
) -> Attempt:
    if row.status == LOCKED:
        return Attempt(False, TooManyRequests(LOCKED_NOW))
    if row.status != PENDING_VERIFICATION or row.code_hash is None:
        return Attempt(False, Conflict(N_("this request is already verified or closed")))
    if row.code_expires_at is not None and now > row.code_expires_at:
        expired = N_("the code has expired; ask for a new one")
        return Attempt(False, BadRequest(expired, fields={"code": "expired"}))
    if not tokens_equal(row.code_hash, code_hash(pledge.keys, row.id, code)):
        counted = count_wrong_code(session, row.id)
        if counted > MAX_FAILED_CODES:  # a parallel attempt locked it meanwhile
            return Attempt(False, TooManyRequests(LOCKED_NOW))
        set_committed_value(row, "failed_attempts", counted)
        add_event(
            session,
            row,
            "wrong_code",
            actor="requester",
            at=now,
            details={"failed_attempts": counted},
        )
        if counted == MAX_FAILED_CODES:
            row.code_hash = None
            move(
                session, row, LOCKED, actor="system", at=now, note="Locked after five wrong codes."
            )
        wrong = BadRequest(N_("the code is not correct"), fields={"code": "not correct"})
        return Attempt(False, wrong)
    row.code_hash = None
    row.subject_id = _subject_for(session, row)
    row.verification = _level(session, pledge, row)
    move(
        session,
        row,
        VERIFIED,
        actor="requester",
        at=now,
        note="The person confirmed the request with the code sent to their e-mail.",
        details={"verification": row.verification},
    )
    return Attempt(True)


def count_wrong_code(session: Session, request_id: str) -> int:
    """Add one wrong code in one statement and return the new count.

    Why not ``row.failed_attempts += 1``: the row was read before this
    transaction took its write lock (SQLite begins at the first write), so
    parallel attempts each wrote the same count and five locks took more than
    five guesses. The database adds, and says what it added up to.
    """
    counted = session.execute(
        update(RightsRequest)
        .where(RightsRequest.id == request_id)
        .values(failed_attempts=RightsRequest.failed_attempts + 1)
        .returning(RightsRequest.failed_attempts)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(counted)


def _subject_for(session: Any, row: RightsRequest) -> str | None:
    if row.email_index is None:
        return None
    found: str | None = session.scalar(
        select(Identity.subject_id).where(
            Identity.kind == "email", Identity.blind_index == row.email_index
        )
    )
    return found


def _level(session: Any, pledge: Pledge, row: RightsRequest) -> str:
    """``full`` when a declared verifier matches what is held, else ``email`` only.

    Intake refuses any other point; this filter also keeps out those a request
    recorded before that check held (``email``, or a value equal to the address),
    and those the policy no longer declares.
    """
    wanted = _verifiers(pledge, row, private_data(pledge, row).get("match") or {})
    if row.subject_id is not None and matches_held_data(
        session, pledge.keys, row.subject_id, wanted
    ):
        return "full"
    return "email"


def _verifiers(pledge: Pledge, row: RightsRequest, indexes: dict[str, str]) -> dict[str, str]:
    email = person_email(pledge, row) or ""
    keys, verification = pledge.keys, pledge.policy.verification
    return {
        field: index
        for field, index in indexes.items()
        if verification.verifier(field) is not None
        and field != "email"
        and not (email and tokens_equal(index, keys.blind_index(f"match:{field}", email)))
    }


def view(pledge: Pledge, request_id: str, token: Holder) -> RequestView:
    """What the holder of the token (or of a page session) may see: status, clock, timeline,
    result, notices."""
    with pledge.sessions() as session:
        row = load_for_holder(session, pledge, request_id, token)
        return describe(session, row)


def describe(session: Session, row: RightsRequest) -> RequestView:
    """The request for its holder or staff; no personal data in it."""
    events = session.scalars(
        select(RequestEvent).where(RequestEvent.request_id == row.id).order_by(RequestEvent.id)
    ).all()
    notices = session.scalars(
        select(RecipientNotice)
        .where(RecipientNotice.request_id == row.id)
        .order_by(RecipientNotice.recipient_id)
    ).all()
    return RequestView(
        id=row.id,
        type=row.type,
        status=row.status,
        scope=row.scope,
        method=row.method,
        jurisdiction=row.jurisdiction,
        voluntary=row.voluntary,
        by_agent=row.by_agent,
        verification=row.verification,
        received_at=row.received_at,
        due_at=row.due_at,
        acknowledged_at=row.acknowledged_at,
        extended=row.extended_at is not None,
        extension_reason=row.extension_reason,
        closed_at=row.closed_at,
        outcome=row.outcome,
        reason=row.reason,
        result=row.result or {},
        copies_served=row.copies_served,
        notices=[
            NoticeView(
                recipient=n.recipient_id, action=n.action, status=n.status, sent_at=n.sent_at
            )
            for n in notices
        ],
        timeline=[
            TimelineEvent(at=e.at, event=e.event, actor=_public_actor(e.actor), note=e.note)
            for e in events
        ],
    )


def _public_actor(actor: str) -> str:
    return "staff" if actor.startswith(("api-key:", "user:", "cli")) else actor


__all__ = ["Submitted", "describe", "resend_code", "submit", "verify", "view"]
