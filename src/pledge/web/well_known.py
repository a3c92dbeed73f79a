"""The site's machine-readable promises, generated from the policy.

- ``/.well-known/gpc.json``: the Global Privacy Control support resource
  (GPC specification, "Well-known resource"): ``{"gpc": true, "lastUpdate":
  "YYYY-MM-DD"}``. Pledge honours the signal everywhere it reads one (the
  cookie banner records it as a refusal); ``lastUpdate`` is the day the policy
  in force was first loaded, as the policy version registry
  (``policy_versions``) recorded it: any edit of the policy makes a new version.
- ``/.well-known/security.txt`` (RFC 9116): ``Contact`` is the policy's
  contact address, ``Expires`` a year less a day from the moment of asking
  (the file is generated, so it never goes stale), ``Preferred-Languages`` the
  policy's language, ``Canonical`` and ``Policy`` under ``PLEDGE_BASE_URL``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import PolicyVersion
from pledge.web.deps import PledgeDep

router = APIRouter(include_in_schema=False)

SECURITY_TXT_LIFETIME = timedelta(days=364)
"""RFC 9116 § 2.5.5 recommends an ``Expires`` less than a year ahead."""


def last_policy_change(pledge: Pledge) -> date:
    """When the policy in force was first loaded; its ``effective`` date if unregistered."""
    with pledge.sessions() as session:
        loaded = session.scalar(
            select(PolicyVersion.first_loaded_at).where(
                PolicyVersion.digest == pledge.policy.digest
            )
        )
    return loaded.date() if loaded is not None else pledge.policy.effective


@router.get("/.well-known/gpc.json")
def gpc(pledge: PledgeDep) -> JSONResponse:
    return JSONResponse({"gpc": True, "lastUpdate": last_policy_change(pledge).isoformat()})


def security_txt(pledge: Pledge, now: datetime) -> str:
    base = pledge.settings.base_url.rstrip("/")
    expires = (now + SECURITY_TXT_LIFETIME).astimezone(UTC).replace(microsecond=0)
    lines = [
        f"Contact: mailto:{pledge.policy.controller.privacy_officer_email}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Preferred-Languages: {pledge.policy.language}",
        f"Canonical: {base}/.well-known/security.txt",
        f"Policy: {base}/policy",
    ]
    return "\n".join(lines) + "\n"


@router.get("/.well-known/security.txt")
def security(pledge: PledgeDep) -> PlainTextResponse:
    return PlainTextResponse(security_txt(pledge, datetime.now(UTC)))
