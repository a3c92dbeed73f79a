"""The business-transfer record: the buyer, the date, the categories moved, the notice sent.

The policy says data may be transferred in a merger, sale or other corporate
change; the record shows when that happened, to whom, what moved, and that the
people affected (everyone holding records of those categories) were told, each
once, in resumable batches (:mod:`pledge.registers.notices`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field
from sqlalchemy import select, update

from pledge import audit
from pledge.core import Pledge
from pledge.crypto import KeyManager
from pledge.db.base import new_id, utcnow
from pledge.db.models import BusinessTransfer
from pledge.errors import NotFound
from pledge.registers.common import (
    MAX_SHOWN,
    Name,
    Prose,
    Strict,
    audit_shown,
    check_categories,
    matches,
    midnight,
    refuse,
    to_csv,
)
from pledge.registers.mails import TRANSFER_TEMPLATE, transfer_mail
from pledge.registers.notices import BATCH, count_affected, count_told, send_notices

REGISTER = "transfer"
NOTE = "transfer_note"
"""What a read entry says was shown: the sealed note."""


class TransferIn(Strict):
    buyer: Name
    transferred_on: date
    categories: list[str] = Field(min_length=1, max_length=50)
    note: Prose | None = None
    """Staff's note (the deal, the contract); sealed."""


@dataclass(frozen=True)
class TransferView:
    id: str
    buyer: str
    transferred_at: datetime
    categories: tuple[str, ...]
    note: str
    affected: int
    told: int
    notices_done_at: datetime | None
    created_by: str
    created_at: datetime


def create_transfer(pledge: Pledge, body: TransferIn, *, actor: str) -> TransferView:
    refuse("the transfer was not recorded", check_categories(pledge.policy, body.categories))
    transfer_id = new_id()
    with pledge.transaction() as session:
        row = BusinessTransfer(
            id=transfer_id,
            buyer=body.buyer,
            transferred_at=midnight(body.transferred_on),
            categories=sorted(set(body.categories)),
            note_ciphertext=pledge.keys.encrypt_system(body.note or "", _aad(transfer_id)),
            created_by=actor,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            action="transfers.created",
            actor=actor,
            object_type=REGISTER,
            object_id=transfer_id,
            details={"categories": row.categories},
        )
    return get_transfer(pledge, transfer_id)


def notify_transfer(pledge: Pledge, transfer_id: str, *, actor: str, batch: int = BATCH) -> int:
    """Mail everyone affected not yet told; safe to run again (after a crash, or later)."""
    view = get_transfer(pledge, transfer_id)
    mail = transfer_mail(
        pledge,
        buyer=view.buyer,
        transferred_at=view.transferred_at,
        categories=list(view.categories),
    )
    queued = send_notices(
        pledge,
        register=REGISTER,
        register_id=view.id,
        categories=view.categories,
        mail=mail,
        template=TRANSFER_TEMPLATE,
        batch=batch,
    )
    with pledge.transaction() as session:
        session.execute(
            update(BusinessTransfer)
            .where(BusinessTransfer.id == view.id)
            .values(notices_done_at=utcnow())
        )
        audit.append(
            session,
            action="transfers.notices_sent",
            actor=actor,
            object_type=REGISTER,
            object_id=view.id,
            details={"mails": queued},
        )
    return queued


def list_transfers(
    pledge: Pledge, *, search: str = "", reader: str | None = None, form: str = "page"
) -> list[TransferView]:
    """Newest first; ``search`` keeps those holding every word; shown to ``reader``, audited."""
    with pledge.sessions() as session:
        ids = session.scalars(
            select(BusinessTransfer.id)
            .order_by(BusinessTransfer.transferred_at.desc())
            .limit(MAX_SHOWN)
        ).all()
    views = [get_transfer(pledge, transfer_id) for transfer_id in ids]
    found = [v for v in views if not search or matches(search, v.buyer, v.note, *v.categories)]
    audit_shown(pledge, reader, REGISTER, "list", NOTE, entries=len(found), form=form)
    return found


def get_transfer(
    pledge: Pledge, transfer_id: str, *, reader: str | None = None, form: str = "page"
) -> TransferView:
    """The entry, its note decrypted; shown to ``reader`` (one audit entry), or to the service."""
    with pledge.sessions() as session:
        row = session.get(BusinessTransfer, transfer_id[:36])
        if row is None:
            raise NotFound("no business transfer has this id")
        found = _view(
            pledge.keys,
            row,
            affected=count_affected(session, row.categories),
            told=count_told(session, row.id),
        )
    audit_shown(pledge, reader, REGISTER, found.id, NOTE, entries=1, form=form)
    return found


def _aad(transfer_id: str) -> str:
    return f"business_transfer:{transfer_id}"


def _view(keys: KeyManager, row: BusinessTransfer, *, affected: int, told: int) -> TransferView:
    return TransferView(
        id=row.id,
        buyer=row.buyer,
        transferred_at=row.transferred_at,
        categories=tuple(row.categories),
        note=str(keys.decrypt_system(row.note_ciphertext, _aad(row.id))),
        affected=affected,
        told=told,
        notices_done_at=row.notices_done_at,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def transfers_csv(items: list[TransferView]) -> str:
    header = ("id", "buyer", "transferred", "categories", "note", "affected", "told")
    rows = (
        (i.id, i.buyer, i.transferred_at, list(i.categories), i.note, i.affected, i.told)
        for i in items
    )
    return to_csv(header, rows)
