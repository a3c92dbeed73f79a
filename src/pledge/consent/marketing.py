"""The send-list filter: who may receive marketing, and why each other address may not.

Set-based by design: a send list of a million addresses is hashed in Python
(blind indexes), loaded once into a temporary table (COPY on PostgreSQL),
and joined against subjects, the ledger's state projection, the hashed
suppressions and restrictions of the rights process, and the do-not-call
list: five queries whatever the list's length, never one per address.
The decision itself is :func:`pledge.consent.rules.marketing_verdict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    FromClause,
    LargeBinary,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    and_,
    any_,
    bindparam,
    case,
    column,
    exists,
    false,
    func,
    not_,
    null,
    or_,
    select,
    table,
    text,
    type_coerce,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from pledge import audit
from pledge.consent.rules import Facts, marketing_verdict, opt_in_jurisdictions
from pledge.consent.schemas import DoNotCallIn
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.bulk import bulk_insert
from pledge.db.models import (
    ConsentState,
    DoNotCall,
    Identity,
    MarketingReach,
    MarketingSuppression,
    Subject,
    SubjectRestriction,
)
from pledge.errors import ValidationFailed
from pledge.policy import Policy, Purpose

SUPPRESSION_REASONS = {
    "erasure": "erased",
    "opt_out_marketing": "opted_out",
    "withdraw_consent": "opted_out",
    "objection": "objected",
}
"""``marketing_suppressions.reason`` (rights process) → filter reason."""

_send_list = Table(
    "pledge_send_list",
    MetaData(),
    Column("idx", LargeBinary),  # 32-byte digests; unique already, hash joins need no index
    prefixes=["TEMPORARY"],
)

_COPY_HEADER = b"PGCOPY\n\xff\r\n\0" + bytes(8)
_COPY_ROW = b"\x00\x01\x00\x00\x00\x20"  # one field of 32 bytes
_COPY_TRAILER = b"\xff\xff"


@dataclass
class FilterResult:
    """Allowed addresses and suppressed ones with their reason, in the order given."""

    allowed: list[str] = field(default_factory=list)
    suppressed: list[tuple[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "suppressed": [{"email": e, "reason": r} for e, r in self.suppressed],
        }


def email_digests(keys: KeyManager, emails: Iterable[str]) -> list[bytes]:
    """The raw 32-byte blind indexes (``bytes.fromhex(keys.blind_index("email", e))``)."""
    return keys.email_index_digests(emails)


def email_indexes(keys: KeyManager, emails: Sequence[str]) -> list[str]:
    """Blind indexes of many e-mails, equal to ``keys.blind_index("email", e)`` for each."""
    return [digest.hex() for digest in keys.email_index_digests(emails)]


def marketing_purpose(policy: Policy, purpose_id: str | None, channel: str | None) -> Purpose:
    """The marketing purpose meant (the only one when not named), checked for the channel."""
    marketing = [p for p in policy.purposes if p.marketing]
    if purpose_id is None:
        if len(marketing) != 1:
            raise ValidationFailed(
                "name the marketing purpose", fields={"purpose": "required by this policy"}
            )
        purpose = marketing[0]
    else:
        found = policy.purpose(purpose_id)
        if found is None or not found.marketing:
            raise ValidationFailed(
                "not a marketing purpose", fields={"purpose": "not a marketing purpose"}
            )
        purpose = found
    if channel is not None and channel not in purpose.channels:
        raise ValidationFailed(
            "this purpose does not use this channel",
            fields={"channel": f"one of {', '.join(purpose.channels)}"},
        )
    return purpose


def filter_recipients(
    pledge: Pledge, channel: str, recipients: Sequence[str], purpose: str | None = None
) -> FilterResult:
    """Split a send list into allowed and suppressed addresses (duplicates collapsed)."""
    chosen = marketing_purpose(pledge.policy, purpose, channel)
    unique = list(dict.fromkeys(recipients))
    digests = email_digests(pledge.keys, unique)
    with pledge.sessions() as session:
        facts = gather_facts(session, pledge.policy, chosen.id, channel, digests)
    result = FilterResult()
    allowed, suppressed = result.allowed, result.suppressed
    # Most people share a handful of distinct Facts objects: decide each one once
    # (keyed by identity: hashing a dataclass per address would cost more).
    decided: dict[int, str | None] = {}
    for email, digest in zip(unique, digests, strict=True):
        fact = facts.get(digest)
        if fact is None:  # plainly allowed: the database returned nothing about it
            allowed.append(email)
            continue
        try:
            reason = decided[id(fact)]
        except KeyError:
            reason = decided[id(fact)] = marketing_verdict(fact)
        if reason is None:
            allowed.append(email)
        else:
            suppressed.append((email, reason))
    return result


def gather_facts(
    session: Session, policy: Policy, purpose: str, channel: str, digests: Sequence[bytes]
) -> dict[bytes, Facts]:
    """Facts per blind index (raw 32 bytes) for every address that might be suppressed.

    One query joins the send list to ``marketing_reach`` and to small
    aggregates of the rights process's suppressions and restrictions and of
    the do-not-call list; only rows that are not plainly allowed come back
    (on PostgreSQL through ``COPY ... TO STDOUT``). A second query finds the
    addresses ``marketing_reach`` does not hold among ``identities``: people
    collected by other means, or never asked about this purpose.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    _load_send_list(session, digests)
    try:
        query = _facts_query(session, postgres, policy, purpose, channel)
        rows = _copy_out(session, query) if postgres else _fetch(session, query)
        unknown = [digest for digest, raw in rows if raw[0] != "1"]
        found = _not_in_reach(session, postgres, policy, purpose, channel, unknown)
    finally:
        session.execute(text("DROP TABLE IF EXISTS pledge_send_list"))
        session.rollback()
    parsed: dict[tuple[str | None, ...], Facts] = {}
    facts: dict[bytes, Facts] = {}
    for digest, raw in rows:
        fact = parsed.get(raw)
        if fact is None:
            fact = parsed[raw] = _facts_of(raw)
        extra = found.get(digest)
        if extra is not None:
            fact = replace(fact, known=True, **extra)
        facts[digest] = fact
    return facts


