"""The request's own page: the code opens it, a short session keeps it open.

The link in the code mail names the request by its random id (122 bits from
the operating system's generator) and nothing else, so it reveals nothing and
proves nothing: whoever opens it sees the same code form for any id, known or
not. The code does the work:

- on a request still waiting for it, the code verifies the request, with the
  very check, count and lock of the API's ``verify`` (:func:`~pledge.rights.service.check_code`:
  30 minutes, five wrong codes counted by one ``UPDATE … RETURNING``, then locked);
- on a request already verified (or answered), the page asks for a fresh code
  to be mailed to the address on file, and that code only signs in: five wrong
  tries end it (``sign_in_failures``, counted the same way), the request's
  status never changes.

Either way the browser then holds a page session: a random value in a cookie,
kept here only as an HMAC bound to the request id (``rights_page_sessions``),
valid ``PLEDGE_REQUEST_PAGE_MINUTES``. Why a table and not a signed cookie:
signing out ends the session on the server, even for a copied cookie, and a
session dies with its request; the price is one indexed read per page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update

from pledge.core import Pledge
from pledge.db.models import RequestPageSession, RightsRequest
from pledge.errors import BadRequest, TooManyRequests
from pledge.i18n import N_
from pledge.rights.correction_input import CorrectableField
from pledge.rights.export import PACKAGE_TYPES
from pledge.rights.identity import (
    MAX_FAILED_CODES,
    PageSession,
    code_hash,
    page_token_hash,
    tokens_equal,
)
from pledge.rights.lifecycle import add_event, load_for_holder, now_or, page_session_live
from pledge.rights.proposals import held_fields
from pledge.rights.service import (
    MAX_CODES_SENT,
    Attempt,
    check_code,
    describe,
    fulfil_quietly,
    send_code,
)
from pledge.rights.states import (
    AWAITING_CORRECTIONS,
    CHILD_REPORT,
    COMPLETED,
    LOCKED,
    PENDING_VERIFICATION,
)
from pledge.rights.views import RequestView

__all__ = [
    "Opened",
    "PackageState",
    "PageState",
    "open_with_code",
    "page_state",
    "send_page_code",
    "sign_out",
    "signed_in",
]

WRONG_CODE = N_("the code is not correct")
NO_LONGER_VALID = N_("this code is no longer valid; ask for a new one")
LOCKED_OUT = N_("too many wrong codes: this request is locked; please make a new request")
NO_MORE_CODES = N_("no more codes can be sent for this request; please make a new request")
SESSION_TOKEN_BYTES = 32


@dataclass(frozen=True)
class Opened:
    """A browser signed in to one request: the cookie's value, shown once, and its end."""

    token: str
    expires_at: datetime


