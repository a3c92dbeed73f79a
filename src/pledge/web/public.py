"""Routes anyone may call: health and the public policy page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from pledge.policy import render_html
from pledge.web.deps import PledgeDep

router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/policy", response_class=HTMLResponse)
def policy_page(pledge: PledgeDep) -> HTMLResponse:
    return HTMLResponse(render_html(pledge.policy))
