"""Positions: opened and closed by the recruiting team; closing one settles its applications.

When a position closes, each application naming it (and still held for
recruitment) is settled in the same transaction as the closing:

- the person ticked "keep my application" (``future_opportunities``) and has
  not objected to ``career_opportunities`` since: the record stays, now for
  ``career_opportunities`` (its legal basis re-read for the person's
  jurisdiction), until its retention deadline, which does not move;
- otherwise it is deleted, whatever the person's jurisdiction;
- a person under a legal hold, or who restricted processing, keeps it as it is
  (deleting would defeat the hold or the restriction); it is counted as left.

Closing a closed position again settles the applications that named it after
it closed. The audit entry holds the position's id and counts only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import Position
from pledge.errors import Conflict, NotFound, ValidationFailed
from pledge.i18n import N_
from pledge.recruiting.applications import (
    APPLIED,
    KEPT,
    POSITION_FIELD,
    application_rows,
    decrypt,
    stays_for_future,
)
from pledge.restrictions import RestrictionKind, collection_limits
from pledge.rights.holds import held_subject_ids
from pledge.validation import check_text_fields

POSITION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
TITLE_MAX = 200


@dataclass(frozen=True)
class Closed:
    """What closing a position did, in counts."""

    deleted: int
    kept: int
    """Kept for future openings, as the person asked."""
    left: int
    """Left as they were: a legal hold or a restriction of processing covers the person."""


def normalise_id(value: str) -> str:
    return value.strip().lower()


def check_position_input(position_id: str, title: str) -> dict[str, str]:
    """Problems by field; empty when both are good."""
    problems: dict[str, str] = {}
    if not POSITION_ID.match(normalise_id(position_id)):
        problems["id"] = "letters, digits and hyphens, at most 64, such as backend-engineer-2027"
    clean = title.strip()
    if not clean:
        problems["title"] = "give the position's title"
    elif len(clean) > TITLE_MAX or "\n" in clean or "\r" in clean:
        problems["title"] = f"one line of at most {TITLE_MAX} characters"
    else:
        try:
            check_text_fields({"title": clean})
        except ValidationFailed as exc:
            problems.update(exc.fields)
    return problems


def open_position(pledge: Pledge, position_id: str, title: str, *, actor: str) -> Position:
    """Open a new position; ValidationFailed by field, Conflict when the id is taken."""
    problems = check_position_input(position_id, title)
    if problems:
        raise ValidationFailed("the position is not valid", fields=problems)
    key = normalise_id(position_id)
    with pledge.transaction() as session:
        if session.get(Position, key) is not None:
            raise Conflict("a position with this id exists", fields={"id": "already used"})
        position = Position(id=key, title=title.strip(), opened_at=utcnow(), opened_by=actor)
        session.add(position)
        audit.append(
            session,
            action="recruiting.position_opened",
            actor=actor,
            object_type="position",
            object_id=key,
        )
    return position


def list_positions(pledge: Pledge) -> list[Position]:
    """Open positions first, then closed ones, newest first within each."""
    with pledge.sessions() as session:
        rows = list(session.scalars(select(Position)))
    return sorted(rows, key=lambda p: (p.closed_at is not None, -p.opened_at.timestamp()))


def open_ids(pledge: Pledge) -> set[str]:
    with pledge.sessions() as session:
        return set(session.scalars(select(Position.id).where(Position.closed_at.is_(None))))


NOT_OPEN = N_("Choose one of the open positions.")
NONE_OPEN = N_("No position is open at the moment.")


def open_choices(pledge: Pledge) -> list[tuple[str, str]] | None:
    """The open positions as (id, title) by title; None when the team never opened one.

    A company that does not manage its positions here gets a free-text field;
    once it does, an application must name an open one, so that closing it
    settles the application.
    """
    with pledge.sessions() as session:
        found = [
            (str(k), str(title))
            for k, title in session.execute(
                select(Position.id, Position.title).where(Position.closed_at.is_(None))
            )
        ]
        if not found and session.scalar(select(Position.id).limit(1)) is None:
            return None
    return sorted(found, key=lambda pair: (pair[1].casefold(), pair[0]))


def check_position(pledge: Pledge, data: dict[str, object]) -> None:
    """Normalise ``data``'s position to an open position's id; ValidationFailed if it is not one."""
    choices = open_choices(pledge)
    if choices is None:
        return
    value = data.get(POSITION_FIELD)
    key = normalise_id(value) if isinstance(value, str) else ""
    if not choices:
        raise ValidationFailed("no position is open", fields={POSITION_FIELD: NONE_OPEN})
    if key not in {position_id for position_id, _ in choices}:
        raise ValidationFailed("not an open position", fields={POSITION_FIELD: NOT_OPEN})
    data[POSITION_FIELD] = key


def close_position(
    pledge: Pledge, position_id: str, *, actor: str, now: datetime | None = None
) -> Closed:
    """Close the position (if open) and settle every application naming it, in one transaction."""
    key = normalise_id(position_id)
    with pledge.transaction() as session:
        position = session.get(Position, key, with_for_update=True)
        if position is None:
            raise NotFound("no such position")
        if position.closed_at is None:
            position.closed_at = now or utcnow()
            position.closed_by = actor
        closed = _settle(pledge, session, key)
        _audit_settled(session, "recruiting.position_closed", key, closed, actor)
    return closed


def settle_unplaced(pledge: Pledge, named: str, *, actor: str) -> Closed:
    """Settle, as a closing would, the applications naming ``named`` when it is no position.

    Applications sent while the team managed no positions here name a free-text
    reference or none (``named`` empty); no closing would ever reach them, so the
    recruiting team settles them once the opening they were for is over.
    """
    key = normalise_id(named)
    with pledge.transaction() as session:
        if key and session.get(Position, key) is not None:
            raise Conflict(
                "this is a position: close it instead", fields={"position": "a position"}
            )
        closed = _settle(pledge, session, key or None)
        _audit_settled(session, "recruiting.unplaced_settled", "unplaced", closed, actor)
    return closed


def _settle(pledge: Pledge, session: Session, key: str | None) -> Closed:
    """Delete or keep each application still held for recruitment that names ``key``."""
    policy = pledge.policy
    rows = {row.id: row for row in application_rows(session, purpose=APPLIED)}
    mine = [a for a in decrypt(session, pledge.keys, list(rows.values())) if a.position == key]
    held = held_subject_ids(session)
    limits = collection_limits(session, {a.subject_id for a in mine})
    deleted = kept = left = 0
    for application in mine:
        row = rows[application.id]
        kinds = limits.get(application.subject_id, set())
        if application.subject_id in held or RestrictionKind.STORAGE_ONLY in kinds:
            left += 1
        elif stays_for_future(kinds, policy, row.jurisdiction, application.keep):
            row.purpose = KEPT
            row.legal_basis = policy.legal_basis(KEPT, row.jurisdiction) or row.legal_basis
            kept += 1
        else:
            session.delete(row)
            deleted += 1
    return Closed(deleted=deleted, kept=kept, left=left)


def _audit_settled(session: Session, action: str, key: str, closed: Closed, actor: str) -> None:
    """Counts only. An unplaced group is logged as ``unplaced``: its free-text reference
    is whatever applicants typed, and may name them."""
    audit.append(
        session,
        action=action,
        actor=actor,
        object_type="position",
        object_id=key,
        details={"deleted": closed.deleted, "kept": closed.kept, "left": closed.left},
    )


__all__ = [
    "Closed",
    "check_position",
    "check_position_input",
    "close_position",
    "list_positions",
    "open_choices",
    "open_ids",
    "open_position",
    "settle_unplaced",
]
