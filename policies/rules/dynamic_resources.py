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
- `deployment-code-reviewed`: the other ways a plan runs code of its own in the deployment, a deployment script
  (`resources:AzureCliScript`/`AzurePowerShellScript`, or `Microsoft.Resources/deploymentScripts` through a generic
  resource, azapi or a template deployment: a script with a managed identity, which may hold Graph or ARM
  permissions) and pulumi-command's `local:Command`/`remote:Command` (a shell with the deployer's credentials or on a
  host), are violations unless the pack config lists the resource as `<type token>::<name>` in
  `allowedDeploymentCode`: what the code writes to the tenant, no policy of this pack sees.
"""

from __future__ import annotations

from privileged_facts.graph_kinds import DYNAMIC_KINDS
from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .common import config_schema, get, is_dynamic, is_type, label, meta, setting, unverified, verifying
from .key_vault import shapes

ALLOWED = {
    "allowedDynamicKinds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "graphKind values of the stack's own dynamic providers, reviewed and accepted (exact spelling).",
    }
}

REVIEWED = {
    "allowedDeploymentCode": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Deployment scripts and commands whose code was reviewed and accepted, as "
        "'<type token>::<name>' (exact: a resource of another type under a reviewed name is not accepted).",
    }
}
SCRIPTS = ("azure-native:resources:AzureCliScript", "azure-native:resources:AzurePowerShellScript")
COMMANDS = ("command:local:Command", "command:remote:Command")

WHEN_UNKNOWN = {
    "dynamic-resource-recognised": "A graphKind unknown at preview is a mandatory 'cannot be verified at preview' "
    "violation: the resource may be anything.",
    "deployment-code-reviewed": "Decided by the resource's type (and, for a generic resource, azapi or a template "
    "deployment, its ARM type); an ARM type unknown at preview is reported by key-vault-purge-protection.",
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


@verifying
def _code_reviewed(args, report) -> None:
    if is_type(args.resource_type, *COMMANDS):
        what = "a pulumi-command shell command (it runs with the deployer's credentials, or on a host)"
    elif is_type(args.resource_type, *SCRIPTS) or any(s.of(SCRIPTS[0]) for s in shapes(args)):
        what = "a deployment script (code run with a managed identity, which may hold Graph or ARM permissions)"
    else:
        return
    reviewed = f"{args.resource_type}::{args.name}"
    if reviewed in (setting(args, "allowedDeploymentCode", REVIEWED) or []):
        return
    report(
        f"{label(args)} is {what}: whatever it writes to the tenant, no policy of this pack judges. Fix: declare what "
        "it does through the project's components or plain providers, or review the code and list this resource as "
        f"'{reviewed}' in this policy's allowedDeploymentCode."
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
    ResourceValidationPolicy(
        name="deployment-code-reviewed",
        description="No deployment script or shell command runs in the deployment unless the pack config names it "
        "as reviewed: its effects on the tenant are outside every policy.",
        validate=_code_reviewed,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=REVIEWED),
        **meta(
            "high",
            "Declare the objects through components or providers the pack judges, or review the script and add the "
            "resource as '<type token>::<name>' to allowedDeploymentCode.",
        ),
    ),
]
