"""The web application factory: wraps one Pledge, holds no logic of its own."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pledge.core import Pledge
from pledge.web import consent_pages, console, console_pages, privacy_center, public
from pledge.web.access_log import install_access_log_filter
from pledge.web.api import consents, policy, records, requests, service
from pledge.web.errors import install_error_handlers
from pledge.web.limits import BodyLimitMiddleware


def create_app(pledge: Pledge) -> FastAPI:
    app = FastAPI(
        title="Pledge",
        summary="Privacy operations: the policy as code, and the system that keeps it.",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.pledge = pledge
    install_error_handlers(app)
    for router in (
        public.router,
        policy.router,
        records.router,
        service.router,
        requests.router,
        privacy_center.router,
        console.router,
        console_pages.router,
        consents.router,
        consent_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    install_access_log_filter()
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=pledge.settings.max_body_bytes,
        larger={"/api/v1/marketing/filter": pledge.settings.max_send_list_bytes},
    )
    return app
