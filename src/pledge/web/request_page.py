"""The request's own page, opened from the link in the code mail.

``/privacy-center/requests/{id}`` shows the same code form for every id, known
or not, until the right code is typed; the link reveals nothing and verifies
nothing. The code (:mod:`pledge.rights.page`) verifies the request if it
waited for it and signs this browser in to that one request: a cookie
``pledge_request`` that is HttpOnly, SameSite=Strict, Secure behind https,
scoped to this request's path and ``PLEDGE_REQUEST_PAGE_MINUTES`` long. Signed
in, the page shows the status, the timeline, the deadline and what happens
next, for a completed access or portability request the package to
download (HTML, JSON, ZIP of CSV files) with that cookie only, and for a
rectification made without corrections a form with one input per field held
(:mod:`pledge.web.correction_form`, :mod:`pledge.rights.proposals`).

Every form carries a token bound to this browser, this page and the hour
(:mod:`pledge.web.form_tokens`); every answer is ``no-store`` and loads
nothing (no script at all). Routes are plain ``def``: their database work
runs in the thread pool.

The page is in the reader's language (:mod:`pledge.web.language`), through the
shared templates, not in the request's: whoever holds the link and the code
reads it in their own. Pledge's error messages are marked ``N_`` where they are
raised and translated here, at display, so the API keeps its English ``message``.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pledge import rights
from pledge.access.throttle import Rule, Throttled, enforce
from pledge.core import Pledge
from pledge.errors import NotFound, PledgeError, ValidationFailed
from pledge.i18n import N_, Language
from pledge.rights.export import PackageGone
from pledge.rights.lifecycle import REQUEST_PAGE_PATH
from pledge.rights.mails import label
from pledge.rights.page import WRONG_CODE, PageState
from pledge.web import correction_form
from pledge.web.deps import FormDep, PledgeDep
from pledge.web.form_tokens import form_ok, form_token, keep_nonce, nonce_of
from pledge.web.intake import HOUR, throttle_intake
from pledge.web.language import request_language
from pledge.web.package_page import STYLE_HASH, render_package
from pledge.web.templating import environment as templates
from pledge.web.templating import page_context, switch_back_to

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "pledge_request"
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_CODE = re.compile(r"^[0-9]{8}$")
_SPACING = re.compile(r"[\s-]+")
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'self' {STYLE_HASH}; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
}
"""The page holds a session and, once signed in, the state of a person's request.

Its style is ``/static/pledge.css``; the package page it serves carries the same
stylesheet inline, allowed by its hash. No other style, and no script, applies.
"""
FORMATS = {
    "json": ("application/json", "personal-data.json"),
    "zip": ("application/zip", "personal-data.zip"),
}


def _path(request_id: str) -> str:
    return REQUEST_PAGE_PATH.format(request_id=request_id)


def _secure(pledge: Pledge, request: Request) -> bool:
    return request.url.scheme == "https" or pledge.settings.base_url.startswith("https://")


def _page_session(request: Request) -> rights.PageSession | None:
    value = request.cookies.get(SESSION_COOKIE)
    return rights.PageSession(value) if value else None


def _state(pledge: Pledge, request: Request, request_id: str) -> PageState | None:
    """The signed-in state, or None: no cookie, a cookie of another request, or expired."""
    page = _page_session(request)
    if page is None or not _ID.match(request_id):
        return None
    try:
        return rights.page_state(pledge, request_id, page)
    except NotFound:
        return None


def _sentence(t: Language, message: str) -> str:
    """An error's message (marked ``N_`` where Pledge wrote it) as a sentence in ``t``."""
    words = t.lookup(message)
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


def _problem(t: Language, exc: PledgeError) -> str:
    """What went wrong, in ``t``: a gone package names its day or limit in the page's words."""
    if isinstance(exc, PackageGone) and exc.template:
        values = {
            key: t.date(value) if isinstance(value, date | datetime) else value
            for key, value in exc.values.items()
        }
        return _sentence(t, t.gettext(exc.template, **values))
    return _sentence(t, exc.message)


