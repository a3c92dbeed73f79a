"""A Client's requests for its customers: access, erasure, restriction.

The policy: "We honor all Clients' requests from their customers to access,
correct, amend, or delete such customers Personal Data" and "to limit use or
disclosure". Each request is scoped to the asking Client: another Client's
customer with the same identifier is a different person here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import Conversation, ServiceCustomer
from pledge.service_data.conversations import opened
from pledge.service_data.customers import find_customers, restrict_customer
from pledge.service_data.erasure import erase_customer
from pledge.service_data.forwarding import cancel_deliveries
from pledge.service_data.schemas import (
    AccessResult,
    ErasureResult,
    RestrictionResult,
    ServiceRequestIn,
)


def handle_request(
    pledge: Pledge, client_id: str, request: ServiceRequestIn
) -> AccessResult | ErasureResult | RestrictionResult:
    if request.type == "access":
        return _access(pledge, client_id, request)
    if request.type == "erasure":
        return _erasure(pledge, client_id, request)
    try:
        return _restriction(pledge, client_id, request)
    except IntegrityError:
        # A first conversation of the same new customer was stored at the same moment.
        return _restriction(pledge, client_id, request)


def _access(pledge: Pledge, client_id: str, request: ServiceRequestIn) -> AccessResult:
    with pledge.transaction() as session:
        customers = find_customers(session, pledge.keys, client_id, request.customer.id)
        conversations = []
        for customer in customers:
            if customer.wrapped_key is None:
                continue
            data_key = pledge.keys.unwrap(customer.wrapped_key, f"service-customer:{customer.id}")
            rows = session.scalars(
                select(Conversation).where(Conversation.customer_id == customer.id)
            ).all()
            conversations += [opened(pledge.keys, data_key, row) for row in rows]
        conversations.sort(key=lambda c: (c.created_at, c.id))
        _audit(session, client_id, customers, "access", {"conversations": len(conversations)})
    return AccessResult(
        type="access", customer=request.customer, status="completed", conversations=conversations
    )


def _erasure(pledge: Pledge, client_id: str, request: ServiceRequestIn) -> ErasureResult:
    """Delete conversations, cancel deliveries and destroy the customer's key."""
    with pledge.transaction() as session:
        customers = find_customers(session, pledge.keys, client_id, request.customer.id)
        deleted = cancelled = 0
        for customer in customers:
            conversations, deliveries = erase_customer(session, customer)
            deleted += conversations
            cancelled += deliveries
        details = {"conversations_deleted": deleted, "deliveries_cancelled": cancelled}
        _audit(session, client_id, customers, "erasure", details)
    return ErasureResult(
        type="erasure",
        customer=request.customer,
        status="completed",
        known=bool(customers),
        conversations_deleted=deleted,
        deliveries_cancelled=cancelled,
    )


def _restriction(pledge: Pledge, client_id: str, request: ServiceRequestIn) -> RestrictionResult:
    """Stop forwarding and further processing; storage continues until lifted or erased.

    A processor follows its Client's instruction for that customer whether or not
    it holds anything about them yet: an unknown (or erased) customer is recorded
    as restricted, keyed by the blind index of the id, so a conversation that
    arrives later is stored redacted but never forwarded. ``known`` says whether
    anything was held before.
    """
    with pledge.transaction() as session:
        customers, known = restrict_customer(session, pledge.keys, client_id, request.customer.id)
        cancelled = sum(cancel_deliveries(session, customer.id) for customer in customers)
        details = {"deliveries_cancelled": cancelled, "known": known}
        _audit(session, client_id, customers, "restriction", details)
    return RestrictionResult(
        type="restriction",
        customer=request.customer,
        status="completed",
        restricted=True,
        known=known,
        deliveries_cancelled=cancelled,
    )


def _audit(
    session: Session,
    client_id: str,
    customers: list[ServiceCustomer],
    kind: str,
    details: dict[str, Any],
) -> None:
    extra = {"legacy_rows": sum(1 for c in customers if c.legacy_index)} if customers else {}
    audit.append(
        session,
        action=f"service.request_{kind}",
        actor=f"client:{client_id}",
        object_type="service_customer",
        object_id=customers[0].id if customers else "unknown",
        details={"client_id": client_id, **details, **extra},
    )
