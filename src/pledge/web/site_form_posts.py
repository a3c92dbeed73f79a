"""Reading a site-form submission: JSON, a URL-encoded form or multipart with a file.

Multipart bodies are parsed in memory (a parser whose spool never rolls over
to a temporary file), so an uploaded résumé never touches the disk in clear;
the body-size limit (:mod:`pledge.web.limits`) has already bounded them.
Text values are checked for refused characters as every form's are.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from pledge.core import Pledge
from pledge.errors import BadRequest
from pledge.policy import Policy, SiteForm
from pledge.recruiting.applications import CATEGORY as APPLICATIONS
from pledge.recruiting.applications import POSITION_FIELD
from pledge.recruiting.positions import check_position, open_choices
from pledge.site_forms.intake import Submission, Value
from pledge.site_forms.screen import screen
from pledge.site_forms.spam import TOKEN_FIELD, spend_token
from pledge.site_forms.uploads import Upload, max_bytes
from pledge.validation import check_text_fields
from pledge.web.intake import throttle_site_form_address, throttle_site_form_caller

MAX_PARTS = 64


class InMemoryParser(MultiPartParser):
    spool_max_size = 64 * 1024 * 1024
    """Above any body the limits let through: files stay in memory."""


def take(pledge: Pledge, request: Request, form: SiteForm, values: dict[str, Value]) -> Submission:
    """Every check, cheapest first; the submission, or Throttled / ValidationFailed.

    The caller's network is counted before anything is examined (a file's
    content included); the token is spent by a valid submission, and only then
    is the address counted, so replaying a spent token cannot use up someone
    else's address's limit.
    """
    throttle_site_form_caller(pledge, request)
    submission = screen(pledge, form, values)
    if names_position(form):
        check_position(pledge, submission.data)
    token = values.get(TOKEN_FIELD)
    spend_token(pledge, form.id, token if isinstance(token, str) else "")
    throttle_site_form_address(pledge, submission.email)
    return submission


def names_position(form: SiteForm) -> bool:
    """An application form asking which position: it must name an open one (recruiting)."""
    return form.category == APPLICATIONS and any(f.id == POSITION_FIELD for f in form.fields)


def position_choices(pledge: Pledge, form: SiteForm) -> list[tuple[str, str]] | None:
    """The open positions to choose from on ``form``; None for a free-text field."""
    return open_choices(pledge) if names_position(form) else None


async def read_values(request: Request) -> dict[str, Value]:
    """The posted fields by name; 400 for a body that is neither JSON nor a form."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return await _multipart(request)
    if kind == "application/x-www-form-urlencoded":
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        body: Any = json.loads(await request.body())
    except ValueError:
        raise BadRequest("the body is not JSON, a URL-encoded form or multipart") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object of field names and values")
    values: dict[str, Value] = {}
    for name, value in body.items():
        if isinstance(value, bool | str):
            values[str(name)] = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[str(name)] = str(value)
    return values


async def _multipart(request: Request) -> dict[str, Value]:
    parser = InMemoryParser(
        request.headers,
        request.stream(),
        max_files=4,
        max_fields=MAX_PARTS,
        max_part_size=64 * 1024,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadRequest(exc.message) from None
    values: dict[str, Value] = {}
    texts: dict[str, str] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                values[name] = Upload(filename=value.filename or "", data=data)
            else:
                texts[name] = value
    finally:
        await form.close()
    check_text_fields(texts)
    values.update(texts)
    return values


FORM_OVERHEAD = 64 * 1024
"""Room for a form's text fields and multipart headers beside its files."""


def upload_paths(policy: Policy) -> dict[str, int]:
    """The paths of forms that take files, and the body each may send: its files and text."""
    paths: dict[str, int] = {}
    for form in policy.site.forms:
        files = sum(max_bytes(f) for f in form.fields if f.type == "file")
        if files:
            for path in (f"/api/v1/forms/{form.id}", f"/forms/{form.id}"):
                paths[path] = files + FORM_OVERHEAD
    return paths
