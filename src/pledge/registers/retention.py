"""How long the registers are kept: the policy's ``registers`` periods, then they go.

Each register counts from its own date: a legal request from its answer (its
receipt when never answered), a business transfer from its date, a breach
from when it became known. An entry whose period has ended by the run's day
is deleted with what hangs on it (the legal request's links to subject ids,
the notice records of a transfer or breach). The people's disclosure-log
entries stay: they are the log's own, kept with the person. Registers hold
tens of entries a year, so each is read whole and judged in Python, with the
policy's calendar-correct deadline; one audit entry per register, counts only.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import Breach, BusinessTransfer, LegalRequest, LegalRequestSubject
from pledge.policy.schema import Retention
from pledge.registers.notices import drop_notices


def _due(rule: Retention, start: datetime, as_of: datetime) -> bool:
    deadline = rule.deadline(start)
    return deadline is not None and deadline <= as_of


def expire_registers(pledge: Pledge, *, as_of: datetime, dry_run: bool = False) -> Counter[str]:
    """Delete (or count, when ``dry_run``) the register entries past their keeping."""
    kept = pledge.policy.registers
    plans: list[tuple[str, Any, Retention, Any]] = [
        (
            "legal_requests",
            LegalRequest,
            kept.legal_requests,
            lambda r: r.answered_at or r.received_at,
        ),
        (
            "business_transfers",
            BusinessTransfer,
            kept.business_transfers,
            lambda r: r.transferred_at,
        ),
        ("breaches", Breach, kept.breaches, lambda r: r.known_at),
    ]
    removed: Counter[str] = Counter()
    with pledge.transaction() as session:
        for name, model, rule, start in plans:
            due = [
                row.id for row in session.scalars(select(model)) if _due(rule, start(row), as_of)
            ]
            if not due:
                continue
            removed[name] = len(due)
            if dry_run:
                continue
            if model is LegalRequest:
                session.execute(
                    delete(LegalRequestSubject).where(LegalRequestSubject.legal_request_id.in_(due))
                )
            else:
                drop_notices(session, due)
            session.execute(delete(model).where(model.id.in_(due)))
            audit.append(
                session,
                action="registers.expired",
                actor="system",
                object_type="register",
                object_id=name,
                details={"removed": len(due)},
            )
    return removed
