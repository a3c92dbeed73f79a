"""The erasure journal: every crypto-shredding, in a file kept apart from the database.

Why: a backup taken before an erasure still holds the person's wrapped key,
and the master key opens it. Restoring that backup would bring the person
back. The journal lists each erased subject (a random id, not personal data)
and when, one JSON line each, MACed with a key derived from the master key;
start-up (:mod:`pledge.startup`) re-applies every erasure it lists, so a
restored database forgets the erased again before it serves.

A line is written and fsync'd just before the transaction that destroys the
key commits (a ``before_commit`` hook on the session): a failed write stops
the erasure, and a commit that fails after the write leaves a line whose
erasure start-up then completes -- the erasure had been decided.
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import json
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from pledge.errors import ConfigurationError

SESSION_JOURNAL = "pledge.erasure_journal"
"""Session info key: a callable returning the Pledge's journal, or None when none is set."""
_PENDING = "pledge.erasure_journal.pending"
_QUIET = "pledge.erasure_journal.quiet"
TAIL_BYTES = 4096
"""Far longer than one line (about 150 bytes): where a torn last line is looked for."""


class JournalEntry(NamedTuple):
    subject_id: str
    erased_at: datetime


class ErasureJournal:
    """Append-only JSON lines at ``path``, each MACed by ``mac`` (the master key's journal key)."""

    def __init__(self, path: Path, mac: Callable[[bytes], str]) -> None:
        self.path = path
        self._mac = mac

    def exists(self) -> bool:
        return self.path.is_file()

    def create(self) -> None:
        """An empty journal (mode 0600); refuses to replace one that exists."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(self.path.parent)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Write the entries' lines at the end and fsync them before returning."""
        if not entries:
            return
        data = b"".join(self._line(entry) for entry in entries)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _cut_torn_tail(fd)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)

    def read(self) -> list[JournalEntry]:
        """Every entry, each line's MAC checked; a torn last line (a crash mid-write) is skipped.

        Raises ConfigurationError, naming the line, for any line that does not verify.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError as exc:
            raise ConfigurationError(f"the erasure journal {self.path} is missing") from exc
        lines = raw.split(b"\n")
        torn = lines.pop() if lines else b""  # after the last newline: empty, or a torn line
        entries = [self._parse(line, number) for number, line in enumerate(lines, 1) if line]
        if torn and not raw.endswith(b"\n"):
            with contextlib.suppress(ConfigurationError):
                entries.append(self._parse(torn, len(lines) + 1))
        return entries

    def _line(self, entry: JournalEntry) -> bytes:
        at = entry.erased_at.isoformat()
        body = {
            "subject": entry.subject_id,
            "at": at,
            "mac": self._mac(_signed(entry.subject_id, at)),
        }
        return json.dumps(body, separators=(",", ":")).encode() + b"\n"

    def _parse(self, line: bytes, number: int) -> JournalEntry:
        try:
            body: Any = json.loads(line)
            subject_id, at, mac = str(body["subject"]), str(body["at"]), str(body["mac"])
            erased_at = datetime.fromisoformat(at)
        except (ValueError, KeyError, TypeError) as exc:
            raise _tampered(self.path, number) from exc
        if not hmac.compare_digest(mac, self._mac(_signed(subject_id, at))):
            raise _tampered(self.path, number)
        return JournalEntry(subject_id, erased_at)


def _signed(subject_id: str, at: str) -> bytes:
    return f"pledge-erasure/v1\n{subject_id}\n{at}".encode()


def _tampered(path: Path, number: int) -> ConfigurationError:
    return ConfigurationError(
        f"the erasure journal {path} fails its check at line {number} "
        "(altered, or written under another master key); nothing was changed"
    )


def _cut_torn_tail(fd: int) -> None:
    """Drop a last line a crash left half-written: its transaction never committed."""
    size = os.fstat(fd).st_size
    start = max(0, size - TAIL_BYTES)
    tail = os.pread(fd, size - start, start)
    if not tail or tail.endswith(b"\n"):
        return
    cut = tail.rfind(b"\n")
    if cut < 0 and start > 0:
        raise ConfigurationError("the erasure journal ends in a line too long to be its own")
    os.ftruncate(fd, start + cut + 1)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def note_erasure(session: Session, subject_id: str, erased_at: datetime) -> None:
    """Journal this subject's erasure when ``session`` commits (nothing if no journal is set)."""
    if session.info.get(_QUIET):
        return
    opener = session.info.get(SESSION_JOURNAL)
    if opener is None or opener() is None:
        return
    session.info.setdefault(_PENDING, []).append(JournalEntry(subject_id, erased_at))


@contextlib.contextmanager
def unjournaled(session: Session) -> Iterator[Session]:
    """Erasures made in ``session`` are not journaled again: they are being replayed from it."""
    session.info[_QUIET] = True
    try:
        yield session
    finally:
        session.info.pop(_QUIET, None)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[JournalEntry] = session.info.pop(_PENDING, [])
    if pending:
        journal = session.info[SESSION_JOURNAL]()
        journal.append(pending)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous: object) -> None:
    session.info.pop(_PENDING, None)


__all__ = [
    "SESSION_JOURNAL",
    "ErasureJournal",
    "JournalEntry",
    "note_erasure",
    "unjournaled",
]
