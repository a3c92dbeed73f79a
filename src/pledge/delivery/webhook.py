"""The signed webhook transport: one POST per delivery, signed, within a total deadline.

Every webhook Pledge sends (a Client's collected fields, a recipient's
notice) is signed with the receiver's secret (:mod:`pledge.crypto.webhook_signing`)
and carries the delivery id, the same on every retry, for the receiver to
deduplicate on. Only a 2xx answer to the POST itself is a delivery. A 4xx
means the receiver refuses this body for good (dead at once), except 408 and
429, which ask to come back later; 3xx, 5xx, timeouts and refused connections
are retried.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from pledge.crypto.webhook_signing import signed_headers
from pledge.delivery.addresses import AddressRefused, WebhookGuard
from pledge.delivery.http import MAX_RESPONSE_BYTES, request_within
from pledge.delivery.outcome import Outcome, error_name

RETRYABLE_4XX = frozenset({408, 429})


@dataclass(frozen=True)
class Endpoint:
    """Where a target's webhooks go and the secret that signs them."""

    url: str
    secret: str


@dataclass(frozen=True)
class WebhookPost:
    """One signed POST: the exact body bytes are what the signature covers."""

    endpoint: Endpoint
    body: bytes
    delivery_id: str


def status_outcome(status: int) -> Outcome:
    """What an HTTP status means for a delivery (also for connectors' requests)."""
    code = str(status)
    if 200 <= status < 300:
        return Outcome.sent(code)
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return Outcome.dead(f"receiver refused: HTTP {status}", code=code)
    return Outcome.retry(f"not acknowledged: HTTP {status}", code=code)


class WebhookTransport:
    """Posts signed bodies; each POST is over within ``deadline_seconds``.

    With a ``guard`` (Client webhooks), the URL must pass it and the connection goes
    to the address it pinned: public only, https unless allow-listed.
    """

    def __init__(
        self,
        deadline_seconds: float,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        guard: WebhookGuard | None = None,
    ):
        self.deadline_seconds = deadline_seconds
        self.max_response_bytes = max_response_bytes
        self.guard = guard

    def send(self, content: WebhookPost) -> Outcome:
        guard = self.guard
        if guard is not None and (problem := guard.url_problem(content.endpoint.url)):
            return Outcome.dead(f"webhook URL refused: {problem}", code="url_refused")
        headers = signed_headers(content.endpoint.secret, content.body, content.delivery_id)
        try:
            answer = request_within(
                "POST",
                content.endpoint.url,
                seconds=self.deadline_seconds,
                body=content.body,
                headers=headers,
                max_bytes=self.max_response_bytes,
                pin=guard.pin if guard is not None else None,
            )
        except AddressRefused as exc:
            return Outcome.retry(
                f"webhook address refused: {exc}", code="address_refused", unreachable=True
            )
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return Outcome.dead(f"webhook URL unusable: {error_name(exc)}", code=error_name(exc))
        except httpx.HTTPError as exc:
            unreachable = isinstance(exc, httpx.ConnectError | httpx.TimeoutException)
            return Outcome.retry(
                f"not delivered: {error_name(exc)}", code=error_name(exc), unreachable=unreachable
            )
        except Exception as exc:  # a bug or an odd answer: its class only, never its message
            return Outcome.retry(f"unexpected error: {error_name(exc)}", code=error_name(exc))
        return status_outcome(answer.status)
