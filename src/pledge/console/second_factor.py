"""Authenticator apps (TOTP) for staff accounts: set-up, the code at sign-in, reset.

Administrators must have one (:data:`pledge.console.permissions.SECOND_FACTOR_REQUIRED`);
anyone else may. Set-up in the console is two steps so that a mistyped or
unscanned secret never locks anyone out: :func:`start_enrolment` keeps a new
secret aside (``totp_pending``) and shows it once, :func:`confirm_enrolment`
makes it the account's secret when a code from it is given. The command line
(:func:`enrol_now`) skips the confirmation: whoever runs it holds the database
and the master key already.

At sign-in the code is counted exactly like a password
(:func:`pledge.console.accounts.count_attempt`: one atomic ``UPDATE …
RETURNING`` per attempt, the same lock after ``LOCK_AFTER`` attempts, the
same pass for a browser the account signed in from before). A code is
accepted once: the step it belongs to must come after ``totp_last_step``, and
moving ``totp_last_step`` forward is one conditional ``UPDATE``, so two
parallel uses of one code open one session. Secrets are sealed under their
own derived key, bound to the account id. Every outcome is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pledge.console.accounts import (
    SignedIn,
    audit_staff,
    count_attempt,
    device_ok,
    device_token,
    drop_sessions,
    open_session,
    session_hash,
)
from pledge.console.totp import (
    matching_step,
    new_secret,
    otpauth_uri,
    qr_svg,
    read_ticket,
)
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import StaffUser
from pledge.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed

CODE_FAILED = "wrong or used code, or the account is locked; sign in again if this persists"
TICKET_EXPIRED = "the sign-in took too long; give your e-mail and password again"


@dataclass(frozen=True)
class Enrolment:
    """A new secret, shown once: as text, as an ``otpauth://`` URI and as a QR code."""

    secret: str
    uri: str
    qr_svg: str


def _user(session: Session, user_id: str) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("no such staff account")
    return user


def start_enrolment(pledge: Pledge, user_id: str) -> Enrolment:
    """Keep a new secret aside for the account and return it; nothing changes at sign-in yet.

    Starting again replaces a secret that was never confirmed. An account that
    has an app already must have it reset by an administrator first.
    """
    secret = new_secret()
    with pledge.transaction() as session:
        user = _user(session, user_id)
        if user.totp_enabled_at is not None:
            raise Conflict("an authenticator app is set up already; an administrator can reset it")
        user.totp_pending = pledge.keys.encrypt_staff_secret(secret, user_id)
        audit_staff(session, user_id, "staff.second_factor_started")
        email = user.email
    uri = otpauth_uri(secret, email)
    return Enrolment(secret=secret, uri=uri, qr_svg=qr_svg(uri))


def confirm_enrolment(
    pledge: Pledge, user_id: str, code: str, *, keep_token: str | None, now: datetime | None = None
) -> int:
    """Make the kept-aside secret the account's once ``code`` is one of its codes.

    Every other session of the account ends: it was opened by password alone,
    and from now on the account signs in with a code. Returns how many ended.
    """
    now = now or utcnow()
    with pledge.sessions() as session:
        pending = session.scalar(select(StaffUser.totp_pending).where(StaffUser.id == user_id))
    if pending is None:
        raise Conflict("start the set-up first")
    step = matching_step(pledge.keys.decrypt_staff_secret(pending, user_id), code, now)
    if step is None:
        with pledge.transaction() as session:
            audit_staff(session, user_id, "staff.second_factor_failed", {"stage": "set-up"})
        raise ValidationFailed("that code is not right; try the next one", fields={"code": "wrong"})
    with pledge.transaction() as session:
        done = session.execute(
            update(StaffUser)
            .where(
                StaffUser.id == user_id,
                StaffUser.totp_pending == pending,
                StaffUser.totp_enabled_at.is_(None),
            )
            .values(
                totp_secret=pending, totp_pending=None, totp_enabled_at=now, totp_last_step=step
            )
        )
        if not getattr(done, "rowcount", 0):
            raise Conflict("the set-up changed meanwhile; start it again")
        keep = session_hash(keep_token) if keep_token else None
        ended = drop_sessions(session, user_id, keep=keep)
        audit_staff(session, user_id, "staff.second_factor_enrolled", {"sessions_ended": ended})
    return ended


