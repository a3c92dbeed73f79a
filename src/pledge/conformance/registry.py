"""The promises registry: each promise of the bundled policy, with who keeps it and how.

``promises.yaml`` beside this module holds one entry per promise the rule of
:mod:`pledge.conformance.discovery` finds.  Each names the policy key that states it,
the code that enforces it and the tests that prove it -- or, where only a person can
keep it (a contract, a training), ``manual`` with the reason, or, where Pledge does
not yet keep or prove it, ``gap`` with what is missing.  Saying so beats citing a test
that checks something else.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

REGISTRY_PATH = Path(__file__).with_name("promises.yaml")

TestId = Annotated[str, StringConstraints(pattern=r"^tests/[\w/]+\.py::[\w:\[\]-]+$")]
CodePath = Annotated[str, StringConstraints(pattern=r"^pledge(\.\w+)*(:\w+(\.\w+)*)?$")]
Reason = Annotated[str, StringConstraints(min_length=10, strip_whitespace=True)]


class PromiseEntry(BaseModel):
    """One promise: its sentence, where the policy states it, and what keeps it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    sentence: Annotated[str, StringConstraints(min_length=3)]
    key: Annotated[str, StringConstraints(min_length=1)]
    code: list[CodePath] = []
    tests: list[TestId] = []
    manual: Reason | None = None
    gap: Reason | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _kept_one_way(self) -> Self:
        """Tests, ``manual`` or ``gap``: exactly one says how the promise is kept."""
        ways = [bool(self.tests), self.manual is not None, self.gap is not None]
        if sum(ways) != 1:
            raise ValueError(f"{self.id}: give exactly one of tests, manual or gap")
        if self.tests and not self.code:
            raise ValueError(f"{self.id}: a promise proven by tests names the code keeping it")
        return self


class Registry(BaseModel):
    """Every entry, ids unique."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    promises: list[PromiseEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        seen: set[str] = set()
        for entry in self.promises:
            if entry.id in seen:
                raise ValueError(f"duplicate promise id {entry.id!r}")
            seen.add(entry.id)
        return self

    def by_sentence(self) -> dict[str, PromiseEntry]:
        """Entries keyed by their sentence, whitespace normalised."""
        return {" ".join(entry.sentence.split()): entry for entry in self.promises}


def parse_registry(data: Any) -> Registry:
    """Validate registry data (raises pydantic's ValidationError)."""
    return Registry.model_validate(data)


@cache
def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    """The registry file, validated once per process."""
    return parse_registry(yaml.safe_load(path.read_text(encoding="utf-8")))


def base_test_id(node_id: str) -> str:
    """A node id without its parameters: ``t.py::test_x[sqlite]`` -> ``t.py::test_x``."""
    return re.sub(r"\[.*\]$", "", node_id)
