"""The audit anchor: checkpoints of the chain's head in a file kept apart from the database.

Why: the MACed head row lives in the same database as the entries, so anyone
who can write that database and replay an older head row (or holds the head
key) can delete the newest entries unseen. A checkpoint (position, chain hash,
time) written after every seal to an append-only file on other storage, MACed
with a key derived for this use only, records how far the chain had reached;
:mod:`pledge.audit.anchoring` then requires the chain to still hold that
position with that hash. Each line is one JSON object, fsync'd before the write
returns; the newest line is what ``pledge audit anchor print`` hands a notary.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from pledge.errors import ConfigurationError

TAIL_BYTES = 4096
"""Far longer than one line (about 200 bytes): where the newest line is looked for."""
KINDS = frozenset({"start", "seal", "anchor", "restart"})
"""start: anchoring began; seal: after a seal; anchor: by command; restart: after a restore."""


class Checkpoint(NamedTuple):
    seq: int
    chain_hash: str
    at: datetime
    kind: str


class AnchorError(ConfigurationError):
    """The anchor file cannot be trusted: a line fails its MAC, or it is unreadable."""


class AuditAnchor:
    """Append-only checkpoint lines at ``path``, each MACed by ``mac``."""

    def __init__(self, path: Path, mac: Callable[[bytes], str]) -> None:
        self.path = path
        self._mac = mac

    def exists(self) -> bool:
        return self.path.is_file()

    def write(self, checkpoint: Checkpoint, *, only_if_newer: bool = False) -> bool:
        """Append the checkpoint and fsync it; returns False when skipped.

        ``only_if_newer``: skip it when the newest line already reaches as far
        (a concurrent sealer wrote a later one first), so the newest line is
        always the furthest position.
        """
        line = self._line(checkpoint)
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            tail = self._cut_torn_tail(fd)
            newest = self._last_of(tail) if only_if_newer else None
            if newest is not None and newest[0].seq >= checkpoint.seq:
                return False
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(self.path.parent)
        return True

    def newest(self) -> tuple[Checkpoint, str] | None:
        """The newest checkpoint and its line, MAC checked; None if the file is missing or empty.

        Reads only the file's tail: this runs before every seal.
        """
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - TAIL_BYTES))
                tail = handle.read()
        except FileNotFoundError:
            return None
        return self._last_of(_whole_lines(tail, size <= TAIL_BYTES))

    def check_all(self) -> Checkpoint | None:
        """Every line's MAC, then the newest checkpoint (None if missing or empty)."""
        newest: Checkpoint | None = None
        try:
            for number, line in self._lines():
                newest = self._parse(line, number)
        except FileNotFoundError:
            return None
        return newest

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if line.endswith(b"\n"):  # a torn last line (a crash mid-write) was never written
                    yield number, line.rstrip(b"\n")

    def _last_of(self, tail: bytes) -> tuple[Checkpoint, str] | None:
        lines = [line for line in tail.split(b"\n") if line]
        if not lines:
            return None
        return self._parse(lines[-1], None), lines[-1].decode()

    def _line(self, checkpoint: Checkpoint) -> bytes:
        at = checkpoint.at.isoformat()
        body = {
            "seq": checkpoint.seq,
            "hash": checkpoint.chain_hash,
            "at": at,
            "kind": checkpoint.kind,
            "mac": self._mac(_signed(checkpoint.kind, checkpoint.seq, checkpoint.chain_hash, at)),
        }
        return json.dumps(body, separators=(",", ":")).encode() + b"\n"

    def _parse(self, line: bytes, number: int | None) -> Checkpoint:
        try:
            body: Any = json.loads(line)
            seq, chain_hash, at = int(body["seq"]), str(body["hash"]), str(body["at"])
            kind, mac = str(body["kind"]), str(body["mac"])
            checkpoint = Checkpoint(seq, chain_hash, datetime.fromisoformat(at), kind)
        except (ValueError, KeyError, TypeError) as exc:
            raise self._tampered(number) from exc
        if kind not in KINDS or not hmac.compare_digest(
            mac, self._mac(_signed(kind, seq, chain_hash, at))
        ):
            raise self._tampered(number)
        return checkpoint

    def _cut_torn_tail(self, fd: int) -> bytes:
        """Drop a last line a crash left half-written; returns the complete lines of the tail."""
        size = os.fstat(fd).st_size
        start = max(0, size - TAIL_BYTES)
        tail = os.pread(fd, size - start, start)
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n")
            if cut < 0 and start > 0:
                raise self._tampered(None)
            os.ftruncate(fd, start + cut + 1)
        return _whole_lines(tail, start == 0)

    def _tampered(self, number: int | None) -> AnchorError:
        where = f"line {number}" if number is not None else "its newest line"
        return AnchorError(
            f"the audit anchor {self.path} fails its check at {where} "
            "(altered, or written under another master key)"
        )


def _signed(kind: str, seq: int, chain_hash: str, at: str) -> bytes:
    return f"pledge-audit-anchor/v1\n{kind}\n{seq}\n{chain_hash}\n{at}".encode()


def _whole_lines(tail: bytes, from_start: bool) -> bytes:
    """The complete lines of a tail: not a first line cut by the read, nor a torn last one."""
    if not from_start:
        tail = tail[tail.find(b"\n") + 1 :] if b"\n" in tail else b""
    return tail[: tail.rfind(b"\n") + 1]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
