"""Staff accounts with argon2 passwords, and console sessions.

A session cookie holds a random token; the database keeps only its SHA-256,
so a copy of the database opens no session. Repeated wrong passwords lock the
account for a while against browsers it has not signed in from, which makes
online guessing slow without letting anyone lock staff out (:func:`attempt`).
Accounts can be disabled, passwords changed and sessions listed and ended;
each of these is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import and_, case, delete, literal, select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import UTCDateTime, utcnow
from pledge.db.models import StaffSession, StaffUser
from pledge.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from pledge.validation import text_problem

ROLES = ("admin", "staff")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
SESSION_LIFETIME = timedelta(hours=8)
LOCK_AFTER = 10
"""Attempts since the last success after which unknown browsers wait ``LOCK_FOR``."""
LOCK_FOR = timedelta(minutes=15)
SIGN_IN_FAILED = "wrong e-mail or password, or the account is locked"
SESSION_REF_LENGTH = 16
_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps timing the same either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class StaffPrincipal:
    user_id: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(pledge: Pledge, *, email: str, role: str, password: str, actor: str) -> str:
    if role not in ROLES:
        raise ValidationFailed(
            f"role must be one of {', '.join(ROLES)}", fields={"role": "invalid"}
        )
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed("not a valid e-mail address", fields={"email": "invalid"}) from None
    _check_password(password)
    with pledge.transaction() as session:
        if session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
            raise Conflict("a user with this e-mail exists", fields={"email": "taken"})
        user = StaffUser(email=email, role=role, password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
        audit.append(
            session,
            action="staff.user_created",
            actor=actor,
            object_type="staff_user",
            object_id=user.id,
            details={"role": role},
        )
        return user.id


@dataclass(frozen=True)
class SignedIn:
    """A new session's cookie token, and the device token that marks this browser as known."""

    token: str
    device: str
    user_id: str


def sign_in(pledge: Pledge, email: str, password: str, now: datetime | None = None) -> str:
    """Check the password and open a session; returns the cookie token (see :func:`attempt`)."""
    return attempt(pledge, email, password, now=now).token


