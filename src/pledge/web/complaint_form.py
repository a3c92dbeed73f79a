"""The privacy center's complaint form: the e-mail address, the country, the complaint.

``GET /privacy-center/complaint`` shows it (``?country=`` preselects the
country); ``POST`` records the complaint through :func:`pledge.complaints.submit`
as ``POST /api/v1/complaints`` does and answers with the code form of the
complaint's page (:mod:`pledge.web.complaint_page`): the complaint counts only
once the code mailed to the address comes back.

The page states the answer's deadline (the policy's ``complaints.deadline``)
and, for a person in a country of the policy's ``authorities`` table (the
EEA, Switzerland, the UK), their right to complain to that authority, never
the one the company answers to at home. The form is protected and spent like
the request forms (:func:`pledge.web.request_forms.spend`); a field at fault
gets its message beside it, and nothing is written until every check passes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pledge import complaints
from pledge.access.throttle import Throttled
from pledge.complaints import ComplaintIn
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.i18n import N_, Language
from pledge.policy.durations import parse_iso_duration
from pledge.validation import parse_model
from pledge.web.countries import countries, is_country
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.form_tokens import form_token, keep_nonce, nonce_of
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.request_forms import spend
from pledge.web.templating import PUBLIC_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)

PATH = "/privacy-center/complaint"
MESSAGES = {
    "email": N_("Enter your e-mail address, such as name@example.org."),
    "country": N_("Choose the country where you live."),
    "text": N_("Write your complaint here, in at most 10,000 characters."),
    "form": N_("Please check the form."),
}


def page_path(complaint_id: str) -> str:
    return complaints.PAGE_PATH.format(complaint_id=complaint_id)


def _deadline(t: Language, duration: str) -> str:
    parsed = parse_iso_duration(duration)
    if parsed.months and not parsed.days:
        return t.ngettext("%(num)d month", "%(num)d months", parsed.months)
    return t.ngettext("%(num)d day", "%(num)d days", parsed.days)


def _place(country: str | None) -> str:
    code = (country or "").strip().upper()[:2]
    return code if is_country(code) else ""


def render_page(
    pledge: Pledge,
    request: Request,
    *,
    country: str = "",
    status_code: int = 200,
    complaint_id: str | None = None,
    **extra: Any,
) -> HTMLResponse:
    """The form, or a complaint's code form (``complaint_id``), with fresh tokens."""
    t = request_language(request)
    policy = pledge.policy
    nonce = nonce_of(request)
    here = page_path(complaint_id) if complaint_id else PATH
    switch_back_to(request, here, {"country": country} if country else None)
    authority = policy.authority_for(country) if country else None
    context: dict[str, Any] = {"values": {}, "errors": {}, **extra}
    html = render(
        request,
        "complaint.html",
        path=PATH,
        form_token=form_token(pledge, nonce, PATH),
        page=here if complaint_id else None,
        csrf=form_token(pledge, nonce, here) if complaint_id else "",
        controller=policy.controller.short_name,
        deadline=_deadline(t, policy.complaints.deadline),
        recourse=policy.controller.dispute_resolution,
        authority=authority,
        policy_lang=policy.language,
        country=country,
        countries=countries(t.code),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    keep_nonce(response, nonce, secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = PUBLIC_FORM_POLICY
    return response


@router.get(PATH, response_class=HTMLResponse)
def complaint_form(request: Request, pledge: PledgeDep, country: str = "") -> HTMLResponse:
    return render_page(pledge, request, country=_place(country))


def check(fields: dict[str, str], t: Language) -> ComplaintIn:
    """The form as ``POST /api/v1/complaints`` takes it; every problem at once."""
    country = fields.get("country", "").strip().upper()
    body = {
        "email": fields.get("email", "").strip(),
        "country": country,
        "text": fields.get("text", ""),
        "language": t.code,
    }
    problems: dict[str, str] = {} if is_country(country) else {"country": "unknown"}
    try:
        parsed = parse_model(ComplaintIn, body)
    except ValidationFailed as exc:
        problems.update(exc.fields)
        raise ValidationFailed("the form is not valid", fields=problems) from None
    if problems:
        raise ValidationFailed("the form is not valid", fields=problems)
    return parsed


def field_errors(exc: ValidationFailed, t: Language) -> dict[str, str]:
    """Each problem under its input, in the reader's language, never the value."""
    errors: dict[str, str] = {}
    for name in exc.fields or {"form": ""}:
        key = name if name in MESSAGES else "form"
        errors.setdefault(key, t.lookup(MESSAGES[key]))
    return errors


@router.post(PATH, response_class=HTMLResponse)
def send_complaint(request: Request, pledge: PledgeDep, fields: FormDep) -> HTMLResponse:
    """A plain ``def``: the complaint is written and its code mail queued in a thread."""
    t = request_language(request)
    country = _place(fields.get("country"))
    values = {k: fields.get(k, "") for k in ("email", "text")}

    def again(status: int, **extra: Any) -> HTMLResponse:
        return render_page(
            pledge, request, country=country, status_code=status, values=values, **extra
        )

    try:
        parsed = check(fields, t)
    except ValidationFailed as exc:
        return again(422, errors=field_errors(exc, t))
    refused = spend(pledge, request, PATH, fields.get("form_token", ""))
    if refused is not None:
        return again(409, error=t.lookup(refused))
    try:
        throttle_intake(pledge, request, parsed.email)
        made = complaints.submit(pledge, parsed)
    except Throttled as exc:
        response = again(429, error=t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except PledgeError:
        return again(400, error=t.lookup(MESSAGES["form"]))
    submitted = {"id": made.id, "due": t.date(made.due_at)}
    return render_page(pledge, request, country=country, complaint_id=made.id, submitted=submitted)


__all__ = ["PATH", "page_path", "render_page", "router"]
