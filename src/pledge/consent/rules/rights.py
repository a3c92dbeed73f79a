"""Which records of the rights process stop marketing, and as which fact.

The rights process leaves hashed suppressions (``marketing_suppressions``)
and restrictions (``subject_restrictions``); both readers of the facts (the
send-list filter and the one-person path) fold them through these maps, so
they cannot drift apart.
"""

from __future__ import annotations

SUPPRESSION_FIELDS = {"erasure": "erased_at", "objection": "objected_at"}
"""``marketing_suppressions.reason`` → :class:`Facts` field; every other reason is an opt-out."""

OPTED_OUT = "opted_out_at"


def suppression_field(reason: str) -> str:
    """The :class:`Facts` time field a suppression of this reason sets."""
    return SUPPRESSION_FIELDS.get(reason, OPTED_OUT)


def restriction_kinds(purpose: str) -> dict[str, str]:
    """``subject_restrictions.kind`` values that stop this marketing purpose → Facts field."""
    return {
        "restriction": "restricted",
        f"objection:{purpose}": "objected_at",
        "marketing_opt_out": OPTED_OUT,
        f"consent_withdrawn:{purpose}": OPTED_OUT,
    }
