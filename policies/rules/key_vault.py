"""Policies for Key Vault (issue 20): the vault that holds credentials must keep them recoverable and private, and
decide who reads them through Azure RBAC. Each entry of POLICIES is a pulumi-policy policy; WHEN_UNKNOWN says for
each what it does when a deciding value is unknown at preview (the README's table).

Every shape an author could declare a vault in is judged: azure-native `keyvault:Vault` (in any API version) and
`keyvault:ManagedHsm`, the classic azure provider's `keyvault/keyVault:KeyVault` and
`keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule`, and the separate access-policy resources
of both (`keyvault:AccessPolicy`,
`keyvault/accessPolicy:AccessPolicy`), which exist only to grant access outside RBAC. The Azure defaults are the
unsafe side (Key Vault REST API 2024-11-01 VaultProperties: publicNetworkAccess defaults to enabled,
enableRbacAuthorization to false, networkAcls absent = allow, purge protection off), so a setting left out fails.
The same vault declared through ARM's generic shapes is judged the same way: a `resources:Resource` (any API
version) of type Microsoft.KeyVault/vaults (or managedHSMs, vaults/accessPolicies), an azapi resource of that type,
and each such resource in the template of a `resources:Deployment*` token (Deployment, DeploymentAt*Scope,
DeploymentStack*, any API version) or of the classic provider's template deployments (`templateContent`), the
template as an object or a JSON string, child resources nested in a template resource (their type relative to the
parent's) and inline nested deployments (five levels) included. An `[expression]` in a template is unknown; a
linked template, a template spec, a template string that is not JSON, or a generic resource of an unknown type
cannot be judged and is reported once, by key-vault-purge-protection. `shapes` is shared with the Automation
policies.
A deciding value unknown at preview is reported through `common.unverified`, never passed.
"""

from __future__ import annotations

import json
import re

from privileged_facts.roles import AZURE_ROLE_NAMES, AZURE_ROLES, KEY_VAULT_DATA_ROLE_IDS, role_guid
from privileged_facts.values import UNKNOWN, is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    canonical_type,
    config_schema,
    declared,
    dependencies_of,
    elements,
    get,
    is_type,
    label,
    meta,
    unverified,
    verifying,
)

VAULT = "azure-native:keyvault:Vault"
MANAGED_HSM = "azure-native:keyvault:ManagedHsm"
ACCESS_POLICY = "azure-native:keyvault:AccessPolicy"
CLASSIC_VAULT = "azure:keyvault/keyVault:KeyVault"
CLASSIC_HSM = "azure:keyvault/managedHardwareSecurityModule:ManagedHardwareSecurityModule"
CLASSIC_ACCESS_POLICY = "azure:keyvault/accessPolicy:AccessPolicy"
VAULT_TYPES = (VAULT, MANAGED_HSM, CLASSIC_VAULT, CLASSIC_HSM)
VAULT_SCOPE = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.KeyVault/(vaults|managedHSMs)/[^/]+(/.*)?$",
    re.IGNORECASE,
)

KEY_VAULT_DOCS = "https://learn.microsoft.com/azure/key-vault/general/security-features"

WHEN_UNKNOWN = {
    "key-vault-purge-protection": "An unknown properties object, enablePurgeProtection or enableSoftDelete (classic: "
    "purgeProtectionEnabled, softDeleteRetentionDays), an ARM template expression, or a generic or azapi resource or "
    "deployment template whose resource type is unknown (or a linked template, a template spec, a template string "
    "that is not JSON) is a mandatory 'cannot be verified at preview' violation.",
    "key-vault-no-public-network": "An unknown publicNetworkAccess or networkAcls.defaultAction (classic: "
    "publicNetworkAccessEnabled, networkAcls) is a mandatory 'cannot be verified at preview' violation.",
    "key-vault-data-roles-on-vault": "A Key Vault data role granted at a scope that is unknown at preview and not "
    "computed from a declared vault is a mandatory 'cannot be verified at preview' violation; a grant whose role is "
    "unknown is left to the Azure role policies.",
    "key-vault-rbac-authorization": "An unknown enableRbacAuthorization or accessPolicies list (classic: "
    "enableRbacAuthorization / rbacAuthorizationEnabled, accessPolicies) is a mandatory 'cannot be verified at "
    "preview' violation; an access-policy resource is a violation whatever its values.",
}