def _render(
    pledge: Pledge,
    request: Request,
    request_id: str,
    *,
    status: int = 200,
    state: PageState | None = None,
    **context: Any,
) -> HTMLResponse:
    nonce = nonce_of(request)
    switch_back_to(request, _path(request_id))  # a form's answer: the switcher opens the page
    shown = page_context(request)
    t: Language = shown["language"]
    html = templates.get_template("rights/request_page.html").render(
        **shown,
        day=lambda value: t.date(value) if value else "",
        moment=lambda value: f"{t.date(value)}, {value:%H:%M} UTC",
        title=label(t, state.request.type) if state else "",
        controller=pledge.policy.controller.short_name,
        authority=pledge.policy.complaint_authority(state.country if state else None),
        path=_path(request_id),
        csrf=form_token(pledge, nonce, request_id),
        state=state,
        r=state.request if state else None,
        **context,
    )
    response = HTMLResponse(html.encode("utf-8", "replace"), status_code=status, headers=HEADERS)
    keep_nonce(response, nonce, secure=_secure(pledge, request))
    return response


STALE = N_("This form has expired or was not sent from this page. Please try again.")
BAD_CODE = N_("Enter the 8 digits of the code from our e-mail.")
TOO_MANY_CODES = N_("too many codes were asked for this request; please try again later")


