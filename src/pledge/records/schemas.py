"""Shapes of collection input and output, shared by the API and the library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    RootModel,
    field_validator,
    model_validator,
)

from pledge.validation import parse_model

SITE_FORM_SOURCE = "site form "
"""How a public site form's records begin their ``source`` (then the form's id).

Anyone may type anything, under anyone's address, into a public form: these
records are kept and shown to the person, but never compared with what
someone gives to prove who they are (:mod:`pledge.rights.identity`).
"""


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


class RecordsIn(RootModel[RecordBatchIn | RecordIn]):
    """``POST /api/v1/records``: one record, or ``{"records": [...]}`` for a batch.

    The shape is chosen by the presence of ``records``, then validated as that
    shape alone, so errors name fields as they sit in the body (``subject.email``,
    ``records[3].category``) rather than once per shape it might have been.
    """

    @model_validator(mode="wrap")
    @classmethod
    def _one_shape(cls, value: Any, handler: ModelWrapValidatorHandler[RecordsIn]) -> RecordsIn:
        if isinstance(value, RecordIn | RecordBatchIn):
            return handler(value)
        shape = RecordBatchIn if isinstance(value, dict) and "records" in value else RecordIn
        return handler(parse_model(shape, value))


class RecordBatchOut(BaseModel):
    """The batch's records in the order they were sent."""

    records: list[RecordOut]


@dataclass(frozen=True)
class HeldRecord:
    """A record as held, decrypted: for the person's package and for matching their data."""

    id: str
    category: str
    purpose: str
    legal_basis: str
    source: str
    policy_version: str
    collected_at: datetime
    retain_until: datetime | None
    data: dict[str, Any]
