"""Policies for journey automation (issue 20): the Logic Apps that entitlement management calls, the custom
extensions that call them, and the Verified ID requirement of critical journeys.

- `logic-app-graph-permissions-least-privilege` (stack): a Microsoft Graph app-role assignment whose principal is a
  workflow's managed identity (the assignment's principalObjectId flows from an azure-native logic Workflow, or from
  a user-assigned identity a Workflow uses) holds no tenant-wide write permission that no HTTP action of the
  workflow's definition needs. What a step needs is derived from the definition: each HTTP action's method and Graph
  URI against privileged_facts.graph_permissions (bulkUpload -> SynchronizationData-User.Upload, a Temporary Access
  Pass -> UserAuthMethod-TAP.ReadWrite.All, sendMail -> Mail.Send, ...). An unknown definition, app role or
  principal is unverified, never fine; so are the write permissions of a Standard Logic App (a WebApp of kind
  workflowapp), whose definitions are files the plan cannot show.
- `custom-extension-endpoint-in-stack` (stack): every entitlement-management custom extension (a dynamic resource of
  graphKind accessPackageCustomExtension, or any dynamic resource carrying an endpointConfiguration) calls a Logic
  App this stack declares: its logicAppWorkflowName and resourceGroupName match a Workflow of the plan (literally,
  or by flowing from it) and its subscriptionId is a subscription GUID (one of `allowedSubscriptionIds` when set;
  the Workflow's own subscription once its ID is known). Any other endpoint (an HTTP URL, a Logic App elsewhere) is
  a violation: the extension would send every request's requestor, target and answers there, and its answer can
  steer the request. So is a policy's custom extension stage that names an extension the stack does not declare.
- `critical-journey-verified-id` (stack, advisory): an assignment policy of a package that grants a tier-0 group
  has a Verified ID requirement (an AssignmentPolicySettings of graphKind accessPackagePolicySettings linked to the
  policy, with at least one credential type). Tier-0: a group holding a critical Entra or Azure role in the stack,
  one listed in `criticalGroupIds`, a written-back group whose description names a tier-0 AD group, or a package
  whose settings record on-premises reach into one (Domain Admins, Enterprise Admins, Schema Admins,
  Administrators). Advisory: Verified ID needs a Verified ID authority and Face Check licensing that not every
  tenant has, and these journeys already need two approval stages and a review (access-package-privileged-group-
  controls); a pack config can make it mandatory.
"""

from __future__ import annotations

import re
from typing import Any

from privileged_facts.graph_permissions import (
    APP_ROLE_NAMES,
    DIRECTORY_WRITE_ROLES,
    READ_ONLY_ROLES,
    needed_for,
)
from privileged_facts.roles import CRITICAL_AZURE_ROLE_IDS, CRITICAL_ROLE_IDS, role_guid
from privileged_facts.values import UNKNOWN, is_guid, is_unknown
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy

from .common import (
    GROUP,
    dependencies_of,
    elements,
    get,
    is_type,
    meta,
    role_grants,
    unverified,
    verifying,
)

WORKFLOW = "azure-native:logic:Workflow"
WEB_APP = "azure-native:web:WebApp"  # a Standard Logic App is a WebApp of kind "...workflowapp"
USER_ASSIGNED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
POLICY = "azuread:index/accessPackageAssignmentPolicy:AccessPackageAssignmentPolicy"
GRANT = "azuread:index/accessPackageResourcePackageAssociation:AccessPackageResourcePackageAssociation"
CATALOG_RESOURCE = "azuread:index/accessPackageResourceCatalogAssociation:AccessPackageResourceCatalogAssociation"
EXTENSION_KIND = "accessPackageCustomExtension"
SETTINGS_KIND = "accessPackagePolicySettings"
LOGIC_APP_ENDPOINT = "#microsoft.graph.logicAppTriggerEndpointConfiguration"
AZURE_ROLE_GRANTS = {
    "azure-native:authorization:RoleAssignment": "principalId",
    "azure-native:authorization:PimRoleEligibilitySchedule": "principalId",
}
TIER0_AD_GROUPS = ("domain admins", "enterprise admins", "schema admins", "administrators")
_SUBSCRIPTION = re.compile(r"^/subscriptions/([0-9a-fA-F-]{36})/", re.IGNORECASE)
_MAX_HOPS = 6
DYNAMIC_PREFIX = "pulumi-python:dynamic"