@router.get(REQUEST_PAGE_PATH, response_class=HTMLResponse)
def request_page(request_id: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    return _render(pledge, request, request_id, state=_state(pledge, request, request_id))


@router.post(REQUEST_PAGE_PATH, response_class=HTMLResponse)
def enter_code(request_id: str, request: Request, pledge: PledgeDep, fields: FormDep) -> Response:
    """The code: verifies the request if it waited for it, then signs this browser in."""
    t = request_language(request)
    if not form_ok(pledge, request, request_id, fields.get("csrf", "")):
        return _render(pledge, request, request_id, status=400, error=t.lookup(STALE))
    if _state(pledge, request, request_id) is not None:  # a form sent again: already in
        return RedirectResponse(_path(request_id), status_code=303)
    code = _SPACING.sub("", fields.get("code", ""))
    if not _CODE.match(code):
        message = t.lookup(BAD_CODE)
        return _render(pledge, request, request_id, status=400, code_error=message)
    if not _ID.match(request_id):
        return _render(pledge, request, request_id, status=400, code_error=_sentence(t, WRONG_CODE))
    try:
        opened = rights.open_with_code(pledge, request_id, code)
    except PledgeError as exc:
        return _render(
            pledge,
            request,
            request_id,
            status=exc.status_code,
            code_error=_problem(t, exc),
        )
    response = RedirectResponse(_path(request_id), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=pledge.settings.request_page_minutes * 60,
        path=_path(request_id),
        httponly=True,
        samesite="strict",
        secure=_secure(pledge, request),
    )
    return response


SENT = N_(
    "If this link belongs to a request we can still write to, we have mailed a new code "
    "to its e-mail address. The code is valid for 30 minutes."
)


@router.post(REQUEST_PAGE_PATH + "/code", response_class=HTMLResponse)
def new_code(request_id: str, request: Request, pledge: PledgeDep, fields: FormDep) -> Response:
    """Mail a new code to the address on file (never shown); limited per IP and per request."""
    t = request_language(request)
    if not form_ok(pledge, request, request_id, fields.get("csrf", "")):
        return _render(pledge, request, request_id, status=400, error=t.lookup(STALE))
    per_request = Rule("request-code", pledge.settings.request_code_limit, HOUR)
    try:
        throttle_intake(pledge, request, None)
        enforce(
            pledge,
            per_request,
            request_id,
            message=TOO_MANY_CODES,
        )
        if _ID.match(request_id):
            rights.send_page_code(pledge, request_id)
    except Throttled as exc:
        page = _render(pledge, request, request_id, status=429, resend_error=_problem(t, exc))
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except PledgeError as exc:
        return _render(
            pledge,
            request,
            request_id,
            status=exc.status_code,
            resend_error=_problem(t, exc),
        )
    return _render(pledge, request, request_id, message=t.lookup(SENT))


@router.post(REQUEST_PAGE_PATH + "/sign-out", response_class=HTMLResponse)
def sign_out(request_id: str, request: Request, pledge: PledgeDep, fields: FormDep) -> Response:
    """End the session on the server and in the browser."""
    if not form_ok(pledge, request, request_id, fields.get("csrf", "")):
        state = _state(pledge, request, request_id)
        error = request_language(request).lookup(STALE)
        return _render(pledge, request, request_id, status=400, state=state, error=error)
    page = _page_session(request)
    if page is not None and _ID.match(request_id):
        rights.sign_out(pledge, request_id, page)
    response = RedirectResponse(_path(request_id), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_path(request_id))
    return response


CORRECTIONS_SENT = N_(
    "Thank you: we received your corrections. A member of our team reviews them before "
    "they take effect."
)


@router.post(REQUEST_PAGE_PATH + "/corrections", response_class=HTMLResponse)
def send_corrections(
    request_id: str, request: Request, pledge: PledgeDep, fields: FormDep
) -> Response:
    """A rectification's corrections, typed by the signed-in person; nothing kept on error.

    Taken once: the request then awaits review, and a form sent again is told so.
    """
    t = request_language(request)
    state = _state(pledge, request, request_id)
    if not form_ok(pledge, request, request_id, fields.get("csrf", "")):
        return _render(pledge, request, request_id, status=400, state=state, error=t.lookup(STALE))
    page = _page_session(request)
    if state is None or page is None:  # signed out meanwhile: the code form again
        return RedirectResponse(_path(request_id), status_code=303)
    given = correction_form.texts(fields)
    try:
        rights.propose(pledge, request_id, page, given)
    except NotFound:
        return RedirectResponse(_path(request_id), status_code=303)
    except ValidationFailed as exc:
        field_errors, form_error = correction_form.problems(t, exc)
        return _render(
            pledge,
            request,
            request_id,
            status=exc.status_code,
            state=state,
            given=given,
            field_errors=field_errors,
            form_error=form_error,
        )
    except PledgeError as exc:
        state = _state(pledge, request, request_id)
        return _render(
            pledge, request, request_id, status=exc.status_code, state=state, error=_problem(t, exc)
        )
    state = _state(pledge, request, request_id)
    return _render(pledge, request, request_id, state=state, message=t.lookup(CORRECTIONS_SENT))


@router.get(REQUEST_PAGE_PATH + "/download/{form}")
def download(request_id: str, form: str, request: Request, pledge: PledgeDep) -> Response:
    """The package as built at fulfilment; each download counts as a copy (410 after)."""
    page = _page_session(request)
    if page is None or not _ID.match(request_id) or form not in ("html", "json", "zip"):
        return RedirectResponse(_path(request_id), status_code=303)
    try:
        if form == "zip":
            content = rights.package_zip(pledge, request_id, page)
        elif form == "json":
            data = rights.package(pledge, request_id, page)
            text = json.dumps(data, indent=2, ensure_ascii=False)
            content = text.encode("utf-8", "replace")
        else:
            package = rights.package(pledge, request_id, page, form="html")
            html = render_package(pledge.policy, package, request)
            return HTMLResponse(html.encode("utf-8", "replace"), headers=HEADERS)
    except NotFound:  # the session ended: the code form again
        return RedirectResponse(_path(request_id), status_code=303)
    except PledgeError as exc:
        state = _state(pledge, request, request_id)
        return _render(
            pledge,
            request,
            request_id,
            status=exc.status_code,
            state=state,
            error=_problem(request_language(request), exc),
        )
    media_type, filename = FORMATS[form]
    return Response(
        content,
        media_type=media_type,
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
