"""The privacy center in headless Chromium: German for a German browser, English by keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import LiveApp


@pytest.fixture
def german(browser: Any) -> Iterator[Any]:
    """A browser profile whose language is German (its Accept-Language says ``de-DE``)."""
    ctx = browser.new_context(locale="de-DE")
    try:
        yield ctx
    finally:
        ctx.close()


def focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e.tagName, text: e.textContent.trim(), lang: e.lang || '',"
            " outline: getComputedStyle(e).outlineStyle}; }"
        )
    )


def test_a_german_browser_reads_german_and_switches_to_english_with_the_keyboard(
    german: Any, live_app: LiveApp
) -> None:
    page = german.new_page()
    page.goto(f"{live_app.url}/privacy-center?country=DE")
    assert page.evaluate("navigator.language") == "de-DE"
    assert page.get_attribute("html", "lang") == "de"
    assert page.inner_text("h1") == "Datenschutz-Center"
    assert page.get_by_label("Ihre E-Mail-Adresse (dorthin senden wir den Code)").count() == 1
    assert page.get_by_role("navigation", name="Sprache").count() == 1

    for _ in range(10):  # the switcher comes first: a few presses of Tab at most
        page.keyboard.press("Tab")
        if focused(page)["text"] == "English":
            break
    now = focused(page)
    assert now == {"tag": "A", "text": "English", "lang": "en", "outline": "solid"}
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "Privacy center"
    assert page.get_by_label("Your e-mail address (we send the code there)").count() == 1
    assert page.locator("#where-country").input_value() == "DE"  # the same page, kept
    cookie = next(c for c in german.cookies() if c["name"] == "pledge_lang")
    assert (cookie["value"], cookie["sameSite"], cookie["httpOnly"]) == ("en", "Lax", True)

    page.goto(f"{live_app.url}/privacy-center")  # remembered, though the browser says German
    assert page.get_attribute("html", "lang") == "en"
