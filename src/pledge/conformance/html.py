"""The conformance report as one printable HTML document, with no external assets."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from pledge.conformance.report import ConformanceReport

_ENV = Environment(
    loader=PackageLoader("pledge.conformance", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_report_html(report: ConformanceReport) -> str:
    """The report a privacy officer hands an auditor: totals first, then every promise."""
    return _ENV.get_template("report.html").render(report=report)
