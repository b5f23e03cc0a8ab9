"""Policies for journey automation (issue 20): the Logic Apps that entitlement management calls, the custom
extensions that call them, and the Verified ID requirement of critical journeys.

- `logic-app-graph-permissions-least-privilege` (stack): a Microsoft Graph app-role assignment whose principal is a
  workflow's managed identity (the assignment's principalObjectId flows from an azure-native logic Workflow, or from
  a user-assigned identity a Workflow uses: by dependency, or by the identity's ARM ID, case-folded, matching a
  declared UserAssignedIdentity's resource group and name) holds no tenant-wide write permission that no HTTP action
  of the workflow's definition needs. What a step needs is derived from the definition: each HTTP action's method
  and Graph URI against privileged_facts.graph_permissions, and only the least-privileged permission of each call
  counts (bulkUpload -> SynchronizationData-User.Upload, a Temporary Access Pass -> UserAuthMethod-TAP.ReadWrite.All,
  never its broader UserAuthenticationMethod.ReadWrite.All, sendMail -> Mail.Send, ...). An HTTP action that reaches
  Graph or ARM (or a URI the gate cannot tell) as anything but the workflow's managed identity (ActiveDirectoryOAuth
  with an app's secret, ClientCertificate, Basic, Raw, an Authorization header), or that sends the identity's Graph
  or ARM token to another host, is a violation: the app or token holds permissions the plan never shows; a
  managed-connector action (ApiConnection, through a stored connection) is unverified. An unknown
  definition, app role, authentication or identity is unverified, never fine; so are the write permissions of a
  Standard Logic App (a WebApp of kind workflowapp), whose definitions are files the plan cannot show, and a
  tenant-wide Graph write permission given to a principal that is no resource of the plan (a literal or looked-up
  object ID: it may be a Logic App's identity made elsewhere).
- `custom-extension-endpoint-in-stack` (stack): every entitlement-management custom extension (a dynamic resource of
  graphKind accessPackageCustomExtension, or any dynamic resource carrying an endpointConfiguration) calls a Logic
  App this stack declares: its logicAppWorkflowName and resourceGroupName match a Workflow of the plan (literally,
  or by flowing from it) and its subscriptionId is that Workflow's: it flows from the Workflow (its ARM ID), or the
  extension's workflowId (flowing from the Workflow, known after a deployment) names it, or it is one of
  `allowedSubscriptionIds`. Policies cannot read the stack's `azure-native:subscriptionId` (pulumi-policy keeps only
  the stack tags of the engine's ConfigureStack), so a literal subscription otherwise is unverified. Any other
  endpoint (an HTTP URL, a Logic App elsewhere) is a violation: the extension would send every request's requestor,
  target and answers there, and its answer can steer the request. So is a policy's custom extension stage that
  names an extension the stack does not declare.
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
from urllib.parse import urlsplit

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
    declared,
    dependencies_of,
    elements,
    get,
    is_type,
    meta,
    normal_scope,
    role_grants,
    unverified,
    verifying,
)

WORKFLOW = "azure-native:logic:Workflow"
WEB_APP = "azure-native:web:WebApp"  # a Standard Logic App is a WebApp of kind "...workflowapp"
USER_ASSIGNED_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
APP_ROLE_ASSIGNMENT = "azuread:index/appRoleAssignment:AppRoleAssignment"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
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
    "verified at preview' violation for every write permission the identity holds; so is an unknown authentication "
    "or headers of an HTTP action to Graph or ARM (or to a URI the gate cannot tell), a managed-identity request (an "
    "action, a polling trigger, a webhook's subscribe or unsubscribe call) whose host an expression decides or whose "
    "audience the gate cannot tell, a managed-identity action of another type (Function), a definition part unknown "
    "at preview, keys that differ only in case, and a managed-connector action "
    "(ApiConnection: a stored connection's credentials). Principals are linked to workflows through property "
    "dependencies (unknown object IDs), a known identity principalId, or a user-assigned identity's ARM ID "
    "(case-folded resource group and name) matching a declared UserAssignedIdentity; a workflow identity the pack "
    "cannot resolve (an undeclared or autonamed user-assigned identity, a literal ARM ID whose subscription cannot be "
    "tied to the declared identity, an identity computed from another resource) is unverified, and so is a "
    "tenant-wide Graph write permission given to a principal that is no declared resource (a literal or looked-up "
    "object ID, another stack's output), in any stack.",
    "custom-extension-endpoint-in-stack": "An unknown endpointConfiguration or endpoint type is a mandatory 'cannot "
    "be verified at preview' violation; an unknown subscriptionId passes only when it flows from the Workflow the "
    "endpoint names (else unverified), and a literal one is unverified unless it is in allowedSubscriptionIds or the "
    "extension's workflowId (flowing from that Workflow, known after a deployment) names it: policies never see the "
    "stack's azure-native:subscriptionId. An unknown workflow name or resource group counts only when it flows from "
    "a declared Workflow (or its resource group); otherwise the extension is reported as calling an endpoint outside "
    "the stack. A policy stage's unknown customExtensionId counts only when it flows from declared extensions.",
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


def _guid(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and is_guid(value.strip()) else None


_UAI_TAIL = re.compile(
    r"/resourcegroups/([^/]+)/providers/microsoft\.managedidentity/userassignedidentities/([^/]+)$", re.IGNORECASE
)


def uai_key(arm_id: Any) -> tuple[str, str] | None:
    """(resource group, name) of a user-assigned identity's ARM ID, case-folded as ARM compares them (spaces and
    repeated or trailing slashes dropped), or None when it is not one."""
    if not isinstance(arm_id, str) or is_unknown(arm_id):
        return None
    m = _UAI_TAIL.search(normal_scope(arm_id))
    return (m.group(1), m.group(2)) if m else None


def _same_subscription(arm_id: Any, known_id: Any) -> bool:
    """Both ARM IDs are known and name the same subscription."""
    a, b = (_SUBSCRIPTION.match(normal_scope(i) + "/") if isinstance(i, str) else None for i in (arm_id, known_id))
    return bool(a and b and a.group(1).lower() == b.group(1).lower())


def _declared_uai_keys(uai: Any) -> set[tuple[str, str]]:
    """The (resource group, name) a declared UserAssignedIdentity is known by: its known ARM ID, and its literal
    resourceGroupName with its literal resourceName (or known name)."""
    keys = {k for k in [uai_key(get(uai.props, "id"))] if k}
    rg = _literal(get(uai.props, "resourceGroupName"))
    for name in (get(uai.props, "resourceName"), get(uai.props, "name")):
        if rg and _literal(name):
            keys.add((rg, str(_literal(name))))
    return keys


def _user_assigned_refs(workflow: Any) -> tuple[list, bool]:
    """The ARM IDs (keys of the output map, or members of the input list) of the user-assigned identities a
    Workflow's identity names, and whether that list is unknown."""
    ids = get(workflow.props, "identity", "userAssignedIdentities")
    if is_unknown(ids):
        return [], True
    if isinstance(ids, dict):
        return list(ids), False
    return elements(ids), any(is_unknown(i) for i in elements(ids))


