"""The policy as JSON: the same single source as the HTML page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from pledge.policy import policy_to_json
from pledge.web.deps import PledgeDep

router = APIRouter()


@router.get("/api/v1/policy")
def policy_json(pledge: PledgeDep) -> dict[str, Any]:
    return policy_to_json(pledge.policy)
