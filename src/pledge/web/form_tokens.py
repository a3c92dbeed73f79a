"""Anti-forgery tokens for the request page's forms: double-submit, bound to a page and a time.

The browser holds a random nonce in the privacy center's ``pledge_session``
cookie (HttpOnly, SameSite=Strict, path ``/privacy-center``; the strictly
necessary cookie the policy declares for form protection). Each form carries
``<issued>.<HMAC(nonce, scope, issued)>``: a form posted from another site
lacks the cookie, a form of one request's page does not fit another's (the
scope is the request id), and a form older than :data:`FORM_LIFETIME` is
stale. Each of these is answered with a message and a fresh form, never a 500.
"""

from __future__ import annotations

import hmac
import secrets
import time

from fastapi import Request, Response

from pledge.core import Pledge

COOKIE = "pledge_session"
COOKIE_PATH = "/privacy-center"
FORM_LIFETIME = 2 * 3600
"""Seconds a form stays valid: longer than a code lives, so fetching the mail fits."""


def nonce_of(request: Request) -> str:
    """The browser's nonce, or a new one (set with :func:`keep_nonce`)."""
    return request.cookies.get(COOKIE) or secrets.token_urlsafe(24)


def form_token(pledge: Pledge, nonce: str, scope: str, *, now: float | None = None) -> str:
    issued = int(time.time() if now is None else now)
    return f"{issued}.{pledge.keys.sign(f'page-form:{scope}:{nonce}:{issued}')}"


def form_ok(
    pledge: Pledge, request: Request, scope: str, submitted: str, *, now: float | None = None
) -> bool:
    """True for a token this browser's nonce made for this scope, less than two hours ago."""
    nonce = request.cookies.get(COOKIE)
    issued_text, _, mac = submitted.partition(".")
    if not nonce or not issued_text.isdigit() or len(issued_text) > 12:
        return False
    issued = int(issued_text)
    current = time.time() if now is None else now
    if not issued <= current + 60 or current - issued > FORM_LIFETIME:
        return False
    expected = pledge.keys.sign(f"page-form:{scope}:{nonce}:{issued}")
    return hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace"))


def keep_nonce(response: Response, nonce: str, *, secure: bool) -> None:
    """Set (or renew) the nonce cookie the page's form tokens are bound to."""
    response.set_cookie(
        COOKIE,
        nonce,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure,
    )
