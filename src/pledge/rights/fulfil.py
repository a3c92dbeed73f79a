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
from pledge.db.models import RightsRequest
from pledge.i18n import N_
from pledge.policy import REVEALS_OR_CHANGES_DATA, RightType
from pledge.rights import mails
from pledge.rights.actions import ACTIONS, Context, Done
from pledge.rights.actions.disclose import CATEGORIES_ONLY
from pledge.rights.export import PACKAGE_TYPES, snapshot
from pledge.rights.lifecycle import (
    close,
    forget_if_erased,
    language_of,
    mail_person,
    move,
    now_or,
    page_link,
    private_data,
    right_of,
)
from pledge.rights.proposals import held_fields
from pledge.rights.states import (
    AWAITING_CORRECTIONS,
    AWAITING_REVIEW,
    COMPLETED,
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
    """Fulfil a verified request; returns its new status, or None if it was not ours to run."""
    now = now_or(now)
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
        _run(ctx)
        return row.status


def _run(ctx: Context) -> None:
    row, policy = ctx.row, ctx.policy
    if not _verified_enough(ctx):
        if row.type == "access":
            row.verification = "categories"
        else:
            _close(ctx, Done(status=DENIED, outcome="none", reason=NOT_VERIFIED))
            return
    if _awaits_corrections(ctx):
        move(
            ctx.session,
            row,
            AWAITING_CORRECTIONS,
            actor=ctx.actor,
            at=ctx.now,
            note="Confirmed; waiting for the person to give the corrections on the request's page.",
        )
        return
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
        return
    _close(ctx, ACTIONS[RightType(row.type)](ctx))


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


def _verified_enough(ctx: Context) -> bool:
    """Specific pieces, erasure and correction need a second data point, when data is held."""
    row = ctx.row
    if row.type not in REVEALS_OR_CHANGES_DATA or row.subject_id is None:
        return True
    return row.verification == "full"


def _close(ctx: Context, done: Done) -> None:
    row = ctx.row
    row.result = {**(row.result or {}), **done.result}
    if done.status == COMPLETED and row.type in PACKAGE_TYPES:
        snapshot(ctx)  # the package as it stands now; downloads never read the live store
    close(
        ctx.session,
        row,
        done.status,
        actor=ctx.actor,
        at=ctx.now,
        outcome=done.outcome,
        reason=done.reason,
    )
    link = None if done.wipe_personal_data else page_link(ctx.pledge, row.id)
    t = language_of(ctx.pledge, row)
    mail = mails.closing_mail(ctx.policy, t, row.type, done.status, done.reason, link=link)
    mail_person(ctx.session, ctx.pledge, row, mail, f"rights_{done.status}")
    if done.wipe_personal_data:
        row.email_ciphertext = None
        row.private_ciphertext = None
        row.email_index = None
    else:
        forget_if_erased(ctx.session, row)


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
