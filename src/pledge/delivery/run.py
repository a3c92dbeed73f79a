"""One delivery pass: every kind in turn, one delivery each, until each is done.

Why in turn: a pass that emptied one kind before starting the next would let
a Client whose endpoint hangs until the deadline hold up every mail behind
its deliveries. Taking one delivery of each kind per round bounds what any
kind waits for to one attempt of each other kind, and a kind is never given
more than ``PLEDGE_DELIVERY_BATCH`` deliveries per pass. A target found
unreachable (the SMTP server, a Client's host) is passed over for the rest of
the pass rather than timed out once per delivery.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pledge.core import Pledge
from pledge.crypto.aead import DecryptionFailed
from pledge.delivery.channel import Channel, Claimed
from pledge.delivery.kinds import RetryPolicy, Status, retry_policy
from pledge.delivery.lease import claim, record
from pledge.delivery.outcome import Finished, Outcome, error_name
from pledge.delivery.queue import payload_aad
from pledge.delivery.sealing import PayloadKey, Shredded, open_payload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    """What a pass did, in counts only, so it is safe to log."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    """Outcomes not recorded: the lease was no longer this worker's, or saving failed."""
    held: int = 0
    """Mail kept because no SMTP server is configured (counted by the jobs layer)."""


@dataclass
class _Lane:
    """One kind's progress through a pass."""

    channel: Channel[Any]
    retry: RetryPolicy
    taken: int = 0
    skipped: set[str] = field(default_factory=set)
    done: bool = False
    counts: Counter[str] = field(default_factory=Counter)


def deliver_due(pledge: Pledge, channels: Sequence[Channel[Any]]) -> dict[str, DeliveryReport]:
    """Attempt what is due of each channel's kind; a report per kind."""
    settings = pledge.settings
    lease = timedelta(seconds=settings.delivery_lease_seconds)
    lanes = [_Lane(channel, retry_policy(settings, channel.kind)) for channel in channels]
    while not all(lane.done for lane in lanes):
        for lane in lanes:
            if not lane.done:
                _step(pledge, lane, lease, settings.delivery_batch)
    return {lane.channel.kind: _report(lane.counts) for lane in lanes}


def deliver_these(pledge: Pledge, channel: Channel[Any], ids: Sequence[str]) -> DeliveryReport:
    """Attempt those deliveries of the channel's kind now, each once, if they are due.

    For work a request waits on (its connected systems): the process that
    queued it runs it at once instead of waiting for a worker's next pass. The
    claim is the engine's, so a worker that took one meanwhile keeps it alone.
    """
    lease = timedelta(seconds=pledge.settings.delivery_lease_seconds)
    lane = _Lane(channel, retry_policy(pledge.settings, channel.kind))
    for _ in ids:
        _step(pledge, lane, lease, len(ids), only=ids)
        if lane.done:
            break
    return _report(lane.counts)


def _step(
    pledge: Pledge,
    lane: _Lane,
    lease: timedelta,
    batch: int,
    only: Sequence[str] | None = None,
) -> None:
    """Claim, attempt and record one delivery of the lane's kind, or finish the lane."""
    if lane.taken >= batch:
        lane.done = True
        return
    claimed = claim(
        pledge,
        lane.channel.kind,
        lease=lease,
        max_attempts=lane.retry.max_attempts,
        skip_targets=lane.skipped,
        only=only,
    )
    if claimed is None:
        lane.done = True
        return
    delivery, payload = claimed
    lane.taken += 1
    outcome = attempt(pledge, lane.channel, delivery, payload)
    try:
        finished = record(pledge, lane.channel, delivery, outcome, lane.retry)
    except Exception as exc:  # the database or a callback: the lease runs out, it is retried
        log.error("delivery %s: the outcome could not be saved: %s", delivery.id, error_name(exc))
        lane.counts["lost"] += 1
        return
    lane.counts[_tally(finished)] += 1
    _log(delivery, outcome, finished)
    if outcome.unreachable:
        if delivery.target is None:
            lane.done = True
        else:
            lane.skipped.add(delivery.target)


def attempt(
    pledge: Pledge, channel: Channel[Any], claimed: Claimed, payload: bytes | None
) -> Outcome:
    """Decrypt, prepare and send one delivery, turning every failure into a safe outcome."""
    if claimed.exhausted:
        return Outcome.dead("a worker stopped during the last attempt", code="lease_expired")
    if payload is None:
        return Outcome.dead("the delivery holds no content", code="no_payload")
    try:
        content = channel.prepare(claimed, _open(pledge, claimed, payload))
    except Shredded:
        return Outcome.dead("the person it was for has been erased", code="erased")
    except DecryptionFailed:
        log.error("delivery %s cannot be decrypted with this master key", claimed.id)
        return Outcome.retry("payload does not decrypt with this master key", code="decrypt")
    except Exception as exc:
        return Outcome.retry(f"cannot prepare: {error_name(exc)}", code=error_name(exc))
    if isinstance(content, Outcome):
        return content
    try:
        return channel.transport.send(content)
    except Exception as exc:  # transports report failures; this is a bug, logged by class
        log.error("delivery %s: the transport raised %s", claimed.id, error_name(exc))
        return Outcome.retry(f"unexpected error: {error_name(exc)}", code=error_name(exc))


def _open(pledge: Pledge, claimed: Claimed, payload: bytes) -> Any:
    """The payload, opened with the person's key (looked up now) or the system key."""
    aad = payload_aad(claimed.kind, claimed.id)
    if claimed.sealed_for is None:
        return pledge.keys.decrypt_system(payload, aad)
    with pledge.sessions() as session:
        return open_payload(
            session,
            pledge.keys,
            payload=payload,
            aad=aad,
            payload_key=PayloadKey.SUBJECT,
            subject_id=claimed.sealed_for,
        )


def _tally(finished: Finished | None) -> str:
    if finished is None:
        return "lost"
    return {Status.SENT: "sent", Status.DEAD: "dead"}.get(Status(finished.status), "retried")


def _report(counts: Counter[str]) -> DeliveryReport:
    return DeliveryReport(
        sent=counts["sent"], retried=counts["retried"], dead=counts["dead"], lost=counts["lost"]
    )


def _log(claimed: Claimed, outcome: Outcome, finished: Finished | None) -> None:
    what = f"{claimed.kind} {claimed.id} ({claimed.template})"
    if finished is None:
        return
    if finished.status == Status.SENT:
        log.info("%s sent", what)
    elif finished.status == Status.DEAD:
        log.warning("%s dead after %d attempts: %s", what, finished.attempts, outcome.error)
    else:
        log.warning(
            "%s delayed, attempt %d, next at %s: %s",
            what,
            finished.attempts,
            finished.next_attempt_at.isoformat(),
            outcome.error,
        )
