"""Completing a request once every connected system's task is done.

Why here, in the transaction that records the last task's outcome: the
request must be completed exactly once, and only when every system has
answered; a conditional UPDATE from ``awaiting_systems`` claims it, as
fulfilment claims a verified request. The local action (the store's own
records) runs last, so an erasure shreds the person's key only after every
system let go of their data, and the answer lists what each system did, and
each field kept with its reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import ConnectorTask, RightsRequest
from pledge.i18n import N_
from pledge.policy import RightType
from pledge.rights.actions import ACTIONS, Context, Done
from pledge.rights.closing import close_with
from pledge.rights.connected_rows import drop_rows
from pledge.rights.states import AWAITING_SYSTEMS, FULFILLING

KEPT_ELSEWHERE = N_("Some data is kept because we must keep it; see the exceptions.")


def resume_if_done(session: Session, pledge: Pledge, request_id: str, *, now: datetime) -> bool:
    """Complete the request if all its tasks are done and nobody did yet; True if it did."""
    statuses = list(
        session.scalars(select(ConnectorTask.status).where(ConnectorTask.request_id == request_id))
    )
    if not statuses or any(status != "done" for status in statuses):
        return False
    claimed = session.execute(
        update(RightsRequest)
        .where(RightsRequest.id == request_id, RightsRequest.status == AWAITING_SYSTEMS)
        .values(status=FULFILLING)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    row = session.get(RightsRequest, request_id, populate_existing=True)
    assert row is not None
    ctx = Context(session=session, pledge=pledge, row=row, now=now)
    complete(ctx, system_reports(session, request_id))
    return True


def complete(ctx: Context, reports: list[dict[str, Any]]) -> None:
    """Run the local action and close the request with every system's report."""
    row = ctx.row
    row.result = {**(row.result or {}), "systems": reports}
    done = with_systems(ACTIONS[RightType(row.type)](ctx), reports)
    close_with(ctx, done)
    drop_rows(ctx.session, row.id)  # the package, sealed, now holds them


def system_reports(session: Session, request_id: str) -> list[dict[str, Any]]:
    tasks = session.scalars(
        select(ConnectorTask)
        .where(ConnectorTask.request_id == request_id)
        .order_by(ConnectorTask.system_id)
    )
    return [task.report or {"system": task.system_id, "action": task.action} for task in tasks]


def with_systems(done: Done, reports: list[dict[str, Any]]) -> Done:
    """The local outcome, widened by what the systems held, changed and kept."""
    result = {**done.result, "systems": reports}
    kept = [
        {"system": report["system"], "collection": name, "field": field, "reason": reason}
        for report in reports
        for name, counts in report.get("collections", {}).items()
        for field, reason in counts.get("kept", {}).items()
        if counts.get("rows")
    ]
    held = any(c.get("rows") for r in reports for c in r.get("collections", {}).values())
    outcome, reason = done.outcome, done.reason
    if held:
        result.pop("note", None)  # "we hold nothing" spoke of the store alone
        if outcome == "none" and done.status == "completed":
            outcome, reason = "whole", None
    if kept:
        result["exceptions"] = [*result.get("exceptions", []), *kept]
        outcome, reason = "part", reason or KEPT_ELSEWHERE
    return Done(
        status=done.status,
        outcome=outcome,
        reason=reason,
        result=result,
        wipe_personal_data=done.wipe_personal_data,
    )


__all__ = ["complete", "resume_if_done", "system_reports", "with_systems"]
