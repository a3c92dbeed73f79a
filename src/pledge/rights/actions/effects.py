"""Requests that change how data is used: restriction, objection, consent, marketing, correction.

Their effects are rows other code can consult: :func:`pledge.restrictions.restrictions_for` lists
a subject's active limits, and ``marketing_suppressions`` holds hashed e-mails
never to be mailed again. Nothing else about the person changes, as the law
requires (exercising a right must not change how the person is treated).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from pledge.db.models import Record, SubjectKey, SubjectRestriction
from pledge.i18n import N_
from pledge.records.subjects import email_taken
from pledge.restrictions import (
    LEGITIMATE_INTERESTS,
    RestrictionKind,
    consent_withdrawn,
    restrictions_for,
)
from pledge.restrictions import objection as objection_kind
from pledge.rights.actions.common import Context, Done, held_records, queue_notices, suppress
from pledge.rights.actions.identities import rekey_email, rekey_phone
from pledge.rights.corrections import problem
from pledge.rights.lifecycle import private_data

NOTHING_HELD = "We hold no personal data about you, so there was nothing to change."
POLICY_REFUSES = N_("Some corrections no longer fit what our policy allows for those fields.")
NOT_HELD = N_("Some fields you asked to correct are not held about you, so nothing changed there.")
ADDRESS_NOT_RECORDED = N_(
    "The new e-mail address could not be recorded for you; please contact us about it."
)


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


def named_purposes(ctx: Context) -> list[str] | None:
    """The purposes the person named at intake (checked then), or None for every one."""
    named = private_data(ctx.pledge, ctx.row).get("purposes")
    return [str(p) for p in named] if isinstance(named, list) else None


def restriction(ctx: Context) -> Done:
    """Storage only, for all the person's data, whichever purposes they named.

    Art. 18 restricts the processing of the data, not of one purpose: while the
    accuracy or lawfulness the person contests is checked, every use stops. The
    purposes they named are kept in the result so staff know what is contested.
    """
    records = held_records(ctx)
    named = named_purposes(ctx)
    contested = {"purposes": named} if named is not None else {}
    if ctx.row.subject_id is None:
        return Done(result={"restricted": False, "note": NOTHING_HELD, **contested})
    _restrict(ctx, [RestrictionKind.STORAGE_ONLY])
    categories = {r.category for r in records}
    notified = queue_notices(ctx, categories, "restriction")
    return Done(
        result={
            "restricted": True,
            "categories": sorted(categories),
            "note": "Your data is now only stored; we will tell you before lifting this.",
            "notified": notified,
            **contested,
        }
    )


def objection(ctx: Context) -> Done:
    """Legitimate-interest purposes stop; objection to direct marketing is absolute.

    The objection covers every objectable purpose resting on legitimate
    interests in the person's jurisdiction, held yet or not (collection then
    refuses new records for them), plus those their records hold on that
    basis, plus every marketing purpose.
    """
    named = named_purposes(ctx)
    if named is not None:
        return _object_to(ctx, named)
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
    kinds = _restrict(ctx, [objection_kind(purpose) for purpose in purposes])
    return Done(
        result={"stopped_purposes": purposes, "recorded": bool(kinds), "marketing_suppressed": True}
    )


def _object_to(ctx: Context, purposes: list[str]) -> Done:
    """An objection to the purposes the person named; marketing mail stops if one is marketing."""
    marketing = _any_marketing(ctx, purposes)
    if marketing:
        suppress(ctx, "objection")
    kinds = _restrict(ctx, [objection_kind(purpose) for purpose in purposes])
    return Done(
        result={
            "stopped_purposes": purposes,
            "recorded": bool(kinds),
            "marketing_suppressed": marketing,
        }
    )


def _any_marketing(ctx: Context, purposes: list[str]) -> bool:
    return any((p := ctx.policy.purpose(pid)) is not None and p.marketing for pid in purposes)


def _objectable(ctx: Context, purpose_id: str) -> bool:
    purpose = ctx.policy.purpose(purpose_id)
    return bool(purpose and purpose.objectable)


def withdraw_consent(ctx: Context) -> Done:
    """Every purpose held on consent stops now; marketing mail stops on every channel.

    When the person named purposes, only those stop, and marketing mail only
    when one of them is a marketing purpose.
    """
    named = named_purposes(ctx)
    if named is not None:
        marketing = _any_marketing(ctx, named)
        if marketing:
            suppress(ctx, "withdraw_consent")
        _restrict(ctx, [consent_withdrawn(purpose) for purpose in named])
        return Done(
            result={
                "withdrawn_purposes": named,
                "marketing_suppressed": marketing,
                "note": "Processing before the withdrawal stays lawful.",
            }
        )
    records = held_records(ctx)
    purposes = sorted({r.purpose for r in records if r.legal_basis == "consent"})
    suppress(ctx, "withdraw_consent")
    _restrict(ctx, [consent_withdrawn(purpose) for purpose in purposes])
    return Done(
        result={
            "withdrawn_purposes": purposes,
            "marketing_suppressed": True,
            "note": "Processing before the withdrawal stays lawful.",
        }
    )


def opt_out_marketing(ctx: Context) -> Done:
    suppress(ctx, "opt_out_marketing")
    _restrict(ctx, [RestrictionKind.MARKETING_OPT_OUT])
    channels = sorted({c for p in ctx.policy.purposes if p.marketing for c in p.channels})
    return Done(result={"marketing_suppressed": True, "channels": channels})


def _applicable(ctx: Context, category_id: str, name: str, value: Any) -> bool:
    """The value passes the field's checks in this record's category, under today's policy."""
    category = ctx.policy.category(category_id)
    field = category.field(name) if category is not None else None
    if field is None:
        return False
    return problem(field, value, ctx.policy.minimum_age, ctx.now.date()) is None


