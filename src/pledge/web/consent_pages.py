"""Pages for people, not programs: unsubscribe and preference center, the banner script, a demo.

``/u/{token}`` needs no login: the token is the capability, and it is opaque
(no address in it). A ``POST`` to it is RFC 8058's one-click unsubscribe;
the page's forms post to sub-paths of the same token. None of these pages
embeds anything from another origin. Each declares its form body, if any,
and its HTML answer, so ``/api/openapi.json`` documents them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from pledge import consent
from pledge.consent.schemas import OneClickForm, PreferencesForm, openapi_body
from pledge.consent.unsubscribe import LinkTarget
from pledge.core import Pledge
from pledge.i18n import N_
from pledge.web.deps import PledgeDep
from pledge.web.language import request_language
from pledge.web.templating import switch_back_to, templates

router = APIRouter()

STATIC = Path(__file__).with_name("static")
CHANNEL_NAMES = {"email": N_("E-mail"), "post": N_("Post"), "phone": N_("Phone calls")}
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
FORM = "application/x-www-form-urlencoded"


@router.get("/consent.js", include_in_schema=False)
def consent_script() -> Response:
    """The banner, first-party: it talks only to the origin it was loaded from."""
    return FileResponse(
        STATIC / "consent.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/demo", response_class=HTMLResponse)
def demo(request: Request, pledge: PledgeDep) -> HTMLResponse:
    """Stand-in analytics scripts, served locally, held back until consent."""
    return templates.TemplateResponse(
        request,
        "consent/demo.html",
        {"controller": pledge.policy.controller.short_name},
    )


def _visit(request: Request) -> consent.Visit:
    return consent.Visit(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
    )


def _target(pledge: Pledge, token: str) -> LinkTarget:
    return consent.read_token(pledge.keys, token, valid_days=pledge.settings.unsubscribe_link_days)


def _page(
    request: Request, pledge: Pledge, token: str, target: LinkTarget, notice: str | None
) -> HTMLResponse:
    purpose = pledge.policy.purpose(target.purpose)
    switch_back_to(request, f"/u/{token}")  # the forms' answers cannot be linked to
    t = request_language(request)
    context: dict[str, Any] = {
        "controller": pledge.policy.controller.short_name,
        "topics": consent.preferences(pledge, target),
        "channel_names": {key: t.lookup(name) for key, name in CHANNEL_NAMES.items()},
        "list_name": purpose.name if purpose else target.purpose,
        "token": token,
        "notice": t.lookup(notice) if notice else None,
    }
    return templates.TemplateResponse(
        request, "consent/preferences.html", context, headers=NO_STORE
    )


@router.get("/u/{token}", response_class=HTMLResponse)
def preference_center(token: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    return _page(request, pledge, token, _target(pledge, token), None)


@router.post(
    "/u/{token}",
    response_class=HTMLResponse,
    openapi_extra=openapi_body(OneClickForm, media_type=FORM, required=False),
)
def unsubscribe_one_click(token: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    """RFC 8058 one-click: whatever the body, this list's e-mails stop now.

    So the body is declared for the documentation but never parsed: a mail
    client's odd body must not keep a person subscribed.
    """
    target = _target(pledge, token)
    consent.one_click(pledge, target, _visit(request))
    return _page(request, pledge, token, target, N_("You are unsubscribed from these e-mails."))


@router.post("/u/{token}/everything", response_class=HTMLResponse)
def unsubscribe_everything(token: str, request: Request, pledge: PledgeDep) -> HTMLResponse:
    """The page's "Unsubscribe from everything" button: a form with no fields."""
    target = _target(pledge, token)
    consent.unsubscribe_from_all(pledge, target, _visit(request))
    return _page(
        request,
        pledge,
        token,
        target,
        N_("You will receive no more marketing from us, by any means."),
    )


@router.post("/u/{token}/preferences", response_class=HTMLResponse)
async def save_preferences(
    token: str, request: Request, pledge: PledgeDep, form: Annotated[PreferencesForm, Form()]
) -> HTMLResponse:
    target = _target(pledge, token)
    wanted = set()
    for value in form.receive:
        purpose, _, channel = value.partition(":")
        wanted.add((purpose, channel))
    await run_in_threadpool(consent.save_preferences, pledge, target, wanted, _visit(request))
    return await run_in_threadpool(
        _page, request, pledge, token, target, N_("Your choices were saved.")
    )
