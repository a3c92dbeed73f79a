"""A language to speak to one person in: translated words, numbers and dates.

Python code that writes to a person takes a :class:`Language` and asks it
for every sentence, so the words are extracted into the catalogues
(``pybabel extract`` knows ``gettext``/``ngettext`` calls, on any object)
and the answer is in that person's language:

    t = language("de")
    t.gettext("We will answer by %(day)s.", day=t.date(due_at))

Formatting is the one Jinja2's "newstyle" gettext uses in templates, so a
translator sees one convention everywhere: named ``%(name)s`` placeholders,
always applied, so a literal percent sign is written ``%%``.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.core import Locale
from babel.dates import format_date
from babel.lists import format_list

from pledge.i18n.catalogues import SOURCE, supported, translations


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Mark a constant for extraction without translating it yet; see :meth:`Language.lookup`."""
    return message


@dataclass(frozen=True, eq=False)
class Language:
    """One supported language and its catalogue."""

    code: str
    catalogue: gettext.NullTranslations

    @property
    def name(self) -> str:
        """The language's name in itself ("Deutsch"), for a language switcher."""
        return str(Locale.parse(self.code).get_display_name(self.code))

    def gettext(self, message: str, /, **values: Any) -> str:
        """The translation of ``message`` with ``values`` put in its ``%(name)s`` places."""
        return self.catalogue.gettext(message) % values

    def ngettext(self, singular: str, plural: str, count: int, /, **values: Any) -> str:
        """Singular or plural by the language's own rules; ``%(num)d`` is the count."""
        values.setdefault("num", count)
        return self.catalogue.ngettext(singular, plural, count) % values

    def lookup(self, message: str) -> str:
        """The translation of a constant marked with :func:`N_`, unformatted.

        Text that is not in the catalogue (a reason typed by staff, say) comes
        back as it is, so a message from either source can go through here.
        """
        return self.catalogue.gettext(message)

    def date(self, value: date | datetime) -> str:
        """A day as people write it in this language ("5 March 2025", "5. März 2025")."""
        day = value.date() if isinstance(value, datetime) else value
        return str(format_date(day, format="long", locale=self._date_locale))

    def join(self, parts: Sequence[str]) -> str:
        """``["2 years", "3 months"]`` as "2 years and 3 months", in this language."""
        return str(format_list(list(parts), locale=self.code))

    @property
    def _date_locale(self) -> str:
        # English as written in Europe (day month year): the privacy center's visitors
        # are mostly not in the US, and "5 March 2025" cannot be misread anywhere.
        return "en_GB" if self.code == SOURCE else self.code


@functools.cache
def language(code: str) -> Language:
    """The :class:`Language` of a supported code (LookupError for any other)."""
    if code not in supported():
        raise LookupError(f"unsupported language {code!r}")
    return Language(code, translations(code))


def source_language() -> Language:
    """English, the language Pledge is written in and falls back to."""
    return language(SOURCE)
