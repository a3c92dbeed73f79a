"""A person is told of the data protection authority of their own country, never the FTC.

The policy keeps a table of the authorities of the EEA countries, Switzerland
and the United Kingdom; a French person's package, denial mail and request
page name the CNIL, a Californian's the authority the company answers to.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from pledge import rights
from pledge.core import Pledge
from pledge.jobs import deliver_outbox
from pledge.policy import Policy, bundled_policy_path, load_policy
from tests.integration.smtp_server import SmtpServer
from tests.rights.conftest import EMAIL, PHONE, ask, collect, confirm, mailed_code
from tests.rights.test_request_page import mailed, sign_in
from tests.web.conftest import auth

FTC = "Federal Trade Commission"
CNIL = "Commission Nationale de l'Informatique et des Libertés (CNIL)"


def bundled() -> Policy:
    return load_policy(bundled_policy_path())


def test_every_country_with_the_right_to_complain_has_its_own_authority() -> None:
    policy = bundled()
    for jurisdiction_id in ("eu", "uk", "ch"):
        jurisdiction = policy.jurisdiction(jurisdiction_id)
        assert jurisdiction is not None
        for country in jurisdiction.countries:
            found = policy.authority_for(country)
            assert found is not None, country
            assert found.website.startswith("https://"), country
            assert FTC not in policy.complaint_authority(country)
    assert policy.complaint_authority("fr") == f"{CNIL} (https://www.cnil.fr)"
    assert policy.authority_for("GB") is not None
    assert FTC in policy.complaint_authority("US")
    assert FTC in policy.complaint_authority(None)


def _package(
    web: TestClient, mailer: Pledge, smtp: SmtpServer, **where: Any
) -> tuple[dict[str, Any], str]:
    """The package's complaint section (JSON) and the package as a page."""
    request = ask(web, match={"phone": PHONE}, **where)
    done = confirm(web, request, mailed_code(mailer, smtp))
    assert done["status"] == "completed", done
    url, headers = f"/api/v1/requests/{request['id']}/package", auth(request["token"])
    response = web.get(url, headers=headers)
    assert response.status_code == 200, response.text
    page = web.get(url, params={"format": "html"}, headers=headers)
    assert page.status_code == 200, page.text
    complaint: dict[str, Any] = response.json()["rights"]["complaint"]
    return complaint, page.text


def test_a_french_package_names_the_cnil(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    complaint, page = _package(web, mailer, smtp)
    assert complaint["supervisory_authority"] == CNIL
    assert complaint["authority_website"] == "https://www.cnil.fr"
    assert '<a href="https://www.cnil.fr">' in page
    assert FTC not in page


def test_a_californian_package_names_the_ftc(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key, country="US", region="CA")
    complaint, page = _package(web, mailer, smtp, country="US", region="CA")
    assert FTC in complaint["supervisory_authority"]
    assert complaint["authority_website"] is None
    assert FTC in page


def _denial_mail(mailer: Pledge, smtp: SmtpServer) -> str:
    deliver_outbox(mailer)
    denials = [m.body for m in smtp.messages_to(EMAIL) if "could not carry out" in m.body]
    assert denials
    return denials[-1]


def test_a_french_denial_and_its_page_name_the_cnil(
    mailer: Pledge, smtp: SmtpServer, web: TestClient, system_key: str
) -> None:
    collect(web, system_key)
    request = ask(web, type="rectification", match={"phone": PHONE})
    code, path = mailed(mailer, smtp)
    sign_in(web, path, code)
    rights.deny(mailer, request["id"], "the record is accurate", actor="staff")
    body = _denial_mail(mailer, smtp)
    assert CNIL in body
    assert "https://www.cnil.fr" in body
    assert FTC not in body
    page = web.get(path)
    assert "If you disagree, you may complain" in page.text
    assert "https://www.cnil.fr" in page.text
    assert FTC not in page.text


def test_a_californian_denial_names_the_ftc(
    mailer: Pledge, smtp: SmtpServer, web: TestClient
) -> None:
    request = ask(web, country="US", region="CA")
    rights.deny(mailer, request["id"], "identity not verified", actor="staff")
    body = _denial_mail(mailer, smtp)
    assert FTC in body
    assert "cnil" not in body.lower()
