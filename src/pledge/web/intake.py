"""Throttling anonymous intake at the web edge: per IP address and per e-mail address.

Anyone may make a request, and each request mails its address a code and an
acknowledgement; unthrottled, intake is a way to flood a stranger's mailbox
(and Pledge's storage). Before a request is written, one hit is counted for
the caller's address (``PLEDGE_INTAKE_LIMIT_PER_IP`` per hour, code resends
included) and one for the e-mail address asked about
(``PLEDGE_INTAKE_LIMIT_PER_ADDRESS`` per hour, whoever asks); past either, the
answer is 429 with ``Retry-After`` and nothing is written or mailed. Counters
are shared by every server process (:mod:`pledge.access.throttle`); they hold
keyed hashes, never an address.
"""

from __future__ import annotations

from fastapi import Request

from pledge.access.throttle import Rule, client_address, enforce
from pledge.core import Pledge
from pledge.i18n import N_

HOUR = 3600
FROM_HERE = N_("too many requests from your network; please try again later")
FOR_ADDRESS = N_("too many requests for this e-mail address; please try again later")


def caller(request: Request) -> str:
    """The caller's address as limits count it (behind a proxy: see ``FORWARDED_ALLOW_IPS``)."""
    return client_address(request.client.host if request.client else None)


def throttle_intake(pledge: Pledge, request: Request, email: str | None) -> None:
    """Count one anonymous request (429 past a limit); ``email`` None for a code resend."""
    settings = pledge.settings
    by_ip = Rule("intake-ip", settings.intake_limit_per_ip, HOUR)
    enforce(pledge, by_ip, caller(request), message=FROM_HERE)
    if email is not None:
        by_address = Rule("intake-address", settings.intake_limit_per_address, HOUR)
        enforce(pledge, by_address, email.strip().lower(), message=FOR_ADDRESS)


def throttle_site_form_caller(pledge: Pledge, request: Request) -> None:
    """Count one site-form submission for the caller's network, before any check costs time.

    The same hourly limit as intake (``PLEDGE_INTAKE_LIMIT_PER_IP``), on a
    counter of its own; refused submissions count too, so an uploaded file is
    never examined more often than the limit.
    """
    by_ip = Rule("site-form-ip", pledge.settings.intake_limit_per_ip, HOUR)
    enforce(pledge, by_ip, caller(request), message=FROM_HERE)


def throttle_site_form_address(pledge: Pledge, email: str) -> None:
    """Count one valid submission for its address (``PLEDGE_INTAKE_LIMIT_PER_ADDRESS``).

    Each valid submission mails its address once: this bounds the mail a
    stranger can make someone receive.
    """
    by_address = Rule("site-form-address", pledge.settings.intake_limit_per_address, HOUR)
    enforce(pledge, by_address, email.strip().lower(), message=FOR_ADDRESS)
