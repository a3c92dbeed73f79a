"""``pledge journal``: the erasure journal kept apart from the database."""

from __future__ import annotations

from datetime import datetime

import typer
from sqlalchemy import select

from pledge.cli.common import build_pledge, cli_errors, fail
from pledge.core import Pledge
from pledge.db.migrate import upgrade
from pledge.db.models import SubjectKey
from pledge.journal import JournalEntry
from pledge.rights.journal_replay import read_journal

app = typer.Typer(help="The erasure journal (PLEDGE_ERASURE_JOURNAL).", no_args_is_help=True)


@app.command("create")
def create() -> None:
    """Start the journal from the erasures this database records (once, for a journal never kept).

    Refused when the journal exists: an existing journal may list erasures a
    restored database has forgotten, and must not be replaced.
    """
    with cli_errors():
        pledge = build_pledge()
        journal = pledge.erasure_journal
        if journal is None:
            fail("set PLEDGE_ERASURE_JOURNAL to the journal's path first")
        if journal.exists():
            fail(f"the erasure journal {journal.path} exists already; nothing was changed")
        try:
            rows = _erasures(pledge)
            journal.create()
            journal.append([JournalEntry(subject_id, at) for subject_id, at in rows])
        finally:
            pledge.dispose()
    typer.echo(f"created the erasure journal with {len(rows)} erasures")


def _erasures(pledge: Pledge) -> list[tuple[str, datetime]]:
    """Every subject whose key this database shows destroyed, and when, oldest first."""
    upgrade(pledge.engine)
    with pledge.sessions() as session:
        rows = session.execute(
            select(SubjectKey.subject_id, SubjectKey.destroyed_at)
            .where(SubjectKey.destroyed_at.is_not(None))
            .order_by(SubjectKey.destroyed_at)
        ).all()
    return [(subject_id, at) for subject_id, at in rows if at is not None]


@app.command("check")
def check() -> None:
    """Check every line's MAC and say how many erasures the journal holds."""
    with cli_errors():
        pledge = build_pledge()
        if pledge.erasure_journal is None:
            fail("PLEDGE_ERASURE_JOURNAL is not set")
        if not pledge.erasure_journal.exists():
            fail(f"the erasure journal {pledge.erasure_journal.path} is missing")
        try:
            entries = read_journal(pledge)
        finally:
            pledge.dispose()
    typer.echo(f"the erasure journal holds {len(entries)} erasures; every line verifies")
