"""What the database knows about every address of a send list, in a few set-based queries.

Two kinds of facts. The common ones come from ``marketing_reach`` alone
and are packed into a *mask* (:mod:`pledge.consent.sendlist.masks`). The rare ones
(erasure, objection, opt-out or restriction from the rights process, the
do-not-call list) are read separately, with times, for the few addresses
they concern (:mod:`pledge.consent.sendlist.rare_facts`).

Two ways to join a send list to ``marketing_reach``, chosen by size:

* **push**: the list's blind indexes go into a temporary table (binary COPY
  on PostgreSQL) and the database joins it, returning positions grouped by
  mask. Right when the list is small next to the projection.
* **pull**: the projection for the purpose comes back whole, grouped by mask
  as packed 32-byte keys, and Python looks each address up in a dict. Right
  when the list is about as large as the projection: one sequential scan,
  no million-row upload and no million-row hash join.

Both give the same answer; tests hold them to it on SQLite and PostgreSQL.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Literal

import psycopg
from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    Table,
    and_,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from pledge.consent.rules import Facts
from pledge.consent.sendlist.masks import Target, mask_of
from pledge.consent.sendlist.rare_facts import rare_facts
from pledge.db.bulk import bulk_insert
from pledge.db.models import MarketingReach

Strategy = Literal["auto", "push", "pull"]

PULL_RATIO = 0.3
"""Pull the projection when the list has at least this many addresses per reach row.

