"""The rare facts of a send list: erasure, objection, opt-out, restriction, do-not-call.

They concern the few people who acted, not the whole audience, so they are
read with small queries driven by those few rows (index look-ups into
``marketing_reach`` for the person's consent state and its time, which may
lift an older opt-out) and folded here. For a short send list only its own
addresses are read; otherwise all of them: an address that is not on the
list is simply never looked up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func
from sqlalchemy import select as sql_select
from sqlalchemy.orm import Session, aliased

from pledge.consent.rules import Facts, restriction_kinds, suppression_field
from pledge.consent.sendlist.masks import Target, facts_of_mask, mask_of
from pledge.db.models import (
    DoNotCall,
    Identity,
    MarketingReach,
    MarketingSuppression,
    SubjectRestriction,
)

SHORT_LIST = 1000
"""Up to this many addresses, only the list's own rare facts are read."""

CHUNK = 500


@dataclass
class _Rare:
    """One address's facts as the rows are folded: the latest time of each kind."""

    mask: int = 0
    state_at: datetime | None = None
    erased_at: datetime | None = None
    restricted: bool = False
    objected_at: datetime | None = None
    opted_out_at: datetime | None = None
    do_not_call: bool = False

    def later(self, name: str, at: datetime | None) -> None:
        held = getattr(self, name)
        if at is not None and (held is None or at > held):
            setattr(self, name, at)

    def facts(self) -> Facts:
        common = facts_of_mask(self.mask)
        return Facts(
            known=common.known,
            opt_in=common.opt_in,
            granted=common.granted,
            state_at=self.state_at,
            erased_at=self.erased_at,
            restricted=self.restricted,
            objected_at=self.objected_at,
            opted_out_at=self.opted_out_at,
            do_not_call=self.do_not_call,
        )


class _Folder:
    """Collects rows of the four sources into :class:`_Rare` entries by raw digest."""

    def __init__(self) -> None:
        self.rare: dict[bytes, _Rare] = {}

    def entry(self, digest: Any, mask: int | None, state_at: Any) -> _Rare:
        key = bytes.fromhex(digest) if isinstance(digest, str) else bytes(digest)
        found = self.rare.get(key)
        if found is None:
            found = self.rare[key] = _Rare(mask=mask or 0, state_at=_aware(state_at))
        return found


def rare_facts(
    session: Session, goal: Target, digests: Sequence[bytes] | None
) -> dict[bytes, Facts]:
    """Rights-process and do-not-call facts by raw digest, with the reach state of each."""
    short = digests is not None and len(digests) <= SHORT_LIST
    only = list(digests) if digests is not None and short else None
    postgres = session.get_bind().dialect.name == "postgresql"
    folder = _Folder()
    reach = MarketingReach
    state = (mask_of(goal, reach.email_index.is_not(None)), getattr(reach, f"{goal.channel}_at"))

    sup = MarketingSuppression
    query = (
        sql_select(sup.email_index, *state, sup.reason, sup.created_at)
        .select_from(sup)
        .outerjoin(reach, _reach_by_hex(postgres, sup.email_index, goal))
    )
    for index, mask, at, reason, created in _rows(session, query, sup.email_index, only, True):
        entry = folder.entry(index, mask, at)
        entry.later(suppression_field(reason), _aware(created))

    res = SubjectRestriction
    kinds = restriction_kinds(goal.purpose)
    query = (
        sql_select(reach.email_index, *state, res.kind, res.created_at)
        .select_from(res)
        .join(reach, and_(reach.subject_id == res.subject_id, reach.purpose == goal.purpose))
        .where(res.lifted_at.is_(None), res.kind.in_(list(kinds)))
    )
    for index, mask, at, kind, created in _rows(session, query, reach.email_index, only, False):
        entry = folder.entry(index, mask, at)
        if kinds[kind] == "restricted":
            entry.restricted = True
        else:
            entry.later(kinds[kind], _aware(created))

    if goal.channel == "phone":
        _fold_do_not_call(session, postgres, goal, only, folder, state)
    return {digest: entry.facts() for digest, entry in folder.rare.items()}


def _fold_do_not_call(
    session: Session,
    postgres: bool,
    goal: Target,
    only: list[bytes] | None,
    folder: _Folder,
    state: tuple[Any, Any],
) -> None:
    """The do-not-call list by e-mail, and by a phone number held for the person."""
    reach, dnc = MarketingReach, DoNotCall
    by_email = (
        sql_select(dnc.blind_index, *state)
        .select_from(dnc)
        .outerjoin(reach, _reach_by_hex(postgres, dnc.blind_index, goal))
        .where(dnc.kind == "email")
    )
    phone = aliased(Identity)
    by_phone = (
        sql_select(reach.email_index, *state)
        .select_from(dnc)
        .join(phone, and_(phone.kind == "phone", phone.blind_index == dnc.blind_index))
        .join(reach, and_(reach.subject_id == phone.subject_id, reach.purpose == goal.purpose))
        .where(dnc.kind == "phone")
    )
    for query, column, is_hex in (
        (by_email, dnc.blind_index, True),
        (by_phone, reach.email_index, False),
    ):
        for index, mask, at in _rows(session, query, column, only, is_hex):
            folder.entry(index, mask, at).do_not_call = True


def _reach_by_hex(postgres: bool, hex_index: Any, goal: Target) -> Any:
    """Join condition: the reach row of a hex blind index, for the purpose."""
    raw = func.decode(hex_index, "hex") if postgres else func.pledge_unhex(hex_index)
    reach = MarketingReach
    return and_(reach.email_index == raw, reach.purpose == goal.purpose)


def _rows(
    session: Session,
    query: Select[Any],
    column: Any,
    only: list[bytes] | None,
    is_hex: bool,
) -> Iterator[Any]:
    """The query's rows, restricted to a short list's addresses when there is one."""
    connection = session.connection()  # Core rows: no ORM work per row
    if only is None:
        yield from connection.execute(query).all()  # one fetch, not one per row
        return
    keys: list[Any] = [d.hex() for d in only] if is_hex else only
    for start in range(0, len(keys), CHUNK):
        yield from connection.execute(query.where(column.in_(keys[start : start + CHUNK]))).all()


def _aware(value: Any) -> datetime | None:
    """Timestamps are aware already (``UTCDateTime`` columns); text from SQLite is parsed."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
