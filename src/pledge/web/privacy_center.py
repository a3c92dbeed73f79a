"""The public privacy center: each right in plain words, and a form to use it.

A regular HTML form (no script needed), protected against cross-site request
forgery by a double-submit token: a random value in a cookie scoped to this
page and its HMAC in the form. The cookie is ``pledge_session``, the strictly
necessary cookie the policy declares for form protection.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pledge import rights
from pledge.access.throttle import Throttled
from pledge.core import Pledge
from pledge.errors import PledgeError
from pledge.i18n import Language
from pledge.policy import REQUESTABLE
from pledge.policy.durations import parse_iso_duration
from pledge.rights.mails import label
from pledge.rights.schemas import RequestIn
from pledge.validation import parse_model
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.templating import PUBLIC_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)

COOKIE = "pledge_session"
PATH = "/privacy-center"


def _same(expected: str, submitted: str) -> bool:
    """Constant-time, on bytes: a submitted field may hold any character."""
    return hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "replace"))


def _csrf_pair(pledge: Pledge, nonce: str | None) -> tuple[str, str]:
    nonce = nonce or secrets.token_urlsafe(24)
    return nonce, pledge.keys.sign(f"csrf:{nonce}")


def _rights(
    pledge: Pledge, t: Language, country: str, region: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The jurisdiction's name and rights in ``t`` where the policy translates them.

    ``lang`` says which language each text is in: the policy's own where it
    has no translation, so the page can mark it.
    """
    policy = pledge.policy
    jurisdiction = policy.jurisdiction_for(country or "ZZ", region)
    name, name_lang = policy.text_of(jurisdiction, t.code)
    items = []
    for right in jurisdiction.rights:
        type_ = "erasure" if right.type == "delete" else right.type
        description, lang = policy.text_of(jurisdiction, t.code, right=right.type)
        items.append(
            {
                "type": type_,
                "title": label(t, type_),
                "description": description,
                "lang": lang,
                "deadline": _words(t, right.deadline),
                "form": f"/privacy-center/new/{type_}" if type_ in REQUESTABLE else None,
                "requestable": type_ in REQUESTABLE,
            }
        )
    return {"id": jurisdiction.id, "name": name, "lang": name_lang}, items


def _words(t: Language, duration: str) -> str:
    parsed = parse_iso_duration(duration)
    if parsed.months and not parsed.days:
        return t.ngettext("%(num)d month", "%(num)d months", parsed.months)
    return t.ngettext("%(num)d day", "%(num)d days", parsed.days)


def page(
    pledge: Pledge, request: Request, country: str, region: str | None, **extra: Any
) -> HTMLResponse:
    """The privacy center for this place: its rights, each with its own form, and the form."""
    nonce, token = _csrf_pair(pledge, request.cookies.get(COOKIE))
    jurisdiction, items = _rights(pledge, request_language(request), country, region)
    switch_back_to(request, PATH, {"country": country, "region": region or ""})
    html = render(
        request,
        "privacy_center.html",
        controller=pledge.policy.controller.short_name,
        jurisdiction=jurisdiction,
        rights=items,
        country=country,
        region=region,
        csrf=token,
        minimum_age=pledge.policy.minimum_age,
        **extra,
    )
    response = HTMLResponse(html, status_code=400 if extra.get("error") else 200)
    response.headers["Content-Security-Policy"] = PUBLIC_FORM_POLICY
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
    return page(
        pledge, request, country.strip().upper()[:2], (region or "").strip().upper() or None
    )


@router.post(PATH, response_class=HTMLResponse)
def submit_form(request: Request, pledge: PledgeDep, fields: FormDep) -> HTMLResponse:
    """A plain ``def``: the request is written and its mail queued in a thread, not on the loop."""
    country, region = fields.get("country", "").upper(), fields.get("region") or None
    t = request_language(request)
    nonce = request.cookies.get(COOKIE)
    if not nonce or not _same(_csrf_pair(pledge, nonce)[1], fields.get("csrf", "")):
        expired = t.gettext("This form expired. Please send it again.")
        return page(pledge, request, country, region, error=expired)
    body = {
        "type": fields.get("type", ""),
        "email": fields.get("email", ""),
        "country": country,
        "region": region,
        "details": fields.get("details") or None,
        "match": {"phone": fields["phone"]} if fields.get("phone") else {},
        "language": t.code,
    }
    try:
        parsed = parse_model(RequestIn, body)
        throttle_intake(pledge, request, parsed.email)
        submitted = rights.submit(pledge, parsed, method="web")
    except Throttled as exc:
        sorry = t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message))
        answer = page(pledge, request, country, region, error=sorry)
        answer.status_code = 429
        answer.headers["Retry-After"] = str(exc.retry_after)
        return answer
    except PledgeError as exc:
        names = ", ".join(sorted(exc.fields)) or t.gettext("the form")
        check = t.gettext("Please check: %(fields)s.", fields=names)
        return page(pledge, request, country, region, error=check)
    shown = {
        "id": submitted.id,
        "token": submitted.token,
        "due": t.date(submitted.due_at),
    }
    return page(pledge, request, country, region, submitted=shown)
