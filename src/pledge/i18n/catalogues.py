"""The message catalogues: which languages ship, and their translations compiled in memory.

Why compile at start-up from the ``.po`` files rather than ship ``.mo``
files: the ``.po`` is the one file translators and reviewers edit, so a
committed binary beside it could only ever be stale (and a diff nobody can
read); there is no build step in the set-up to produce it either. Compiling
the German catalogue takes a few milliseconds, once per process
(``docs/i18n.md`` has the figure). Fuzzy entries are left out, as ``msgfmt``
leaves them out: a guess is not a translation.
"""

from __future__ import annotations

import functools
import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).resolve().parent.parent / "locales"
"""``<code>/LC_MESSAGES/messages.po`` per language, and the template ``messages.pot``."""

DOMAIN = "messages"
SOURCE = "en"
"""The language the sources are written in: it needs no catalogue."""


def catalogue_path(code: str) -> Path:
    return LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def supported() -> tuple[str, ...]:
    """The source language, then every language with a catalogue, in code order.

    Adding a language is adding its ``.po`` file: nothing else lists them.
    """
    found = sorted(
        entry.name
        for entry in LOCALES.iterdir()
        if entry.is_dir() and catalogue_path(entry.name).is_file() and entry.name != SOURCE
    )
    return (SOURCE, *found)


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a supported language (the identity for the source)."""
    if code == SOURCE:
        return gettext.NullTranslations()
    if code not in supported():
        raise LookupError(f"no catalogue for language {code!r}")
    with catalogue_path(code).open("rb") as source:
        catalogue = read_po(source, locale=code, domain=DOMAIN, abort_invalid=True)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def load_all() -> None:
    """Compile every catalogue now, so a broken one stops the start, not a visitor's page."""
    for code in supported():
        translations(code)
