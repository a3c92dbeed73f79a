"""Publishing a policy version: its number, the dates it is in force, what changed.

Why numbers and not digests in URLs: a person reading "version 3" in a mail
must find the same text at /policy/versions/3 for as long as Pledge runs, and a
text that comes back (a change reverted) takes effect again under a new number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.db.models import PolicyPublication, PolicyVersion
from pledge.policy import policy_to_json
from pledge.policy.diff import compare_policies, has_changes


@dataclass(frozen=True)
class Published:
    """The publication in force after :func:`publish`; ``new`` when this call made it."""

    number: int
    digest: str
    new: bool
    changes: dict[str, Any] | None
    material: bool


@dataclass(frozen=True)
class Notice:
    """The change the public pages announce, until ``until``."""

    number: int
    effective_from: datetime
    until: datetime


def publish(pledge: Pledge, *, now: datetime | None = None) -> Published:
    """Make the loaded policy the one in force, once: store its text, number it, diff it.

    Called at every start (:func:`pledge.startup.settle_data`) and by ``pledge
    policy publish``; when the loaded text is already the newest publication it
    changes nothing. Two processes starting together race for the same number;
    the loser finds the winner's row.
    """
    for _ in range(3):
        try:
            return _publish(pledge, now or utcnow())
        except IntegrityError:
            continue
    return _publish(pledge, now or utcnow())


def _publish(pledge: Pledge, now: datetime) -> Published:
    policy = pledge.policy
    with pledge.transaction() as session:
        latest = _latest(session)
        if latest is not None and latest.digest == policy.digest:
            return _published(latest, new=False)
        content = json.dumps(policy_to_json(policy), sort_keys=True, default=str)
        if session.get(PolicyVersion, policy.digest) is None:
            session.add(
                PolicyVersion(digest=policy.digest, version=policy.version, content=content)
            )
            session.flush()
        changes = None
        if latest is not None:
            before = session.get(PolicyVersion, latest.digest)
            assert before is not None
            changes = compare_policies(json.loads(before.content), json.loads(content))
        row = PolicyPublication(
            number=(latest.number + 1) if latest else 1,
            digest=policy.digest,
            effective_from=now,
            changes=json.dumps(changes, sort_keys=True) if changes is not None else None,
            material=bool(changes and changes["material"]),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="policy.version_registered",
            actor="system",
            object_type="policy",
            object_id=policy.digest,
            details={
                "version": policy.version,
                "number": row.number,
                "material": row.material,
                "reasons": (changes or {}).get("reasons", []),
            },
        )
        return _published(row, new=True)


def _latest(session: Session) -> PolicyPublication | None:
    return session.scalars(
        select(PolicyPublication).order_by(PolicyPublication.number.desc()).limit(1)
    ).first()


def _published(row: PolicyPublication, *, new: bool) -> Published:
    changes = json.loads(row.changes) if row.changes else None
    return Published(row.number, row.digest, new, changes, row.material)


def publications(session: Session) -> list[dict[str, Any]]:
    """Every publication, oldest first, with the dates it was in force and what changed."""
    rows = session.execute(
        select(PolicyPublication, PolicyVersion.version)
        .join(PolicyVersion, PolicyVersion.digest == PolicyPublication.digest)
        .order_by(PolicyPublication.number)
    ).all()
    out: list[dict[str, Any]] = []
    for index, (row, version) in enumerate(rows):
        following = rows[index + 1][0] if index + 1 < len(rows) else None
        out.append(
            {
                "number": row.number,
                "version": version,
                "digest": row.digest,
                "effective_from": row.effective_from,
                "effective_until": following.effective_from if following else None,
                "material": row.material,
                "changes": json.loads(row.changes) if row.changes else None,
            }
        )
    return out


def publication(session: Session, number: int) -> dict[str, Any] | None:
    """One publication with its whole policy text (as JSON), or None."""
    found = next((p for p in publications(session) if p["number"] == number), None)
    if found is None:
        return None
    text = session.get(PolicyVersion, found["digest"])
    assert text is not None
    return {**found, "policy": json.loads(text.content)}


def current_notice(pledge: Pledge, *, now: datetime | None = None) -> Notice | None:
    """The newest publication that changed something, while its notice period lasts."""
    days = pledge.settings.policy_notice_days
    with pledge.sessions() as session:
        if not inspect(session.connection()).has_table(PolicyPublication.__tablename__):
            return None  # an app built on a database never migrated (tests, tools)
        row = _latest(session)
    if row is None or not row.changes or not has_changes(json.loads(row.changes)):
        return None
    until = row.effective_from + timedelta(days=days)
    if (now or utcnow()) >= until:
        return None
    return Notice(row.number, row.effective_from, until)
