"""The licence report of a preview (`[tool.pum] licences`): privileged_facts.licences over the recorded plan
(docs/licences.md). Held seats come from the LicencesHeld component (`privileged-access:licences` in the stack
file), the same the pack's licences-cover-plan reads."""

from __future__ import annotations

from typing import Any

from privileged_facts import values
from privileged_facts.conventions import LICENCES_TYPE, canonical_type
from privileged_facts.licences import Node, licence_needs

from pum.engine import Report, Resource
from pum.wire import UNKNOWN


def _facts(value: Any) -> Any:
    """The recorded inputs with the engine's unknowns as the facts' UNKNOWN."""
    if value is UNKNOWN:
        return values.UNKNOWN
    if isinstance(value, dict):
        return {k: _facts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_facts(v) for v in value]
    return value


def _node(r: Resource) -> Node:
    return Node(
        r.urn,
        canonical_type(r.type),
        r.name,
        _facts(r.inputs),
        {k: tuple(v) for k, v in r.property_dependencies.items()},
    )


def held(report: Report) -> dict[str, int] | None:
    """The seats the stack declares, None when it declares none."""
    for r in report.resources:
        if r.type == LICENCES_TYPE and isinstance(r.inputs.get("held"), dict):
            return {k: int(v) for k, v in r.inputs["held"].items() if isinstance(v, (int, float))}
    return None


def licences(report: Report) -> list[dict[str, Any]]:
    """One entry per licence the plan needs: licence, name, features, identities, unresolved (and held, shortfall
    when the stack declares what it holds)."""
    seats = held(report)
    return [need.as_dict(seats) for need in licence_needs(_node(r) for r in report.resources)]
