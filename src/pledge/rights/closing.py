"""Closing a fulfilled request: its result, the package, the last mail, and forgetting.

Why a module of its own: fulfilment closes a request at once, and a request
that waited for the company's other systems is closed later, when the last
system's task is done (:mod:`pledge.rights.connected.resume`); both close it
the same way.
"""

from __future__ import annotations

from pledge.rights import mails
from pledge.rights.actions import Context, Done
from pledge.rights.export import PACKAGE_TYPES, snapshot
from pledge.rights.lifecycle import close, forget_if_erased, language_of, mail_person, page_link
from pledge.rights.states import COMPLETED


def close_with(ctx: Context, done: Done) -> None:
    """Record the outcome, keep the package, mail the person, wipe what must go."""
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
    mail = mails.closing_mail(
        ctx.policy, t, row.type, done.status, done.reason, link=link, country=row.country
    )
    mail_person(ctx.session, ctx.pledge, row, mail, f"rights_{done.status}")
    if done.wipe_personal_data:
        row.email_ciphertext = None
        row.private_ciphertext = None
        row.email_index = None
    else:
        forget_if_erased(ctx.session, row)


__all__ = ["close_with"]
