"""Rotating the master key while servers keep running.

Why in steps: every subject key is wrapped under the master key, and the
processes serving requests hold the master key they started with. So
:func:`rotate_master` (run with the key in force and given the new one) first
seals each key's wrapping key for the other in the key ring -- a process on
either key then opens keys wrapped under both, reading the ring again when it
meets a key id it does not know -- then re-wraps every key under the new one in
batches. Processes are restarted with the new key whenever convenient; then
:func:`retire_master` (run with the new key) re-wraps what processes still on
the old key wrapped meanwhile and removes the old key from the ring, after
which the old key opens nothing newer than the backups taken before.

The keys derived from the master key (blind indexes, signatures, audit MACs, the
erasure journal's MAC) must not change; the ring keeps them sealed for the new key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.crypto.keys import DERIVED, PREDECESSOR, WRAP_KINDS
from pledge.db.models import KeyRingEntry, ServiceCustomer, SubjectKey
from pledge.errors import ConfigurationError

DEFAULT_BATCH = 1000
RETIRE_PASSES = 3


@dataclass(frozen=True)
class WrappedTable:
    """A table of keys wrapped by the master key, and the associated data each is bound to."""

    table: Table
    key_column: str
    aad: Callable[[str], str]


WRAPPED_TABLES = (
    WrappedTable(SubjectKey.__table__, "subject_id", lambda key: key),  # type: ignore[arg-type]
    WrappedTable(
        ServiceCustomer.__table__,  # type: ignore[arg-type]
        "id",
        lambda key: f"service-customer:{key}",
    ),
)


def rotate_master(pledge: Pledge, new_master: bytes, *, batch: int = DEFAULT_BATCH) -> int:
    """Re-wrap every key under ``new_master``; returns how many were re-wrapped.

    Run again with the same new key, it resumes (what is already under the new
    key is skipped). Refused while an earlier rotation is not retired.
    """
    old = pledge.keys
    old.refresh()
    new = KeyManager(new_master, ring=pledge.key_ring)
    if new.key_id == old.key_id:
        raise ConfigurationError("the new master key is the key already in force")
    _link(pledge, old, new)
    new.refresh()
    done = rewrap_all(pledge, new, batch)
    with pledge.transaction() as session:
        _audit(session, "keys.master_rewrapped", new.key_id, {"rewrapped": done})
    return done


def _link(pledge: Pledge, old: KeyManager, new: KeyManager) -> None:
    with pledge.transaction() as session:
        links = session.execute(
            select(KeyRingEntry.key_id, KeyRingEntry.sealed_by).where(
                KeyRingEntry.kind.in_(WRAP_KINDS)
            )
        ).all()
        pending = {key for row in links for key in row}
        if pending == {old.key_id, new.key_id}:
            return  # this rotation, resumed
        if pending:
            raise ConfigurationError(
                "an earlier rotation is not retired: run `pledge keys retire-master` "
                "with the key it rotated to first"
            )
        for entry in old.successor_entries(new):
            session.execute(
                delete(KeyRingEntry).where(
                    KeyRingEntry.kind == entry.kind,
                    KeyRingEntry.key_id == entry.key_id,
                    KeyRingEntry.sealed_by == entry.sealed_by,
                )
            )
            session.add(
                KeyRingEntry(
                    kind=entry.kind, key_id=entry.key_id, sealed_by=entry.sealed_by, blob=entry.blob
                )
            )
        _audit(session, "keys.master_rotation_started", new.key_id, {"from": old.key_id})


def retire_master(pledge: Pledge, *, batch: int = DEFAULT_BATCH) -> int:
    """Finish a rotation with the new key in force; returns the keys re-wrapped now.

    Refused when keys are still being wrapped under the old key after a few passes
    (a process still running on it): stop that process and run this again.
    """
    keys = pledge.keys
    keys.refresh()
    with pledge.sessions() as session:
        predecessor = session.scalar(
            select(KeyRingEntry.key_id).where(
                KeyRingEntry.kind == PREDECESSOR, KeyRingEntry.sealed_by == keys.key_id
            )
        )
    if predecessor is None:
        raise ConfigurationError(
            "no rotation to this master key is under way (run it with PLEDGE_MASTER_KEY set "
            "to the key rotated to)"
        )
    total = 0
    for _ in range(RETIRE_PASSES):
        done = rewrap_all(pledge, keys, batch)
        total += done
        if done == 0:
            break
    else:
        raise ConfigurationError(
            "keys are still being wrapped under the old master key: restart every process "
            "with the new key, then run this again"
        )
    with pledge.transaction() as session:
        session.execute(
            delete(KeyRingEntry).where(
                KeyRingEntry.kind.in_(WRAP_KINDS)
                | ((KeyRingEntry.kind == DERIVED) & (KeyRingEntry.sealed_by != keys.key_id))
            )
        )
        _audit(session, "keys.master_retired", keys.key_id, {"retired": predecessor})
    keys.refresh()
    return total


def rewrap_all(pledge: Pledge, target: KeyManager, batch: int) -> int:
    """Re-wrap, under ``target``'s own key, every wrapped key that is not yet; batches by key.

    Each update names the old wrapped value, so a key destroyed meanwhile (an
    erasure) is never brought back.
    """
    return sum(_rewrap_table(pledge, target, spec, batch) for spec in WRAPPED_TABLES)


def _rewrap_table(pledge: Pledge, target: KeyManager, spec: WrappedTable, batch: int) -> int:
    key = spec.table.c[spec.key_column]
    wrapped = spec.table.c.wrapped_key
    statement = (
        update(spec.table)
        .where(key == bindparam("b_key"), wrapped == bindparam("b_old"))
        .values(wrapped_key=bindparam("b_new"))
    )
    last = ""
    done = 0
    while True:
        with pledge.sessions() as session:
            rows = session.execute(
                select(key, wrapped)
                .where(key > last, wrapped.is_not(None))
                .order_by(key)
                .limit(batch)
            ).all()
        if not rows:
            return done
        last = rows[-1][0]
        changes: list[dict[str, Any]] = [
            {
                "b_key": k,
                "b_old": w,
                "b_new": target.wrap(target.unwrap(w, spec.aad(k)), spec.aad(k)),
            }
            for k, w in rows
            if target.wrapped_key_id(w) != target.key_id
        ]
        if changes:
            with pledge.transaction() as session:
                session.connection().execute(statement, changes)
            done += len(changes)


def _audit(session: Any, action: str, key_id: str, details: dict[str, Any]) -> None:
    audit.append(
        session,
        action=action,
        actor="system",
        object_type="master_key",
        object_id=key_id,
        details=details,
    )


__all__ = ["DEFAULT_BATCH", "retire_master", "rewrap_all", "rotate_master"]