# --- the shapes a resource can be declared in ------------------------------------------------------------------

GENERIC = "azure-native:resources:Resource"
DEPLOYMENT_PREFIX = "azure-native:resources:Deployment"  # Deployment, DeploymentAt*Scope, DeploymentStack*
# The classic azure provider's template deployments: the template is a JSON string (templateContent), or a template
# spec the pack cannot read (templateSpecVersionId).
CLASSIC_DEPLOYMENTS = (
    "azure:core/resourceGroupTemplateDeployment:ResourceGroupTemplateDeployment",
    "azure:core/subscriptionTemplateDeployment:SubscriptionTemplateDeployment",
    "azure:core/managementGroupTemplateDeployment:ManagementGroupTemplateDeployment",
    "azure:core/tenantTemplateDeployment:TenantTemplateDeployment",
)
# azapi (a bridged Terraform provider): `type` "<namespace>/<type>@<api version>", `body` the ARM body (an object, or
# a JSON string in older versions); UpdateResource patches an existing resource with the same body.
AZAPI = ("azapi:index/resource:Resource", "azapi:index/updateResource:UpdateResource")
# ARM resource type (lower case) -> the azure-native token whose wire shape its properties are judged in, and whether
# that token flattens ARM's `properties` to the top (the Automation resources) or keeps it (Key Vault).
ARM_TYPES: dict[str, tuple[str, bool]] = {
    "microsoft.keyvault/vaults": (VAULT, False),
    "microsoft.keyvault/managedhsms": (MANAGED_HSM, False),
    "microsoft.keyvault/vaults/accesspolicies": (ACCESS_POLICY, False),
    "microsoft.automation/automationaccounts": ("azure-native:automation:AutomationAccount", True),
    "microsoft.automation/automationaccounts/credentials": ("azure-native:automation:Credential", True),
    "microsoft.automation/automationaccounts/certificates": ("azure-native:automation:Certificate", True),
    "microsoft.automation/automationaccounts/connections": ("azure-native:automation:Connection", True),
    "microsoft.automation/automationaccounts/variables": ("azure-native:automation:Variable", True),
    "microsoft.automation/automationaccounts/webhooks": ("azure-native:automation:Webhook", True),
    "microsoft.automation/automationaccounts/hybridrunbookworkergroups": (
        "azure-native:automation:HybridRunbookWorkerGroup",
        True,
    ),
    "microsoft.automation/automationaccounts/runbooks": ("azure-native:automation:Runbook", True),
    "microsoft.automation/automationaccounts/jobschedules": ("azure-native:automation:JobSchedule", True),
    "microsoft.automation/automationaccounts/sourcecontrols": ("azure-native:automation:SourceControl", True),
    # code the deployment runs with a managed identity (rules.dynamic_resources: deployment-code-reviewed)
    "microsoft.resources/deploymentscripts": ("azure-native:resources:AzureCliScript", False),
}
UNKNOWN_KIND = "unknown"


class Shape:
    """One resource as a policy judges it: the azure-native token its properties are in, the properties (wire
    names), and how messages name it."""

    def __init__(self, kind: str, props, where: str) -> None:
        self.kind, self.props, self.where = kind, props, where

    def of(self, *tokens: str) -> bool:
        return self.kind != UNKNOWN_KIND and is_type(self.kind, *tokens)


def _expressions_unknown(value):
    """An ARM template value with its `[expression]` strings (parameters, references) as UNKNOWN: the gate cannot
    evaluate them, so they decide nothing."""
    if isinstance(value, dict):
        return {k: _expressions_unknown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expressions_unknown(v) for v in value]
    if isinstance(value, str) and value.startswith("[") and value.endswith("]") and not value.startswith("[["):
        return UNKNOWN
    return value


def arm_type_name(value) -> object:
    """An ARM resource type as ARM matches it: lower case, no spaces, no `@<api version>` suffix (azapi, Bicep);
    UNKNOWN when unknown; None when not a string."""
    if is_unknown(value):
        return UNKNOWN
    if not isinstance(value, str):
        return None
    return "".join(value.split()).split("@", 1)[0].strip("/").lower()


