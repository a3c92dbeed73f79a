"""Staff accounts with argon2 passwords, and console sessions.

A session cookie holds a random token; the database keeps only its SHA-256,
so a copy of the database opens no session. Repeated wrong passwords lock the
account for a while, which makes online guessing slow.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import StaffSession, StaffUser
from pledge.errors import AuthenticationRequired, Conflict, ValidationFailed

ROLES = ("admin", "staff")
MIN_PASSWORD = 12
SESSION_LIFETIME = timedelta(hours=8)
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
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
    if len(password) < MIN_PASSWORD:
        message = f"the password must have at least {MIN_PASSWORD} characters"
        raise ValidationFailed(message, fields={"password": "too short"})
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


def sign_in(pledge: Pledge, email: str, password: str, now: datetime | None = None) -> str:
    """Check the password and open a session; returns the cookie token.

    Every failure gets the same message, so the form does not reveal who has an account.
    A wrong password is counted in the same transaction that would have opened the
    session, committed before the error is raised, so the lock-out survives.
    """
    with pledge.transaction() as session:
        token = _attempt(session, email, password, now or utcnow())
    if token is None:
        raise AuthenticationRequired("wrong e-mail or password, or the account is locked")
    return token


def _attempt(session: Session, email: str, password: str, now: datetime) -> str | None:
    """A new session's token, or None after recording why there is none."""
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or user.disabled_at is not None:
        _verify(_DUMMY_HASH, password)
        return None
    if user.locked_until is not None and user.locked_until > now:
        return None
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOCK_AFTER:
            user.locked_until, user.failed_logins = now + LOCK_FOR, 0
        _audit(session, user.id, "staff.sign_in_failed")
        return None
    user.failed_logins, user.locked_until = 0, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    _audit(session, user.id, "staff.signed_in")
    return token


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _audit(session: Session, user_id: str, action: str) -> None:
    audit.append(
        session, action=action, actor=f"user:{user_id}", object_type="staff_user", object_id=user_id
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
    return bool(submitted) and secrets.compare_digest(principal.csrf_token, submitted or "")
