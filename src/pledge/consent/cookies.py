"""The cookie banner: its configuration from the policy, and each visitor's recorded choice.

Why built from the policy: the banner must list exactly the cookies and
services the policy names, so a new cookie in the policy appears in the
banner, and changes its version hash, which makes every visitor's banner
come back (their earlier consent did not cover it).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict

from pledge import audit
from pledge.consent.ledger.evidence import short_user_agent, truncate_ip
from pledge.consent.schemas import CookieChoiceIn
from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import CookieConsent
from pledge.errors import Conflict, ValidationFailed
from pledge.i18n import N_, Language, source_language
from pledge.policy import Cookie, Policy

NECESSARY = "strictly_necessary"
CONSENT_COOKIE = "pledge_consent"

STRINGS: dict[str, str] = {
    "title": N_("Cookies on this site"),
    "intro": N_(
        "We use strictly necessary cookies to make this site work. With your consent we "
        "also use analytics cookies to count visits and see how the site is used. "
        "You can change your mind at any time with the Cookie settings link."
    ),
    "accept_all": N_("Accept all"),
    "reject_all": N_("Reject all"),
    "customise": N_("Customise"),
    "save": N_("Save my choices"),
    "back": N_("Back"),
    "close": N_("Close"),
    "policy_link": N_("Privacy policy"),
    "always_on": N_("Always on"),
    "services": N_("Services"),
    "cookies": N_("Cookies"),
    "lifetime": N_("Lifetime"),
    "category.strictly_necessary.name": N_("Strictly necessary"),
    "category.strictly_necessary.description": N_(
        "Needed for the site to work and to remember your choices; they cannot be switched off."
    ),
    "category.analytics.name": N_("Analytics"),
    "category.analytics.description": N_(
        "Count visitors and show how the site is used, so we can improve it."
    ),
    "gpc_notice": N_(
        "Your browser sent a Global Privacy Control signal: we treat it as a refusal of "
        "analytics cookies."
    ),
    "saved": N_("Your cookie choices were saved."),
}
"""Every word the banner shows (English source), translated per visitor by :func:`banner_config`."""


def cookie_section(policy: Policy) -> dict[str, Any]:
    """The policy's cookie section: the cookie list and the texts about cookies."""
    statements = policy.statements
    return {
        "cookies": [cookie.model_dump(mode="json") for cookie in policy.cookies],
        "texts": [statements.cookies.text, statements.cookie_consent.text],
        "honours_do_not_track": policy.honours_do_not_track,
    }


