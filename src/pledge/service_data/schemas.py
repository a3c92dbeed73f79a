"""Shapes of the Service Data API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
