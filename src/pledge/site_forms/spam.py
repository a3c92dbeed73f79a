"""Spam checks that need no third party: a signed, timed token and a honeypot field.

A form is issued with ``<issued>.<nonce>.<HMAC(form id, issued, nonce)>``
(the random nonce makes two forms fetched in the same second differ). A submission whose
token is missing, forged, for another form or older than :data:`TOKEN_LIFETIME`
is refused, and so is one sent sooner than the policy's ``site.min_fill_seconds``
after the form was issued: people read a form before they send it, robots do
not. A token is spent by the submission it lets through (:func:`spend_token`):
one fetched form is one submission, however often it is replayed. The
honeypot (:data:`HONEYPOT`) is an input people never see; whatever
fills it is a robot.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time

from pledge.access.throttle import Rule, hit
from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.i18n import N_

HONEYPOT = "homepage"
TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
TOKEN_LIFETIME = 24 * 3600
TOO_SOON = N_(
    "This form was sent too quickly after it was opened; please wait a moment and send it again."
)
EXPIRED = N_("This form has expired or was not issued by this site; please reload the page.")
HONEYPOT_FILLED = N_("Leave this field empty.")
ALREADY_SENT = N_("This form was already sent; reload the page to send it again.")
SPENT = Rule("site-form-token", 1, TOKEN_LIFETIME)
_DIGITS = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[0-9a-f]{16}")
"""ASCII only, exactly as issued: ``0123`` or a full-width digit would be another string
for the same token, and so a way round :func:`spend_token`."""


def issue_token(pledge: Pledge, form_id: str, *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    nonce = secrets.token_hex(8)
    return f"{issued}.{nonce}.{pledge.keys.sign(f'site-form:{form_id}:{issued}:{nonce}')}"


def token_problem(
    pledge: Pledge, form_id: str, token: str, *, now: float | None = None
) -> str | None:
    """None for a token of this form, issued long enough ago; else why it is refused."""
    issued_text, _, rest = token.partition(".")
    nonce, _, mac = rest.partition(".")
    if not _DIGITS.fullmatch(issued_text) or not _NONCE.fullmatch(nonce):
        return EXPIRED
    issued = int(issued_text)
    expected = pledge.keys.sign(f"site-form:{form_id}:{issued}:{nonce}")
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")):
        return EXPIRED
    current = time.time() if now is None else now
    if current - issued > TOKEN_LIFETIME or issued > current + 60:
        return EXPIRED
    if current - issued < pledge.policy.site.min_fill_seconds:
        return TOO_SOON
    return None


def spend_token(pledge: Pledge, form_id: str, token: str) -> None:
    """Mark a valid token used; ValidationFailed naming the token field if it was already.

    Counted in the shared rate-limit table under a keyed hash of the form and
    the token's nonce (what the signature binds), for as long as a token lives,
    so every server process sees the same.
    """
    nonce = token.split(".")[1] if token.count(".") == 2 else token
    if not hit(pledge, SPENT, form_id, nonce).allowed:
        raise ValidationFailed("the form is not valid", fields={TOKEN_FIELD: ALREADY_SENT})
