"""Re-applying the erasure journal after a restore, so a backup never brings the erased back.

Why here: it does by subject id what an erasure did (:mod:`pledge.rights.actions.erase`):
the records go, the marketing suppression is added (from the person's own
e-mail identity, still in the restored copy), queued marketing mail is
withdrawn, closed requests forget the e-mail, then the key and identities are
destroyed. Only subjects whose key the database still holds are touched, so
re-running it changes nothing (idempotent), and its own erasures are not
journaled a second time.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, exists, inspect, select, update
from sqlalchemy.orm import Session

from pledge import audit
from pledge.core import Pledge
from pledge.db.models import Identity, MarketingSuppression, Record, RightsRequest, SubjectKey
from pledge.errors import ConfigurationError
from pledge.journal import JournalEntry, unjournaled
from pledge.mail import withdraw_marketing_mail
from pledge.records.shredding import destroy_subject_key

BATCH = 500


def read_journal(pledge: Pledge) -> list[JournalEntry]:
    """The journal's entries, checked, before anything in the database changes.

    A configured journal that is missing while the database shows erasures is
    refused: starting without it would leave every erasure since the backup
    undone. A missing journal on a database with none is created, empty.
    """
    journal = pledge.erasure_journal
    if journal is None:
        return []
    if not journal.exists():
        if database_shows_erasures(pledge):
            raise ConfigurationError(
                f"PLEDGE_ERASURE_JOURNAL {journal.path} is missing but this database records "
                "erasures; restore the journal (or run `pledge journal create` once, for a "
                "journal never kept before); nothing was changed"
            )
        journal.create()
        return []
    return journal.read()


def database_shows_erasures(pledge: Pledge) -> bool:
    with pledge.engine.connect() as conn:
        if not inspect(conn).has_table(SubjectKey.__tablename__):
            return False
        return bool(conn.scalar(select(exists().where(SubjectKey.destroyed_at.is_not(None)))))


def reapply_erasures(pledge: Pledge, entries: Sequence[JournalEntry]) -> int:
    """Erase again every journaled subject whose key this database still holds; returns how many."""
    subject_ids = sorted({entry.subject_id for entry in entries})
    done = 0
    for start in range(0, len(subject_ids), BATCH):
        batch = subject_ids[start : start + BATCH]
        with pledge.transaction() as session, unjournaled(session):
            live = session.scalars(
                select(SubjectKey.subject_id).where(
                    SubjectKey.subject_id.in_(batch), SubjectKey.wrapped_key.is_not(None)
                )
            ).all()
            for subject_id in live:
                forget(session, subject_id)
            done += len(live)
    if done:
        with pledge.transaction() as session:
            audit.append(
                session,
                action="erasure_journal.reapplied",
                actor="system",
                object_type="erasure_journal",
                object_id="-",
                details={"subjects": done, "journal_entries": len(entries)},
            )
    return done


def forget(session: Session, subject_id: str) -> None:
    """What the erasure did, by subject id, in the caller's transaction."""
    emails = session.scalars(
        select(Identity.blind_index).where(
            Identity.subject_id == subject_id,
            Identity.kind == "email",
            Identity.blind_index.is_not(None),
        )
    ).all()
    for index in emails:
        suppressed = session.scalar(
            select(MarketingSuppression.id).where(
                MarketingSuppression.email_index == index, MarketingSuppression.reason == "erasure"
            )
        )
        if suppressed is None and index is not None:
            session.add(MarketingSuppression(email_index=index, reason="erasure"))
    withdraw_marketing_mail(session, subject_id)
    session.execute(delete(Record).where(Record.subject_id == subject_id))
    session.execute(
        update(RightsRequest)
        .where(RightsRequest.subject_id == subject_id, RightsRequest.closed_at.is_not(None))
        .values(
            email_ciphertext=None,
            private_ciphertext=None,
            email_index=None,
            package_ciphertext=None,
        )
        .execution_options(synchronize_session=False)
    )
    destroy_subject_key(session, subject_id, actor="system", reason="erasure_journal")
