"""The public privacy center: each right in plain words, and a form to use it.

A regular HTML form (no script needed), protected against cross-site request
forgery by a double-submit token: a random value in a cookie scoped to this
page and its HMAC in the form. The cookie is ``pledge_session``, the strictly
necessary cookie the policy declares for form protection.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pledge import rights
from pledge.access.throttle import Throttled
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.policy import REQUESTABLE
from pledge.policy.durations import parse_iso_duration
from pledge.rights.mails import TITLES
from pledge.rights.schemas import RequestIn
from pledge.validation import parse_model
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.intake import throttle_intake

router = APIRouter(include_in_schema=False)

COOKIE = "pledge_session"
PATH = "/privacy-center"
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)


def _same(expected: str, submitted: str) -> bool:
    """Constant-time, on bytes: a submitted field may hold any character."""
    return hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "replace"))


def _csrf_pair(pledge: Pledge, nonce: str | None) -> tuple[str, str]:
    nonce = nonce or secrets.token_urlsafe(24)
    return nonce, pledge.keys.sign(f"csrf:{nonce}")


def _rights(pledge: Pledge, country: str, region: str | None) -> tuple[Any, list[dict[str, Any]]]:
    jurisdiction = pledge.policy.jurisdiction_for(country or "ZZ", region)
    items = []
    for right in jurisdiction.rights:
        name = "erasure" if right.type == "delete" else right.type
        items.append(
            {
                "type": name,
                "title": TITLES.get(name, right.type.replace("_", " ")).capitalize(),
                "description": right.description,
                "deadline": _words(right.deadline),
                "requestable": name in REQUESTABLE,
            }
        )
    return jurisdiction, items


def _words(duration: str) -> str:
    parsed = parse_iso_duration(duration)
    if parsed.months and not parsed.days:
        return f"{parsed.months} month" + ("s" if parsed.months > 1 else "")
    return f"{parsed.days} days"


def _page(
    pledge: Pledge, request: Request, country: str, region: str | None, **extra: Any
) -> HTMLResponse:
    nonce, token = _csrf_pair(pledge, request.cookies.get(COOKIE))
    jurisdiction, items = _rights(pledge, country, region)
    html = _templates.get_template("privacy_center.html").render(
        lang=pledge.policy.language,
        controller=pledge.policy.controller.short_name,
        jurisdiction=jurisdiction,
        rights=items,
        country=country,
        region=region,
        csrf=token,
        **extra,
    )
    response = HTMLResponse(html, status_code=400 if extra.get("error") else 200)
    response.set_cookie(
        COOKIE,
        nonce,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get(PATH, response_class=HTMLResponse)
def privacy_center(
    request: Request, pledge: PledgeDep, country: str = "", region: str | None = None
) -> HTMLResponse:
    return _page(
        pledge, request, country.strip().upper()[:2], (region or "").strip().upper() or None
    )


@router.post(PATH, response_class=HTMLResponse)
def submit_form(request: Request, pledge: PledgeDep, fields: FormDep) -> HTMLResponse:
    """A plain ``def``: the request is written and its mail queued in a thread, not on the loop."""
    country, region = fields.get("country", "").upper(), fields.get("region") or None
    nonce = request.cookies.get(COOKIE)
    if not nonce or not _same(_csrf_pair(pledge, nonce)[1], fields.get("csrf", "")):
        return _page(
            pledge, request, country, region, error="This form expired. Please send it again."
        )
    body = {
        "type": fields.get("type", ""),
        "email": fields.get("email", ""),
        "country": country,
        "region": region,
        "details": fields.get("details") or None,
        "match": {"phone": fields["phone"]} if fields.get("phone") else {},
    }
    try:
        parsed = parse_model(RequestIn, body)
        throttle_intake(pledge, request, parsed.email)
        submitted = rights.submit(pledge, parsed, method="web")
    except Throttled as exc:
        page = _page(pledge, request, country, region, error=f"Sorry: {exc.message}.")
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except PledgeError as exc:
        names = ", ".join(sorted(exc.fields)) or "the form"
        return _page(pledge, request, country, region, error=f"Please check: {names}.")
    shown = {
        "id": submitted.id,
        "token": submitted.token,
        "due": submitted.due_at.strftime("%d %B %Y"),
    }
    return _page(pledge, request, country, region, submitted=shown)