def rectification(ctx: Context) -> Done:
    """Apply the corrections staff approved to every record holding those fields.

    Each value was checked at intake; it is checked again here against the
    record's own category (the policy may have changed meanwhile), and a
    value that no longer passes is left out and named in ``not_applied``. A
    field no record holds is named in ``not_held``, never in ``corrected``.
    A corrected e-mail or phone also re-keys the identities the person is
    found by (:mod:`pledge.rights.actions.identities`), in this transaction;
    an e-mail that already finds someone else is not applied at all.
    """
    corrections: dict[str, Any] = private_data(ctx.pledge, ctx.row).get("corrections") or {}
    subject_id = ctx.row.subject_id
    records = held_records(ctx)
    if subject_id is None or not records:
        return Done(outcome="none", result={"corrected": [], "note": NOTHING_HELD})
    if not corrections:
        return Done(
            outcome="none", reason=N_("No corrections were proposed."), result={"corrected": []}
        )
    keys = ctx.pledge.keys
    wrapped = ctx.session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    data_key = keys.unwrap(wrapped, subject_id)
    held = {name for record in records for name in record.field_names}
    not_held = set(corrections) - held
    email = corrections.get("email")
    address_taken = isinstance(email, str) and email_taken(ctx.session, keys, subject_id, email)
    refused: set[str] = {"email"} if address_taken else set()
    touched, old_phones = _apply(ctx, records, corrections, refused, data_key)
    corrected = set(corrections) - refused - not_held
    if "email" in corrected:
        rekey_email(ctx.session, keys, subject_id, data_key, corrections["email"])
    if "phone" in corrected:
        rekey_phone(ctx.session, keys, subject_id, data_key, old_phones, corrections["phone"])
    notified = queue_notices(ctx, touched, "rectification")
    return _corrected(corrected, refused, not_held, touched, notified, address_taken=address_taken)


def _apply(
    ctx: Context,
    records: list[Record],
    corrections: dict[str, Any],
    refused: set[str],
    data_key: bytes,
) -> tuple[set[str], list[object]]:
    """Write the corrections into each record holding the field; add to ``refused`` those
    a record's category no longer accepts. Returns the categories touched and the phone
    numbers the corrected records held before (their identities are re-keyed)."""
    keys = ctx.pledge.keys
    touched: set[str] = set()
    old_phones: list[object] = []
    for record in records:
        fields = set(corrections) & set(record.field_names) - refused
        bad = {n for n in fields if not _applicable(ctx, record.category, n, corrections[n])}
        refused |= bad
        fields -= bad
        if not fields:
            continue
        aad = f"record:{record.id}"
        data = keys.decrypt_json(data_key, record.ciphertext, aad)
        if "phone" in fields:
            old_phones.append(data.get("phone"))
        data.update({name: corrections[name] for name in fields})
        ctx.session.execute(
            update(Record)
            .where(Record.id == record.id)
            .values(ciphertext=keys.encrypt_json(data_key, data, aad))
        )
        touched.add(record.category)
    return touched, old_phones


def _corrected(
    corrected: set[str],
    refused: set[str],
    not_held: set[str],
    touched: set[str],
    notified: list[str],
    *,
    address_taken: bool,
) -> Done:
    """How far the corrections were carried out, and why not further (never a value)."""
    result: dict[str, Any] = {
        "corrected": sorted(corrected),
        "categories": sorted(touched),
        "notified": notified,
    }
    if refused:
        result["not_applied"] = sorted(refused)
    if not_held:
        result["not_held"] = sorted(not_held)
    if address_taken:
        reason = ADDRESS_NOT_RECORDED
    elif refused:
        reason = POLICY_REFUSES
    elif not_held:
        reason = NOT_HELD
    else:
        return Done(result=result)
    return Done(outcome="part" if corrected else "none", reason=reason, result=result)
