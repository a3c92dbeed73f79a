"""The CRM's own data (a SQLite file) and what each action of the protocol does to it.

``hand_overs`` keeps the applications Pledge hands over (a background check to
run, a new employee's record), one per kind and reference: the primary key makes
a repeat, or two at once, keep the first.

Two tables hold personal data: ``contacts`` (email, name, phone, company) and
``notes`` (a contact's notes). A person is found by the identities Pledge sends:
``email``, ``phone``, or ``crm_contact_id`` (the contact's id, which the CRM
reveals through the ``identities`` action). Erasure clears a contact's personal
attributes, keeps the company (not the person's data) and deletes their notes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY,
    email TEXT COLLATE NOCASE,
    name TEXT,
    phone TEXT,
    company TEXT,
    restricted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS contacts_email ON contacts (email);
CREATE INDEX IF NOT EXISTS contacts_phone ON contacts (phone);
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id),
    text TEXT
);
CREATE INDEX IF NOT EXISTS notes_contact ON notes (contact_id);
CREATE TABLE IF NOT EXISTS hand_overs (
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    fields TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT (datetime('now')),
    PRIMARY KEY (kind, reference)
);
CREATE TABLE IF NOT EXISTS answers (
    idempotency_key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    body TEXT NOT NULL
);
"""

IDENTITY_COLUMNS = {"email": "email", "phone": "phone", "crm_contact_id": "id"}
"""Identity kind Pledge sends -> the contacts column that holds it (fixed names, never input)."""

CORRECTABLE = ("email", "name", "phone")
"""Policy fields a rectification may correct -> the contacts column of the same name."""

ERASED = ("email", "name", "phone")

DESCRIPTION = {
    "contacts": ["id", "email", "name", "phone", "company", "restricted"],
    "notes": ["id", "contact_id", "text"],
}

HAND_OVERS = {
    "background_check": ["full_name", "email", "country", "resume", "resume_media_type"],
    "employee_record": [
        "full_name",
        "email",
        "phone",
        "country",
        "position",
        "resume",
        "resume_name",
        "resume_sha256",
    ],
}
"""The hand-overs this processor takes, and the attributes each accepts (``resume``: base64)."""

