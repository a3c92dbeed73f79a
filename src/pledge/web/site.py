"""Who stands behind the public pages: the controller's name and contacts, from the policy.

Every public page shows them in its header and footer (``site_header.html``,
``site_footer.html``), read from the policy being served, so a company that
edits its policy changes its pages with it; nothing is written twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Request

from pledge.policy import Policy

_NOT_DIALLED = re.compile(r"[^0-9+]")


@dataclass(frozen=True)
class Site:
    name: str
    address: list[str]
    email: str
    phone: str
    phone_uri: str


def site_of(policy: Policy) -> Site:
    controller = policy.controller
    phone = controller.phone.strip()
    return Site(
        name=controller.name,
        address=controller.postal_address.lines(),
        email=controller.privacy_officer_email,
        phone=phone,
        phone_uri=f"tel:{_NOT_DIALLED.sub('', phone)}" if phone else "",
    )


def request_site(request: Request) -> Site | None:
    """The site of the app serving ``request``; None outside an app (a page rendered alone)."""
    app = request.scope.get("app")
    pledge = getattr(getattr(app, "state", None), "pledge", None)
    return site_of(pledge.policy) if pledge is not None else None