class _Identities:
    """Which workflows each identity of the plan belongs to: by URN (the Workflow itself for its system-assigned
    identity, each declared UserAssignedIdentity it uses) and by known principal ID; and what cannot be resolved."""

    def __init__(self, resources: list, workflows: list) -> None:
        self.by_urn: dict[str, list] = {}
        self.by_principal: dict[str, list] = {}
        self.unresolved: list[tuple[Any, str]] = []  # (workflow, what)
        uais = [r for r in resources if is_type(r, USER_ASSIGNED_IDENTITY)]
        uai_by_key = {k: u for u in uais for k in _declared_uai_keys(u)}
        for w in workflows:
            self._add(w.urn, w)
            principal = _guid(get(w.props, "identity", "principalId"))
            if principal:
                self.by_principal.setdefault(principal, []).append(w)
            uai_deps = [d for d in _sources(w, "identity") if is_type(d, USER_ASSIGNED_IDENTITY)]
            for dep in uai_deps:
                self._add_uai(dep, w)
            identity = declared(w, "identity")  # None: the program declares no identity (a computed output)
            kind = get(identity, "type")
            if identity is None or (isinstance(kind, str) and "userassigned" not in kind.lower()):
                continue  # no identity, or only the system-assigned one (the Workflow's URN above)
            if is_unknown(identity) or is_unknown(kind):
                if not uai_deps:
                    self.unresolved.append((w, "identity"))
                continue
            refs, unknown = _user_assigned_refs(w)
            if unknown and not uai_deps:
                self.unresolved.append((w, "identity.userAssignedIdentities"))
            for ref in refs:
                key = uai_key(ref)
                if key is not None and key in uai_by_key:
                    uai = uai_by_key[key]
                    self._add_uai(uai, w)  # judged as the workflow's identity either way
                    if uai not in uai_deps and not _same_subscription(ref, get(uai.props, "id")):
                        self.unresolved.append(
                            (
                                w,
                                "identity.userAssignedIdentities (a literal ARM ID: the gate cannot tell that its "
                                f"subscription is the declared {uai.name}'s rather than another identity of that "
                                "resource group and name; let it flow from the UserAssignedIdentity's id)",
                            )
                        )
                elif key is not None or not uai_deps:
                    self.unresolved.append(
                        (w, "identity.userAssignedIdentities (a user-assigned identity the stack does not declare)")
                    )
            values = get(w.props, "identity", "userAssignedIdentities")
            for value in values.values() if isinstance(values, dict) else ():  # outputs: {armId: {principalId}}
                principal = _guid(get(value, "principalId"))
                if principal:
                    self.by_principal.setdefault(principal, []).append(w)

    def _add(self, urn: str, workflow: Any) -> None:
        owners = self.by_urn.setdefault(urn, [])
        owners += [] if workflow in owners else [workflow]

    def _add_uai(self, uai: Any, workflow: Any) -> None:
        self._add(uai.urn, workflow)
        principal = _guid(get(uai.props, "principalId"))
        if principal:
            self.by_principal.setdefault(principal, []).append(workflow)

    def owners(self, assignment: Any) -> list:
        """The Workflows whose identity the assignment's principal is: it flows from the Workflow or from an identity
        it uses, or equals one's known principal ID."""
        key = _principal_key(assignment)
        found: list = []
        for r in _upstream(assignment, key):
            found += [w for w in self.by_urn.get(r.urn, []) if w not in found]
        literal = _guid(get(assignment.props, key))
        found += [w for w in self.by_principal.get(literal or "", []) if w not in found]
        return found


