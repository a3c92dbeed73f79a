"""The package an access, know or portability request gives the person.

Built when the holder of the token asks for it, from the store as it stands,
so no copy of the person's data ever sits in the request row. Each category
comes with what Art. 15 GDPR and the CCPA ask to be told: purposes and legal
bases, sources, recipients (with the dates the disclosure log shows each
actually received it), transfers and their safeguards, retention; and
the package lists the person's rights, including the right to complain to a
supervisory authority. California packages cover the 12 months before the
request. Every download is counted: the first copy is free.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.db.models import RightsRequest, SubjectKey
from pledge.errors import Conflict
from pledge.policy import Policy
from pledge.policy.render import spreadsheet_safe
from pledge.policy.schema import Category, Recipient
from pledge.records.service import decrypted_records
from pledge.rights.actions.common import Context, held_records, window_start
from pledge.rights.actions.disclose import CATEGORIES_ONLY, portable
from pledge.rights.disclosures import Logged, logged_for
from pledge.rights.lifecycle import add_event, load_for_holder, now_or, right_of
from pledge.rights.states import COMPLETED

PACKAGE_TYPES = frozenset({"access", "know", "portability"})


def package(
    pledge: Pledge, request_id: str, token: str | None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The JSON package of a completed access, know or portability request."""
    now = now_or(now)
    with pledge.transaction() as session:
        row = load_for_holder(session, pledge, request_id, token, lock=True)
        if row.type not in PACKAGE_TYPES or row.status != COMPLETED:
            raise Conflict("only a completed access or portability request has a package")
        row.copies_served += 1
        add_event(
            session,
            row,
            "package_served",
            actor="requester",
            at=now,
            details={"copy": row.copies_served},
        )
        ctx = Context(session=session, pledge=pledge, row=row, now=now)
        return _build(ctx, now)


def _build(ctx: Context, now: datetime) -> dict[str, Any]:
    row, policy = ctx.row, ctx.policy
    specific = row.type != "know" and row.verification != "categories"
    since = None if row.type == "portability" else window_start(ctx)
    records = _records(ctx, since=since, with_values=specific)
    if row.type == "portability":
        records = [r for r in records if portable(ctx, r["category"], r["legal_basis"])]
    by_category: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_category.setdefault(record["category"], []).append(record)
    logged = logged_for(ctx.session, row.subject_id, since=since)
    right = right_of(policy, row)
    copy_note = (
        "This is your first copy; it is free."
        if row.copies_served <= 1
        else "This is an additional copy; we may charge a reasonable fee for it."
        if right.fee_for_additional_copies
        else "This is an additional copy."
    )
    return {
        "request_id": row.id,
        "type": row.type,
        "generated_at": now.isoformat(),
        "jurisdiction": row.jurisdiction,
        "level": "specific_pieces" if specific else "categories",
        "note": None if specific or row.type == "know" else CATEGORIES_ONLY,
        "period": {"from": since.isoformat() if since else None, "to": row.received_at.isoformat()},
        "copy": row.copies_served,
        "copy_note": copy_note,
        "controller": {
            "name": policy.controller.name,
            "contact": policy.controller.privacy_officer_email,
        },
        "categories": [
            _category(policy, row, cat_id, items, specific, logged)
            for cat_id, items in sorted(by_category.items())
        ],
        "rights": _rights(policy, row.jurisdiction),
    }


def _records(ctx: Context, *, since: datetime | None, with_values: bool) -> list[dict[str, Any]]:
    rows = held_records(ctx, since=since)
    values: dict[str, Any] = {}
    if with_values and rows and ctx.row.subject_id is not None:
        wrapped = ctx.session.scalar(
            select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == ctx.row.subject_id)
        )
        if wrapped is not None:
            try:
                decrypted = decrypted_records(ctx.session, ctx.pledge.keys, ctx.row.subject_id)
            except KeyDestroyed:
                decrypted = []
            values = {item.id: item.data for item in decrypted}
    return [
        {
            "id": r.id,
            "category": r.category,
            "purpose": r.purpose,
            "legal_basis": r.legal_basis,
            "source": r.source,
            "collected_at": r.collected_at.isoformat(),
            "retain_until": r.retain_until.isoformat() if r.retain_until else None,
            "fields": list(r.field_names),
            **({"data": values.get(r.id, {})} if with_values else {}),
        }
        for r in rows
    ]


