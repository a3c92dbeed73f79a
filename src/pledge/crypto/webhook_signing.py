"""Signing webhook bodies, so a receiver can check that a post comes from Pledge and is fresh.

One scheme for every webhook Pledge sends (Clients' forwarded fields,
recipients' erasure and correction notices): HMAC-SHA256 over
``"{timestamp}.{body}"`` with the receiver's secret, in three headers:

    X-Pledge-Timestamp: 1767225600
    X-Pledge-Signature: sha256=<hex>
    X-Pledge-Delivery: <delivery id>   (the same on every retry: deduplicate on it)

A receiver recomputes the HMAC over the raw body it received, compares in
constant time, and refuses a timestamp more than a few minutes old.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, delivery_id: str) -> dict[str, str]:
    """The JSON content type and the three signature headers, signed now."""
    timestamp = int(time.time())
    return {
        "content-type": "application/json",
        "x-pledge-timestamp": str(timestamp),
        "x-pledge-signature": sign(secret, timestamp, body),
        "x-pledge-delivery": delivery_id,
    }


def verify(secret: str, body: bytes, headers: dict[str, str], *, max_age: int = 300) -> bool:
    """What a receiver checks (Pledge's own tests and receivers written in Python can use it)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered["x-pledge-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > max_age:
        return False
    expected = sign(secret, timestamp, body)
    received = lowered.get("x-pledge-signature", "").encode("utf-8", "replace")
    return hmac.compare_digest(expected.encode(), received)