Identities = Mapping[str, list[str]]
Answer = dict[str, Any]


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """One connection, one transaction: committed on success, rolled back on error."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def create_schema(path: Path) -> None:
    with connect(path) as conn:
        conn.executescript(SCHEMA)


def find(conn: sqlite3.Connection, identities: Identities) -> list[int]:
    """The ids of the contacts any of the identities names."""
    ids: set[int] = set()
    for kind, column in IDENTITY_COLUMNS.items():
        values = [str(v) for v in identities.get(kind, [])]
        if values:
            marks = ",".join("?" * len(values))
            sql = f"SELECT id FROM contacts WHERE {column} IN ({marks})"  # noqa: S608 (fixed names)
            ids.update(row[0] for row in conn.execute(sql, values))
    return sorted(ids)


def _in(ids: list[int]) -> str:
    return ",".join("?" * len(ids))


def identities(conn: sqlite3.Connection, ids: list[int]) -> Answer:
    rows = conn.execute(f"SELECT id, email, phone FROM contacts WHERE id IN ({_in(ids)})", ids)  # noqa: S608
    found: dict[str, set[str]] = {"email": set(), "phone": set(), "crm_contact_id": set()}
    for contact_id, email, phone in rows:
        found["crm_contact_id"].add(str(contact_id))
        if email:
            found["email"].add(email.lower())
        if phone:
            found["phone"].add(phone)
    return {"identities": {kind: sorted(values) for kind, values in found.items()}}


def export(conn: sqlite3.Connection, ids: list[int]) -> Answer:
    rows: list[Answer] = []
    contacts = conn.execute(
        f"SELECT id, email, name, phone, company FROM contacts WHERE id IN ({_in(ids)})",  # noqa: S608
        ids,
    )
    for contact_id, email, name, phone, company in contacts:
        fields = {"email": email, "name": name, "phone": phone, "company": company}
        rows.append({"collection": "contacts", "key": contact_id, "fields": fields})
    notes = conn.execute(
        f"SELECT id, contact_id, text FROM notes WHERE contact_id IN ({_in(ids)})",  # noqa: S608
        ids,
    )
    for note_id, contact_id, text in notes:
        fields = {"contact_id": contact_id, "text": text}
        rows.append({"collection": "notes", "key": note_id, "fields": fields})
    return {"rows": rows}


def erase(conn: sqlite3.Connection, ids: list[int]) -> Answer:
    contacts, notes = _counts(conn, ids)
    deleted = conn.execute(f"DELETE FROM notes WHERE contact_id IN ({_in(ids)})", ids).rowcount  # noqa: S608
    held = " OR ".join(f"{c} IS NOT NULL" for c in ERASED)
    cleared = ", ".join(f"{c} = NULL" for c in ERASED)
    changed = conn.execute(
        f"UPDATE contacts SET {cleared} WHERE id IN ({_in(ids)}) AND ({held})",  # noqa: S608
        ids,
    ).rowcount
    return {
        "collections": {
            "contacts": {"rows": contacts, "changed": changed, "deleted": 0},
            "notes": {"rows": notes, "changed": 0, "deleted": deleted},
        },
        "residual": _residual(conn, ids),
    }


def rectify(conn: sqlite3.Connection, ids: list[int], corrections: Mapping[str, str]) -> Answer:
    contacts, notes = _counts(conn, ids)
    columns = [c for c in CORRECTABLE if c in corrections]
    changed = 0
    if columns and ids:
        assignments = ", ".join(f"{c} = ?" for c in columns)
        values = [corrections[c] for c in columns]
        sql = f"UPDATE contacts SET {assignments} WHERE id IN ({_in(ids)})"  # noqa: S608
        changed = conn.execute(sql, [*values, *ids]).rowcount
    return {
        "collections": {
            "contacts": {"rows": contacts, "changed": changed, "deleted": 0},
            "notes": {"rows": notes, "changed": 0, "deleted": 0},
        },
        "residual": 0,
    }


def restrict(conn: sqlite3.Connection, ids: list[int]) -> Answer:
    contacts, notes = _counts(conn, ids)
    changed = conn.execute(
        f"UPDATE contacts SET restricted = 1 WHERE id IN ({_in(ids)}) AND restricted = 0",  # noqa: S608
        ids,
    ).rowcount
    return {
        "collections": {
            "contacts": {"rows": contacts, "changed": changed, "deleted": 0},
            "notes": {"rows": notes, "changed": 0, "deleted": 0},
        },
        "residual": 0,
    }


def _counts(conn: sqlite3.Connection, ids: list[int]) -> tuple[int, int]:
    notes = conn.execute(
        f"SELECT count(*) FROM notes WHERE contact_id IN ({_in(ids)})",  # noqa: S608
        ids,
    ).fetchone()[0]
    return len(ids), int(notes)


def _residual(conn: sqlite3.Connection, ids: list[int]) -> int:
    """Erased attributes still holding a value, plus notes left (re-read after the writes)."""
    held = " + ".join(f"({c} IS NOT NULL)" for c in ERASED)
    attrs = conn.execute(
        f"SELECT coalesce(sum({held}), 0) FROM contacts WHERE id IN ({_in(ids)})",  # noqa: S608
        ids,
    ).fetchone()[0]
    return int(attrs) + _counts(conn, ids)[1]


def hand_over_problem(kind: str, fields: Mapping[str, Any]) -> str | None:
    """Why this hand-over is refused (a kind or attribute this processor does not take)."""
    accepted = HAND_OVERS.get(kind)
    if accepted is None:
        return "this processor takes no such hand-over"
    if set(fields) - set(accepted):
        return "an attribute this hand-over does not take"
    return None


def take(conn: sqlite3.Connection, kind: str, reference: str, fields: Mapping[str, Any]) -> Answer:
    """Keep the application unless this kind's application of ``reference`` is already here."""
    added = conn.execute(
        "INSERT OR IGNORE INTO hand_overs (kind, reference, fields) VALUES (?, ?, ?)",
        (kind, reference, json.dumps(dict(fields), sort_keys=True)),
    ).rowcount
    return {"written": added == 1}
