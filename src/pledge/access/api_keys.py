"""API keys: random bearer secrets, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import ApiKey
from pledge.errors import ValidationFailed

ROLES = ("system", "admin")
PREFIX = "pk_"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; ``actor`` is how the audit log names it."""

    kind: str
    id: str
    role: str

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(pledge: Pledge, *, name: str, role: str, actor: str = "cli") -> tuple[str, str]:
    """Create a key; returns ``(key id, plaintext key)``. The plaintext is never stored."""
    if role not in ROLES:
        raise ValidationFailed(
            f"role must be one of {', '.join(ROLES)}", fields={"role": "invalid"}
        )
    if not name.strip():
        raise ValidationFailed("name must not be empty", fields={"name": "empty"})
    key = PREFIX + secrets.token_urlsafe(32)
    with pledge.transaction() as session:
        row = ApiKey(name=name.strip(), role=role, key_hash=hash_key(key))
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="api_key.created",
            actor=actor,
            object_type="api_key",
            object_id=row.id,
            details={"role": role, "name": row.name},
        )
        key_id = row.id
    return key_id, key


def authenticate_key(pledge: Pledge, key: str) -> Principal | None:
    """The principal behind a bearer key, or None for an unknown or revoked key."""
    from pledge.service_data.clients import CLIENT_KEY_PREFIX, authenticate_client

    if key.startswith(CLIENT_KEY_PREFIX):
        return authenticate_client(pledge, key)
    if not key.startswith(PREFIX):
        return None
    with pledge.sessions() as session:
        row = session.execute(
            select(ApiKey.id, ApiKey.role).where(
                ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    return Principal(kind="api-key", id=row[0], role=row[1])
