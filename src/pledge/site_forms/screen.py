"""Every check a submission passes before anything is counted or kept: token, honeypot, fields.

Problems are the marked messages (:func:`pledge.i18n.N_`) by field, so the API
answers in English and the page in the reader's language; :func:`worded` fills
in the minimum age.
"""

from __future__ import annotations

from collections.abc import Mapping

from pledge.core import Pledge
from pledge.db.base import utcnow
from pledge.errors import ValidationFailed
from pledge.i18n import Language
from pledge.policy import SiteForm
from pledge.site_forms.intake import Submission, Value, check_submission
from pledge.site_forms.spam import TOKEN_FIELD, token_problem


def screen(pledge: Pledge, form: SiteForm, values: Mapping[str, Value]) -> Submission:
    """The submission, or ValidationFailed naming every field at fault, the token's included."""
    token = values.get(TOKEN_FIELD)
    spam = token_problem(pledge, form.id, token if isinstance(token, str) else "")
    try:
        submission = check_submission(pledge.policy, form, values, utcnow().date())
    except ValidationFailed as exc:
        fields = dict(exc.fields)
        if spam:
            fields[TOKEN_FIELD] = spam
        raise ValidationFailed("the form is not valid", fields=fields) from None
    if spam:
        raise ValidationFailed("the form is not valid", fields={TOKEN_FIELD: spam})
    return submission


def worded(pledge: Pledge, fields: Mapping[str, str], t: Language) -> dict[str, str]:
    """Each problem in ``t``'s language, the policy's minimum age filled in."""
    age = {"age": pledge.policy.minimum_age}
    return {
        name: t.lookup(message) % age if "%(" in message else t.lookup(message)
        for name, message in fields.items()
    }
