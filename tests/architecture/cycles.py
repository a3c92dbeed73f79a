"""Circles in the import graph, found with grimp (the graph import-linter builds)."""

from __future__ import annotations

from collections import defaultdict

import grimp


def package_cycles(root: str = "pledge") -> list[tuple[str, list[str]]]:
    """Every circle among the direct children of each package under ``root``.

    A child is a module or a sub-package (its modules taken together). Imports
    inside functions count: a lazy import that dodges a circle at run time is
    still a circle in the design. ``TYPE_CHECKING`` imports do not count.
    """
    graph = grimp.build_graph(root, exclude_type_checking_imports=True)
    modules = graph.modules
    packages = {m for m in modules if any(other.startswith(m + ".") for other in modules)}
    found: list[tuple[str, list[str]]] = []
    for package in sorted(packages):
        edges = _child_edges(graph, modules, package)
        found.extend((package, cycle) for cycle in _strongly_connected(edges))
    return found


def _child_edges(graph: grimp.ImportGraph, modules: set[str], package: str) -> dict[str, set[str]]:
    def child(module: str) -> str | None:
        if not module.startswith(package + "."):
            return None
        return package + "." + module[len(package) + 1 :].split(".")[0]

    edges: dict[str, set[str]] = defaultdict(set)
    for module in modules:
        owner = child(module)
        if owner is None:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            target = child(imported)
            if target is not None and target != owner:
                edges[owner].add(target)
    return edges


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; only components of more than one node."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for nxt in children:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components
