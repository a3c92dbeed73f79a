"""Languages for what people read: the privacy center, the request pages, the banner, mail.

Messages are written in English in the code and templates, marked for
translation, extracted into ``locales/messages.pot`` and translated in
``locales/<code>/LC_MESSAGES/messages.po`` (``docs/i18n.md`` says how). This
package sits low in the layer map, beside the settings, so every part that
writes to a person (rights mail, consent pages, the web) can use it; it
imports nothing else of Pledge.
"""

from pledge.i18n.catalogues import LOCALES, SOURCE, load_all, supported
from pledge.i18n.choice import accepted, choose, supported_code
from pledge.i18n.language import N_, Language, language, source_language

__all__ = [
    "LOCALES",
    "N_",
    "SOURCE",
    "Language",
    "accepted",
    "choose",
    "language",
    "load_all",
    "source_language",
    "supported",
    "supported_code",
]
