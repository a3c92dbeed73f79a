"""The delivery engine: one outbox for everything Pledge sends, and one way of sending it.

Mail, Client webhooks and recipient notices each used to have a loop with its
own client, lease and back-off. They are now kinds of one *delivery*: a row of
the ``outbox`` table, written in the transaction that caused it.

Why the existing ``outbox`` table rather than a new one: mail already lived
there under the name the contract gives it ("mail is written to the outbox
table"), with an encrypted payload bound to its row id; migration 0011 adds
what the other kinds need (a kind, an id-only target, a lease with a token, a
nullable ``subject_id``) and moves Client webhook deliveries in under their
own ids. ``webhook_deliveries`` and ``recipient_notices`` stay as the domain's
view (what a Client or a request's timeline shows) and share their delivery's id.

A delivery's life::

    pending ──claim (lease + token)──▶ sending ──2xx / 250──▶ sent
       ▲  │                               │
       │  │                               ├─ temporary failure ─▶ pending, later (back-off + jitter)
       │  │                               ├─ permanent failure, or attempts used up ─▶ dead
       │  └─ erasure / restriction / the Client disabled ─▶ cancelled
       └──────────────── ``pledge outbox retry`` ─────────── dead

- **At least once, never twice by two live workers.** A worker claims a due
  delivery with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a
  compare-and-set everywhere), sends it with no transaction open, and records
  the outcome only if the lease token is still its own (:mod:`~pledge.delivery.lease`).
  A worker that dies mid-send leaves its lease to run out; the delivery is
  claimed again. The lease (``PLEDGE_DELIVERY_LEASE_SECONDS``) is longer than a
  webhook's total deadline, so a live worker never loses one it is sending.
- **Retries** back off exponentially with jitter (:mod:`~pledge.delivery.backoff`)
  and stop after a per-kind number of attempts (:mod:`~pledge.delivery.kinds`).
- **Nothing personal outside the payload.** The payload (address, body) is
  encrypted, bound to the row id: with the key of the person it concerns while
  that key lives, so their erasure shreds it, else with the system key and then
  dropped once delivered (:mod:`~pledge.delivery.sealing`); ``target`` is an id,
  ``recipient_index`` a mail's hashed address, ``last_error`` a reply code or an
  exception class.
- **Layering.** The engine sits below the domain packages. A *channel*
  (:mod:`~pledge.delivery.channel`) joins a kind to a *transport* (SMTP, a
  signed webhook POST with a total deadline) and to the domain's callbacks,
  which :mod:`pledge.jobs` wires: the engine never imports ``rights`` or
  ``service_data``.

Modules: ``kinds`` (kinds, states, retry policies), ``backoff``, ``outcome``,
``circuits`` (a target that keeps failing rests for a while), ``addresses``
(where a Client's webhook may connect), ``sealing`` (which key seals a payload),
``queue`` (enqueue, cancel, payload), ``lease`` (claim, record), ``channel``
(transport protocol, channel), ``channels`` (mail and webhook channels),
``smtp`` and ``webhook`` (transports), ``http`` (a request with a total
deadline, for webhooks and connectors), ``run`` (a delivery pass),
``listing`` and ``dead_letters`` (what operators see and do).
"""

from pledge.delivery.addresses import AddressRefused, WebhookGuard
from pledge.delivery.channel import AuditNames, Channel, Claimed, OnOutcome, Transport
from pledge.delivery.channels import mail_channel, webhook_channel
from pledge.delivery.circuits import CircuitView, circuit_states, close_circuit
from pledge.delivery.dead_letters import revive
from pledge.delivery.kinds import Kind, RetryPolicy, Status, retry_policy
from pledge.delivery.listing import (
    DeliveryView,
    get_delivery,
    list_deliveries,
    mail_addresses,
    status_counts,
)
from pledge.delivery.outcome import Finished, Outcome, Result
from pledge.delivery.queue import cancel, cancel_target, enqueue, read_payload
from pledge.delivery.run import DeliveryReport, deliver_due, deliver_these
from pledge.delivery.sealing import PayloadKey, Shredded, subject_data_keys, unseal
from pledge.delivery.smtp import MailContent
from pledge.delivery.webhook import Endpoint, WebhookPost

__all__ = [
    "AddressRefused",
    "AuditNames",
    "Channel",
    "CircuitView",
    "Claimed",
    "DeliveryReport",
    "DeliveryView",
    "Endpoint",
    "Finished",
    "Kind",
    "MailContent",
    "OnOutcome",
    "Outcome",
    "PayloadKey",
    "Result",
    "RetryPolicy",
    "Shredded",
    "Status",
    "Transport",
    "WebhookGuard",
    "WebhookPost",
    "cancel",
    "cancel_target",
    "circuit_states",
    "close_circuit",
    "deliver_due",
    "deliver_these",
    "enqueue",
    "get_delivery",
    "list_deliveries",
    "mail_addresses",
    "mail_channel",
    "read_payload",
    "retry_policy",
    "revive",
    "status_counts",
    "subject_data_keys",
    "unseal",
    "webhook_channel",
]
