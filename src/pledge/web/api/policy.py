"""The policy as JSON: the same single source as the HTML page."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from pledge.policy import Policy
from pledge.policy.schema import PolicyDocument, Right
from pledge.web.deps import PledgeDep

router = APIRouter(tags=["policy"])


class PolicyOut(PolicyDocument):
    """The policy document, with its digest, its rights by jurisdiction and its warnings.

    The same JSON as :func:`pledge.policy.policy_to_json`, typed by the policy's own models.
    """

    digest: str = Field(description="SHA-256 of the policy text; records cite it.")
    rights: dict[str, list[Right]] = Field(description="Each jurisdiction's rights, by its id.")
    warnings: list[str] = Field(description="Problems that do not stop the policy loading.")


def policy_out(policy: Policy) -> PolicyOut:
    document = {name: getattr(policy, name) for name in PolicyDocument.model_fields}
    return PolicyOut(
        **document,
        digest=policy.digest,
        rights={j.id: list(j.rights) for j in policy.jurisdictions},
        warnings=[str(problem) for problem in policy.warnings],
    )


@router.get("/api/v1/policy")
def policy_json(pledge: PledgeDep) -> PolicyOut:
    return policy_out(pledge.policy)
