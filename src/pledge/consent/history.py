"""A person's consent history and current state, as the ledger proves it.

The current state here is recomputed from the events themselves (not read
from the projection), so what is shown is exactly what the ledger proves.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pledge.consent.ledger import subject_ref
from pledge.consent.marketing import filter_recipients
from pledge.consent.rules import current_state
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.crypto.aead import DecryptionFailed
from pledge.db.models import ConsentEvent
from pledge.records.service import find_subject_id


def consent_history(pledge: Pledge, email: str) -> dict[str, Any]:
    """Every event, the current state per purpose and channel, and what marketing may do."""
    with pledge.sessions() as session:
        subject_id = find_subject_id(session, pledge.keys, email)
        ref = subject_ref(session, pledge, subject_id) if subject_id else None
        events = (
            list(
                session.scalars(
                    select(ConsentEvent)
                    .where(ConsentEvent.subject_id == subject_id)
                    .order_by(ConsentEvent.recorded_at)
                )
            )
            if subject_id
            else []
        )
    data_key = ref.data_key if ref else None
    current: dict[str, dict[str, Any]] = {}
    for (purpose, channel), event in sorted(current_state(events).items()):
        current.setdefault(purpose, {})[channel] = {
            "granted": event.granted,
            "since": event.recorded_at.isoformat(),
            "method": event.method,
            "event": event.id,
        }
    return {
        "known": subject_id is not None,
        "subject_id": subject_id,
        "jurisdiction": ref.jurisdiction if ref else None,
        "events": [_event_json(pledge.keys, data_key, e) for e in events],
        "current": current,
        "marketing": marketing_state(pledge, email),
    }


def marketing_state(pledge: Pledge, email: str) -> dict[str, dict[str, Any]]:
    """Per marketing purpose and channel: may this person be contacted now, and if not why."""
    out: dict[str, dict[str, Any]] = {}
    for purpose in pledge.policy.purposes:
        if not purpose.marketing:
            continue
        for channel in purpose.channels:
            result = filter_recipients(pledge, channel, [email], purpose.id)
            reason = result.suppressed[0][1] if result.suppressed else None
            out.setdefault(purpose.id, {})[channel] = {"allowed": reason is None, "reason": reason}
    return out


def _event_json(keys: KeyManager, data_key: bytes | None, event: ConsentEvent) -> dict[str, Any]:
    evidence: dict[str, Any] | None = None
    if data_key is not None and event.evidence is not None:
        try:
            evidence = keys.decrypt_json(data_key, event.evidence, f"consent:{event.id}")
        except DecryptionFailed:
            evidence = None
    return {
        "id": event.id,
        "purpose": event.purpose,
        "channel": event.channel,
        "granted": event.granted,
        "method": event.method,
        "jurisdiction": event.jurisdiction,
        "policy_version": event.policy_version,
        "policy_digest": event.policy_digest,
        "text_hash": event.text_hash,
        "actor": event.actor,
        "recorded_at": event.recorded_at.isoformat(),
        "evidence": evidence,
    }
