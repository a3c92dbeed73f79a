"""A visitor's pseudonym for one UTC day: what distinct visitors are counted by.

The pseudonym is the first 16 hex characters of HMAC-SHA256 over the caller's
IP address and user agent, keyed with the day's salt: 32 random bytes made by
the day's first page view and kept in ``site_salts`` on the server only. The
first page view of a later day deletes every older salt, and so does every
retention run (:func:`purge_salts`): once a day's salt is gone, its pseudonyms
cannot be recomputed from an address, and the same visitor on another day gets
an unrelated one. The address and user agent are used here and not kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pledge.db.models import SiteSalt

PSEUDONYM_LENGTH = 16
"""Hex characters kept: 64 bits, enough that a day's visitors do not collide."""


def salt_of(session: Session, day: date) -> bytes:
    """``day``'s salt, made now when the day has none; older days' salts are deleted."""
    session.execute(delete(SiteSalt).where(SiteSalt.day < day))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(SiteSalt)
        .values(day=day, salt=secrets.token_hex(32))
        .on_conflict_do_nothing(index_elements=["day"])
    )
    return bytes.fromhex(session.scalars(select(SiteSalt.salt).where(SiteSalt.day == day)).one())


def pseudonym(salt: bytes, ip: str | None, user_agent: str | None) -> str:
    """The caller's pseudonym under ``salt``: the same address and agent give the same one."""
    message = f"{ip or ''}\n{user_agent or ''}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def purge_salts(session: Session, today: date) -> int:
    """Delete the salts of the days before ``today``; how many went."""
    result = session.execute(delete(SiteSalt).where(SiteSalt.day < today))
    return int(getattr(result, "rowcount", 0) or 0)
