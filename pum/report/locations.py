"""Stack-file locations of findings: a resource built from the stack model points at the model entry it came from.

pum knows nothing of a project's model. A project that can say which model entry each resource comes from names
a function in `[tool.pum] locations` ("module:function", like `graph`): called with the report, it returns
{resource URN: model path}, a model path being the stack file's config key and a dotted path into its value, as
the model's own errors print it (`privileged-access:pim.entraRoles[2]`). A finding on that resource or on any
resource under it (its children) carries the path and the line of that entry in the stack file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..engine import Report, Violation
from ..errors import ProgramError
from ..yaml_loader import MAX_BYTES, StrictLoader, read_text


@dataclass(frozen=True)
class Location:
    file: str  # the stack file, absolute
    path: str  # the model path, `namespace:dotted.path[index]`
    line: int | None  # 1-based line of the entry in the stack file, None when the file has no such entry


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int] | None:
    """`privileged-access:pim.entraRoles[2]` -> ["privileged-access:pim", "entraRoles", 2] (None: not a path)."""
    namespace, colon, rest = path.partition(":")
    if not colon or not namespace:
        return None
    cut = min([i for i in (rest.find("."), rest.find("[")) if i >= 0], default=len(rest))
    steps: list[str | int] = [f"{namespace}:{rest[:cut]}"]
    tail = rest[cut:]
    position = 0
    for match in _STEP.finditer(tail):
        if match.start() != position:
            return None
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    return steps if position == len(tail) else None


def _node_line(root: Any, steps: list[str | int]) -> int | None:
    node = root
    line = None
    for step in ["config", *steps]:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            if found is None:
                return None
            line, node = found[0].start_mark.line + 1, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return None
    return line


def line_of(stack_file: str, path: str) -> int | None:
    """The 1-based line where the stack file writes the model entry at `path` (None when it does not)."""
    steps = _steps(path)
    if steps is None:
        return None
    try:
        loader = StrictLoader(read_text(stack_file, MAX_BYTES, "stack file"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except (yaml.YAMLError, ValueError, OSError, RecursionError):
        return None
    return _node_line(root, steps) if root is not None else None


def resolve(report: Report, mapping: object, hook: str) -> dict[str, Location]:
    """The hook's {URN: model path}, checked, with each entry's line in the report's stack file."""
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ProgramError(f"[tool.pum] locations ({hook}) returned {type(mapping).__name__}, not {{URN: model path}}")
    if not report.stack_file:
        return {}
    lines: dict[str, int | None] = {}
    located = {}
    for urn, path in mapping.items():
        if path not in lines:
            lines[path] = line_of(report.stack_file, path)
        located[urn] = Location(report.stack_file, path, lines[path])
    return located


def of(report: Report, locations: dict[str, Location], violation: Violation) -> Location | None:
    """Where `violation` is in the stack file: its resource's entry, else its nearest ancestor's."""
    urn = violation.urn
    seen = set()
    while urn and urn not in seen:
        seen.add(urn)
        if urn in locations:
            return locations[urn]
        resource = report.resource(urn)
        urn = resource.parent if resource else None
    return None