def _load_send_list(session: Session, digests: Sequence[bytes]) -> None:
    """The list's blind indexes into a temporary table: one binary COPY on PostgreSQL."""
    session.execute(text("DROP TABLE IF EXISTS pledge_send_list"))
    _send_list.create(session.connection())
    unique = list(dict.fromkeys(digests))
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        bulk_insert(session, _send_list, [{"idx": i} for i in unique])
        return
    # A million-row hash join spills to disk at the default 4 MB; this transaction only.
    # Timestamps come back as text, in UTC. JIT compiling costs more than it saves here.
    session.execute(
        text("SET LOCAL work_mem = '256MB'; SET LOCAL TimeZone = 'UTC'; SET LOCAL jit = off")
    )
    raw = connection.connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy("COPY pledge_send_list (idx) FROM STDIN BINARY") as copy,
    ):
        # Binary COPY rows of one 32-byte field need no encoding at all.
        copy.write(_COPY_HEADER)
        for start in range(0, len(unique), 100_000):
            copy.write(_COPY_ROW + _COPY_ROW.join(unique[start : start + 100_000]))
        copy.write(_COPY_TRAILER)
    session.execute(text("ANALYZE pledge_send_list"))


def _same_index(postgres: bool, digest: Any, index: Any) -> Any:
    """The send list's raw digest equals a blind index of a subquery (raw on PostgreSQL)."""
    if postgres:
        return digest == index
    return func.lower(func.hex(digest)) == index


def _raw(postgres: bool, hex_index: Any) -> Any:
    """A hex blind index as the raw bytes the send list holds (PostgreSQL only)."""
    return func.decode(hex_index, "hex") if postgres else hex_index


