"""Checks of the connected-systems file against the policy and against itself (no connection).

Why before any request: a field naming a category the policy does not have
would put data in a package under no heading; a collection no e-mail or phone
leads to is one no request ever reaches, so its data would silently survive
every erasure. Each check is a function ``(…, locate) -> list[Problem]``;
messages name keys, ids and environment variables, never a value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pledge.connectors.load import Locate
from pledge.connectors.spec import START_KINDS, CollectionSpec, SystemKind, SystemsFile
from pledge.policy import Policy, Problem
from pledge.policy.checks import Loc

Place = tuple[str, str]
"""(system id, collection name)."""


def _error(locate: Locate, loc: Loc, message: str) -> Problem:
    return Problem(location=locate(loc), message=message)


def _warning(locate: Locate, loc: Loc, message: str) -> Problem:
    return Problem(location=locate(loc), message=message, severity="warning")


def _collections(systems: SystemsFile) -> Iterator[tuple[str, str, CollectionSpec]]:
    for system_id, system in systems.systems.items():
        for name, collection in system.collections.items():
            yield system_id, name, collection


def _base(system_id: str, collection: str) -> Loc:
    return ("systems", system_id, "collections", collection)


def declared_columns(collection: CollectionSpec) -> set[str]:
    """Every column the file names in a collection: the only ones a connector may read."""
    columns = {collection.primary_key, *collection.identity.values(), *collection.references}
    columns |= set(collection.fields)
    if collection.restriction is not None:
        columns.add(collection.restriction.column)
    return columns


def check_categories(policy: Policy, systems: SystemsFile, locate: Locate) -> list[Problem]:
    """Every field names a policy category; a column outside its category's fields is a warning.

    A shop's ``street`` is identification data though the policy lists no
    street: that is allowed, but the officer should know the policy is silent on it.
    """
    known = ", ".join(c.id for c in policy.categories)
    problems = []
    for system_id, name, collection in _collections(systems):
        for column, spec in collection.fields.items():
            loc = (*_base(system_id, name), "fields", column)
            category = policy.category(spec.category)
            if category is None:
                message = f"unknown policy category {spec.category!r} (the policy has: {known})"
                problems.append(_error(locate, (*loc, "category"), message))
                continue
            field = spec.policy_field(column)
            if category.field(field) is None:
                listed = ", ".join(f.id for f in category.fields)
                problems.append(
                    _warning(
                        locate,
                        loc,
                        f"{field!r} is not one of the fields the policy lists for "
                        f"{category.id!r} ({listed}); fine if it is {category.id} data, "
                        "or set 'field' to the policy field it holds",
                    )
                )
    return problems


def check_recipients(policy: Policy, systems: SystemsFile, locate: Locate) -> list[Problem]:
    """A system's ``recipient`` is a policy recipient; a processor's API must name one.

    The recipient is whom the policy promises to tell of erasures and corrections.
    """
    problems = []
    for system_id, system in systems.systems.items():
        if system.recipient is not None and policy.recipient(system.recipient) is None:
            known = ", ".join(r.id for r in policy.recipients)
            message = f"unknown policy recipient {system.recipient!r} (the policy has: {known})"
            problems.append(_error(locate, ("systems", system_id, "recipient"), message))
        elif system.recipient is None and system.kind is SystemKind.HTTP:
            message = "an http system (a processor) must name its policy 'recipient'"
            problems.append(_error(locate, ("systems", system_id), message))
    return problems


def check_references(systems: SystemsFile, locate: Locate) -> list[Problem]:
    """Each reference points to a collection of the same system, at a column it declares."""
    problems = []
    for system_id, name, collection in _collections(systems):
        siblings = systems.systems[system_id].collections
        for column in collection.references:
            loc = (*_base(system_id, name), "references", column)
            target, target_column = collection.target_of(column)
            if target not in siblings:
                message = (
                    f"points to collection {target!r}, which system {system_id!r} does not declare"
                )
                problems.append(_error(locate, loc, message))
            elif target_column not in declared_columns(siblings[target]):
                message = (
                    f"points to column {target_column!r}, which collection {target!r} does not "
                    "declare (as its primary_key, an identity, a reference or a field)"
                )
                problems.append(_error(locate, loc, message))
    return problems


def _neighbours(systems: SystemsFile) -> dict[Place, set[Place]]:
    """Collections joined by a reference, in both directions (the walk follows both)."""
    joined: dict[Place, set[Place]] = {}
    for system_id, name, collection in _collections(systems):
        joined.setdefault((system_id, name), set())
        for column in collection.references:
            target = (system_id, collection.target_of(column)[0])
            if target[1] in systems.systems[system_id].collections:
                joined[(system_id, name)].add(target)
                joined.setdefault(target, set()).add((system_id, name))
    return joined


def reachable(systems: SystemsFile) -> tuple[set[Place], set[str]]:
    """The collections a request reaches, and the identity kinds it finds on the way.

    A request starts from an e-mail or phone; a reached collection gives every
    identity kind it holds (to every system), and leads through references both ways.
    """
    joined = _neighbours(systems)
    kinds: set[str] = set(START_KINDS)
    reached: set[Place] = set()
    changed = True
    while changed:
        changed = False
        for system_id, name, collection in _collections(systems):
            place = (system_id, name)
            if place in reached:
                continue
            if kinds & set(collection.identity) or joined[place] & reached:
                reached.add(place)
                kinds |= set(collection.identity)
                changed = True
    return reached, kinds


def check_reachability(systems: SystemsFile, locate: Locate) -> list[Problem]:
    """Every collection is reached from an e-mail or phone; every identity kind is found somewhere.

    An unreached collection's data would survive every erasure without anyone
    noticing; an identity kind no reached collection holds starts nothing.
    """
    reached, kinds = reachable(systems)
    problems = []
    for system_id, name, collection in _collections(systems):
        base = _base(system_id, name)
        for kind in sorted(set(collection.identity) - kinds):
            message = (
                f"identity kind {kind!r} is held by no collection reached from an e-mail or "
                "phone, so no request finds a value of it"
            )
            problems.append(_error(locate, (*base, "identity", kind), message))
        if (system_id, name) not in reached:
            message = (
                "not reachable from an e-mail or phone: give it an identity, or a reference "
                "to or from a collection that is"
            )
            problems.append(_error(locate, base, message))
    return problems


def check_identity_fields(systems: SystemsFile, locate: Locate) -> list[Problem]:
    """An e-mail or phone column that is not a declared field would outlive the erasure."""
    problems = []
    for system_id, name, collection in _collections(systems):
        for kind, column in collection.identity.items():
            if kind in START_KINDS and column not in collection.fields:
                message = (
                    f"column {column!r} holds the person's {kind} but is not among 'fields': "
                    "erasure leaves it and access does not show it"
                )
                loc = (*_base(system_id, name), "identity", kind)
                problems.append(_warning(locate, loc, message))
    return problems


def check_environment(
    systems: SystemsFile, environ: Mapping[str, str], locate: Locate
) -> list[Problem]:
    """The variables holding each system's URL and secret are set (named, never shown)."""
    problems = []
    for system_id, system in systems.systems.items():
        for key, name in (("url_env", system.url_env), ("secret_env", system.secret_env)):
            if name is not None and not environ.get(name, "").strip():
                message = f"the environment variable {name} is not set"
                problems.append(_error(locate, ("systems", system_id, key), message))
    return problems


