"""``/api/v1/forms``: the site's collection points, for anyone (and the embeddable script).

``GET /api/v1/forms`` lists the policy's forms, each with a fresh spam token;
``GET /api/v1/forms/{id}`` one form; ``POST /api/v1/forms/{id}`` a submission
(JSON, or multipart with a file) → 201, or 422 naming each field at fault with
nothing stored, 404 for a form the policy does not declare, 429 past a rate
limit. Answers carry ``Access-Control-Allow-Origin: *`` (no credentials), so a
company's own pages may embed the forms with ``/static/forms.js``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pledge.core import Pledge
from pledge.errors import NotFound, ValidationFailed
from pledge.i18n import Language, source_language
from pledge.policy import SiteForm
from pledge.records.schemas import RecordOut
from pledge.site_forms.describe import describe
from pledge.site_forms.intake import Value
from pledge.site_forms.screen import screen, worded
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
) -> RecordOut:
    """Check (spam, fields, age), count, then keep; the API's messages are English."""
    try:
        submission = screen(pledge, form, values)
    except ValidationFailed as exc:
        fields = worded(pledge, exc.fields, source_language())
        raise ValidationFailed("the form is not valid", fields=fields) from None
    throttle_site_form(pledge, request, submission.email)
    return submit(pledge, form, submission, t, seen_in(request))


def seen_in(request: Request) -> Seen:
    return Seen(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