def _category(
    policy: Policy,
    row: RightsRequest,
    cat_id: str,
    items: list[dict[str, Any]],
    specific: bool,
    logged: list[Logged],
) -> dict[str, Any]:
    category: Category | None = policy.category(cat_id)
    purposes = sorted({item["purpose"] for item in items})
    recipients = [r for r in policy.recipients if cat_id in r.categories]
    out: dict[str, Any] = {
        "id": cat_id,
        "name": category.name if category else cat_id,
        "description": category.description if category else None,
        "purposes": [
            {
                "id": p,
                "name": (found.name if (found := policy.purpose(p)) else p),
                "legal_basis": policy.legal_basis(p, row.jurisdiction),
            }
            for p in purposes
        ],
        "legal_basis": sorted({item["legal_basis"] for item in items}),
        "sources": list(category.sources) if category else [],
        "collected_sources": sorted({item["source"] for item in items}),
        "recipients": _recipients(policy, cat_id, recipients, logged),
        "transfers": [
            {
                "recipient": r.id,
                "destination": r.transfer.destination,
                "safeguard": r.transfer.mechanism,
                "note": r.transfer.note,
            }
            for r in recipients
            if r.transfer is not None
        ],
        "retention": category.retention.model_dump(mode="json") if category else None,
        "fields": sorted({f for item in items for f in item["fields"]}),
    }
    out["records"] = items if specific else len(items)
    return out


def _recipients(
    policy: Policy, cat_id: str, recipients: list[Recipient], logged: list[Logged]
) -> list[dict[str, Any]]:
    """The policy's recipients of the category, each with the dates the log shows it was
    actually shared with them; a logged recipient the policy no longer names is kept."""
    shared: dict[str, list[str]] = {}
    for item in logged:
        if cat_id in item.categories:
            shared.setdefault(item.recipient, []).append(item.at.isoformat())
    out: list[dict[str, Any]] = [
        {"id": r.id, "name": r.name, "kind": r.kind, "disclosed_at": shared.pop(r.id, [])}
        for r in recipients
    ]
    for recipient_id, dates in sorted(shared.items()):
        found = policy.recipient(recipient_id)
        name, kind = (found.name, found.kind) if found else (recipient_id, None)
        out.append({"id": recipient_id, "name": name, "kind": kind, "disclosed_at": dates})
    return out


def _rights(policy: Policy, jurisdiction_id: str) -> dict[str, Any]:
    jurisdiction = policy.jurisdiction(jurisdiction_id) or policy.default_jurisdiction
    return {
        "law": jurisdiction.law,
        "rights": [{"type": r.type, "description": r.description} for r in jurisdiction.rights],
        "complaint": {
            "supervisory_authority": policy.controller.supervisory_authority,
            "dispute_resolution": policy.controller.dispute_resolution.url,
            "text": "You may complain to a supervisory (data protection) authority, "
            "in particular where you live or work.",
        },
    }


def package_zip(
    pledge: Pledge, request_id: str, token: str | None, *, now: datetime | None = None
) -> bytes:
    """The package as ``package.json`` plus one CSV per category, zipped (portability)."""
    data = package(pledge, request_id, token, now=now)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", json.dumps(data, indent=2, ensure_ascii=False))
        for category in data["categories"]:
            if isinstance(category["records"], list):
                archive.writestr(f"{category['id']}.csv", _csv(category))
    return buffer.getvalue()


def _csv(category: dict[str, Any]) -> str:
    fields = category["fields"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_cell(name) for name in ["record_id", "collected_at", "purpose", "source", *fields]]
    )
    for record in category["records"]:
        values = record.get("data", {})
        writer.writerow(
            [
                _cell(record["id"]),
                _cell(record["collected_at"]),
                _cell(record["purpose"]),
                _cell(record["source"]),
                *[_cell(values.get(f)) for f in fields],
            ]
        )
    return out.getvalue()


def _cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return spreadsheet_safe(text)
