"""The licences the plan needs against those the stack says the tenant holds (advisory).

`licences-cover-plan`: when the stack declares what it holds (`privileged-access:licences`, registered by the
LicencesHeld component), each licence the plan needs for more identities than the seats that cover it
(privileged_facts.licences: P2 seats cover P1, Governance seats cover P2) is reported, with the count and what
the plan could not resolve. A stack that declares nothing is not judged; `pum preview` lists the needs either way.
"""

from __future__ import annotations

from privileged_facts.conventions import LICENCES_TYPE
from privileged_facts.licences import LICENCES, Node, covering, licence_needs
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from .common import canonical_type, config_schema, get, meta

WHEN_UNKNOWN = {
    "licences-cover-plan": "Identities the plan cannot resolve (unknown at preview, undeclared members) are not "
    "counted and are named in the message; an unknown held count is not judged.",
}


def _node(resource) -> Node:
    props = get(resource.props)
    deps = getattr(resource, "property_dependencies", None) or {}
    return Node(
        resource.urn,
        canonical_type(resource.resource_type),
        resource.name,
        props if isinstance(props, dict) else {},
        {key: tuple(d.urn for d in value) for key, value in deps.items()},
    )


def _held(resources) -> dict[str, int] | None:
    for r in resources:
        if r.resource_type == LICENCES_TYPE:
            held = get(r.props, "held")
            if isinstance(held, dict):
                return {k: int(v) for k, v in held.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return None


def _cover_plan(args, report) -> None:
    resources = list(args.resources)
    held = _held(resources)
    if held is None:
        return
    for need in licence_needs(_node(r) for r in resources):
        if need.licence not in held:
            continue  # the stack says nothing of this licence
        seats = covering(need.licence, held)
        if len(need.identities) <= seats:
            continue
        unresolved = f" (and {len(need.unresolved)} the plan cannot resolve)" if need.unresolved else ""
        report(
            f"The plan needs {LICENCES[need.licence]} ({need.licence}) for {len(need.identities)} identities"
            f"{unresolved}, for {', '.join(sorted(need.features))}; the stack says the tenant holds {seats} that "
            f"cover it, {len(need.identities) - seats} short. Fix: buy the seats, or correct "
            "privileged-access:licences (docs/licences.md says who counts)."
        )


POLICIES = [
    StackValidationPolicy(
        name="licences-cover-plan",
        description="The licences the stack says the tenant holds cover what the plan needs (advisory).",
        validate=_cover_plan,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema(),
        **meta("low", "Buy the licences the report lists as short, or correct privileged-access:licences."),
    )
]
