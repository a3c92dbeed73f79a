"""API keys: random bearer secrets, stored only as SHA-256 hashes.

A valid key is remembered in the process for ``PLEDGE_API_KEY_CACHE_SECONDS``
(5 by default), keyed by its hash: every API call checks its key, and the
lookup was a database round trip and a pooled connection per request. Only
valid keys are remembered (an unknown key always asks the database). A key
revoked with :func:`revoke_api_key` stops working at once in the process that
revoked it; in other processes (other web workers, every server when the CLI revokes,
a revocation by hand in the database) it keeps working for at most that many seconds
(docs/operations.md, "Revocation across processes", measured by
tests/web/test_key_cache_across_processes.py). A revocation counter in the database was
left out: read on every request it costs the round trip the cache saves.

Client keys (``pc_…``, made by :mod:`pledge.service_data.clients`) are
recognised here too, through the same cache, so that every bearer key is
authenticated in one place and the service-data package never has to be
imported by the layer that guards it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import ApiKey, Client
from pledge.errors import NotFound, ValidationFailed

ROLES = ("system", "admin")
PREFIX = "pk_"
CLIENT_KEY_PREFIX = "pc_"


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


class KeyCache:
    """Valid keys by hash, each until a deadline; thread-safe, bounded.

    ``generation`` moves on at every revocation: a lookup that read the
    database before a revocation committed cannot put the key back afterwards.
    """

    MAX_ENTRIES = 1024

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.generation = 0
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            with self._lock:
                self._entries.pop(key_hash, None)
            return None
        return entry[0]

    def put(self, key_hash: str, principal: Principal, generation: int) -> None:
        """Remember a key read from the database when the cache was at ``generation``."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self.generation:
                return
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()
            self._entries[key_hash] = (principal, time.monotonic() + self.ttl)

    def forget(self, key_id: str) -> None:
        """Drop every entry of this key (after a revocation)."""
        with self._lock:
            self.generation += 1
            for key_hash, (principal, _) in list(self._entries.items()):
                if principal.id == key_id:
                    del self._entries[key_hash]


def key_cache(pledge: Pledge) -> KeyCache:
    """The cache of this Pledge (one per process and Pledge object)."""
    return pledge.state(KeyCache, lambda: KeyCache(pledge.settings.api_key_cache_seconds))


def cached_principal(pledge: Pledge, key: str) -> Principal | None:
    """The principal of a key validated less than the cache lifetime ago; never the database."""
    if not key.startswith((PREFIX, CLIENT_KEY_PREFIX)):
        return None
    return key_cache(pledge).get(hash_key(key))


def authenticate_key(pledge: Pledge, key: str) -> Principal | None:
    """The principal behind a bearer key (staff, system or Client), or None for an unknown one."""
    if not key.startswith((PREFIX, CLIENT_KEY_PREFIX)):
        return None
    key_hash, cache = hash_key(key), key_cache(pledge)
    principal = cache.get(key_hash)
    if principal is not None:
        return principal
    generation = cache.generation
    with pledge.sessions() as session:
        if key.startswith(CLIENT_KEY_PREFIX):
            principal = _client_principal(session, key_hash)
        else:
            principal = _api_key_principal(session, key_hash)
    if principal is not None:
        cache.put(key_hash, principal, generation)
    return principal


def _api_key_principal(session: Session, key_hash: str) -> Principal | None:
    row = session.execute(
        select(ApiKey.id, ApiKey.role).where(
            ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else Principal(kind="api-key", id=row[0], role=row[1])


def _client_principal(session: Session, key_hash: str) -> Principal | None:
    client_id = session.scalar(
        select(Client.id).where(Client.key_hash == key_hash, Client.disabled_at.is_(None))
    )
    return Principal(kind="client", id=client_id, role="client") if client_id else None


def revoke_api_key(pledge: Pledge, key_id: str, *, actor: str = "cli") -> None:
    """Revoke a key for good; it stops working at once in this process (see above)."""
    with pledge.transaction() as session:
        revoked = session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if not getattr(revoked, "rowcount", 0):
            raise NotFound("no such active API key")
        audit.append(
            session,
            action="api_key.revoked",
            actor=actor,
            object_type="api_key",
            object_id=key_id,
        )
    key_cache(pledge).forget(key_id)


def list_api_keys(pledge: Pledge) -> list[dict[str, str | None]]:
    """Every key's id, name, role and dates (never a hash), oldest first."""
    with pledge.sessions() as session:
        rows = session.execute(
            select(
                ApiKey.id, ApiKey.name, ApiKey.role, ApiKey.created_at, ApiKey.revoked_at
            ).order_by(ApiKey.created_at)
        ).all()
    return [
        {
            "id": key_id,
            "name": name,
            "role": role,
            "created_at": created.isoformat(),
            "revoked_at": revoked.isoformat() if revoked else None,
        }
        for key_id, name, role, created, revoked in rows
    ]