WHEN_UNKNOWN = {
    "logic-app-graph-permissions-least-privilege": "An unknown appRoleId, a workflow definition unknown at preview, "
    "or a Graph call of the definition whose method or permission the pack does not know is a mandatory 'cannot be "
    "verified at preview' violation for every write permission the identity holds; principals are linked to "
    "workflows through property dependencies (unknown object IDs), or by a known identity principalId.",
    "custom-extension-endpoint-in-stack": "An unknown endpointConfiguration, endpoint type or subscriptionId is a "
    "mandatory 'cannot be verified at preview' violation; an unknown workflow name or resource group counts only when "
    "it flows from a declared Workflow (or its resource group); otherwise the extension is reported as calling an "
    "endpoint outside the stack. A policy stage's unknown customExtensionId counts only when it flows from declared "
    "extensions.",
    "critical-journey-verified-id": "An unknown verifiableCredentials on the linked settings is an advisory 'cannot "
    "be verified' note; policies, packages and groups unknown at preview are linked through property dependencies.",
}


# --- relations -----------------------------------------------------------------------------------------------


def _sources(resource: Any, key: str | None = None) -> list:
    if key is not None:
        return dependencies_of(resource, key)
    deps = list(getattr(resource, "dependencies", None) or [])
    for items in (getattr(resource, "property_dependencies", None) or {}).values():
        deps += list(items or [])
    return deps


def _upstream(resource: Any, key: str) -> list:
    """Every resource `resource.props[key]` flows from, through at most _MAX_HOPS dependency steps."""
    seen: dict[str, Any] = {}
    frontier = list(_sources(resource, key))
    for _ in range(_MAX_HOPS):
        nxt = []
        for r in frontier:
            if r.urn in seen:
                continue
            seen[r.urn] = r
            nxt += _sources(r)
        frontier = nxt
    return list(seen.values())


def _is_app_role_assignment(resource: Any) -> bool:
    """azuread AppRoleAssignment, or a dynamic (Graph) resource that assigns an app role (appRoleId beside a
    principal), whatever its graphKind says."""
    if is_type(resource, APP_ROLE_ASSIGNMENT):
        return True
    return str(resource.resource_type).startswith(DYNAMIC_PREFIX) and get(resource.props, "appRoleId") is not None


def _principal_key(resource: Any) -> str:
    return (
        "principalId"
        if get(resource.props, "principalObjectId") is None and get(resource.props, "principalId") is not None
        else "principalObjectId"
    )


def _workflows_of_principal(assignment: Any, workflows: list, by_principal: dict[str, Any]) -> list:
    """The Workflows whose identity the assignment's principal is: its principalObjectId flows from the Workflow,
    or from a user-assigned identity a Workflow's `identity` depends on, or equals a Workflow's known principalId."""
    key = _principal_key(assignment)
    upstream = _upstream(assignment, key)
    urns = {r.urn for r in upstream}
    found = [w for w in workflows if w.urn in urns]
    identities = {r.urn for r in upstream if is_type(r, USER_ASSIGNED_IDENTITY)}
    found += [w for w in workflows if w not in found and {d.urn for d in _sources(w, "identity")} & identities]
    literal = get(assignment.props, key)
    if isinstance(literal, str) and literal.strip().lower() in by_principal:
        w = by_principal[literal.strip().lower()]
        found += [] if w in found else [w]
    return found


