"""Requests that reveal: access, know, portability and disclosures.

Each action records what is held (categories and counts, from the records'
clear tags) in the request's result; the package itself is built right after,
in the same transaction, and kept encrypted with the subject's key
(:func:`pledge.rights.export.snapshot`), so every download gives the data as it
stood at the answer, never what was collected later.
"""

from __future__ import annotations

from typing import Any

from pledge.i18n import N_
from pledge.rights.actions.common import Context, Done, held_records, window_start
from pledge.rights.disclosures import Logged, logged_for

PORTABLE_BASES = frozenset({"consent", "contract"})

CATEGORIES_ONLY = N_(
    "We could not confirm your identity well enough to give you the specific pieces of "
    "data: the further detail you gave (such as a phone number) did not match what we "
    "hold, or none was given. We give you the categories of data we hold instead."
)


def access(ctx: Context) -> Done:
    records = held_records(ctx, since=window_start(ctx))
    level = "categories" if ctx.row.verification == "categories" else "specific_pieces"
    result = {
        "package": "available",
        "level": level,
        "categories": sorted({r.category for r in records}),
        "records": len(records),
    }
    if level == "categories":
        return Done(outcome="part", reason=CATEGORIES_ONLY, result=result)
    return Done(result=result)


def know(ctx: Context) -> Done:
    """The CCPA's right to know: categories, purposes and sources, without the values."""
    records = held_records(ctx, since=window_start(ctx))
    return Done(
        result={
            "package": "available",
            "level": "categories",
            "categories": sorted({r.category for r in records}),
            "records": len(records),
        }
    )


def portable(ctx: Context, record_category: str, legal_basis: str) -> bool:
    """Data the person gave us, held on their consent or for a contract with them."""
    category = ctx.policy.category(record_category)
    return bool(
        category
        and category.provided_by_subject
        and category.role == "controller"
        and legal_basis in PORTABLE_BASES
    )


def portability(ctx: Context) -> Done:
    records = [r for r in held_records(ctx) if portable(ctx, r.category, r.legal_basis)]
    return Done(
        result={
            "package": "available",
            "formats": ["json", "zip"],
            "categories": sorted({r.category for r in records}),
            "records": len(records),
        }
    )


MAX_TRANSFERS_LISTED = 500
"""The newest transfers listed one by one; the per-recipient summary counts them all."""


def disclosures(ctx: Context) -> Done:
    """Who actually received which categories and when, from the disclosure log.

    The policy's recipients of the categories held are listed beside it for
    context (who *may* receive the data), but the answer is the log: every
    transfer to a third party writes a row there as it happens.
    """
    since = window_start(ctx)
    held = {r.category for r in held_records(ctx, since=since)}
    logged = logged_for(ctx.session, ctx.row.subject_id, since=since)
    shared = {category for item in logged for category in item.categories}
    note = (
        "The recipients are those our disclosure log shows actually received your data, "
        "with the dates; the policy's recipients of the categories we hold are listed "
        "for context."
        if logged
        else "Our disclosure log shows no transfer of your data to a third party. The "
        "policy's recipients of the categories we hold are listed for context."
    )
    return Done(
        result={
            "categories": sorted(held | shared),
            "recipients": _logged_recipients(ctx, logged),
            "transfers": [
                {
                    "recipient": item.recipient,
                    "categories": list(item.categories),
                    "purpose": item.purpose,
                    "at": item.at.isoformat(),
                }
                for item in logged[-MAX_TRANSFERS_LISTED:]
            ],
            "transfers_total": len(logged),
            "policy_recipients": _policy_recipients(ctx, held),
            "source": "log",
            "note": note,
        }
    )


def _logged_recipients(ctx: Context, logged: list[Logged]) -> list[dict[str, Any]]:
    """One entry per recipient in the log: categories and purposes, first and last date."""
    by_recipient: dict[str, list[Logged]] = {}
    for item in logged:
        by_recipient.setdefault(item.recipient, []).append(item)
    out: list[dict[str, Any]] = []
    for recipient_id, items in sorted(by_recipient.items()):
        recipient = ctx.policy.recipient(recipient_id)
        out.append(
            {
                "id": recipient_id,
                "name": recipient.name if recipient else recipient_id,
                "kind": recipient.kind if recipient else None,
                "categories": sorted({c for item in items for c in item.categories}),
                "purposes": sorted({item.purpose for item in items}),
                "first_at": items[0].at.isoformat(),
                "last_at": items[-1].at.isoformat(),
                "transfers": len(items),
            }
        )
    return out


def _policy_recipients(ctx: Context, held: set[str]) -> list[dict[str, Any]]:
    """The policy's recipients of the categories held: who may receive the data."""
    recipients: list[dict[str, Any]] = []
    for recipient in ctx.policy.recipients:
        shared = sorted(held & set(recipient.categories))
        if not shared:
            continue
        transfer = recipient.transfer
        recipients.append(
            {
                "id": recipient.id,
                "name": recipient.name,
                "kind": recipient.kind,
                "categories": shared,
                "purposes": list(recipient.purposes),
                "transfer": transfer.model_dump(mode="json") if transfer else None,
            }
        )
    return recipients
