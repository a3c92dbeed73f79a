"""What staff see of a request's tasks in the connected systems (no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import ConnectorTask, Delivery


@dataclass(frozen=True)
class TaskView:
    """One system's task: its state, attempts, next try, last error class and report."""

    id: str
    system_id: str
    action: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    report: dict[str, Any] | None


def tasks_of(pledge: Pledge, request_id: str) -> list[TaskView]:
    with pledge.sessions() as session:
        rows = session.execute(
            select(ConnectorTask, Delivery.attempts, Delivery.next_attempt_at, Delivery.status)
            .outerjoin(Delivery, Delivery.id == ConnectorTask.id)
            .where(ConnectorTask.request_id == request_id)
            .order_by(ConnectorTask.system_id)
        ).all()
    return [
        TaskView(
            id=task.id,
            system_id=task.system_id,
            action=task.action,
            status=task.status,
            attempts=attempts or 0,
            next_attempt_at=next_at if delivery_status == "pending" else None,
            last_error=task.last_error,
            report=task.report,
        )
        for task, attempts, next_at, delivery_status in rows
    ]


__all__ = ["TaskView", "tasks_of"]
