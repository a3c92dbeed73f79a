"""``pledge systems check``: the connected-systems file against the policy and each live system.

Two passes, because they fail for different reasons and at different times:
:func:`check_systems` needs only the policy, the file and the environment
(so it runs in CI and on the console page); :func:`check_live` connects to
each system with a short deadline and reads its catalogue. Errors make the
file unusable; warnings (a column the policy does not list, a missing index)
are printed and allowed. Every message names keys, ids, classes and
environment variables, never a value or a URL.
"""

from __future__ import annotations

from collections.abc import Mapping

from pledge.connectors.check_sql import check_sql_system
from pledge.connectors.check_static import check_static
from pledge.connectors.http_check import check_http_system
from pledge.connectors.load import Locate, dotted
from pledge.connectors.spec import SQL_KINDS, SystemKind, SystemsFile
from pledge.policy import Policy, Problem


def check_systems(
    policy: Policy, systems: SystemsFile, environ: Mapping[str, str], locate: Locate = dotted
) -> list[Problem]:
    """Every problem found without connecting: the policy, the file itself, the environment."""
    return check_static(policy, systems, environ, locate)


def check_live(
    systems: SystemsFile, environ: Mapping[str, str], locate: Locate = dotted
) -> list[Problem]:
    """Connect to each system whose URL is set and hold what it has against the file.

    A system whose variable is unset is skipped here (:func:`check_systems` reports it).
    """
    problems: list[Problem] = []
    for system_id, spec in systems.systems.items():
        raw_url = environ.get(spec.url_env, "").strip()
        if not raw_url:
            continue
        if spec.kind in SQL_KINDS:
            problems += check_sql_system(system_id, spec, raw_url, locate)
        elif spec.kind is SystemKind.HTTP:
            problems += check_http_system(system_id, spec, environ)  # a signed ``describe``
    return problems


def has_errors(problems: list[Problem]) -> bool:
    """Whether any problem makes the file unusable (warnings do not)."""
    return any(problem.severity == "error" for problem in problems)


__all__ = ["check_live", "check_systems", "has_errors"]