def _arm_shape(arm_type, body, where: str) -> Shape | None:
    """The shape of one ARM resource body ({name, properties, identity, ...}) of `arm_type`; None when it is not a
    type these policies judge."""
    arm_type = arm_type_name(arm_type)
    if is_unknown(arm_type) or not isinstance(arm_type, str):
        return Shape(UNKNOWN_KIND, None, where)
    known = ARM_TYPES.get(arm_type)
    if known is None:
        return None
    token, flatten = known
    if is_unknown(body):
        return Shape(token, UNKNOWN, where)
    body = body if isinstance(body, dict) else {}
    if not flatten:
        return Shape(token, body, where)
    properties = get(body, "properties")
    if is_unknown(properties):
        return Shape(token, UNKNOWN, where)
    name = get(body, "name")
    short = name.rsplit("/", 1)[-1] if isinstance(name, str) else name
    properties = properties if isinstance(properties, dict) else {}
    return Shape(token, {**properties, "identity": get(body, "identity"), "name": short}, where)


NESTED_DEPLOYMENT = "microsoft.resources/deployments"
MAX_NESTING = 5


def _json_object(value):
    """A template or body given as a JSON string, parsed; UNKNOWN when it is a string that is not a JSON object (the
    pack cannot read it); anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        return UNKNOWN
    return parsed if isinstance(parsed, dict) else UNKNOWN


def _template_shapes(template, where: str, depth: int) -> list[Shape]:
    """The judged resources of an ARM template, nested deployments included (an inline nested template is read, a
    linked one or one nested deeper than MAX_NESTING is an unknown shape)."""
    template = _json_object(template)
    if is_unknown(template) or not isinstance(template, dict):
        return [Shape(UNKNOWN_KIND, None, where)]
    resources = get(template, "resources")
    if is_unknown(resources):
        return [Shape(UNKNOWN_KIND, None, where)]
    items = list(resources.values()) if isinstance(resources, dict) else elements(resources)
    return _resources_shapes(items, where, depth, parent=None)


def _resources_shapes(items: list, where: str, depth: int, parent: str | None) -> list[Shape]:
    """The judged resources of a template's resource list, and of the child resources nested in each (a child's
    type is relative to its parent's: `accessPolicies` in a vault is Microsoft.KeyVault/vaults/accessPolicies)."""
    found: list[Shape] = []
    for index, item in enumerate(items):
        item = _expressions_unknown(item)
        here = f"{where} resource {index}"
        if is_unknown(item):
            found.append(Shape(UNKNOWN_KIND, None, here))
            continue
        if get(item, "existing") is True:  # a reference to a resource deployed elsewhere: declares nothing here
            continue
        kind = arm_type_name(get(item, "type"))
        if isinstance(kind, str) and parent is not None and "/" not in kind:
            kind = f"{parent}/{kind}"
        if kind == NESTED_DEPLOYMENT:
            inner = get(item, "properties", "template")
            if depth >= MAX_NESTING or inner is None or is_unknown(inner):
                found.append(Shape(UNKNOWN_KIND, None, f"{here} (a nested deployment)"))
            else:
                found += _template_shapes(inner, f"{here} template", depth + 1)
            continue
        shape = _arm_shape(kind, item, here)
        if shape:
            found.append(shape)
        children = get(item, "resources")
        if children is not None:
            if is_unknown(children) or not isinstance(kind, str) or depth >= MAX_NESTING:
                found.append(Shape(UNKNOWN_KIND, None, f"{here} child resources"))
            else:
                child_items = list(children.values()) if isinstance(children, dict) else elements(children)
                found += _resources_shapes(child_items, f"{here} child", depth + 1, parent=kind)
    return found


def _generic_shapes(props, where: str) -> list[Shape]:
    namespace, kind = get(props, "resourceProviderNamespace"), get(props, "resourceType")
    parent = get(props, "parentResourcePath")
    if any(is_unknown(v) for v in (namespace, kind, parent)):
        return [Shape(UNKNOWN_KIND, None, where)]
    parents = [p for p in str(parent or "").split("/") if p][0::2]
    arm_type = "/".join([str(namespace), *parents, str(kind)])
    body = props if isinstance(props, dict) else {}
    shape = _arm_shape(arm_type, {**body, "name": get(props, "resourceName")}, where)
    return [shape] if shape else []


