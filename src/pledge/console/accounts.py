"""Staff accounts with argon2 passwords, and console sessions.

A session cookie holds a random token; the database keeps only its SHA-256,
so a copy of the database opens no session. Repeated wrong passwords lock the
account for a while against browsers it has not signed in from, which makes
online guessing slow without letting anyone lock staff out (:func:`attempt`).
Accounts can be disabled, passwords changed, roles changed and sessions
listed and ended; each of these is audited. An account with an authenticator
app signs in in two steps: the password here, then a code
(:mod:`pledge.console.second_factor`).
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
from sqlalchemy import ColumnElement, and_, case, delete, literal, select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.console.permissions import (
    ROLE_ALIASES,
    ROLES,
    SECOND_FACTOR_REQUIRED,
    Permission,
    canonical_role,
    permissions_of,
)
from pledge.console.totp import make_ticket
from pledge.core import Pledge
from pledge.db.base import UTCDateTime, utcnow
from pledge.db.models import StaffSession, StaffUser
from pledge.errors import AuthenticationRequired, Conflict, NotFound, ValidationFailed
from pledge.validation import text_problem

ROLE_CHOICES = ROLES + tuple(ROLE_ALIASES)
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
    second_factor: bool = False
    """The account has an authenticator app set up."""

    @property
    def actor(self) -> str:
        return f"user:{self.user_id}"

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role, second_factor=self.second_factor)

    def may(self, permission: str) -> bool:
        """For templates: show a link or a button only to those who may use it."""
        return permission in self.permissions

    @property
    def must_enrol(self) -> bool:
        """The role needs an authenticator app and this account has none yet."""
        return self.role in SECOND_FACTOR_REQUIRED and not self.second_factor


def session_hash(token: str) -> str:
    """What the database keeps of a session's cookie token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _role(role: str) -> str:
    stored = canonical_role(role)
    if stored is None:
        raise ValidationFailed(
            f"role must be one of {', '.join(ROLE_CHOICES)}", fields={"role": "invalid"}
        )
    return stored


def create_user(pledge: Pledge, *, email: str, role: str, password: str, actor: str) -> str:
    """A new account; ``role`` may be an alias (``staff``), stored under its current name."""
    role = _role(role)
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
    role: str = ""
    second_factor: bool = False


@dataclass(frozen=True)
class CodeNeeded:
    """The password was right; the account's authenticator code must follow.

    ``ticket`` names the account for the second step (signed, short-lived; see
    :func:`pledge.console.totp.make_ticket`); no session exists yet.
    """

    ticket: str
    user_id: str


def sign_in(pledge: Pledge, email: str, password: str, now: datetime | None = None) -> str:
    """Check the password and open a session; returns the cookie token (see :func:`attempt`).

    Only for accounts without an authenticator app: for the others it is the
    same failure as a wrong password (they sign in with a code as well).
    """
    result = attempt(pledge, email, password, now=now)
    if isinstance(result, CodeNeeded):
        raise AuthenticationRequired(SIGN_IN_FAILED)
    return result.token


def attempt(
    pledge: Pledge,
    email: str,
    password: str,
    *,
    device: str | None = None,
    now: datetime | None = None,
) -> SignedIn | CodeNeeded:
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

    An account with an authenticator app gets :class:`CodeNeeded` instead of
    a session, and its count of attempts is not reset: only a right code
    (:func:`pledge.console.second_factor.attempt_code`, counted the same way)
    resets it, so a known password buys no more code guesses.
    """
    now = now or utcnow()
    address = email.strip().lower()
    with pledge.transaction() as session:
        row = session.execute(count_attempt(StaffUser.email == address, now)).first()
    if row is None:  # unknown or disabled: the same work, the same answer
        _verify(_DUMMY_HASH, password)
        raise AuthenticationRequired(SIGN_IN_FAILED)
    user_id, password_hash, locked_until, role, enabled_at = row
    locked = locked_until is not None and locked_until > now
    if locked and not device_ok(pledge, user_id, device):
        _verify(_DUMMY_HASH, password)
        with pledge.transaction() as session:
            audit_staff(session, user_id, "staff.sign_in_refused", {"reason": "locked"})
        raise AuthenticationRequired(SIGN_IN_FAILED)
    if not _verify(password_hash, password):
        with pledge.transaction() as session:
            audit_staff(session, user_id, "staff.sign_in_failed")
        raise AuthenticationRequired(SIGN_IN_FAILED)
    values: dict[str, object] = {} if enabled_at else {"failed_logins": 0}
    if _hasher.check_needs_rehash(password_hash):
        values["password_hash"] = _hasher.hash(password)
    with pledge.transaction() as session:
        # A running lock is left to expire: it holds back other browsers, not this one.
        if values:
            session.execute(update(StaffUser).where(StaffUser.id == user_id).values(**values))
        if enabled_at is not None:
            audit_staff(session, user_id, "staff.password_accepted")
            return CodeNeeded(ticket=make_ticket(pledge, user_id, now), user_id=user_id)
        token = open_session(session, user_id, now)
        audit_staff(session, user_id, "staff.signed_in")
    return SignedIn(token=token, device=device_token(pledge, user_id), user_id=user_id, role=role)


def open_session(session: Session, user_id: str, now: datetime) -> str:
    """A new session row for the account; returns its cookie token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=session_hash(token),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def count_attempt(which: ColumnElement[bool], now: datetime) -> Any:
    """One atomic statement: count this attempt, or start a lock once past ``LOCK_AFTER``.

    Every ``SET`` expression reads the row as it was before the statement, on
    PostgreSQL and SQLite alike; a lock that is running is left as it is, and
    attempts made during it are not counted.
    """
    running = and_(StaffUser.locked_until.is_not(None), StaffUser.locked_until > now)
    over = StaffUser.failed_logins + 1 > LOCK_AFTER
    return (
        update(StaffUser)
        .where(which, StaffUser.disabled_at.is_(None))
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
        .returning(
            StaffUser.id,
            StaffUser.password_hash,
            StaffUser.locked_until,
            StaffUser.role,
            StaffUser.totp_enabled_at,
        )
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


def audit_staff(
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
            select(
                StaffSession.user_id,
                StaffSession.csrf_token,
                StaffUser.role,
                StaffUser.totp_enabled_at,
            )
            .join(StaffUser, StaffUser.id == StaffSession.user_id)
            .where(
                StaffSession.token_hash == session_hash(token),
                StaffSession.expires_at > now,
                StaffUser.disabled_at.is_(None),
            )
        ).first()
    if row is None:
        return None
    return StaffPrincipal(row[0], row[2], row[1], second_factor=row[3] is not None)


def sign_out(pledge: Pledge, token: str) -> None:
    """End the session of this cookie token; the audit log says who signed out."""
    token_hash = session_hash(token)
    with pledge.transaction() as session:
        user_id = session.scalar(
            select(StaffSession.user_id).where(StaffSession.token_hash == token_hash)
        )
        if user_id is None:
            return
        session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash))
        audit_staff(session, user_id, "staff.signed_out")


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
    second_factor_since: datetime | None = None


