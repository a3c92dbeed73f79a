"""The conformance report: every promise of the policy, what keeps it, and proof it is kept.

:mod:`~pledge.conformance.discovery` finds the promises in a policy file by a written
rule; :mod:`~pledge.conformance.registry` holds the registry mapping each to its policy
key, code and tests (or ``manual``/``gap``); :mod:`~pledge.conformance.results` reads
the test suite's results file; :mod:`~pledge.conformance.report` puts them together and
:mod:`~pledge.conformance.html` prints it for an auditor.  See docs/conformance.md.
"""

from pledge.conformance.discovery import FoundPromise, find_promises, read_policy_data
from pledge.conformance.html import render_report_html
from pledge.conformance.keys import resolve_key, states
from pledge.conformance.registry import REGISTRY_PATH, PromiseEntry, Registry, load_registry
from pledge.conformance.report import ConformanceReport, build_report
from pledge.conformance.results import (
    RESULTS_ENV,
    Results,
    Status,
    read_results,
    results_path,
)

__all__ = [
    "REGISTRY_PATH",
    "RESULTS_ENV",
    "ConformanceReport",
    "FoundPromise",
    "PromiseEntry",
    "Registry",
    "Results",
    "Status",
    "build_report",
    "find_promises",
    "load_registry",
    "read_policy_data",
    "read_results",
    "render_report_html",
    "resolve_key",
    "results_path",
    "states",
]