def _azapi_shapes(props, where: str) -> list[Shape]:
    kind, body = get(props, "type"), _json_object(get(props, "body"))
    if is_unknown(kind) or is_unknown(body):
        return [Shape(UNKNOWN_KIND, None, where)]
    body = body if isinstance(body, dict) else {}
    shape = _arm_shape(kind, {**body, "name": get(props, "name")}, where)
    return [shape] if shape else []


def _deployment_shapes(props, where: str) -> list[Shape]:
    settings = get(props, "properties")
    inner = settings if isinstance(settings, dict) or is_unknown(settings) else props
    template, link = get(inner, "template"), get(inner, "templateLink")
    if is_unknown(template) or template is None and link is not None:
        return [Shape(UNKNOWN_KIND, None, f"{where} template")]
    return _template_shapes(template if template is not None else {}, f"{where} template", depth=0)


def _classic_deployment_shapes(props, where: str) -> list[Shape]:
    template, spec = get(props, "templateContent"), get(props, "templateSpecVersionId")
    if is_unknown(template) or template is None and spec is not None:
        return [Shape(UNKNOWN_KIND, None, f"{where} template")]
    return _template_shapes(template if template is not None else {}, f"{where} template", depth=0)


def shapes(args) -> list[Shape]:
    """What one resource declares, in the shapes the Key Vault and Automation policies judge: the resource itself,
    a generic `resources:Resource` or azapi resource of a judged ARM type, or every judged resource in the template
    of a `resources:Deployment*` or a classic template deployment (an unknown or unreadable template, a template
    link or spec, or an unknown resource type is one unknown shape)."""
    token, where = args.resource_type, label(args)
    if is_type(token, GENERIC):
        return _generic_shapes(get(args.props), where)
    if is_type(token, *AZAPI):
        return _azapi_shapes(get(args.props), where)
    if is_type(token, *CLASSIC_DEPLOYMENTS):
        return _classic_deployment_shapes(get(args.props), where)
    if isinstance(token, str) and canonical_type(token).startswith(DEPLOYMENT_PREFIX):
        return _deployment_shapes(get(args.props), where)
    return [Shape(canonical_type(token), args.props, where)]


# --- where a data-plane or job role is granted -------------------------------------------------------------------

AZURE_GRANTS = {  # token -> (role key, scope key): every resource that grants an Azure role
    "azure-native:authorization:RoleAssignment": ("roleDefinitionId", "scope"),
    "azure-native:authorization:PimRoleEligibilitySchedule": ("roleDefinitionId", "scope"),
    "azure:authorization/assignment:Assignment": ("roleDefinitionId", "scope"),
}


def _granted_role(resource, key: str):
    """The role GUID a grant names (by ID, or the classic provider's roleDefinitionName); UNKNOWN; or None."""
    value = declared(resource, key)
    if is_unknown(value):
        return UNKNOWN
    guid = role_guid(value)
    if guid:
        return guid
    name = declared(resource, "roleDefinitionName")
    if is_unknown(name):
        return UNKNOWN
    if isinstance(name, str):
        return {n.lower(): i for n, i in AZURE_ROLES.items()}.get(name.strip().lower())
    return None


def role_scope_policy(role_ids: frozenset[str], scope: re.Pattern[str], targets: tuple[str, ...], what: str):
    """A stack policy: a grant of one of `role_ids` is scoped at a `scope` resource (a literal ARM ID matching the
    pattern, or a scope computed from a declared resource of `targets`, the project's property-dependency link);
    a broader literal scope is a violation, a scope that is neither is unverified. Grants whose role is unknown are
    left to the Azure role policies (they judge unknown roles at broad scopes)."""

    @verifying
    def validate(args, report) -> None:
        by_urn = {r.urn: r for r in args.resources}
        for res in args.resources:
            keys = next((k for t, k in AZURE_GRANTS.items() if is_type(res, t)), None)
            if keys is None:
                continue
            role = _granted_role(res, keys[0])
            if role is UNKNOWN or role not in role_ids:
                continue
            name = AZURE_ROLE_NAMES.get(role, role)
            value = declared(res, keys[1])
            if isinstance(value, str) and not is_unknown(value):
                if not scope.match(value.strip()):
                    report(
                        f"{label(res)}: {name} is granted at a scope broader than one {what} ({value.strip()!r}): it "
                        f"reaches every {what} under it. Grant it on the {what} itself.",
                        res.urn,
                    )
                continue
            deps = [by_urn.get(d.urn) for d in dependencies_of(res, keys[1])]
            if deps and all(d is not None and is_type(d, *targets) for d in deps):
                continue
            unverified(args, report, f"{label(res)} scope (of {name})", res.urn)

    return validate


