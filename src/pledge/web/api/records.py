"""Collection over HTTP: one record, or a batch for bulk imports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from fastapi.concurrency import run_in_threadpool

from pledge.errors import PayloadTooLarge
from pledge.records import RecordIn, collect
from pledge.records.schemas import RecordBatchIn
from pledge.validation import parse_model
from pledge.web.deps import PledgeDep, SystemDep

router = APIRouter()


@router.post("/api/v1/records", status_code=201)
async def create_records(
    pledge: PledgeDep,
    principal: SystemDep,
    body: dict[str, Any] = Body(...),  # noqa: B008
) -> dict[str, Any]:
    """A body with ``records`` is a batch (all stored or none); otherwise one record."""
    if "records" in body:
        batch = parse_model(RecordBatchIn, body)
        if len(batch.records) > pledge.settings.max_batch_records:
            raise PayloadTooLarge(f"at most {pledge.settings.max_batch_records} records per batch")
        out = await run_in_threadpool(
            collect, pledge, batch.records, actor=principal.actor, batch=True
        )
        return {"records": [o.model_dump(mode="json") for o in out]}
    record = parse_model(RecordIn, body)
    (one,) = await run_in_threadpool(collect, pledge, [record], actor=principal.actor)
    return one.model_dump(mode="json")
