"""Requests that change how data is used: restriction, objection, consent, marketing, correction.

Their effects are rows other code can consult: :func:`restrictions_for` lists
a subject's active limits, and ``marketing_suppressions`` holds hashed e-mails
never to be mailed again. Nothing else about the person changes, as the law
requires (exercising a right must not change how the person is treated).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from pledge.db.models import Record, SubjectKey, SubjectRestriction
from pledge.rights.actions.common import Context, Done, held_records, queue_notices, suppress
from pledge.rights.base import private_data

NOTHING_HELD = "We hold no personal data about you, so there was nothing to change."


def restrictions_for(session: Session, subject_id: str) -> list[str]:
    """The subject's active limits (``restriction``, ``objection:<purpose>``, ...), sorted.

    Collection and processing code should call this before using a subject's
    data: ``restriction`` allows storage only.
    """
    rows = session.scalars(
        select(SubjectRestriction.kind).where(
            SubjectRestriction.subject_id == subject_id, SubjectRestriction.lifted_at.is_(None)
        )
    )
    return sorted(set(rows))


STORAGE_ONLY = "restriction"
"""The kind of a restriction of processing: the data may be stored, nothing more."""


OBJECTION = "objection:"
"""Prefix of the kind an objection records, one per purpose it stops."""

LEGITIMATE_INTERESTS = "legitimate_interests"


def collection_limits(session: Session, subject_ids: Collection[str]) -> dict[str, set[str]]:
    """Each of these subjects' active restriction and objections, for collection.

    Both stop new records: a restriction stops everything but storage, an
    objection stops the purposes it names. One query per batch (chunked for
    very large ones), never one per record; subjects without a limit are absent.
    """
    ids = sorted(set(subject_ids))
    found: dict[str, set[str]] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(SubjectRestriction.subject_id, SubjectRestriction.kind).where(
                SubjectRestriction.subject_id.in_(ids[start : start + 1000]),
                or_(
                    SubjectRestriction.kind == STORAGE_ONLY,
                    SubjectRestriction.kind.startswith(OBJECTION, autoescape=True),
                ),
                SubjectRestriction.lifted_at.is_(None),
            )
        )
        for subject_id, kind in rows:
            found.setdefault(subject_id, set()).add(kind)
    return found


def objects_to(kinds: Collection[str], purpose: str, legal_basis: str) -> bool:
    """Whether the subject's objection stops a record for this purpose on this basis.

    Art. 21(1) GDPR: an objection stops processing that rests on legitimate
    interests; a record the same purpose holds on contract or consent (in
    another jurisdiction, say) is not touched. Direct marketing, where the
    objection is absolute, is stopped where it happens: the send-list filter.
    """
    return legal_basis == LEGITIMATE_INTERESTS and f"{OBJECTION}{purpose}" in kinds


def _restrict(ctx: Context, kinds: list[str]) -> list[str]:
    subject_id = ctx.row.subject_id
    if subject_id is None:
        return []
    active = set(restrictions_for(ctx.session, subject_id))
    for kind in kinds:
        if kind not in active:
            ctx.session.add(
                SubjectRestriction(
                    subject_id=subject_id, kind=kind, request_id=ctx.row.id, created_at=ctx.now
                )
            )
    return kinds


def restriction(ctx: Context) -> Done:
    records = held_records(ctx)
    if ctx.row.subject_id is None:
        return Done(result={"restricted": False, "note": NOTHING_HELD})
    _restrict(ctx, [STORAGE_ONLY])
    categories = {r.category for r in records}
    notified = queue_notices(ctx, categories, "restriction")
    return Done(
        result={
            "restricted": True,
            "categories": sorted(categories),
            "note": "Your data is now only stored; we will tell you before lifting this.",
            "notified": notified,
        }
    )


def objection(ctx: Context) -> Done:
    """Legitimate-interest purposes stop; objection to direct marketing is absolute.

    The objection covers every objectable purpose resting on legitimate
    interests in the person's jurisdiction, held yet or not (collection then
    refuses new records for them), plus those their records hold on that
    basis, plus every marketing purpose.
    """
    records = held_records(ctx)
    held = {r.purpose for r in records if r.legal_basis == LEGITIMATE_INTERESTS}
    local = {
        p.id
        for p in ctx.policy.purposes
        if ctx.policy.legal_basis(p.id, ctx.row.jurisdiction) == LEGITIMATE_INTERESTS
    }
    purposes = sorted(
        {p for p in held | local if _objectable(ctx, p)}
        | {p.id for p in ctx.policy.purposes if p.marketing}
    )
    suppress(ctx, "objection")
    kinds = _restrict(ctx, [f"{OBJECTION}{purpose}" for purpose in purposes])
    return Done(
        result={"stopped_purposes": purposes, "recorded": bool(kinds), "marketing_suppressed": True}
    )


def _objectable(ctx: Context, purpose_id: str) -> bool:
    purpose = ctx.policy.purpose(purpose_id)
    return bool(purpose and purpose.objectable)


def withdraw_consent(ctx: Context) -> Done:
    """Every purpose held on consent stops now; marketing mail stops on every channel."""
    records = held_records(ctx)
    purposes = sorted({r.purpose for r in records if r.legal_basis == "consent"})
    suppress(ctx, "withdraw_consent")
    _restrict(ctx, [f"consent_withdrawn:{purpose}" for purpose in purposes])
    return Done(
        result={
            "withdrawn_purposes": purposes,
            "marketing_suppressed": True,
            "note": "Processing before the withdrawal stays lawful.",
        }
    )


def opt_out_marketing(ctx: Context) -> Done:
    suppress(ctx, "opt_out_marketing")
    _restrict(ctx, ["marketing_opt_out"])
    channels = sorted({c for p in ctx.policy.purposes if p.marketing for c in p.channels})
    return Done(result={"marketing_suppressed": True, "channels": channels})


def rectification(ctx: Context) -> Done:
    """Apply the corrections staff approved to every record holding those fields."""
    corrections: dict[str, Any] = private_data(ctx.pledge, ctx.row).get("corrections") or {}
    subject_id = ctx.row.subject_id
    if subject_id is None:
        return Done(outcome="none", result={"corrected": [], "note": NOTHING_HELD})
    if not corrections:
        return Done(
            outcome="none", reason="No corrections were proposed.", result={"corrected": []}
        )
    wrapped = ctx.session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    keys = ctx.pledge.keys
    data_key = keys.unwrap(wrapped, subject_id)
    touched: set[str] = set()
    for record in held_records(ctx):
        fields = set(corrections) & set(record.field_names)
        if not fields:
            continue
        aad = f"record:{record.id}"
        data = keys.decrypt_json(data_key, record.ciphertext, aad)
        data.update({name: corrections[name] for name in fields})
        ctx.session.execute(
            update(Record)
            .where(Record.id == record.id)
            .values(ciphertext=keys.encrypt_json(data_key, data, aad))
        )
        touched.add(record.category)
    notified = queue_notices(ctx, touched, "rectification")
    return Done(
        result={
            "corrected": sorted(corrections),
            "categories": sorted(touched),
            "notified": notified,
        }
    )
