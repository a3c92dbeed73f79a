"""Consent, marketing and cookie-banner routes: parse, authenticate, call :mod:`pledge.consent`.

``GET /api/v1/consents?email=`` keeps the contract's form; the access log
drops query strings (:mod:`pledge.web.access_log`), and
``POST /api/v1/consents/query`` keeps the address out of URLs altogether.

Every route declares its body and answer, so ``/api/openapi.json`` documents
them: a pydantic body parameter and ``response_model`` where FastAPI does the
work, and for the two routes that read and write raw bytes for speed (a
consent act, a send list) the same models declared beside that fast path.
"""

from __future__ import annotations

import json
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError

from pledge import consent
from pledge.access import Principal
from pledge.consent import (
    BannerConfig,
    ConsentHistory,
    ConsentIn,
    CookieChoiceIn,
    CookieChoiceOut,
    DoNotCallAdded,
    DoNotCallIn,
    EmailQueryIn,
    FilterIn,
    FilterOut,
    Queued,
    RecordedOut,
    SendIn,
)
from pledge.consent.schemas import openapi_body
from pledge.errors import PayloadTooLarge, ValidationFailed
from pledge.validation import error_fields, parse_model
from pledge.web.deps import PledgeDep, SystemDep, authorize, consent_writer, require_role
from pledge.web.language import request_language
from pledge.web.openapi import errors, keyed

router = APIRouter()

M = TypeVar("M", bound=BaseModel)
StaffOrSystemDep = Annotated[Principal, Depends(require_role("system", "admin"))]


@router.post(
    "/api/v1/consents",
    status_code=201,
    response_model=None,
    responses={201: {"model": RecordedOut, "description": "The act is recorded and durable."}},
    openapi_extra=openapi_body(ConsentIn) | keyed("system"),
)
async def create_consent(request: Request) -> Response:
    """Giving and withdrawing are the same call (``granted`` true or false).

    The busiest route, kept lean: no FastAPI dependencies or body parameter
    (the key is checked by :func:`authorize`, the body parsed straight into
    ``ConsentIn``), no thread hop, and the act is written by the group-commit
    writer (:mod:`pledge.consent.ledger.writer`) with whatever else arrived at the
    same moment. The 201 leaves only after the act's transaction committed.
    """
    principal = await authorize(request, "system")
    consent_in = parse_json_body(ConsentIn, await request.body())
    recorded = await consent_writer(request).record(consent_in, actor=principal.actor)
    return Response(
        json.dumps(recorded.as_json(), separators=(",", ":")),
        status_code=201,
        media_type="application/json",
    )


def parse_json_body(model: type[M], raw: bytes) -> M:
    """The body as ``model``, validated from JSON in one pass; an empty body is ``{}``.

    Errors name the fields (``body`` for JSON that does not parse), never values.
    """
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        fields = error_fields(exc.errors(include_input=False))  # type: ignore[arg-type]
        raise ValidationFailed("the request body is not valid", fields=fields) from None


def parse_decoded_body(model: type[M], raw: bytes) -> M:
    """The body decoded by the ``json`` module, then validated as ``model``.

    For a long list of strings this is faster than pydantic's own JSON parser
    (docs/consent.md). Errors name the fields (``body`` for JSON that does
    not parse), never values.
    """
    try:
        data = json.loads(raw or b"{}")
    except ValueError:  # not JSON, or not UTF-8
        raise ValidationFailed(
            "the request body is not valid", fields={"body": "not JSON"}
        ) from None
    return parse_model(model, data)


@router.get("/api/v1/consents")
def get_consents(
    pledge: PledgeDep, principal: SystemDep, email: str = Query(min_length=3, max_length=320)
) -> ConsentHistory:
    """The person's consent history; reading it is audited under the caller's key id."""
    return consent.consent_history(pledge, email, reader=principal.actor)


@router.post("/api/v1/consents/query")
def query_consents(pledge: PledgeDep, principal: SystemDep, body: EmailQueryIn) -> ConsentHistory:
    """The same answer as ``GET /api/v1/consents``, with the e-mail in the body."""
    return consent.consent_history(pledge, body.email, reader=principal.actor)


@router.post(
    "/api/v1/marketing/filter",
    response_model=None,
    responses={200: {"model": FilterOut, "description": "Allowed and suppressed addresses."}},
    openapi_extra=openapi_body(FilterIn),
)
async def marketing_filter(request: Request, pledge: PledgeDep, _principal: SystemDep) -> Response:
    """Up to ``PLEDGE_MAX_SEND_LIST`` addresses; the answer is serialised in one pass.

    The body is decoded and validated off the event loop, after the key was checked.
    """
    wanted = await run_in_threadpool(parse_decoded_body, FilterIn, await request.body())
    limit = pledge.settings.max_send_list
    if len(wanted.recipients) > limit:
        raise PayloadTooLarge(f"at most {limit} recipients per call")
    result = await run_in_threadpool(
        consent.filter_recipients, pledge, wanted.channel, wanted.recipients, wanted.purpose
    )
    return Response(await run_in_threadpool(result.as_json_bytes), media_type="application/json")


@router.post("/api/v1/marketing/do-not-call", status_code=201)
def add_do_not_call(
    pledge: PledgeDep, principal: StaffOrSystemDep, body: DoNotCallIn
) -> DoNotCallAdded:
    return consent.add_do_not_call(pledge, body, actor=principal.actor)


@router.post("/api/v1/marketing/send", status_code=202, responses=errors(409))
def send_marketing(pledge: PledgeDep, principal: SystemDep, body: SendIn) -> Queued:
    """422 for a subject or address with a line break: a header must stay one header."""
    broken = {
        name: "must be a single line"
        for name, value in (("subject", body.subject), ("to", body.to))
        if "\r" in value or "\n" in value
    }
    if broken:
        raise ValidationFailed("a mail header holds a line break", fields=broken)
    return consent.send_marketing(pledge, body, actor=principal.actor)


def _signal(request: Request, header: str) -> bool:
    return request.headers.get(header, "").strip() == "1"


@router.get("/api/v1/cookie-banner")
def cookie_banner(request: Request, pledge: PledgeDep) -> BannerConfig:
    """The banner's configuration; ``gpc``/``dnt`` echo this request's own signals.

    In the language of ``?lang=`` (``/consent.js`` sends the host page's ``<html lang>``),
    else the ``pledge_lang`` cookie, else ``Accept-Language``.
    """
    return consent.banner_config(
        pledge,
        gpc=_signal(request, "sec-gpc"),
        dnt=_signal(request, "dnt"),
        language=request_language(request),
    )


@router.post("/api/v1/cookie-consent", status_code=201, responses=errors(409))
def cookie_consent(request: Request, pledge: PledgeDep, body: CookieChoiceIn) -> CookieChoiceOut:
    """Anonymous: a random visitor id from the browser, no personal data beyond a /24."""
    client = request.client.host if request.client else None
    return consent.record_cookie_choice(
        pledge, body, ip=client, user_agent=request.headers.get("user-agent")
    )
