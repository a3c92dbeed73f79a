"""The connected-systems file (``PLEDGE_SYSTEMS``): what lives where, and what erasure does.

Why a declaration rather than discovery: a connector may read and write only
what the file names (tables, columns, references), so a typo can never make
it touch an undeclared column, and ``pledge systems check`` can hold the file
against the policy (every category declared, every recipient named) and
against each live system before a request depends on it.

Names of tables and columns are plain SQL identifiers (letters, digits,
underscores): they are quoted by SQLAlchemy, never pasted into SQL, and the
pattern keeps the file from naming anything exotic. Connection secrets are
never in the file: ``url_env`` and ``secret_env`` name environment variables.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SqlName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
"""A table or column name: quoted by SQLAlchemy, never formatted into SQL."""

SystemId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]

EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]{0,127}$")]

IdentityKind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
"""``email`` and ``phone`` are the kinds a request starts from (normalised as
Pledge normalises them); any other kind (``shop_customer_id``) is found on the
way, in a row, and carried to the collections and systems that name it."""

START_KINDS = ("email", "phone")


class Erase(StrEnum):
    """What erasure does to a personal field."""

    NULL = "null"
    MASK = "mask"
    """Overwrite with :attr:`FieldSpec.mask` (a fixed placeholder), for NOT NULL columns."""
    DELETE = "delete"
    """Delete the whole row (its other fields go with it)."""
    KEEP = "keep"
    """Keep it, for the :attr:`FieldSpec.reason` given; listed to the person as an exception."""


class SystemKind(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    SQLITE = "sqlite"
    HTTP = "http"


SQL_KINDS = frozenset({SystemKind.POSTGRESQL, SystemKind.MYSQL, SystemKind.SQLITE})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Model):
    """One personal field (a column, or an HTTP system's attribute)."""

    category: str
    """The policy category the value belongs to."""
    erase: Erase = Erase.NULL
    reason: str | None = None
    """Why a ``keep`` field is kept (shown to the person); required for ``keep``."""
    mask: str = "[erased]"
    """The placeholder a ``mask`` field is overwritten with."""
    field: str | None = None
    """The policy field this column holds (``email``, ``phone``…), for rectification;
    defaults to the column's own name."""

    def policy_field(self, column: str) -> str:
        """The policy field this column holds: ``field``, or the column's own name."""
        return self.field or column

    @model_validator(mode="after")
    def _keep_has_reason(self) -> FieldSpec:
        if self.erase is Erase.KEEP and not (self.reason or "").strip():
            raise ValueError("a field erased by 'keep' needs a 'reason'")
        return self


class Restriction(_Model):
    """How to mark a row restricted (a flag column), when the system has one."""

    column: SqlName
    value: bool | int | str = True


class CollectionSpec(_Model):
    """A table (or an HTTP system's record type) holding personal data."""

    primary_key: SqlName
    identity: dict[IdentityKind, SqlName] = {}
    """Identity kind -> the column that holds it; rows are found by these."""
    references: dict[SqlName, str] = {}
    """Column -> ``collection.column`` it points to; rows are reached through these."""
    fields: dict[SqlName, FieldSpec] = {}
    restriction: Restriction | None = None

    @model_validator(mode="after")
    def _references_shape(self) -> CollectionSpec:
        for column, target in self.references.items():
            parts = target.split(".")
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"references.{column}: give 'collection.column'")
        return self

    def target_of(self, column: str) -> tuple[str, str]:
        """The (collection, column) a reference column points to."""
        collection, target = self.references[column].split(".")
        return collection, target


HandOverKind = Literal["background_check", "employee_record"]
"""What a hand-over is for: an application sent to the background-check processor, or a
hired applicant's application written into the employee-record system."""

HandOverSource = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]{0,62}(\.(content|filename|media_type|sha256|size))?$"),
]
"""A field of the application (``name``), or a part of a file field (``resume.content``:
its bytes; ``resume.filename``, ``.media_type``, ``.sha256``, ``.size``)."""


class HandOver(_Model):
    """Where a system takes applications, one per application.

    An SQL database: a ``table`` with a ``reference`` column, one row per application, and
    only the columns named here written. A processor's API (``http``): the protocol's
    ``hand_over`` action, carrying Pledge's application id as its reference and only the
    attributes named here (no ``table``, no ``reference``: the processor keeps them its way).
    """

    table: SqlName | None = None
    """SQL kinds: the table applications are written into."""
    reference: SqlName | None = None
    """SQL kinds: the column that receives Pledge's application id: a second hand-over of
    the same application finds its row and writes nothing (give it a unique index)."""
    columns: Annotated[dict[SqlName, HandOverSource], Field(min_length=1)]
    """Column (an ``http`` system: the processor's attribute) -> the application field
    (or file part) it receives."""

    @model_validator(mode="after")
    def _reference_apart(self) -> HandOver:
        if self.reference is not None and self.reference in self.columns:
            raise ValueError("the reference column cannot also receive a field")
        return self


class SystemSpec(_Model):
    """One connected system: a database, or a processor's API."""

    kind: SystemKind
    url_env: EnvName
    """The environment variable holding its SQLAlchemy URL (or, for ``http``, its base URL)."""
    secret_env: EnvName | None = None
    """``http`` only: the environment variable holding the shared signing secret."""
    recipient: str | None = None
    """The policy recipient this system is (a processor's API); told of erasures etc."""
    name: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """Total deadline of one connection attempt and its work."""
    collections: dict[SqlName, CollectionSpec]
    hand_over: dict[HandOverKind, HandOver] = {}
    """Where recruiting hands applications over (``docs/recruiting.md``)."""

    @model_validator(mode="after")
    def _http_has_secret(self) -> SystemSpec:
        if self.kind is SystemKind.HTTP and self.secret_env is None:
            raise ValueError("an http system needs 'secret_env' (its signing secret)")
        for kind, target in self.hand_over.items():
            placed = (target.table is not None, target.reference is not None)
            if self.kind is SystemKind.HTTP and any(placed):
                raise ValueError(
                    f"hand_over.{kind}: an http system takes hand-overs by the protocol's "
                    "'hand_over' action: give 'columns' only (no 'table' or 'reference')"
                )
            if self.kind is not SystemKind.HTTP and not all(placed):
                raise ValueError(
                    f"hand_over.{kind}: a database takes hand-overs into a 'table', "
                    "with a 'reference' column: give both"
                )
        return self


class SystemsFile(_Model):
    """The whole file."""

    systems: dict[SystemId, SystemSpec] = {}

    @model_validator(mode="after")
    def _one_receiver_per_hand_over(self) -> SystemsFile:
        seen: set[str] = set()
        for system in self.systems.values():
            for kind in system.hand_over:
                if kind in seen:
                    raise ValueError(f"more than one system takes the hand-over {kind!r}")
                seen.add(kind)
        return self

    def receiver(self, kind: str) -> tuple[str, SystemSpec, HandOver] | None:
        """The system that takes hand-overs of ``kind``, its declaration and table."""
        for system_id, system in self.systems.items():
            found = system.hand_over.get(kind)  # type: ignore[call-overload]
            if found is not None:
                return system_id, system, found
        return None


__all__ = [
    "SQL_KINDS",
    "START_KINDS",
    "CollectionSpec",
    "Erase",
    "FieldSpec",
    "HandOver",
    "HandOverKind",
    "Restriction",
    "SystemKind",
    "SystemSpec",
    "SystemsFile",
]
