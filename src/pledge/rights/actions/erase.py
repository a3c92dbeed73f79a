"""Erasure: delete what may be deleted, keep only what the law requires, say which and why.

Records are deleted outright; when nothing must be kept, the subject's key is
destroyed too (crypto-shredding), which also removes the identities (e-mail,
phone, name), so no copy anywhere (replica, backup) stays readable. A record
held under a legal obligation is kept with the key, and listed in the result
with its reason. A hashed suppression entry remains so the person is never
added back to a mailing list, and each processor of the erased categories is
sent a notice. Mail to or about the person is purged, or sealed for purging
once delivered (:mod:`pledge.mail.forget`), before the key goes.

A person under a legal hold (:mod:`pledge.rights.holds`) keeps everything:
the request is refused with the hold as its exception, in the words of the law
that allows it, and waits on the hold; releasing the hold carries the erasure
out then (:mod:`pledge.rights.hold_release`).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import delete, or_, update

from pledge.db.models import LegalHold, Record, RightsRequest
from pledge.i18n import N_
from pledge.mail import forget_mail
from pledge.records.shredding import destroy_subject_key
from pledge.rights.actions.common import Context, Done, held_records, queue_notices, suppress
from pledge.rights.holds import holds_on, wait_for_release
from pledge.rights.states import DENIED

HELD_GDPR = N_(
    "Your data is under a legal hold: we must keep it because it is necessary for the "
    "establishment, exercise or defence of legal claims (GDPR Art. 17(3)(e)). We will erase "
    "it as you asked when the hold ends, and tell you then."
)
HELD_CCPA = N_(
    "Your personal information is under a legal hold: we must keep it to comply with a legal "
    "obligation and to exercise or defend legal claims (Cal. Civ. Code § 1798.105(d)). We "
    "will delete it as you asked when the hold ends, and tell you then."
)


def exception_reason(ctx: Context, category: str, purpose: str, legal_basis: str) -> str | None:
    """Why a record must survive an erasure request, or None when it can go."""
    found = ctx.policy.category(category)
    if found is not None and found.role == "processor":
        return "Service Data processed for a Client, which controls it; ask the Client."
    if legal_basis == "legal_obligation":
        name = ctx.policy.purpose(purpose)
        label = name.name if name else purpose
        return f"Kept because the law requires it ({label}); deleted when that duty ends."
    return None


def forget_earlier_requests(ctx: Context) -> int:
    """Wipe the e-mail, details and package from the person's earlier, closed requests.

    Those records are kept 24 months as proof that each right was answered,
    and must survive the erasure, but not as a way back to the person: their
    e-mail (encrypted with the system key, so still readable by Pledge) and
    blind index go, as they do from this request once its last mail is
    queued; so does a package snapshot (encrypted with the subject's key, which
    survives when records must be kept). The status, dates, timeline and any
    denial's basis remain. Open
    requests keep theirs: they still owe the person an answer.
    """
    row = ctx.row
    who = [RightsRequest.subject_id == row.subject_id] if row.subject_id else []
    if row.email_index is not None:
        who.append(RightsRequest.email_index == row.email_index)
    if not who:
        return 0
    done = ctx.session.execute(
        update(RightsRequest)
        .where(or_(*who), RightsRequest.id != row.id, RightsRequest.closed_at.is_not(None))
        .values(
            email_ciphertext=None,
            private_ciphertext=None,
            email_index=None,
            package_ciphertext=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def erasure(ctx: Context) -> Done:
    suppress(ctx, "erasure")
    subject_id = ctx.row.subject_id
    if subject_id is not None:
        holds = holds_on(ctx.session, subject_id=subject_id, email_index=ctx.row.email_index)
        if holds:
            return _held(ctx, holds)
    forget_earlier_requests(ctx)
    forget_mail(
        ctx.session, ctx.pledge.keys, subject_id=subject_id, email_index=ctx.row.email_index
    )
    if subject_id is None:
        return Done(
            result={
                "records_deleted": 0,
                "exceptions": [],
                "key_destroyed": False,
                "note": "We hold no personal data about you.",
            },
            wipe_personal_data=True,
        )
    return erase_subject(ctx, subject_id)


def hold_reason(jurisdiction: str) -> str:
    """The exception a hold is, in the words of the law the person's request rests on."""
    return HELD_CCPA if jurisdiction == "california" else HELD_GDPR


def _held(ctx: Context, holds: list[LegalHold]) -> Done:
    """Refuse for now, say why in the law's words, and wait on the holds.

    The request keeps the person's address (not wiped) so that they can be told
    when the erasure is carried out; marketing stops at once all the same.
    """
    wait_for_release(holds, ctx.row.id)
    records = held_records(ctx)
    reason = hold_reason(ctx.row.jurisdiction)
    return Done(
        status=DENIED,
        outcome="none",
        reason=reason,
        result={
            "records_deleted": 0,
            "exceptions": [
                {
                    "basis": "legal_hold",
                    "categories": sorted({r.category for r in records}),
                    "records": len(records),
                    "reason": reason,
                }
            ],
            "key_destroyed": False,
            "suppressed": True,
            "waiting_for_hold": True,
        },
    )


def erase_subject(ctx: Context, subject_id: str) -> Done:
    """Delete the subject's records but those the law keeps; shred the key if none is kept."""
    records = held_records(ctx)
    kept: Counter[tuple[str, str, str]] = Counter()
    doomed: list[str] = []
    erased: set[str] = set()
    for record in records:
        reason = exception_reason(ctx, record.category, record.purpose, record.legal_basis)
        if reason is None:
            doomed.append(record.id)
            erased.add(record.category)
        else:
            kept[(record.category, record.purpose, reason)] += 1
    for start in range(0, len(doomed), 500):
        ctx.session.execute(delete(Record).where(Record.id.in_(doomed[start : start + 500])))
    notified = queue_notices(ctx, erased, "erasure")
    if not kept:
        destroy_subject_key(
            ctx.session, subject_id, actor=ctx.actor, reason=f"rights_request:{ctx.row.id}"
        )
    exceptions = [
        {"category": category, "purpose": purpose, "records": count, "reason": reason}
        for (category, purpose, reason), count in sorted(kept.items())
    ]
    return Done(
        outcome="part" if exceptions else "whole",
        reason=N_("Some data is kept because we must keep it; see the exceptions.")
        if exceptions
        else None,
        result={
            "records_deleted": len(doomed),
            "categories": sorted(erased),
            "exceptions": exceptions,
            "key_destroyed": not exceptions,
            "notified": notified,
            "suppressed": True,
        },
        wipe_personal_data=True,
    )
