"""Collection over HTTP: one record, or a batch for bulk imports."""

from __future__ import annotations

from fastapi import APIRouter

from pledge.errors import PayloadTooLarge
from pledge.records import RecordOut, collect
from pledge.records.schemas import RecordBatchIn, RecordBatchOut, RecordsIn
from pledge.web.deps import PledgeDep, SystemDep
from pledge.web.openapi import errors

router = APIRouter(tags=["records"])


@router.post(
    "/api/v1/records",
    status_code=201,
    response_model=RecordOut | RecordBatchOut,
    responses=errors(409),
)
def create_records(
    pledge: PledgeDep, principal: SystemDep, body: RecordsIn
) -> RecordOut | RecordBatchOut:
    """A body with ``records`` is a batch (all stored or none); otherwise one record."""
    if isinstance(body.root, RecordBatchIn):
        records = body.root.records
        if len(records) > pledge.settings.max_batch_records:
            raise PayloadTooLarge(f"at most {pledge.settings.max_batch_records} records per batch")
        return RecordBatchOut(records=collect(pledge, records, actor=principal.actor, batch=True))
    (one,) = collect(pledge, [body.root], actor=principal.actor)
    return one
