"""The privacy center page: rights per jurisdiction, and a CSRF-protected form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, mailed_code


def test_page_shows_the_rights_of_the_chosen_jurisdiction(web: TestClient) -> None:
    eu = web.get("/privacy-center", params={"country": "FR"})
    assert eu.status_code == 200
    assert '<html lang="en">' in eu.text
    assert "Portable copy" in eu.text or "portable copy" in eu.text
    assert '<label for="email">' in eu.text
    california = web.get("/privacy-center", params={"country": "US", "region": "CA"})
    assert "California" in california.text
    assert "portable copy" not in california.text.lower()


def test_form_submits_a_request_and_mails_the_code(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    page = web.get("/privacy-center", params={"country": "FR"})
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    form = {"csrf": match.group(1), "country": "FR", "region": "", "type": "access", "email": EMAIL}
    response = web.post("/privacy-center", data=form)
    assert response.status_code == 200, response.text
    assert "We received your request" in response.text
    assert mailed_code(mailer, smtp)


def test_form_without_csrf_token_is_refused(web: TestClient, mailer: Pledge) -> None:
    web.cookies.clear()
    response = web.post("/privacy-center", data={"type": "access", "email": EMAIL, "country": "FR"})
    assert response.status_code == 400
    assert "expired" in response.text
