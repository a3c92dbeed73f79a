"""The erasure journal file: MACed lines, torn last lines, refusals that name the line."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pledge.crypto import KeyManager
from pledge.errors import ConfigurationError
from pledge.journal import ErasureJournal, JournalEntry

AT = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def journal(tmp_path: Path, keys: KeyManager | None = None) -> ErasureJournal:
    keys = keys or KeyManager(secrets.token_bytes(32))
    return ErasureJournal(tmp_path / "journal.jsonl", keys.journal_mac)


def test_entries_come_back_as_written_and_the_file_is_private(tmp_path: Path) -> None:
    book = journal(tmp_path)
    entries = [JournalEntry(str(uuid.uuid4()), AT) for _ in range(3)]
    book.append(entries[:2])
    book.append(entries[2:])
    assert book.read() == entries
    assert book.path.stat().st_mode & 0o777 == 0o600


def test_a_line_torn_by_a_crash_is_skipped_and_the_next_append_starts_afresh(
    tmp_path: Path,
) -> None:
    book = journal(tmp_path)
    first, second = JournalEntry("a" * 36, AT), JournalEntry("b" * 36, AT)
    book.append([first])
    with book.path.open("ab") as handle:
        handle.write(b'{"subject":"cccc')  # the crash: no MAC, no newline
    assert book.read() == [first]
    book.append([second])
    assert book.read() == [first, second]
    assert b"cccc" not in book.path.read_bytes()  # cut, never left between two good lines


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace('"subject":"a', '"subject":"b'),
        lambda text: text.replace('"mac":"', '"mac":"0'),
        lambda text: text + "not json\n",
    ],
)
def test_an_altered_line_is_refused_naming_it(tmp_path: Path, change: object) -> None:
    book = journal(tmp_path)
    book.append([JournalEntry("a" * 36, AT)])
    assert callable(change)
    book.path.write_text(change(book.path.read_text()))
    with pytest.raises(ConfigurationError, match=r"fails its check at line \d"):
        book.read()


def test_another_master_key_verifies_nothing(tmp_path: Path) -> None:
    book = journal(tmp_path)
    book.append([JournalEntry("a" * 36, AT)])
    with pytest.raises(ConfigurationError, match="line 1"):
        journal(tmp_path).read()


def test_create_refuses_to_replace_a_journal(tmp_path: Path) -> None:
    book = journal(tmp_path)
    book.create()
    assert book.read() == []
    with pytest.raises(FileExistsError):
        book.create()
