"""Shapes of collection input and output, shared by the API and the library."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SubjectIn(BaseModel):
    """Who the data is about; e-mail is the key a person later uses to ask for it."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    region: str | None = Field(default=None, max_length=8, description="e.g. CA")

    @field_validator("country", "region")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class RecordIn(BaseModel):
    """One piece of personal data and the purpose it is collected for."""

    model_config = ConfigDict(extra="forbid")

    subject: SubjectIn
    category: str = Field(min_length=1, max_length=64)
    purpose: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=128)
    data: dict[str, Any]


class RecordBatchIn(BaseModel):
    """Bulk import: all records are stored, or none."""

    model_config = ConfigDict(extra="forbid")

    records: list[RecordIn] = Field(min_length=1)


class RecordOut(BaseModel):
    id: str
    subject_id: str
    retain_until: datetime | None
