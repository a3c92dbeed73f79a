"""A Client's field patterns run in linear time (RE2); what RE2 cannot run is refused at
registration, naming the field (issue #11 leftover: "admin regexes run without a timeout")."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from pledge.core import Pledge
from pledge.db.models import Client
from pledge.service_data.clients import create_client
from pledge.service_data.extraction import acceptable
from pledge.service_data.instructions import CollectedField, Instructions
from pledge.service_data.patterns import compile_error, matches_whole
from tests.service_data.conftest import conversation
from tests.web.conftest import auth

PLEDGE = str(Path(sys.executable).with_name("pledge"))
CATASTROPHIC = r"(a+)+@example\.com"
"""Python's `re` backtracks 2**n ways on n "a"s before the other domain fails it: 22 take
0.15 s here, 40 would take about 11 hours."""
LONG_LOCAL = "a" * 60


def test_a_catastrophic_pattern_is_decided_at_once_in_a_fresh_process() -> None:
    """In a child process, so that the backtracking `re` this replaced could be timed out
    and killed (a thread stuck in `re` holds the interpreter): it must answer well inside 20 s."""
    code = (
        "from pledge.service_data.extraction import acceptable\n"
        "from pledge.service_data.instructions import CollectedField\n"
        f"field = CollectedField(field='email', kind='EMAIL', pattern={CATASTROPHIC!r})\n"
        f"print(acceptable(field, {LONG_LOCAL + '@example.net'!r}))\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=20, check=True
    )
    assert result.stdout.strip() == "False"
    assert time.monotonic() - started < 20


def test_long_input_is_linear() -> None:
    started = time.monotonic()
    assert not matches_whole(r"(a+)+$", "a" * 200_000 + "!")
    assert not matches_whole(r"(a|aa)+\d", "a" * 200_000)
    assert matches_whole(r"(a+)+!", "a" * 200_000 + "!")
    assert time.monotonic() - started < 2


def test_ordinary_patterns_still_match_whole() -> None:
    field = CollectedField(field="account_number", kind="ACCOUNT_ID", pattern=r"\d{8,12}")
    assert acceptable(field, "4417229081")
    assert not acceptable(field, "44172290811234")  # whole, not a prefix
    assert not acceptable(field, "x4417229081")


def test_what_re2_cannot_run_is_named() -> None:
    for pattern in (r"(\d)\1+", r"(?=\d{8})\d+", r"(?<!0)\d+", r"\d++", r"\d+\Z"):
        problem = compile_error(pattern)
        assert problem is not None, pattern
        assert "linear time" in problem
    assert compile_error(r"(a+)+$") is None


def test_the_admin_api_refuses_a_backreference_naming_the_field(
    client: TestClient, admin_key: str
) -> None:
    body = {
        "name": "Initech",
        "instructions": {
            "collect": [
                {"field": "phone", "kind": "PHONE"},
                {"field": "account", "kind": "ACCOUNT_ID", "pattern": r"(\d)\1{7}"},
            ],
            "retention_days": 30,
        },
    }
    response = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["instructions.collect[1].pattern"]
    assert "backreferences" in fields["instructions.collect[1].pattern"]
    body["instructions"]["collect"][1]["pattern"] = r"(\d+)+$"
    assert (
        client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key)).status_code == 201
    )


def test_the_cli_refuses_lookaround_naming_the_line(pledge: Pledge, tmp_path: Path) -> None:
    path = tmp_path / "instructions.yaml"
    path.write_text(
        "collect:\n"
        "  - field: account_number\n"
        "    kind: ACCOUNT_ID\n"
        "    pattern: '(?=\\d{8})\\d+'\n"
        "retention_days: 90\n"
    )
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    result = subprocess.run(
        [PLEDGE, "clients", "create", "--name", "Acme", "--instructions", str(path)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert result.returncode == 1
    assert f"{path}:4" in result.stderr
    assert "pattern" in result.stderr
    assert "lookaround" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_conversation_meeting_a_catastrophic_pattern_is_answered_quickly(
    pledge: Pledge, client: TestClient
) -> None:
    instructions = Instructions.model_validate(
        {
            "collect": [{"field": "email", "kind": "EMAIL", "pattern": CATASTROPHIC}],
            "retention_days": 30,
        }
    )
    _, key = create_client(pledge, name="Acme", instructions=instructions, actor="test")
    body = conversation()
    body["turns"][5]["text"] = f"Write to {LONG_LOCAL}@example.net please."
    started = time.monotonic()
    response = client.post("/api/v1/service/conversations", json=body, headers=auth(key))
    assert time.monotonic() - started < 10
    assert response.status_code == 201
    assert response.json()["collected"] == {}
    assert LONG_LOCAL not in response.text


def test_a_stored_pattern_re2_refuses_still_loads_and_collects_nothing(
    pledge: Pledge, client: TestClient
) -> None:
    """Registered before patterns were checked: the Client keeps working, that field stays
    empty rather than run a pattern Pledge cannot bound."""
    instructions = Instructions.model_validate(
        {"collect": [{"field": "account_number", "kind": "ACCOUNT_ID"}], "retention_days": 30}
    )
    client_id, key = create_client(pledge, name="Acme", instructions=instructions, actor="test")
    with pledge.transaction() as session:
        row = session.scalars(select(Client).where(Client.id == client_id)).one()
        stored = dict(row.instructions)
        stored["collect"] = [{**stored["collect"][0], "pattern": r"(?=\d)\d+"}]
        row.instructions = stored
    response = client.post("/api/v1/service/conversations", json=conversation(), headers=auth(key))
    assert response.status_code == 201
    assert response.json()["collected"] == {}
