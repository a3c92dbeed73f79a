"""The package an access, know or portability request gives the person.

Built once, when the request is fulfilled (:func:`snapshot`), and stored in
the request row encrypted with the subject's key (the system key, bound to the
request id, when nothing is held): an erasure or crypto-shredding of the
person destroys it with the rest of their data. Every download, as JSON, ZIP
or HTML, serves that snapshot, so a request token never reads data collected
after the answer. Downloads stop (410) ``PLEDGE_PACKAGE_DAYS`` after
fulfilment or after ``PLEDGE_PACKAGE_COPIES`` copies; the daily retention task
drops expired snapshots. Each category comes with what Art. 15 GDPR and the
CCPA ask to be told: purposes and legal bases, sources, recipients (with the
dates the disclosure log shows each actually received it), transfers and
their safeguards, retention; and the package lists the person's rights,
including the right to complain to a supervisory authority. California
packages cover the 12 months before the request. Every download is counted:
the first copy is free.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyDestroyed
from pledge.db.models import RightsRequest, SubjectKey
from pledge.errors import Conflict, PledgeError
from pledge.i18n import N_
from pledge.policy import Policy
from pledge.policy.render import spreadsheet_safe
from pledge.policy.schema import Category, Recipient
from pledge.records.service import decrypted_records
from pledge.rights.actions.common import Context, held_records, window_start
from pledge.rights.actions.disclose import CATEGORIES_ONLY, portable
from pledge.rights.connected_rows import rows_of_request
from pledge.rights.disclosures import Logged, logged_for
from pledge.rights.lifecycle import Holder, add_event, load_for_holder, now_or, right_of
from pledge.rights.states import COMPLETED

PACKAGE_TYPES = frozenset({"access", "know", "portability"})


class PackageGone(PledgeError):
    """410: the package expired, was downloaded as often as allowed, or was erased.

    ``template`` (marked ``N_``) and ``values`` let a page say it in the reader's
    language, the day in its own words; ``message`` is the English the API answers.
    """

    status_code: ClassVar[int] = 410
    code: ClassVar[str] = "gone"

    def __init__(self, template: str, **values: Any) -> None:
        english = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in values.items()
        }
        super().__init__(template % english)
        self.template = template
        self.values = values


ERASED = N_(
    "this package was erased with your data; you may make a new request to receive your "
    "data as it is now"
)
NOT_KEPT = N_(
    "this package is no longer available; you may make a new request to receive your data "
    "as it is now"
)
EXPIRED = N_(
    "this package could be downloaded until %(day)s; you may make a new request to receive "
    "your data as it is now"
)
USED_UP = N_(
    "this package was downloaded %(limit)s times, the most allowed; you may make a new "
    "request to receive your data as it is now"
)


def snapshot(ctx: Context) -> None:
    """Build the package now, at fulfilment, and keep it encrypted in the request row."""
    row = ctx.row
    try:
        key = _subject_key(ctx)
    except KeyDestroyed:  # erased since the code was confirmed: nothing to give
        return
    content = _build(ctx, ctx.now, key)
    aad = _aad(row)
    row.package_ciphertext = (
        ctx.pledge.keys.encrypt_system(content, aad)
        if key is None
        else ctx.pledge.keys.encrypt_json(key, content, aad)
    )
    row.package_expires_at = ctx.now + timedelta(days=ctx.pledge.settings.package_days)


def _aad(row: RightsRequest) -> str:
    return f"rights-package:{row.id}"


def _subject_key(ctx: Context) -> bytes | None:
    """The subject's data key; None when nothing is held. KeyDestroyed once erased."""
    subject_id = ctx.row.subject_id
    if subject_id is None:
        return None
    wrapped = ctx.session.scalar(
        select(SubjectKey.wrapped_key).where(SubjectKey.subject_id == subject_id)
    )
    return ctx.pledge.keys.unwrap(wrapped, subject_id)


def _open(ctx: Context) -> dict[str, Any]:
    row = ctx.row
    assert row.package_ciphertext is not None
    try:
        key = _subject_key(ctx)
    except KeyDestroyed:
        raise PackageGone(ERASED) from None
    keys = ctx.pledge.keys
    content: dict[str, Any] = (
        keys.decrypt_system(row.package_ciphertext, _aad(row))
        if key is None
        else keys.decrypt_json(key, row.package_ciphertext, _aad(row))
    )
    return content


def package(
    pledge: Pledge,
    request_id: str,
    token: Holder,
    *,
    now: datetime | None = None,
    form: str = "json",
) -> dict[str, Any]:
    """The package of a completed access, know or portability request, as built at fulfilment.

    410 once it expired (``PLEDGE_PACKAGE_DAYS``), after ``PLEDGE_PACKAGE_COPIES``
    downloads, or when there is none (erased, completed by hand, or fulfilled
    before packages were kept); nothing is counted then. Each copy served is an
    audited read (``form``: json, html or zip).
    """
    now = now_or(now)
    limit = pledge.settings.package_copies
    with pledge.transaction() as session:
        row = load_for_holder(session, pledge, request_id, token, lock=True)
        if row.type not in PACKAGE_TYPES or row.status != COMPLETED:
            raise Conflict(N_("only a completed access or portability request has a package"))
        if row.package_ciphertext is None:
            raise PackageGone(NOT_KEPT)
        if row.package_expires_at is not None and now >= row.package_expires_at:
            raise PackageGone(EXPIRED, day=row.package_expires_at.date())
        if row.copies_served >= limit:
            raise PackageGone(USED_UP, limit=limit)
        ctx = Context(session=session, pledge=pledge, row=row, now=now)
        content = _open(ctx)
        row.copies_served += 1
        add_event(
            session,
            row,
            "package_served",
            actor="requester",
            at=now,
            details={"copy": row.copies_served},
        )
        _audit_download(session, row, content, form)
        return {**content, **_copy(pledge, row, limit)}


