"""The privacy center's form for reporting that a child under the minimum age gave us data.

``GET /privacy-center/child-report`` shows it; ``POST`` records the report
for staff (:func:`pledge.rights.child_reports.submit_child_report`) and mails
the reporter a receipt. No code is asked of anyone: staff check the report by
their own means before they erase. The form is protected and spent like the
request forms (:func:`pledge.web.request_forms.spend`), and a field at fault
gets its message beside it with nothing written.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pledge.access.throttle import Throttled
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.i18n import N_
from pledge.rights.child_reports import RELATIONS, ChildReportIn, submit_child_report
from pledge.validation import parse_model
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.form_tokens import form_token, keep_nonce, nonce_of
from pledge.web.intake import throttle_intake
from pledge.web.language import request_language
from pledge.web.request_forms import spend
from pledge.web.templating import PUBLIC_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)

PATH = "/privacy-center/child-report"
MESSAGES = {
    "email": N_("Enter your e-mail address, such as name@example.org."),
    "child_email": N_("This is not an e-mail address; please check it."),
    "child_phone": N_("This is not a phone number; please check it."),
    "child": N_("Give the child's e-mail address or phone number, as they gave it to us."),
    "relation": N_("Choose how you know the child."),
    "details": N_("Please shorten this text."),
    "form": N_("Please check the form."),
}


def _page(
    pledge: Pledge,
    request: Request,
    country: str,
    region: str | None,
    *,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    nonce = nonce_of(request)
    switch_back_to(request, PATH, {"country": country, "region": region or ""})
    context: dict[str, Any] = {"values": {}, "errors": {}, **extra}
    html = render(
        request,
        "child_report.html",
        path=PATH,
        form_token=form_token(pledge, nonce, PATH),
        controller=pledge.policy.controller.short_name,
        minimum_age=pledge.policy.minimum_age,
        relations=RELATIONS,
        country=country,
        region=region,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    keep_nonce(response, nonce, secure=request.url.scheme == "https")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = PUBLIC_FORM_POLICY
    return response


def _place(country: str, region: str | None) -> tuple[str, str | None]:
    return country.strip().upper()[:2], (region or "").strip().upper()[:8] or None


@router.get(PATH, response_class=HTMLResponse)
def child_report_form(
    request: Request, pledge: PledgeDep, country: str = "", region: str | None = None
) -> HTMLResponse:
    return _page(pledge, request, *_place(country, region))


def _errors(exc: ValidationFailed) -> dict[str, str]:
    """Each problem under its input; a missing identifier goes beside the child's e-mail."""
    errors: dict[str, str] = {}
    for name in exc.fields or {"form": ""}:
        key = name if name in MESSAGES else "form"
        if name == "body":  # the model's own check: neither identifier given
            key = "child"
        errors.setdefault("child_email" if key == "child" else key, MESSAGES[key])
    return errors


@router.post(PATH, response_class=HTMLResponse)
def send_child_report(request: Request, pledge: PledgeDep, fields: FormDep) -> HTMLResponse:
    """A plain ``def``: the report is written and its mail queued in a thread."""
    t = request_language(request)
    country, region = _place(fields.get("country", ""), fields.get("region"))
    values = {k: v for k, v in fields.items() if k != "form_token"}
    body = {
        "email": fields.get("email", "").strip(),
        "child_email": fields.get("child_email", "").strip() or None,
        "child_phone": fields.get("child_phone", "").strip() or None,
        "relation": fields.get("relation", ""),
        "details": fields.get("details", "").strip() or None,
        "country": country or "ZZ",
        "region": region,
        "language": t.code,
    }

    def again(status: int, **extra: Any) -> HTMLResponse:
        return _page(pledge, request, country, region, status_code=status, values=values, **extra)

    try:
        parsed = parse_model(ChildReportIn, body)
        if parsed.child_phone is not None:
            pledge.keys.blind_index("phone", parsed.child_phone, parsed.country)
    except ValidationFailed as exc:
        fields_at_fault = {"child_phone": ""} if "phone" in exc.fields else exc.fields
        errors = _errors(ValidationFailed("invalid", fields=fields_at_fault))
        return again(422, errors={k: t.lookup(v) for k, v in errors.items()})
    refused = spend(pledge, request, PATH, fields.get("form_token", ""))
    if refused is not None:
        return again(409, error=t.lookup(refused))
    try:
        throttle_intake(pledge, request, parsed.email)
        row = submit_child_report(pledge, parsed)
    except Throttled as exc:
        response = again(429, error=t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except PledgeError:
        return again(400, error=t.lookup(MESSAGES["form"]))
    done = {"id": row.id, "due": t.date(row.due_at)}
    return _page(pledge, request, country, region, submitted=done)