About where both ways take as long (the measurements are in docs/consent.md)."""

_COPY_HEADER = b"PGCOPY\n\xff\r\n\0" + bytes(8)
_COPY_ROW = struct.Struct(">hii")  # two fields; the first an int4 (length 4, value)
_DIGEST_FIELD = b"\x00\x00\x00\x20"  # the second: 32 bytes
_COPY_TRAILER = b"\xff\xff"


@dataclass
class SendListFacts:
    """Per address (in the list's order) its mask, one byte each; per rare address its facts."""

    masks: bytes | bytearray
    special: dict[bytes, Facts]


Packed = list[tuple[int, bytes]]
"""The projection for a purpose and channel: per mask, its 32-byte keys concatenated."""


def key_table(packed: Packed) -> dict[bytes, int]:
    """Every key of the projection with its mask, in a dict (the loops run in C).

    The keys travel packed, so the reading thread only waits on the
    database; this dict, the Python work, is built by the caller.
    """
    known: dict[bytes, int] = {}
    for mask, blob in packed:
        size = len(blob)
        keys = map(blob.__getitem__, map(slice, range(0, size, 32), range(32, size + 32, 32)))
        known.update(dict.fromkeys(keys, mask))
    return known


def masks_from_table(table: dict[bytes, int], digests: Iterable[bytes]) -> bytes:
    """One mask byte per address (0: not in the projection)."""
    return bytes(map(table.get, digests, repeat(0)))


def choose(session: Session, size: int) -> Strategy:
    """Pull when the list is large next to the projection (PostgreSQL's own row estimate)."""
    if session.get_bind().dialect.name != "postgresql":
        return "push"
    estimate = session.scalar(
        text("SELECT reltuples FROM pg_class WHERE oid = 'marketing_reach'::regclass")
    )
    return "pull" if size >= PULL_RATIO * max(float(estimate or 0), 0.0) else "push"


def read_projection(session: Session, goal: Target, packed: Future[Packed]) -> dict[bytes, Facts]:
    """Pull: the packed projection into ``packed`` as soon as it is read, then the rare facts.

    Independent of the list, so it runs while the list is hashed; the caller
    builds its look-up table from ``packed`` while the rare facts are still
    being read (from a cold cache their index look-ups take a second).
    """
    try:
        postgres = _prepare(session)
        try:
            packed.set_result(_pull_masks(session, postgres, goal))
            return rare_facts(session, goal, None)
        finally:
            session.rollback()
    except BaseException as exc:
        if not packed.done():  # never leave the caller waiting for keys that will not come
            packed.set_exception(exc)
        raise


def match(session: Session, goal: Target, digests: Sequence[bytes]) -> SendListFacts:
    """Push: the list into a temporary table, one join; the session is rolled back after."""
    postgres = _prepare(session)
    try:
        send = _load(session, postgres, digests)
        masks = _push_masks(session, postgres, goal, send, len(digests))
        return SendListFacts(masks, rare_facts(session, goal, digests))
    finally:
        session.rollback()


def _prepare(session: Session) -> bool:
    """Transaction-local settings on PostgreSQL; returns whether it is PostgreSQL.

    Timestamps as UTC; no JIT for a few large queries; hash tables in memory;
    and, since the rare facts are a few thousand index look-ups, a random read
    costed as on an SSD rather than a spinning disk.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(
        text(
            "SET LOCAL work_mem = '256MB'; SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off;"
            " SET LOCAL random_page_cost = 1.1"
        )
    )
    return True


def _pull_masks(session: Session, postgres: bool, goal: Target) -> Packed:
    """The whole projection for the purpose: its 32-byte keys concatenated per mask."""
    reach = MarketingReach
    mask = mask_of(goal, reach.email_index.is_not(None)).label("mask")
    where = reach.purpose == goal.purpose
    if postgres:
        packed = select(mask, func.string_agg(reach.email_index, literal(b"", LargeBinary)))
        return [
            (int(m), bytes(b)) for m, b in _binary_rows(session, packed.where(where).group_by(mask))
        ]
    grouped: dict[int, list[bytes]] = {}
    for digest, value in session.execute(select(reach.email_index, mask).where(where)):
        grouped.setdefault(int(value), []).append(bytes(digest))
    return [(value, b"".join(keys)) for value, keys in grouped.items()]


def _binary_rows(session: Session, query: Select[Any]) -> list[Any]:
    """A query's rows in PostgreSQL's binary format, on the session's connection.

    For the few rows of megabytes of packed keys or positions: in text format
    PostgreSQL sends ``bytea`` as hex, twice the bytes, encoded there and
    decoded here (docs/consent.md has the measured difference).
    """
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    with raw.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def _send_table() -> Table:
    columns: list[Column[Any]] = [Column("n", Integer), Column("idx", LargeBinary)]
    return Table("pledge_send_list", MetaData(), *columns, prefixes=["TEMPORARY"])


def _load(session: Session, postgres: bool, digests: Sequence[bytes]) -> Table:
    """The list's digests with their positions into a temporary table, dropped at rollback."""
    send = _send_table()
    session.execute(text("DROP TABLE IF EXISTS pledge_send_list"))
    send.create(session.connection())
    if not postgres:
        bulk_insert(
            session,
            send,
            [{"n": n, "idx": d} for n, d in enumerate(digests)],
        )
        return send
    raw = session.connection().connection.driver_connection
    assert raw is not None
    pack = _COPY_ROW.pack
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY pledge_send_list (n, idx) FROM STDIN BINARY") as copy,
    ):
        copy.write(_COPY_HEADER)
        for start in range(0, len(digests), 100_000):
            part = digests[start : start + 100_000]
            copy.write(
                b"".join([pack(2, 4, n) + _DIGEST_FIELD + d for n, d in enumerate(part, start)])
            )
        copy.write(_COPY_TRAILER)
    session.execute(text("ANALYZE pledge_send_list"))
    return send


def _push_masks(
    session: Session, postgres: bool, goal: Target, send: Table, size: int
) -> bytearray:
    """One join in the database; positions come back packed per mask on PostgreSQL."""
    reach = MarketingReach
    joined = send.outerjoin(
        reach, and_(reach.email_index == send.c.idx, reach.purpose == goal.purpose)
    )
    mask = mask_of(goal, reach.email_index.is_not(None)).label("mask")
    if not postgres:
        masks = bytearray(size)
        for n, value in session.execute(select(send.c.n, mask).select_from(joined)):
            masks[n] = value
        return masks
    positions = func.string_agg(func.int4send(send.c.n), literal(b"", LargeBinary))
    out = bytearray(size)
    query = select(mask, positions).select_from(joined).group_by(mask)
    for value, blob in _binary_rows(session, query):
        found = array("i")
        found.frombytes(blob)
        found.byteswap()  # int4send is big-endian
        for n in found:
            out[n] = value
    return out
