"""Spam checks that need no third party: a signed, timed token and a honeypot field.

A form is issued with ``<issued>.<HMAC(form id, issued)>``. A submission whose
token is missing, forged, for another form or older than :data:`TOKEN_LIFETIME`
is refused, and so is one sent sooner than the policy's ``site.min_fill_seconds``
after the form was issued: people read a form before they send it, robots do
not. The honeypot (:data:`HONEYPOT`) is an input people never see; whatever
fills it is a robot.
"""

from __future__ import annotations

import hmac
import time

from pledge.core import Pledge
from pledge.i18n import N_

HONEYPOT = "homepage"
TOKEN_FIELD = "form_token"  # noqa: S105 - a field name, not a secret
TOKEN_LIFETIME = 24 * 3600
TOO_SOON = N_(
    "This form was sent too quickly after it was opened; please wait a moment and send it again."
)
EXPIRED = N_("This form has expired or was not issued by this site; please reload the page.")
HONEYPOT_FILLED = N_("Leave this field empty.")


def issue_token(pledge: Pledge, form_id: str, *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    return f"{issued}.{pledge.keys.sign(f'site-form:{form_id}:{issued}')}"


def token_problem(
    pledge: Pledge, form_id: str, token: str, *, now: float | None = None
) -> str | None:
    """None for a token of this form, issued long enough ago; else why it is refused."""
    issued_text, _, mac = token.partition(".")
    if not issued_text.isdigit() or len(issued_text) > 12:
        return EXPIRED
    issued = int(issued_text)
    expected = pledge.keys.sign(f"site-form:{form_id}:{issued}")
    if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")):
        return EXPIRED
    current = time.time() if now is None else now
    if current - issued > TOKEN_LIFETIME or issued > current + 60:
        return EXPIRED
    if current - issued < pledge.policy.site.min_fill_seconds:
        return TOO_SOON
    return None