def _known_object_ids(resources: list) -> set[str]:
    """Every object ID the plan knows a declared principal by: an azuread object's objectId, a managed identity's
    identity.principalId, a user-assigned identity's principalId (never a reference to one, such as an assignment's
    principalId: naming an ID does not declare it)."""
    ids: set[str] = set()
    for r in resources:
        paths: list[tuple[str, ...]] = [("identity", "principalId")]
        if not _is_app_role_assignment(r):
            paths.append(("objectId",))
        if is_type(r, USER_ASSIGNED_IDENTITY):
            paths.append(("principalId",))
        for path in paths:
            value = _guid(get(r.props, *path))
            if value:
                ids.add(value)
    return ids


def _unresolved_principal(assignment: Any, known_ids: set[str]) -> bool:
    """The assignment's principal is no resource of the plan: a literal object ID no declared resource has, or a
    value computed from nothing the plan declares. Such a principal may be any identity, a Logic App's included."""
    key = _principal_key(assignment)
    value = get(assignment.props, key)
    if is_unknown(value):  # computed from nothing the plan declares, or only from another stack's outputs
        return all(is_type(r, STACK_REFERENCE) for r in _upstream(assignment, key))
    literal = _guid(value)
    return literal is None or literal not in known_ids


def walk_actions(definition: Any) -> tuple[list[tuple[str, dict]], bool]:
    """(name, action) of every action in a definition (If/Switch/Scope/Until/Foreach branches too), and whether some
    part of the definition was unknown."""
    found: list[tuple[str, dict]] = []
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
            found.append((name, action))
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
    walk(get(definition, "triggers"))  # a polling HTTP trigger calls with the workflow's identity too
    return found, unknown


