"""Callbacks from connected processors (``POST /api/v1/systems/{system_id}/callbacks``).

No API key: a processor proves itself with the HMAC signature of the system's
shared secret over the raw body (checked before anything else is read from
it), so the body is taken raw, within the public body limit, and the work is
done off the event loop.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from pledge.consent.schemas import openapi_body
from pledge.rights.connected.callbacks import record_callback
from pledge.web.deps import PledgeDep
from pledge.web.openapi import errors

router = APIRouter(tags=["connected systems"])


class Counts(BaseModel):
    rows: int = Field(default=0, ge=0)
    changed: int = Field(default=0, ge=0)
    deleted: int = Field(default=0, ge=0)


class CallbackIn(BaseModel):
    """What a processor posts when an action it accepted (202) is finished
    (docs/connectors-http.md), signed with headers ``x-pledge-timestamp`` and
    ``x-pledge-signature``."""

    reference: str = Field(min_length=1, max_length=200)
    action: Literal["erase", "rectify", "restrict"]
    idempotency_key: str = Field(min_length=1, max_length=200, description="The task's id.")
    collections: dict[str, Counts] = {}
    residual: int = Field(default=0, ge=0)


class CallbackOut(BaseModel):
    status: str = Field(description="The task's state now: done, or failed (residual).")


@router.post(
    "/api/v1/systems/{system_id}/callbacks",
    response_model=CallbackOut,
    responses=errors(401, 404, 409),
    openapi_extra=openapi_body(CallbackIn),
)
async def system_callback(system_id: str, request: Request, pledge: PledgeDep) -> CallbackOut:
    body = await request.body()
    status = await run_in_threadpool(
        record_callback, pledge, system_id, dict(request.headers), body
    )
    return CallbackOut(status=status)
