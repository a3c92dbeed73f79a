"""Erasing a Client's customer: what the Client's erasure request and a journal replay share.

Why a module of its own: a Service Data customer's key is shredded on the
Client's instruction, and that erasure must outlive a restore like a data
subject's does. It is written to the erasure journal (:mod:`pledge.journal`)
under an id of its own kind (``service-customer:<id>``), and start-up re-applies
it through :func:`reapply_customer_erasures` when a restored database holds the
customer's key again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pledge.core import Pledge
from pledge.db.base import new_id, utcnow
from pledge.db.models import Conversation, ServiceCustomer
from pledge.journal import JournalEntry, note_erasure, unjournaled
from pledge.service_data.forwarding import cancel_deliveries

__all__ = ["JOURNAL_PREFIX", "erase_customer", "reapply_customer_erasures"]

JOURNAL_PREFIX = "service-customer:"
"""How a customer's erasure is named in the journal, apart from a data subject's."""


def erase_customer(session: Session, customer: ServiceCustomer) -> tuple[int, int]:
    """Delete the customer's conversations, cancel their deliveries, shred their key.

    Returns (conversations deleted, deliveries cancelled); journaled when the
    caller's transaction commits.
    """
    result = session.execute(delete(Conversation).where(Conversation.customer_id == customer.id))
    cancelled = cancel_deliveries(session, customer.id)
    now = utcnow()
    customer.wrapped_key = None
    customer.erased_at = now
    customer.customer_index = f"erased:{new_id()}"  # frees the slot, unlinks the id
    note_erasure(session, f"{JOURNAL_PREFIX}{customer.id}", now)
    return int(getattr(result, "rowcount", 0) or 0), cancelled


def reapply_customer_erasures(pledge: Pledge, entries: Sequence[JournalEntry]) -> int:
    """Erase again each journaled customer whose key a restored database still holds."""
    ids = sorted(
        {
            e.subject_id[len(JOURNAL_PREFIX) :]
            for e in entries
            if e.subject_id.startswith(JOURNAL_PREFIX)
        }
    )
    done = 0
    for start in range(0, len(ids), 500):
        with pledge.transaction() as session, unjournaled(session):
            live = session.scalars(
                select(ServiceCustomer).where(
                    ServiceCustomer.id.in_(ids[start : start + 500]),
                    ServiceCustomer.wrapped_key.is_not(None),
                )
            ).all()
            for customer in live:
                erase_customer(session, customer)
            done += len(live)
    return done
