"""The access package as a readable HTML page: escaped, structured, same auth as the JSON."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import NAME, PHONE, ask, collect, confirm, mailed_code
from tests.web.conftest import auth

SCRIPT = "<script>alert('pwned')</script>"


class Outline(HTMLParser):
    """The page's lang, its headings, sections, tables and table cells, as parsed."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.tags: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.cells: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in ("h1", "h2", "h3", "td"):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            text = "".join(self._text).strip()
            if tag == "td":
                self.cells.append(text)
            else:
                self.headings.append((tag, text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def page(web: TestClient, request: dict[str, Any], token: str | None = None) -> Any:
    return web.get(
        f"/api/v1/requests/{request['id']}/package",
        params={"format": "html"},
        headers=auth(token or request["token"]),
    )


def run(mailer: Pledge, smtp: SmtpServer, web: TestClient, **body: Any) -> dict[str, Any]:
    request = ask(web, **body)
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "completed", done
    return {**done, "token": request["token"]}


def test_the_page_escapes_stored_values_and_has_a_section_per_category(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    data = {"name": NAME, "company": SCRIPT}
    collect(web, system_key, data=data)
    collect(
        web,
        system_key,
        category="internet_activity",
        purpose="site_analytics",
        source="cookies",
        data={"browser_type": "Firefox <b>bold</b>"},
    )
    done = run(mailer, smtp, web, match={"phone": PHONE})
    response = page(web, done)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    html = response.text
    assert "<script" not in html
    assert "<b>bold" not in html
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in html
    parsed = outline(html)
    assert parsed.lang == "en"
    assert [tag for tag, _ in parsed.headings].count("h1") == 1
    sections = [text for tag, text in parsed.headings if tag == "h3"]
    assert sections[:2] == ["Identification Data", "Internet Activity Data"]
    assert parsed.tags.count("section") >= 3  # one per category, and the rights
    assert parsed.tags.count("table") == 2
    assert {SCRIPT, NAME, "Firefox <b>bold</b>"} <= set(parsed.cells)  # as text, once unescaped
    assert "To provide the Services to you and respond to your requests" in parsed.cells
    for words in (
        "Why we use it, and on what legal basis",
        "a contract with you",  # respond_to_requests in the EU
        "our legitimate interests",  # site_analytics in the EU
        "Where it comes from",
        "Who receives it",
        "Transfers abroad and their safeguards",
        "privacy shield",
        "How long we keep it",
        "2 years from collection",
        "Your rights",
        "supervisory",
    ):
        assert words in html, words
    assert "12 months" not in html
    assert "This is your first copy" in html
    assert page(web, done).status_code == 200  # counted like the JSON: a second copy
    second = web.get(f"/api/v1/requests/{done['id']}", headers=auth(done["token"])).json()
    assert second["copies_served"] == 2


def test_the_page_needs_the_token_and_a_completed_package_request(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    done = run(mailer, smtp, web, match={"phone": PHONE})
    assert page(web, done, token="not-the-token").status_code == 404
    assert page(web, {"id": "no-such-request"}, token=done["token"]).status_code == 404
    pending = ask(web, type="access")
    assert page(web, pending).status_code == 409
    assert (
        web.get(
            f"/api/v1/requests/{done['id']}/package",
            params={"format": "pdf"},
            headers=auth(done["token"]),
        ).status_code
        == 422
    )


def test_a_california_page_covers_twelve_months_and_shows_no_values_for_know(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, country="US", region="CA", data={"name": NAME, "company": SCRIPT})
    done = run(mailer, smtp, web, type="know", country="US", region="CA")
    html = page(web, done).text
    assert "12 months before your request" in html
    assert NAME not in html
    assert "alert" not in html
    assert "without the values" in html
    parsed = outline(html)
    assert "Identification Data" in [text for tag, text in parsed.headings if tag == "h3"]
    assert "Non-discrimination" in html  # the rights of California, not the EU's
    assert "Objection" not in html
