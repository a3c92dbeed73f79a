"""The request page's form for a rectification's corrections: its inputs in, its messages out.

Why a module of its own: the page (:mod:`pledge.web.request_page`) stays a
list of routes, and the form's two halves live together: reading the inputs
(``correction_<field id>``, one per field held) and putting each problem
:func:`pledge.rights.propose` reports beside its input, in the reader's
language. The checks' messages come from collection's type checks, in
English for the API; they are marked here so the catalogue translates them.
"""

from __future__ import annotations

import re

from pledge.errors import PledgeError
from pledge.i18n import N_, Language
from pledge.rights.proposals import FORM

__all__ = ["PREFIX", "problems", "texts"]

PREFIX = "correction_"
"""The name of each value's input: this prefix and the field's id."""
_AGE = re.compile(r"^shows an age under (\d+);")

PROBLEMS = (
    N_("not a valid string"),
    N_("not a valid text"),
    N_("not a valid file"),
    N_("not a valid email"),
    N_("not a valid phone"),
    N_("not a valid url"),
    N_("not a valid country"),
    N_("not a valid date"),
    N_("not a valid datetime"),
    N_("not a valid date of birth"),
    N_("not a valid age"),
    N_("not a valid integer"),
    N_("not a valid number"),
    N_("not a valid boolean"),
    N_("not a valid ip address"),
    N_("must not begin with =, +, -, @, a tab or a line break"),
    N_("not a field of your data that the policy declares"),
)
"""What collection's checks say of a value (:func:`pledge.rights.corrections.problem`)."""
TOO_YOUNG = N_("shows an age under %(age)s; the policy does not collect data of children")


def texts(fields: dict[str, str]) -> dict[str, str]:
    """The typed values by field id (any name: the service refuses one it does not hold)."""
    return {
        name.removeprefix(PREFIX): value
        for name, value in fields.items()
        if name.startswith(PREFIX)
    }


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _words(t: Language, message: str) -> str:
    young = _AGE.match(message)
    if young:
        return _sentence(t.gettext(TOO_YOUNG, age=young.group(1)))
    return _sentence(t.lookup(message))


def problems(t: Language, exc: PledgeError) -> tuple[dict[str, str], str | None]:
    """Messages by field id, and one for the form as a whole, in ``t``."""
    by_field: dict[str, str] = {}
    whole: str | None = None
    for key, message in exc.fields.items():
        if key == FORM:
            whole = _words(t, message)
        else:
            by_field[key.removeprefix(f"{FORM}.")] = _words(t, message)
    if whole is None and not by_field:
        whole = _words(t, exc.message)
    return by_field, whole
