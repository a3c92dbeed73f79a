"""Requests that reveal: access, know, portability and disclosures.

Fulfilment only records what is held (categories and counts, from the
records' clear tags); the package itself is built when the holder of the
token downloads it (:mod:`pledge.rights.export`), so it always reflects the
data as it stands and nothing personal is copied into the request row.
"""

from __future__ import annotations

from typing import Any

from pledge.rights.actions.common import Context, Done, held_records, window_start

PORTABLE_BASES = frozenset({"consent", "contract"})

CATEGORIES_ONLY = (
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


def disclosures(ctx: Context) -> Done:
    """Who received which categories, from the policy's recipients of the categories held.

    Pledge keeps no log of individual transfers yet, so the answer is built from
    the policy and says so: it lists who may have received the data.
    """
    held = {r.category for r in held_records(ctx, since=window_start(ctx))}
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
    note = (
        "Built from our privacy policy: these are the recipients of the categories of data "
        "we hold about you. We do not yet keep a log of each individual transfer."
    )
    return Done(
        result={
            "categories": sorted(held),
            "recipients": recipients,
            "source": "policy",
            "note": note,
        }
    )
