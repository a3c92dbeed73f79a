"""The `pledge` command as a user runs it: a real process, real databases."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, update

from pledge.access import authenticate_key
from pledge.core import Pledge
from pledge.db.models import AuditEntry, ConsentState, MarketingReach
from pledge.settings import Settings
from tests.conftest import new_master_key

PLEDGE = str(Path(sys.executable).with_name("pledge"))


def run(
    settings: Settings, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": settings.database_url,
        "PLEDGE_MASTER_KEY": settings.master_key or "",
        **({"PLEDGE_AUDIT_ANCHOR": str(settings.audit_anchor)} if settings.audit_anchor else {}),
        **env,
    }
    return subprocess.run(
        [PLEDGE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_init_is_idempotent(pledge: Pledge) -> None:
    for _ in range(2):
        result = run(pledge.settings, "init")
        assert result.returncode == 0, result.stderr


def test_keys_create_prints_the_key_last(pledge: Pledge) -> None:
    result = run(pledge.settings, "keys", "create", "--name", "crm", "--role", "system")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    principal = authenticate_key(pledge, key)
    assert principal is not None
    assert principal.role == "system"


def test_keys_create_refuses_unknown_role(pledge: Pledge) -> None:
    result = run(pledge.settings, "keys", "create", "--name", "x", "--role", "root")
    assert result.returncode != 0
    assert "role" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_verify_detects_tampering(pledge: Pledge) -> None:
    run(pledge.settings, "keys", "create", "--name", "a", "--role", "admin")
    assert run(pledge.settings, "audit", "verify").returncode == 0
    with pledge.transaction() as session:
        session.execute(update(AuditEntry).values(actor="mallory"))
    result = run(pledge.settings, "audit", "verify")
    assert result.returncode == 1
    assert "broken at entry" in result.stdout


def test_wrong_master_key_is_refused(pledge: Pledge) -> None:
    run(pledge.settings, "keys", "create", "--name", "a", "--role", "admin")
    from pledge.records import RecordIn, collect
    from tests.web.test_records_api import contact_record  # a subject needs a wrapped key

    collect(pledge, [RecordIn.model_validate(contact_record())], actor="test")
    result = run(pledge.settings, "init", PLEDGE_MASTER_KEY=new_master_key())
    assert result.returncode == 1
    assert "does not match" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_master_key_on_postgres_is_a_clear_error() -> None:
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:5432/no_such_db")
    result = run(settings, "init", PLEDGE_MASTER_KEY="")
    assert result.returncode == 1
    assert "PLEDGE_MASTER_KEY is required" in result.stderr
    assert "Traceback" not in result.stderr


def test_policy_check_and_render(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}")
    assert run(settings, "policy", "check").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nnonsense: [\n")
    result = run(settings, "policy", "check", str(bad))
    assert result.returncode == 1
    assert f"{bad}:" in result.stdout
    ropa = run(settings, "policy", "render", "--format", "ropa")
    assert ropa.returncode == 0
    assert ropa.stdout.splitlines()[0].startswith("controller")
    assert "<h1" in run(settings, "policy", "render", "--format", "html").stdout
    assert run(settings, "policy", "render", "--format", "markdown").stdout.startswith("#")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(pledge: Pledge) -> Iterator[str]:
    port = free_port()
    environ = {
        **os.environ,
        "PLEDGE_DATABASE_URL": pledge.settings.database_url,
        "PLEDGE_MASTER_KEY": pledge.settings.master_key or "",
    }
    process = subprocess.Popen(
        [PLEDGE, "serve", "--port", str(port)],
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_answers_health_and_policy(served: str) -> None:
    assert httpx.get(served + "/healthz").json() == {"status": "ok"}
    assert "Interactions" in httpx.get(served + "/policy").text


def test_a_broken_policy_stops_start_up_with_its_problems(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}")
    bad = tmp_path / "policy.yaml"
    bad.write_text("version: '1'\ncategories: [\n")
    for command in (["init"], ["serve", "--port", "1"]):
        result = run(settings, *command, PLEDGE_POLICY=str(bad))
        assert result.returncode == 1
        assert f"{bad}:" in result.stderr
        assert "Traceback" not in result.stderr


def test_keys_list_and_revoke(pledge: Pledge) -> None:
    created = run(pledge.settings, "keys", "create", "--name", "crm", "--role", "system")
    key = created.stdout.strip().splitlines()[-1]
    listed = run(pledge.settings, "keys", "list")
    assert listed.returncode == 0, listed.stderr
    (line,) = [row for row in listed.stdout.splitlines() if " crm " in row]
    assert "active" in line
    assert key not in listed.stdout
    key_id = line.split()[0]
    revoked = run(pledge.settings, "keys", "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    assert authenticate_key(pledge, key) is None
    assert "revoked" in run(pledge.settings, "keys", "list").stdout
    again = run(pledge.settings, "keys", "revoke", key_id)
    assert again.returncode == 1
    assert "Traceback" not in again.stderr


def test_consent_rebuild(pledge: Pledge) -> None:
    from pledge.consent import ConsentIn, filter_recipients, record_consent

    body = {
        "subject": {"email": "back@example.fr", "country": "FR"},
        "purpose": "marketing",
        "channel": "email",
        "granted": True,
        "method": "web_form",
    }
    record_consent(pledge, ConsentIn.model_validate(body), actor="test")
    with pledge.transaction() as session:
        session.execute(delete(ConsentState))
        session.execute(delete(MarketingReach))
    assert filter_recipients(pledge, "email", ["back@example.fr"]).allowed == []
    result = run(pledge.settings, "consent", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "rebuilt 1 consent states" in result.stdout
    assert filter_recipients(pledge, "email", ["back@example.fr"]).allowed == ["back@example.fr"]


def test_recipients_secret_prints_the_key_that_signs_its_notices(
    pledge: Pledge, tmp_path: Path
) -> None:
    import yaml

    from pledge.policy.loader import bundled_policy_path

    data = yaml.safe_load(bundled_policy_path().read_text(encoding="utf-8"))
    (crm,) = [r for r in data["recipients"] if r["id"] == "crm_providers"]
    crm["webhook_url"] = "https://crm.example/pledge-notices"
    policy = tmp_path / "policy.yaml"
    policy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    env = {"PLEDGE_POLICY": str(policy)}
    listed = run(pledge.settings, "recipients", "list", **env)
    assert "crm_providers" in listed.stdout
    assert "https://crm.example/pledge-notices" in listed.stdout
    shown = run(pledge.settings, "recipients", "secret", "crm_providers", **env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == pledge.keys.recipient_webhook_secret("crm_providers")
    assert pledge.keys.recipient_webhook_secret("hubspot") != shown.stdout.strip()
    unhooked = run(pledge.settings, "recipients", "secret", "hubspot", **env)
    assert (unhooked.returncode, unhooked.stdout) == (1, "")
    assert "no webhook_url" in unhooked.stderr
    unknown = run(pledge.settings, "recipients", "secret", "nobody", **env)
    assert unknown.returncode == 1
    assert "names no recipient" in unknown.stderr
