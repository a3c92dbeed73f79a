"""``/forms/{id}``: the server-rendered form, in English and German, messages by the field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pledge.core import Pledge
from tests.site_forms.helpers import NOTHING, careers, contact, counts, pdf


def test_the_contact_page_has_labels_the_notice_and_the_child_report_link(
    client: TestClient,
) -> None:
    page = client.get("/forms/contact?country=FR")
    assert page.status_code == 200
    assert '<label for="email">Your e-mail address</label>' in page.text
    assert "/privacy-center/child-report?country=FR" in page.text
    assert 'name="birth_year"' in page.text
    assert 'id="marketing_opt_in" name="marketing_opt_in" type="checkbox" value="on">' in page.text
    us = client.get("/forms/contact?country=US")
    assert 'name="marketing_opt_in" type="checkbox" value="on" checked' in us.text
    assert client.get("/forms/nope").status_code == 404


def test_the_page_in_german(client: TestClient) -> None:
    page = client.get("/forms/contact", headers={"Accept-Language": "de"})
    assert "<h1>Kontakt</h1>" in page.text
    assert "Ihre E-Mail-Adresse" in page.text
    assert "Das Jahr Ihrer Geburt" in page.text


def test_a_bad_field_gets_its_message_beside_it_and_nothing_is_stored(
    client: TestClient, pledge: Pledge
) -> None:
    page = client.post("/forms/contact", data=contact(pledge, email="nope"))
    assert page.status_code == 422
    assert 'id="email-error"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert "Please send me your prices." in page.text
    assert counts(pledge) == NOTHING


def test_a_careers_application_with_a_resume_from_the_page(
    client: TestClient, pledge: Pledge
) -> None:
    page = client.post(
        "/forms/careers",
        data=careers(pledge),
        files={"resume": ("cv.pdf", pdf(), "application/pdf")},
    )
    assert page.status_code == 201, page.text
    assert "we received your form" in page.text
    assert counts(pledge)["records"] == 1


def test_the_embeddable_script_is_first_party(client: TestClient) -> None:
    script = client.get("/static/forms.js")
    assert script.status_code == 200
    assert "/api/v1/forms/" in script.text
    assert "https://" not in script.text.replace("https://PLEDGE-HOST", "")


def test_the_page_runs_only_the_banner_and_the_held_back_beacon_of_this_origin(
    client: TestClient,
) -> None:
    """Scripts of this origin only, none inline; the beacon inert until the banner runs it."""
    page = client.get("/forms/newsletter?country=FR")
    policy = page.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert "unsafe" not in policy
    scripts = re.findall(r"<script[^>]*>.*?</script>", page.text, flags=re.S)
    assert scripts == [
        '<script src="/consent.js" defer></script>',
        '<script type="text/plain" data-pledge-category="analytics" src="/static/beacon.js">'
        "</script>",
    ]
    assert '<form id="newsletter" method="post" action="/forms/newsletter"' in page.text
    assert "data-pledge-open-settings" in page.text


def test_the_confirmation_page_still_runs_no_script(client: TestClient) -> None:
    page = client.get("/forms/confirm/nothing.such")
    assert "script-src" not in page.headers["content-security-policy"]
