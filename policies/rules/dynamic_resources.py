"""Policies for Python dynamic resources: the pack recognises ours only by their exact graphKind.

A dynamic resource is code that runs in the deployment with the deployer's credentials (Graph, ARM): it can create a
permanent role eligibility, a CA policy or an app as easily as our providers do, under any type name, and the pack
judges a dynamic resource only by the graphKind it carries. So:

- `dynamic-resource-recognised`: every dynamic resource (`pulumi-python:dynamic:Resource`, or
  `pulumi-python:dynamic/<module>:<name>`) carries exactly one of this project's kinds
  (privileged_facts.graph_kinds.DYNAMIC_KINDS), or one the pack config lists in `allowedDynamicKinds` (the stack's
  own reviewed providers). Any other graphKind, none, or a misspelling of ours is a violation: whatever it does in
  the tenant, no policy of this pack would have judged it. Our providers refuse, in check, any kind but their own,
  so a resource with one of our kinds runs our code (unless the pull request changes components/ itself: code
  review).
"""

from __future__ import annotations

from privileged_facts.graph_kinds import DYNAMIC_KINDS
from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .common import config_schema, get, is_dynamic, label, meta, setting, unverified, verifying

ALLOWED = {
    "allowedDynamicKinds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "graphKind values of the stack's own dynamic providers, reviewed and accepted (exact spelling).",
    }
}

WHEN_UNKNOWN = {
    "dynamic-resource-recognised": "A graphKind unknown at preview is a mandatory 'cannot be verified at preview' "
    "violation: the resource may be anything.",
}


@verifying
def _recognised(args, report) -> None:
    if not is_dynamic(args.resource_type):
        return
    kind = get(args.props, "graphKind")
    if is_unknown(kind):
        unverified(args, report, f"{label(args)} graphKind")
        return
    allowed = DYNAMIC_KINDS | frozenset(setting(args, "allowedDynamicKinds", ALLOWED) or [])
    if isinstance(kind, str) and kind in allowed:
        return
    shown = "no graphKind" if kind is None else "a graphKind that is not one of this project's"
    report(
        f"{label(args)} is a dynamic resource with {shown}: it runs code with the deployer's credentials that no "
        "policy of this pack judges. Fix: use the project's components (components/graph/), or review the provider "
        "and list its exact graphKind in this policy's allowedDynamicKinds."
    )


POLICIES = [
    ResourceValidationPolicy(
        name="dynamic-resource-recognised",
        description="Every dynamic resource is one of this project's (its exact graphKind) or a kind the pack config "
        "accepts: no code runs in the deployment unjudged.",
        validate=_recognised,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=ALLOWED),
        **meta(
            "high",
            "Declare Graph and ARM objects through the project's components, or review your own dynamic provider and "
            "add its graphKind to allowedDynamicKinds.",
        ),
    ),
]
