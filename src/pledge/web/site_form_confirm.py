"""``/forms/confirm/{token}``: the link mailed after a site form, where the person confirms.

``GET`` only shows what the link confirms and a button: mail scanners and
link previews open links, and must not give anyone's consent. ``POST`` (the
button) records the held answers as the person's own, with the click's
address and browser as evidence, and keeps a submission that waited for its
consent; the link then stops working. A link that is unknown, forged, used or
expired gets the same page (404), which tells nothing about anyone.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from pledge.core import Pledge
from pledge.errors import PledgeError, ValidationFailed
from pledge.policy import SiteForm
from pledge.recruiting.positions import check_position
from pledge.site_forms.confirmations import CONFIRM_PATH, Pending, peek, take
from pledge.site_forms.submit import confirm_held
from pledge.web.api.forms import seen_in
from pledge.web.deps import PledgeDep
from pledge.web.language import request_language
from pledge.web.site_form_posts import names_position
from pledge.web.templating import PUBLIC_FORM_POLICY, render, switch_back_to

router = APIRouter(include_in_schema=False)
PATH = CONFIRM_PATH + "{token}"


def _page(
    pledge: Pledge,
    request: Request,
    token: str,
    form_id: str | None,
    *,
    done: bool = False,
    pending: Pending | None = None,
) -> HTMLResponse:
    switch_back_to(request, CONFIRM_PATH + token)
    form = pledge.policy.site.form(form_id) if form_id else None
    text = form.text(request_language(request).code) if form else None
    asked = {q.id for q in form.consents} if form else set()
    answers = {k: v for k, v in (pending.answers if pending else {}).items() if k in asked}
    html = render(
        request,
        "site_form_confirm.html",
        path=CONFIRM_PATH + token,
        title=text.title if text else None,
        found=form is not None,
        done=done,
        yes=[text.consents[k] for k, v in answers.items() if v] if text else [],
        no=[text.consents[k] for k, v in answers.items() if not v] if text else [],
        keeps_form=pending is not None and pending.keeps_form,
        controller=pledge.policy.controller.short_name,
    )
    status = 200 if form is not None else 404
    response = HTMLResponse(html, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Content-Security-Policy"] = PUBLIC_FORM_POLICY
    return response


@router.get(PATH, response_class=HTMLResponse)
async def show_confirmation(token: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    pending = await run_in_threadpool(peek, pledge, token)
    return _page(pledge, request, token, pending.form_id if pending else None, pending=pending)


@router.post(PATH, response_class=HTMLResponse)
async def confirm(token: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    return await run_in_threadpool(_confirm, pledge, request, token)


def _confirm(pledge: Pledge, request: Request, token: str) -> HTMLResponse:
    taken = take(pledge, token)
    form = pledge.policy.site.form(taken[0]) if taken else None
    if taken is None or form is None:
        return _page(pledge, request, token, None)
    held = _still_wanted(pledge, form, taken[1])
    if held is None:
        return _page(pledge, request, token, None)
    try:
        confirm_held(pledge, form, held, seen_in(request))
    except PledgeError:
        # The policy changed since the form was sent (a purpose or channel gone): nothing
        # it no longer allows is recorded, and the person is told the link did not work.
        return _page(pledge, request, token, None)
    return _page(pledge, request, token, form.id, done=True)


def _still_wanted(pledge: Pledge, form: SiteForm, held: dict[str, Any]) -> dict[str, Any] | None:
    """The held answers, less an application whose position closed while the link waited
    (closing would have deleted it); None when nothing is left to confirm."""
    record = held.get("record")
    if not (names_position(form) and isinstance(record, dict)):
        return held
    try:
        check_position(pledge, record.get("data") or {})
    except ValidationFailed:
        held = {**held, "record": None}
    return held if held.get("record") is not None or held.get("answers") else None
