"""``pledge pii``: detect personal data in transcripts, as a streaming JSONL filter.

Throughput matters here (the filter sits in ingestion pipelines and benchmarks), so stdin
is read in large chunks straight from its file descriptor and replies are flushed only
when no complete input line is waiting: a client that sends one line and waits always gets
its answer at once (the input is then empty, so the reply is flushed), while a client that
streams many lines gets its replies in a few large writes instead of one write and one
process wake-up per line.
"""

from __future__ import annotations

import gc
import json
import os
import select
import sys
from collections.abc import Iterator
from typing import Any, TextIO

import typer

from pledge.pii import Detector

app = typer.Typer(
    help="Detect personal data in customer-service transcripts.", no_args_is_help=True
)

_CHUNK = 1 << 16


@app.callback()
def _group() -> None:
    """Personal-data detection."""  # a callback keeps ``detect`` a sub-command


class _BadLine(Exception):
    def __init__(self, lineno: int, reason: str) -> None:
        super().__init__(f"line {lineno}: {reason}")


def _parse(line: bytes | str, lineno: int) -> tuple[Any, str]:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise _BadLine(lineno, f"invalid JSON ({reason})") from None
    if not isinstance(record, dict) or "id" not in record:
        raise _BadLine(lineno, 'expected an object with "id" and "text"')
    text = record.get("text")
    if not isinstance(text, str):
        raise _BadLine(lineno, '"text" must be a string')
    return record["id"], text


def _reply(record_id: Any, text: str, detector: Detector) -> str:
    spans = [{"start": s.start, "end": s.end, "label": s.label} for s in detector.detect(text)]
    return json.dumps({"id": record_id, "spans": spans}, ensure_ascii=False) + "\n"


def _readable(fd: int) -> bool:
    """True if more input is waiting on *fd* (or its state cannot be polled)."""
    try:
        ready, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return False
    return bool(ready)


def _fd_lines(fd: int) -> Iterator[tuple[bytes, bool]]:
    """Lines read from *fd* in big chunks, each with "another complete line is pending"."""
    pending = b""
    while True:
        chunk = os.read(fd, _CHUNK)
        if not chunk:
            break
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        last = len(lines) - 1
        for i, line in enumerate(lines):
            yield line, i < last or _readable(fd)
    if pending:
        yield pending, False


def _source_lines(source: TextIO) -> Iterator[tuple[bytes | str, bool]]:
    """Input lines with a "more is pending" flag.

    A real file descriptor (the normal case) is read directly; any other stream (tests,
    wrappers) line by line, flushing after each.
    """
    try:
        fd = source.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd >= 0:
        yield from _fd_lines(fd)
    else:
        for line in source:
            yield line, False


def run_filter(source: TextIO, sink: TextIO, detector: Detector) -> None:
    """Answer each input line with one output line, in order; replies are never held back
    while the client might be waiting for them (see the module docstring)."""
    for lineno, (line, more) in enumerate(_source_lines(source), start=1):
        if line.strip():
            record_id, text = _parse(line, lineno)
            sink.write(_reply(record_id, text, detector))
        if not more:
            sink.flush()
    sink.flush()


@app.command("detect")
def detect_cmd() -> None:
    """Read JSONL {"id","text"} on stdin; write JSONL {"id","spans":[...]} on stdout.

    Offsets are Python character offsets into "text".  A malformed line stops the command
    with exit code 1 and a message naming the line.
    """
    detector = Detector()
    gc.freeze()  # start-up objects never become garbage: keep them out of collections
    try:
        run_filter(sys.stdin, sys.stdout, detector)
    except _BadLine as exc:
        sys.stdout.flush()
        typer.echo(f"pledge pii detect: {exc}", err=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
