"""The plan as a parent/child tree, shared by the text and markdown renderers."""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import Report, Resource
from .common import resources


def walk(report: Report) -> Iterator[tuple[str, Resource]]:
    """Yield (prefix, resource): the stack first, children under parents, siblings by URN (the SDK registers
    resources on threads, so registration order varies from run to run)."""
    children: dict[str | None, list[Resource]] = {}
    known = {r.urn for r in report.resources}
    for resource in resources(report):
        parent = resource.parent if resource.parent in known else None
        children.setdefault(parent, []).append(resource)

    def visit(resource: Resource, prefix: str, last: bool, depth: int) -> Iterator[tuple[str, Resource]]:
        branch = "" if depth == 0 else prefix + ("└─ " if last else "├─ ")
        yield branch, resource
        kids = children.get(resource.urn, [])
        next_prefix = "" if depth == 0 else prefix + ("   " if last else "│  ")
        for index, child in enumerate(kids):
            yield from visit(child, next_prefix, index == len(kids) - 1, depth + 1)

    roots = children.get(None, [])
    for index, root in enumerate(roots):
        yield from visit(root, "", index == len(roots) - 1, 0)
