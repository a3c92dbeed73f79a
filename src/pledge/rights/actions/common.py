"""The context an action runs in, what it returns, and look-ups several actions share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import MarketingSuppression, RecipientNotice, Record, RightsRequest
from pledge.policy import Policy
from pledge.policy.durations import add_months


@dataclass
class Context:
    """One fulfilment: the open transaction, the claimed request and the frozen clock."""

    session: Session
    pledge: Pledge
    row: RightsRequest
    now: datetime
    actor: str = "system"

    @property
    def policy(self) -> Policy:
        return self.pledge.policy


@dataclass
class Done:
    """An action's outcome: how the request closes and what it did (no personal data)."""

    status: str = "completed"
    outcome: str = "whole"
    reason: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    wipe_personal_data: bool = False
    """Erase the request's own encrypted e-mail and details after the last mail."""


def window_start(ctx: Context) -> datetime | None:
    """California answers cover the 12 months before the request; elsewhere everything."""
    if ctx.row.jurisdiction == "california":
        return add_months(ctx.row.received_at, -12)
    return None


def held_records(ctx: Context, *, since: datetime | None = None) -> list[Record]:
    """The subject's records (tags only; values stay encrypted), oldest first."""
    if ctx.row.subject_id is None:
        return []
    query = select(Record).where(Record.subject_id == ctx.row.subject_id)
    if since is not None:
        query = query.where(Record.collected_at >= since)
    return list(ctx.session.scalars(query.order_by(Record.collected_at)))


def suppress(ctx: Context, reason: str) -> bool:
    """Add a hashed marketing suppression for the request's e-mail, once per reason."""
    index = ctx.row.email_index
    if index is None:
        return False
    exists = ctx.session.scalar(
        select(MarketingSuppression.id).where(
            MarketingSuppression.email_index == index, MarketingSuppression.reason == reason
        )
    )
    if exists is None:
        ctx.session.add(
            MarketingSuppression(
                email_index=index, reason=reason, request_id=ctx.row.id, created_at=ctx.now
            )
        )
    return True


def queue_notices(ctx: Context, categories: set[str], action: str) -> list[str]:
    """A notice for each processor of the affected categories; returns their ids."""
    recipients = sorted(
        recipient.id
        for recipient in ctx.policy.recipients
        if recipient.kind == "processor" and categories & set(recipient.categories)
    )
    for recipient_id in recipients:
        ctx.session.add(
            RecipientNotice(
                request_id=ctx.row.id,
                recipient_id=recipient_id,
                action=action,
                status="queued",
                attempts=0,
                created_at=ctx.now,
            )
        )
    return recipients
