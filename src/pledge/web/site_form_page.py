"""``/forms/{id}``: a site form as a server-rendered page, in the reader's language.

The page needs no script: it works with scripts off. With scripts on, it carries
the first-party cookie banner (``/consent.js``) and the site beacon, held back
until the visitor accepts analytics (``SITE_FORM_POLICY`` lets only scripts of
this origin run); the ``<form>``'s id is the form's id, which the beacon reports
as the form used. It shows the form's notice, a link to the
child-report path, each field with its label, and after a refused submission
the message beside each field at fault, the values kept (never a file), and
nothing stored. ``?country=`` preselects the country, which decides which
consent questions are asked and whether a box starts ticked (never in an
opt-in jurisdiction).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from pledge.access.throttle import Throttled
from pledge.core import Pledge
from pledge.errors import ValidationFailed
from pledge.i18n import Language
from pledge.policy import SiteForm
from pledge.recruiting.applications import POSITION_FIELD
from pledge.site_forms.describe import CHILD_REPORT_PATH
from pledge.site_forms.intake import AGE_FIELD, MAX_LENGTH, Value
from pledge.site_forms.screen import worded
from pledge.site_forms.spam import HONEYPOT, TOKEN_FIELD, issue_token
from pledge.site_forms.submit import submit
from pledge.site_forms.uploads import max_bytes
from pledge.web.api.forms import answer_no_sooner, declared, seen_in
from pledge.web.countries import countries, is_country
from pledge.web.deps import PledgeDep
from pledge.web.language import request_language
from pledge.web.site_form_posts import position_choices, read_values, take
from pledge.web.templating import SITE_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)
PATH = "/forms/{form_id}"
ACCEPT = {"pdf": ".pdf,application/pdf", "docx": ".docx"}


def _page(
    pledge: Pledge,
    request: Request,
    form: SiteForm,
    *,
    country: str,
    status_code: int = 200,
    values: dict[str, Value] | None = None,
    **extra: Any,
) -> HTMLResponse:
    t = request_language(request)
    path = PATH.format(form_id=form.id)
    switch_back_to(request, path, {"country": country} if country else None)
    jurisdiction = pledge.policy.jurisdiction_for(country).id if country else None
    shown = [q for q in form.consents if jurisdiction is None or q.asked_in(jurisdiction)]
    kept = {k: v for k, v in (values or {}).items() if isinstance(v, str)}
    positions = position_choices(pledge, form)
    html = render(
        request,
        "site_form.html",
        path=path,
        form=form,
        text=form.text(t.code),
        token=issue_token(pledge, form.id),
        token_field=TOKEN_FIELD,
        honeypot=HONEYPOT,
        age_field=AGE_FIELD,
        consents=shown,
        ticked={q.id for q in shown if jurisdiction in q.checked_in},
        answered={q.id for q in shown if (values or {}).get(q.id)},
        limits={f.id: f.max_length or MAX_LENGTH.get(f.type, 320) for f in form.fields},
        accept={f.id: ",".join(ACCEPT[k] for k in f.accept) for f in form.fields},
        file_sizes={f.id: max_bytes(f) // 1_000_000 for f in form.fields if f.type == "file"},
        country=country,
        countries=countries(t.code),
        choices={} if positions is None else {POSITION_FIELD: positions},
        child_report=f"{CHILD_REPORT_PATH}?country={country}",
        minimum_age=pledge.policy.minimum_age,
        controller=pledge.policy.controller.short_name,
        values=kept,
        errors=extra.pop("errors", {}),
        **extra,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = SITE_FORM_POLICY
    return response


def _country(value: object) -> str:
    code = value.strip().upper()[:2] if isinstance(value, str) else ""
    return code if is_country(code) else ""


@router.get(PATH, response_class=HTMLResponse)
def show_form(form_id: str, request: Request, pledge: PledgeDep, country: str = "") -> HTMLResponse:
    return _page(pledge, request, declared(pledge, form_id), country=_country(country))


@router.post(PATH, response_class=HTMLResponse)
async def send_form(form_id: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    form = declared(pledge, form_id)
    values = await read_values(request)
    t = request_language(request)
    started = time.monotonic()
    page = await run_in_threadpool(_send, pledge, request, form, values, t)
    if page.status_code == 201:
        await answer_no_sooner(pledge, started)
    return page


def _send(
    pledge: Pledge, request: Request, form: SiteForm, values: dict[str, Value], t: Language
) -> HTMLResponse:
    country = _country(values.get("country"))
    try:
        submission = take(pledge, request, form, values)
    except ValidationFailed as exc:
        errors = worded(pledge, exc.fields, t)
        return _page(
            pledge, request, form, country=country, status_code=422, values=values, errors=errors
        )
    except Throttled as exc:
        error = t.gettext("Sorry: %(problem)s.", problem=t.lookup(exc.message))
        response = _page(
            pledge, request, form, country=country, status_code=429, values=values, error=error
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    done = submit(pledge, form, submission, t, seen_in(request))
    return _page(
        pledge,
        request,
        form,
        country=country,
        status_code=201,
        submitted=True,
        confirm_by_mail=done.confirm_by_mail,
    )
