"""Where marketing needs consent first: the policy's opt-in jurisdictions for a purpose."""

from __future__ import annotations

from pledge.policy import Policy


def opt_in_jurisdictions(policy: Policy, purpose: str) -> frozenset[str]:
    """Jurisdictions where this purpose needs consent before any message.

    Either the jurisdiction asks for opt-in marketing (EU/EEA, UK,
    Switzerland), or the policy names consent as the purpose's legal basis there.
    """
    return frozenset(
        j.id
        for j in policy.jurisdictions
        if j.opt_in_marketing or policy.legal_basis(purpose, j.id) == "consent"
    )