def banner_version(policy: Policy) -> str:
    """A short hash of the cookie section; changes whenever a visitor must be asked again."""
    blob = json.dumps(cookie_section(policy), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CookieInfo(_Out):
    """One cookie as the banner lists it."""

    name: str
    provider: str
    service: str
    purpose: str
    lifetime: str


class BannerCategory(_Out):
    """A category of cookies; strictly necessary ones are always on."""

    id: str
    required: bool
    cookies: list[CookieInfo]


class BannerService(_Out):
    """A service that sets optional cookies, switched on and off by itself."""

    id: str
    name: str
    category: str
    cookies: list[str]


class BannerConfig(_Out):
    """``GET /api/v1/cookie-banner``: everything ``/consent.js`` needs."""

    version: str
    max_age_days: int
    cookie: str
    categories: list[BannerCategory]
    services: list[BannerService]
    strings: dict[str, str]
    honours_do_not_track: bool
    gpc: bool
    dnt: bool
    policy_url: str
    endpoint: str
    lang: str
    """The language of ``strings`` (the banner's ``lang`` attribute)."""


class CookieChoiceOut(_Out):
    """``POST /api/v1/cookie-consent``: the choice as recorded, every category and service."""

    id: str
    version: str
    categories: dict[str, bool]
    services: dict[str, bool]


def _service_name(policy: Policy, service: str, recipient: str | None, provider: str) -> str:
    found = policy.recipient(recipient) if recipient else None
    return found.name if found else f"{provider} ({service.replace('_', ' ')})"


def services(policy: Policy) -> list[BannerService]:
    """Services that set optional cookies, each with its category and cookie names."""
    first: dict[str, Cookie] = {}
    names: dict[str, list[str]] = defaultdict(list)
    for cookie in policy.cookies:
        if cookie.category == NECESSARY:
            continue
        first.setdefault(cookie.service, cookie)
        names[cookie.service].append(cookie.name)
    return [
        BannerService(
            id=service,
            name=_service_name(policy, service, cookie.recipient, cookie.provider),
            category=cookie.category,
            cookies=names[service],
        )
        for service, cookie in first.items()
    ]


def categories(policy: Policy) -> list[BannerCategory]:
    """Categories in banner order: strictly necessary first, always on."""
    by_category: dict[str, list[CookieInfo]] = defaultdict(list)
    for cookie in policy.cookies:
        by_category[cookie.category].append(
            CookieInfo(
                name=cookie.name,
                provider=cookie.provider,
                service=cookie.service,
                purpose=cookie.purpose,
                lifetime=cookie.lifetime,
            )
        )
    order = [NECESSARY, *sorted(c for c in by_category if c != NECESSARY)]
    return [
        BannerCategory(id=category, required=category == NECESSARY, cookies=by_category[category])
        for category in order
    ]


def banner_config(
    pledge: Pledge, *, gpc: bool = False, dnt: bool = False, language: Language | None = None
) -> BannerConfig:
    """What ``/consent.js`` needs; ``gpc``/``dnt`` reflect the request's own headers.

    The words are in ``language`` (the visitor's, chosen by the web layer), English by default.
    """
    policy = pledge.policy
    t = language or source_language()
    return BannerConfig(
        version=banner_version(policy),
        max_age_days=pledge.settings.cookie_consent_months * 30,
        cookie=CONSENT_COOKIE,
        categories=categories(policy),
        services=services(policy),
        strings={key: t.lookup(text) for key, text in STRINGS.items()},
        lang=t.code,
        honours_do_not_track=policy.honours_do_not_track,
        gpc=gpc,
        dnt=dnt and policy.honours_do_not_track,
        policy_url="/policy",
        endpoint="/api/v1/cookie-consent",
    )


def _checked_choices(policy: Policy, choice: CookieChoiceIn) -> dict[str, dict[str, bool]]:
    """Every category and service, on or off; what the banner does not offer is refused."""
    known = {c.id for c in categories(policy)}
    toggles = {s.id: s.category for s in services(policy)}
    fields = {f"categories.{k}": "unknown category" for k in choice.categories if k not in known}
    fields |= {f"services.{k}": "unknown service" for k in choice.services if k not in toggles}
    if fields:
        raise ValidationFailed("the choice names what the banner does not offer", fields=fields)
    refuse = choice.method in {"gpc", "dnt"}
    chosen = {
        category: category == NECESSARY or (not refuse and choice.categories.get(category, False))
        for category in sorted(known)
    }
    by_service = {
        service: chosen[category] and choice.services.get(service, chosen[category])
        for service, category in sorted(toggles.items())
    }
    return {"categories": chosen, "services": by_service}


def record_cookie_choice(
    pledge: Pledge, choice: CookieChoiceIn, *, ip: str | None, user_agent: str | None
) -> CookieChoiceOut:
    """Append a visitor's choice (with the banner version and truncated IP) and its audit."""
    policy = pledge.policy
    current = banner_version(policy)
    if choice.version != current:
        raise Conflict("the banner is out of date; reload the page")
    choices = _checked_choices(policy, choice)
    row = CookieConsent(
        id=new_id(),
        visitor_id=choice.visitor_id,
        banner_version=current,
        choices=choices,
        method=choice.method,
        ip_truncated=truncate_ip(ip),
        user_agent=short_user_agent(user_agent),
        recorded_at=utcnow(),
    )
    with pledge.transaction() as session:
        session.add(row)
        audit.append(
            session,
            action="cookie_consent.recorded",
            actor="visitor",
            object_type="cookie_consent",
            object_id=row.id,
            details={"version": current, "method": choice.method, **choices},
        )
    return CookieChoiceOut(id=row.id, version=current, **choices)
