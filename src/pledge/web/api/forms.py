"""``/api/v1/forms``: the site's collection points, for anyone (and the embeddable script).

``GET /api/v1/forms`` lists the policy's forms, each with a fresh spam token;
``GET /api/v1/forms/{id}`` one form; ``POST /api/v1/forms/{id}`` a submission
(JSON, or multipart with a file) → 201, or 422 naming each field at fault with
nothing stored, 404 for a form the policy does not declare, 429 past a rate
limit. A 201 says the same whatever is held about the address (no record id,
no refusal for a person who restricted processing): only what was sent decides
it. Answers carry ``Access-Control-Allow-Origin: *`` (no credentials), so a
company's own pages may embed the forms with ``/static/forms.js``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from pledge.consent.schemas import openapi_body
from pledge.core import Pledge
from pledge.errors import NotFound, PledgeError, ValidationFailed
from pledge.i18n import Language, source_language
from pledge.policy import SiteForm
from pledge.recruiting.applications import POSITION_FIELD
from pledge.site_forms.describe import describe
from pledge.site_forms.intake import Value
from pledge.site_forms.screen import worded
from pledge.site_forms.submit import Seen, Submitted, submit
from pledge.web.deps import PledgeDep
from pledge.web.errors import retry_after
from pledge.web.language import request_language
from pledge.web.openapi import errors
from pledge.web.site_form_posts import position_choices, read_values, take

router = APIRouter(tags=["forms"])


class ChoiceOut(BaseModel):
    value: str
    label: str


class FieldOut(BaseModel):
    name: str
    label: str
    type: str
    required: bool
    max_length: int | None = None
    accept: list[str] | None = None
    max_bytes: int | None = None
    choices: list[ChoiceOut] | None = Field(
        default=None,
        description="The values the field takes (the open positions of a careers form).",
    )


class ConsentQuestionOut(BaseModel):
    name: str
    purpose: str
    text: str
    version: str
    ask_in: list[str]
    checked_in: list[str]


class FormOut(BaseModel):
    """A site form: the contract's ``id``, ``category``, ``purpose``, ``fields``, and more."""

    id: str
    title: str
    category: str
    purpose: str
    notice: str
    fields: list[FieldOut]
    consents: list[ConsentQuestionOut]
    ask_age: bool
    age_field: str | None
    minimum_age: int
    child_report: str
    honeypot: str
    token_field: str
    token: str
    words: dict[str, str] = Field(
        description="The embeddable script's own words (button, thank-you...), translated."
    )


class SubmissionIn(BaseModel):
    """The form's fields by name (a file as a multipart part), its token and consent answers."""

    model_config = ConfigDict(extra="allow")

    form_token: str
    email: str
    country: str
    homepage: str | None = Field(default=None, description="The honeypot: leave it empty.")
    birth_year: str | None = Field(default=None, description="Where the form has ask_age.")


class SubmittedOut(BaseModel):
    form: str
    status: str = Field(description="``received``, or ``confirm_by_mail``: a link is mailed.")


OPEN = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}


def declared(pledge: Pledge, form_id: str) -> SiteForm:
    form = pledge.policy.site.form(form_id)
    if form is None:
        raise NotFound("no such form")
    return form


@router.get("/api/v1/forms", response_model=list[FormOut], responses=errors(429))
def list_forms(request: Request, pledge: PledgeDep) -> JSONResponse:
    """Every form the policy declares, in the reader's language, each with a spam token."""
    code = request_language(request).code
    body = [described(pledge, form, code) for form in pledge.policy.site.forms]
    return JSONResponse(body, headers=OPEN)


@router.get("/api/v1/forms/{form_id}", response_model=FormOut, responses=errors(404))
def one_form(form_id: str, request: Request, pledge: PledgeDep) -> JSONResponse:
    form = declared(pledge, form_id)
    return JSONResponse(described(pledge, form, request_language(request).code), headers=OPEN)


def described(pledge: Pledge, form: SiteForm, code: str) -> dict[str, Any]:
    """The form as :func:`describe` gives it, with the open positions where it asks for one."""
    body = describe(pledge, form, code)
    choices = position_choices(pledge, form)
    if choices is not None:
        for field in body["fields"]:
            if field["name"] == POSITION_FIELD:
                field["choices"] = [{"value": k, "label": label} for k, label in choices]
                field["required"] = True
    return body


@router.post(
    "/api/v1/forms/{form_id}",
    status_code=201,
    response_model=SubmittedOut,
    responses=errors(400, 404, 413, 422, 429),
    openapi_extra=openapi_body(SubmissionIn),
)
async def submit_form(form_id: str, request: Request, pledge: PledgeDep) -> JSONResponse:
    try:
        form = declared(pledge, form_id)
        values = await read_values(request)
        t = request_language(request)
        started = time.monotonic()
        out = await run_in_threadpool(accept, pledge, request, form, values, t)
        await answer_no_sooner(pledge, started)
    except PledgeError as exc:
        if exc.status_code >= 500:
            raise
        # An embedding page on another origin reads refusals too: the same open headers.
        headers = {**OPEN, **(retry_after(exc) or {})}
        return JSONResponse(exc.to_json(), status_code=exc.status_code, headers=headers)
    status = "confirm_by_mail" if out.confirm_by_mail else "received"
    return JSONResponse({"form": form.id, "status": status}, status_code=201, headers=OPEN)


def accept(
    pledge: Pledge, request: Request, form: SiteForm, values: dict[str, Value], t: Language
) -> Submitted:
    """Count, check (spam, fields, age), then keep; the API's messages are English."""
    try:
        submission = take(pledge, request, form, values)
    except ValidationFailed as exc:
        fields = worded(pledge, exc.fields, source_language())
        raise ValidationFailed("the form is not valid", fields=fields) from None
    return submit(pledge, form, submission, t, seen_in(request))


async def answer_no_sooner(pledge: Pledge, started: float) -> None:
    """Wait (without blocking the loop) until the floor of an accepted submission: what is
    held about the address changes how much work it takes, and must not show in the time."""
    left = pledge.settings.site_form_answer_seconds - (time.monotonic() - started)
    if left > 0:
        await asyncio.sleep(left)


def seen_in(request: Request) -> Seen:
    return Seen(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )
