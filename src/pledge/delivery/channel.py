"""A transport, and a channel: one kind of delivery wired to the transport that sends it.

Why the split: a transport knows only how to carry content (an SMTP
conversation, a signed POST) and says how it went; a channel knows what its
kind's payload means and who must hear of the outcome. The engine sits below
the domain packages, so the jobs layer builds the channels and hands in the
domain's part as plain functions: where a target id points (a Client's
webhook), and what to update when an outcome is recorded (the notice, the
request's timeline).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from pledge.delivery.outcome import Finished, Outcome

C = TypeVar("C")
C_contra = TypeVar("C_contra", contravariant=True)


class Transport(Protocol[C_contra]):
    """Carries one delivery's content; never raises, never blocks past its own deadline."""

    def send(self, content: C_contra) -> Outcome: ...


@dataclass(frozen=True)
class Claimed:
    """What a worker holds while it sends: the lease token proves the claim is its own."""

    id: str
    kind: str
    target: str | None
    template: str
    attempts: int
    """This attempt's number (claims count, so a crash mid-send uses one up)."""
    lease_token: str
    exhausted: bool = False
    """Its attempts were used up before this claim: bury it, do not send it."""
    sealed_for: str | None = None
    """The subject whose key sealed the payload; None when the system key did."""


@dataclass(frozen=True)
class AuditNames:
    """The audit actions a kind writes when a delivery is sent or given up."""

    object_type: str
    sent: str
    dead: str
    target_detail: str | None = None
    """The details key the target id goes under ("client_id"), if any."""


OnOutcome = Callable[[Session, Finished], None]
"""Runs in the transaction that records the outcome: domain state moves with it."""


@dataclass(frozen=True)
class Channel(Generic[C]):
    """One kind of delivery: how to prepare it, what carries it, who hears of it."""

    kind: str
    transport: Transport[C]
    prepare: Callable[[Claimed, Any], C | Outcome]
    """Turns the decrypted payload into the transport's content, or into an outcome
    when it cannot be sent at all (no endpoint configured)."""
    on_outcome: OnOutcome | None = None
    audit: AuditNames | None = None
    keep_sent_payload: bool = False
    """Mail sealed with the person's key keeps its content after sending (``pledge outbox
    list`` shows the address; their erasure shreds it); a payload sealed with the system
    key, and every webhook's, is dropped once sent, so no readable copy outlives it."""