def _is_http(action: dict) -> Any:
    """True/False whether an action is an HTTP call, UNKNOWN when its type is unknown."""
    kind = get(action, "type")
    if is_unknown(kind):
        return UNKNOWN
    return isinstance(kind, str) and kind.strip().lower() in ("http", "httpwebhook")


def http_actions(definition: Any) -> tuple[list[tuple[str, Any, Any]], bool]:
    """(name, method, uri) of every HTTP action in a definition (If/Switch/Scope/Until/Foreach branches too), and
    whether some part of the definition was unknown."""
    actions, unknown = walk_actions(definition)
    found = []
    for name, action in actions:
        http = _is_http(action)
        if is_unknown(http):
            unknown = True
        elif http:
            found.append((name, get(action, "inputs", "method"), get(action, "inputs", "uri")))
    return found, unknown


def needed_permissions(definition: Any) -> tuple[set[str], list[str], dict[str, str]]:
    """What the definition's Graph calls need (the least-privileged permission of each call: a broader alternative
    is never needed), why it cannot be told (unknown parts, Graph calls the pack does not know), and each broader
    alternative -> the narrower permission its call needs."""
    if is_unknown(definition):
        return set(), ["the workflow definition"], {}
    actions, unknown = http_actions(definition)
    needed: set[str] = set()
    broader: dict[str, str] = {}
    gaps = ["part of the workflow definition"] if unknown else []
    for name, method, uri in actions:
        if is_unknown(method) or is_unknown(uri):
            gaps.append(f"HTTP action {name!r} method or uri")
            continue
        permissions = needed_for(method, uri)
        if permissions is None:
            gaps.append(f"HTTP action {name!r} (a Graph call whose permission the pack does not know)")
            continue
        if permissions:
            needed.add(permissions[0])
            for higher in permissions[1:]:
                broader.setdefault(higher, permissions[0])
    return needed, gaps, broader


# Hosts whose tokens carry tenant-wide power (Microsoft Graph and Azure Resource Manager, every national cloud)
MICROSOFT_API_HOSTS = frozenset(
    {
        "graph.microsoft.com",
        "graph.microsoft.us",
        "dod-graph.microsoft.us",
        "microsoftgraph.chinacloudapi.cn",
        "management.azure.com",
        "management.core.windows.net",
        "management.usgovcloudapi.net",
        "management.chinacloudapi.cn",
    }
)
MANAGED_IDENTITY_AUTH = "managedserviceidentity"
CONNECTOR_ACTIONS = frozenset({"apiconnection", "apiconnectionwebhook", "apimanagement"})
"""Action types that call through a stored connection (a user's or an app's credentials kept in a
Microsoft.Web/connections resource or API Management), never through the workflow's managed identity as declared."""


def _host(uri: Any) -> Any:
    """The host a URI calls when its literal text fixes it (scheme and authority before any expression, ended by
    '/'), None when an expression starts the URI or follows the host directly ('https://graph.microsoft.com@{x}'
    may become any host), UNKNOWN when the URI is unknown."""
    if is_unknown(uri):
        return UNKNOWN
    if not isinstance(uri, str):
        return None
    text = uri.strip()
    prefix = re.split(r"@\{|^@", text, maxsplit=1)[0]
    if prefix != text and prefix.count("/") < 3:  # the expression is part of the authority
        return None
    if "\\" in prefix or re.search(r"\s", prefix):  # parsers disagree on where such an authority ends
        return None
    try:
        host = urlsplit(prefix).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


# Microsoft Graph and Azure Resource Manager by application ID: an audience may name the API that way too
MICROSOFT_API_APP_IDS = frozenset({"00000003-0000-0000-c000-000000000000", "797f4846-ba00-4fd7-ba43-dac1f8f63013"})


