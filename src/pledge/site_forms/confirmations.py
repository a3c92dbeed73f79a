"""Answers held until the person follows the link mailed to the address they typed.

The link is the only key: ``/forms/confirm/<row id>.<random key>``. The row
holds the answers sealed under that key (AES-GCM, the row id as associated
data), so neither the database nor the master key opens it; a link works once
(the row is deleted as it is read) and for :data:`CONFIRM_DAYS` days. Expired
rows are deleted whenever a new one is written, and by :func:`purge_expired`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.crypto.aead import DecryptionFailed
from pledge.db.base import new_id, utcnow
from pledge.db.models import FormConfirmation

CONFIRM_DAYS = 7
CONFIRM_PATH = "/forms/confirm/"


def hold(pledge: Pledge, form_id: str, answers: dict[str, Any]) -> str:
    """Seal ``answers`` under a new key; returns the token (the link's last segment)."""
    row_id, key = new_id(), pledge.keys.new_data_key()
    now = utcnow()
    with pledge.transaction() as session:
        session.execute(delete(FormConfirmation).where(FormConfirmation.expires_at < now))
        session.add(
            FormConfirmation(
                id=row_id,
                form_id=form_id,
                ciphertext=KeyManager.encrypt_json(key, answers, _aad(row_id)),
                created_at=now,
                expires_at=now + timedelta(days=CONFIRM_DAYS),
            )
        )
    return f"{row_id}.{base64.urlsafe_b64encode(key).decode().rstrip('=')}"


@dataclass(frozen=True)
class Pending:
    """What a live link confirms, as its page shows it: no value the person typed."""

    form_id: str
    answers: dict[str, bool]
    """Each consent question's id and the answer given (yes, or a deliberate no)."""
    keeps_form: bool
    """The form itself waits for the confirmation (it rests on the consent asked)."""


def peek(pledge: Pledge, token: str) -> Pending | None:
    """What a live token confirms, without using it (the page before the button)."""
    parsed = _parse(token)
    if parsed is None:
        return None
    with pledge.sessions() as session:
        row = session.get(FormConfirmation, parsed[0])
        if row is None or row.expires_at < utcnow():
            return None
        held = _open(row, parsed[1])
        if held is None:
            return None
        answers = held.get("answers")
        return Pending(
            form_id=row.form_id,
            answers={
                str(k): bool(v) for k, v in (answers if isinstance(answers, dict) else {}).items()
            },
            keeps_form=held.get("record") is not None,
        )


def take(pledge: Pledge, token: str) -> tuple[str, dict[str, Any]] | None:
    """The form id and answers of a live token, deleting them: a second call gets None."""
    parsed = _parse(token)
    if parsed is None:
        return None
    row_id, key = parsed
    with pledge.transaction() as session:
        row = session.execute(
            select(FormConfirmation).where(FormConfirmation.id == row_id)
        ).scalar_one_or_none()
        if row is None:
            return None
        answers = _open(row, key)
        if answers is None:
            return None  # a forged key leaves the real link working
        gone = session.execute(delete(FormConfirmation).where(FormConfirmation.id == row_id))
        if getattr(gone, "rowcount", 0) != 1 or row.expires_at < utcnow():
            return None  # another click took it first, or it expired
        return row.form_id, answers


def purge_expired(pledge: Pledge) -> int:
    """Delete the rows whose link has expired; returns how many."""
    with pledge.transaction() as session:
        gone = session.execute(
            delete(FormConfirmation).where(FormConfirmation.expires_at < utcnow())
        )
        return int(getattr(gone, "rowcount", 0) or 0)


def _parse(token: str) -> tuple[str, bytes] | None:
    row_id, _, encoded = token.partition(".")
    if len(row_id) != 36 or not 40 <= len(encoded) <= 44:
        return None
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        return None
    return (row_id, key) if len(key) == 32 else None


def _open(row: FormConfirmation, key: bytes) -> dict[str, Any] | None:
    try:
        answers = KeyManager.decrypt_json(key, row.ciphertext, _aad(row.id))
    except DecryptionFailed:
        return None
    return answers if isinstance(answers, dict) else None


def _aad(row_id: str) -> str:
    return f"form-confirmation:{row_id}"
