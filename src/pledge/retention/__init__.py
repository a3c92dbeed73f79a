"""Retention: removing what the policy no longer lets Pledge keep (issue #13, item 1).

``pledge retention run`` and the daily ``retention`` task call
:func:`run_retention`; ``docs/operations.md`` says what goes when.
"""

from pledge.retention.batches import BATCH
from pledge.retention.report import RetentionReport
from pledge.retention.run import run_retention

__all__ = ["BATCH", "RetentionReport", "run_retention"]