def attempt(
    pledge: Pledge,
    email: str,
    password: str,
    *,
    device: str | None = None,
    now: datetime | None = None,
) -> SignedIn:
    """Check the password and open a session, or raise the one sign-in error.

    Every failure gets the same message and takes one argon2 verification, so
    neither the answer nor its timing reveals who has an account, which account
    is disabled or which is locked.

    The attempt is counted before the password is checked, by one atomic
    ``UPDATE … SET failed_logins = failed_logins + 1 … RETURNING`` committed on
    its own: parallel attempts, in any number of server processes, each see
    their own count, so at most ``LOCK_AFTER`` passwords are ever tried against
    the account between two locks. Past that the account is locked for
    ``LOCK_FOR``, and attempts during the lock are not counted (the lock ends on
    time whatever an attacker keeps sending). The lock binds only browsers this
    account has not signed in from before: a browser holding the account's
    device token (``device``, set at each successful sign-in) is let through to
    the password check, so nobody can lock the staff out of their own browsers.
    Guessing from one place is limited apart from this, per address and per
    (account, address), by the web layer (:mod:`pledge.access.throttle`).
    """
    now = now or utcnow()
    address = email.strip().lower()
    with pledge.transaction() as session:
        row = session.execute(_count_attempt(address, now)).first()
    if row is None:  # unknown or disabled: the same work, the same answer
        _verify(_DUMMY_HASH, password)
        raise AuthenticationRequired(SIGN_IN_FAILED)
    user_id, password_hash, locked_until = row
    locked = locked_until is not None and locked_until > now
    if locked and not device_ok(pledge, user_id, device):
        _verify(_DUMMY_HASH, password)
        with pledge.transaction() as session:
            _audit(session, user_id, "staff.sign_in_refused", {"reason": "locked"})
        raise AuthenticationRequired(SIGN_IN_FAILED)
    if not _verify(password_hash, password):
        with pledge.transaction() as session:
            _audit(session, user_id, "staff.sign_in_failed")
        raise AuthenticationRequired(SIGN_IN_FAILED)
    token = secrets.token_urlsafe(32)
    with pledge.transaction() as session:
        # A running lock is left to expire: it holds back other browsers, not this one.
        values: dict[str, object] = {"failed_logins": 0}
        if _hasher.check_needs_rehash(password_hash):
            values["password_hash"] = _hasher.hash(password)
        session.execute(update(StaffUser).where(StaffUser.id == user_id).values(**values))
        session.add(
            StaffSession(
                token_hash=_token_hash(token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        _audit(session, user_id, "staff.signed_in")
    return SignedIn(token=token, device=device_token(pledge, user_id), user_id=user_id)


def _count_attempt(address: str, now: datetime) -> Any:
    """One atomic statement: count this attempt, or start a lock once past ``LOCK_AFTER``.

    Every ``SET`` expression reads the row as it was before the statement, on
    PostgreSQL and SQLite alike; a lock that is running is left as it is, and
    attempts made during it are not counted.
    """
    running = and_(StaffUser.locked_until.is_not(None), StaffUser.locked_until > now)
    over = StaffUser.failed_logins + 1 > LOCK_AFTER
    return (
        update(StaffUser)
        .where(StaffUser.email == address, StaffUser.disabled_at.is_(None))
        .values(
            failed_logins=case(
                (running, StaffUser.failed_logins),
                (over, 0),
                else_=StaffUser.failed_logins + 1,
            ),
            locked_until=case(
                (running, StaffUser.locked_until),
                (over, literal(now + LOCK_FOR, UTCDateTime())),
                else_=StaffUser.locked_until,
            ),
        )
        .returning(StaffUser.id, StaffUser.password_hash, StaffUser.locked_until)
        .execution_options(synchronize_session=False)
    )


def device_token(pledge: Pledge, user_id: str) -> str:
    """A random value and its HMAC bound to the account: "this browser signed in before"."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{pledge.keys.sign(f'staff-device:{user_id}:{nonce}')}"


def device_ok(pledge: Pledge, user_id: str, device: str | None) -> bool:
    """True for a device token this account's own sign-in issued."""
    if not device or device.count(".") != 1:
        return False
    nonce, signature = device.split(".")
    expected = pledge.keys.sign(f"staff-device:{user_id}:{nonce}")
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def _check_password(password: str, field: str = "password") -> None:
    problem = text_problem(password)
    if problem:
        raise ValidationFailed(f"the password {problem}", fields={field: problem})
    if len(password) < MIN_PASSWORD:
        message = f"the password must have at least {MIN_PASSWORD} characters"
        raise ValidationFailed(message, fields={field: "too short"})
    if len(password) > MAX_PASSWORD:
        message = f"the password must have at most {MAX_PASSWORD} characters"
        raise ValidationFailed(message, fields={field: "too long"})


def _verify(password_hash: str, password: str) -> bool:
    try:
        # Bytes: a submitted password may hold text no encoder accepts; it simply fails.
        return _hasher.verify(password_hash, password.encode("utf-8", "surrogatepass"))
    except (VerificationError, InvalidHashError):
        return False


def _audit(
    session: Session,
    user_id: str,
    action: str,
    details: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
) -> None:
    audit.append(
        session,
        action=action,
        actor=actor or f"user:{user_id}",
        object_type="staff_user",
        object_id=user_id,
        details=details,
    )


def session_principal(
    pledge: Pledge, token: str, now: datetime | None = None
) -> StaffPrincipal | None:
    now = now or utcnow()
    with pledge.sessions() as session:
        row = session.execute(
            select(StaffSession.user_id, StaffSession.csrf_token, StaffUser.role)
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(
                StaffSession.token_hash == _token_hash(token),
                StaffSession.expires_at > now,
                StaffUser.disabled_at.is_(None),
            )
        ).first()
    return StaffPrincipal(row[0], row[2], row[1]) if row else None


def sign_out(pledge: Pledge, token: str) -> None:
    """End the session of this cookie token; the audit log says who signed out."""
    token_hash = _token_hash(token)
    with pledge.transaction() as session:
        user_id = session.scalar(
            select(StaffSession.user_id).where(StaffSession.token_hash == token_hash)
        )
        if user_id is None:
            return
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))
        _audit(session, user_id, "staff.signed_out")


def csrf_ok(principal: StaffPrincipal, submitted: str | None) -> bool:
    """Constant-time, on bytes: a submitted value may hold any character."""
    return bool(submitted) and hmac.compare_digest(
        principal.csrf_token.encode(), (submitted or "").encode("utf-8", "replace")
    )


@dataclass(frozen=True)
class StaffView:
    """An account as the staff page lists it (the e-mail is the login name, shown to admins)."""

    id: str
    email: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None


@dataclass(frozen=True)
class SessionView:
    """A live session, named by the start of its token's hash (which opens nothing)."""

    ref: str
    created_at: datetime
    expires_at: datetime


def session_ref(token: str) -> str:
    """The name under which a cookie token's session is listed."""
    return _token_hash(token)[:SESSION_REF_LENGTH]


def list_users(pledge: Pledge) -> list[StaffView]:
    with pledge.sessions() as session:
        users = session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
    return [
        StaffView(u.id, u.email, u.role, u.created_at, u.disabled_at, u.locked_until) for u in users
    ]


def user_id_for(pledge: Pledge, email: str) -> str:
    """The id of the account signing in with ``email``; NotFound otherwise."""
    with pledge.sessions() as session:
        user_id = session.scalar(
            select(StaffUser.id).where(StaffUser.email == email.strip().lower())
        )
    if user_id is None:
        raise NotFound("no staff account with this e-mail")
    return user_id


def disable_user(pledge: Pledge, user_id: str, *, actor: str) -> int:
    """Disable an account and end its sessions at once; returns how many were ended."""
    with pledge.transaction() as session:
        changed = session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id, StaffUser.disabled_at.is_(None))
            .values(disabled_at=utcnow())
        )
        if not getattr(changed, "rowcount", 0):
            if session.get(StaffUser, user_id) is None:
                raise NotFound("no such staff account")
            raise Conflict("the account is already disabled")
        ended = _end(session, user_id)
        _audit(session, user_id, "staff.user_disabled", {"sessions_ended": ended}, actor=actor)
    return ended


