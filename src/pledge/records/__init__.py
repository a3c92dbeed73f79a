"""Collection of personal data under the policy."""

from pledge.records.schemas import RecordIn, RecordOut, SubjectIn
from pledge.records.service import collect, records_for_email

__all__ = ["RecordIn", "RecordOut", "SubjectIn", "collect", "records_for_email"]
