"""The privacy policy as code: schema, loading with ``file:line`` problems, checks, rendering.

A policy YAML file is the single source of truth. :func:`load_policy` turns
it into a frozen :class:`Policy` (or raises :class:`PolicyError` listing every
problem); :func:`check_policy_file` lists problems without raising; the
``render_*`` functions derive the public page and the GDPR Art. 30 record.
"""

from pledge.policy.checks import PRIVACY_SHIELD_WARNING, run_checks
from pledge.policy.durations import (
    Duration,
    add_business_days,
    add_duration,
    is_iso_duration,
    parse_iso_duration,
)
from pledge.policy.loader import (
    PolicyError,
    analyse_policy_file,
    bundled_policy_path,
    check_policy_file,
    content_digest,
    load_policy,
    load_yaml_model,
)
from pledge.policy.render import (
    ROPA_COLUMNS,
    policy_to_json,
    render_html,
    render_markdown,
    render_ropa_csv,
)
from pledge.policy.schema import (
    Address,
    Category,
    Controller,
    Cookie,
    DisputeResolution,
    Field,
    FieldType,
    Jurisdiction,
    LegalBasis,
    Office,
    Policy,
    PolicyDocument,
    PrivacyShieldPrinciple,
    Problem,
    Purpose,
    Recipient,
    Retention,
    Right,
    RightType,
    Security,
    Statement,
    Statements,
    Transfer,
    Transfers,
)

__all__ = [
    "PRIVACY_SHIELD_WARNING",
    "ROPA_COLUMNS",
    "Address",
    "Category",
    "Controller",
    "Cookie",
    "DisputeResolution",
    "Duration",
    "Field",
    "FieldType",
    "Jurisdiction",
    "LegalBasis",
    "Office",
    "Policy",
    "PolicyDocument",
    "PolicyError",
    "PrivacyShieldPrinciple",
    "Problem",
    "Purpose",
    "Recipient",
    "Retention",
    "Right",
    "RightType",
    "Security",
    "Statement",
    "Statements",
    "Transfer",
    "Transfers",
    "add_business_days",
    "add_duration",
    "analyse_policy_file",
    "bundled_policy_path",
    "check_policy_file",
    "content_digest",
    "is_iso_duration",
    "load_policy",
    "load_yaml_model",
    "parse_iso_duration",
    "policy_to_json",
    "render_html",
    "render_markdown",
    "render_ropa_csv",
    "run_checks",
]
