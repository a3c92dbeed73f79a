"""Reading stored conversations back, decrypted, for the Client they belong to.

Every look-up filters by the calling Client's id in the query itself, so
another Client's conversation is indistinguishable from one that does not
exist: ``NotFound`` either way.
"""

from __future__ import annotations

from sqlalchemy import select

from pledge.audit import audit_read
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.models import Conversation, ServiceCustomer
from pledge.errors import NotFound
from pledge.service_data.schemas import RedactedTurn, StoredConversation


def client_conversation(pledge: Pledge, client_id: str, conversation_id: str) -> StoredConversation:
    """One of this Client's conversations; 404 for any other, or once the customer is erased.

    Each read is audited under the Client (ids and counts only).
    """
    with pledge.transaction() as session:
        row = session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id, Conversation.client_id == client_id
            )
        )
        customer = session.get(ServiceCustomer, row.customer_id) if row else None
        if row is None or customer is None or customer.wrapped_key is None:
            raise NotFound("no such conversation")
        data_key = pledge.keys.unwrap(customer.wrapped_key, f"service-customer:{customer.id}")
        shown = opened(pledge.keys, data_key, row)
        audit_read(
            session,
            f"client:{client_id}",
            "conversation",
            row.id,
            "conversation",
            counts={"turns": len(shown.turns), "collected": len(shown.collected)},
        )
    return shown


def opened(keys: KeyManager, data_key: bytes, row: Conversation) -> StoredConversation:
    """A conversation row decrypted with its customer's data key.

    A row sealed without ``turns`` is one whose Client did not ask to keep the
    transcript: it reads back with no turns and ``transcript_kept`` false.
    """
    content = keys.decrypt_json(data_key, row.ciphertext, f"conversation:{row.id}")
    turns = content.get("turns")
    return StoredConversation(
        id=row.id,
        channel=row.channel,
        created_at=row.created_at,
        retain_until=row.retain_until,
        collected=content["collected"],
        turns=[RedactedTurn.model_validate(turn) for turn in turns or []],
        transcript_kept=turns is not None,
    )
