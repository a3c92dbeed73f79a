"""A Client's customers: blind-indexed per Client, each with its own data key.

A customer id is the Client's, not Pledge's: ``C-1001`` and ``c-1001 `` may be two
people, so the id is blind-indexed exactly as sent (issue #11, item 8). Until
migration 0013 it was trimmed and case-folded first, and the raw id was never
stored, so the rows indexed then cannot be re-indexed. They are marked
``legacy_index`` and handled so that no new mix-up can start:

- a new conversation always goes to the customer's verbatim row (created if need
  be), never to a legacy row, so data arriving after the upgrade is never shared
  between two spellings;
- access, erasure and restriction reach the verbatim row and, as before the
  upgrade, the legacy row of the folded id: a Client asking for its customer still
  gets (or erases, or restricts) what was stored for them before, which for the few
  ids that only differ by case or spaces may include the other spelling's old
  conversations, exactly as it did before the upgrade;
- a restriction recorded on a legacy row carries over to the verbatim row created
  later, since it cannot be told which spelling asked for it: holding back too much
  is the safe side for a restriction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.base import utcnow
from pledge.db.models import ServiceCustomer

INDEX_KIND = "service-customer/v2"
LEGACY_INDEX_KIND = "service-customer"


@dataclass(frozen=True)
class CustomerHandle:
    id: str
    data_key: bytes
    restricted: bool


def customer_index(keys: KeyManager, client_id: str, customer_id: str) -> str:
    """Scoped by Client and verbatim: the same id at two Clients gives unrelated indexes."""
    return keys.blind_index_verbatim(INDEX_KIND, f"{client_id}\x1f{customer_id}")


def legacy_customer_index(keys: KeyManager, client_id: str, customer_id: str) -> str:
    """The index rows got before migration 0013: the id trimmed and case-folded."""
    return keys.blind_index(LEGACY_INDEX_KIND, f"{client_id}\x1f{customer_id}")


def find_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> ServiceCustomer | None:
    """The customer's own (verbatim) row, if it exists and is not erased."""
    return session.scalar(
        select(ServiceCustomer).where(
            ServiceCustomer.client_id == client_id,
            ServiceCustomer.customer_index == customer_index(keys, client_id, customer_id),
            ServiceCustomer.legacy_index.is_(False),
            ServiceCustomer.erased_at.is_(None),
        )
    )


def find_legacy_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> ServiceCustomer | None:
    """The row indexed before migration 0013 under the folded id, if any."""
    return session.scalar(
        select(ServiceCustomer).where(
            ServiceCustomer.client_id == client_id,
            ServiceCustomer.customer_index == legacy_customer_index(keys, client_id, customer_id),
            ServiceCustomer.legacy_index.is_(True),
            ServiceCustomer.erased_at.is_(None),
        )
    )


def find_customers(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> list[ServiceCustomer]:
    """Every row a Client's request about this id reaches: its own, then a legacy one."""
    rows = [
        find_customer(session, keys, client_id, customer_id),
        find_legacy_customer(session, keys, client_id, customer_id),
    ]
    return [row for row in rows if row is not None]


def get_or_create_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> CustomerHandle:
    """The customer's verbatim row with its data key, created on first sight."""
    row = find_customer(session, keys, client_id, customer_id)
    if row is not None and row.wrapped_key is not None:
        data_key = keys.unwrap(row.wrapped_key, f"service-customer:{row.id}")
        return CustomerHandle(row.id, data_key, restricted=row.restricted_at is not None)
    if row is None:
        legacy = find_legacy_customer(session, keys, client_id, customer_id)
        row = ServiceCustomer(
            client_id=client_id,
            customer_index=customer_index(keys, client_id, customer_id),
            legacy_index=False,
            restricted_at=legacy.restricted_at if legacy is not None else None,
        )
        session.add(row)
        session.flush()
    data_key = keys.new_data_key()
    row.wrapped_key = keys.wrap(data_key, f"service-customer:{row.id}")
    return CustomerHandle(row.id, data_key, restricted=row.restricted_at is not None)


def restrict_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> tuple[list[ServiceCustomer], bool]:
    """Mark every row of this id restricted, creating the customer's own row if need be.

    Returns the rows and whether anything was held for the id before. An unknown
    (or erased) customer gets a row that holds no data, only the restriction, so a
    later conversation for that id is stored but never forwarded.
    """
    rows = find_customers(session, keys, client_id, customer_id)
    known = bool(rows)
    if not any(not row.legacy_index for row in rows):
        get_or_create_customer(session, keys, client_id, customer_id)
        own = find_customer(session, keys, client_id, customer_id)
        assert own is not None
        rows.insert(0, own)
    now = utcnow()
    for row in rows:
        row.restricted_at = row.restricted_at or now
    return rows, known
