"""What a person's rights requests stopped: the limits collection and marketing must obey.

Why a module of its own, below both ``records`` and ``rights``: the rights
process writes these limits (restriction, objection, withdrawal, opt-out),
and collection (``records``) and the marketing filter (``consent``) read
them. Kept inside ``rights`` they tied collection and rights into a circle.

A limit is a ``subject_restrictions`` row whose ``kind`` is one of
:class:`RestrictionKind`, or a per-purpose kind made by :func:`objection` or
:func:`consent_withdrawn`.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pledge.db.models import SubjectRestriction

OBJECTION_PREFIX = "objection:"
"""Prefix of the kind an objection records, one per purpose it stops."""

CONSENT_WITHDRAWN_PREFIX = "consent_withdrawn:"
"""Prefix of the kind a withdrawal of consent records, one per purpose held on consent."""

LEGITIMATE_INTERESTS = "legitimate_interests"

CHUNK = 1000


class RestrictionKind(StrEnum):
    """The limits that are not per purpose."""

    STORAGE_ONLY = "restriction"
    """A restriction of processing (Art. 18 GDPR): the data may be stored, nothing more."""

    MARKETING_OPT_OUT = "marketing_opt_out"
    """The person opted out of every marketing purpose and channel."""


def objection(purpose: str) -> str:
    """The kind that records an objection to ``purpose``."""
    return f"{OBJECTION_PREFIX}{purpose}"


def consent_withdrawn(purpose: str) -> str:
    """The kind that records the withdrawal of consent to ``purpose``."""
    return f"{CONSENT_WITHDRAWN_PREFIX}{purpose}"


def marketing_stops(purpose: str) -> dict[str, str]:
    """Every kind that stops marketing for ``purpose`` → the fact it sets in the filter."""
    return {
        RestrictionKind.STORAGE_ONLY: "restricted",
        objection(purpose): "objected_at",
        RestrictionKind.MARKETING_OPT_OUT: "opted_out_at",
        consent_withdrawn(purpose): "opted_out_at",
    }


def restrictions_for(session: Session, subject_id: str) -> list[str]:
    """The subject's active limits, sorted.

    Collection and processing code should call this before using a subject's
    data: :attr:`RestrictionKind.STORAGE_ONLY` allows storage only.
    """
    rows = session.scalars(
        select(SubjectRestriction.kind).where(
            SubjectRestriction.subject_id == subject_id, SubjectRestriction.lifted_at.is_(None)
        )
    )
    return sorted(set(rows))


def collection_limits(session: Session, subject_ids: Collection[str]) -> dict[str, set[str]]:
    """Each of these subjects' active restriction, objections and withdrawals, for collection.

    All stop new records: a restriction stops everything but storage, an
    objection stops the purposes it names, a withdrawal of consent (or an
    opt-out of marketing) stops the consent-based purposes it names. One query
    per batch (chunked for very large ones), never one per record; subjects
    without a limit are absent.
    """
    ids = sorted(set(subject_ids))
    found: dict[str, set[str]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(SubjectRestriction.subject_id, SubjectRestriction.kind).where(
                SubjectRestriction.subject_id.in_(ids[start : start + CHUNK]),
                or_(
                    SubjectRestriction.kind == RestrictionKind.STORAGE_ONLY.value,
                    SubjectRestriction.kind == RestrictionKind.MARKETING_OPT_OUT.value,
                    SubjectRestriction.kind.startswith(OBJECTION_PREFIX, autoescape=True),
                    SubjectRestriction.kind.startswith(CONSENT_WITHDRAWN_PREFIX, autoescape=True),
                ),
                SubjectRestriction.lifted_at.is_(None),
            )
        )
        for subject_id, kind in rows:
            found.setdefault(subject_id, set()).add(kind)
    return found


def objects_to(kinds: Collection[str], purpose: str, legal_basis: str) -> bool:
    """Whether the subject's objection stops a record for this purpose on this basis.

    Art. 21(1) GDPR: an objection stops processing that rests on legitimate
    interests; a record the same purpose holds on contract or consent (in
    another jurisdiction, say) is not touched. Direct marketing, where the
    objection is absolute, is stopped where it happens: the send-list filter.
    """
    return legal_basis == LEGITIMATE_INTERESTS and objection(purpose) in kinds


def withdrew_from(kinds: Collection[str], purpose: str, *, marketing: bool) -> bool:
    """Whether a rights request withdrew the consent ``purpose`` rests on.

    A ``withdraw_consent`` request records one kind per purpose; an opt-out of
    marketing withdraws every marketing purpose at once.
    """
    if consent_withdrawn(purpose) in kinds:
        return True
    return marketing and RestrictionKind.MARKETING_OPT_OUT in kinds