def http_actions(definition: Any) -> tuple[list[tuple[str, Any, Any]], bool]:
    """(name, method, uri) of every HTTP action in a definition (If/Switch/Scope/Until/Foreach branches too), and
    whether some part of the definition was unknown."""
    found: list[tuple[str, Any, Any]] = []
    unknown = False

    def walk(actions: Any) -> None:
        nonlocal unknown
        if is_unknown(actions):
            unknown = True
            return
        if not isinstance(actions, dict):
            return
        for name, action in actions.items():
            if is_unknown(action):
                unknown = True
                continue
            if not isinstance(action, dict):
                continue
            kind = get(action, "type")
            if is_unknown(kind):
                unknown = True
            elif isinstance(kind, str) and kind.lower() in ("http", "httpwebhook"):
                found.append((name, get(action, "inputs", "method"), get(action, "inputs", "uri")))
            walk(get(action, "actions"))
            walk(get(action, "else", "actions"))
            walk(get(action, "default", "actions"))
            cases = get(action, "cases")
            if is_unknown(cases):
                unknown = True
            elif isinstance(cases, dict):
                for case in cases.values():
                    walk(get(case, "actions"))

    walk(get(definition, "actions"))
    return found, unknown


def needed_permissions(definition: Any) -> tuple[set[str], list[str]]:
    """What the definition's Graph calls need (any one per call; all of them count as needed) and why it cannot
    be told (unknown parts, Graph calls the pack does not know)."""
    if is_unknown(definition):
        return set(), ["the workflow definition"]
    actions, unknown = http_actions(definition)
    needed: set[str] = set()
    gaps = ["part of the workflow definition"] if unknown else []
    for name, method, uri in actions:
        if is_unknown(method) or is_unknown(uri):
            gaps.append(f"HTTP action {name!r} method or uri")
            continue
        permissions = needed_for(method, uri)
        if permissions is None:
            gaps.append(f"HTTP action {name!r} (a Graph call whose permission the pack does not know)")
            continue
        needed.update(permissions)
    return needed, gaps


def _is_workflow_app(resource: Any) -> bool:
    """A Standard Logic App (a WebApp whose kind names workflowapp; an unknown kind may be one): its workflow
    definitions are files in the app, never in the plan, so what its steps need cannot be read."""
    if not is_type(resource, WEB_APP):
        return False
    kind = get(resource.props, "kind")
    return is_unknown(kind) or (isinstance(kind, str) and "workflowapp" in kind.lower())


def _definition(workflow: Any) -> Any:
    return UNKNOWN if is_type(workflow, WEB_APP) else get(workflow.props, "definition")


@verifying
def _least_privilege(args, report_violation) -> None:
    resources = list(args.resources)
    workflows = [r for r in resources if is_type(r, WORKFLOW) or _is_workflow_app(r)]
    if not workflows:
        return
    by_principal: dict[str, Any] = {}
    for w in workflows:
        principal = get(w.props, "identity", "principalId")
        if isinstance(principal, str) and is_guid(principal):
            by_principal[principal.lower()] = w
    for assignment in (r for r in resources if _is_app_role_assignment(r)):
        owners = _workflows_of_principal(assignment, workflows, by_principal)
        if not owners:
            continue
        label = f"app-role assignment '{assignment.name}'"
        role_id = get(assignment.props, "appRoleId")
        if is_unknown(role_id):
            unverified(args, report_violation, f"{label} appRoleId", assignment.urn)
            continue
        name = APP_ROLE_NAMES.get(role_id.strip().lower()) if isinstance(role_id, str) else None
        names = ", ".join(w.name for w in owners)
        if name is None:
            unverified(
                args,
                report_violation,
                f"{label} app role (not a Microsoft Graph permission the pack knows, given to workflow {names})",
                assignment.urn,
            )
            continue
        if name in READ_ONLY_ROLES or name not in DIRECTORY_WRITE_ROLES:
            continue
        needed: set[str] = set()
        gaps: list[str] = []
        for w in owners:
            wants, why = needed_permissions(_definition(w))
            needed |= wants
            gaps += [f"Workflow '{w.name}' {g}" for g in why]
        if name in needed:
            continue
        if gaps:
            for gap in gaps[:3]:
                unverified(args, report_violation, f"{gap} (deciding whether {label} {name} is needed)", assignment.urn)
            continue
        report_violation(
            f"{label} gives workflow {names}'s managed identity the tenant-wide write permission {name}, which no "
            f"HTTP action of its definition needs (its Graph calls need: {', '.join(sorted(needed)) or 'nothing'})",
            assignment.urn,
        )


# --- custom extensions ---------------------------------------------------------------------------------------


