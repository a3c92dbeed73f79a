"""Which records of the rights process stop marketing, and as which fact.

The rights process leaves hashed suppressions (``marketing_suppressions``)
and restrictions (``subject_restrictions``, kinds named once in
:mod:`pledge.restrictions`, whose :func:`~pledge.restrictions.marketing_stops`
is ``restriction_kinds`` here); both readers of the facts (the
send-list filter and the one-person path) fold them through these maps, so
they cannot drift apart.
"""

from __future__ import annotations

from pledge.restrictions import marketing_stops as restriction_kinds

__all__ = ["OPTED_OUT", "SUPPRESSION_FIELDS", "restriction_kinds", "suppression_field"]

SUPPRESSION_FIELDS = {"erasure": "erased_at", "objection": "objected_at"}
"""``marketing_suppressions.reason`` → :class:`Facts` field; every other reason is an opt-out."""

OPTED_OUT = "opted_out_at"


def suppression_field(reason: str) -> str:
    """The :class:`Facts` time field a suppression of this reason sets."""
    return SUPPRESSION_FIELDS.get(reason, OPTED_OUT)
