"""The instructions file of ../shared/CONTRACT.md registers as it is, on a default install."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pledge.core import Pledge

CONTRACT_EXAMPLE = """\
collect:                      # the only values Pledge may keep from this Client's conversations
  - field: account_number
    kind: ACCOUNT_ID          # a PII label below
  - field: callback_phone
    kind: PHONE
retention_days: 90
webhook_url: http://127.0.0.1:9000/pledge   # optional: where collected fields are delivered
webhook_secret: change-me                   # with webhook_url: the HMAC-SHA256 signing secret
"""


def test_the_contract_example_registers_with_default_settings(
    pledge: Pledge, tmp_path: Path
) -> None:
    instructions = tmp_path / "instructions.yaml"
    instructions.write_text(CONTRACT_EXAMPLE)
    env = {
        "PATH": "/usr/bin:/bin",
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    pledge_cmd = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "pledge"
    done = subprocess.run(
        [
            str(pledge_cmd),
            "clients",
            "create",
            "--name",
            "Contoso",
            "--instructions",
            str(instructions),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    client_id, key = done.stdout.strip().splitlines()[-2:]
    assert key.startswith("pc_")
    assert client_id


def test_a_short_secret_is_refused_off_this_machine(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from pledge.service_data.instructions import Instructions

    base = {"collect": [{"field": "n", "kind": "ACCOUNT_ID"}], "retention_days": 9}
    Instructions.model_validate(
        {**base, "webhook_url": "http://127.0.0.1:9000/x", "webhook_secret": "change-me"}
    )
    with pytest.raises(ValidationError, match="webhook_secret"):
        Instructions.model_validate(
            {**base, "webhook_url": "https://hooks.example.com/x", "webhook_secret": "change-me"}
        )
