"""Which stack-file entry each top-level resource comes from, for pum's ``[tool.pum] locations`` hook.

``components.stack.build`` records, for every component (and top-level resource) it declares, the model
path of the entry it was built from, as the model's own errors print it
(``privileged-access:pim.roleBindings[2]``). :func:`for_report` turns that into {URN: model path} for
the resources of a finished preview, so pum can point a finding on any of their children at the line
of that entry in the stack file.
"""

from __future__ import annotations

from typing import Any

STACK_TYPE = "pulumi:pulumi:Stack"
_paths: dict[str, str] = {}  # top-level resource name -> model path (one program run)


def start() -> None:
    """Forget the paths of an earlier run (a preview builds the stack once)."""
    _paths.clear()


def record(name: str, path: str) -> None:
    _paths[name] = path


def for_report(report: Any) -> dict[str, str]:
    """{URN: model path} for the top-level resources built from the stack model in this run."""
    found = {}
    for resource in report.resources:
        parent = resource.parent or ""
        top_level = not parent or parent.split("::")[-2:-1] == [STACK_TYPE]
        if top_level and resource.name in _paths:
            found[resource.urn] = _paths[resource.name]
    return found
