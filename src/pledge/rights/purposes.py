"""Which purposes a request may name: the choices its form offers and the check intake makes.

Why one module for both: the privacy center offers, for a restriction, an
objection or a withdrawal of consent, the purposes that right can reach in the
person's jurisdiction, and intake refuses (422 naming ``purposes``) any other.
Written once, the form never offers a purpose intake would refuse.

- objection: the purposes resting on legitimate interests there that the policy
  marks objectable, and every marketing purpose (the objection to direct
  marketing is absolute, Art. 21(2) GDPR);
- withdraw_consent: the purposes resting on consent there;
- restriction: every purpose the policy declares.
"""

from __future__ import annotations

from pledge.errors import ValidationFailed
from pledge.policy import Policy, Purpose
from pledge.restrictions import LEGITIMATE_INTERESTS

__all__ = ["PURPOSE_TYPES", "check_purposes", "purpose_choices"]

PURPOSE_TYPES = frozenset({"restriction", "objection", "withdraw_consent"})
"""Request types that may name purposes."""


def purpose_choices(policy: Policy, request_type: str, jurisdiction_id: str) -> list[Purpose]:
    """The purposes a request of this type may name in this jurisdiction, in policy order."""
    if request_type == "objection":
        return [
            p
            for p in policy.purposes
            if p.marketing
            or (p.objectable and policy.legal_basis(p.id, jurisdiction_id) == LEGITIMATE_INTERESTS)
        ]
    if request_type == "withdraw_consent":
        return [
            p for p in policy.purposes if policy.legal_basis(p.id, jurisdiction_id) == "consent"
        ]
    if request_type == "restriction":
        return list(policy.purposes)
    return []


def check_purposes(
    policy: Policy, request_type: str, jurisdiction_id: str, purposes: list[str] | None
) -> list[str] | None:
    """The named purposes, deduplicated and sorted; 422 naming ``purposes`` when one is refused.

    None when the request names none (it then covers every purpose its right
    reaches, as a request made before the field existed does).
    """
    if purposes is None:
        return None
    if request_type not in PURPOSE_TYPES:
        raise ValidationFailed(
            "only a restriction, objection or withdrawal of consent names purposes",
            fields={"purposes": "not for this request type"},
        )
    allowed = {p.id for p in purpose_choices(policy, request_type, jurisdiction_id)}
    named = sorted({p.strip() for p in purposes if p.strip()})
    if not named:
        raise ValidationFailed(
            "name at least one purpose", fields={"purposes": "choose at least one purpose"}
        )
    choices = ", ".join(sorted(allowed))
    if any(p not in allowed for p in named):
        raise ValidationFailed(
            "a named purpose is not one this right reaches in your place",
            fields={"purposes": f"not a purpose you can name here; choose from: {choices}"},
        )
    return named
