"""``pledge pii``: detect personal data in transcripts, as a streaming JSONL filter."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import typer

from pledge.pii import Detector

app = typer.Typer(
    help="Detect personal data in customer-service transcripts.", no_args_is_help=True
)


@app.callback()
def _group() -> None:
    """Personal-data detection."""  # a callback keeps ``detect`` a sub-command


class _BadLine(Exception):
    def __init__(self, lineno: int, reason: str) -> None:
        super().__init__(f"line {lineno}: {reason}")


def _parse(line: str, lineno: int) -> tuple[Any, str]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _BadLine(lineno, f"invalid JSON ({exc.msg})") from None
    if not isinstance(record, dict) or "id" not in record:
        raise _BadLine(lineno, 'expected an object with "id" and "text"')
    text = record.get("text")
    if not isinstance(text, str):
        raise _BadLine(lineno, '"text" must be a string')
    return record["id"], text


def run_filter(source: TextIO, sink: TextIO, detector: Detector) -> None:
    """Answer each input line with one output line, flushed at once (callers stream)."""
    for lineno, line in enumerate(source, start=1):
        if not line.strip():
            continue
        record_id, text = _parse(line, lineno)
        spans = [{"start": s.start, "end": s.end, "label": s.label} for s in detector.detect(text)]
        sink.write(json.dumps({"id": record_id, "spans": spans}, ensure_ascii=False) + "\n")
        sink.flush()


@app.command("detect")
def detect_cmd() -> None:
    """Read JSONL {"id","text"} on stdin; write JSONL {"id","spans":[...]} on stdout.

    Offsets are Python character offsets into "text".  A malformed line stops the command
    with exit code 1 and a message naming the line.
    """
    try:
        run_filter(sys.stdin, sys.stdout, Detector())
    except _BadLine as exc:
        typer.echo(f"pledge pii detect: {exc}", err=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
