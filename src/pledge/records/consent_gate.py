"""Consent at collection: a record whose legal basis is consent needs a live consent.

Where the policy says a purpose rests on consent in the person's jurisdiction
(marketing for an EU person, say), holding data for it without that consent is
unlawful from the first byte (Art. 6(1)(a), 7(1) GDPR: the controller must be
able to show the consent). So collection asks the consent ledger's projection
(``consent_states``, the latest event per subject, purpose and channel) whether
the person's consent for the purpose is live: granted on at least one channel,
and not withdrawn since, neither in the ledger (its state turns to not granted)
nor by a rights request (a ``consent_withdrawn:<purpose>`` limit, or an opt-out
of marketing for a marketing purpose). If not, nothing of the batch is stored
and the answer (422, ``consent_required``) names the field ``purpose``.

Why the projection and not the ledger itself: the records path is
benchmarked; ``consent_states`` has one row per subject, purpose and channel,
reached through its unique index on ``(subject_id, purpose, channel)``, so a
whole batch costs one indexed query (chunked for very large ones) and only for
records whose basis is consent. A subject created by this very batch cannot
have consented yet and needs no query at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.db.models import ConsentState
from pledge.errors import ValidationFailed
from pledge.policy import Policy
from pledge.restrictions import withdrew_from

CONSENT = "consent"
CHUNK = 1000


class ConsentRequired(ValidationFailed):
    """422: the purpose rests on consent here, and the person's consent is not live."""

    code = "consent_required"


def consented(
    session: Session, subject_ids: Collection[str], purposes: Collection[str]
) -> set[tuple[str, str]]:
    """The (subject, purpose) pairs among these whose consent is granted on some channel."""
    ids = sorted(set(subject_ids))
    wanted = sorted(set(purposes))
    found: set[tuple[str, str]] = set()
    if not ids or not wanted:
        return found
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(ConsentState.subject_id, ConsentState.purpose)
            .where(
                ConsentState.subject_id.in_(ids[start : start + CHUNK]),
                ConsentState.purpose.in_(wanted),
                ConsentState.granted.is_(True),
            )
            .distinct()
        )
        found.update((str(subject_id), str(purpose)) for subject_id, purpose in rows)
    return found


def refuse_without_consent(
    session: Session,
    policy: Policy,
    wanted: Sequence[tuple[str, str, str, bool]],
    limits: Mapping[str, set[str]],
    *,
    batch: bool,
) -> None:
    """Raise ConsentRequired unless every consent-based record has a live consent.

    ``wanted`` holds, per record in order, its subject id, purpose, legal
    basis and whether the subject is new; ``limits`` the active limits of the
    subjects that existed (:func:`pledge.restrictions.collection_limits`).
    """
    needing = [
        (position, subject_id, purpose, created)
        for position, (subject_id, purpose, basis, created) in enumerate(wanted)
        if basis == CONSENT
    ]
    if not needing:
        return
    known = {(s, p) for _, s, p, created in needing if not created}
    live = consented(session, {s for s, _ in known}, {p for _, p in known})
    refused: dict[str, str] = {}
    for position, subject_id, purpose, _ in needing:
        declared = policy.purpose(purpose)
        marketing = bool(declared and declared.marketing)
        withdrawn = withdrew_from(limits.get(subject_id, set()), purpose, marketing=marketing)
        if (subject_id, purpose) in live and not withdrawn:
            continue
        prefix = f"records[{position}]." if batch else ""
        refused[prefix + "purpose"] = (
            f"rests on consent for this person, and they have no live consent for {purpose}"
        )
    if refused:
        raise ConsentRequired(
            "the purpose rests on the person's consent, which the consent ledger does not "
            "hold (never given, or withdrawn), so nothing was stored",
            fields=refused,
        )
