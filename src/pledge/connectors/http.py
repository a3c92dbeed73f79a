"""Connectors to HTTP systems: a processor's API (a CRM, a marketing tool) reached by signed POSTs.

Why one signed POST per action: the processor can check that the request comes
from Pledge and is fresh (HMAC-SHA256 over ``"{timestamp}.{body}"``, the scheme
of :mod:`pledge.crypto.webhook_signing`), and the idempotency key in the body and
in ``x-pledge-delivery`` lets it answer a retry with the result it already gave
instead of acting twice. The protocol is described in ``docs/connectors-http.md``.

What Pledge does itself, rather than trusting the processor: it tells the
processor only the identity kinds and corrected fields the declaration names,
keeps only declared collections and attributes of what comes back, and after a
synchronous erasure re-reads the person's rows (an ``export``) and counts what is
left, so an erasure is never complete on the processor's word alone.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
from pydantic import JsonValue

from pledge.connectors.base import (
    Connector,
    Identities,
    Row,
    SystemMisdeclared,
    SystemReport,
    SystemUnavailable,
)
from pledge.connectors.http_wire import (
    Accepted,
    Action,
    ActionAnswer,
    BadAnswer,
    DescribeAnswer,
    ExportAnswer,
    HandOverAnswer,
    HandOverValue,
    IdentitiesAnswer,
    M,
    action_report,
    declared_rows,
    found_identities,
    hand_over_body,
    held_values,
    left_over,
    parse,
    request_body,
    wire_corrections,
    wire_identities,
)
from pledge.connectors.spec import SystemKind, SystemSpec
from pledge.crypto.webhook_signing import signed_headers
from pledge.delivery.http import HttpAnswer, request_within
from pledge.settings import Settings

MIN_SECRET_LENGTH = 32
"""As for Client webhooks: a shorter signing secret only for a processor on this machine."""

MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The largest answer read (an export of one person's rows); a larger one is refused."""

MAX_IDENTITY_ROUNDS = 5
"""How many times ``identities`` asks again with what it found."""

RETRY_LATER = frozenset({408, 425, 429})

CALLBACK_PATH = "/api/v1/systems/{system_id}/callbacks"


