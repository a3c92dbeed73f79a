"""A Client's requests for its customers: access, erasure, restriction.

The policy: "We honor all Clients' requests from their customers to access,
correct, amend, or delete such customers Personal Data" and "to limit use or
disclosure". Each request is scoped to the asking Client: another Client's
customer with the same identifier is a different person here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Conversation, ServiceCustomer
from pledge.service_data.customers import find_customer
from pledge.service_data.forwarding import cancel_deliveries
from pledge.service_data.schemas import ServiceRequestIn


def handle_request(pledge: Pledge, client_id: str, request: ServiceRequestIn) -> dict[str, Any]:
    handlers = {"access": _access, "erasure": _erasure, "restriction": _restriction}
    result = handlers[request.type](pledge, client_id, request.customer.id)
    return {"type": request.type, "customer": {"id": request.customer.id}, **result}


def _access(pledge: Pledge, client_id: str, customer_id: str) -> dict[str, Any]:
    with pledge.transaction() as session:
        customer = find_customer(session, pledge.keys, client_id, customer_id)
        conversations: list[dict[str, Any]] = []
        if customer is not None and customer.wrapped_key is not None:
            data_key = pledge.keys.unwrap(customer.wrapped_key, f"service-customer:{customer.id}")
            rows = session.scalars(
                select(Conversation)
                .where(Conversation.customer_id == customer.id)
                .order_by(Conversation.created_at)
            ).all()
            conversations = [_decrypted(pledge, data_key, row) for row in rows]
        _audit(session, client_id, customer, "access", {"conversations": len(conversations)})
    return {"status": "completed", "conversations": conversations}


def _decrypted(pledge: Pledge, data_key: bytes, row: Conversation) -> dict[str, Any]:
    content = pledge.keys.decrypt_json(data_key, row.ciphertext, f"conversation:{row.id}")
    return {
        "id": row.id,
        "channel": row.channel,
        "created_at": row.created_at.isoformat(),
        "retain_until": row.retain_until.isoformat(),
        "collected": content["collected"],
        "turns": content["turns"],
    }


def _erasure(pledge: Pledge, client_id: str, customer_id: str) -> dict[str, Any]:
    """Delete conversations, cancel deliveries and destroy the customer's key."""
    with pledge.transaction() as session:
        customer = find_customer(session, pledge.keys, client_id, customer_id)
        deleted = cancelled = 0
        if customer is not None:
            result = session.execute(
                delete(Conversation).where(Conversation.customer_id == customer.id)
            )
            deleted = int(getattr(result, "rowcount", 0) or 0)
            cancelled = cancel_deliveries(session, customer.id)
            customer.wrapped_key = None
            customer.erased_at = utcnow()
            customer.customer_index = f"erased:{new_id()}"  # frees the slot, unlinks the id
        details = {"conversations_deleted": deleted, "deliveries_cancelled": cancelled}
        _audit(session, client_id, customer, "erasure", details)
    return {"status": "completed", **details}


def _restriction(pledge: Pledge, client_id: str, customer_id: str) -> dict[str, Any]:
    """Stop forwarding and further processing; storage continues until lifted or erased."""
    with pledge.transaction() as session:
        customer = find_customer(session, pledge.keys, client_id, customer_id)
        cancelled = 0
        if customer is not None:
            customer.restricted_at = customer.restricted_at or utcnow()
            cancelled = cancel_deliveries(session, customer.id)
        details = {"deliveries_cancelled": cancelled, "known": customer is not None}
        _audit(session, client_id, customer, "restriction", details)
    return {"status": "completed", "restricted": True, "deliveries_cancelled": cancelled}


def _audit(
    session: Any,
    client_id: str,
    customer: ServiceCustomer | None,
    kind: str,
    details: dict[str, Any],
) -> None:
    audit.append(
        session,
        action=f"service.request_{kind}",
        actor=f"client:{client_id}",
        object_type="service_customer",
        object_id=customer.id if customer else "unknown",
        details={"client_id": client_id, **details},
    )