def _settings(props) -> tuple[object, str]:
    """(the object the vault settings sit in, how messages prefix them): azure-native nests them in `properties`,
    the classic provider puts them at the top."""
    return (get(props, "properties"), "properties.")


def _is_classic(shape: Shape) -> bool:
    return shape.of(CLASSIC_VAULT, CLASSIC_HSM)


def _check(args, report, shape: Shape, problems: list[str], unknown: list[str]) -> None:
    for problem in problems:
        report(f"{shape.where}: {problem}")
    for what in unknown:
        unverified(args, report, f"{shape.where} {what}")


def _judged(args, report, tokens: tuple[str, ...], first: bool):
    """The shapes of `args` that are of `tokens`; an unknown shape is reported (by the area's first policy only)."""
    for shape in shapes(args):
        if shape.kind == UNKNOWN_KIND:
            if first:
                unverified(args, report, f"{shape.where} resource type (it may declare a Key Vault)")
            continue
        if shape.of(*tokens):
            yield shape


@verifying
def _purge_protection(args, report) -> None:
    for shape in _judged(args, report, VAULT_TYPES, first=True):
        problems: list[str] = []
        unknown: list[str] = []
        if _is_classic(shape):
            purge = get(shape.props, "purgeProtectionEnabled")
            if is_unknown(purge):
                unknown.append("purgeProtectionEnabled")
            elif purge is not True:
                problems.append("purgeProtectionEnabled is not true: a deleted vault and its secrets can be purged.")
            if is_unknown(get(shape.props, "softDeleteRetentionDays")):
                unknown.append("softDeleteRetentionDays")
            _check(args, report, shape, problems, unknown)
            continue
        settings, prefix = _settings(shape.props)
        if is_unknown(settings):
            _check(args, report, shape, [], ["properties"])
            continue
        purge, soft = get(settings, "enablePurgeProtection"), get(settings, "enableSoftDelete")
        if is_unknown(purge):
            unknown.append(prefix + "enablePurgeProtection")
        elif purge is not True:
            problems.append(
                f"{prefix}enablePurgeProtection is not true: a deleted vault and its secrets can be purged before "
                "the retention period ends, so a rotated credential is lost for good."
            )
        if is_unknown(soft):
            unknown.append(prefix + "enableSoftDelete")
        elif soft is False:
            problems.append(f"{prefix}enableSoftDelete is false: deleted secrets are not recoverable.")
        _check(args, report, shape, problems, unknown)


def _disabled(value) -> bool:
    return isinstance(value, str) and value.strip().lower() == "disabled"


@verifying
def _no_public_network(args, report) -> None:
    for shape in _judged(args, report, VAULT_TYPES, first=False):
        problems: list[str] = []
        unknown: list[str] = []
        if _is_classic(shape):
            public = get(shape.props, "publicNetworkAccessEnabled")
            if is_unknown(public):
                unknown.append("publicNetworkAccessEnabled")
            elif public is not False:
                problems.append("publicNetworkAccessEnabled is not false (the default is true).")
            acls = elements(shape.props, "networkAcls")
            action = get(acls[0], "defaultAction") if acls else None
        else:
            settings, _prefix = _settings(shape.props)
            if is_unknown(settings):
                _check(args, report, shape, [], ["properties"])
                continue
            public = get(settings, "publicNetworkAccess")
            if is_unknown(public):
                unknown.append("properties.publicNetworkAccess")
            elif not _disabled(public):
                shown = "not set (enabled, the default)" if public is None else "not Disabled"
                problems.append(f"properties.publicNetworkAccess is {shown}.")
            action = get(settings, "networkAcls", "defaultAction")
        if is_unknown(action):
            unknown.append("networkAcls.defaultAction")
        elif not (isinstance(action, str) and action.strip().lower() == "deny"):
            shown = "not set (Allow, the default)" if action is None else "Allow"
            problems.append(f"networkAcls.defaultAction is {shown}: any network may reach the vault.")
        if problems:
            problems[-1] += (
                " Reach the vault through a private endpoint (privatelink.vaultcore.azure.net) with public network "
                "access Disabled and networkAcls.defaultAction Deny."
            )
        _check(args, report, shape, problems, unknown)


