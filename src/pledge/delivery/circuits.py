"""Circuit breakers: a target that keeps failing is left alone for a while.

Why: a Client whose endpoint is down, or answers slowly until the deadline, costs a
worker one deadline per attempt, and retries of all its deliveries keep coming back.
After ``PLEDGE_DELIVERY_CIRCUIT_FAILURES`` failed attempts in a row to one Client's
webhook (:data:`CIRCUIT_KINDS`), its circuit *opens*: none of its deliveries is claimed for
``PLEDGE_DELIVERY_CIRCUIT_COOLDOWN_SECONDS``, and none of them loses an attempt
meanwhile. Then the circuit is *half-open*: the next attempt is a probe. A delivered
one closes the circuit (and resets the count), a failed one opens it again at once.
Several workers may each send one probe. ``pledge outbox circuits`` lists circuits
and closes one by hand.

What counts as a failure: an attempt the target answered badly or not at all (a
refused connection, a timeout, a 5xx, a 4xx, a refused address). Failures on Pledge's
side (a payload that does not decrypt, no endpoint configured, a lease that ran out)
say nothing about the target and are not counted. Mail has no target id and no
circuit: an SMTP server that is down already ends the pass for mail.

The state lives in ``delivery_circuits``, updated in the transaction that records the
attempt, so every worker sees it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Delivery, DeliveryCircuit
from pledge.delivery.kinds import Kind
from pledge.delivery.outcome import Outcome, Result
from pledge.errors import NotFound
from pledge.settings import Settings

log = logging.getLogger(__name__)

CircuitState = Literal["closed", "open", "half-open"]
CIRCUIT_KINDS = frozenset({Kind.CLIENT_WEBHOOK})
"""Kinds whose targets have circuits: Clients' webhooks, which Clients configure. Recipients'
webhooks come from the operator's policy, and their notices keep their own short retry
budget (a notice nobody receives should reach staff within hours, not rest)."""
NOT_THE_TARGETS_FAULT = frozenset({"no_payload", "decrypt", "lease_expired", "no_endpoint"})


@dataclass(frozen=True)
class CircuitPolicy:
    failures: int
    """Failed attempts in a row that open the circuit."""
    cooldown: timedelta
    """How long an open circuit keeps the target's deliveries waiting."""

    @classmethod
    def from_settings(cls, settings: Settings) -> CircuitPolicy:
        return cls(
            settings.delivery_circuit_failures,
            timedelta(seconds=settings.delivery_circuit_cooldown_seconds),
        )


@dataclass(frozen=True)
class CircuitView:
    """A circuit as operators see it: ids, counts and dates only."""

    kind: str
    target: str
    state: CircuitState
    """closed, open (deliveries wait) or half-open (the next attempt probes)."""
    failures: int
    open_until: datetime | None
    opened_at: datetime | None
    last_error: str | None
    updated_at: datetime


def closed_now(now: datetime) -> ColumnElement[bool]:
    """For claims: the outbox row's target has no circuit open at ``now``."""
    return ~exists().where(
        DeliveryCircuit.kind == Delivery.kind,
        DeliveryCircuit.target == Delivery.target,
        DeliveryCircuit.open_until > now,
    )


def counts(outcome: Outcome) -> bool:
    """Whether an attempt's outcome is the target's failure."""
    return outcome.result is not Result.SENT and outcome.code not in NOT_THE_TARGETS_FAULT


