"""`pum graph`: who can become what, from the recorded plan of `run_preview`.

The map follows principal -> journey (access package) -> group (PIM group) -> role -> scope, plus
group -> Private Access app. Relations come only from the plan: property dependencies (an input
that is another resource's output, unknown at preview) and literal object IDs; the role controls
from the role settings declared in the same plan (Graph `entraRoleSettings`, azuread
`GroupRoleManagementPolicy`, azure-native `RoleManagementPolicy` at the same scope).

Each access edge is *standing* (active membership or an active role assignment) or *jit* (an
eligibility activated on demand); a path is standing only when every access edge on it is. The
controls on each path are listed: approval, expiry, review, maximum activation, MFA or
authentication context, compliant device.

`render(report, fmt)`: fmt "html" is one self-contained page (inline CSS and SVG, no external URL);
"mermaid" is a flowchart for PR comments.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .engine import UNKNOWN, Report, Resource

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
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

ROLE_NAMES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": "Groups Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "1c0163c0-47e6-4577-8991-ea5c82e286e4": "Virtual Machine Administrator Login",
    "fb879df8-f326-4884-b1cf-06f3ad86be52": "Virtual Machine User Login",
    "1d18fff3-a72a-46b5-b4a9-0b38a3cd7e63": "Desktop Virtualization User",
}
KINDS = ("principal", "journey", "group", "role", "scope")
ACCESS_EDGES = {"member", "role", "network"}


@dataclass
class Node:
    id: str
    kind: str  # principal | journey | group | role | scope | app
    label: str
    details: list[str] = field(default_factory=list)


@dataclass
class Edge:
    src: str
    dst: str
    kind: str  # request | member | role | scope | network
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

    def paths(self, max_depth: int = 6) -> list[list[Edge]]:
        """Every path from a principal to a scope or app (or to the last node reached)."""
        result: list[list[Edge]] = []

        def walk(node_id: str, trail: list[Edge], seen: set[str]) -> None:
            nxt = [e for e in self.out(node_id) if e.dst not in seen]
            if not nxt or len(trail) >= max_depth:
                if trail:
                    result.append(trail)
                return
            for edge in nxt:
                walk(edge.dst, trail + [edge], seen | {edge.dst})

        targets = {e.dst for e in self.edges}
        for node in self.nodes.values():
            if node.kind == "principal" or node.id not in targets:
                walk(node.id, [], {node.id})
        return result


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


def _short(value: str) -> str:
    return value if len(value) <= 13 else value[:8] + "…"


def _days(duration: Any) -> str:
    return f"{int(duration)} d" if isinstance(duration, (int, float)) else str(duration)


class _Builder:
    def __init__(self, resources: list[Resource]) -> None:
        self.resources = resources
        self.by_urn = {r.urn: r for r in resources}
        self.nodes: dict[str, Node] = {}
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
            node_kind = "principal" if resource.type == T_USER or requestor else (
                "group" if resource.type == T_GROUP else kind)
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
        elif value.startswith("/administrativeUnits/"):
            label = f"administrative unit {_short(value.rsplit('/', 1)[-1])}"
        else:
            label = value
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
            rules = r.inputs.get("activationRules") or {}
            found = []
            if _known(rules.get("maximumDuration")):
                found.append(f"activation ≤ {_iso_hours(rules['maximumDuration'])}")
            if rules.get("requireMultifactorAuthentication") is True:
                found.append("MFA")
            if _known(rules.get("requiredConditionalAccessAuthenticationContext")) and \
                    rules.get("requiredConditionalAccessAuthenticationContext"):
                found.append(f"auth context {rules['requiredConditionalAccessAuthenticationContext']}")
            if rules.get("requireApproval") is True:
                found.append("approval")
            if rules.get("requireJustification") is True:
                found.append("justification")
            for ref in self.refs(r, "groupId"):
                result[ref.lower() if GUID.match(ref) else ref] = found
        return result

    def azure_scope_controls(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type == T_ARM_POLICY:
                for ref in self.refs(r, "scope"):
                    result.setdefault(ref, []).extend(_rule_controls(r.inputs.get("rules")))
        return result

    def app_controls(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for r in self.resources:
            if r.type != T_CA or r.inputs.get("state") != "enabled":
                continue
            controls = [c for c in (_get(r.inputs, "grantControls", "builtInControls") or []) if isinstance(c, str)]
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
                        self.add_edge(Edge(self.principal_node(member, "principal"), self.principal_node(group),
                                           "member", jit=False, controls=["standing membership"]))
            elif r.type in (T_PAG_ELIGIBLE, T_PAG_ACTIVE):
                self._pim_group_membership(r, group_controls)
            elif r.type in (T_ROLE_ASSIGNMENT, T_ROLE_ELIGIBILITY_REQUEST, T_ARM_ASSIGNMENT, T_ARM_ELIGIBLE) or (
                    r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "directoryRoleEligibility"):
                self._role(r, entra_controls, azure_controls)
            elif r.type.startswith(DYNAMIC) and r.inputs.get("graphKind") == "privateAccessApp":
                self._app(r, app_controls)
        return PrivilegeMap(self.nodes, self.edges)

    def _policy(self, r: Resource, packages: dict[str, str]) -> None:
        targets = [packages[ref] for ref in self.refs(r, "accessPackageId") if ref in packages]
        if not targets:
            return
        settings = r.inputs.get("requestorSettings") or {}
        scope = settings.get("scopeType")
        requestors = []
        if scope == "AllExistingDirectoryMemberUsers":
            requestors.append(self.add_node("principal:all-members", "principal", "all member users"))
        elif scope in ("AllExistingDirectorySubjects",):
            requestors.append(self.add_node("principal:all-directory", "principal", "all users incl. guests"))
        elif scope in ("AllExternalSubjects", "AllConfiguredConnectedOrganizationSubjects",
                       "AllExistingConnectedOrganizationSubjects"):
            requestors.append(self.add_node(f"principal:{scope}", "principal", "external users"))
        else:
            entries = settings.get("requestors") or []
            literal = [e.get("objectId") for e in entries if isinstance(e.get("objectId"), str)]
            orgs = any(e.get("subjectType") == "connectedOrganizationMembers" for e in entries)
            refs = literal + ([u for u in r.property_dependencies.get("requestorSettings", []) if u in self.by_urn]
                              if any(e.get("objectId") is UNKNOWN for e in entries) else [])
            for ref in refs:
                if orgs and GUID.match(ref):
                    requestors.append(self.add_node(f"principal:org:{ref}", "principal",
                                                    f"connected organisation {_short(ref)}"))
                else:
                    requestors.append(self.principal_node(ref, "principal", requestor=True))
        controls = _policy_controls(r.inputs)
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
                access = r.inputs.get("accessType") or "Member"
                for target in targets:
                    self.add_edge(Edge(target, node, "member", jit=False,
                                       controls=[f"{access.lower()} while the assignment lasts"]))

    def _pim_group_membership(self, r: Resource, group_controls: dict[str, list[str]]) -> None:
        eligible = r.type == T_PAG_ELIGIBLE
        for group in self.refs(r, "groupId"):
            controls = list(group_controls.get(group.lower() if GUID.match(group) else group, [])) if eligible else []
            expiry = r.inputs.get("duration") or r.inputs.get("expirationDate")
            if r.inputs.get("permanentAssignment") is True:
                controls.append("permanent")
            elif _known(expiry):
                controls.append(f"{'eligibility' if eligible else 'assignment'} until {expiry}")
            for principal in self.refs(r, "principalId"):
                self.add_edge(Edge(self.principal_node(principal, "principal"), self.principal_node(group),
                                   "member", jit=eligible,
                                   controls=(["eligible member (PIM)"] if eligible else ["active member"]) + controls))

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
                    controls.append(f"eligibility {expiry.get('duration') or 'until ' + str(expiry.get('endDateTime'))}")
            elif r.type == T_ROLE_ELIGIBILITY_REQUEST:
                controls.append("eligibility never expires (azuread)")
        for principal in self.refs(r, principal_prop):
            self.add_edge(Edge(self.principal_node(principal), node, "role", jit=eligible, controls=controls))

    def _app(self, r: Resource, app_controls) -> None:
        segments = [f"{s.get('destinationHost')} {','.join(s.get('ports') or [])}/{s.get('protocol')}"
                    for s in (r.inputs.get("segments") or []) if isinstance(s, dict)]
        node = self.add_node(f"app:{r.urn}", "app", f"Private Access: {self.label_of(r)}", segments)
        controls = ["network access via Global Secure Access"] + app_controls.get(r.urn, ["no CA policy requires a compliant device"])
        for group in self.refs(r, "assignedGroupIds"):
            self.add_edge(Edge(self.principal_node(group), node, "network", jit=False, controls=controls))


def _iso_hours(value: Any) -> str:
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?$", str(value))
    if not match:
        return str(value)
    hours, minutes = int(match.group(1) or 0), int(match.group(2) or 0)
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
            enabled = rule.get("enabledRules") or []
            found += [{"MultiFactorAuthentication": "MFA", "Justification": "justification",
                       "Ticketing": "ticket"}.get(e, e) for e in enabled if isinstance(e, str)]
        elif rule_id == "AuthenticationContext_EndUser_Assignment" and rule.get("isEnabled") is True:
            found.append(f"auth context {rule.get('claimValue')}")
        elif rule_id == "Approval_EndUser_Assignment":
            setting = rule.get("setting") or {}
            if setting.get("isApprovalRequired") is True:
                found.append("approval")
    return found


def _policy_controls(inputs: dict) -> list[str]:
    controls = []
    approval = inputs.get("approvalSettings") or {}
    if approval.get("approvalRequired") is True:
        stages = []
        for stage in approval.get("approvalStages") or []:
            kinds = [a.get("subjectType") for a in stage.get("primaryApprovers") or [] if not a.get("backup")]
            stages.append("+".join({"requestorManager": "manager", "groupMembers": "approver group",
                                    "internalSponsors": "sponsor", "externalSponsors": "sponsor"}.get(k, k)
                                   for k in kinds))
        controls.append("approval: " + (" → ".join(stages) or "required"))
    else:
        controls.append("no approval")
    if approval.get("requestorJustificationRequired") is True:
        controls.append("justification")
    if inputs.get("questions"):
        controls.append("ticket question")
    if _known(inputs.get("durationInDays")) and inputs.get("durationInDays") is not None:
        controls.append(f"expires after {_days(inputs['durationInDays'])}")
    elif inputs.get("expirationDate"):
        controls.append(f"expires {inputs['expirationDate']}")
    else:
        controls.append("never expires")
    review = inputs.get("assignmentReviewSettings") or {}
    if review.get("enabled") is True:
        controls.append(f"review {review.get('reviewFrequency')} ({review.get('accessReviewTimeoutBehavior')})")
    else:
        controls.append("no review")
    return controls


def build_map(report: Report) -> PrivilegeMap:
    return _Builder(report.resources).build()


def render(report: Report, fmt: str = "html") -> str:
    privilege_map = build_map(report)
    if fmt == "mermaid":
        return render_mermaid(privilege_map)
    if fmt == "html":
        return render_html(privilege_map, title=f"Privilege map: {report.project} / {report.stack}")
    raise ValueError(f"unknown format {fmt!r}; use 'html' or 'mermaid'")


# --- Mermaid -------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(privilege_map: PrivilegeMap) -> str:
    ids = {node_id: f"n{i}" for i, node_id in enumerate(privilege_map.nodes)}
    lines = ["flowchart LR"]
    for kind, style in (("principal", "fill:#e8f0fe,stroke:#1a73e8"), ("journey", "fill:#fef7e0,stroke:#b06000"),
                        ("group", "fill:#e6f4ea,stroke:#137333"), ("role", "fill:#fce8e6,stroke:#c5221f"),
                        ("scope", "fill:#f1f3f4,stroke:#5f6368"), ("app", "fill:#f3e8fd,stroke:#8430ce")):
        lines.append(f"  classDef {kind} {style}")
    for node_id, node in privilege_map.nodes.items():
        lines.append(f'  {ids[node_id]}["{_mermaid_text(node.label)}"]:::{node.kind}')
    for edge in privilege_map.edges:
        label = _mermaid_text("; ".join(edge.controls))
        src, dst = ids[edge.src], ids[edge.dst]
        if edge.jit is True:
            lines.append(f'  {src} -. "JIT: {label}" .-> {dst}')
        elif edge.jit is False:
            lines.append(f'  {src} == "standing: {label}" ==> {dst}')
        elif label:
            lines.append(f'  {src} -- "{label}" --> {dst}')
        else:
            lines.append(f"  {src} --> {dst}")
    return "\n".join(lines) + "\n"


# --- HTML ----------------------------------------------------------------------------------
_COLUMNS = {"principal": 0, "journey": 1, "group": 2, "role": 3, "app": 3, "scope": 4}
_COLORS = {"principal": ("#e8f0fe", "#1a73e8"), "journey": ("#fef7e0", "#b06000"), "group": ("#e6f4ea", "#137333"),
           "role": ("#fce8e6", "#c5221f"), "scope": ("#f1f3f4", "#5f6368"), "app": ("#f3e8fd", "#8430ce")}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#202124}
h1{font-size:20px} h2{font-size:16px;margin-top:28px}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
svg text{font-size:12px} .node rect{rx:6;ry:6;stroke-width:1.5}
.edge{fill:none;stroke-width:1.6} .edge.jit{stroke:#1a73e8;stroke-dasharray:6 4}
.edge.standing{stroke:#c5221f;stroke-width:2.4} .edge.other{stroke:#9aa0a6}
table{border-collapse:collapse;font-size:13px;margin-top:8px} th,td{border:1px solid #dadce0;padding:4px 8px;
text-align:left;vertical-align:top} th{background:#f8f9fa} td.standing{color:#c5221f;font-weight:600}
td.jit{color:#1a73e8;font-weight:600}
"""


