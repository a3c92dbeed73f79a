"""The Pledge object: one instance behind the CLI, the web app, jobs and tests.

It owns the settings, the database engine and session factory, the loaded
policy, the key manager, the per-instance state that services cache (API keys,
job runners) and the listeners told after a commit that work is due. Faces
(CLI, web) wrap it and hold no logic. Start-up steps that need the domain
packages (migrations, projections) live in :mod:`pledge.startup`, above them,
so that every domain package may import this module without a circle.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TypeVar

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from pledge import audit
from pledge.audit.anchor import AuditAnchor, Checkpoint
from pledge.audit.anchoring import anchor_now, seal_anchored, verify_anchor
from pledge.crypto import KeyManager, RingEntry
from pledge.db.engine import make_engine, make_session_factory, transaction
from pledge.db.models import KeyRingEntry
from pledge.db.wakeups import Work, take_wakeups
from pledge.errors import ConfigurationError
from pledge.journal import SESSION_JOURNAL, ErasureJournal
from pledge.policy import Policy, bundled_policy_path, load_policy
from pledge.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
WakeListener = Callable[[frozenset[Work]], None]
"""Told, after a commit, which kinds of background work that commit made due."""


class Pledge:
    """Holds what every face of Pledge shares; cheap to create, lazy to connect."""

    def __init__(self, settings: Settings | None = None, *, policy: Policy | None = None) -> None:
        self.settings = settings or Settings()
        self._policy = policy
        self._wake_listeners: list[WakeListener] = []
        self._state: dict[type[object], object] = {}
        self._state_lock = threading.Lock()

    @cached_property
    def policy(self) -> Policy:
        if self._policy is not None:
            return self._policy
        return load_policy(self.settings.policy or bundled_policy_path())

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        factory = make_session_factory(self.engine)
        # Audit entries are MACed as they are written; the keys are looked up only then.
        factory.configure(
            info={
                audit.SESSION_KEYS: lambda: self.keys,
                SESSION_JOURNAL: lambda: self.erasure_journal,
            }
        )
        return factory

    @cached_property
    def keys(self) -> KeyManager:
        return KeyManager(self.settings.master_key_bytes(), ring=self.key_ring)

    def key_ring(self) -> list[RingEntry]:
        """The sealed key ring (empty before its migration and until the first rotation)."""
        with self.engine.connect() as conn:
            if not inspect(conn).has_table(KeyRingEntry.__tablename__):
                return []
            rows = conn.execute(
                select(
                    KeyRingEntry.kind,
                    KeyRingEntry.key_id,
                    KeyRingEntry.sealed_by,
                    KeyRingEntry.blob,
                )
            ).all()
        return [RingEntry(*row) for row in rows]

    @cached_property
    def erasure_journal(self) -> ErasureJournal | None:
        """The journal at ``PLEDGE_ERASURE_JOURNAL``, or None when it is not set."""
        path = self.settings.erasure_journal
        return ErasureJournal(path, self.keys.journal_mac) if path else None

    @cached_property
    def audit_anchor(self) -> AuditAnchor | None:
        """The audit chain's checkpoints, outside the database (``PLEDGE_AUDIT_ANCHOR``)."""
        path = self.settings.audit_anchor_path()
        return AuditAnchor(path, self.keys.audit_anchor_mac) if path else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The only way Pledge code commits: one unit of work, rolled back on error.

        After the commit, the work the transaction marked as due
        (:func:`pledge.db.wakeups.wake_after_commit`) is announced to the
        listeners; a rolled-back transaction announces nothing.
        """
        with transaction(self.sessions) as session:
            yield session
        self.announce(take_wakeups(session))

    def on_wake(self, listener: WakeListener) -> Callable[[], None]:
        """Tell ``listener`` about due work after each commit; returns what removes it."""
        with self._state_lock:
            self._wake_listeners.append(listener)

        def remove() -> None:
            with self._state_lock:
                if listener in self._wake_listeners:
                    self._wake_listeners.remove(listener)

        return remove

    def announce(self, work: frozenset[Work]) -> None:
        """Tell every listener that ``work`` is due; a failing listener is logged, never raised.

        The periodic tasks are the safety net, so a lost wake-up only delays work.
        """
        if not work:
            return
        with self._state_lock:
            listeners = list(self._wake_listeners)
        for listener in listeners:
            try:
                listener(work)
            except Exception as exc:
                log.warning("a wake-up listener failed: %s", type(exc).__name__)

    def state(self, kind: type[T], factory: Callable[[], T]) -> T:
        """This instance's one object of ``kind`` (a cache, a runner), made on first use.

        Why here and not in module globals: two Pledge objects in one process
        (tests, several databases) must never share a key cache or a runner.
        """
        found = self._state.get(kind)
        if found is None:
            with self._state_lock:
                found = self._state.get(kind)
                if found is None:
                    found = self._state[kind] = factory()
        assert isinstance(found, kind)
        return found

    def forget_state(self, kind: type[object]) -> None:
        """Drop this instance's object of ``kind``; the next :meth:`state` call makes a new one."""
        with self._state_lock:
            self._state.pop(kind, None)

    def seal_audit(self) -> int:
        """Seal pending audit entries into the chain, checkpointing each seal to the anchor."""
        return seal_anchored(
            self.transaction, self.keys, self.audit_anchor, self.settings.audit_seal_batch
        )

    def verify_audit(self) -> audit.VerifyResult:
        """Seal what is pending, check the whole chain, then the chain against its anchor."""
        self.seal_audit()
        with self.sessions() as session:
            return verify_anchor(session, self.audit_anchor, audit.verify(session, self.keys))

    def anchor_audit(self, *, after_restore: bool = False) -> Checkpoint:
        """Write a checkpoint of the chain's head now (``pledge audit anchor``)."""
        anchor = self.audit_anchor
        if anchor is None:
            raise ConfigurationError("PLEDGE_AUDIT_ANCHOR is not set")
        self.seal_audit()
        with self.transaction() as session:
            checkpoint = anchor_now(session, anchor, after_restore=after_restore)
        self.seal_audit()  # takes in the entry a start or restart wrote
        return checkpoint

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
