"""Collection of personal data under the policy."""

from pledge.records.schemas import HeldRecord, RecordIn, RecordOut, SubjectIn
from pledge.records.service import collect, records_for_email

__all__ = ["HeldRecord", "RecordIn", "RecordOut", "SubjectIn", "collect", "records_for_email"]