def _audience_host(audience: Any) -> str | None:
    if not isinstance(audience, str):
        return None
    try:
        host = urlsplit(audience.strip()).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def _microsoft_audience(audience: Any) -> Any:
    """True when a managed identity's token for `audience` carries Graph or ARM power (a Microsoft API host or a
    subdomain of one, or the API's application ID), False for another literal audience, UNKNOWN when the gate cannot
    tell (unknown at preview, an expression, none given: the platform then picks one)."""
    if is_unknown(audience) or not isinstance(audience, str) or not audience.strip():
        return UNKNOWN
    text = audience.strip()
    if text.startswith("@") or "@{" in text:
        return UNKNOWN
    if text.lower() in MICROSOFT_API_APP_IDS:
        return True
    host = _audience_host(text)
    if host is None:
        return False if is_guid(text) else UNKNOWN
    return any(host == h or host.endswith("." + h) for h in MICROSOFT_API_HOSTS)


def _folded(value: Any) -> Any:
    """A dict with its keys in lower case (the workflow language matches property names without case), UNKNOWN when
    two keys differ only in case (which one the platform reads is not the gate's to guess)."""
    if not isinstance(value, dict):
        return value
    folded = {k.lower(): v for k, v in value.items() if isinstance(k, str)}
    return UNKNOWN if len(folded) != len(value) else folded


def _calls(inputs: Any) -> list[tuple[Any, Any, Any]]:
    """(uri, authentication, headers) of each request an action's inputs make: the request itself, and an
    HttpWebhook's subscribe and unsubscribe calls."""
    calls = [(get(inputs, "uri"), get(inputs, "authentication"), get(inputs, "headers"))]
    for part in ("subscribe", "unsubscribe"):
        sub = _folded(get(inputs, part))
        if is_unknown(sub):
            calls.append((UNKNOWN, UNKNOWN, UNKNOWN))
        elif isinstance(sub, dict) and sub:
            calls.append((get(sub, "uri"), _folded(get(sub, "authentication")), get(sub, "headers")))
    return calls


def _authentication_findings(workflow: Any, definition: Any) -> tuple[list[str], list[str]]:
    """(violations, unknowns) of a definition's HTTP actions that reach Microsoft Graph or ARM as anything but the
    workflow's managed identity: an app's client secret or certificate (ActiveDirectoryOAuth, ClientCertificate),
    Basic or Raw authentication, or an Authorization header; and a managed identity's Graph or ARM token sent to
    another host. Such a call holds whatever the app or token holds, which the identity's app roles never show."""
    bad: list[str] = []
    gaps: list[str] = []
    if is_unknown(definition):
        return bad, gaps  # reported by the permission check
    actions, partial = walk_actions(definition)
    if partial:
        gaps.append(f"Workflow '{workflow.name}' actions (part of the definition is unknown at preview)")
    for name, raw in actions:
        action = _folded(raw)
        label = f"Workflow '{workflow.name}' HTTP action {name!r}"
        if is_unknown(action):
            gaps.append(f"{label} (two of its keys differ only in case)")
            continue
        kind = get(action, "type")
        if isinstance(kind, str) and kind.strip().lower() in CONNECTOR_ACTIONS:
            gaps.append(
                f"Workflow '{workflow.name}' action {name!r} (a managed-connector call through a stored API "
                "connection, whose identity and permissions the plan does not show; call Graph or ARM over HTTP with "
                "the managed identity instead)"
            )
            continue
        http = _is_http(action)
        inputs = _folded(get(action, "inputs"))
        if is_unknown(http) or not http:
            auth = _folded(get(inputs, "authentication")) if isinstance(inputs, dict) else None
            if isinstance(auth, dict) and str(get(auth, "type") or "").strip().lower() == MANAGED_IDENTITY_AUTH:
                gaps.append(
                    f"Workflow '{workflow.name}' action {name!r} (type {str(get(action, 'type'))[:40]!r} calls with "
                    "the managed identity an endpoint the gate does not read)"
                )
            continue
        if is_unknown(inputs):
            gaps.append(f"{label} inputs")
            continue
        for uri, auth, headers in _calls(inputs):
            _judge_call(label, uri, _folded(auth), headers, bad, gaps)
    return bad, gaps


