"""Shapes of complaint input and answers, shared by the API, the console and the CLI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"


class ComplaintIn(BaseModel):
    """A complaint, as ``POST /api/v1/complaints`` takes it."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
    country: str = Field(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")
    text: str = Field(min_length=1, max_length=10_000)
    language: str | None = Field(
        default=None, max_length=35, pattern=r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$"
    )
    """The language to write to the person in; by default the one the complaint came in."""

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.strip().upper()

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the complaint is empty")
        return value.strip()


class ComplaintAccepted(BaseModel):
    """The 202 answer: the complaint's id and the day it will be answered by."""

    id: str
    state: str
    due_at: datetime


class ComplaintCodeIn(BaseModel):
    """The code mailed to the person, to confirm the complaint is theirs."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=32)


class ComplaintStatus(BaseModel):
    """A complaint as its author sees it after the code: no text, no address."""

    id: str
    state: str
    verified: bool
    due_at: datetime


class ComplaintView(BaseModel):
    """A complaint in the staff queue: no personal data."""

    id: str
    state: str
    method: str
    country: str
    verified: bool
    received_at: datetime
    due_at: datetime
    overdue: bool
    closed_at: datetime | None
    escalated_to: str | None
    escalation_reference: str | None


class ComplaintDetail(ComplaintView):
    """A complaint opened by staff allowed to read it: the person's address, text and answer."""

    email: str
    text: str
    answer: str | None
