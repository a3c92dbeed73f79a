"""``pledge pii detect`` as a JSONL filter."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pledge.cli.pii_cmd import app


def test_detect_streams_jsonl() -> None:
    lines = [
        json.dumps({"id": "a", "text": "Customer: mail jö@example.com"}),
        "",
        json.dumps({"id": 7, "text": "nothing here"}),
    ]
    result = CliRunner().invoke(app, ["detect"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert out == [
        {"id": "a", "spans": [{"start": 15, "end": 29, "label": "EMAIL"}]},
        {"id": 7, "spans": []},
    ]


def test_malformed_line_names_line_number() -> None:
    data = json.dumps({"id": "a", "text": "hi"}) + "\n{oops\n"
    result = CliRunner().invoke(app, ["detect"], input=data)
    assert result.exit_code == 1
    assert "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_missing_text_is_an_error() -> None:
    result = CliRunner().invoke(app, ["detect"], input='{"id": "x"}\n')
    assert result.exit_code == 1
    assert "line 1" in result.stderr