@dataclass(frozen=True)
class SessionView:
    """A live session, named by the start of its token's hash (which opens nothing)."""

    ref: str
    created_at: datetime
    expires_at: datetime


def session_ref(token: str) -> str:
    """The name under which a cookie token's session is listed."""
    return session_hash(token)[:SESSION_REF_LENGTH]


def list_users(pledge: Pledge) -> list[StaffView]:
    with pledge.sessions() as session:
        users = session.scalars(select(StaffUser).order_by(StaffUser.email)).all()
    return [_view(u) for u in users]


def _view(u: StaffUser) -> StaffView:
    return StaffView(
        u.id, u.email, u.role, u.created_at, u.disabled_at, u.locked_until, u.totp_enabled_at
    )


def _other_admins(session: Session, user_id: str) -> int:
    return len(
        session.scalars(
            select(StaffUser.id).where(
                StaffUser.role == "admin",
                StaffUser.id != user_id,
                StaffUser.disabled_at.is_(None),
            )
        ).all()
    )


def get_user(pledge: Pledge, user_id: str) -> StaffView:
    with pledge.sessions() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such staff account")
        return _view(user)


def set_role(pledge: Pledge, user_id: str, role: str, *, actor: str) -> int:
    """Give an account another role; its sessions end, so the new role holds from the next
    sign-in on (and a role that needs an authenticator app asks for one then)."""
    role = _role(role)
    with pledge.transaction() as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise NotFound("no such staff account")
        if user.role == role:
            raise Conflict(f"the account already has the role {role}")
        if user.role == "admin" and _other_admins(session, user_id) == 0:
            raise Conflict("the last active administrator keeps the role admin")
        before, user.role = user.role, role
        ended = drop_sessions(session, user_id)
        audit_staff(
            session,
            user_id,
            "staff.role_changed",
            {"from": before, "to": role, "sessions_ended": ended},
            actor=actor,
        )
    return ended


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
        ended = drop_sessions(session, user_id)
        audit_staff(session, user_id, "staff.user_disabled", {"sessions_ended": ended}, actor=actor)
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
        audit_staff(session, user_id, "staff.user_enabled", actor=actor)


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
        ended = drop_sessions(session, user_id)
        audit_staff(
            session, user_id, "staff.password_changed", {"sessions_ended": ended}, actor=actor
        )
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
            audit_staff(session, principal.user_id, "staff.password_change_failed")
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
        ended = drop_sessions(session, principal.user_id, keep=session_hash(keep_token))
        audit_staff(session, principal.user_id, "staff.password_changed", {"sessions_ended": ended})
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
        keep = session_hash(keep_token) if keep_token else None
        ended = drop_sessions(session, user_id, keep=keep, ref=ref)
        if ref is not None and not ended:
            raise NotFound("no such session")
        audit_staff(session, user_id, "staff.sessions_ended", {"count": ended}, actor=actor)
    return ended


def drop_sessions(
    session: Session, user_id: str, *, keep: str | None = None, ref: str | None = None
) -> int:
    """Delete the account's sessions in the caller's transaction (``keep``: a token hash
    to spare; ``ref``: only that session); returns how many ended."""
    statement = delete(StaffSession).where(StaffSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(StaffSession.token_hash != keep)
    if ref is not None:
        if len(ref) != SESSION_REF_LENGTH or not all(c in "0123456789abcdef" for c in ref):
            return 0
        statement = statement.where(StaffSession.token_hash.startswith(ref, autoescape=True))
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
