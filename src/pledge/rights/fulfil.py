"""Fulfilment: run a verified request's action exactly once, and close it.

Why a claim: fulfilment runs right after verification and again from a
periodic task (so a crash mid-way only delays it). The first statement of the
transaction moves the request from ``verified`` to ``fulfilling`` with a
conditional UPDATE; a second caller (another thread, another worker) finds no
row to claim and does nothing. A crash rolls the claim back with the work, so
the request is still ``verified`` and the task picks it up again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from pledge.core import Pledge
from pledge.db.models import Record, RightsRequest
from pledge.delivery import deliver_these
from pledge.i18n import N_
from pledge.policy import REVEALS_OR_CHANGES_DATA, RightType
from pledge.records.schemas import SITE_FORM_SOURCE
from pledge.rights import mails
from pledge.rights.actions import ACTIONS, Context, Done
from pledge.rights.actions.disclose import CATEGORIES_ONLY
from pledge.rights.closing import close_with
from pledge.rights.connected.ahead import Ahead, look_ahead
from pledge.rights.connected.channel import connector_channel
from pledge.rights.connected.presence import Presence
from pledge.rights.connected.reads import answer_with
from pledge.rights.connected.work import queue_tasks, reaches_systems
from pledge.rights.lifecycle import (
    language_of,
    mail_person,
    move,
    now_or,
    private_data,
    right_of,
)
from pledge.rights.proposals import held_fields
from pledge.rights.states import (
    AWAITING_CORRECTIONS,
    AWAITING_REVIEW,
    DENIED,
    FULFILLING,
    VERIFIED,
)

log = logging.getLogger(__name__)

NOT_VERIFIED = N_(
    "We could not verify your identity well enough for this request: the further detail "
    "you gave (such as a phone number) does not match what we hold, or none was given. "
    "As our policy says, if we cannot verify your identity, we will not provide, change "
    "or delete your Personal Data. You may make a new request with a detail we hold."
)


def fulfil(
    pledge: Pledge, request_id: str, *, now: datetime | None = None, actor: str = "system"
) -> str | None:
    """Fulfil a verified request; returns its status after the transaction (``awaiting_systems``
    while connected systems are reached), or None if it was not ours to run.

    The connected systems are asked about the person first, outside the
    transaction (:mod:`pledge.rights.connected.presence`); a request that must
    reach them waits in ``awaiting_systems`` and its tasks are run at once,
    here, after the commit (a worker takes any that fail, with back-off).
    """
    now = now_or(now)
    ahead = look_ahead(pledge, request_id)
    if ahead.unavailable:
        return None  # a system could not say whether it holds the person: the periodic task retries
    with pledge.transaction() as session:
        claimed = session.execute(
            update(RightsRequest)
            .where(RightsRequest.id == request_id, RightsRequest.status == VERIFIED)
            .values(status=FULFILLING)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.get(RightsRequest, request_id, populate_existing=True)
        assert row is not None
        ctx = Context(session=session, pledge=pledge, row=row, now=now, actor=actor)
        tasks = _run(ctx, ahead)
        status = row.status
    if tasks:  # the request moves on when its last task is recorded; callers read it then
        deliver_these(pledge, connector_channel(pledge), tasks)
    return status


def _run(ctx: Context, ahead: Ahead) -> list[str]:
    """Run the request, or queue its tasks in the connected systems (their ids).

    An export whose systems were all read just before (``ahead.reads``) is
    answered at once; any other work in the systems waits for its tasks."""
    row, policy, presence = ctx.row, ctx.policy, ahead.presence
    if presence.matched:
        row.verification = "full"  # the second data point matched what a system holds
    if not _verified_enough(ctx, presence):
        if row.type == "access":
            row.verification = "categories"
        else:
            close_with(ctx, Done(status=DENIED, outcome="none", reason=NOT_VERIFIED))
            return []
    if _awaits_corrections(ctx):
        move(
            ctx.session,
            row,
            AWAITING_CORRECTIONS,
            actor=ctx.actor,
            at=ctx.now,
            note="Confirmed; waiting for the person to give the corrections on the request's page.",
        )
        return []
    right = right_of(policy, row)
    reviewed = bool((row.result or {}).get("reviewed"))
    if (right.staff_review or row.type == "rectification") and not reviewed:
        move(
            ctx.session,
            row,
            AWAITING_REVIEW,
            actor=ctx.actor,
            at=ctx.now,
            note="Confirmed; waiting for a member of staff to review it.",
        )
        review = mails.review_mail(policy, language_of(ctx.pledge, row))
        mail_person(ctx.session, ctx.pledge, row, review, "rights_review")
        return []
    if reaches_systems(ctx):
        if ahead.reads is not None:
            answer_with(ctx, ahead.reads)
            return []
        return queue_tasks(ctx, ahead.identities)
    close_with(ctx, ACTIONS[RightType(row.type)](ctx))
    return []


def _awaits_corrections(ctx: Context) -> bool:
    """A rectification that names no correction, about data that is held.

    Made in the privacy center (whose form cannot show what is held), it
    waits for the person to give them on the request's page
    (:mod:`pledge.rights.proposals`) instead of reaching staff, and ending,
    with nothing to approve. When nothing is held it goes on as before, to
    close with "nothing held".
    """
    row = ctx.row
    if row.type != "rectification" or private_data(ctx.pledge, row).get("corrections"):
        return False
    return bool(held_fields(ctx.session, ctx.policy, row.subject_id))


def _verified_enough(ctx: Context, presence: Presence) -> bool:
    """Specific pieces, erasure and correction need a second data point, when data is held
    (in the store, or in a connected system).

    One exception: erasing what only public site forms brought needs only the
    mailbox. Those records were filed under this address by whoever typed it,
    and a form's values never count as a second data point
    (:data:`~pledge.records.schemas.SITE_FORM_SOURCE`), so without it a person
    who only ever used the site's forms could never have them erased.
    """
    row = ctx.row
    if row.type not in REVEALS_OR_CHANGES_DATA or (row.subject_id is None and not presence.found):
        return True
    if row.verification == "full":
        return True
    return row.type == "erasure" and not presence.found and _only_site_forms(ctx)


def _only_site_forms(ctx: Context) -> bool:
    sources = set(
        ctx.session.scalars(
            select(Record.source).where(Record.subject_id == ctx.row.subject_id).distinct()
        )
    )
    return bool(sources) and all(source.startswith(SITE_FORM_SOURCE) for source in sources)


def fulfil_verified(pledge: Pledge, *, limit: int = 50) -> int:
    """Periodic task: fulfil requests left ``verified`` (by a crash); returns how many ran."""
    with pledge.sessions() as session:
        ids = list(
            session.scalars(
                select(RightsRequest.id)
                .where(RightsRequest.status == VERIFIED)
                .order_by(RightsRequest.due_at)
                .limit(limit)
            )
        )
    done = 0
    for request_id in ids:
        try:
            if fulfil(pledge, request_id) is not None:
                done += 1
        except Exception as exc:
            log.error("fulfilment of request %s failed: %s", request_id, type(exc).__name__)
    return done


__all__ = ["CATEGORIES_ONLY", "NOT_VERIFIED", "fulfil", "fulfil_verified"]