class HttpConnector:
    """One processor's API, declared in the connected-systems file with ``kind: http``."""

    def __init__(
        self,
        system_id: str,
        spec: SystemSpec,
        base_url: str,
        secret: str,
        *,
        callback_url: str | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.system_id = system_id
        self.spec = spec
        self._url = base_url
        self._secret = secret
        self._callback_url = callback_url
        self._max_bytes = max_answer_bytes

    def identities(self, start: Identities) -> dict[str, frozenset[str]]:
        """Asked again with what was found until nothing new comes (a few rounds at most):
        an e-mail may lead to a phone, and the phone to the person's other record."""
        found = {kind: frozenset(values) for kind, values in start.items()}
        for _ in range(MAX_IDENTITY_ROUNDS):
            told = wire_identities(self.spec, found)
            if not told:
                break
            grown = found_identities(
                self.spec, found, self._read("identities", told, IdentitiesAnswer)
            )
            if grown == found:
                break
            found = grown
        return found

    def holds(self, start: Identities, policy_field: str, matches: Callable[[str], bool]) -> bool:
        """Pledge compares: the processor exports, ``matches`` sees each held value here."""
        for collection_name, fields in self._exported(start):
            collection = self.spec.collections[collection_name]
            if any(matches(v) for v in held_values(collection, fields, policy_field)):
                return True
        return False

    def export(self, start: Identities) -> Iterator[Row]:
        told = wire_identities(self.spec, start)
        if not told:
            return iter(())
        return declared_rows(self.spec, self._read("export", told, ExportAnswer))

    def erase(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        report = self._write("erase", start, idempotency_key)
        if report.pending is None:
            report.residual = max(report.residual, self.residual(start))
        return report

    def rectify(
        self, start: Identities, corrections: Mapping[str, str], *, idempotency_key: str
    ) -> SystemReport:
        return self._write(
            "rectify", start, idempotency_key, wire_corrections(self.spec, corrections)
        )

    def restrict(self, start: Identities, *, idempotency_key: str) -> SystemReport:
        return self._write("restrict", start, idempotency_key)

    def describe(self) -> DescribeAnswer:
        """The processor's collections and their attributes (for ``systems check``)."""
        return self._read("describe", {}, DescribeAnswer)

    def hand_over(self, kind: str, reference: str, fields: Mapping[str, HandOverValue]) -> bool:
        """Send one application (its declared attributes) as a ``kind`` hand-over.

        True when the processor took it now, False when it already held that
        kind's application of this ``reference`` (a repeat writes nothing). The
        key is fresh each call, as for reads: the reference makes it idempotent."""
        key = f"hand_over-{uuid.uuid4()}"
        answer = self._post(hand_over_body(kind, reference, fields, key), key)
        if answer.status != 200:
            raise SystemUnavailable(self.system_id, "bad_answer")
        try:
            return parse(HandOverAnswer, answer.body).written
        except BadAnswer:
            raise SystemUnavailable(self.system_id, "bad_answer") from None

    def residual(self, start: Identities) -> int:
        """Declared, non-kept attributes of the person still holding a value, re-read now.

        Called after a synchronous erasure, and by whoever receives an erasure's callback."""
        return sum(
            left_over(self.spec.collections[name], fields) for name, fields in self._exported(start)
        )

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    def _exported(self, start: Identities) -> Iterator[tuple[str, Mapping[str, JsonValue]]]:
        """Declared collections' rows as the processor sent them (identity attributes too)."""
        told = wire_identities(self.spec, start)
        if not told:
            return
        for row in self._read("export", told, ExportAnswer).rows:
            if row.collection in self.spec.collections:
                yield row.collection, row.fields

    def _write(
        self,
        action: Action,
        start: Identities,
        idempotency_key: str,
        corrections: Mapping[str, str] | None = None,
    ) -> SystemReport:
        told = wire_identities(self.spec, start)
        if not told or (action == "rectify" and not corrections):
            return SystemReport(system_id=self.system_id, action=action)
        body = request_body(
            action,
            told,
            idempotency_key,
            corrections=corrections,
            callback_url=self._callback_url,
        )
        answer = self._post(body, idempotency_key)
        try:
            if answer.status == 202:
                reference = parse(Accepted, answer.body).reference
                return SystemReport(system_id=self.system_id, action=action, pending=reference)
            counts = parse(ActionAnswer, answer.body)
        except BadAnswer:
            raise SystemUnavailable(self.system_id, "bad_answer") from None
        return action_report(self.system_id, self.spec, action, counts, corrections)

    def _read(self, action: Action, told: Mapping[str, list[str]], model: type[M]) -> M:
        key = f"{action}-{uuid.uuid4()}"
        answer = self._post(request_body(action, told, key), key)
        if answer.status != 200:
            raise SystemUnavailable(self.system_id, "bad_answer")
        try:
            return parse(model, answer.body)
        except BadAnswer:
            raise SystemUnavailable(self.system_id, "bad_answer") from None

    def _post(self, body: bytes, idempotency_key: str) -> HttpAnswer:
        """One signed POST; a status that is not 200 or 202 raises the exception it means."""
        headers = signed_headers(self._secret, body, idempotency_key)
        try:
            answer = request_within(
                "POST",
                self._url,
                seconds=self.spec.timeout_seconds,
                body=body,
                headers=headers,
                max_bytes=self._max_bytes,
            )
        except httpx.HTTPError as exc:
            raise SystemUnavailable(self.system_id, type(exc).__name__) from None
        if answer.status in (200, 202):
            if answer.truncated:
                raise SystemUnavailable(self.system_id, "answer_too_large")
            return answer
        if 400 <= answer.status < 500 and answer.status not in RETRY_LATER:
            raise SystemMisdeclared(
                f"{self.system_id}: the processor refused the request (HTTP {answer.status}); "
                "check its url_env, secret_env and declaration"
            )
        raise SystemUnavailable(self.system_id, str(answer.status))


def http_connector_for(
    system_id: str, spec: SystemSpec, environ: Mapping[str, str]
) -> HttpConnector:
    """The connector for an ``http`` system, its URL and secret read from ``environ``.

    Raises :class:`SystemMisdeclared` (one line, naming variables, never their values)
    when a variable is unset, the URL is not http(s), or the secret is short or the
    URL plain ``http`` for a processor that is not on this machine."""
    if spec.kind is not SystemKind.HTTP or spec.secret_env is None:
        raise SystemMisdeclared(f"systems.{system_id}: not an http system")
    url = _required(system_id, environ, spec.url_env)
    secret = _required(system_id, environ, spec.secret_env)
    problem = url_problem(url, secret)
    if problem is not None:
        raise SystemMisdeclared(f"systems.{system_id}: {problem}")
    return HttpConnector(
        system_id, spec, url, secret, callback_url=callback_url(system_id, environ)
    )


def url_problem(url: str, secret: str) -> str | None:
    """Why this URL and secret may not be used, or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "url_env must hold an http(s) URL"
    on_this_machine = is_loopback(parts.hostname)
    if parts.scheme == "http" and not on_this_machine:
        return "url_env must be https (plain http only for a processor on this machine)"
    if len(secret) < MIN_SECRET_LENGTH and not on_this_machine:
        return f"secret_env must hold at least {MIN_SECRET_LENGTH} characters"
    return None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def callback_url(system_id: str, environ: Mapping[str, str]) -> str:
    """``{PLEDGE_BASE_URL}/api/v1/systems/{system_id}/callbacks`` (the settings' default base)."""
    base = environ.get("PLEDGE_BASE_URL", "").strip() or str(
        Settings.model_fields["base_url"].default
    )
    return base.rstrip("/") + CALLBACK_PATH.format(system_id=system_id)


def _required(system_id: str, environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value.strip():
        raise SystemMisdeclared(f"systems.{system_id}: environment variable {name} is not set")
    return value.strip()


if TYPE_CHECKING:
    _IS_A_CONNECTOR: type[Connector] = HttpConnector


__all__ = [
    "MIN_SECRET_LENGTH",
    "HttpConnector",
    "callback_url",
    "http_connector_for",
    "url_problem",
]
