"""Routes anyone may call: health and the public policy page."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from pledge.policy import render_html
from pledge.web.deps import PledgeDep

router = APIRouter(tags=["public"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/healthz")
def healthz() -> Health:
    return Health()


@router.get("/policy", response_class=HTMLResponse)
def policy_page(pledge: PledgeDep) -> HTMLResponse:
    return HTMLResponse(render_html(pledge.policy))
