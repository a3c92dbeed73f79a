"""The context an action runs in, what it returns, and look-ups several actions share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.models import (
    Disclosure,
    MarketingSuppression,
    Record,
    RightsRequest,
)
from pledge.mail import withdraw_marketing_mail
from pledge.policy import Policy
from pledge.policy.durations import add_months
from pledge.rights.notices import queue_notice


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
    """Add a hashed marketing suppression for the request's e-mail, once per reason.

    Marketing mail queued for the person and not yet sent is withdrawn with it.
    """
    if ctx.row.subject_id is not None:
        withdraw_marketing_mail(ctx.session, ctx.row.subject_id)
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
    """A notice for each processor of the affected categories and each logged recipient.

    Art. 19 GDPR asks that everyone the data was disclosed to be told of an
    erasure, correction or restriction: the processors the policy names for
    the categories, plus every recipient the disclosure log shows received
    the subject's data (a controller or authority included). Returns their ids.
    """
    subject_id = ctx.row.subject_id
    logged: set[str] = set()
    if subject_id is not None:
        logged = set(
            ctx.session.scalars(
                select(Disclosure.recipient_id)
                .where(
                    Disclosure.subject_id == subject_id,
                    # An authority that forbade telling the person is not named in their answer.
                    or_(Disclosure.withheld_until.is_(None), Disclosure.withheld_until <= ctx.now),
                )
                .distinct()
            )
        )
    recipients = sorted(
        {
            recipient.id
            for recipient in ctx.policy.recipients
            if recipient.kind == "processor" and categories & set(recipient.categories)
        }
        | logged
    )
    add_notices(ctx.session, ctx.pledge, ctx.row.id, recipients, action, categories, ctx.now)
    return recipients


def add_notices(
    session: Session,
    pledge: Pledge,
    request_id: str,
    recipients: list[str],
    action: str,
    categories: set[str],
    now: datetime,
) -> None:
    """Queue one notice per recipient, for its webhook or for staff to send."""
    for recipient_id in recipients:
        queue_notice(
            session,
            pledge,
            request_id=request_id,
            recipient_id=recipient_id,
            action=action,
            categories=categories,
            now=now,
        )
