"""`pum audit --from EXPORT`: what a tenant already holds, judged by the same packs, reports and exit codes as
`pum preview`.

pum knows nothing of any tenant or provider: the project's hook (`[tool.pum] audit = "module:function"`) reads the
export and returns what it holds as the resources its providers would have made::

    {"tenant": str, "source": str,
     "resources": [{"type": str, "name": str, "custom": bool, "parent": name | None, "dependencies": [name],
                    "properties": {...camelCase wire names, every value known...}}],
     "gaps": [{"area": str, "message": str}]}

pum registers them as the resources of a deployed stack (the post-deployment view: every property known, Analyze
and AnalyzeStack both see the properties, ConfigureStack says it is not a preview) and evaluates the packs as
`pum preview` does. Each gap (an area the export could not read) is a mandatory violation of pum's own
`export-complete` check: an area nobody could read is unverified, not clean. A hook that raises an exception with
`pum_exit_code = 2` (bad input: a broken or forged export) is a usage error, exit 2, with its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from . import analyzer
from .analysis import Violation, analyze, configure_stack_request
from .engine import Report, Resource, _report_inputs, _report_order
from .errors import ProgramError
from .recorder import Registration

ROOT_TYPE = "pulumi:pulumi:Stack"
CHECK_PACK = "pum"
CHECK_POLICY = "export-complete"
MAX_RESOURCES = 200_000


def _urn(project: str, stack: str, qualified: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def _problem(where: str, what: str) -> ProgramError:
    return ProgramError(f"[tool.pum] audit ({where}) returned {what}")


def registrations(project: str, stack: str, found: Mapping[str, Any], where: str) -> list[Registration]:
    """The root stack and every resource the hook returned, parents before children, as the engine registers them."""
    resources = found.get("resources")
    if not isinstance(resources, list) or len(resources) > MAX_RESOURCES:
        raise _problem(where, f"no list of at most {MAX_RESOURCES} resources under 'resources'")
    root = _urn(project, f"{stack}", ROOT_TYPE, f"{project}-{stack}")
    out = [Registration(root, ROOT_TYPE, f"{project}-{stack}", None, False, False, "", struct_pb2.Struct(), [], {})]
    by_name: dict[str, tuple[str, str]] = {}  # name -> (qualified type, URN)
    for index, item in enumerate(resources):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or not isinstance(item.get("name"), str):
            raise _problem(where, f"resource {index} without a string 'type' and 'name'")
        name = item["name"].replace("::", ": ")
        parent = item.get("parent")
        if parent is not None and parent not in by_name:
            raise _problem(where, f"resource {name!r} whose parent {parent!r} is not an earlier resource")
        qualified = f"{by_name[parent][0]}${item['type']}" if parent is not None else item["type"]
        urn = _urn(project, stack, qualified, name)
        if name in by_name:
            raise _problem(where, f"two resources named {name!r}")
        by_name[name] = (qualified, urn)
        properties = item.get("properties") or {}
        if not isinstance(properties, dict):
            raise _problem(where, f"resource {name!r} whose properties are not an object")
        depends = [by_name[d][1] for d in item.get("dependencies") or [] if d in by_name]
        out.append(
            Registration(
                urn,
                item["type"],
                name,
                by_name[parent][1] if parent is not None else root,
                bool(item.get("custom", True)),
                False,
                "",
                json_format.ParseDict(properties, struct_pb2.Struct()),
                depends,
                {},
            )
        )
    return out


def _gaps(found: Mapping[str, Any], root: str, where: str) -> list[Violation]:
    gaps = found.get("gaps") or []
    if not isinstance(gaps, list) or not all(isinstance(g, dict) and isinstance(g.get("message"), str) for g in gaps):
        raise _problem(where, "'gaps' that are not a list of objects with a 'message'")
    return [
        Violation(CHECK_PACK, CHECK_POLICY, "mandatory", "high", root, f"not exported: {g['message']}") for g in gaps
    ]


def audit_report(
    project: str, stack: str, found: Mapping[str, Any], packs: list[analyzer.LoadedPack], where: str
) -> Report:
    """The report of `pum audit`: the packs' violations on what the hook found, plus pum's own gap check."""
    registered = registrations(project, stack, found, where)
    configure = configure_stack_request(project, stack)
    configure.dry_run = False
    violations = analyze(packs, registered, stack=configure, deployed=lambda token, name: {})
    violations.sort(key=_report_order(packs))
    violations = _gaps(found, registered[0].urn, where) + violations
    resources = [
        Resource(r.urn, r.type, r.name, r.parent, r.custom, False, _report_inputs(r.wire), r.dependencies, {})
        for r in registered[1:]
    ]
    return Report(
        project=project,
        stack=stack,
        resources=resources,
        violations=violations,
        policies={p.name: p.policies for p in packs},
    )
