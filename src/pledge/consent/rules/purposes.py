"""Which marketing purpose a call means, and whether it uses the channel named."""

from __future__ import annotations

from pledge.errors import ValidationFailed
from pledge.policy import Policy, Purpose


def marketing_purpose(policy: Policy, purpose_id: str | None, channel: str | None) -> Purpose:
    """The marketing purpose meant (the only one when not named), checked for the channel.

    A policy with one marketing purpose lets callers leave it out; with
    several, guessing could send the wrong list, so it must be named.
    """
    marketing = policy.marketing_purposes
    if purpose_id is None:
        if len(marketing) != 1:
            raise ValidationFailed(
                "name the marketing purpose", fields={"purpose": "required by this policy"}
            )
        purpose = marketing[0]
    else:
        found = policy.purpose(purpose_id)
        if found is None or not found.marketing:
            raise ValidationFailed(
                "not a marketing purpose", fields={"purpose": "not a marketing purpose"}
            )
        purpose = found
    if channel is not None and channel not in purpose.channels:
        raise ValidationFailed(
            "this purpose does not use this channel",
            fields={"channel": f"one of {', '.join(purpose.channels)}"},
        )
    return purpose
