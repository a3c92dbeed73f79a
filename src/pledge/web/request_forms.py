"""One form per right in the privacy center, asking only what that right needs.

``GET /privacy-center/new/{type}?country=FR`` shows the form of one request
type for the person's place; ``POST`` to the same address makes the request
through :func:`pledge.rights.submit`, as the JSON API does. What each asks:

- access, portability, erasure, rectification (they reveal or change data):
  the e-mail address and a second data point the policy accepts as a
  verifier (phone, ...), at least one;
- restriction, objection, withdrawal of consent: the e-mail address and the
  purposes concerned, offered from the policy (:mod:`pledge.rights.purposes`);
- marketing opt-out, disclosures, know: the e-mail address only.

Every form has an optional section for an authorized agent (name, e-mail and
the person's signed permission as text); the person then confirms with the
code mailed to them, as on every other path. The form ``POST /privacy-center``
keeps working beside these (the outside contract's form).

Each rendering carries a token bound to this browser's ``pledge_session``
nonce, the form and the hour (:mod:`pledge.web.form_tokens`), and a sent form
spends it (:func:`spend`), so a stale form, one from another site and one
sent twice are each answered with a message and a fresh form. A field at
fault gets its message beside it; nothing is written until every check passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pledge import rights
from pledge.access.throttle import Rule, Throttled, hit
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.i18n import N_, Language
from pledge.policy import REVEALS_OR_CHANGES_DATA, request_type
from pledge.rights.identity import check_agent, check_match, match_indexes
from pledge.rights.mails import label
from pledge.rights.purposes import PURPOSE_TYPES, check_purposes, purpose_choices
from pledge.rights.schemas import RequestIn
from pledge.validation import parse_model
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.form_tokens import FORM_LIFETIME, form_ok, form_token, keep_nonce, nonce_of
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.privacy_center import page as center_page
from pledge.web.templating import PUBLIC_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)

PATH = "/privacy-center/new/{type}"
_ONCE = Rule("public-form", 1, FORM_LIFETIME + 60)

EXPIRED = N_("This form expired. Please check the details and send it again.")
REPLAYED = N_("This form was already sent, so nothing more was recorded.")
UNKNOWN_TYPE = N_("We do not know this kind of request. Please choose one from the list.")
MESSAGES = {
    "email": N_("Enter your e-mail address, such as name@example.org."),
    "verifier": N_(
        "Give your phone number (or another detail we hold about you), so that only you "
        "can see or change your data."
    ),
    "verifier_bad": N_("This detail cannot prove who you are; please check it."),
    "phone_bad": N_("This is not a phone number; please check it."),
    "purposes": N_("Choose at least one of the purposes listed."),
    "purposes_bad": N_("Choose only from the purposes listed."),
    "agent_name": N_("Enter your name as the person's agent."),
    "agent_email": N_("Enter your e-mail address as the person's agent."),
    "agent_permission": N_(
        "Paste the person's signed permission for you to act for them (at least 20 characters)."
    ),
    "details": N_("Please shorten this text."),
    "country": N_("Enter the two letters of the country where you live, such as FR or US."),
    "form": N_("Please check the form."),
}


CHANNELS = {"email": N_("e-mail"), "phone": N_("phone"), "post": N_("post")}
"""A marketing channel's name inside a sentence."""


@dataclass
class Shown:
    """What a form needs to render: the type, the place and what the person typed."""

    type: str
    country: str
    region: str | None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def needs_verifier(type_: str) -> bool:
    """Access, portability, erasure and rectification need a second data point, as the API."""
    return type_ in REVEALS_OR_CHANGES_DATA


def known_type(value: str) -> str | None:
    """The canonical requestable type, or None."""
    try:
        return str(request_type(value.strip().lower()))
    except ValueError:
        return None


def _place(country: str, region: str | None) -> tuple[str, str | None]:
    return country.strip().upper()[:2], (region or "").strip().upper()[:8] or None