def _small_table(session: Session, postgres: bool, name: str, query: Subquery) -> FromClause:
    """On PostgreSQL, a small subquery made a temporary table (gone at rollback) and analysed.

    With its true size known, the planner hashes these few thousand rows and
    streams the million-row send list past them, instead of the reverse.
    """
    if not postgres:
        return query
    compiled = query.element.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    session.execute(text(f"CREATE TEMPORARY TABLE {name} AS {compiled}; ANALYZE {name}"))
    return table(name, *(column(c.name) for c in query.c))


def _facts_query(
    session: Session, postgres: bool, policy: Policy, purpose: str, channel: str
) -> Select[Any]:
    """Per address of the send list that may be suppressed: its facts, as flat columns."""
    send = _send_list.c
    reach = MarketingReach
    granted = getattr(reach, f"{channel}_granted")
    state_at = getattr(reach, f"{channel}_at")
    erased = select(Subject.id).where(Subject.erased_at.is_not(None)).subquery("erased")
    known = and_(reach.email_index.is_not(None), erased.c.id.is_(None))
    opt_in_ids = sorted(opt_in_jurisdictions(policy, purpose))
    opt_in = reach.jurisdiction.in_(opt_in_ids) if opt_in_ids else false()
    sup = _small_table(session, postgres, "pledge_sup", _suppression_facts(postgres))
    res = _small_table(session, postgres, "pledge_res", _restriction_facts(postgres, purpose))
    special = or_(sup.c.idx.is_not(None), res.c.idx.is_not(None))
    dnc = (
        _small_table(session, postgres, "pledge_dnc", _do_not_call_list(postgres))
        if channel == "phone"
        else None
    )
    as_text = (lambda c: c) if postgres else (lambda c: type_coerce(c, String))
    query = (
        select(
            *(
                column.label(f"f{n}")
                for n, column in enumerate(
                    [
                        send.idx,
                        case((known, "1"), else_="0"),
                        case((and_(known, opt_in), "1"), else_="0"),
                        case(
                            (and_(known, granted.is_(True)), "1"),
                            (and_(known, granted.is_(False)), "0"),
                        ),
                        # The time of the latest consent only matters where it might lift something.
                        as_text(case((and_(known, special), state_at))),
                        as_text(sup.c.erased_at),
                        as_text(sup.c.objected_at),
                        as_text(sup.c.opted_out_at),
                        res.c.restricted,
                        as_text(res.c.objected_at),
                        as_text(res.c.opted_out_at),
                        (dnc.c.idx if dnc is not None else null()),
                    ]
                )
            )
        )
        .select_from(_send_list)
        .outerjoin(reach, and_(reach.email_index == send.idx, reach.purpose == purpose))
        .outerjoin(erased, erased.c.id == reach.subject_id)
        .outerjoin(sup, _same_index(postgres, send.idx, sup.c.idx))
        .outerjoin(res, _same_index(postgres, send.idx, res.c.idx))
    )
    maybe = [
        not_(known),
        granted.is_(False),
        and_(opt_in, granted.is_not(True)),
        special,
    ]
    if dnc is not None:
        query = query.outerjoin(dnc, _same_index(postgres, send.idx, dnc.c.idx))
        maybe.append(dnc.c.idx.is_not(None))
    # Everything not returned is plainly allowed; what is returned, Python decides.
    return query.where(or_(*maybe))


def _suppression_facts(postgres: bool) -> Subquery:
    """The rights process's hashed list per e-mail: erased, objected, opted out (latest)."""
    row = MarketingSuppression
    objected = row.reason == "objection"
    erased = row.reason == "erasure"
    return (
        select(
            _raw(postgres, row.email_index).label("idx"),
            func.max(case((erased, row.created_at))).label("erased_at"),
            func.max(case((objected, row.created_at))).label("objected_at"),
            func.max(case((not_(or_(erased, objected)), row.created_at))).label("opted_out_at"),
        )
        .group_by(row.email_index)
        .subquery("sup")
    )


