"""Instructions files: valid ones register a Client, invalid ones are refused with locations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from pledge.policy import bundled_policy_path, load_policy
from pledge.service_data.instructions import load_instructions
from tests.web.conftest import auth

PLEDGE = str(Path(sys.executable).with_name("pledge"))
VALID = """\
collect:
  - field: account_number
    kind: ACCOUNT_ID
    pattern: '\\d{8,12}'
  - field: callback_phone
    kind: PHONE
retention_days: 90
webhook_url: http://127.0.0.1:9000/pledge
webhook_secret: change-me-please-0123456789abcdef
"""


SECRET_LINE = "webhook_secret: change-me-please-0123456789abcdef\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "instructions.yaml"
    path.write_text(text)
    return path


def test_valid_instructions_load(tmp_path: Path) -> None:
    model, problems = load_instructions(_write(tmp_path, VALID), load_policy(bundled_policy_path()))
    assert problems == []
    assert model is not None
    assert [f.field for f in model.collect] == ["account_number", "callback_phone"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (VALID.replace("kind: PHONE", "kind: SHOE_SIZE"), 6, "PHONE"),
        (VALID + "colour: blue\n", 10, "unknown key 'colour'"),
        (VALID.replace("retention_days: 90", "retention_days: 0"), 7, "greater than or equal"),
        (VALID.replace(SECRET_LINE, ""), 1, "webhook_secret"),
        (
            VALID.replace(SECRET_LINE, "webhook_secret: change-me\n").replace(
                "http://127.0.0.1:9000/pledge", "https://hooks.example.com/pledge"
            ),
            9,
            "at least 32 characters",
        ),
        (VALID.replace("'\\d{8,12}'", "'[0-9'"), 4, "regular expression"),
        (VALID.replace("callback_phone", "account_number"), 5, "duplicate field"),
        (VALID + "purposes: [marketing]\n", 10, "not declared for Service Data"),
    ],
)
def test_invalid_instructions_name_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = _write(tmp_path, text)
    model, problems = load_instructions(path, load_policy(bundled_policy_path()))
    assert model is None
    assert problems, "a problem must be reported"
    problem = problems[0]
    assert problem.location.startswith(f"{path}:{line}")
    assert words in problem.message


def test_cli_registers_a_client(pledge: Pledge, client: TestClient, tmp_path: Path) -> None:
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
        "PLEDGE_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",  # VALID posts to a local receiver
    }
    command = [PLEDGE, "clients", "create", "--name", "Acme", "--instructions"]
    result = subprocess.run(
        [*command, str(_write(tmp_path, VALID))],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    client_id, key = result.stdout.strip().splitlines()[-2:]
    response = client.get("/api/v1/service/deliveries", headers=auth(key))
    assert response.status_code == 200
    bad = _write(tmp_path, VALID + "colour: blue\n")
    result = subprocess.run(
        [*command, str(bad)], capture_output=True, text=True, env=environ, check=False
    )
    assert result.returncode == 1
    assert f"{bad}:10" in result.stderr
    assert client_id


def test_admin_api_registers_a_client(client: TestClient, admin_key: str, system_key: str) -> None:
    body = {
        "name": "Initech",
        "instructions": {"collect": [{"field": "phone", "kind": "PHONE"}], "retention_days": 30},
    }
    assert (
        client.post("/api/v1/admin/clients", json=body, headers=auth(system_key)).status_code == 403
    )
    created = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert created.status_code == 201
    assert created.json()["api_key"].startswith("pc_")
    again = client.post("/api/v1/admin/clients", json=body, headers=auth(admin_key))
    assert again.status_code == 409
    bad = {"name": "X", "instructions": {"collect": [], "retention_days": 30}}
    response = client.post("/api/v1/admin/clients", json=bad, headers=auth(admin_key))
    assert response.status_code == 422
    assert "instructions.collect" in response.json()["error"]["fields"]
    listed = client.get("/api/v1/admin/clients", headers=auth(admin_key)).json()["clients"]
    assert [c["name"] for c in listed] == ["Initech"]
    assert "webhook_secret" not in str(listed)
