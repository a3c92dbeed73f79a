"""One audit entry for every read of decrypted personal data (issue #15, item 4).

The policy promises that every access to personal data is recorded, not only
every change. Whoever shows a person's data decrypted (a package download, a
console view, a consent history, a stored conversation, an export) calls
:func:`audit_read` in the transaction that read it: one INSERT, ids and counts
only, never a value, so the log says who saw what kind of data about whom.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pledge.audit.chain import append
from pledge.db.models import AuditEntry

READ = "personal_data.read"
"""The one action of every read entry; ``details.what`` says which view it was."""


def audit_read(
    session: Session,
    actor: str,
    object_type: str,
    object_id: str,
    what: str,
    *,
    subject_id: str | None = None,
    counts: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` was shown ``what`` of ``object_type`` ``object_id``, decrypted.

    ``counts`` holds how much was shown (records, events, fields) or the form
    (``json``, ``zip``): numbers and tags only, never a value read.
    """
    return append(
        session,
        action=READ,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        subject_id=subject_id,
        details={"what": what, **(counts or {})},
    )
