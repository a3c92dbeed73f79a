"""Normalisation of identifiers before they are blind-indexed.

Two spellings of the same e-mail or phone number must give the same index,
or a person asking for their data would not be found.
"""

from __future__ import annotations

import phonenumbers

from pledge.errors import ValidationFailed


def normalise_email(value: str) -> str:
    """Trim and lower-case: people type their address in any case and expect to be found."""
    return value.strip().lower()


def normalise_phone(value: str, country: str | None = None) -> str:
    """E.164 form, so '+1 (833) 694-0076' and '833.694.0076' with country US match."""
    try:
        parsed = phonenumbers.parse(value, (country or "").upper() or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed("phone is not a phone number", fields={"phone": "invalid"}) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationFailed("phone is not a phone number", fields={"phone": "invalid"})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