def enable_user(pledge: Pledge, user_id: str, *, actor: str) -> None:
    """Let a disabled account sign in again (with its password, which is unchanged)."""
    with pledge.transaction() as session:
        changed = session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id, StaffUser.disabled_at.is_not(None))
            .values(disabled_at=None, failed_logins=0, locked_until=None)
        )
        if not getattr(changed, "rowcount", 0):
            if session.get(StaffUser, user_id) is None:
                raise NotFound("no such staff account")
            raise Conflict("the account is not disabled")
        _audit(session, user_id, "staff.user_enabled", actor=actor)


def set_password(pledge: Pledge, user_id: str, password: str, *, actor: str) -> int:
    """An administrator's reset: the new password, the lock lifted, every session ended."""
    _check_password(password)
    new_hash = _hasher.hash(password)
    with pledge.transaction() as session:
        changed = session.execute(
            update(StaffUser)
            .where(StaffUser.id == user_id)
            .values(password_hash=new_hash, failed_logins=0, locked_until=None)
        )
        if not getattr(changed, "rowcount", 0):
            raise NotFound("no such staff account")
        ended = _end(session, user_id)
        _audit(session, user_id, "staff.password_changed", {"sessions_ended": ended}, actor=actor)
    return ended


def change_password(
    pledge: Pledge, principal: StaffPrincipal, current: str, new: str, *, keep_token: str
) -> int:
    """A staff member's own change: the current password first, then every other session ends.

    A wrong current password is audited and answered like a field error; the
    web layer limits how often one session may try (:mod:`pledge.access.throttle`).
    """
    _check_password(new, "new_password")
    with pledge.sessions() as session:
        password_hash = session.scalar(
            select(StaffUser.password_hash).where(StaffUser.id == principal.user_id)
        )
    if password_hash is None or not _verify(password_hash, current):
        with pledge.transaction() as session:
            _audit(session, principal.user_id, "staff.password_change_failed")
        raise ValidationFailed(
            "the current password is not right", fields={"current_password": "wrong"}
        )
    new_hash = _hasher.hash(new)
    with pledge.transaction() as session:
        session.execute(
            update(StaffUser)
            .where(StaffUser.id == principal.user_id)
            .values(password_hash=new_hash, failed_logins=0)
        )
        ended = _end(session, principal.user_id, keep=_token_hash(keep_token))
        _audit(session, principal.user_id, "staff.password_changed", {"sessions_ended": ended})
    return ended


def list_sessions(pledge: Pledge, user_id: str, now: datetime | None = None) -> list[SessionView]:
    """The account's live sessions, newest first."""
    now = now or utcnow()
    with pledge.sessions() as session:
        rows = session.execute(
            select(StaffSession.token_hash, StaffSession.created_at, StaffSession.expires_at)
            .where(StaffSession.user_id == user_id, StaffSession.expires_at > now)
            .order_by(StaffSession.created_at.desc())
        ).all()
    return [SessionView(h[:SESSION_REF_LENGTH], created, expires) for h, created, expires in rows]


def end_sessions(
    pledge: Pledge,
    user_id: str,
    *,
    actor: str,
    ref: str | None = None,
    keep_token: str | None = None,
) -> int:
    """End the account's sessions (only the one named ``ref``, or all but ``keep_token``'s)."""
    with pledge.transaction() as session:
        if session.get(StaffUser, user_id) is None:
            raise NotFound("no such staff account")
        keep = _token_hash(keep_token) if keep_token else None
        ended = _end(session, user_id, keep=keep, ref=ref)
        if ref is not None and not ended:
            raise NotFound("no such session")
        _audit(session, user_id, "staff.sessions_ended", {"count": ended}, actor=actor)
    return ended


def _end(session: Session, user_id: str, *, keep: str | None = None, ref: str | None = None) -> int:
    statement = delete(StaffSession).where(StaffSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(StaffSession.token_hash != keep)
    if ref is not None:
        if len(ref) != SESSION_REF_LENGTH or not all(c in "0123456789abcdef" for c in ref):
            return 0
        statement = statement.where(StaffSession.token_hash.startswith(ref, autoescape=True))
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
