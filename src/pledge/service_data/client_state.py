"""Disabling a Client: its key is refused and its undelivered webhooks are withdrawn.

Why the webhooks too: a disabled Client is one Pledge no longer works for (a contract
ended, a compromised endpoint), so what was still queued for it (collected fields of its
customers) must not leave later, when its webhook answers again or a dead letter is
revived. Both changes are one transaction: a Client is never disabled with deliveries
still going out, nor its deliveries withdrawn while it stays enabled. A worker that had
already taken one of them loses its lease (its outcome is not recorded), and the webhook
channel asks whether the Client is disabled just before it posts
(:func:`pledge.service_data.forwarding.client_endpoint`), so a delivery taken before the
disabling is not sent after it.
"""

from __future__ import annotations

from pledge.access import mark_client_disabled
from pledge.access.api_keys import key_cache
from pledge.core import Pledge
from pledge.service_data.forwarding import CLIENT_DISABLED, cancel_client_deliveries

__all__ = ["disable_client"]


def disable_client(pledge: Pledge, client_id: str, *, actor: str) -> int:
    """Refuse the Client's key from now on and cancel its undelivered webhooks; returns how
    many were cancelled (also in the ``client.disabled`` audit entry). Its data and
    instructions stay; enabling it again does not bring the cancelled deliveries back."""
    with pledge.transaction() as session:
        cancelled = cancel_client_deliveries(session, client_id, reason=CLIENT_DISABLED)
        mark_client_disabled(
            session,
            client_id,
            disabled=True,
            actor=actor,
            details={"webhooks_cancelled": cancelled},
        )
    key_cache(pledge).forget(client_id)
    return cancelled
