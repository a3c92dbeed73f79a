"""Shapes of the Service Data API: what Clients send, and what every service function returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from pledge.service_data.instructions import Instructions


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: str = Field(min_length=1, max_length=64)
    text: str = Field(max_length=20_000)


class CustomerRef(BaseModel):
    """The Client's own identifier of its customer; stored only as a blind index."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["chat", "sms", "voice"]
    customer: CustomerRef
    turns: list[Turn] = Field(min_length=1, max_length=2000)


class ServiceRequestIn(BaseModel):
    """A Client's request for one of its customers (policy: we honour Clients' requests)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["access", "erasure", "restriction"]
    customer: CustomerRef


def _iso(value: datetime) -> str:
    return value.isoformat()


IsoDateTime = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A datetime that leaves as ``datetime.isoformat()`` (``+00:00``), as this API always wrote it."""


class Shape(BaseModel):
    """An answer of the Service Data API: immutable, every field typed."""

    model_config = ConfigDict(frozen=True)


class RedactedTurn(Shape):
    speaker: str
    text: str = Field(description="The turn with every detected value replaced by its label.")


class IngestedConversation(Shape):
    """What ``POST /api/v1/service/conversations`` answers (201)."""

    id: str
    collected: dict[str, str] = Field(description="The instructed fields found, by name.")
    turns: list[RedactedTurn]
    forwarded: bool = Field(description="Whether a delivery to the Client's webhook was queued.")
    restricted: bool = Field(description="Whether the customer restricted processing.")


class StoredConversation(Shape):
    """A stored conversation, as its Client reads it back (redacted)."""

    id: str
    channel: str
    created_at: IsoDateTime
    retain_until: IsoDateTime
    collected: dict[str, str]
    turns: list[RedactedTurn] = Field(
        description="The redacted turns when the transcript was kept; empty otherwise."
    )
    transcript_kept: bool = Field(
        description="Whether the Client's instructions kept the redacted transcript "
        "(`keep_transcript`) when this conversation was stored."
    )


class Delivery(Shape):
    """One queued post of collected fields to the Client's webhook."""

    id: str
    conversation_id: str | None
    status: Literal["delivered", "retrying", "failed"] = Field(
        description="delivered; retrying (queued, or tried and to be tried again); "
        "failed (given up: staff can send it again)"
    )
    attempts: int
    next_attempt_at: IsoDateTime | None = Field(description="While pending: the next try.")
    delivered_at: IsoDateTime | None


class DeliveriesOut(Shape):
    deliveries: list[Delivery] = Field(description="Newest first.")


class AccessResult(Shape):
    type: Literal["access"]
    customer: CustomerRef
    status: Literal["completed"]
    conversations: list[StoredConversation]


class ErasureResult(Shape):
    type: Literal["erasure"]
    customer: CustomerRef
    status: Literal["completed"]
    known: bool = Field(description="Whether anything was held for this customer.")
    conversations_deleted: int
    deliveries_cancelled: int


class RestrictionResult(Shape):
    type: Literal["restriction"]
    customer: CustomerRef
    status: Literal["completed"]
    restricted: bool = Field(
        description="Always true: the restriction is recorded, for a customer not seen yet "
        "too, so their later conversations are stored but never forwarded."
    )
    known: bool = Field(description="Whether anything was held for this customer before.")
    deliveries_cancelled: int


ServiceRequestResult = Annotated[
    AccessResult | ErasureResult | RestrictionResult, Field(discriminator="type")
]
"""What ``POST /api/v1/service/requests`` answers, by the request's ``type``."""


class ClientIn(BaseModel):
    """``POST /api/v1/admin/clients``: a Client's name and its collection instructions."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    instructions: Instructions


class NewClient(Shape):
    id: str
    api_key: str = Field(description="Shown once: only its hash is kept.")


class WebhookCircuit(Shape):
    """The circuit breaker of a Client's webhook (see docs/operations.md)."""

    state: Literal["closed", "open", "half-open"]
    failures: int = Field(description="Failed attempts in a row.")
    open_until: IsoDateTime | None = Field(description="While open: when deliveries resume.")


class ClientSummary(Shape):
    """A Client with its instructions (never the webhook secret) and deliveries per status."""

    id: str
    name: str
    instructions: dict[str, Any]
    deliveries: dict[str, int]
    webhook_circuit: WebhookCircuit = Field(
        default=WebhookCircuit(state="closed", failures=0, open_until=None)
    )


class ClientsOut(Shape):
    clients: list[ClientSummary]