def restriction_kinds(purpose: str) -> dict[str, str]:
    """``subject_restrictions.kind`` values that stop this marketing purpose → Facts field."""
    return {
        "restriction": "restricted",
        f"objection:{purpose}": "objected_at",
        "marketing_opt_out": "opted_out_at",
        f"consent_withdrawn:{purpose}": "opted_out_at",
    }


def _restriction_facts(postgres: bool, purpose: str) -> Subquery:
    """Active restrictions per e-mail blind index, through the subject's e-mail identity."""
    row = SubjectRestriction
    kinds = restriction_kinds(purpose)
    opted = [k for k, v in kinds.items() if v == "opted_out_at"]
    return (
        select(
            _raw(postgres, Identity.blind_index).label("idx"),
            func.max(case((row.kind == "restriction", "1"), else_="0")).label("restricted"),
            func.max(case((row.kind == f"objection:{purpose}", row.created_at))).label(
                "objected_at"
            ),
            func.max(case((row.kind.in_(opted), row.created_at))).label("opted_out_at"),
        )
        .join(row, row.subject_id == Identity.subject_id)
        .where(Identity.kind == "email", row.lifted_at.is_(None), row.kind.in_(list(kinds)))
        .group_by(Identity.blind_index)
        .subquery("res")
    )


def _do_not_call_list(postgres: bool) -> Subquery:
    """E-mail blind indexes on the do-not-call list: by e-mail, or by a phone held for them."""
    phone = aliased(Identity)
    by_email = select(_raw(postgres, DoNotCall.blind_index).label("idx")).where(
        DoNotCall.kind == "email"
    )
    by_phone = (
        select(_raw(postgres, Identity.blind_index).label("idx"))
        .join(phone, and_(phone.subject_id == Identity.subject_id, phone.kind == "phone"))
        .join(
            DoNotCall, and_(DoNotCall.kind == "phone", DoNotCall.blind_index == phone.blind_index)
        )
        .where(Identity.kind == "email")
    )
    return union(by_email, by_phone).subquery("dnc")


Row = tuple[bytes, tuple[str | None, ...]]


def _copy_out(session: Session, query: Select[Any]) -> list[Row]:
    """Run the query as ``COPY (...) TO STDOUT``: text lines, no per-row driver work."""
    compiled = query.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}
    )
    raw = session.connection().connection.driver_connection
    assert raw is not None
    chunks: list[bytes] = []
    with raw.cursor() as cursor, cursor.copy(f"COPY ({compiled}) TO STDOUT") as copy:
        chunks.extend(bytes(block) for block in copy)
    rows: list[Row] = []
    append = rows.append
    shared: dict[str, tuple[str | None, ...]] = {}
    for line in b"".join(chunks).decode().splitlines():
        digest, rest = line.split("\t", 1)
        fields = shared.get(rest)
        if fields is None:
            fields = shared[rest] = tuple(None if f == "\\N" else f for f in rest.split("\t"))
        # bytea in COPY text: \\x followed by hex.
        append((bytes.fromhex(digest[3:]), fields))
    return rows


def _fetch(session: Session, query: Select[Any]) -> list[Row]:
    return [
        (row[0], tuple(None if v is None else str(v) for v in row[1:]))
        for row in session.execute(query)
    ]


