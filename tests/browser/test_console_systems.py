"""The connected systems page in real Chromium: reached from the navigation, accessible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pledge.console.accounts import create_user
from tests.browser.accessibility import assert_axe_clean, require_axe
from tests.browser.conftest import LiveApp
from tests.connectors.shop_systems import SHOP_YAML, write

AUDITOR = "map-auditor@interactions.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def with_systems(live_app: LiveApp, tmp_path: Path) -> Iterator[LiveApp]:
    """The shared app reads the shop's file for this test only."""
    live_app.pledge.settings.systems = write(tmp_path / "systems.yaml", SHOP_YAML)
    try:
        yield live_app
    finally:
        live_app.pledge.settings.systems = None


def test_an_auditor_opens_the_data_map_from_the_navigation(
    context: Any, with_systems: LiveApp
) -> None:
    require_axe()
    create_user(with_systems.pledge, email=AUDITOR, role="auditor", password=PASSWORD, actor="t")
    page = context.new_page()
    page.goto(f"{with_systems.url}/admin/login")
    page.get_by_label("E-mail").fill(AUDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Connected systems").click()
    page.get_by_role("heading", name="Connected systems and the data map").wait_for()
    assert page.get_by_role("heading", name="Data map", exact=True).is_visible()
    assert (
        page.get_by_role("cell", name="tax law keeps invoices ten years", exact=False).count() == 1
    )
    assert_axe_clean(page, "the connected systems page")
