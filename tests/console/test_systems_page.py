"""The console's connected systems and data map (``/admin/systems``), both databases."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.connectors.shop_systems import shop_data, write
from tests.staff_accounts import create_staff, sign_in

PAGE = "/admin/systems"


@pytest.fixture
def systems_file(pledge: Pledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shop and CRM file; the shop's URL points at a server that would never answer."""
    data = shop_data()
    data["systems"]["shop"]["kind"] = "postgresql"
    path = write(tmp_path / "systems.yaml", data)
    pledge.settings.systems = path
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql+psycopg://u@10.255.255.1:5432/shop")
    monkeypatch.setenv("CRM_URL", "http://10.255.255.1:9")
    monkeypatch.delenv("CRM_SECRET", raising=False)
    return path


def _as(client: TestClient, pledge: Pledge, role: str) -> TestClient:
    email = f"{role}@interactions.com"
    create_staff(pledge, email, role)
    assert sign_in(client, email) == 303
    return client


def test_needs_a_session_and_the_role(
    pledge: Pledge, client: TestClient, systems_file: Path
) -> None:
    response = client.get(PAGE, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/login"
    support = _as(client, pledge, "support")
    assert support.get(PAGE).status_code == 403
    assert 'href="/admin/systems"' not in support.get("/admin").text


@pytest.mark.parametrize("role", ["auditor", "privacy_officer"])
def test_shows_systems_and_the_data_map_without_connecting(
    pledge: Pledge, client: TestClient, systems_file: Path, role: str
) -> None:
    browser = _as(client, pledge, role)
    started = time.monotonic()
    response = browser.get(PAGE)
    assert time.monotonic() - started < 2  # the shop's server never answers: not asked
    assert response.status_code == 200
    html = response.text
    assert 'href="/admin/systems"' in html
    assert "<td><code>shop</code></td><td>postgresql</td>" in html
    assert "HubSpot, Inc." in html
    assert "customer, orders, address" in html
    # the data map: each column with its erase strategy, the kept one with its reason
    assert "<td><code>address</code></td><td><code>street</code></td><td>street</td>" in html
    assert "keep: kept because tax law keeps invoices ten years" in html
    assert "<td>mask</td>" in html
    assert "<td>delete</td>" in html
    assert "Held in no connected system." in html  # internet activity, for one
    # static problems: the unset secret (named, never a value) and the policy's silence
    assert "the environment variable CRM_SECRET is not set" in html
    assert "10.255.255.1" not in html
    assert "cannot connect" not in html
    assert "warning: " in html


def test_without_the_file_the_page_says_so(pledge: Pledge, client: TestClient) -> None:
    pledge.settings.systems = None
    html = _as(client, pledge, "auditor").get(PAGE).text
    assert "No connected systems" in html


def test_a_broken_file_shows_its_problems(
    pledge: Pledge, client: TestClient, tmp_path: Path
) -> None:
    pledge.settings.systems = write(tmp_path / "systems.yaml", "systems:\n  shop: 3\n")
    response = _as(client, pledge, "auditor").get(PAGE)
    assert response.status_code == 200
    assert "The file has errors" in response.text
    assert "systems.shop" in response.text


def test_the_record_of_processing_lists_the_systems(
    pledge: Pledge, client: TestClient, systems_file: Path
) -> None:
    browser = _as(client, pledge, "auditor")
    rows = list(csv.DictReader(io.StringIO(browser.get("/admin/record-of-processing.csv").text)))
    places = {row["category_id"]: row["systems"] for row in rows}
    assert places["identification"] == "shop.customer; shop.orders; shop.address; crm.contacts"
    assert '<th scope="col">systems</th>' in browser.get("/admin/record-of-processing").text