@verifying
def _rbac(args, report) -> None:
    for shape in _judged(args, report, (VAULT, CLASSIC_VAULT, ACCESS_POLICY, CLASSIC_ACCESS_POLICY), first=False):
        if shape.of(ACCESS_POLICY, CLASSIC_ACCESS_POLICY):
            report(
                f"{shape.where}: a Key Vault access policy grants data-plane access outside Azure RBAC (not "
                "scoped, not in PIM, not in access reviews); grant a Key Vault role on the vault instead."
            )
            continue
        problems: list[str] = []
        unknown: list[str] = []
        if _is_classic(shape):
            keys = [k for k in ("enableRbacAuthorization", "rbacAuthorizationEnabled") if k in (shape.props or {})]
            values = [get(shape.props, k) for k in keys]
            policies = get(shape.props, "accessPolicies")
            prefix = ""
            keys = keys or ["enableRbacAuthorization"]
        else:
            settings, prefix = _settings(shape.props)
            if is_unknown(settings):
                _check(args, report, shape, [], ["properties"])
                continue
            values = [get(settings, "enableRbacAuthorization")]
            keys = ["enableRbacAuthorization"]
            policies = get(settings, "accessPolicies")
        if any(is_unknown(v) for v in values):
            unknown.append(prefix + keys[0])
        elif True not in values:
            problems.append(
                f"{prefix}enableRbacAuthorization is not true, so the vault uses access policies: data-plane access "
                "outside Azure RBAC (the default is false)."
            )
        if is_unknown(policies):
            unknown.append(prefix + "accessPolicies")
        elif elements(policies):
            count = len(elements(policies))
            problems.append(f"{prefix}accessPolicies lists {count} access policies; use Key Vault roles.")
        _check(args, report, shape, problems, unknown)


POLICIES = [
    StackValidationPolicy(
        name="key-vault-data-roles-on-vault",
        description="Key Vault data-plane roles (Administrator, Secrets, Certificates and Crypto roles) are granted on "
        "one vault, never on a resource group, subscription or management group.",
        validate=role_scope_policy(KEY_VAULT_DATA_ROLE_IDS, VAULT_SCOPE, VAULT_TYPES, "Key Vault"),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set the role assignment's scope to the vault's ID (or the secret's), not its resource group or "
            "subscription.",
            "Microsoft cloud security benchmark",
            "PA-7: follow just enough administration (least privilege)",
            "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
        ),
    ),
    ResourceValidationPolicy(
        name="key-vault-purge-protection",
        description="A Key Vault or Managed HSM has purge protection on and soft delete not turned off.",
        validate=_purge_protection,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.enablePurgeProtection true and leave enableSoftDelete true (or use the "
            "OnPremisesAutomation component).",
            "Microsoft cloud security benchmark",
            "DP-8: ensure security of key and certificate repository",
            KEY_VAULT_DOCS,
        ),
    ),
    ResourceValidationPolicy(
        name="key-vault-no-public-network",
        description="A Key Vault or Managed HSM is not reachable from public networks: public network access "
        "Disabled and network ACLs that deny by default.",
        validate=_no_public_network,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.publicNetworkAccess Disabled and networkAcls.defaultAction Deny, and add a private "
            "endpoint (sub-resource vault) with the privatelink.vaultcore.azure.net zone.",
            "Microsoft cloud security benchmark",
            "NS-2: secure cloud services with network controls",
            KEY_VAULT_DOCS,
        ),
    ),
    ResourceValidationPolicy(
        name="key-vault-rbac-authorization",
        description="A Key Vault authorises data-plane access with Azure RBAC, never access policies.",
        validate=_rbac,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set properties.enableRbacAuthorization true, remove accessPolicies and AccessPolicy resources, and "
            "grant Key Vault Secrets User/Officer on the vault to the identities that need it.",
            "Microsoft cloud security benchmark",
            "PA-7: follow just enough administration (least privilege)",
            "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
        ),
    ),
]
