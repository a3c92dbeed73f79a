"""Reading a policy YAML file into a :class:`Policy`, with ``file:line`` problems.

The file is parsed into a YAML node tree first (node marks keep line numbers),
checked for duplicate keys (which PyYAML would silently overwrite), turned
into plain data and validated by the pydantic models. Each validation error's
``loc`` is walked back through the node tree to the line of the offending key,
so ``pledge policy check`` can say ``policy.yaml:42 categories[2].retention:
...``. Then the cross-reference checks of :mod:`pledge.policy.checks` run.

Scalars are resolved as in YAML 1.2 where YAML 1.1 surprises: only
``true``/``false`` are booleans (so Norway's ``NO`` stays a country code) and
dates stay strings until pydantic reads them (so ``version: 2020-05-04`` is
the text it looks like).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from pledge.policy.checks import Loc, format_loc, run_checks
from pledge.policy.schema import Policy, PolicyDocument, Problem

__all__ = [
    "PolicyError",
    "analyse_policy_file",
    "bundled_policy_path",
    "check_policy_file",
    "content_digest",
    "load_policy",
]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _PolicyLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, no implicit timestamps, and marked aliases.

    An alias (``*name``) normally composes to the very node it refers to, so
    errors inside it would point at the anchor's lines. Here each alias
    becomes a shallow copy of that node carrying the alias's own position, and
    its id is kept in ``alias_ids`` so locations stop at the alias line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_ids: set[int] = set()
        self._alias_nodes: list[yaml.Node] = []  # keeps the ids in alias_ids alive

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        is_alias = self.check_event(yaml.AliasEvent)
        event: yaml.Event | None = self.peek_event() if is_alias else None  # type: ignore[no-untyped-call]
        node = super().compose_node(parent, index)
        if event is None or node is None:
            return node
        alias = copy.copy(node)
        alias.start_mark, alias.end_mark = event.start_mark, event.end_mark
        self._alias_nodes.append(alias)
        self.alias_ids.add(id(alias))
        return alias


_PolicyLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PolicyLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class PolicyError(Exception):
    """The policy file has at least one error; ``problems`` lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        summary = "; ".join(str(p) for p in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        super().__init__(f"invalid policy: {summary}{more}")


def bundled_policy_path() -> Path:
    """The path of the policy of the seed document, installed with the package."""
    from importlib.resources import files

    return Path(str(files("pledge.policies").joinpath("interactions.yaml")))


class _Locator:
    """Maps a ``loc`` path to ``file:line dotted.path`` through the node tree."""

    def __init__(self, path: str, root: yaml.Node, alias_ids: frozenset[int]) -> None:
        self.path = path
        self.root = root
        self.alias_ids = alias_ids

    def line(self, loc: Loc) -> int:
        node: yaml.Node = self.root
        line = node.start_mark.line + 1
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            line, node = found
            if id(node) in self.alias_ids:
                break  # inside an alias: its own line is the best place to point at
        return line

    def __call__(self, loc: Loc) -> str:
        dotted = format_loc(loc)
        where = f"{self.path}:{self.line(loc)}"
        return f"{where} {dotted}" if dotted else where


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    """The line and node of ``part`` inside ``node``, or None when absent."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key.start_mark.line + 1, value
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def _read_text(path: Path) -> tuple[str | None, Problem | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except FileNotFoundError:
        return None, Problem(location=str(path), message="file not found")
    except IsADirectoryError:
        return None, Problem(location=str(path), message="is a directory, not a policy file")
    except UnicodeDecodeError as exc:
        return None, Problem(location=str(path), message=f"not UTF-8 text ({exc.reason})")
    except OSError as exc:
        return None, Problem(location=str(path), message=f"cannot read: {exc.strerror or exc}")


def _parse_yaml(path: str, text: str) -> tuple[_Locator | None, Any, list[Problem]]:
    """Compose and construct ``text``; syntax errors and duplicate keys are problems.

    Returns a locator for the node tree (None when there is none), the data,
    and the problems.
    """
    try:
        loader = _PolicyLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters up front
        return None, None, [_reader_problem(path, text, exc)]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, [Problem(location=f"{path}:1", message="the file is empty")]
        locator = _Locator(path, node, frozenset(loader.alias_ids))
        duplicates = _duplicate_keys(path, node)
        if duplicates:
            return locator, None, duplicates
        return locator, loader.construct_document(node), []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, None, [Problem(location=f"{path}:{line}", message=f"YAML error: {detail}")]
    except yaml.YAMLError as exc:
        return None, None, [_reader_problem(path, text, exc)]
    except RecursionError:
        return None, None, [Problem(location=f"{path}:1", message="YAML nested too deeply")]
    finally:
        loader.dispose()


def _reader_problem(path: str, text: str, exc: yaml.YAMLError) -> Problem:
    """A YAML error without a mark, such as a forbidden control character."""
    position = getattr(exc, "position", 0)
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(location=f"{path}:{line}", message=f"YAML error: {first}")


def _duplicate_keys(path: str, root: yaml.Node) -> list[Problem]:
    problems: list[Problem] = []
    seen_nodes: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key, value in node.value:
                stack.append(value)
                if not isinstance(key, yaml.ScalarNode):
                    continue
                line = key.start_mark.line + 1
                if key.value in first_line:
                    problems.append(
                        Problem(
                            location=f"{path}:{line}",
                            message=f"duplicate key {key.value!r} "
                            f"(first given on line {first_line[key.value]})",
                        )
                    )
                else:
                    first_line[key.value] = line
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: _line_of(p.location))


def _line_of(location: str) -> int:
    match = re.search(r":(\d+)(?: |$)", location)
    return int(match.group(1)) if match else 0


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}"
    message = error["msg"]
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        return f"{message} (got {shown})"
    return f"{message} (got a {type(value).__name__})"


def _validation_problems(exc: ValidationError, locate: _Locator) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        line_loc = loc[:-1] if error["type"] == "missing" else loc
        problem_loc = f"{locate.path}:{locate.line(line_loc)}"
        dotted = format_loc(loc)
        location = f"{problem_loc} {dotted}" if dotted else problem_loc
        problems.append(Problem(location=location, message=_message(error)))
    return problems


def content_digest(document: PolicyDocument) -> str:
    """SHA-256 of the canonical JSON of the document: names the exact text in force."""
    canonical = json.dumps(
        document.model_dump(mode="json"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def analyse_policy_file(path: str | Path) -> tuple[Policy | None, list[Problem]]:
    """Load and check ``path``; the policy is None whenever an error was found.

    Never raises for bad content: every failure is a :class:`Problem`.
    """
    file = Path(path)
    shown = str(path)
    text, unreadable = _read_text(file)
    if text is None:
        return None, [unreadable] if unreadable else []
    locate, data, problems = _parse_yaml(shown, text)
    if problems or locate is None:
        return None, problems
    if not isinstance(data, dict):
        message = "the policy must be a mapping of keys to values"
        return None, [Problem(location=f"{shown}:{locate.line(())}", message=message)]
    try:
        document = PolicyDocument.model_validate(data)
    except ValidationError as exc:
        return None, _validation_problems(exc, locate)
    problems = run_checks(document, locate)
    if any(problem.severity == "error" for problem in problems):
        return None, problems
    fields = {name: getattr(document, name) for name in PolicyDocument.model_fields}
    warnings = tuple(problem for problem in problems if problem.severity == "warning")
    policy = Policy(**fields, digest=content_digest(document), warnings=warnings)
    return policy, problems


def check_policy_file(path: str | Path) -> list[Problem]:
    """Every problem of the policy file at ``path``, errors and warnings alike."""
    return analyse_policy_file(path)[1]


def load_policy(path: str | Path) -> Policy:
    """The checked policy at ``path``; raise :class:`PolicyError` if it has errors.

    Warnings do not stop loading; they are kept on ``policy.warnings``. A file
    that has not changed (same size and modification time) is parsed once.
    """
    file = Path(path)
    try:
        stat = file.stat()
    except OSError:
        return _load_uncached(str(path))
    return _load_cached(str(path), str(file.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _load_cached(shown: str, resolved: str, mtime_ns: int, size: int) -> Policy:
    del resolved, mtime_ns, size  # only part of the cache key
    return _load_uncached(shown)


def _load_uncached(path: str) -> Policy:
    policy, problems = analyse_policy_file(path)
    if policy is None:
        raise PolicyError(problems)
    return policy


M = TypeVar("M", bound=BaseModel)


def load_yaml_model(
    path: str | Path, model: type[M], *, empty: M | None = None
) -> tuple[M | None, list[Problem], Callable[[Loc], str]]:
    """Any YAML file into a pydantic model, with the same ``file:line`` problems as policies.

    Returns the model (None on any problem), the problems, and a locator that
    turns a ``loc`` path into ``file:line dotted.path`` for the caller's own checks.
    ``empty`` is what a file with no content means; None makes it a problem.
    """
    shown = str(path)
    text, unreadable = _read_text(Path(path))
    fallback: Callable[[Loc], str] = lambda loc: shown  # noqa: E731
    if text is None:
        return None, [unreadable] if unreadable else [], fallback
    if empty is not None and not _has_content(text):
        return empty, [], fallback
    locate, data, problems = _parse_yaml(shown, text)
    if problems or locate is None:
        return None, problems, locate or fallback
    if not isinstance(data, dict):
        return None, [Problem(location=f"{shown}:1", message="expected a mapping")], locate
    try:
        return model.model_validate(data), [], locate
    except ValidationError as exc:
        return None, _validation_problems(exc, locate), locate


def _has_content(text: str) -> bool:
    """Whether ``text`` holds anything but blank lines and comments."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())