def _context(pledge: Pledge, t: Language, shown: Shown) -> dict[str, Any]:
    policy = pledge.policy
    jurisdiction = policy.jurisdiction_for(shown.country or "ZZ", shown.region)
    purposes = [
        {"id": p.id, "name": p.name, "description": p.description}
        for p in purpose_choices(policy, shown.type, jurisdiction.id)
    ]
    channels = [
        t.lookup(CHANNELS.get(c, c))
        for c in sorted({c for p in policy.marketing_purposes for c in p.channels})
    ]
    return {
        "controller": policy.controller.short_name,
        "type": shown.type,
        "title": label(t, shown.type),
        "country": shown.country,
        "region": shown.region,
        "verifiers": policy.verification.verifiers if needs_verifier(shown.type) else [],
        "purposes": purposes,
        "asks_purposes": shown.type in PURPOSE_TYPES,
        "channels": t.join(channels) if shown.type == "opt_out_marketing" and channels else "",
        "values": shown.values,
        "errors": shown.errors,
        "policy_lang": policy.language,
    }


def page(
    pledge: Pledge,
    request: Request,
    shown: Shown,
    *,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The form (or its answer), with a fresh token and the browser's nonce kept."""
    t = request_language(request)
    nonce = nonce_of(request)
    path = PATH.format(type=shown.type)
    switch_back_to(request, path, {"country": shown.country, "region": shown.region or ""})
    html = render(
        request,
        "request_form.html",
        path=path,
        form_token=form_token(pledge, nonce, path),
        **_context(pledge, t, shown),
        **extra,
    )
    response = HTMLResponse(html, status_code=status_code)
    keep_nonce(response, nonce, secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = PUBLIC_FORM_POLICY
    return response


def unknown(pledge: Pledge, request: Request, country: str, region: str | None) -> HTMLResponse:
    """An unknown type: the privacy center's list of rights, with the message (404)."""
    t = request_language(request)
    response = center_page(pledge, request, country, region, error=t.lookup(UNKNOWN_TYPE))
    response.status_code = 404
    return response


@router.get(PATH, response_class=HTMLResponse)
def request_form(
    request: Request, pledge: PledgeDep, type: str, country: str = "", region: str | None = None
) -> HTMLResponse:
    country, region = _place(country, region)
    found = known_type(type)
    if found is None:
        return unknown(pledge, request, country, region)
    return page(pledge, request, Shown(found, country, region))


def spend(pledge: Pledge, request: Request, scope: str, token: str) -> str | None:
    """Check and use up the form's token: None when good, else the message (not translated)."""
    if not form_ok(pledge, request, scope, token):
        return EXPIRED
    if not hit(pledge, _ONCE, scope, token).allowed:
        return REPLAYED
    return None


def _body(type_: str, fields: dict[str, str], pledge: Pledge, t: Language) -> dict[str, Any]:
    """The form's inputs as ``POST /api/v1/requests`` takes them."""
    verifiers = [v.field for v in pledge.policy.verification.verifiers]
    body: dict[str, Any] = {
        "type": type_,
        "email": fields.get("email", "").strip(),
        "country": fields.get("country", "").strip().upper(),
        "region": fields.get("region", "").strip() or None,
        "details": fields.get("details", "").strip() or None,
        "match": {
            name: fields.get(name, "").strip()
            for name in verifiers
            if needs_verifier(type_) and fields.get(name, "").strip()
        },
        "language": t.code,
    }
    if type_ in PURPOSE_TYPES:
        body["purposes"] = [
            name.removeprefix("purpose_")
            for name, value in fields.items()
            if name.startswith("purpose_") and value
        ]
    if fields.get("for_someone_else"):
        body["agent"] = {
            "name": fields.get("agent_name", "").strip(),
            "email": fields.get("agent_email", "").strip(),
            "permission": fields.get("agent_permission", "").strip() or None,
        }
    return body


def check(pledge: Pledge, body: dict[str, Any]) -> RequestIn:
    """Every check intake makes, and the form's own (a second data point), before any write."""
    parsed = parse_model(RequestIn, body)
    jurisdiction = pledge.policy.jurisdiction_for(parsed.country, parsed.region)
    problems: dict[str, str] = {}
    if needs_verifier(parsed.type) and not parsed.match:
        problems["verifier"] = "missing"
    if parsed.type in PURPOSE_TYPES and not parsed.purposes:
        problems["purposes"] = "missing"
    for step in (
        lambda: check_match(pledge.policy.verification, parsed.match, parsed.email),
        lambda: _phone(pledge, parsed),
        lambda: check_purposes(pledge.policy, parsed.type, jurisdiction.id, parsed.purposes),
        lambda: check_agent(parsed.agent.model_dump() if parsed.agent else None),
    ):
        try:
            step()
        except ValidationFailed as exc:
            problems.update(exc.fields)
    if problems:
        raise ValidationFailed("the form is not valid", fields=problems)
    return parsed


def _phone(pledge: Pledge, parsed: RequestIn) -> None:
    """A phone that is no phone number (intake would refuse it after the token is spent)."""
    try:
        match_indexes(pledge.keys, parsed.match, parsed.country)
    except ValidationFailed:
        raise ValidationFailed("not a phone number", fields={"match.phone": "invalid"}) from None


def field_errors(exc: ValidationFailed, t: Language, pledge: Pledge) -> dict[str, str]:
    """Each problem under the input it is about, in the reader's language, never the value."""
    verifiers = [v.field for v in pledge.policy.verification.verifiers]
    errors: dict[str, str] = {}
    for name, problem in (exc.fields or {"form": ""}).items():
        if name == "purposes" and problem not in {"missing", "choose at least one purpose"}:
            name = "purposes.refused"
        target, message = _where(name, verifiers)
        errors.setdefault(target, t.lookup(MESSAGES[message]))
    return errors


def _where(name: str, verifiers: list[str]) -> tuple[str, str]:
    """(the input, the message key) for a service field name such as ``match.phone``."""
    first = verifiers[0] if verifiers else "form"
    if name == "verifier":
        return first, "verifier"
    if name.startswith("match."):
        given = name.removeprefix("match.")
        target = given if given in verifiers else first
        return target, "phone_bad" if given == "phone" else "verifier_bad"
    if name == "purposes":
        return "purposes", "purposes"
    if name.startswith("purposes"):
        return "purposes", "purposes_bad"
    if name.startswith("agent"):
        part = name.partition(".")[2]
        key = f"agent_{part}" if part in {"name", "email", "permission"} else "agent_permission"
        return key, key
    if name in {"email", "details", "country"}:
        return name, name
    return "form", "form"


@router.post(PATH, response_class=HTMLResponse)
def send_form(request: Request, pledge: PledgeDep, fields: FormDep, type: str) -> HTMLResponse:
    """A plain ``def``: the request is written and its mail queued in a thread, not on the loop."""
    t = request_language(request)
    country, region = _place(fields.get("country", ""), fields.get("region"))
    found = known_type(type)
    if found is None:
        return unknown(pledge, request, country, region)
    values = {k: v for k, v in fields.items() if k not in {"form_token", "agent_permission"}}
    shown = Shown(found, country, region, values)
    body = _body(found, fields, pledge, t)
    try:
        parsed = check(pledge, body)
    except ValidationFailed as exc:
        shown.errors = field_errors(exc, t, pledge)
        return page(pledge, request, shown, status_code=422)
    refused = spend(pledge, request, PATH.format(type=found), fields.get("form_token", ""))
    if refused is not None:
        return page(pledge, request, shown, status_code=409, error=t.lookup(refused))
    try:
        throttle_intake(pledge, request, parsed.email)
        submitted = rights.submit(pledge, parsed, method="web")
    except Throttled as exc:
        sorry = t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message))
        response = page(pledge, request, shown, status_code=429, error=sorry)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationFailed as exc:
        shown.errors = field_errors(exc, t, pledge)
        return page(pledge, request, shown, status_code=422)
    except PledgeError:
        return page(pledge, request, shown, status_code=400, error=t.lookup(MESSAGES["form"]))
    done = {"id": submitted.id, "due": t.date(submitted.due_at), "by_agent": parsed.agent}
    return page(pledge, request, Shown(found, country, region), submitted=done)


__all__ = ["PATH", "check", "router", "spend"]