def render_html(privilege_map: PrivilegeMap, title: str = "Privilege map") -> str:
    width, height_row, box_w, box_h, gap = 230, 56, 200, 40, 50
    rows: dict[int, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    for node_id, node in privilege_map.nodes.items():
        col = _COLUMNS.get(node.kind, 4)
        row = rows.get(col, 0)
        rows[col] = row + 1
        pos[node_id] = (20 + col * (width + gap), 40 + row * height_row)
    svg_h = 60 + max(rows.values(), default=1) * height_row
    svg_w = 40 + 5 * (width + gap)
    esc = html.escape
    parts = [f'<svg id="privilege-map" xmlns="http://www.w3.org/2000/svg" width="{svg_w}" height="{svg_h}" '
             f'viewBox="0 0 {svg_w} {svg_h}" role="img" aria-label="{esc(title)}">']
    for i, heading in enumerate(("Principal", "Journey", "Group", "Role / Private Access app", "Scope")):
        parts.append(f'<text x="{20 + i * (width + gap)}" y="20" font-weight="600">{heading}</text>')
    for edge in privilege_map.edges:
        (x1, y1), (x2, y2) = pos[edge.src], pos[edge.dst]
        sx, sy, tx, ty = x1 + box_w, y1 + box_h / 2, x2, y2 + box_h / 2
        if tx <= sx:  # same or earlier column: loop around
            tx, ty = x2 + box_w / 2, y2
        mid = (sx + tx) / 2
        css = "jit" if edge.jit is True else "standing" if edge.jit is False else "other"
        parts.append(f'<path class="edge {css}" data-kind="{edge.kind}" d="M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}">'
                     f'<title>{esc(edge.kind)}: {esc("; ".join(edge.controls))}</title></path>')
    for node_id, node in privilege_map.nodes.items():
        x, y = pos[node_id]
        fill, stroke = _COLORS.get(node.kind, ("#fff", "#000"))
        label = node.label if len(node.label) <= 30 else node.label[:29] + "…"
        parts.append(f'<g class="node" data-kind="{node.kind}" data-label="{esc(node.label)}">'
                     f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{x + 8}" y="{y + 25}">{esc(label)}</text>'
                     f'<title>{esc(node.label)}{(": " + esc(", ".join(node.details))) if node.details else ""}</title></g>')
    parts.append("</svg>")

    table = ['<table id="paths"><thead><tr><th>Principal</th><th>Path</th><th>Access</th><th>Controls</th>'
             '</tr></thead><tbody>']
    for path in privilege_map.paths():
        nodes = [privilege_map.nodes[path[0].src]] + [privilege_map.nodes[e.dst] for e in path]
        if not any(e.kind in ACCESS_EDGES for e in path):
            continue
        standing = path_is_standing(path)
        access = "standing" if standing else "just in time"
        controls = "; ".join(dict.fromkeys(c for e in path for c in e.controls))
        table.append(f'<tr class="path"><td>{esc(nodes[0].label)}</td>'
                     f'<td>{" → ".join(esc(n.label) for n in nodes[1:])}</td>'
                     f'<td class="{"standing" if standing else "jit"}">{access}</td><td>{esc(controls)}</td></tr>')
    table.append("</tbody></table>")
    legend = ('<p class="legend"><span style="color:#c5221f">━ standing access</span>'
              '<span style="color:#1a73e8">╌ just in time (eligible, activated on demand)</span>'
              '<span style="color:#9aa0a6">─ request / scope</span></p>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{esc(title)}</h1>{legend}{''.join(parts)}<h2>Paths</h2>{''.join(table)}</body></html>\n")
