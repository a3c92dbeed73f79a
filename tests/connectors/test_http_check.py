"""The live check of an HTTP system (``check_http_system``), against the example CRM, and
the example processor run as its README says (``python -m examples.processor``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pledge.connectors.base import SystemUnavailable
from pledge.connectors.http import http_connector_for
from pledge.connectors.http_check import check_http_system
from tests.connectors.http_support import (
    ADA,
    CRM_YAML,
    SECRET,
    Crm,
    crm_spec,
    free_port,
    hanging,
    running_crm,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm.sqlite") as running:
        yield running


def _env(crm: Crm, secret: str = SECRET) -> dict[str, str]:
    return {"CRM_URL": crm.url, "CRM_SECRET": secret}


def test_a_declaration_the_processor_knows_has_no_problems(crm: Crm) -> None:
    assert check_http_system("crm", crm_spec(), _env(crm)) == []


def test_names_the_processor_does_not_know_are_errors(crm: Crm) -> None:
    text = (
        CRM_YAML.replace("          phone: {category: contact_details}\n", "")
        .replace("phone: phone", "phone: mobile")
        .replace("      notes:\n", "      deals:\n        primary_key: id\n      notes:\n")
        .replace("text: {", "body: {")
    )
    problems = check_http_system("crm", crm_spec(text), _env(crm))
    assert [str(p) for p in problems] == [
        "systems.crm.collections.contacts.identity.phone: "
        "the processor does not know this attribute",
        "systems.crm.collections.deals: the processor does not know this collection",
        "systems.crm.collections.notes.fields.body: the processor does not know this attribute",
    ]
    assert all(p.severity == "error" for p in problems)


def test_an_unreachable_processor_is_an_error() -> None:
    environ = {"CRM_URL": f"http://127.0.0.1:{free_port()}/", "CRM_SECRET": SECRET}
    problems = check_http_system("crm", crm_spec(), environ)
    assert [str(p) for p in problems] == ["systems.crm: cannot connect (ConnectError)"]


def test_a_wrong_secret_or_missing_setting_is_an_error(crm: Crm) -> None:
    problems = check_http_system("crm", crm_spec(), _env(crm, "y" * 40))
    assert len(problems) == 1
    assert problems[0].location == "systems.crm"
    assert "refused the request (HTTP 401)" in problems[0].message
    missing = check_http_system("crm", crm_spec(), {"CRM_URL": crm.url})
    assert [str(p) for p in missing] == ["systems.crm: environment variable CRM_SECRET is not set"]


def test_the_example_processor_runs_as_a_module(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PROCESSOR_SECRET": SECRET}
    command = [sys.executable, "-m", "examples.processor", "--db", str(tmp_path / "crm.sqlite")]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--demo"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        environ = {"CRM_URL": f"http://127.0.0.1:{port}/", "CRM_SECRET": SECRET}
        connector = http_connector_for("crm", crm_spec(), environ)
        deadline = time.monotonic() + 20
        while True:
            try:
                found = connector.identities({"email": frozenset({"ada@example.org"})})
                break
            except SystemUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert found["phone"] == {"+442071234567"}
        assert check_http_system("crm", crm_spec(), environ) == []
        exported = [row.by_category["identification"] for row in connector.export(ADA)]
        assert exported == [{"email": "ada@example.org", "name": "Ada Lovelace"}]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_example_processor_wants_its_secret(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROCESSOR_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "examples.processor", "--db", str(tmp_path / "crm.sqlite")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "error: set PROCESSOR_SECRET to the secret shared with Pledge"


def test_the_check_waits_no_longer_than_its_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pledge.connectors.http_check.CHECK_SECONDS", 0.3)
    with hanging() as url:
        started = time.monotonic()
        problems = check_http_system("crm", crm_spec(), {"CRM_URL": url, "CRM_SECRET": SECRET})
    assert [str(p) for p in problems] == ["systems.crm: cannot connect (ReadTimeout)"]
    assert time.monotonic() - started < 2