def note(
    session: Session,
    kind: str,
    target: str,
    outcome: Outcome,
    policy: CircuitPolicy,
    now: datetime | None = None,
) -> str | None:
    """Record an attempt's outcome against its target's circuit; "opened", "closed" or None.

    Runs in the transaction that records the attempt. The failure count is raised by
    an upsert, so two workers recording at once both count; on PostgreSQL the row
    stays locked until the commit, so the opening decision below sees both.
    """
    now = now or utcnow()
    if kind not in CIRCUIT_KINDS:
        return None
    if outcome.result is Result.SENT:
        row = session.get(DeliveryCircuit, (kind, target))
        if row is None or (row.failures == 0 and row.open_until is None):
            return None
        was_open = row.open_until is not None
        session.execute(
            update(DeliveryCircuit)
            .where(DeliveryCircuit.kind == kind, DeliveryCircuit.target == target)
            .values(failures=0, open_until=None, opened_at=None, updated_at=now)
        )
        return _told(session, kind, target, "closed", was_open, 0)
    if not counts(outcome):
        return None
    _count_failure(session, kind, target, (outcome.code or "error")[:64], now)
    row = session.get(DeliveryCircuit, (kind, target), populate_existing=True)
    assert row is not None
    resting = row.open_until is not None and row.open_until > now
    if row.failures < policy.failures or resting:
        return None
    row.open_until, row.opened_at = now + policy.cooldown, now
    return _told(session, kind, target, "opened", True, row.failures)


def _count_failure(session: Session, kind: str, target: str, code: str, now: datetime) -> None:
    values: dict[str, Any] = {
        "kind": kind,
        "target": target,
        "failures": 1,
        "last_error": code,
        "updated_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(DeliveryCircuit).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[DeliveryCircuit.kind, DeliveryCircuit.target],
            set_={
                "failures": DeliveryCircuit.failures + 1,
                "last_error": statement.excluded.last_error,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )


def _told(
    session: Session, kind: str, target: str, change: str, tell: bool, failures: int
) -> str | None:
    if not tell:
        return None
    if change == "opened":
        log.warning("%s %s: circuit opened after %d failures in a row", kind, target, failures)
    else:
        log.info("%s %s: circuit closed, the target answered again", kind, target)
    audit.append(
        session,
        action=f"delivery.circuit_{change}",
        actor="system",
        object_type="delivery_target",
        object_id=target,
        details={"kind": kind, "failures": failures},
    )
    return change


def circuit_states(
    pledge: Pledge, *, kind: str | None = None, target: str | None = None
) -> list[CircuitView]:
    """Every circuit that has seen a failure, open ones first."""
    query = select(DeliveryCircuit)
    if kind:
        query = query.where(DeliveryCircuit.kind == kind)
    if target:
        query = query.where(DeliveryCircuit.target == target)
    now = utcnow()
    with pledge.sessions() as session:
        rows = session.scalars(query).all()
    views = [_view(row, now) for row in rows]
    order: dict[str, int] = {"open": 0, "half-open": 1, "closed": 2}
    return sorted(views, key=lambda v: (order[v.state], v.kind, v.target))


def _view(row: DeliveryCircuit, now: datetime) -> CircuitView:
    state: CircuitState
    if row.open_until is None:
        state = "closed"
    elif row.open_until > now:
        state = "open"
    else:
        state = "half-open"
    return CircuitView(
        kind=row.kind,
        target=row.target,
        state=state,
        failures=row.failures,
        open_until=row.open_until,
        opened_at=row.opened_at,
        last_error=row.last_error,
        updated_at=row.updated_at,
    )


def close_circuit(pledge: Pledge, kind: str, target: str, *, actor: str) -> None:
    """Close a circuit by hand (the target is fixed); NotFound if it has none."""
    with pledge.transaction() as session:
        row = session.get(DeliveryCircuit, (kind, target))
        if row is None:
            raise NotFound("no circuit for this target")
        failures = row.failures
        session.execute(
            update(DeliveryCircuit)
            .where(and_(DeliveryCircuit.kind == kind, DeliveryCircuit.target == target))
            .values(failures=0, open_until=None, opened_at=None, updated_at=utcnow())
        )
        audit.append(
            session,
            action="delivery.circuit_closed",
            actor=actor,
            object_type="delivery_target",
            object_id=target,
            details={"kind": kind, "failures": failures, "by_hand": True},
        )
