"""Time-based one-time codes (RFC 6238, via pyotp), their QR code, and the second-step ticket.

No database here: :mod:`pledge.console.second_factor` keeps the secrets (sealed)
and the last time step used. A code is six digits from a 30-second time step;
one step either side is accepted for clocks that drift, and the caller refuses
any step not after the last one used, so a code is good once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import segno

from pledge.core import Pledge

STEP_SECONDS = 30
DRIFT_STEPS = 1
"""Steps either side of now whose code is accepted (a phone's clock a little off)."""
DIGITS = 6
ISSUER = "Pledge"
TICKET_SECONDS = 300
"""How long the password step's ticket waits for the code."""


def new_secret() -> str:
    """160 random bits in base32, the length RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def otpauth_uri(secret: str, account: str) -> str:
    """What an authenticator app scans: ``otpauth://totp/Pledge:ACCOUNT?secret=…``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code: drawn here, nothing fetched from elsewhere."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return svg


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is (within the drift), or None.

    Every candidate is compared, in constant time, whatever matched first.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    now_step = time_step(now)
    found = None
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            found = step
    return found


def make_ticket(pledge: Pledge, user_id: str, now: datetime) -> str:
    """Proof, for ``TICKET_SECONDS``, that this account's password was just given.

    Signed with the master key's signing key: the browser holds it (a cookie
    under ``/admin``) between the password form and the code form, and the
    server keeps nothing. It opens no session by itself.
    """
    expires = int(now.timestamp()) + TICKET_SECONDS
    nonce = secrets.token_urlsafe(12)
    signature = pledge.keys.sign(f"staff-second-step:{user_id}:{expires}:{nonce}")
    return f"{user_id}.{expires}.{nonce}.{signature}"


def read_ticket(pledge: Pledge, ticket: str | None, now: datetime) -> str | None:
    """The account id a live ticket names; None for a forged, altered or expired one."""
    parts = (ticket or "").split(".")
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    user_id, expires, nonce, signature = parts
    expected = pledge.keys.sign(f"staff-second-step:{user_id}:{expires}:{nonce}")
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    return user_id if int(expires) > now.timestamp() else None
