"""Pledge's signature scheme, both ways: checking its requests, signing our callbacks.

HMAC-SHA256 with the shared secret over ``"{timestamp}.{raw body}"``, sent as
``x-pledge-signature: sha256=<hex>`` beside ``x-pledge-timestamp`` (Unix seconds).
The raw bytes received are what is checked, never a re-encoded copy.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

MAX_AGE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def is_signed(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """A valid signature (compared in constant time) with a timestamp within the window."""
    try:
        timestamp = int(headers.get("x-pledge-timestamp") or "")
    except ValueError:
        return False
    received = (headers.get("x-pledge-signature") or "").encode("utf-8", "replace")
    valid = hmac.compare_digest(signature(secret, timestamp, body).encode(), received)
    return valid and abs(time.time() - timestamp) <= MAX_AGE_SECONDS


def signed_headers(secret: str, body: bytes, delivery: str) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "content-type": "application/json",
        "x-pledge-timestamp": str(timestamp),
        "x-pledge-signature": signature(secret, timestamp, body),
        "x-pledge-delivery": delivery,
    }