HAND_OVER_CATEGORY = "employment_application"
"""What a hand-over carries: an application, the policy's category of job applicants' data."""
HAND_OVER_PURPOSES = {"background_check": "background_checks"}
"""A hand-over to a third party is a disclosure for this purpose (the employee record is
the company's own)."""


def check_hand_overs(policy: Policy, systems: SystemsFile, locate: Locate) -> list[Problem]:
    """A hand-over reads fields of the application category and goes where the policy allows."""
    category = policy.category(HAND_OVER_CATEGORY)
    problems = []
    for system_id, system in systems.systems.items():
        for kind, target in system.hand_over.items():
            loc: Loc = ("systems", system_id, "hand_over", kind)
            if category is None:
                message = f"the policy declares no category {HAND_OVER_CATEGORY!r}"
                problems.append(_error(locate, loc, message))
                continue
            for name, source in target.columns.items():
                field = category.field(source.split(".", 1)[0])
                if field is None:
                    message = f"not a field of {HAND_OVER_CATEGORY!r}"
                    problems.append(_error(locate, (*loc, "columns", name), message))
                elif "." in source and field.type != "file":
                    message = "only a file field has parts"
                    problems.append(_error(locate, (*loc, "columns", name), message))
            purpose = HAND_OVER_PURPOSES.get(kind)
            if purpose is None:
                continue
            recipient = policy.recipient(system.recipient or "")
            if (
                recipient is None
                or HAND_OVER_CATEGORY not in recipient.categories
                or (recipient.purposes and purpose not in recipient.purposes)
            ):
                message = (
                    f"a {kind} hand-over goes to a policy recipient that receives "
                    f"{HAND_OVER_CATEGORY!r} for {purpose!r}: set the system's 'recipient'"
                )
                problems.append(_error(locate, loc, message))
    return problems


def check_static(
    policy: Policy, systems: SystemsFile, environ: Mapping[str, str], locate: Locate
) -> list[Problem]:
    """Every check that needs no connection, in the file's order of concerns."""
    return [
        *check_environment(systems, environ, locate),
        *check_recipients(policy, systems, locate),
        *check_categories(policy, systems, locate),
        *check_references(systems, locate),
        *check_reachability(systems, locate),
        *check_identity_fields(systems, locate),
        *check_hand_overs(policy, systems, locate),
    ]


__all__ = [
    "check_categories",
    "check_environment",
    "check_hand_overs",
    "check_identity_fields",
    "check_reachability",
    "check_recipients",
    "check_references",
    "check_static",
    "declared_columns",
    "reachable",
]