def _is_extension(resource: Any) -> bool:
    if not str(resource.resource_type).startswith(DYNAMIC_PREFIX):
        return False
    kind = get(resource.props, "graphKind")
    return kind == EXTENSION_KIND or get(resource.props, "endpointConfiguration") is not None


def _literal(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _rg_names(workflow: Any, by_urn: dict[str, Any]) -> tuple[str | None, set[str]]:
    """A Workflow's resource group: its literal name, and the URNs of the ResourceGroups it flows from (whose
    literal names also count)."""
    name = _literal(get(workflow.props, "resourceGroupName"))
    groups = {d.urn for d in dependencies_of(workflow, "resourceGroupName") if is_type(d, RESOURCE_GROUP)}
    return name, groups


def _matches(ext: Any, endpoint: dict, workflow: Any, by_urn: dict[str, Any]) -> bool:
    deps = {d.urn for d in dependencies_of(ext, "endpointConfiguration")}
    name, rg = get(endpoint, "logicAppWorkflowName"), get(endpoint, "resourceGroupName")
    if is_unknown(name):
        name_ok = workflow.urn in deps
    else:
        declared_name = _literal(get(workflow.props, "workflowName"))
        name_ok = declared_name is not None and _literal(name) == declared_name
    wf_rg, wf_groups = _rg_names(workflow, by_urn)
    if is_unknown(rg):
        rg_ok = workflow.urn in deps or bool(deps & wf_groups)
    else:
        names = {wf_rg} | {_literal(get(by_urn[u].props, "resourceGroupName")) for u in wf_groups if u in by_urn}
        rg_ok = _literal(rg) in names - {None}
    return name_ok and rg_ok


def _stage_references(args, report_violation, resources: list, extensions: list) -> None:
    """Every custom extension a policy's stages name is one this stack declares (and so is checked above): an
    extension made elsewhere may call anything."""
    urns = {e.urn for e in extensions}
    known_ids = {i.strip().lower() for e in extensions for i in [get(e.props, "extensionId")] if isinstance(i, str)}
    for settings in resources:
        if not (str(settings.resource_type).startswith(DYNAMIC_PREFIX) and get(settings.props, "stages") is not None):
            continue
        label = f"policy settings '{settings.name}'"
        stages = get(settings.props, "stages")
        deps = {d.urn for d in dependencies_of(settings, "stages")}
        if is_unknown(stages):
            if not deps or not deps <= urns:
                unverified(args, report_violation, f"{label} stages", settings.urn)
            continue
        for index, stage in enumerate(elements(stages)):
            ext_id = get(stage, "customExtensionId")
            if is_unknown(stage) or is_unknown(ext_id):
                if not deps or not deps <= urns:  # computed from something that is not a declared extension
                    unverified(args, report_violation, f"{label} stages[{index}].customExtensionId", settings.urn)
            elif isinstance(ext_id, str) and ext_id.strip().lower() not in known_ids:
                report_violation(
                    f"{label} stages[{index}] names a custom extension this stack does not declare: its endpoint "
                    "cannot be checked (declare the extension with AccessPackageCustomExtension)",
                    settings.urn,
                )


@verifying
def _endpoints(args, report_violation) -> None:
    resources = list(args.resources)
    by_urn = {r.urn: r for r in resources}
    workflows = [r for r in resources if is_type(r, WORKFLOW)]
    allowed = {str(s).strip().lower() for s in (args.get_config() or {}).get("allowedSubscriptionIds") or []}
    _stage_references(args, report_violation, resources, [r for r in resources if _is_extension(r)])
    for ext in (r for r in resources if _is_extension(r)):
        label = f"custom extension '{ext.name}'"
        endpoint = get(ext.props, "endpointConfiguration")
        if is_unknown(endpoint):
            unverified(args, report_violation, f"{label} endpointConfiguration", ext.urn)
            continue
        kind = get(endpoint, "@odata.type")
        if is_unknown(kind):
            unverified(args, report_violation, f"{label} endpointConfiguration @odata.type", ext.urn)
            continue
        if (
            not isinstance(endpoint, dict)
            or not isinstance(kind, str)
            or kind.strip().lower() != LOGIC_APP_ENDPOINT.lower()
        ):
            report_violation(
                f"{label} calls an endpoint that is not a Logic App of this stack (endpointConfiguration is not a "
                "logicAppTriggerEndpointConfiguration): every request's requestor, target and answers would go there",
                ext.urn,
            )
            continue
        matching = [w for w in workflows if _matches(ext, endpoint, w, by_urn)]
        if not matching:
            report_violation(
                f"{label} calls a Logic App that this stack does not declare (no azure-native logic Workflow of the "
                "plan has its logicAppWorkflowName and resourceGroupName)",
                ext.urn,
            )
            continue
        subscription = get(endpoint, "subscriptionId")
        if is_unknown(subscription):
            unverified(args, report_violation, f"{label} endpointConfiguration.subscriptionId", ext.urn)
            continue
        if not (isinstance(subscription, str) and is_guid(subscription.strip())):
            report_violation(f"{label} names no subscription GUID for its Logic App", ext.urn)
            continue
        sub = subscription.strip().lower()
        if allowed and sub not in allowed:
            report_violation(f"{label} calls a Logic App in a subscription outside allowedSubscriptionIds", ext.urn)
            continue
        ids = [get(w.props, "id") for w in matching]  # the Workflow's ARM ID, once deployed
        known = [m.group(1).lower() for i in ids if isinstance(i, str) and (m := _SUBSCRIPTION.match(i))]
        if known and sub not in known:
            report_violation(
                f"{label} names another subscription than the Workflow {matching[0].name} it matches", ext.urn
            )


# --- Verified ID on critical journeys ------------------------------------------------------------------------


def _refs(resource: Any, prop: str) -> list[str]:
    urns = [d.urn for d in dependencies_of(resource, prop)]
    return urns + [
        v.strip().lower() for v in elements(resource.props, prop) if isinstance(v, str) and is_guid(v.strip())
    ]


def _names_tier0(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    low = text.lower()
    return next((g for g in TIER0_AD_GROUPS if re.search(rf"(^|[^a-z]){re.escape(g)}([^a-z]|$)", low)), None)


def critical_groups(resources: list, extra: frozenset[str]) -> dict[str, str]:
    """Group refs (URN or object ID) that are tier 0 -> why."""
    critical = {g: "listed in criticalGroupIds" for g in extra}
    for grant in role_grants(resources):
        if grant.role in CRITICAL_ROLE_IDS:
            for ref in [s.urn for s in grant.principal_sources] + (
                [grant.principal] if isinstance(grant.principal, str) else []
            ):
                critical.setdefault(ref, f"holds a critical directory role ({grant.resource.name})")
    for r in resources:
        prop = next((p for t, p in AZURE_ROLE_GRANTS.items() if is_type(r, t)), None)
        if prop and role_guid(get(r.props, "roleDefinitionId")) in CRITICAL_AZURE_ROLE_IDS:
            for ref in _refs(r, prop):
                critical.setdefault(ref, f"holds a critical Azure role ({r.name})")
        if is_type(r, GROUP) and get(r.props, "writebackEnabled") is True:
            tier0 = _names_tier0(get(r.props, "description"))
            if tier0:
                critical.setdefault(r.urn, f"written back to AD and nested into {tier0.title()}")
    return critical


def _settings_by_policy(resources: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in resources:
        if str(r.resource_type).startswith(DYNAMIC_PREFIX) and get(r.props, "graphKind") == SETTINGS_KIND:
            for ref in _refs(r, "policyId"):
                out.setdefault(ref, []).append(r)
    return out


@verifying
def _verified_id(args, report_violation) -> None:
    resources = list(args.resources)
    by_urn = {r.urn: r for r in resources}
    extra = frozenset(str(i).strip().lower() for i in (args.get_config() or {}).get("criticalGroupIds") or [])
    critical = critical_groups(resources, extra)
    settings = _settings_by_policy(resources)
    critical_packages: dict[str, str] = {}
    for grant in (r for r in resources if is_type(r, GRANT)):
        for resource_ref in _refs(grant, "catalogResourceAssociationId"):
            resource = by_urn.get(resource_ref)
            for group in _refs(resource, "resourceOriginId") if resource is not None else []:
                if group in critical:
                    name = by_urn[group].name if group in by_urn else group
                    for package in _refs(grant, "accessPackageId"):
                        critical_packages.setdefault(package, f"group {name} ({critical[group]})")
    for group_settings in settings.values():
        for s in group_settings:
            tier0 = next((g for g in elements(s.props, "onPremisesReach", "adGroups") if _names_tier0(g)), None)
            if tier0:
                for package in _refs(s, "accessPackageId"):
                    critical_packages.setdefault(package, f"on-premises group {str(_names_tier0(tier0)).title()}")
    for policy in (r for r in resources if is_type(r, POLICY)):
        why = next((critical_packages[p] for p in _refs(policy, "accessPackageId") if p in critical_packages), None)
        if why is None:
            continue
        policy_id = get(policy.props, "id")
        keys = [policy.urn] + (
            [policy_id.strip().lower()] if isinstance(policy_id, str) and is_guid(policy_id.strip()) else []
        )
        linked = [s for key in keys for s in settings.get(key, [])]
        label = f"AccessPackageAssignmentPolicy '{policy.name}'"
        required = False
        for s in linked:
            types = get(s.props, "verifiableCredentials", "credentialTypes")
            if is_unknown(types):
                unverified(args, report_violation, f"{label} Verified ID requirement", policy.urn)
                required = True
                break
            if any(isinstance(t, dict) and t.get("credentialType") and elements(t, "issuers") for t in elements(types)):
                required = True
                break
        if not required:
            report_violation(
                f"{label} grants tier-0 {why} without a Verified ID requirement: requestors should prove who they "
                "are (Verified ID, with Face Check) before a request for tier-0 access goes to the approvers",
                policy.urn,
            )


POLICIES = [
    StackValidationPolicy(
        name="logic-app-graph-permissions-least-privilege",
        description="A Logic App's managed identity holds no tenant-wide Microsoft Graph write permission that no step "
        "of its workflow definition needs.",
        validate=_least_privilege,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "critical",
            "Assign the identity only the least-privileged permission of each Graph call its definition makes "
            "(JourneyAutomation derives them from the definition: bulkUpload -> SynchronizationData-User.Upload, "
            "temporaryAccessPassMethods -> UserAuthMethod-TAP.ReadWrite.All, sendMail -> Mail.Send); remove the rest.",
            "Microsoft Graph permissions reference",
            "least privileged permissions",
            "https://learn.microsoft.com/graph/permissions-overview#best-practices-for-using-microsoft-graph-permissions",
        ),
    ),
    StackValidationPolicy(
        name="custom-extension-endpoint-in-stack",
        description="Entitlement-management custom extensions call only Logic Apps this stack declares.",
        validate=_endpoints,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            {
                "allowedSubscriptionIds": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Subscriptions the Logic Apps may live in (empty: any the stack names).",
                }
            }
        ),
        **meta(
            "high",
            "Point the extension at a Logic App the stack declares (JourneyAutomation: a "
            "logicAppTriggerEndpointConfiguration with the Workflow's subscription, resource group and name); never "
            "an HTTP URL or a Logic App elsewhere.",
            "Microsoft Entra ID Governance entitlement management guidance",
            "custom extensions",
            "https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration",
        ),
    ),
    StackValidationPolicy(
        name="critical-journey-verified-id",
        description="Access packages that grant tier-0 groups require a Verified ID from requestors.",
        validate=_verified_id,
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema(
            {
                "criticalGroupIds": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Object IDs of existing groups to treat as tier 0 (e.g. nested into Domain Admins).",
                }
            }
        ),
        **meta(
            "medium",
            "Give the journey verifiedId (credentialType, issuers, faceCheck): AccessPackageJourneys declares an "
            "AssignmentPolicySettings with verifiableCredentials on each of its policies; turn Face Check on in the "
            "portal (docs/journey-automation.md).",
            "Microsoft Entra Verified ID",
            "entitlement management: require Verified ID",
            "https://learn.microsoft.com/entra/id-governance/entitlement-management-verified-id-settings",
        ),
    ),
]
