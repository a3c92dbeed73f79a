"""What the data subject request routes answer, as models for the OpenAPI description.

:mod:`pledge.rights` answers a request's view and the queue with its own
models (:mod:`pledge.rights.views`); the answers it still builds as dicts
(intake, codes, disclosures, packages) get a schema here at the edge, without
changing a byte of what is sent. Timestamps stay
the strings the service wrote, every model lets through fields it does not
name (the service may add some), and the routes leave out fields the
service did not set (``response_model_exclude_unset``), so a key appears in
the JSON exactly when the service put it there.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
"""An ISO 8601 date and time with its offset, as the service wrote it."""


class Answer(BaseModel):
    """Open to fields the rights service adds later; aliases for names Python keeps."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PackageRecord(Answer):
    id: str
    category: str
    purpose: str
    legal_basis: str
    source: str
    collected_at: Timestamp
    retain_until: Timestamp | None
    fields: list[str]
    data: dict[str, Any] | None = None


class PackagePurpose(Answer):
    id: str
    name: str
    legal_basis: str | None


class PackageRecipient(Answer):
    id: str
    name: str
    kind: str | None
    disclosed_at: list[Timestamp] = Field(description="When the log shows it received the data.")


class PackageTransfer(Answer):
    recipient: str
    destination: str
    safeguard: str
    note: str | None


class PackageCategory(Answer):
    id: str
    name: str
    description: str | None
    purposes: list[PackagePurpose]
    legal_basis: list[str]
    sources: list[str]
    collected_sources: list[str]
    recipients: list[PackageRecipient]
    transfers: list[PackageTransfer]
    retention: dict[str, Any] | None
    fields: list[str]
    records: list[PackageRecord] | int = Field(
        description="The records with their values, or only how many when categories are due."
    )


class PackagePeriod(Answer):
    start: Timestamp | None = Field(alias="from")
    to: Timestamp


class ControllerContact(Answer):
    name: str
    contact: str


class Complaint(Answer):
    supervisory_authority: str
    authority_website: str | None = None
    """The official site of the person's own data protection authority, where the policy
    lists one for their country."""
    dispute_resolution: str
    text: str


class RightText(Answer):
    type: str
    description: str


class PackageRights(Answer):
    law: str
    rights: list[RightText]
    complaint: Complaint


class Package(Answer):
    """Art. 15 GDPR / CCPA: the person's data by category, with what they must be told."""

    request_id: str
    type: str
    generated_at: Timestamp
    jurisdiction: str
    level: str
    note: str | None
    period: PackagePeriod
    copy_number: int = Field(alias="copy")
    copy_note: str
    controller: ControllerContact
    categories: list[PackageCategory]
    rights: PackageRights