def _not_in_reach(
    session: Session,
    postgres: bool,
    policy: Policy,
    purpose: str,
    channel: str,
    digests: Sequence[bytes],
) -> dict[bytes, dict[str, Any]]:
    """Known people among addresses ``marketing_reach`` does not hold, with their facts.

    First the e-mail identities alone (an index probe per address); only when
    some are found, their subjects' facts.
    """
    if postgres:
        wanted = bindparam("wanted", [d.hex() for d in digests], type_=ARRAY(String))
        condition = Identity.blind_index == any_(wanted)
    else:
        send = _send_list.c
        condition = and_(
            Identity.blind_index.in_(select(func.lower(func.hex(send.idx)))),
            ~exists().where(
                MarketingReach.email_index == send.idx, MarketingReach.purpose == purpose
            ),
        )
    rows = session.execute(
        select(Identity.subject_id, Identity.blind_index).where(Identity.kind == "email", condition)
    )
    matched: dict[str, str] = dict(rows.all())  # type: ignore[arg-type]
    if not matched:
        return {}
    state = aliased(ConsentState)
    query = (
        select(
            Subject.id,
            Subject.jurisdiction,
            state.granted,
            state.recorded_at,
            Subject.erased_at,
        )
        .outerjoin(
            state,
            and_(
                state.subject_id == Subject.id,
                state.purpose == purpose,
                state.channel == channel,
            ),
        )
        .where(Subject.id.in_(list(matched)))
    )
    opt_in = opt_in_jurisdictions(policy, purpose)
    return {
        bytes.fromhex(matched[subject_id]): {
            "opt_in": jurisdiction in opt_in,
            "granted": granted,
            "state_at": at,
            "erased_at": erased_at,
        }
        for subject_id, jurisdiction, granted, at, erased_at in session.execute(query)
    }


def _facts_of(raw: tuple[str | None, ...]) -> Facts:
    known, opt_in, granted, state_at, s_erased, s_objected, s_opted, restricted = raw[:8]
    r_objected, r_opted, dnc = raw[8:]
    return Facts(
        known=known == "1",
        opt_in=opt_in == "1",
        granted=None if granted is None else granted == "1",
        state_at=_as_aware(state_at),
        erased_at=_as_aware(s_erased),
        restricted=restricted == "1",
        objected_at=_later(_as_aware(s_objected), _as_aware(r_objected)),
        opted_out_at=_later(_as_aware(s_opted), _as_aware(r_opted)),
        do_not_call=dnc is not None,
    )


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _as_aware(value: Any) -> datetime | None:
    """Timestamps come back as text (COPY, SQLite aggregates); make them aware UTC."""
    from pledge.db.base import UTCDateTime

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]


def add_do_not_call(pledge: Pledge, entry: DoNotCallIn, *, actor: str) -> dict[str, Any]:
    """Put a phone number (or a person's e-mail) on the company do-not-call list; idempotent."""
    kind, index = _dnc_index(pledge.keys, entry)
    with pledge.transaction() as session:
        existing = session.scalar(
            select(DoNotCall.id).where(DoNotCall.kind == kind, DoNotCall.blind_index == index)
        )
        if existing is not None:
            return {"id": existing, "kind": kind, "added": False}
        row = DoNotCall(
            id=new_id(),
            kind=kind,
            blind_index=index,
            source=entry.source,
            added_by=actor,
            added_at=utcnow(),
        )
        session.add(row)
        audit.append(
            session,
            action="do_not_call.added",
            actor=actor,
            object_type="do_not_call",
            object_id=row.id,
            details={"kind": kind, "source": entry.source},
        )
    return {"id": row.id, "kind": kind, "added": True}


def _dnc_index(keys: KeyManager, entry: DoNotCallIn) -> tuple[str, str]:
    if (entry.phone is None) == (entry.email is None):
        raise ValidationFailed(
            "give a phone number or an e-mail",
            fields={"phone": "give phone or email, not both"},
        )
    if entry.phone is not None:
        return "phone", keys.blind_index("phone", entry.phone, entry.country)
    assert entry.email is not None
    return "email", keys.blind_index("email", entry.email)


def is_allowed(pledge: Pledge, email: str, channel: str, purpose: str | None = None) -> str | None:
    """The reason one address may not receive marketing on a channel, or None."""
    result = filter_recipients(pledge, channel, [email], purpose)
    return result.suppressed[0][1] if result.suppressed else None


def verdicts(
    pledge: Pledge, email: str, channels: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """The verdict for one person per (purpose, channel), for pages and the history."""
    return {(p, c): is_allowed(pledge, email, c, p) for p, c in channels}
