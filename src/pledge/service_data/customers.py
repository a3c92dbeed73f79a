"""A Client's customers: blind-indexed per Client, each with its own data key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pledge.crypto import KeyManager
from pledge.db.models import ServiceCustomer


@dataclass(frozen=True)
class CustomerHandle:
    id: str
    data_key: bytes
    restricted: bool


def customer_index(keys: KeyManager, client_id: str, customer_id: str) -> str:
    """Scoped by Client: the same identifier at two Clients gives two unrelated indexes."""
    return keys.blind_index("service-customer", f"{client_id}\x1f{customer_id}")


def find_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> ServiceCustomer | None:
    index = customer_index(keys, client_id, customer_id)
    return session.scalar(
        select(ServiceCustomer).where(
            ServiceCustomer.client_id == client_id,
            ServiceCustomer.customer_index == index,
            ServiceCustomer.erased_at.is_(None),
        )
    )


def get_or_create_customer(
    session: Session, keys: KeyManager, client_id: str, customer_id: str
) -> CustomerHandle:
    row = find_customer(session, keys, client_id, customer_id)
    if row is None or row.wrapped_key is None:
        row = ServiceCustomer(
            client_id=client_id, customer_index=customer_index(keys, client_id, customer_id)
        )
        session.add(row)
        session.flush()
        data_key = keys.new_data_key()
        row.wrapped_key = keys.wrap(data_key, f"service-customer:{row.id}")
        return CustomerHandle(row.id, data_key, restricted=False)
    data_key = keys.unwrap(row.wrapped_key, f"service-customer:{row.id}")
    return CustomerHandle(row.id, data_key, restricted=row.restricted_at is not None)
