"""Disabling a Client and rotating its key: both stop the old key at once in this process.

A Client's key is looked up through the same cache as API keys
(:mod:`pledge.access.api_keys`); after either change the Client's entries are
dropped from this process's cache, and other server processes stop accepting
the old key within ``PLEDGE_API_KEY_CACHE_SECONDS``.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.access.api_keys import CLIENT_KEY_PREFIX, hash_key, key_cache
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Client
from pledge.errors import Conflict, NotFound


def new_client_key() -> str:
    return CLIENT_KEY_PREFIX + secrets.token_urlsafe(32)


def rotate_client_key(pledge: Pledge, client_id: str, *, actor: str) -> str:
    """Give the Client a new key and return it (shown once); the old one stops working."""
    key = new_client_key()
    with pledge.transaction() as session:
        changed = session.execute(
            update(Client).where(Client.id == client_id).values(key_hash=hash_key(key))
        )
        if not getattr(changed, "rowcount", 0):
            raise NotFound("no such Client")
        audit.append(
            session,
            action="client.key_rotated",
            actor=actor,
            object_type="client",
            object_id=client_id,
        )
    key_cache(pledge).forget(client_id)
    return key


def enable_client(pledge: Pledge, client_id: str, *, actor: str) -> None:
    """Accept the Client's current key again."""
    with pledge.transaction() as session:
        mark_client_disabled(session, client_id, disabled=False, actor=actor)


def mark_client_disabled(
    session: Session,
    client_id: str,
    *,
    disabled: bool,
    actor: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Set or clear the Client's ``disabled_at`` and audit it, in the caller's transaction.

    Disabling is `pledge.service_data.client_state.disable_client`, which also withdraws
    the Client's undelivered webhooks in the same transaction (the delivery engine sits
    beside this package, not below it); it drops the key from this process's cache after
    the commit.
    """
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound("no such Client")
    if (client.disabled_at is not None) == disabled:
        raise Conflict("the Client is already " + ("disabled" if disabled else "enabled"))
    client.disabled_at = utcnow() if disabled else None
    audit.append(
        session,
        action="client.disabled" if disabled else "client.enabled",
        actor=actor,
        object_type="client",
        object_id=client_id,
        details=details,
    )


def disabled_clients(pledge: Pledge) -> set[str]:
    """The ids of the Clients whose key is refused."""
    with pledge.sessions() as session:
        return set(session.scalars(select(Client.id).where(Client.disabled_at.is_not(None))))
