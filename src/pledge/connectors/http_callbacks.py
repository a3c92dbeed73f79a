"""A processor's callback: the result of an action it accepted (202) and finished later.

Why a pure function: the route that receives callbacks belongs to request
fulfilment; what it must not get wrong is here. The processor signs the
callback with the system's shared secret by the scheme Pledge signs its own
requests with (HMAC-SHA256 over ``"{timestamp}.{body}"``, headers
``x-pledge-timestamp`` and ``x-pledge-signature``); the signature is compared in
constant time and a stale timestamp refused, so a replayed or forged callback
can neither complete an erasure nor reopen one.

The body (``docs/connectors-http.md``)::

    {"reference": "...", "action": "erase", "idempotency_key": "...",
     "collections": {name: {"rows", "changed", "deleted"}}, "residual": 0}
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from pledge.connectors.base import SystemReport
from pledge.connectors.http_wire import ActionAnswer, BadAnswer, action_report, parse
from pledge.connectors.spec import SystemSpec
from pledge.crypto.webhook_signing import sign


class CallbackRefused(Exception):
    """The callback is not signed with the secret, is stale, or is not the expected shape."""


class CallbackMalformed(CallbackRefused):
    """Signed and fresh, but not the expected shape (the processor's bug, not a forgery)."""


class _CallbackBody(ActionAnswer):
    reference: str = Field(min_length=1, max_length=200)
    action: Literal["erase", "rectify", "restrict"]
    idempotency_key: str | None = Field(default=None, max_length=200)


@dataclass(frozen=True)
class CallbackResult:
    """A verified callback: which accepted action it finishes, and its counts."""

    reference: str
    action: str
    answer: ActionAnswer
    """The counts per collection and the residual, as the processor sent them."""
    idempotency_key: str | None = None

    @property
    def residual(self) -> int:
        return self.answer.residual

    def report(self, system_id: str, spec: SystemSpec) -> SystemReport:
        """The :class:`SystemReport` the action would have given synchronously (declared
        collections only, ``kept`` from the file); ``pending`` is None: it is finished."""
        return action_report(system_id, spec, self.action, self.answer)


def read_callback(
    spec_secret: str, headers: Mapping[str, str], body: bytes, *, max_age: int = 300
) -> CallbackResult:
    """Verify and read one callback; raises :class:`CallbackRefused` with a one-line reason."""
    _check_signature(spec_secret, headers, body, max_age)
    try:
        parsed = parse(_CallbackBody, body)
    except BadAnswer:
        raise CallbackMalformed("the callback is not the expected JSON shape") from None
    answer = ActionAnswer(collections=parsed.collections, residual=parsed.residual)
    return CallbackResult(parsed.reference, parsed.action, answer, parsed.idempotency_key)


def _check_signature(secret: str, headers: Mapping[str, str], body: bytes, max_age: int) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered.get("x-pledge-timestamp", ""))
    except ValueError:
        raise CallbackRefused("the callback has no valid x-pledge-timestamp") from None
    expected = sign(secret, timestamp, body).encode()
    received = lowered.get("x-pledge-signature", "").encode("utf-8", "replace")
    if not hmac.compare_digest(expected, received):
        raise CallbackRefused("the callback's signature does not match the system's secret")
    if abs(time.time() - timestamp) > max_age:
        raise CallbackRefused("the callback's timestamp is too old (or in the future)")


__all__ = ["CallbackMalformed", "CallbackRefused", "CallbackResult", "read_callback"]