def _audit_download(
    session: Session, row: RightsRequest, content: dict[str, Any], form: str
) -> None:
    """The person read their own data: which copy, in which form, how much (no values)."""
    audit.audit_read(
        session,
        "requester",
        "rights_request",
        row.id,
        "package",
        subject_id=row.subject_id,
        counts={
            "form": form,
            "copy": row.copies_served,
            "categories": len(content.get("categories", [])),
            "systems": len(content.get("systems", [])),
        },
    )


def _copy(pledge: Pledge, row: RightsRequest, limit: int) -> dict[str, Any]:
    """What this download is: which copy, its fee note, how long and how often it remains."""
    right = right_of(pledge.policy, row)
    note = (
        N_("This is your first copy; it is free.")
        if row.copies_served <= 1
        else N_("This is an additional copy; we may charge a reasonable fee for it.")
        if right.fee_for_additional_copies
        else N_("This is an additional copy.")
    )
    return {
        "copy": row.copies_served,
        "copy_note": note,
        "copies_left": max(limit - row.copies_served, 0),
        "available_until": row.package_expires_at.isoformat() if row.package_expires_at else None,
    }


def _build(ctx: Context, now: datetime, key: bytes | None) -> dict[str, Any]:
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
    return {
        "request_id": row.id,
        "type": row.type,
        "generated_at": now.isoformat(),
        "jurisdiction": row.jurisdiction,
        "level": "specific_pieces" if specific else "categories",
        "note": None if specific or row.type == "know" else CATEGORIES_ONLY,
        "period": {"from": since.isoformat() if since else None, "to": row.received_at.isoformat()},
        "controller": {
            "name": policy.controller.name,
            "contact": policy.controller.privacy_officer_email,
        },
        "categories": [
            _category(policy, row, cat_id, items, specific, logged)
            for cat_id, items in sorted(by_category.items())
        ],
        "systems": _systems(ctx, key, specific),
        "rights": _rights(policy, row.jurisdiction, row.country),
    }


def _systems(ctx: Context, key: bytes | None, specific: bool) -> list[dict[str, Any]]:
    """What the company's other systems hold: per system and collection, the rows (each
    by category) when specific pieces are given, else the categories and a count."""
    found = rows_of_request(ctx.session, ctx.pledge.keys, ctx.row.id, key)
    out: list[dict[str, Any]] = []
    for system_id, collections in sorted(found.items()):
        items = []
        for name, rows in sorted(collections.items()):
            categories = sorted({category for row in rows for category in row["data"]})
            entry: dict[str, Any] = {"collection": name, "categories": categories}
            entry["rows"] = rows if specific else len(rows)
            items.append(entry)
        out.append({"system": system_id, "collections": items})
    return out


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


def _rights(policy: Policy, jurisdiction_id: str, country: str) -> dict[str, Any]:
    """The person's rights, and the authority of their own country to complain to.

    The controller's own regulator (the FTC) only where the policy lists no
    authority for the person's country.
    """
    jurisdiction = policy.jurisdiction(jurisdiction_id) or policy.default_jurisdiction
    own = policy.authority_for(country)
    return {
        "law": jurisdiction.law,
        "rights": [{"type": r.type, "description": r.description} for r in jurisdiction.rights],
        "complaint": {
            "supervisory_authority": own.name if own else policy.controller.supervisory_authority,
            "authority_website": own.website if own else None,
            "dispute_resolution": policy.controller.dispute_resolution.url,
            "text": "You may complain to a supervisory (data protection) authority, "
            "in particular where you live or work.",
        },
    }


def package_zip(
    pledge: Pledge, request_id: str, token: Holder, *, now: datetime | None = None
) -> bytes:
    """The package as ``package.json`` plus one CSV per category, zipped (portability)."""
    data = package(pledge, request_id, token, now=now, form="zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("package.json", json.dumps(data, indent=2, ensure_ascii=False))
        for category in data["categories"]:
            if isinstance(category["records"], list):
                archive.writestr(f"{category['id']}.csv", _csv(category))
        for system in data.get("systems", []):
            for collection in system["collections"]:
                if isinstance(collection["rows"], list):
                    name = f"systems/{system['system']}/{collection['collection']}.csv"
                    archive.writestr(name, _rows_csv(collection["rows"]))
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


def _rows_csv(rows: list[dict[str, Any]]) -> str:
    """A connected collection's rows: the key, then ``category.column`` per value."""
    columns = sorted(
        {f"{cat}.{col}" for row in rows for cat, cols in row["data"].items() for col in cols}
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(name) for name in ["key", *columns]])
    for row in rows:
        flat = {f"{cat}.{col}": v for cat, cols in row["data"].items() for col, v in cols.items()}
        writer.writerow([_cell(row["key"]), *[_cell(flat.get(c)) for c in columns]])
    return out.getvalue()


def _cell(value: Any) -> str:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return spreadsheet_safe(text)
