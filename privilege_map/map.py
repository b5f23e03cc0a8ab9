"""The privilege map: who can become what, from the recorded plan of `pum.engine.run_preview`.

The map follows principal -> journey (access package) -> group (PIM group) -> role -> scope, plus
group -> Private Access app, and the reach beyond Entra ("reach" nodes): a group written back to Active Directory
(and the AD group it is nested in), an Azure VM login role (sudo or user login on the machines in its scope), and
what a journey's automation grants on-premises (`onPremisesReach`, see `_reach`).
Relations come only from the plan: property dependencies (an input
that is another resource's output, unknown at preview) and literal object IDs; the role controls
from the role settings declared in the same plan (Graph `entraRoleSettings`, azuread
`GroupRoleManagementPolicy`, azure-native `RoleManagementPolicy` at the same scope).

Each access edge is *standing* (active membership or an active role assignment) or *jit* (an
eligibility activated on demand); a path is standing only when every access edge on it is. The
controls on each path are listed: approval, expiry, review, maximum activation, MFA or
authentication context, compliant device.

`build_map(report)` builds it; `privilege_map.render` draws it.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from privileged_facts.roles import (
    AZURE_ROLE_NAMES,
    AZURE_ROLE_VM_ADMIN_LOGIN,
    AZURE_ROLE_VM_USER_LOGIN,
    ENTRA_ROLE_NAMES,
)
from privileged_facts.values import is_guid, parse_duration

from pum.engine import UNKNOWN, Report, Resource

AZ = "azuread:index/"
T_GROUP = AZ + "group:Group"
T_USER = AZ + "user:User"
T_PACKAGE = AZ + "accessPackage:AccessPackage"
T_POLICY = AZ + "accessPackageAssignmentPolicy:AccessPackageAssignmentPolicy"
T_GRANT = AZ + "accessPackageResourcePackageAssociation:AccessPackageResourcePackageAssociation"
T_CATALOG_RES = AZ + "accessPackageResourceCatalogAssociation:AccessPackageResourceCatalogAssociation"
T_GROUP_MEMBER = AZ + "groupMember:GroupMember"
T_PAG_ELIGIBLE = AZ + "privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"
T_PAG_ACTIVE = AZ + "privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule"
T_GROUP_POLICY = AZ + "groupRoleManagementPolicy:GroupRoleManagementPolicy"
T_AU = AZ + "administrativeUnit:AdministrativeUnit"
T_CA = AZ + "conditionalAccessPolicy:ConditionalAccessPolicy"
T_ROLE_ASSIGNMENT = AZ + "directoryRoleAssignment:DirectoryRoleAssignment"
T_ROLE_ELIGIBILITY_REQUEST = AZ + "directoryRoleEligibilityScheduleRequest:DirectoryRoleEligibilityScheduleRequest"
T_ARM_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
T_ARM_ELIGIBLE = "azure-native:authorization:PimRoleEligibilitySchedule"
T_ARM_POLICY = "azure-native:authorization:RoleManagementPolicy"
DYNAMIC = "pulumi-python:dynamic"

ROLE_NAMES = {**ENTRA_ROLE_NAMES, **AZURE_ROLE_NAMES}
KINDS = ("principal", "journey", "group", "role", "scope", "reach")
# what an Azure VM login role gives on the machines in its scope (Entra login to Linux and Windows VMs)
VM_LOGIN_REACH = {
    AZURE_ROLE_VM_ADMIN_LOGIN: "sudo (root) on Linux, local administrator on Windows",
    AZURE_ROLE_VM_USER_LOGIN: "user sign-in (no sudo)",
}
_AUTOMATION_REACH = "added by the journey's automation on grant, removed on removal"
_NESTED = re.compile(r"nested there in '([^']{1,256})'")
ACCESS_EDGES = {"member", "role", "network", "reach"}


@dataclass
class Node:
    id: str
    kind: str  # principal | journey | group | role | scope | app | reach
    label: str
    details: list[str] = field(default_factory=list)


@dataclass
class Edge:
    src: str
    dst: str
    kind: str  # request | member | role | scope | network | reach (access) | gives (what an access implies)
    jit: bool | None = None  # access edges: True just in time, False standing
    controls: list[str] = field(default_factory=list)


@dataclass
class PrivilegeMap:
    nodes: dict[str, Node]
    edges: list[Edge]

    def out(self, node_id: str) -> list[Edge]:
        return self._out.get(node_id, [])

    def __post_init__(self) -> None:
        self._out: dict[str, list[Edge]] = {}
        for edge in self.edges:
            self._out.setdefault(edge.src, []).append(edge)

    def paths(self, limit: int = 5000) -> list[list[Edge]]:
        """Paths from each principal (or node nothing points at) to each end it reaches (a node with no way on),
        aggregated: one path per start, end and kind of access (standing, just in time, or no access edge), the
        shortest of its kind. The search runs over (node, every access edge so far standing, any access edge so
        far), so its work grows with starts x edges, never with the number of distinct paths (which doubles with
        every level of nested groups). At most `limit` paths, in a stable order."""
        result: list[list[Edge]] = []
        targets = {e.dst for e in self.edges}
        starts = [n.id for n in self.nodes.values() if n.kind == "principal" or n.id not in targets]
        for start in starts:
            first = (start, True, False)
            parent: dict[tuple[str, bool, bool], tuple[tuple[str, bool, bool], Edge] | None] = {first: None}
            queue = collections.deque([first])
            while queue:
                state = queue.popleft()
                node_id, standing, access = state
                edges = self.out(node_id)
                if not edges and state != first:
                    result.append(_trail(parent, state))
                    if len(result) >= limit:
                        return result
                for edge in edges:
                    is_access = edge.kind in ACCESS_EDGES
                    nxt = (edge.dst, standing and (not is_access or edge.jit is False), access or is_access)
                    if nxt not in parent:
                        parent[nxt] = (state, edge)
                        queue.append(nxt)
        return result


def _trail(parent: dict, state: tuple) -> list[Edge]:
    trail: list[Edge] = []
    step = parent[state]
    while step is not None:
        state, edge = step
        trail.append(edge)
        step = parent[state]
    trail.reverse()
    return trail


def path_is_standing(path: list[Edge]) -> bool:
    access = [e for e in path if e.kind in ACCESS_EDGES]
    return bool(access) and all(e.jit is False for e in access)


def _known(value: Any) -> bool:
    return value is not None and value is not UNKNOWN


def _get(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _mapping(value: Any) -> dict:
    """`value` if it is a mapping, else an empty one: inputs come in whatever shape the program gave them."""
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list:
    return value if isinstance(value, list) else []


def _short(value: str) -> str:
    return value if len(value) <= 13 else value[:8] + "…"


def _days(duration: Any) -> str:
    return f"{int(duration)} d" if isinstance(duration, (int, float)) else str(duration)


class _Builder:
    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        self.nodes: dict[str, Node] = {}
        self.lifetime_of: dict[str, str] = {}
        self.edges: list[Edge] = []
        self._edge_keys: set[tuple] = set()

    # --- references ---------------------------------------------------------------------
    def refs(self, resource: Resource, prop: str, nested: Any = None) -> list[str]:
        """What an input points at: known literal values, else the URNs it depends on."""
        value = resource.inputs.get(prop) if nested is None else nested
        values = value if isinstance(value, list) else [value]
        literals = [v for v in values if isinstance(v, str) and v]
        unknown = any(v is UNKNOWN for v in values)
        urns = list(resource.property_dependencies.get(prop, [])) if unknown or nested is not None else []
        return literals + [u for u in urns if u in self.by_urn]

    def add_node(self, node_id: str, kind: str, label: str, details: Iterable[str] = ()) -> str:
        node = self.nodes.setdefault(node_id, Node(node_id, kind, label))
        node.details.extend(d for d in details if d not in node.details)
        return node_id

    def add_edge(self, edge: Edge) -> None:
        key = (edge.src, edge.dst, edge.kind)
        if key not in self._edge_keys:
            self._edge_keys.add(key)
            self.edges.append(edge)

    def label_of(self, resource: Resource) -> str:
        for key in ("displayName", "userPrincipalName", "name"):
            value = resource.inputs.get(key)
            if isinstance(value, str) and value:
                return value
        return resource.name

    def principal_node(self, ref: str, kind: str = "group", requestor: bool = False) -> str:
        """A group or user (declared: its URN; existing: its object ID) as a node. Declared users are
        principals, declared groups are groups (a requestor population is a principal)."""
        resource = self.by_urn.get(ref)
        if resource is not None:
            node_kind = (
                "principal" if resource.type == T_USER or requestor else ("group" if resource.type == T_GROUP else kind)
            )
            details = ["role-assignable"] if resource.inputs.get("assignableToRole") is True else []
            return self.add_node(f"{node_kind}:{ref}", node_kind, self.label_of(resource), details)
        return self.add_node(f"{kind}:{ref.lower()}", kind, f"existing object {_short(ref)}", [ref])

    def scope_node(self, resource: Resource, prop: str) -> str:
        value = resource.inputs.get(prop)
        if not _known(value) or value == "":
            deps = [self.by_urn[u] for u in resource.property_dependencies.get(prop, []) if u in self.by_urn]
            if deps:
                dep = deps[0]
                kind = "administrative unit" if dep.type == T_AU else dep.type.rsplit(":", 1)[-1]
                return self.add_node(f"scope:{dep.urn}", "scope", f"{kind}: {self.label_of(dep)}")
            if prop == "directoryScopeId" and value is None:
                value = "/"
            elif not _known(value):
                return self.add_node("scope:unknown", "scope", "scope known after deploy")
        if value == "/":
            label = "tenant (directory)"
        elif isinstance(value, str) and value.startswith("/administrativeUnits/"):
            label = f"administrative unit {_short(value.rsplit('/', 1)[-1])}"
        else:
            label = str(value)
        return self.add_node(f"scope:{value}", "scope", label)

    # --- controls -----------------------------------------------------------------------
    def entra_role_controls(self) -> dict[str, list[str]]:
        controls: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "entraRoleSettings":
                role = r.inputs.get("roleDefinitionId")
                if isinstance(role, str):
                    controls[role.lower()] = _rule_controls(r.inputs.get("rules"))
        return controls

    def group_controls(self) -> dict[str, list[str]]:
        """PIM for Groups settings (member role) by group ref."""
        result: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type != T_GROUP_POLICY or r.inputs.get("roleId") not in ("member", None):
                continue
            rules = _mapping(r.inputs.get("activationRules"))
            found = []
            if _known(rules.get("maximumDuration")):
                found.append(f"activation ≤ {_iso_hours(rules['maximumDuration'])}")
            if rules.get("requireMultifactorAuthentication") is True:
                found.append("MFA")
            if _known(rules.get("requiredConditionalAccessAuthenticationContext")) and rules.get(
                "requiredConditionalAccessAuthenticationContext"
            ):
                found.append(f"auth context {rules['requiredConditionalAccessAuthenticationContext']}")
            if rules.get("requireApproval") is True:
                found.append("approval")
            if rules.get("requireJustification") is True:
                found.append("justification")
            for ref in self.refs(r, "groupId"):
                result[ref.lower() if is_guid(ref) else ref] = found
        return result

    def azure_scope_controls(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type == T_ARM_POLICY:
                for ref in self.refs(r, "scope"):
                    result.setdefault(ref, []).extend(_rule_controls(r.inputs.get("rules")))
        return result

    def lifetimes(self) -> dict[str, str]:
        """Assignment policy URN -> the lifetime its settings write over it in Graph (`expiration`, e.g. 'PT2H')."""
        result: dict[str, str] = {}
        for r in self.resources:
            expiration = r.inputs.get("expiration")
            if not (r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "accessPackagePolicySettings"):
                continue
            if isinstance(expiration, dict) and isinstance(expiration.get("duration"), str):
                for ref in self.refs(r, "policyId"):
                    result[ref] = expiration["duration"]
        return result

    def app_controls(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type != T_CA or r.inputs.get("state") != "enabled":
                continue
            controls = [c for c in _sequence(_get(r.inputs, "grantControls", "builtInControls")) if isinstance(c, str)]
            strength = _get(r.inputs, "grantControls", "authenticationStrengthPolicyId")
            if isinstance(strength, str) and strength.endswith("0004"):
                controls.append("phishing-resistant MFA")
            for urn in r.property_dependencies.get("conditions", []):
                result.setdefault(urn, []).extend(c.replace("compliantDevice", "compliant device") for c in controls)
        return result

    # --- build --------------------------------------------------------------------------
    def build(self) -> PrivilegeMap:
        entra_controls = self.entra_role_controls()
        group_controls = self.group_controls()
        azure_controls = self.azure_scope_controls()
        app_controls = self.app_controls()
        self.lifetime_of = self.lifetimes()
        packages: dict[str, str] = {}
        for r in self.resources:
            if r.type == T_PACKAGE:
                packages[r.urn] = self.add_node(f"journey:{r.urn}", "journey", self.label_of(r))
        for r in self.resources:
            if r.type == T_POLICY:
                self._policy(r, packages)
            elif r.type == T_GRANT:
                self._grant(r, packages)
            elif r.type == T_GROUP_MEMBER:
                for group in self.refs(r, "groupObjectId"):
                    for member in self.refs(r, "memberObjectId"):
                        self.add_edge(
                            Edge(
                                self.principal_node(member, "principal"),
                                self.principal_node(group),
                                "member",
                                jit=False,
                                controls=["standing membership"],
                            )
                        )
            elif r.type in (T_PAG_ELIGIBLE, T_PAG_ACTIVE):
                self._pim_group_membership(r, group_controls)
            elif r.type in (T_ROLE_ASSIGNMENT, T_ROLE_ELIGIBILITY_REQUEST, T_ARM_ASSIGNMENT, T_ARM_ELIGIBLE) or (
                r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "directoryRoleEligibility"
            ):
                self._role(r, entra_controls, azure_controls)
            elif r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "privateAccessApp":
                self._app(r, app_controls)
            if r.type == T_GROUP and r.inputs.get("writebackEnabled") is True:
                self._writeback(r)
            if isinstance(r.inputs.get("onPremisesReach"), dict):
                self._reach(r, packages)
        return PrivilegeMap(self.nodes, self.edges)

    def _writeback(self, r: Resource) -> None:
        """A group written back to Active Directory: its members are members of the AD group (AD-synchronised
        members only), and of the AD group it is nested in."""
        group = self.principal_node(r.urn)
        ad_group = self.add_node(f"reach:ad:{self.label_of(r).lower()}", "reach", f"AD: {self.label_of(r)}")
        self.add_edge(Edge(group, ad_group, "gives", controls=["group writeback to Active Directory"]))
        description = r.inputs.get("description")
        nested = _NESTED.search(description) if isinstance(description, str) else None
        if nested:
            parent = self.add_node(f"reach:ad:{nested.group(1).lower()}", "reach", f"AD: {nested.group(1)}")
            self.add_edge(Edge(ad_group, parent, "gives", controls=["nested AD group"]))

    def _reach(self, r: Resource, packages: dict[str, str]) -> None:
        """`onPremisesReach` (components.graph.assignment_policy_settings): {adGroups, sudoGroups, writebackGroups}
        on a resource whose `accessPackageId` flows from a package: the AD groups and Linux sudo groups the journey's
        automation adds on grant and removes on removal. writebackGroups are drawn from the written-back groups
        themselves (`_writeback`)."""
        sources = [packages[ref] for ref in self.refs(r, "accessPackageId") if ref in packages]
        reach = r.inputs["onPremisesReach"]
        for key, system, label in (("adGroups", "ad", "AD"), ("sudoGroups", "linux", "Linux sudo group")):
            for target in _sequence(reach.get(key)):
                if not isinstance(target, str) or not target:
                    continue
                node = self.add_node(f"reach:{system}:{target.lower()}", "reach", f"{label}: {target}")
                for source in sources:
                    self.add_edge(Edge(source, node, "reach", jit=False, controls=[_AUTOMATION_REACH]))

    def _policy(self, r: Resource, packages: dict[str, str]) -> None:
        targets = [packages[ref] for ref in self.refs(r, "accessPackageId") if ref in packages]
        if not targets:
            return
        settings = _mapping(r.inputs.get("requestorSettings"))
        scope = settings.get("scopeType")
        requestors = []
        if scope == "AllExistingDirectoryMemberUsers":
            requestors.append(self.add_node("principal:all-members", "principal", "all member users"))
        elif scope in ("AllExistingDirectorySubjects",):
            requestors.append(self.add_node("principal:all-directory", "principal", "all users incl. guests"))
        elif scope in (
            "AllExternalSubjects",
            "AllConfiguredConnectedOrganizationSubjects",
            "AllExistingConnectedOrganizationSubjects",
        ):
            requestors.append(self.add_node(f"principal:{scope}", "principal", "external users"))
        else:
            entries = [e for e in _sequence(settings.get("requestors")) if isinstance(e, dict)]
            literal: list[str] = [e["objectId"] for e in entries if isinstance(e.get("objectId"), str)]
            orgs = any(e.get("subjectType") == "connectedOrganizationMembers" for e in entries)
            refs = literal + (
                [u for u in r.property_dependencies.get("requestorSettings", []) if u in self.by_urn]
                if any(e.get("objectId") is UNKNOWN for e in entries)
                else []
            )
            for ref in refs:
                if orgs and is_guid(ref):
                    requestors.append(
                        self.add_node(f"principal:org:{ref}", "principal", f"connected organisation {_short(ref)}")
                    )
                else:
                    requestors.append(self.principal_node(ref, "principal", requestor=True))
        controls = _policy_controls(r.inputs, self.lifetime_of.get(r.urn))
        for requestor in requestors:
            for target in targets:
                self.add_edge(Edge(requestor, target, "request", controls=controls))

    def _grant(self, r: Resource, packages: dict[str, str]) -> None:
        targets = [packages[ref] for ref in self.refs(r, "accessPackageId") if ref in packages]
        for res_ref in self.refs(r, "catalogResourceAssociationId"):
            resource = self.by_urn.get(res_ref)
            if resource is None:
                continue
            for group in self.refs(resource, "resourceOriginId"):
                node = self.principal_node(group)
                access = r.inputs.get("accessType")
                access = access if isinstance(access, str) and access else "Member"
                for target in targets:
                    self.add_edge(
                        Edge(
                            target, node, "member", jit=False, controls=[f"{access.lower()} while the assignment lasts"]
                        )
                    )

    def _pim_group_membership(self, r: Resource, group_controls: dict[str, list[str]]) -> None:
        eligible = r.type == T_PAG_ELIGIBLE
        for group in self.refs(r, "groupId"):
            controls = list(group_controls.get(group.lower() if is_guid(group) else group, [])) if eligible else []
            expiry = r.inputs.get("duration") or r.inputs.get("expirationDate")
            if r.inputs.get("permanentAssignment") is True:
                controls.append("permanent")
            elif _known(expiry):
                controls.append(f"{'eligibility' if eligible else 'assignment'} until {expiry}")
            for principal in self.refs(r, "principalId"):
                self.add_edge(
                    Edge(
                        self.principal_node(principal, "principal"),
                        self.principal_node(group),
                        "member",
                        jit=eligible,
                        controls=(["eligible member (PIM)"] if eligible else ["active member"]) + controls,
                    )
                )

    def _role(self, r: Resource, entra_controls, azure_controls) -> None:
        azure = r.type.startswith("azure-native:")
        role_prop = "roleId" if r.type == T_ROLE_ASSIGNMENT else "roleDefinitionId"
        principal_prop = "principalObjectId" if r.type == T_ROLE_ASSIGNMENT else "principalId"
        scope_prop = "scope" if azure else "directoryScopeId"
        role = r.inputs.get(role_prop)
        role_id = role.rsplit("/", 1)[-1].lower() if isinstance(role, str) else None
        name = ROLE_NAMES.get(role_id or "", role_id or "role known after deploy")
        eligible = r.type in (T_ROLE_ELIGIBILITY_REQUEST, T_ARM_ELIGIBLE) or r.type.startswith(DYNAMIC)
        scope = self.scope_node(r, scope_prop)
        node = self.add_node(f"role:{role_id}@{scope}", "role", name, ["Azure RBAC" if azure else "Entra role"])
        self.add_edge(Edge(node, scope, "scope"))
        if azure and role_id in VM_LOGIN_REACH:
            where = self.nodes[scope].label
            label = f"VM {where.split(': ', 1)[1]}" if ": " in where else f"VMs in {where.rsplit('/', 1)[-1]}"
            machines = self.add_node(f"reach:vm:{scope}", "reach", label)
            self.add_edge(Edge(node, machines, "gives", controls=[VM_LOGIN_REACH[role_id]]))
        controls = ["eligible (activate in PIM)" if eligible else "active assignment"]
        if eligible:
            if azure:
                for ref in self.refs(r, "scope"):
                    controls += azure_controls.get(ref, [])
            else:
                controls += entra_controls.get(role_id or "", [])
            expiry = _get(r.inputs, "scheduleInfo", "expiration")
            if isinstance(expiry, dict):
                kind = expiry.get("type")
                if kind in ("noExpiration", "NoExpiration"):
                    controls.append("eligibility never expires")
                elif _known(expiry.get("duration")) or _known(expiry.get("endDateTime")):
                    controls.append(
                        f"eligibility {expiry.get('duration') or 'until ' + str(expiry.get('endDateTime'))}"
                    )
            elif r.type == T_ROLE_ELIGIBILITY_REQUEST:
                controls.append("eligibility never expires (azuread)")
        for principal in self.refs(r, principal_prop):
            self.add_edge(Edge(self.principal_node(principal), node, "role", jit=eligible, controls=controls))

    def _app(self, r: Resource, app_controls) -> None:
        segments = [
            f"{s.get('destinationHost')} {','.join(str(p) for p in _sequence(s.get('ports')))}/{s.get('protocol')}"
            for s in _sequence(r.inputs.get("segments"))
            if isinstance(s, dict)
        ]
        node = self.add_node(f"app:{r.urn}", "app", f"Private Access: {self.label_of(r)}", segments)
        controls = ["network access via Global Secure Access"] + app_controls.get(
            r.urn, ["no CA policy requires a compliant device"]
        )
        for group in self.refs(r, "assignedGroupIds"):
            self.add_edge(Edge(self.principal_node(group), node, "network", jit=False, controls=controls))


def _iso_hours(value: Any) -> str:
    """'PT2H30M' -> '2 h 30 min' (anything under a day; longer or unreadable values as given)."""
    try:
        duration = parse_duration(value)
    except (ValueError, TypeError, AttributeError, OverflowError):
        return str(value)
    minutes = int(duration.total_seconds() // 60)
    if not 0 < minutes < 24 * 60:
        return str(value)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h" + (f" {minutes} min" if minutes else "") if hours else f"{minutes} min"


def _rule_controls(rules: Any) -> list[str]:
    """Controls from Graph/ARM PIM rules (ids as in the 17-rule table)."""
    found = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict):
            continue
        rule_id = rule.get("id")
        if rule_id == "Expiration_EndUser_Assignment" and _known(rule.get("maximumDuration")):
            found.append(f"activation ≤ {_iso_hours(rule['maximumDuration'])}")
        elif rule_id == "Enablement_EndUser_Assignment":
            enabled = _sequence(rule.get("enabledRules"))
            found += [
                {"MultiFactorAuthentication": "MFA", "Justification": "justification", "Ticketing": "ticket"}.get(e, e)
                for e in enabled
                if isinstance(e, str)
            ]
        elif rule_id == "AuthenticationContext_EndUser_Assignment" and rule.get("isEnabled") is True:
            found.append(f"auth context {rule.get('claimValue')}")
        elif rule_id == "Approval_EndUser_Assignment":
            setting = _mapping(rule.get("setting"))
            if setting.get("isApprovalRequired") is True:
                found.append("approval")
    return found


def _policy_controls(inputs: dict, lifetime: str | None = None) -> list[str]:
    controls = []
    approval = _mapping(inputs.get("approvalSettings"))
    if approval.get("approvalRequired") is True:
        stages = []
        for stage in [x for x in _sequence(approval.get("approvalStages")) if isinstance(x, dict)]:
            kinds = [
                str(a.get("subjectType"))
                for a in _sequence(stage.get("primaryApprovers"))
                if isinstance(a, dict) and not a.get("backup")
            ]
            stages.append(
                "+".join(
                    {
                        "requestorManager": "manager",
                        "groupMembers": "approver group",
                        "internalSponsors": "sponsor",
                        "externalSponsors": "sponsor",
                    }.get(k, k)
                    for k in kinds
                )
            )
        controls.append("approval: " + (" → ".join(stages) or "required"))
    else:
        controls.append("no approval")
    if approval.get("requestorJustificationRequired") is True:
        controls.append("justification")
    if inputs.get("questions"):
        controls.append("ticket question")
    if lifetime is not None:
        controls.append(f"expires after {_iso_hours(lifetime)}")
    elif _known(inputs.get("durationInDays")) and inputs.get("durationInDays") is not None:
        controls.append(f"expires after {_days(inputs['durationInDays'])}")
    elif inputs.get("expirationDate"):
        controls.append(f"expires {inputs['expirationDate']}")
    else:
        controls.append("never expires")
    review = _mapping(inputs.get("assignmentReviewSettings"))
    if review.get("enabled") is True:
        controls.append(f"review {review.get('reviewFrequency')} ({review.get('accessReviewTimeoutBehavior')})")
    else:
        controls.append("no review")
    return controls


def build_map(report: Report) -> PrivilegeMap:
    """The map of a plan; the same plan always gives the same map, node for node and edge for edge (resources are
    read in URN order, not in the order the program's registrations happened to complete)."""
    return _Builder(sorted(report.resources, key=lambda r: r.urn)).build()
