"""Group commit for the consent API: acts queued by requests, written together.

Why: written one per request, a consent costs a transaction of its own (a
pool checkout, a dozen round trips, an ORM flush and a commit), and at a few
hundred requests a second that per-request overhead, not the database work,
is what runs out. Here each request checks its act against the policy (bad
input is refused before it is queued), hands it to a writer thread and
waits; a writer takes every act waiting at that moment (up to
``PLEDGE_CONSENT_BATCH_MAX``) and writes them in one transaction with a fixed
number of statements (:func:`pledge.consent.ledger.record.record_acts`). A request
is answered only after the transaction holding its act has committed, so a
201 still means the consent, its state and its audit entry are durable,
exactly as before.

On PostgreSQL a batch takes two round trips on the writer's own
autocommit connection (:mod:`pledge.consent.ledger.pg_batches`); elsewhere it goes
through a session on a held connection.

There is no waiting window: a lone request is written at once, and batches
grow only while the previous one is being committed, so latency never rises
to save work. One writer thread per process, with a connection of its own
kept between batches: a second thread measured slower (more, smaller
batches, and the two compete for the same interpreter lock). If a batch
fails, each of its acts is retried alone, so one bad act fails only its own
request.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from pledge.consent.ledger import pg_batches
from pledge.consent.ledger.acts import PendingAct, Recorded, prepare_act
from pledge.consent.ledger.record import record_acts
from pledge.consent.schemas import ConsentIn
from pledge.core import Pledge

log = logging.getLogger(__name__)


@dataclass
class _Queued:
    pending: PendingAct
    future: Future[Recorded] = field(default_factory=Future)


_STOP = None
"""Put on the queue to stop the writer thread."""


class ConsentWriter:
    """A writer thread that commits queued consent acts in batches (started on first use)."""

    def __init__(self, pledge: Pledge, *, max_batch: int | None = None) -> None:
        self.pledge = pledge
        self.max_batch = max_batch or pledge.settings.consent_batch_max
        self._queue: queue.SimpleQueue[_Queued | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def record(self, consent: ConsentIn, *, actor: str) -> Recorded:
        """Check, queue and await one act; returns once its batch has committed."""
        pending = prepare_act(self.pledge, consent, actor=actor)
        return await asyncio.wrap_future(self.submit(pending))

    def submit(self, pending: PendingAct) -> Future[Recorded]:
        """Queue a prepared act; the future holds its result or its own error."""
        item = _Queued(pending)
        with self._lock:
            if self._closed:
                raise RuntimeError("the consent writer is closed")
            if self._thread is None:
                worker = _BatchWriter(self.pledge, self._queue, self.max_batch)
                self._thread = threading.Thread(
                    target=worker.run, name="pledge-consent-writer", daemon=True
                )
                self._thread.start()
            self._queue.put(item)
        return item.future

    def close(self) -> None:
        """Write what is queued, then stop the thread (at application shutdown)."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(_STOP)
        if thread is not None:
            thread.join()


class _BatchWriter:
    """The writer thread's loop, with the connection it keeps between batches."""

    def __init__(
        self, pledge: Pledge, waiting: queue.SimpleQueue[_Queued | None], max_batch: int
    ) -> None:
        self.pledge = pledge
        self.waiting = waiting
        self.max_batch = max_batch
        self.connection: Connection | psycopg.Connection[Any] | None = None
        self.postgresql = pledge.engine.dialect.name == "postgresql"

    def run(self) -> None:
        try:
            while True:
                batch, stop = self._take()
                try:
                    self._write(batch)
                except Exception as exc:  # never leave a request waiting on a dead thread
                    log.error("consent writer: %s", type(exc).__name__)
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(exc)
                if stop:
                    return
        finally:
            self._drop_connection()

    def _take(self) -> tuple[list[_Queued], bool]:
        """The first waiting act (blocking), then whatever else is already waiting."""
        first = self.waiting.get()
        if first is None:
            return [], True
        batch = [first]
        while len(batch) < self.max_batch:
            try:
                item = self.waiting.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return _claim(batch), True
            batch.append(item)
        return _claim(batch), False

    def _write(self, batch: list[_Queued]) -> None:
        if not batch:
            return
        try:
            results = self._record([item.pending for item in batch])
        except Exception as exc:
            self._drop_connection()
            if len(batch) == 1 and not _connection_lost(exc):
                batch[0].future.set_exception(exc)
                return
            log.warning(
                "a batch of %d consent acts failed (%s); writing each alone",
                len(batch),
                type(exc).__name__,
            )
            for item in batch:
                _write_alone(self.pledge, item)
            return
        for item, result in zip(batch, results, strict=True):
            item.future.set_result(result)

    def _record(self, pending: list[PendingAct]) -> list[Recorded]:
        """The batch in one transaction, on this thread's own connection.

        Held between batches: no pool checkout and liveness ping per batch.
        """
        if self.postgresql:
            if self.connection is None:
                self.connection = pg_batches.connect(self.pledge.engine)
            assert isinstance(self.connection, psycopg.Connection)
            return pg_batches.record_acts(self.pledge, self.connection, pending)
        if self.connection is None:
            self.connection = self.pledge.engine.connect()
        assert isinstance(self.connection, Connection)
        return record_acts(self.pledge, pending, connection=self.connection)

    def _drop_connection(self) -> None:
        """Close the held connection (after a failure it may be broken; the pool sorts it out)."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            connection.close()
        except Exception as exc:
            log.warning("consent writer: closing a connection: %s", type(exc).__name__)


def _connection_lost(exc: Exception) -> bool:
    """The held connection died (a restart, an idle timeout): worth trying again on a new one."""
    return isinstance(exc, (psycopg.OperationalError, OperationalError))


def _claim(batch: list[_Queued]) -> list[_Queued]:
    """Drop acts whose request was cancelled before writing started; the rest can't be."""
    return [item for item in batch if item.future.set_running_or_notify_cancel()]


def _write_alone(pledge: Pledge, item: _Queued) -> None:
    """One act in its own transaction, from the pool: it succeeds or fails by itself."""
    try:
        (result,) = record_acts(pledge, [item.pending])
    except Exception as exc:
        item.future.set_exception(exc)
    else:
        item.future.set_result(result)