def _judge_call(label: str, uri: Any, auth: Any, headers: Any, bad: list[str], gaps: list[str]) -> None:
    """One HTTP request of a workflow: reaching Graph or ARM as anything but the managed identity is a violation, and
    so is the identity's Graph or ARM token sent to another host; what the gate cannot read is a gap."""
    if is_unknown(uri) and is_unknown(auth):
        gaps.append(f"{label} request")
        return
    host = _host(uri)
    kind = get(auth, "type")
    audience = get(auth, "audience")
    microsoft = host is None or is_unknown(host) or host in MICROSOFT_API_HOSTS or _microsoft_audience(audience) is True
    if is_unknown(headers) and microsoft:
        gaps.append(f"{label} headers")
    elif (
        isinstance(headers, dict)
        and microsoft
        and any(isinstance(k, str) and k.strip().lower() == "authorization" for k in headers)
    ):
        bad.append(
            f"{label} sends its own Authorization header to Microsoft Graph or ARM (or a URI the gate cannot "
            "tell): the token it carries holds permissions the gate cannot see"
        )
        return
    if auth is None:
        return
    if is_unknown(auth) or is_unknown(kind):
        gaps.append(f"{label} authentication")  # may be the managed identity's Graph token, to wherever it goes
        return
    if not (isinstance(kind, str) and kind.strip().lower() == MANAGED_IDENTITY_AUTH):
        if microsoft:
            bad.append(
                f"{label} authenticates as something other than the workflow's managed identity "
                f"(authentication.type {str(kind)[:40]!r}) to Microsoft Graph or ARM (or a URI the gate cannot "
                "tell): an app's secret or certificate, or a password, holds permissions the gate cannot see. "
                "Use authentication.type ManagedServiceIdentity and give the identity the call's permission"
            )
        return
    if host is None or is_unknown(host):
        gaps.append(
            f"{label} URI (an expression decides its host, so the managed identity's token may go anywhere; "
            "write the host literally, e.g. 'https://management.azure.com/@{...}')"
        )
        return
    if host in MICROSOFT_API_HOSTS:
        return
    strength = _microsoft_audience(audience)
    if strength is True:
        bad.append(
            f"{label} sends the managed identity's {str(audience)[:60]} token to another host ({host}): whoever runs "
            "that host can use the identity's permissions"
        )
    elif is_unknown(strength):
        gaps.append(
            f"{label} authentication.audience (a managed identity token for an audience the gate cannot tell, sent "
            f"to {host})"
        )


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
    identities = _Identities(resources, workflows)
    known_ids = _known_object_ids(resources)
    for w in workflows:
        bad, gaps = _authentication_findings(w, _definition(w))
        for message in bad:
            report_violation(message, w.urn)
        for gap in gaps:
            unverified(args, report_violation, gap, w.urn)
    for assignment in (r for r in resources if _is_app_role_assignment(r)):
        label = f"app-role assignment '{assignment.name}'"
        role_id = get(assignment.props, "appRoleId")
        name = APP_ROLE_NAMES.get(role_id.strip().lower()) if isinstance(role_id, str) else None
        owners = identities.owners(assignment)
        if not owners:
            if name in DIRECTORY_WRITE_ROLES and _unresolved_principal(assignment, known_ids):
                unverified(
                    args,
                    report_violation,
                    f"{label} {_principal_key(assignment)} (the principal given the tenant-wide write permission "
                    f"{name} is no resource this stack declares: it may be a Logic App's identity whose steps the "
                    "gate cannot read; assign the permission to a declared identity, through its output)",
                    assignment.urn,
                )
            continue
        if is_unknown(role_id):
            unverified(args, report_violation, f"{label} appRoleId", assignment.urn)
            continue
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
        broader: dict[str, str] = {}
        gaps: list[str] = []
        for w in owners:
            wants, why, higher = needed_permissions(_definition(w))
            needed |= wants
            broader.update(higher)
            gaps += [f"Workflow '{w.name}' {g}" for g in why]
        if name in needed:
            continue
        if gaps:
            for gap in gaps[:3]:
                unverified(args, report_violation, f"{gap} (deciding whether {label} {name} is needed)", assignment.urn)
            continue
        narrower = (
            f"; the call it would serve needs only the narrower {broader[name]}, assign that instead"
            if name in broader
            else ""
        )
        report_violation(
            f"{label} gives workflow {names}'s managed identity the tenant-wide write permission {name}, which no "
            f"HTTP action of its definition needs (its Graph calls need: {', '.join(sorted(needed)) or 'nothing'})"
            f"{narrower}",
            assignment.urn,
        )
    for w, what in identities.unresolved:
        unverified(
            args,
            report_violation,
            f"Workflow '{w.name}' {what} (the gate cannot tell which identity it runs as, so not which Graph "
            "permissions its steps hold)",
            w.urn,
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
        deps = {d.urn for d in dependencies_of(ext, "endpointConfiguration")}
        from_workflow = [w for w in matching if w.urn in deps]
        if is_unknown(subscription):
            if not from_workflow:  # computed from something that is not the Logic App it names
                unverified(args, report_violation, f"{label} endpointConfiguration.subscriptionId", ext.urn)
            continue  # flows from the Workflow (its ID): the subscription it deploys to; checked below once known
        if not (isinstance(subscription, str) and is_guid(subscription.strip())):
            report_violation(f"{label} names no subscription GUID for its Logic App", ext.urn)
            continue
        sub = subscription.strip().lower()
        if allowed and sub not in allowed:
            report_violation(f"{label} calls a Logic App in a subscription outside allowedSubscriptionIds", ext.urn)
            continue
        tied = _tied_workflow_id(ext, matching)
        if tied is not None:  # the Workflow's ARM ID, recorded beside the endpoint (known after a deployment)
            if tied != (
                sub,
                _literal(get(endpoint, "resourceGroupName")),
                _literal(get(endpoint, "logicAppWorkflowName")),
            ):
                report_violation(
                    f"{label} names another Logic App (subscription, resource group or name) than the ARM ID of "
                    "the Workflow it records (workflowId)",
                    ext.urn,
                )
            continue
        ids = [get(w.props, "id") for w in matching]  # the Workflow's ARM ID, when the engine gives it
        known = [m.group(1).lower() for i in ids if isinstance(i, str) and (m := _SUBSCRIPTION.match(i.strip()))]
        if known:
            if sub not in known:
                report_violation(
                    f"{label} names another subscription than the Workflow {matching[0].name} it matches", ext.urn
                )
            continue
        if not allowed:
            # A literal subscription with the Workflow's ID unknown: a Workflow of that name and resource group may
            # exist in any subscription (the author's own). Policies never see the stack's config (pulumi-policy
            # keeps only the stack tags of the engine's ConfigureStack), so the gate cannot compare it with
            # azure-native:subscriptionId: it must flow from the Workflow, or be one of allowedSubscriptionIds.
            unverified(
                args,
                report_violation,
                f"{label} endpointConfiguration.subscriptionId (a literal subscription, while the Workflow it names "
                "has no known ID yet: let it flow from the Workflow's ID, or list the stack's subscription in "
                "allowedSubscriptionIds)",
                ext.urn,
            )


_WORKFLOW_ID = re.compile(
    r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.logic/workflows/([^/]+)$", re.IGNORECASE
)


def _tied_workflow_id(ext: Any, matching: list) -> tuple | None:
    """(subscription, resource group, name) of the extension's known `workflowId` when that value flows from one of
    the Workflows its endpoint names (a top-level property, so its dependency is exact), else None."""
    value = get(ext.props, "workflowId")
    if not isinstance(value, str) or not {d.urn for d in dependencies_of(ext, "workflowId")} & {
        w.urn for w in matching
    }:
        return None
    m = _WORKFLOW_ID.match(normal_scope(value))
    return tuple(g.lower() for g in m.groups()) if m else ("", "", "")


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
