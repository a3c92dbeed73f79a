"""What every answer of the API must be, as schemathesis checks: shared by
``tests/web/test_schemathesis.py`` and ``benchmarks/schemathesis_run.py``.

schemathesis brings its own checks (no 5xx, answers that match the OpenAPI
description); these add Pledge's rule for errors: every 4xx is JSON of the one
shape ``{"error": {"code", "message", "fields"?}}``, and a refused input (422, or
400) names the field at fault in ``fields``, never its value.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, Response

ERROR_KEYS = {"code", "message", "fields"}
NAMES_A_FIELD = (400, 422)


def error_problem(status: int, content_type: str, text: str) -> str | None:
    """What is wrong with a 4xx answer, or None when it has Pledge's error shape."""
    if not 400 <= status < 500:
        return None
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        return f"{status} is not JSON ({content_type or 'no content-type'})"
    try:
        body: Any = json.loads(text)
    except ValueError:
        return f"{status} does not parse as JSON"
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return f'{status} is not {{"error": {{...}}}}'
    error = body["error"]
    if not set(error) <= ERROR_KEYS:
        return f"{status} error has unexpected keys {sorted(set(error) - ERROR_KEYS)}"
    for key in ("code", "message"):
        if not isinstance(error.get(key), str) or not error[key]:
            return f"{status} error has no {key}"
    fields = error.get("fields")
    if fields is not None and not (
        isinstance(fields, dict)
        and fields
        and all(isinstance(k, str) and k and isinstance(v, str) for k, v in fields.items())
    ):
        return f"{status} error fields is not a non-empty map of names to messages"
    if status in NAMES_A_FIELD and not fields:
        return f"{status} error names no field"
    return None


@schemathesis.check
def pledge_error_shape(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """A 4xx is JSON ``{"error": {"code", "message", "fields"?}}``; a 400 or 422 names a field."""
    content_type = ",".join(
        value
        for name, values in response.headers.items()
        if name.lower() == "content-type"
        for value in values
    )
    problem = error_problem(response.status_code, content_type, response.text)
    if problem is not None:
        raise AssertionError(f"{problem}: {response.text[:300]}")
    return None
