"""The console's form for a request received by phone, post, e-mail or in person.

It takes what the JSON API takes (the second data points the policy declares
as verifiers, a rectification's corrections, an agent's details) and hands it
to :func:`pledge.rights.staff_intake.submit_for_person`, the same intake as
``pledge requests create``. The person gets the same code mail and link as
from any other path; staff never see the code or the token. A field at fault
gets its message beside it and nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pledge.console.accounts import StaffPrincipal
from pledge.console.permissions import Permission
from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.i18n.catalogues import supported
from pledge.policy import REQUESTABLE
from pledge.rights.correction_input import correctable_fields
from pledge.rights.mails import TITLES
from pledge.rights.staff_intake import (
    STAFF_CHANNELS,
    StaffIntake,
    check_intake,
    submit_for_person,
)
from pledge.web.console import error_text, page
from pledge.web.console_forms import new_form_token, spend_form_token
from pledge.web.deps import PledgeDep, StaffFormDep, require

router = APIRouter(include_in_schema=False)
RequestsEnterer = Annotated[StaffPrincipal, require(Permission.REQUESTS_ENTER)]

CORRECTION_ROWS = 3
CHANNELS = {
    "phone": "Phone",
    "post": "Post",
    "email": "E-mail",
    "in_person": "In person",
}
FRIENDLY = {
    "email": "not a valid e-mail address",
    "agent_email": "not a valid e-mail address",
    "country": "a two-letter country code (ISO 3166-1), such as FR or US",
    "type": "choose a request type",
    "channel": "choose how the request was received",
}
"""Messages in place of the schema's own (a regular expression means nothing to staff)."""


LANGUAGE_NAMES = {"en": "English", "de": "Deutsch (German)"}
"""How the language select names the catalogues shipped; another shows its code."""


def _choices(pledge: Pledge) -> dict[str, Any]:
    return {
        "types": [(t, TITLES.get(t, t)) for t in sorted(REQUESTABLE)],
        "channels": [(c, CHANNELS[c]) for c in STAFF_CHANNELS],
        "verifiers": pledge.policy.verification.verifiers,
        "fields": correctable_fields(pledge.policy),
        "rows": range(CORRECTION_ROWS),
        "person_languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in supported()],
    }


def _form(
    request: Request,
    pledge: Pledge,
    staff: StaffPrincipal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    response = page(
        request,
        "new_request",
        principal=staff,
        form_token=new_form_token(pledge),
        values=values or {},
        errors=errors or {},
        **_choices(pledge),
        **extra,
    )
    response.status_code = status_code
    return response


def intake_of(form: dict[str, str], pledge: Pledge) -> StaffIntake:
    """The form's inputs as the staff intake reads them."""
    verifiers = [v.field for v in pledge.policy.verification.verifiers]
    return StaffIntake(
        type=form.get("type", ""),
        email=form.get("email", ""),
        country=form.get("country", ""),
        channel=form.get("channel") or form.get("method", ""),
        region=form.get("region", ""),
        details=form.get("details", ""),
        match={name: form.get(f"match_{name}", "") for name in verifiers},
        corrections=[
            (form.get(f"correction_field_{i}", ""), form.get(f"correction_value_{i}", ""))
            for i in range(CORRECTION_ROWS)
        ],
        agent_name=form.get("agent_name", ""),
        agent_email=form.get("agent_email", ""),
        agent_permission=form.get("agent_permission", ""),
        language=form.get("language", ""),
    )


def _input_for(name: str, form: dict[str, str], verifiers: set[str]) -> str:
    """The form input a service field name (``match.phone``, ``corrections.company``) is about."""
    head, _, rest = name.partition(".")
    if head == "match":
        return f"match_{rest}" if rest in verifiers else "match"
    if head == "agent":
        return f"agent_{rest}" if rest in {"name", "email", "permission"} else "agent"
    if head == "corrections" and rest:
        for i in range(CORRECTION_ROWS):
            if form.get(f"correction_field_{i}", "").strip() == rest:
                return f"correction_value_{i}"
        return "corrections"
    if head == "method":
        return "channel"
    if head in {
        "type",
        "email",
        "country",
        "region",
        "details",
        "channel",
        "corrections",
        "language",
    }:
        return head
    return "form"


def field_errors(exc: ValidationFailed, form: dict[str, str], pledge: Pledge) -> dict[str, str]:
    """Each problem under the input it is about, in words staff can act on."""
    verifiers = {v.field for v in pledge.policy.verification.verifiers}
    known = {f.id for f in correctable_fields(pledge.policy)}
    errors: dict[str, str] = {}
    for name, message in (exc.fields or {"form": exc.message}).items():
        target = _input_for(name, form, verifiers)
        if target.startswith("correction_value_"):
            row = target.removeprefix("correction_value_")
            if form.get(f"correction_field_{row}", "").strip() not in known:
                target = f"correction_field_{row}"
        friendly = FRIENDLY.get(target)
        if friendly and ("should" in message or "Value error" in message or "Field" in message):
            message = friendly
        errors.setdefault(target, message)
    return errors


@router.get("/admin/requests/new")
def new_request_form(
    request: Request, pledge: PledgeDep, staff: RequestsEnterer, created: str = ""
) -> Response:
    return _form(request, pledge, staff, created=created)


@router.post("/admin/requests/new")
def new_request(
    request: Request, pledge: PledgeDep, staff: RequestsEnterer, form: StaffFormDep
) -> Response:
    """Check everything, spend the form's one-use token, then record and mail."""
    values = {k: v for k, v in form.items() if k not in {"csrf", "form_token"}}
    intake = intake_of(form, pledge)
    try:
        check_intake(pledge, intake)
    except ValidationFailed as exc:
        errors = field_errors(exc, form, pledge)
        return _form(request, pledge, staff, values=values, errors=errors, status_code=422)
    refused = spend_form_token(pledge, form.get("form_token", ""))
    if refused is not None:
        return _form(
            request, pledge, staff, values=values, errors={"form": refused}, status_code=409
        )
    try:
        submitted = submit_for_person(pledge, intake, actor=staff.actor)
    except ValidationFailed as exc:
        errors = field_errors(exc, form, pledge)
        return _form(request, pledge, staff, values=values, errors=errors, status_code=422)
    except PledgeError as exc:
        return _form(
            request,
            pledge,
            staff,
            values=values,
            errors={"form": error_text(exc)},
            status_code=exc.status_code if 400 <= exc.status_code < 500 else 400,
        )
    return RedirectResponse(f"/admin/requests/new?created={submitted.id}", status_code=303)
