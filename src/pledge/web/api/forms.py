"""``/api/v1/forms``: the site's collection points, for anyone (and the embeddable script).

``GET /api/v1/forms`` lists the policy's forms, each with a fresh spam token;
``GET /api/v1/forms/{id}`` one form; ``POST /api/v1/forms/{id}`` a submission
(JSON, or multipart with a file) → 201, or 422 naming each field at fault with
nothing stored, 404 for a form the policy does not declare, 429 past a rate
limit. Answers carry ``Access-Control-Allow-Origin: *`` (no credentials), so a
company's own pages may embed the forms with ``/static/forms.js``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.errors import NotFound, ValidationFailed
from pledge.i18n import Language
from pledge.policy import SiteForm
from pledge.site_forms.describe import describe
from pledge.site_forms.intake import Value, check_submission
from pledge.site_forms.spam import TOKEN_FIELD, token_problem
from pledge.site_forms.submit import Seen, submit
from pledge.web.deps import PledgeDep
from pledge.web.intake import throttle_site_form
from pledge.web.language import request_language
from pledge.web.site_form_posts import read_values

router = APIRouter(tags=["forms"])
OPEN = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def declared(pledge: Pledge, form_id: str) -> SiteForm:
    form = pledge.policy.site.form(form_id)
    if form is None:
        raise NotFound("no such form")
    return form


@router.get("/api/v1/forms")
def list_forms(request: Request, pledge: PledgeDep) -> JSONResponse:
    """Every form the policy declares, in the reader's language, each with a spam token."""
    code = request_language(request).code
    body = [describe(pledge, form, code) for form in pledge.policy.site.forms]
    return JSONResponse(body, headers=OPEN)


@router.get("/api/v1/forms/{form_id}")
def one_form(form_id: str, request: Request, pledge: PledgeDep) -> JSONResponse:
    form = declared(pledge, form_id)
    return JSONResponse(describe(pledge, form, request_language(request).code), headers=OPEN)


@router.post("/api/v1/forms/{form_id}", status_code=201)
async def submit_form(form_id: str, request: Request, pledge: PledgeDep) -> JSONResponse:
    form = declared(pledge, form_id)
    values = await read_values(request)
    t = request_language(request)
    out = await run_in_threadpool(accept, pledge, request, form, values, t)
    body = {"id": out.id, "form": form.id, "status": "received"}
    return JSONResponse(body, status_code=201, headers=OPEN)


def accept(
    pledge: Pledge, request: Request, form: SiteForm, values: dict[str, Value], t: Language
) -> Any:
    """Check (spam, fields, age), count, then keep; English messages for the API."""
    submission = checked(pledge, form, values)
    throttle_site_form(pledge, request, submission.email)
    seen = Seen(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
    return submit(pledge, form, submission, t, seen)


def checked(pledge: Pledge, form: SiteForm, values: dict[str, Value]) -> Any:
    """The submission, or ValidationFailed naming the fields (English, ``%(age)d`` filled)."""
    token = values.get(TOKEN_FIELD)
    spam = token_problem(pledge, form.id, token if isinstance(token, str) else "")
    try:
        submission = check_submission(pledge.policy, form, values, utcnow().date())
    except ValidationFailed as exc:
        fields = dict(exc.fields)
        if spam:
            fields[TOKEN_FIELD] = spam
        raise ValidationFailed("the form is not valid", fields=english(pledge, fields)) from None
    if spam:
        raise ValidationFailed("the form is not valid", fields=english(pledge, {TOKEN_FIELD: spam}))
    return submission


def english(pledge: Pledge, fields: dict[str, str]) -> dict[str, str]:
    return {
        k: v % {"age": pledge.policy.minimum_age} if "%(" in v else v for k, v in fields.items()
    }
