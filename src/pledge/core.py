"""The Pledge object: one instance behind the CLI, the web app, jobs and tests.

It owns the settings, the database engine and session factory, the loaded
policy and the key manager. Faces (CLI, web) wrap it and hold no logic.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from pledge import audit
from pledge.crypto import KeyManager
from pledge.db.engine import make_engine, make_session_factory, transaction
from pledge.db.models import PolicyVersion
from pledge.errors import ConfigurationError
from pledge.policy import Policy, bundled_policy_path, load_policy, policy_to_json
from pledge.settings import Settings

log = logging.getLogger(__name__)


class Pledge:
    """Holds what every face of Pledge shares; cheap to create, lazy to connect."""

    def __init__(self, settings: Settings | None = None, *, policy: Policy | None = None) -> None:
        self.settings = settings or Settings()
        self._policy = policy

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
        return make_session_factory(self.engine)

    @cached_property
    def keys(self) -> KeyManager:
        return KeyManager(self.settings.master_key_bytes())

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The only way Pledge code commits: one unit of work, rolled back on error."""
        with transaction(self.sessions) as session:
            yield session

    def upgrade_schema(self) -> None:
        """Run the migrations, record the policy version in force, complete projections.

        A marketing purpose new to the policy gets its ``marketing_reach`` rows
        here, once, rather than during the first send-list filter.
        """
        from pledge.db.migrate import upgrade

        _ = self.keys  # refuse a missing or malformed master key before touching the schema
        upgrade(self.engine)
        self.check_master_key()
        self.settle_data()

    def settle_data(self) -> None:
        """What every start on a migrated schema needs: the policy text, full projections."""
        from pledge.consent.ledger.coverage import ensure_coverage

        self.register_policy_version()
        ensure_coverage(self)

    def register_policy_version(self) -> None:
        """Store the current policy text once, with an audit entry, so records can cite it."""
        policy = self.policy
        with self.transaction() as session:
            if session.get(PolicyVersion, policy.digest) is not None:
                return
            content = json.dumps(policy_to_json(policy), sort_keys=True, default=str)
            session.add(
                PolicyVersion(digest=policy.digest, version=policy.version, content=content)
            )
            audit.append(
                session,
                action="policy.version_registered",
                actor="system",
                object_type="policy",
                object_id=policy.digest,
                details={"version": policy.version},
            )

    def check_master_key(self) -> None:
        """Refuse to run with a master key that cannot open the keys already stored."""
        from pledge.db.models import SubjectKey

        with self.sessions() as session:
            row = session.execute(
                select(SubjectKey.subject_id, SubjectKey.wrapped_key)
                .where(SubjectKey.wrapped_key.is_not(None))
                .limit(1)
            ).first()
        if row is not None and row[1] and not self.keys.check_master(row[1], row[0]):
            raise ConfigurationError(
                "PLEDGE_MASTER_KEY does not match the key that encrypted this database"
            )

    def seal_audit(self) -> int:
        """Seal pending audit entries into the chain; returns how many were sealed."""
        total = 0
        while True:
            with self.transaction() as session:
                sealed = audit.seal(session, self.keys.audit_mac, self.settings.audit_seal_batch)
            total += sealed
            if sealed < self.settings.audit_seal_batch:
                return total

    def verify_audit(self) -> audit.VerifyResult:
        self.seal_audit()
        with self.sessions() as session:
            return audit.verify(session, self.keys.audit_mac)

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
