"""The message catalogues are complete and current, and languages are chosen as documented.

- the template ``messages.pot`` holds exactly what the extractor finds in the code and
  templates now (run here, as ``scripts/i18n extract`` runs it): a string marked for
  translation but not extracted fails;
- every shipped language translates every message, none fuzzy, with the same
  ``%(name)s`` placeholders (Babel's own checks), and holds nothing the template lost;
- the choice: an explicit tag, then ``Accept-Language`` by quality, then English.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from pledge.i18n import LOCALES, SOURCE, accepted, choose, language, supported, supported_code

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = LOCALES / "messages.pot"


def _read(path: Path) -> Catalog:
    with path.open("rb") as source:
        return read_po(source)


def _ids(catalogue: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalogue if message.id}


def test_german_ships() -> None:
    assert supported() == ("en", "de")


def test_the_template_holds_what_the_sources_mark_now(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(fresh), str(ROOT)]
    )
    extracted, committed = _ids(_read(fresh)), _ids(_read(TEMPLATE))
    assert extracted, "the extractor found nothing: is babel.cfg's mapping right?"
    assert extracted - committed == set(), "new messages: run scripts/i18n update, translate"
    assert committed - extracted == set(), "messages no longer used: run scripts/i18n update"


@pytest.mark.parametrize("code", [c for c in supported() if c != SOURCE])
def test_every_language_translates_every_message(code: str) -> None:
    template = _ids(_read(TEMPLATE))
    catalogue = _read(LOCALES / code / "LC_MESSAGES" / "messages.po")
    assert _ids(catalogue) == template, "the catalogue is out of step: scripts/i18n update"
    untranslated, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [], f"{code}: no translation for {untranslated}"
    assert fuzzy == [], f"{code}: fuzzy (not used) {fuzzy}"
    problems = [(message.id, errors) for message, errors in catalogue.check() if errors]
    assert problems == [], f"{code}: placeholders differ: {problems}"


def test_a_message_is_translated_with_its_values() -> None:
    german = language("de")
    assert german.gettext("Your verification code is %(code)s", code="12345678") == (
        "Ihr Bestätigungscode lautet 12345678"
    )
    assert german.ngettext("%(num)d month", "%(num)d months", 2) == "2 Monate"
    assert german.date(date(2025, 3, 5)) == "5. März 2025"
    assert language("en").date(date(2025, 3, 5)) == "5 March 2025"
    assert german.lookup("a reason typed by staff, 100% theirs") == (
        "a reason typed by staff, 100% theirs"
    )
    assert german.name == "Deutsch"


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        *[("de", "de"), ("de-AT", "de"), ("de_CH", "de"), ("DE", "de"), ("en-GB", "en")],
        *[("fr", None), ("", None), (None, None), ("de;q=1", None), ("<script>", None)],
        ("x" * 40, None),
    ],
)
def test_tags_are_matched_to_a_shipped_language(tag: str | None, code: str | None) -> None:
    assert supported_code(tag) == code


def test_accept_language_is_read_by_quality_then_order() -> None:
    assert accepted("fr-CH, fr;q=0.9, de;q=0.8, en;q=0.7, *;q=0.5") == [
        "fr-CH",
        "fr",
        "de",
        "en",
    ]
    assert accepted("en;q=0.2, de") == ["de", "en"]
    assert accepted("de;q=0, en;q=nan, fr;q=abc, it") == ["it"]
    assert accepted("de;q=2") == []
    assert accepted(None) == []


def test_explicit_choice_beats_the_browser_which_beats_english() -> None:
    assert choose(["en"], "de") == "en"
    assert choose([None, "de"], "en") == "de"  # the cookie, when no ?lang=
    assert choose(["fr", None], "fr-FR, de;q=0.5") == "de"  # unsupported ones are skipped
    assert choose([None], "fr, it") == SOURCE
    assert choose([], ",,;;q=, de-DE;q=0.9") == "de"
