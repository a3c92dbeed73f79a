"""``pledge systems check``/``list`` and the record of processing, as a user runs them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine

from tests.connectors.shop_systems import SHOP_YAML, shop_data, write
from tests.connectors.test_check_live import GOOD, _schema

PLEDGE = str(Path(sys.executable).with_name("pledge"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PLEDGE_", "SHOP_", "CRM_"))}
    return subprocess.run(
        [PLEDGE, *args],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
        check=False,
    )


@pytest.fixture
def shop(tmp_path: Path) -> dict[str, str]:
    """A SQLite shop as declared, and the environment that names it."""
    database = tmp_path / "shop.db"
    engine = create_engine(f"sqlite:///{database}")
    _schema().create_all(engine)
    engine.dispose()
    data: dict[str, Any] = {
        "systems": {"shop": {"kind": "sqlite", "url_env": "SHOP_URL", "collections": GOOD}}
    }
    path = write(tmp_path / "systems.yaml", data)
    return {"PLEDGE_SYSTEMS": str(path), "SHOP_URL": f"sqlite:///{database}"}


def test_unset_is_one_line_and_exit_1() -> None:
    result = run("systems", "check")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: PLEDGE_SYSTEMS is not set: there are no connected systems to check"
    ]


def test_a_valid_file_exits_0_with_its_warnings_printed(shop: dict[str, str]) -> None:
    result = run("systems", "check", **shop)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines  # street, shipping_street, total: fields the policy omits
    path = shop["PLEDGE_SYSTEMS"]
    assert all(line.startswith(f"{path}:") and ": warning: " in line for line in lines)
    assert "1 system(s), the file is valid (3 warning(s))" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_file_exits_1_with_location_message_lines(
    shop: dict[str, str], tmp_path: Path
) -> None:
    data = yaml.safe_load(Path(shop["PLEDGE_SYSTEMS"]).read_text())
    collections = data["systems"]["shop"]["collections"]
    collections["customer"]["fields"]["name"]["category"] = "identity"
    collections["ghosts"] = {"primary_key": "id", "identity": {"email": "email"}}
    path = write(tmp_path / "broken.yaml", data)
    result = run("systems", "check", **{**shop, "PLEDGE_SYSTEMS": str(path)})
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": warning: " not in line]
    assert len(errors) == 2, result.stdout
    assert errors[0].startswith(f"{path}:")
    assert (
        "systems.shop.collections.customer.fields.name.category: unknown policy category"
        in (errors[0])
    )
    assert errors[1].endswith("systems.shop.collections.ghosts: table 'ghosts' does not exist")
    assert "2 error(s)" in result.stderr
    # --no-live leaves the database alone: only the policy's complaint is left
    offline = run("systems", "check", "--no-live", **{**shop, "PLEDGE_SYSTEMS": str(path)})
    assert offline.returncode == 1
    assert "does not exist" not in offline.stdout


def test_a_file_that_does_not_parse_gives_its_problems(tmp_path: Path) -> None:
    path = write(tmp_path / "systems.yaml", "systems:\n  shop: [\n")
    result = run("systems", "check", PLEDGE_SYSTEMS=str(path))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{path}:")
    assert "YAML error" in result.stdout
    assert "Traceback" not in result.stderr


def test_list_names_each_system(tmp_path: Path) -> None:
    path = write(tmp_path / "systems.yaml", SHOP_YAML)
    result = run("systems", "list", PLEDGE_SYSTEMS=str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "shop  sqlite  recipient -  collections customer, orders, address  "
        "categories client_account, identification",
        "crm  http  recipient hubspot  collections contacts  categories identification",
    ]


def test_the_record_of_processing_lists_the_systems_per_category(tmp_path: Path) -> None:
    path = write(tmp_path / "systems.yaml", shop_data())
    result = run("policy", "render", "--format", "ropa", PLEDGE_SYSTEMS=str(path))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    by_category = {row["category_id"]: row["systems"] for row in rows}
    assert by_category["identification"] == "shop.customer; shop.orders; shop.address; crm.contacts"
    assert by_category["client_account"] == "shop.orders"
    assert by_category["internet_activity"] == ""
    unset = run("policy", "render", "--format", "ropa")
    assert "systems" not in unset.stdout.splitlines()[0].split(",")
    broken = write(tmp_path / "broken.yaml", "systems: 3\n")
    failed = run("policy", "render", "--format", "ropa", PLEDGE_SYSTEMS=str(broken))
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert f"{broken}:1 systems:" in failed.stderr
