"""Rendering: the public page, its Markdown twin and the Art. 30 record.

The page is what people read before trusting Pledge with their data, so it
must carry every section of the seed document, escape policy text, load
nothing from elsewhere and be navigable by keyboard and screen reader.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from pledge.policy import (
    ROPA_COLUMNS,
    Policy,
    load_policy,
    render_html,
    render_markdown,
    render_ropa_csv,
)
from tests.unit.policy.helpers import dump_policy

SECTIONS = [
    "Introduction",
    "Information We Collect",
    "How We Use Personal Data and Other Information",
    "Sharing Information",
    "California Privacy Disclosures",
    "Online Tracking and Do Not Track",
    "EU Data Subjects",
    "Privacy Shield",
    "Data Security",
    "Use of Cookies",
    "Publicly Posted Information",
    "Children",
    "Links To Other Websites",
    "Changes to this Privacy Policy",
    "Contact Us",
]


class _Outline(HTMLParser):
    """Collects headings, the html lang, table header scopes and resource URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.lang: str | None = None
        self.th_scopes: list[str | None] = []
        self.resources: list[str] = []
        self._heading: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "th":
            self.th_scopes.append(attributes.get("scope"))
        if tag in {"script", "img", "link", "iframe"}:
            self.resources.append(str(attributes.get("src") or attributes.get("href")))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading, self._text = tag, ""

    def handle_data(self, data: str) -> None:
        if self._heading:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self.headings.append((tag, " ".join(self._text.split())))
            self._heading = None


@pytest.fixture(scope="module")
def outline(bundled_policy: Policy) -> _Outline:
    parser = _Outline()
    parser.feed(render_html(bundled_policy))
    return parser


def test_html_has_every_section(outline: _Outline) -> None:
    """Every top-level section of the seed document is an h2."""
    h2 = [text for tag, text in outline.headings if tag == "h2"]
    assert h2 == SECTIONS


def test_html_is_accessible(bundled_policy: Policy, outline: _Outline) -> None:
    """One h1, a language, scoped table headers and a skip link to the main content."""
    html = render_html(bundled_policy)
    assert html.startswith("<!DOCTYPE html>")
    assert outline.lang == "en"
    assert [tag for tag, _ in outline.headings].count("h1") == 1
    assert outline.th_scopes
    assert all(scope in {"col", "row"} for scope in outline.th_scopes)
    assert 'href="#main"' in html
    assert 'id="main"' in html


def test_html_loads_nothing_from_elsewhere(bundled_policy: Policy, outline: _Outline) -> None:
    """No scripts, images or stylesheets: the policy page tracks nobody."""
    html = render_html(bundled_policy)
    assert outline.resources == []
    assert "<script src=http" not in html
    assert "<script" not in html


def test_html_states_the_key_promises(bundled_policy: Policy) -> None:
    """The facts people look for are on the page, taken from the YAML."""
    html = render_html(bundled_policy)
    for text in [
        "Interactions does not sell your Personal Data.",
        "Do Not Track",
        "under the age of 13",
        "privacy_officer@interactions.com",
        "833-694-0076",
        "2 Eastbourne Terrace",
        "W2 6LG",
        "31 Hayward Street, Suite E",
        "JAMS",
        "https://www.jamsadr.com/eu-us-privacy-shield",
        "Federal Trade Commission",
        "invalidated",
        "EU-U.S. Data Privacy Framework",
        "Google Analytics",
        "HubSpot",
        "<code>_ga</code>",
        "2 years",
        "30 minutes",
        "Right to rectification",
        "45 days",
        "Minimum age: 13",
    ]:
        assert text in html, text


def test_html_escapes_policy_text(bundled_data: dict[str, Any], tmp_path: Path) -> None:
    """Policy text is data, never markup: a <script> in the YAML is shown, not run."""
    import copy

    data = copy.deepcopy(bundled_data)
    data["categories"][0]["name"] = "<script>alert(1)</script> & Co"
    policy = load_policy(dump_policy(data, tmp_path / "evil.yaml"))
    html = render_html(policy)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html


def test_markdown_has_headings(bundled_policy: Policy) -> None:
    """The Markdown form carries the same sections as the page."""
    markdown = render_markdown(bundled_policy)
    assert markdown.startswith("# Privacy Policy")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings == SECTIONS
    assert "does not sell your Personal Data" in markdown
    assert "\n\n\n\n" not in markdown


def _ropa(policy: Policy) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_ropa_csv(policy))))


def test_ropa_header_and_rows(bundled_policy: Policy) -> None:
    """One row per (purpose, category) pair the policy declares, with Art. 30's columns."""
    text = render_ropa_csv(bundled_policy)
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == ROPA_COLUMNS
    assert header[:11] == [
        "controller",
        "controller_contact",
        "purpose",
        "legal_basis",
        "data_subject_categories",
        "personal_data_categories",
        "recipients",
        "third_country_transfers",
        "safeguards",
        "retention",
        "security_measures",
    ]
    rows = _ropa(bundled_policy)
    expected = {(p, c.id) for c in bundled_policy.categories for p in c.purposes}
    assert {(row["purpose_id"], row["category_id"]) for row in rows} == expected
    assert len(rows) == len(expected)
    for row in rows:
        assert all(row[column] for column in ROPA_COLUMNS[:4]), row
        assert row["controller"] == "Interactions, LLC"
        assert row["security_measures"]


def test_ropa_marketing_rests_on_consent_in_the_eu(bundled_policy: Policy) -> None:
    """The record shows the opt-in basis for marketing, per jurisdiction."""
    rows = [row for row in _ropa(bundled_policy) if row["purpose_id"] == "marketing"]
    assert rows
    for row in rows:
        assert "eu: consent" in row["legal_basis"]
        assert "california: notice" in row["legal_basis"]


def test_ropa_recipients_follow_the_purpose(bundled_policy: Policy) -> None:
    """A recipient limited to some purposes appears only on those rows."""
    rows = {(r["purpose_id"], r["category_id"]): r for r in _ropa(bundled_policy)}
    analytics = rows[("site_analytics", "internet_activity")]["recipients"]
    assert "Google Analytics" in analytics
    assert "Public authorities" not in analytics
    security = rows[("security", "internet_activity")]["recipients"]
    assert "Google Analytics" not in security
    service = rows[("service_provision", "service_data")]
    assert service["role"] == "processor"
    assert service["retention"] == "as instructed by the Client contract"
    assert "Privacy Shield" in service["safeguards"]


def test_ropa_cells_never_start_a_formula(bundled_data: dict[str, Any], tmp_path: Path) -> None:
    """Policy text that looks like a formula is written as text, quoted, in the ROPA CSV."""
    import copy

    data = copy.deepcopy(bundled_data)
    data["categories"][0]["name"] = '=HYPERLINK("http://evil.example","x")'
    data["purposes"][0]["name"] = "@SUM(1+1)"
    data["controller"]["name"] = "+cmd|' /C calc'!A0"
    policy = load_policy(dump_policy(data, tmp_path / "formula.yaml"))
    rows = _ropa(policy)
    assert rows
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert {row["controller"] for row in rows} == {"'+cmd|' /C calc'!A0"}
    assert any(row["purpose"] == "'@SUM(1+1)" for row in rows)
    assert any(row["personal_data_categories"].startswith("'=HYPERLINK(") for row in rows)
