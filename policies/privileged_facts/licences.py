"""Which licences a plan needs and for how many identities (docs/licences.md has the rules and their sources).

`licence_needs(nodes)` reads a plan as `Node`s (a resource's URN, canonical type token, plain properties with
unknowns, and the URNs each top-level property depends on); the pack's licences-cover-plan and `pum preview`'s
licence report both call it, each from its own view of the plan. An identity counts once per licence: a declared
user by its URN, an object ID the plan does not declare by that ID (noted: it may be a group); a group counts its
declared members (nested groups too); what the plan cannot resolve (a group without declared members, a value
unknown at preview, a lifecycle workflow scoped by a rule) is listed as unresolved, never counted as zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .roles import AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER
from .values import is_guid, is_unknown

LICENCES = {
    "entraIdP1": "Microsoft Entra ID P1",
    "entraIdP2": "Microsoft Entra ID P2",
    "entraIdGovernance": "Microsoft Entra ID Governance",
    "entraPrivateAccess": "Microsoft Entra Private Access",
    "avdUser": "A licence for Azure Virtual Desktop (Microsoft 365 E3/E5/A3/A5/F3/Business Premium, Windows "
    "Enterprise or Education E3/E5/A3/A5, Windows VDA per user)",
    "verifiedIdFaceCheck": "Microsoft Entra Verified ID Face Check (billed per verification)",
}
COVERS = {"entraIdP1": ("entraIdP2",), "entraIdP2": ("entraIdGovernance",)}
"""Seats of the licences on the right also meet a need for the one on the left (P2 includes P1; Governance covers
what P2 gives PIM, access reviews and entitlement management; it does not include P1)."""

_AD = "azuread:index:"
USER, GROUP, GROUP_MEMBER = _AD + "User", _AD + "Group", _AD + "GroupMember"
SERVICE_PRINCIPAL = _AD + "ServicePrincipal"
DYNAMIC = "pulumi-python:dynamic:Resource"
ELIGIBILITY = (
    _AD + "DirectoryRoleEligibilityScheduleRequest",
    _AD + "PrivilegedAccessGroupEligibilitySchedule",
    _AD + "PrivilegedAccessGroupAssignmentSchedule",
    "azure-native:authorization:PimRoleEligibilitySchedule",
    "azure-native:authorization:RoleEligibilityScheduleRequest",
    "azure-native:authorization:RoleAssignmentScheduleRequest",
)
PIM_POLICIES = (_AD + "GroupRoleManagementPolicy", "azure-native:authorization:RoleManagementPolicy")
PACKAGE_POLICY = _AD + "AccessPackageAssignmentPolicy"
CA_POLICY = _AD + "ConditionalAccessPolicy"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_GRANTS = (_AD + "DirectoryRoleAssignment", _AD + "DirectoryRoleEligibilityScheduleRequest")
MAX_DEPTH = 16


@dataclass(frozen=True)
class Node:
    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Need:
    licence: str
    features: set[str] = field(default_factory=set)
    identities: set[str] = field(default_factory=set)
    unresolved: set[str] = field(default_factory=set)

    def as_dict(self, held: Mapping[str, int] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "licence": self.licence,
            "name": LICENCES[self.licence],
            "features": sorted(self.features),
            "identities": len(self.identities),
            "unresolved": sorted(self.unresolved),
        }
        if held is not None and self.licence in held:
            out["held"] = held[self.licence]
            out["shortfall"] = max(0, len(self.identities) - covering(self.licence, held))
        return out


def covering(licence: str, held: Mapping[str, int]) -> int:
    """Seats that meet a need for `licence`: its own and those of the licences that cover it."""
    return int(held.get(licence, 0)) + sum(int(held.get(other, 0)) for other in COVERS.get(licence, ()))


def _kind(node: Node) -> str | None:
    kind = node.props.get("graphKind") if node.type == DYNAMIC else None
    return kind if isinstance(kind, str) else None


class _Plan:
    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = list(nodes)
        self.by_urn = {n.urn: n for n in self.nodes}
        self.by_object_id = {}
        for n in self.nodes:
            object_id = n.props.get("objectId")
            if isinstance(object_id, str) and is_guid(object_id):
                self.by_object_id[object_id.lower()] = n
        self.needs: dict[str, Need] = {}
        self._members: dict[str, set[str]] = {}

    def need(self, licence: str, feature: str) -> Need:
        need = self.needs.setdefault(licence, Need(licence))
        need.features.add(feature)
        return need

    def members(self, group: Node) -> set[str]:
        """The refs (URNs, object IDs) of the members the plan declares for a group (read once per group)."""
        if group.urn in self._members:
            return self._members[group.urn]
        refs: set[str] = set(group.deps.get("members", ()))
        refs |= {v.lower() for v in _values(group.props.get("members")) if isinstance(v, str) and is_guid(v)}
        for n in self.nodes:
            if n.type == GROUP_MEMBER and (
                group.urn in n.deps.get("groupObjectId", ())
                or _same_id(n.props.get("groupObjectId"), group.props.get("objectId"))
            ):
                member = n.props.get("memberObjectId")
                refs |= set(n.deps.get("memberObjectId", ()))
                if isinstance(member, str) and is_guid(member):
                    refs.add(member.lower())
        self._members[group.urn] = refs
        return refs

    def resolve(self, ref: str, into: Need, depth: int = 0, seen: set[str] | None = None) -> None:
        """Count the identity `ref` (a URN or an object ID) is, expanding groups: each group once per call (nested
        groups that contain each other cost nothing more), at most MAX_DEPTH deep."""
        seen = set() if seen is None else seen
        node = self.by_urn.get(ref) or self.by_object_id.get(ref.lower())
        if node is None:
            if is_guid(ref):
                into.identities.add(ref.lower())
                into.unresolved.add(
                    f"object {ref.lower()} is not declared in the plan: counted once (if it is a "
                    "group, count its members)"
                )
            return
        if node.type == USER:
            into.identities.add(node.urn)
        elif node.type == GROUP and node.urn not in seen:
            seen.add(node.urn)
            refs = self.members(node)
            if not refs:
                into.unresolved.add(f"group {node.name}: its members are not declared in the plan")
            if depth < MAX_DEPTH:
                for member in refs:
                    self.resolve(member, into, depth + 1, seen)
        # service principals and other workload identities need no seat

    def principals(self, node: Node, key: str, into: Need, value: Any = None) -> None:
        """The identities in `node.props[key]` (or `value`, found under it): literal object IDs and the users and
        groups the property depends on."""
        value = node.props.get(key) if value is None else value
        literals = [v for v in _values(value) if isinstance(v, str) and is_guid(v)]
        for literal in literals:
            self.resolve(literal, into)
        # a property's dependencies stand for the values unknown at preview in it (and only then: a CA policy's
        # conditions also depend on the break-glass accounts it excludes)
        unknown = _has_unknown(value)
        deps = [
            d
            for d in (node.deps.get(key, ()) if unknown else ())
            if self.by_urn.get(d) and self.by_urn[d].type in (USER, GROUP)
        ]
        for dep in deps:
            self.resolve(dep, into)
        if not literals and not deps and unknown:
            into.unresolved.add(f"{node.name}: a principal unknown at preview")


def _same_id(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.strip().lower() == b.strip().lower()


def _values(value: Any) -> list:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _has_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _subjects(value: Any, words: tuple[str, ...], inside: bool = False, depth: int = 0) -> list:
    """Object IDs (objectId / id values) found under any key containing one of `words`."""
    if depth > MAX_DEPTH:
        return []
    found: list = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            lowered = str(key).lower()
            here = inside or any(w in lowered for w in words)
            if here and lowered in ("objectid", "id") and (isinstance(item, str) or is_unknown(item)):
                found.append(item)
            else:
                found += _subjects(item, words, here, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found += _subjects(item, words, inside, depth + 1)
    return found


def _subjects_of(plan: _Plan, node: Node, words: tuple[str, ...], into: Need) -> None:
    for key, value in node.props.items():
        subjects = _subjects(value, words, any(w in key.lower() for w in words))
        if subjects:
            plan.principals(node, key, into, subjects)


def _role(value: Any) -> str | None:
    return value.strip().lower().rsplit("/", 1)[-1] if isinstance(value, str) else None


def licence_needs(nodes: Iterable[Node]) -> list[Need]:
    """The licences the plan needs, in the order of LICENCES (only those it needs)."""
    plan = _Plan(nodes)
    governed_policies: set[str] = set()
    face_check: set[str] = set()
    for node in plan.nodes:
        kind = _kind(node)
        if node.type in ELIGIBILITY or kind == "directoryRoleEligibility":
            feature = "PIM: eligible and time-bound assignments"
            plan.principals(node, "principalId", plan.need("entraIdP2", feature))
        elif node.type in PIM_POLICIES or kind == "entraRoleSettings":
            _subjects_of(plan, node, ("approver",), plan.need("entraIdP2", "PIM: approvers"))
        elif node.type == PACKAGE_POLICY:
            need = plan.need("entraIdP2", "Entitlement management: requestors, approvers and reviewers")
            _subjects_of(plan, node, ("requestor", "approver", "reviewer"), need)
        elif kind == "accessPackagePolicySettings":
            governed_policies.update(node.deps.get("policyId", ()))
            if node.props.get("faceCheckRequired") is True or _has_face_check(node.props):
                face_check.update(node.deps.get("policyId", ()))
        elif kind == "accessPackageCustomExtension":
            plan.need("entraIdGovernance", "Entitlement management: custom extensions (Logic Apps)")
        elif kind == "lifecycleWorkflow":
            need = plan.need("entraIdGovernance", "Lifecycle workflows")
            need.unresolved.add(f"lifecycle workflow {node.name}: the users its rule scopes, over a year")
        elif node.type == CA_POLICY or kind == "conditionalAccessPolicy":
            _conditional_access(plan, node)
        elif kind == "privateAccessApp":
            for licence in ("entraPrivateAccess", "entraIdP1"):
                plan.principals(node, "assignedGroupIds", plan.need(licence, "Private Access: assigned users"))
        elif node.type == ROLE_ASSIGNMENT and _role(node.props.get("roleDefinitionId")) == (
            AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER
        ):
            plan.principals(node, "principalId", plan.need("avdUser", "Azure Virtual Desktop: users of the PAW"))
    extension = "entraIdGovernance" in plan.needs
    for node in plan.nodes:
        if node.type != PACKAGE_POLICY:
            continue
        if node.urn in face_check:
            need = plan.need("verifiedIdFaceCheck", "Verified ID Face Check in access-package requests")
            _subjects_of(plan, node, ("requestor",), need)
        if extension or node.urn in face_check:
            need = plan.need(
                "entraIdGovernance", "Entitlement management: Governance features (custom extensions, Verified ID)"
            )
            _subjects_of(plan, node, ("requestor", "approver", "reviewer"), need)
    return [plan.needs[key] for key in LICENCES if key in plan.needs]


def _has_face_check(props: Mapping[str, Any]) -> bool:
    return any(isinstance(v, Mapping) and v.get("faceCheckRequired") is True for v in _values(props.get("verifiedId")))


def _conditional_access(plan: _Plan, node: Node) -> None:
    need = plan.need("entraIdP1", "Conditional Access: users in scope")
    conditions = node.props.get("conditions")
    users = conditions.get("users") if isinstance(conditions, Mapping) else None
    if not isinstance(users, Mapping):
        return
    included = [*_values(users.get("includedUsers")), *_values(users.get("includedGroups"))]
    everyone = [v for v in included if isinstance(v, str) and v.lower() == "all"]
    if everyone:
        need.unresolved.add(f"conditional access policy {node.name}: all users")
    plan.principals(node, "conditions", need, [v for v in included if v not in everyone])
    roles = {r.lower() for r in _values(users.get("includedRoles")) if isinstance(r, str)}
    for grant in plan.nodes:
        if (
            grant.type in ROLE_GRANTS
            and _role(grant.props.get("roleId") or grant.props.get("roleDefinitionId")) in roles
        ):
            key = "principalObjectId" if "principalObjectId" in grant.props else "principalId"
            plan.principals(grant, key, need)
