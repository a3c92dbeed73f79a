"""The policy as JSON: the same single source as the HTML page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pledge.announcements import publication, publications
from pledge.errors import NotFound
from pledge.policy import Policy
from pledge.policy.schema import PolicyDocument, Right
from pledge.web.deps import PledgeDep
from pledge.web.openapi import errors

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


class PolicyVersionOut(BaseModel):
    """One publication of the policy: its stable number, the dates it was in force, its changes."""

    number: int = Field(
        description="Stable: /policy/versions/{number} shows this version for good."
    )
    version: str = Field(description="The version the policy text declares.")
    digest: str
    effective_from: datetime
    effective_until: datetime | None = Field(description="None for the version in force.")
    material: bool = Field(
        description="A new purpose or recipient, or longer retention: everyone was mailed."
    )
    changes: dict[str, Any] | None = Field(
        description="What changed from the version before (None for the first): per section "
        "added/removed/changed ids, retention longer/shorter/changed, rights, cookies, reasons."
    )


class PolicyVersionsOut(BaseModel):
    versions: list[PolicyVersionOut]


class PolicyVersionTextOut(PolicyVersionOut):
    policy: dict[str, Any] = Field(description="The whole policy as it was then (its JSON).")


@router.get("/api/v1/policy/versions")
def policy_versions(pledge: PledgeDep) -> PolicyVersionsOut:
    with pledge.sessions() as session:
        found = publications(session)
    return PolicyVersionsOut(versions=[PolicyVersionOut(**item) for item in found])


@router.get("/api/v1/policy/versions/{number}", responses=errors(404))
def policy_version(pledge: PledgeDep, number: int) -> PolicyVersionTextOut:
    with pledge.sessions() as session:
        found = publication(session, number)
    if found is None:
        raise NotFound("no such policy version")
    return PolicyVersionTextOut(**found)
