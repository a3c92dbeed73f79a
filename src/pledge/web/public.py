"""Routes anyone may call: health and the public policy page."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from pledge.announcements import publication, publications
from pledge.errors import NotFound
from pledge.policy import render_html
from pledge.web.deps import PledgeDep
from pledge.web.templating import render

router = APIRouter(tags=["public"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/healthz")
def healthz() -> Health:
    return Health()


@router.get("/policy", response_class=HTMLResponse)
def policy_page(pledge: PledgeDep, request: Request) -> HTMLResponse:
    """The policy in force; after a change, the notice of it first, as on every public page."""
    page = render_html(pledge.policy)
    notice = render(request, "policy_notice.html").strip()
    if notice:
        page = page.replace("<body>", f"<body>\n{notice}", 1)
    return HTMLResponse(page)


@router.get("/policy/versions", response_class=HTMLResponse)
def policy_versions_page(pledge: PledgeDep, request: Request) -> HTMLResponse:
    """Every version the policy has had, with the dates each was in force."""
    with pledge.sessions() as session:
        found = publications(session)
    return HTMLResponse(render(request, "policy_versions.html", versions=found[::-1], shown=None))


@router.get("/policy/versions/{number}", response_class=HTMLResponse)
def policy_version_page(pledge: PledgeDep, request: Request, number: int) -> HTMLResponse:
    """One version: its dates and what changed from the one before, in the policy's words."""
    with pledge.sessions() as session:
        found = publication(session, number)
    if found is None:
        raise NotFound("no such policy version")
    names = {
        section: {item["id"]: item["name"] for item in found["policy"].get(section, [])}
        for section in ("categories", "purposes", "recipients")
    }
    return HTMLResponse(
        render(request, "policy_versions.html", versions=[found], shown=found, names=names)
    )
