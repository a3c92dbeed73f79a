"""What a process does before it serves: schema, master key check, policy version, projections.

Why a module of its own: these steps reach into the domain packages (the
consent projections), which themselves import :mod:`pledge.core`; kept on the
core object they made every domain package part of one import circle. The
faces (``pledge init``, ``pledge serve``, the workers, tests) call
:func:`upgrade_schema` or :func:`settle_data` with their Pledge.
"""

from __future__ import annotations

from sqlalchemy import select

from pledge.announcements import publish
from pledge.connectors.load import SystemsFileError
from pledge.connectors.registry import systems_of
from pledge.consent.ledger.coverage import ensure_coverage
from pledge.core import Pledge
from pledge.db.migrate import upgrade
from pledge.db.models import SubjectKey
from pledge.errors import ConfigurationError
from pledge.rights.journal_replay import read_journal, reapply_erasures
from pledge.service_data.erasure import reapply_customer_erasures


def upgrade_schema(pledge: Pledge) -> None:
    """Run the migrations, re-apply the erasure journal, record the policy version in force,
    complete projections.

    The journal is read (and checked) before the schema is touched; its erasures
    are applied before anything serves, so a database restored from an older
    backup forgets the erased again.

    A marketing purpose new to the policy gets its ``marketing_reach`` rows
    here, once, rather than during the first send-list filter.
    """
    _ = pledge.keys  # refuse a missing or malformed master key before touching the schema
    check_systems_file(pledge)
    erased = read_journal(pledge)  # a missing or altered erasure journal stops us here
    upgrade(pledge.engine)
    check_master_key(pledge)
    reapply_erasures(pledge, erased)
    reapply_customer_erasures(pledge, erased)
    settle_data(pledge)


def settle_data(pledge: Pledge) -> None:
    """What every start on a migrated schema needs: the policy text, full projections."""
    register_policy_version(pledge)
    ensure_coverage(pledge)


def register_policy_version(pledge: Pledge) -> None:
    """Store the current policy text once and publish it (numbered, diffed), so records can
    cite it and people are told of a change (:func:`pledge.announcements.publish`)."""
    publish(pledge)


def check_systems_file(pledge: Pledge) -> None:
    """Refuse to start on a connected-systems file that cannot be read (``PLEDGE_SYSTEMS``):
    requests would otherwise fail one by one. Its live check is ``pledge systems check``."""
    try:
        systems_of(pledge)
    except SystemsFileError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise ConfigurationError(
            f"PLEDGE_SYSTEMS: {first.location}: {first.message}{more}; "
            "run `pledge systems check` for all of them"
        ) from None


def check_master_key(pledge: Pledge) -> None:
    """Refuse to run with a master key that cannot open the keys already stored."""
    pledge.keys.refresh()  # the key ring, read before anything else uses a derived key
    with pledge.sessions() as session:
        row = session.execute(
            select(SubjectKey.subject_id, SubjectKey.wrapped_key)
            .where(SubjectKey.wrapped_key.is_not(None))
            .limit(1)
        ).first()
    if row is not None and row[1] and not pledge.keys.check_master(row[1], row[0]):
        raise ConfigurationError(
            "PLEDGE_MASTER_KEY does not match the key that encrypted this database"
        )
