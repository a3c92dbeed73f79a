"""Which key seals a delivery's payload, and opening it again.

Two keys, chosen when the delivery is queued (``outbox.payload_key``):

- ``subject``: the data key of the person the delivery concerns (``subject_id``),
  while that key lives. Mail about a person Pledge holds data on is sealed so:
  it may be kept after sending (``pledge outbox list`` shows where it went), and
  the person's erasure, which destroys the key, makes every copy unreadable at
  once, in this database and in any backup or replica of it.
- ``system``: the system key. Everything else: mail to someone with no key (a
  code mail before anything is held, an agent, the answer to an erasure, queued
  after the key is gone), Client webhooks, recipient notices. The system key
  outlives every erasure, so such a payload must not outlive its delivery: it is
  dropped once sent (:func:`pledge.delivery.lease.record`), and an erasure drops
  what is left of the person's mail that will not be sent.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.crypto.keys import KeyDestroyed
from pledge.db.models import SubjectKey


class PayloadKey(StrEnum):
    SYSTEM = "system"
    SUBJECT = "subject"


class Shredded(Exception):
    """The payload was sealed with a person's key, destroyed since by their erasure."""


def subject_data_keys(
    session: Session, keys: KeyManager, subject_ids: Collection[str]
) -> dict[str, bytes]:
    """The live data key of each of these subjects; the erased (and unknown) are absent."""
    wanted = sorted(set(subject_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(SubjectKey.subject_id, SubjectKey.wrapped_key).where(
            SubjectKey.subject_id.in_(wanted), SubjectKey.wrapped_key.is_not(None)
        )
    ).all()
    found: dict[str, bytes] = {}
    for subject_id, wrapped in rows:
        try:
            found[subject_id] = keys.unwrap(wrapped, subject_id)
        except KeyDestroyed:
            continue
    return found


def seal(
    keys: KeyManager, content: Any, aad: str, data_key: bytes | None
) -> tuple[bytes, PayloadKey]:
    """Encrypt ``content`` with the person's key when one is given, else the system key."""
    if data_key is not None:
        return KeyManager.encrypt_json(data_key, content, aad), PayloadKey.SUBJECT
    return keys.encrypt_system(content, aad), PayloadKey.SYSTEM


def unseal(
    keys: KeyManager, payload: bytes, aad: str, payload_key: str, data_key: bytes | None
) -> Any:
    """The content; raises Shredded for a person's payload whose key is gone."""
    if payload_key == PayloadKey.SUBJECT:
        if data_key is None:
            raise Shredded()
        return KeyManager.decrypt_json(data_key, payload, aad)
    return keys.decrypt_system(payload, aad)


def open_payload(
    session: Session | None,
    keys: KeyManager,
    *,
    payload: bytes,
    aad: str,
    payload_key: str,
    subject_id: str | None,
) -> Any:
    """Open one payload, looking up the person's key (in ``session``) when it was sealed with it."""
    data_key = None
    if payload_key == PayloadKey.SUBJECT and subject_id is not None:
        if session is None:
            raise ValueError("a payload sealed with a person's key is read in a session")
        data_key = subject_data_keys(session, keys, [subject_id]).get(subject_id)
    return unseal(keys, payload, aad, payload_key, data_key)
