"""The live check of an HTTP system, for ``pledge systems check``.

Why ask the processor: a declaration that names a collection or attribute the
processor does not have would make every export silently miss it and every
erasure report nothing left of it. A signed ``describe`` lists what the
processor holds; each declared name it lacks is an error, and so is a
processor that cannot be reached or refuses the signed request (a wrong
secret), since requests would then wait on it for ever.
"""

from __future__ import annotations

from collections.abc import Mapping

from pledge.connectors.base import SystemMisdeclared, SystemUnavailable
from pledge.connectors.http import http_connector_for
from pledge.connectors.http_wire import unknown_to_processor
from pledge.connectors.spec import SystemSpec
from pledge.policy.schema import Problem

CHECK_SECONDS = 5.0
"""The longest a check waits for a processor, whatever its ``timeout_seconds``."""


def check_http_system(
    system_id: str, spec: SystemSpec, environ: Mapping[str, str]
) -> list[Problem]:
    """Problems found by asking the processor to ``describe`` itself (errors only)."""
    where = f"systems.{system_id}"
    briefly = spec.model_copy(update={"timeout_seconds": min(spec.timeout_seconds, CHECK_SECONDS)})
    try:
        answer = http_connector_for(system_id, briefly, environ).describe()
    except SystemMisdeclared as exc:
        message = str(exc).removeprefix(f"{system_id}: ").removeprefix(f"{where}: ")
        return [Problem(location=where, message=message)]
    except SystemUnavailable as exc:
        if exc.reason == "bad_answer":
            return [Problem(location=where, message="the processor's describe answer is not valid")]
        return [Problem(location=where, message=f"cannot connect ({exc.reason})")]
    return [
        Problem(location=f"{where}.{place}", message=message)
        for place, message in unknown_to_processor(spec, answer)
    ]


__all__ = ["check_http_system"]
