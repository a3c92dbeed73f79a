"""The company do-not-call list: phone numbers (or people by e-mail) never to be called.

Kept as blind indexes, like every identity, so the list itself holds no
number or address in clear; the filters match it by the same indexes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from pledge import audit
from pledge.consent.schemas import DoNotCallIn
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import DoNotCall
from pledge.errors import ValidationFailed


class DoNotCallAdded(BaseModel):
    """``POST /api/v1/marketing/do-not-call``: the entry, and whether this call added it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    """``phone`` or ``email``."""
    added: bool
    """False when the entry was already on the list."""


def add_do_not_call(pledge: Pledge, entry: DoNotCallIn, *, actor: str) -> DoNotCallAdded:
    """Put a phone number (or a person's e-mail) on the company do-not-call list; idempotent."""
    kind, index = _dnc_index(pledge.keys, entry)
    with pledge.transaction() as session:
        existing = session.scalar(
            select(DoNotCall.id).where(DoNotCall.kind == kind, DoNotCall.blind_index == index)
        )
        if existing is not None:
            return DoNotCallAdded(id=existing, kind=kind, added=False)
        row = DoNotCall(
            id=new_id(),
            kind=kind,
            blind_index=index,
            source=entry.source,
            added_by=actor,
            added_at=utcnow(),
        )
        session.add(row)
        audit.append(
            session,
            action="do_not_call.added",
            actor=actor,
            object_type="do_not_call",
            object_id=row.id,
            details={"kind": kind, "source": entry.source},
        )
    return DoNotCallAdded(id=row.id, kind=kind, added=True)


def _dnc_index(keys: KeyManager, entry: DoNotCallIn) -> tuple[str, str]:
    if (entry.phone is None) == (entry.email is None):
        raise ValidationFailed(
            "give a phone number or an e-mail",
            fields={"phone": "give phone or email, not both"},
        )
    if entry.phone is not None:
        return "phone", keys.blind_index("phone", entry.phone, entry.country)
    assert entry.email is not None
    return "email", keys.blind_index("email", entry.email)