def open_with_code(
    pledge: Pledge, request_id: str, code: str, *, now: datetime | None = None
) -> Opened:
    """Check the code; verify the request if it waited for it, and start a page session.

    A wrong code is counted and committed before the error is raised, like the
    API's ``verify``. An unknown id gets the words of a wrong code and nothing
    is written, so the page never tells whether a request exists.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = session.get(RightsRequest, request_id, with_for_update=True)
        if row is None or row.scope == CHILD_REPORT:  # a report has no page: see below
            raise BadRequest(WRONG_CODE)
        verifying = row.status in (PENDING_VERIFICATION, LOCKED)
        if verifying:
            attempt = check_code(session, pledge, row, code, now)
        else:
            attempt = _check_sign_in(session, pledge, row, code, now)
        opened = _start_session(session, pledge, row, now) if attempt.ok else None
    if attempt.error is not None:
        raise attempt.error
    assert opened is not None
    if verifying:
        fulfil_quietly(pledge, request_id, now)
    return opened


def _check_sign_in(
    session: Any, pledge: Pledge, row: RightsRequest, code: str, now: datetime
) -> Attempt:
    """A sign-in code of a verified request: right, wrong (counted), or no longer valid."""
    if row.code_hash is None or (row.code_expires_at is not None and now > row.code_expires_at):
        return Attempt(False, BadRequest(NO_LONGER_VALID))
    if tokens_equal(row.code_hash, code_hash(pledge.keys, row.id, code)):
        row.code_hash = None
        return Attempt(True)
    counted = int(
        session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == row.id)
            .values(sign_in_failures=RightsRequest.sign_in_failures + 1)
            .returning(RightsRequest.sign_in_failures)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    )
    if counted > MAX_FAILED_CODES:  # parallel tries used up the code meanwhile
        return Attempt(False, BadRequest(NO_LONGER_VALID))
    add_event(
        session,
        row,
        "wrong_code",
        actor="requester",
        at=now,
        details={"sign_in_failures": counted},
    )
    if counted == MAX_FAILED_CODES:
        row.code_hash = None
        return Attempt(False, BadRequest(NO_LONGER_VALID))
    return Attempt(False, BadRequest(WRONG_CODE))


def _start_session(session: Any, pledge: Pledge, row: RightsRequest, now: datetime) -> Opened:
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    expires_at = now + timedelta(minutes=pledge.settings.request_page_minutes)
    session.execute(
        delete(RequestPageSession).where(
            RequestPageSession.request_id == row.id, RequestPageSession.expires_at <= now
        )
    )
    session.add(
        RequestPageSession(
            request_id=row.id,
            token_hash=page_token_hash(pledge.keys, row.id, token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    add_event(
        session,
        row,
        "page_opened",
        actor="requester",
        at=now,
        note="The request's page was opened with a code.",
    )
    return Opened(token=token, expires_at=expires_at)


def send_page_code(pledge: Pledge, request_id: str, *, now: datetime | None = None) -> None:
    """Mail a fresh code, with the page's link, to the address the request holds.

    Silent when there is no such request or no address any more (wiped by an
    erasure): the page says the same either way. Silent too for a report about a
    child's data: its address is the reporter's, who is not the person the data is
    about and was never verified, so the report's page (staff's reasons, what was
    found) is never theirs to open. A request waiting for its code
    keeps the API's limit of five codes; a locked one gets no more.
    """
    now = now_or(now)
    with pledge.transaction() as session:
        row = session.get(RightsRequest, request_id, with_for_update=True)
        if row is None or row.email_ciphertext is None or row.scope == CHILD_REPORT:
            return
        if row.status == LOCKED:
            raise TooManyRequests(LOCKED_OUT)
        if row.status == PENDING_VERIFICATION:
            if row.codes_sent >= MAX_CODES_SENT:
                raise TooManyRequests(NO_MORE_CODES)
            send_code(session, pledge, row, now)
            return
        row.sign_in_failures = 0
        send_code(
            session, pledge, row, now, note="A code to open the request's page was sent by e-mail."
        )


def signed_in(pledge: Pledge, request_id: str, page: PageSession) -> bool:
    """True while the cookie is a live session of this very request."""
    with pledge.sessions() as session:
        return page_session_live(session, pledge, request_id, page)


def sign_out(pledge: Pledge, request_id: str, page: PageSession) -> None:
    """End the session on the server: the cookie, even copied, opens nothing any more."""
    with pledge.transaction() as session:
        session.execute(
            delete(RequestPageSession).where(
                RequestPageSession.request_id == request_id,
                RequestPageSession.token_hash
                == page_token_hash(pledge.keys, request_id, page.token),
            )
        )


@dataclass(frozen=True)
class PackageState:
    """Whether the package can still be downloaded, how often and until when."""

    available: bool
    copies_left: int
    until: datetime | None


@dataclass(frozen=True)
class PageState:
    """What a signed-in page shows: the request as its holder sees it, and its package."""

    request: RequestView
    package: PackageState | None
    """None unless a completed access, know or portability request."""
    correctable: list[CorrectableField] = field(default_factory=list)
    """For a rectification waiting for its corrections: the fields held (names, no values)."""
    country: str | None = None
    """Where the person lives: names the data protection authority they may complain to."""


def page_state(
    pledge: Pledge, request_id: str, page: PageSession, *, now: datetime | None = None
) -> PageState:
    """The request for the signed-in page; 404 (NotFound) without a live session for it."""
    now = now_or(now)
    with pledge.sessions() as session:
        row = load_for_holder(session, pledge, request_id, page)
        state = None
        if row.type in PACKAGE_TYPES and row.status == COMPLETED:
            left = max(pledge.settings.package_copies - row.copies_served, 0)
            live = row.package_expires_at is None or now < row.package_expires_at
            state = PackageState(
                available=row.package_ciphertext is not None and live and left > 0,
                copies_left=left,
                until=row.package_expires_at,
            )
        correctable = []
        if row.status == AWAITING_CORRECTIONS:
            correctable = held_fields(session, pledge.policy, row.subject_id)
        return PageState(
            request=describe(session, row),
            package=state,
            correctable=correctable,
            country=row.country,
        )
