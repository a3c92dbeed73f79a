"""The public pages' one stylesheet, and the Content-Security-Policy that lets it apply.

The request page and the package allow no inline style but the package's own
``<style>`` (by hash), so a ``style=`` attribute or a second ``<style>`` in a
public template would be silently ignored by the browser: these tests catch it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "pledge" / "web" / "templates"
STATIC = TEMPLATES.with_name("static")


def _public_templates() -> list[Path]:
    return [p for p in sorted(TEMPLATES.rglob("*.html")) if "console" not in p.parts]


def test_public_templates_carry_no_inline_style() -> None:
    found = []
    for path in _public_templates():
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle\s*=", text):
            found.append(f"{path.name}: a style= attribute")
        styles = re.findall(r"<style[^>]*>(.*?)</style>", text, flags=re.S)
        if styles and styles != ["{{ stylesheet }}"]:
            found.append(f"{path.name}: an inline <style>")
    assert found == []


def test_the_stylesheet_is_served_and_loads_nothing_from_elsewhere(client: TestClient) -> None:
    answer = client.get("/static/pledge.css")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert "no-store" not in answer.headers.get("cache-control", "")
    assert "url(" not in answer.text
    assert "@import" not in answer.text


def test_every_public_page_links_it_with_the_header_and_footer(client: TestClient) -> None:
    for path in ("/privacy-center", "/demo"):
        page = client.get(path).text
        assert '<link rel="stylesheet" href="/static/pledge.css">' in page, path
        assert 'class="site-header"' in page, path
        assert 'class="site-footer"' in page, path


def test_the_request_pages_policy_allows_the_stylesheet_and_the_packages_style_only(
    client: TestClient,
) -> None:
    page = client.get("/privacy-center/requests/00000000-0000-4000-8000-000000000000")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    (style_src,) = [part.strip() for part in policy.split(";") if "style-src" in part]
    css = (STATIC / "pledge.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert style_src == f"style-src 'self' 'sha256-{digest}'"
    assert "unsafe-inline" not in policy
    assert '<link rel="stylesheet" href="/static/pledge.css">' in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/privacy-center?country=FR",
        "/privacy-center/new/access?country=FR",
        "/privacy-center/new/nothing-such?country=FR",
        "/privacy-center/child-report?country=US",
        "/privacy-center/complaint?country=DE",
    ],
)
def test_the_privacy_centers_pages_run_no_script_and_load_from_here_only(
    client: TestClient, path: str
) -> None:
    """An injected tag would load nothing: no script at all, style and forms from this origin."""
    policy = client.get(path).headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert "script-src" not in directives
