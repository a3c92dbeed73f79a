"""The Service Data API for Clients (and its admin side): parse, authenticate, call
:mod:`pledge.service_data`, which scopes every read and write to the calling Client."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from pledge.access import enable_client, rotate_client_key
from pledge.service_data.client_requests import handle_request
from pledge.service_data.client_state import disable_client
from pledge.service_data.clients import create_client, list_clients
from pledge.service_data.conversations import client_conversation
from pledge.service_data.deliveries import client_deliveries
from pledge.service_data.ingestion import ingest
from pledge.service_data.instructions import checked_instructions
from pledge.service_data.schemas import (
    ClientIn,
    ClientsOut,
    ConversationIn,
    DeliveriesOut,
    IngestedConversation,
    NewClient,
    ServiceRequestIn,
    ServiceRequestResult,
    StoredConversation,
)
from pledge.web.api.requests import NoBody
from pledge.web.deps import AdminDep, ClientDep, PledgeDep
from pledge.web.openapi import errors

router = APIRouter(tags=["service data"])


@router.post("/api/v1/service/conversations", status_code=201)
def post_conversation(
    pledge: PledgeDep, client: ClientDep, body: ConversationIn
) -> IngestedConversation:
    """Store a conversation redacted, keeping only the fields the Client instructed."""
    return ingest(pledge, client.id, body)


@router.get("/api/v1/service/conversations/{conversation_id}")
def get_conversation(
    pledge: PledgeDep, client: ClientDep, conversation_id: str
) -> StoredConversation:
    return client_conversation(pledge, client.id, conversation_id)


@router.post("/api/v1/service/requests", response_model=ServiceRequestResult)
def post_service_request(
    pledge: PledgeDep, client: ClientDep, body: ServiceRequestIn
) -> ServiceRequestResult:
    """Access, erasure or restriction for one of the Client's customers, done at once."""
    return handle_request(pledge, client.id, body)


@router.get("/api/v1/service/deliveries")
def list_deliveries(pledge: PledgeDep, client: ClientDep) -> DeliveriesOut:
    """The Client's webhook deliveries, newest first, with their status and attempts."""
    return DeliveriesOut(deliveries=client_deliveries(pledge, client.id))


@router.post("/api/v1/admin/clients", status_code=201, responses=errors(409))
def admin_create_client(pledge: PledgeDep, admin: AdminDep, body: ClientIn) -> NewClient:
    """Register a Client; its API key is in this answer and nowhere else, ever."""
    instructions = checked_instructions(body.instructions, pledge.policy, prefix="instructions")
    client_id, key = create_client(
        pledge, name=body.name, instructions=instructions, actor=admin.actor
    )
    return NewClient(id=client_id, api_key=key)


@router.get("/api/v1/admin/clients")
def admin_list_clients(pledge: PledgeDep, _admin: AdminDep) -> ClientsOut:
    """Clients with their instructions and delivery status counts."""
    return ClientsOut(clients=list_clients(pledge))


class ClientState(BaseModel):
    id: str
    state: Literal["disabled", "enabled"]
    webhooks_cancelled: int | None = None
    """On disabling: how many undelivered webhook deliveries were cancelled."""


@router.post("/api/v1/admin/clients/{client_id}/disable", responses=errors(409))
def admin_disable_client(
    pledge: PledgeDep, admin: AdminDep, client_id: str, _body: NoBody
) -> ClientState:
    """Refuse the Client's key from now on and cancel its undelivered webhooks; audited."""
    cancelled = disable_client(pledge, client_id, actor=admin.actor)
    return ClientState(id=client_id, state="disabled", webhooks_cancelled=cancelled)


@router.post("/api/v1/admin/clients/{client_id}/enable", responses=errors(409))
def admin_enable_client(
    pledge: PledgeDep, admin: AdminDep, client_id: str, _body: NoBody
) -> ClientState:
    """Accept the Client's current key again; audited."""
    enable_client(pledge, client_id, actor=admin.actor)
    return ClientState(id=client_id, state="enabled")


@router.post("/api/v1/admin/clients/{client_id}/rotate-key")
def admin_rotate_client_key(
    pledge: PledgeDep, admin: AdminDep, client_id: str, _body: NoBody
) -> NewClient:
    """A new key for the Client, in this answer only; the old one stops working at once."""
    return NewClient(id=client_id, api_key=rotate_client_key(pledge, client_id, actor=admin.actor))
