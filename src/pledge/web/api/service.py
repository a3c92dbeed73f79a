"""The Service Data API for Clients (and its admin side).

Every Client route filters by the calling Client's id in the query itself, so
another Client's conversation is indistinguishable from one that does not
exist: 404 either way.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from pledge.db.models import Conversation, ServiceCustomer, WebhookDelivery
from pledge.errors import NotFound, ValidationFailed
from pledge.service_data.client_requests import handle_request
from pledge.service_data.clients import create_client, list_clients
from pledge.service_data.ingestion import ingest
from pledge.service_data.instructions import parse_instructions
from pledge.service_data.schemas import ConversationIn, ServiceRequestIn
from pledge.validation import parse_model
from pledge.web.deps import AdminDep, ClientDep, PledgeDep

router = APIRouter()
JsonBody = Body(...)


@router.post("/api/v1/service/conversations", status_code=201)
async def post_conversation(
    pledge: PledgeDep, client: ClientDep, body: dict[str, Any] = JsonBody
) -> dict[str, Any]:
    conversation = parse_model(ConversationIn, body)
    return await run_in_threadpool(ingest, pledge, client.id, conversation)


@router.get("/api/v1/service/conversations/{conversation_id}")
def get_conversation(pledge: PledgeDep, client: ClientDep, conversation_id: str) -> dict[str, Any]:
    with pledge.sessions() as session:
        row = session.scalar(
            select(Conversation).where(
                Conversation.id == conversation_id, Conversation.client_id == client.id
            )
        )
        customer = session.get(ServiceCustomer, row.customer_id) if row else None
    if row is None or customer is None or customer.wrapped_key is None:
        raise NotFound("no such conversation")
    data_key = pledge.keys.unwrap(customer.wrapped_key, f"service-customer:{customer.id}")
    content = pledge.keys.decrypt_json(data_key, row.ciphertext, f"conversation:{row.id}")
    return {
        "id": row.id,
        "channel": row.channel,
        "created_at": row.created_at.isoformat(),
        "retain_until": row.retain_until.isoformat(),
        "collected": content["collected"],
        "turns": content["turns"],
    }


@router.post("/api/v1/service/requests")
async def post_service_request(
    pledge: PledgeDep, client: ClientDep, body: dict[str, Any] = JsonBody
) -> dict[str, Any]:
    request = parse_model(ServiceRequestIn, body)
    return await run_in_threadpool(handle_request, pledge, client.id, request)


@router.get("/api/v1/service/deliveries")
def list_deliveries(pledge: PledgeDep, client: ClientDep) -> dict[str, Any]:
    """The Client's webhook deliveries, newest first, with their status and attempts."""
    with pledge.sessions() as session:
        rows = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.client_id == client.id)
            .order_by(WebhookDelivery.created_at.desc())
            .limit(200)
        ).all()
    return {"deliveries": [_delivery(row) for row in rows]}


def _delivery(row: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "status": row.status,
        "attempts": row.attempts,
        "last_status": row.last_status,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
    }


@router.post("/api/v1/admin/clients", status_code=201)
async def admin_create_client(
    pledge: PledgeDep, admin: AdminDep, body: dict[str, Any] = JsonBody
) -> dict[str, Any]:
    """Register a Client: ``{"name", "instructions": {...}}`` → its id and API key (shown once)."""
    name = body.get("name")
    if not isinstance(name, str):
        raise ValidationFailed("name is required", fields={"name": "required"})
    instructions = parse_instructions(body.get("instructions"), pledge.policy)
    client_id, key = await run_in_threadpool(
        create_client, pledge, name=name, instructions=instructions, actor=admin.actor
    )
    return {"id": client_id, "api_key": key}


@router.get("/api/v1/admin/clients")
def admin_list_clients(pledge: PledgeDep, _admin: AdminDep) -> dict[str, Any]:
    """Clients with their instructions and delivery status counts."""
    return {"clients": list_clients(pledge)}