def enrol_now(pledge: Pledge, user_id: str, *, actor: str, now: datetime | None = None) -> str:
    """Give the account a new secret at once (the command line); returns its ``otpauth`` URI.

    The account's sessions end: each signs in again, with a code.
    """
    now = now or utcnow()
    secret = new_secret()
    with pledge.transaction() as session:
        user = _user(session, user_id)
        if user.totp_enabled_at is not None:
            raise Conflict("an authenticator app is set up already; reset it first")
        user.totp_secret = pledge.keys.encrypt_staff_secret(secret, user_id)
        user.totp_pending = None
        user.totp_enabled_at = now
        user.totp_last_step = None
        ended = drop_sessions(session, user_id)
        audit_staff(
            session,
            user_id,
            "staff.second_factor_enrolled",
            {"sessions_ended": ended},
            actor=actor,
        )
        email = user.email
    return otpauth_uri(secret, email)


def reset(pledge: Pledge, user_id: str, *, actor: str) -> int:
    """Remove the account's app (a lost phone); every session ends. Returns how many.

    An administrator then reaches only the set-up page until a new app is confirmed.
    """
    with pledge.transaction() as session:
        user = _user(session, user_id)
        if user.totp_enabled_at is None and user.totp_pending is None:
            raise Conflict("the account has no authenticator app")
        user.totp_secret = user.totp_pending = None
        user.totp_enabled_at = None
        user.totp_last_step = None
        ended = drop_sessions(session, user_id)
        audit_staff(
            session, user_id, "staff.second_factor_reset", {"sessions_ended": ended}, actor=actor
        )
    return ended


def attempt_code(
    pledge: Pledge,
    ticket: str | None,
    code: str,
    *,
    device: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """The sign-in's second step: the ticket of the password step, then the code.

    Raises :class:`AuthenticationRequired` with ``TICKET_EXPIRED`` (start over)
    or ``CODE_FAILED`` (another code may be tried); see the module's notes on
    counting and replay.
    """
    now = now or utcnow()
    user_id = read_ticket(pledge, ticket, now)
    if user_id is None:
        raise AuthenticationRequired(TICKET_EXPIRED)
    with pledge.transaction() as session:
        row = session.execute(
            count_attempt(StaffUser.id == user_id, now).returning(
                StaffUser.totp_secret, StaffUser.totp_last_step
            )
        ).first()
    if row is None:  # disabled since the password step
        raise AuthenticationRequired(TICKET_EXPIRED)
    locked_until, sealed = row[2], row[5]
    if locked_until is not None and locked_until > now and not device_ok(pledge, user_id, device):
        _failed(pledge, user_id, "staff.sign_in_refused", {"reason": "locked", "stage": "code"})
    if sealed is None:  # reset since the password step
        raise AuthenticationRequired(TICKET_EXPIRED)
    step = matching_step(pledge.keys.decrypt_staff_secret(sealed, user_id), code, now)
    if step is None:
        _failed(pledge, user_id, "staff.second_factor_failed", {"stage": "sign-in"})
    with pledge.transaction() as session:
        used = session.execute(
            update(StaffUser)
            .where(
                StaffUser.id == user_id,
                StaffUser.totp_secret == sealed,
                or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
            )
            .values(totp_last_step=step, failed_logins=0)
        )
        token = open_session(session, user_id, now) if getattr(used, "rowcount", 0) else None
        if token is not None:
            audit_staff(session, user_id, "staff.signed_in", {"second_factor": True})
    if token is None:  # this code (or a later one) was used already
        _failed(pledge, user_id, "staff.second_factor_replayed", {"stage": "sign-in"})
    return SignedIn(
        token=token,
        device=device_token(pledge, user_id),
        user_id=user_id,
        role=str(row[3]),
        second_factor=True,
    )


def _failed(pledge: Pledge, user_id: str, action: str, details: dict[str, str]) -> NoReturn:
    """Audit a refused code in its own transaction, then refuse."""
    with pledge.transaction() as session:
        audit_staff(session, user_id, action, details)
    raise AuthenticationRequired(CODE_FAILED)
