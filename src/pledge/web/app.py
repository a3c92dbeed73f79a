"""The web application factory: wraps one Pledge, holds no logic of its own."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from starlette.concurrency import run_in_threadpool

from pledge.access import Principal, authenticate_key, cached_principal
from pledge.announcements import Notice, current_notice
from pledge.consent.ledger.writer import ConsentWriter
from pledge.core import Pledge
from pledge.i18n import load_all as load_catalogues
from pledge.jobs import connect_jobs
from pledge.web import (
    api_docs,
    child_report_form,
    complaint_form,
    complaint_page,
    consent_pages,
    console,
    console_account,
    console_analytics,
    console_breaches,
    console_complaints,
    console_deliveries,
    console_holds,
    console_legal_requests,
    console_pages,
    console_records,
    console_recruiting,
    console_staff,
    console_systems,
    console_transfers,
    privacy_center,
    public,
    request_forms,
    request_page,
    site_form_confirm,
    site_form_page,
    well_known,
)
from pledge.web.access_log import install_access_log_filter
from pledge.web.api import (
    analytics,
    breaches,
    complaints,
    consents,
    forms,
    holds,
    legal_requests,
    policy,
    records,
    requests,
    service,
    systems,
    transfers,
)
from pledge.web.errors import install_error_handlers
from pledge.web.language import LanguageMiddleware
from pledge.web.limits import BodyLimitMiddleware
from pledge.web.openapi import install_openapi
from pledge.web.security_headers import SecurityHeadersMiddleware
from pledge.web.site_form_posts import upload_paths
from pledge.web.text_guard import TextGuardMiddleware

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start, read the changed-policy notice the public pages show; at shutdown, write the
    consent acts still queued before the process ends."""
    app.state.policy_notice = await run_in_threadpool(_at_start, app.state.pledge)
    yield
    writer: ConsentWriter = app.state.consent_writer
    writer.close()


def _at_start(pledge: Pledge) -> Notice | None:
    """What needs the database once, before the first request: the key ring (so no request
    reads it on the event loop) and the changed-policy notice."""
    pledge.keys.refresh()
    return current_notice(pledge)


def create_app(pledge: Pledge) -> FastAPI:
    app = FastAPI(
        lifespan=_lifespan,
        # FastAPI's OpenTelemetry bridge would export full URLs (``?email=``) to any
        # collector configured in the process, and checks for one on every request.
        telemetry=NO_TELEMETRY,
        title="Pledge",
        summary="Privacy operations: the policy as code, and the system that keeps it.",
        version="0.1.0",
        # FastAPI's Swagger UI loads from a CDN; a local page replaces it (PLEDGE_API_DOCS=1).
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.pledge = pledge
    load_catalogues()  # a broken catalogue stops the start, not a visitor's page
    connect_jobs(pledge)
    app.state.consent_writer = ConsentWriter(pledge)
    install_error_handlers(app)
    install_openapi(app, pledge.policy)
    # Routes are matched in order: the busiest API (consents) goes first.
    for router in (
        consents.router,
        public.router,
        well_known.router,
        policy.router,
        records.router,
        service.router,
        holds.router,
        legal_requests.router,
        breaches.router,
        transfers.router,
        systems.router,
        requests.router,
        complaints.router,
        analytics.router,
        forms.router,
        privacy_center.router,
        request_forms.router,
        child_report_form.router,
        complaint_form.router,
        complaint_page.router,
        request_page.router,
        site_form_page.router,
        site_form_confirm.router,
        console.router,
        console_pages.router,
        console_account.router,
        console_deliveries.router,
        console_holds.router,
        console_legal_requests.router,
        console_breaches.router,
        console_transfers.router,
        console_complaints.router,
        console_staff.router,
        console_records.router,
        console_systems.router,
        console_analytics.router,
        console_recruiting.router,
        consent_pages.router,
    ):
        app.include_router(router)
    if pledge.settings.api_docs:
        app.include_router(api_docs.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    install_access_log_filter()
    settings = pledge.settings

    async def principal_of(token: str) -> Principal | None:
        principal = cached_principal(pledge, token)
        if principal is None:
            principal = await run_in_threadpool(authenticate_key, pledge, token)
        return principal

    # Added innermost first: the size limit bounds what the text guard buffers, and
    # the headers reach every answer, the 413 and 422 of these two included.
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        public_bytes=settings.max_public_body_bytes,
        key_bytes=settings.max_body_bytes,
        principal_of=principal_of,
        larger={"/api/v1/marketing/filter": (settings.max_send_list_bytes, ("system",))},
        public_larger=upload_paths(pledge.policy),
    )
    app.add_middleware(LanguageMiddleware)  # inside the headers: its cookie means no-store
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def freeze_startup_objects() -> None:
    """Keep everything alive at start-up out of the garbage collector's full passes.

    The app, the policy, SQLAlchemy's mappers and pydantic's validators live
    as long as the process; scanning them made every full collection a long
    pause under load (``docs/performance.md``). Called by the server
    entry points just before serving, not by ``create_app`` (tests build many apps).
    """
    gc.collect()
    gc.freeze()
