"""What the console's forms share: a one-use token, and errors placed beside their inputs.

Why a one-use token on top of the session's CSRF token: the CSRF token proves
the form came from this console, not that it is sent once. A request entered
twice (a double click, a reload of the answer, the back button) would mail
the person two codes and put two requests in the queue. Each rendering of a
form that creates something carries a signed, dated nonce; sending it counts
one hit on it (:mod:`pledge.access.throttle`, shared by every process), and a
second hit is refused with a message, so nothing is written twice.
"""

from __future__ import annotations

import re
import secrets
import time

from pledge.access.throttle import Rule, hit
from pledge.core import Pledge
from pledge.web.console import same

__all__ = ["FORM_LIFETIME", "new_form_token", "spend_form_token"]

FORM_LIFETIME = 4 * 3600
"""How long a rendered form may be sent (a long phone call fits)."""
_ONCE = Rule("console-form", 1, FORM_LIFETIME)
EXPIRED = "This form has expired. Please check the details and send it again."
REPLAYED = "This form was already sent, so nothing more was recorded."


def _signature(pledge: Pledge, nonce: str, issued: int) -> str:
    return pledge.keys.sign(f"console-form:{nonce}:{issued}")


def new_form_token(pledge: Pledge, *, now: float | None = None) -> str:
    """``nonce.issued.signature`` for one rendering of a form."""
    issued = int(time.time() if now is None else now)
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{issued}.{_signature(pledge, nonce, issued)}"


_DIGITS = re.compile(r"[0-9]{1,12}")


def spend_form_token(pledge: Pledge, token: str, *, now: float | None = None) -> str | None:
    """Use the token up; None when it was good, else why the form is refused.

    Within its lifetime a token spans at most two of the counter's windows,
    both still stored, so a replay is always seen.
    """
    now = time.time() if now is None else now
    nonce, _, rest = token.partition(".")
    issued_text, _, signature = rest.partition(".")
    if not nonce or not _DIGITS.fullmatch(issued_text):
        return EXPIRED  # ASCII digits only: int() refuses some that isdigit() accepts
    issued = int(issued_text)
    if not same(_signature(pledge, nonce, issued), signature):
        return EXPIRED
    if not issued - 60 <= now <= issued + FORM_LIFETIME:
        return EXPIRED
    if not hit(pledge, _ONCE, nonce, now=now).allowed:
        return REPLAYED
    return None
