"""``pledge pii detect`` as a JSONL filter."""

from __future__ import annotations

import json
import subprocess
import sys

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


def _detect_process() -> subprocess.Popen[str]:
    code = (
        "import sys; sys.argv = ['pledge', 'pii', 'detect']\n"
        "from pledge.cli.main import main\nmain()"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def test_synchronous_client_gets_each_reply_before_sending_more() -> None:
    """Replies are batched only while input is pending, so one-at-a-time never blocks."""
    proc = _detect_process()
    assert proc.stdin is not None
    assert proc.stdout is not None
    try:
        for i in range(3):
            proc.stdin.write(json.dumps({"id": i, "text": f"Customer: a{i}@example.com"}) + "\n")
            proc.stdin.flush()
            reply = json.loads(proc.stdout.readline())
            assert reply["id"] == i
            assert reply["spans"][0]["label"] == "EMAIL"
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == 0


def test_streamed_input_is_answered_in_order() -> None:
    lines = [
        json.dumps({"id": i, "text": f"Customer: ip 10.0.{i // 200}.{i % 200}"}) for i in range(300)
    ]
    proc = _detect_process()
    out, _ = proc.communicate("\n".join(lines) + "\n", timeout=30)
    replies = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in replies] == list(range(300))
    assert all(r["spans"][0]["label"] == "IP_ADDRESS" for r in replies)


def test_pii_command_does_not_import_the_server_stack() -> None:
    """``pledge pii detect`` starts fast: no database, web framework or other command group
    is imported (typer itself brings pydantic; that is outside Pledge's control)."""
    code = (
        "import sys; sys.argv = ['pledge', 'pii', '--help']\n"
        "from pledge.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('sqlalchemy', 'fastapi', 'pledge.core', 'pledge.cli.server_cmd')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"
