"""The privilege diff: what two previewed plans change in who can become what (`pum diff`).

`pum diff` (generic) calls `compare(base, head)` (configured in pyproject.toml, `[tool.pum] diff`) with two
reports in the JSON shape of `pum preview --format json` (design §2) and writes the changes it returns.

A JSON report keeps each resource's literal inputs; an input that is another resource's output (an object ID
unknown at preview) is null there. Such a reference is resolved from `propertyDependencies` when the report
carries them, else by how this project's components name what they declare: a binding's group, role
assignment, PIM policy and eligibilities are children of one component (`<binding>-group`,
`<binding>-eligible-<key>`), admin accounts are `admin-accounts-<key>`, an access package's policy and
resources are named after the package. What cannot be resolved is said as "known after deploy", the same way
in both plans, so it never shows as a change by itself.

What is compared:

* grants: a principal's eligible or active (standing) Entra or Azure role at a scope, directly or through a
  group it is an eligible or active member of (PIM for Groups, group members); per grant the activation
  controls (maximum activation, MFA, authentication context, approval, approvers, justification, ticket) and
  the lifetime of the eligibility or assignment;
* access package policies: who may request, approval and approvers, justification, ticket question, how long
  an assignment lasts, its access review, and the groups the package grants;
* conditional access: state (enabled, report-only, off), the roles, groups and users a policy covers or
  excludes, and its grant controls;
* Private Access apps: the network segments each reaches and the groups assigned to it.

Each change is a dict: kind, direction (loosened, tightened, added, removed, or changed when neither is
meant), subject, role, scope, setting, before, after, tier and a one-line summary a reviewer reads.
"""

from __future__ import annotations

import collections
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from privileged_facts.roles import (
    CRITICAL_AZURE_ROLE_IDS,
    CRITICAL_ROLE_IDS,
    PRIVILEGED_AZURE_ROLE_IDS,
    PRIVILEGED_ROLE_IDS,
)
from privileged_facts.values import parse_duration

from .map import (  # the resource types and role names the privilege map reads: one home
    DYNAMIC,
    ROLE_NAMES,
    T_ARM_ASSIGNMENT,
    T_ARM_ELIGIBLE,
    T_ARM_POLICY,
    T_AU,
    T_CA,
    T_CATALOG_RES,
    T_GRANT,
    T_GROUP,
    T_GROUP_MEMBER,
    T_GROUP_POLICY,
    T_PACKAGE,
    T_PAG_ACTIVE,
    T_PAG_ELIGIBLE,
    T_POLICY,
    T_ROLE_ASSIGNMENT,
    T_ROLE_ELIGIBILITY_REQUEST,
    T_USER,
)

UNRESOLVED = "a principal known after deploy"
DIRECTIONS = ("loosened", "added", "changed", "removed", "tightened")  # the order a reviewer reads them in


# --- reading a JSON report ---------------------------------------------------------------------------


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _short(value: str) -> str:
    return value if len(value) <= 13 else value[:8] + "…"


def _role_id(value: Any) -> str | None:
    text = _text(value)
    return text.rstrip("/").rsplit("/", 1)[-1].lower() if text else None


def role_name(role_id: str | None) -> str:
    if role_id is None:
        return "a role known after deploy"
    return ROLE_NAMES.get(role_id, f"role {role_id}")


def role_tier(role_id: str | None) -> str | None:
    if role_id in CRITICAL_ROLE_IDS or role_id in CRITICAL_AZURE_ROLE_IDS:
        return "critical"
    if role_id in PRIVILEGED_ROLE_IDS or role_id in PRIVILEGED_AZURE_ROLE_IDS:
        return "privileged"
    return None


class _Plan:
    """One report's resources, with the references between them resolved as far as the report allows."""

    def __init__(self, report: dict) -> None:
        self.resources = [r for r in _sequence(report.get("resources")) if isinstance(r, dict)]
        self.by_urn = {r["urn"]: r for r in self.resources if isinstance(r.get("urn"), str)}
        self.children: dict[Any, list[dict]] = collections.defaultdict(list)
        self.by_type: dict[str, list[dict]] = collections.defaultdict(list)
        for r in self.resources:
            self.children[r.get("parent")].append(r)
            self.by_type[str(r.get("type"))].append(r)

    @staticmethod
    def inputs(r: dict) -> dict:
        return _mapping(r.get("inputs"))

    @staticmethod
    def name(r: dict) -> str:
        return str(r.get("name") or "")

    def label(self, r: dict) -> str:
        inputs = self.inputs(r)
        for key in ("displayName", "userPrincipalName"):
            if _text(inputs.get(key)):
                return str(inputs[key])
        return self.name(r)

    def deps(self, r: dict, prop: str) -> list[dict]:
        urns = _sequence(_mapping(r.get("propertyDependencies")).get(prop))
        return [self.by_urn[u] for u in urns if isinstance(u, str) and u in self.by_urn]

    def siblings(self, r: dict, *types: str) -> list[dict]:
        return [x for x in self.children.get(r.get("parent"), []) if x.get("type") in types and x is not r]

    def keyed(self, key: str, *types: str) -> dict | None:
        """The declared user or group a component named after `key` (admin-accounts-<key>, pim-<key>-group,
        journeys-group-<key>): the project's naming, for a reference a JSON report leaves null."""
        for kind in types:
            found = [
                r
                for r in self.by_type.get(kind, [])
                if self.name(r).endswith(f"-{key}") or self.name(r) == f"pim-{key}-group"
            ]
            if len(found) == 1:
                return found[0]
        return None

    def principal(self, r: dict, prop: str) -> list[tuple[str, str | None]]:
        """Who `r`'s `prop` names, as (words, identity): a declared principal's display name and URN, an existing
        one's object ID, or UNRESOLVED (identity None) when the report does not say."""
        value = self.inputs(r).get(prop)
        values = value if isinstance(value, list) else [value]
        result: list[tuple[str, str | None]] = [
            (f"object {_short(v)}", v.lower()) for v in values if isinstance(v, str) and v
        ]
        if all(_text(v) for v in values):
            return result
        deps = [d for d in self.deps(r, prop) if d.get("type") in (T_USER, T_GROUP)]
        if deps:
            return result + [(self.label(d), d.get("urn")) for d in deps]
        name = self.name(r)
        found = None
        if "-eligible-" in name:
            found = self.keyed(name.rsplit("-eligible-", 1)[1], T_USER, T_GROUP)
        if found is None:
            groups = self.siblings(r, T_GROUP)
            users = [u for u in self.siblings(r, T_USER) if name.startswith(self.name(u) + "-")]
            found = groups[0] if len(groups) == 1 else (users[0] if len(users) == 1 else None)
        if found is None:  # named after the resource, so two unresolved principals never merge into one
            return result + [(f"{UNRESOLVED} ({name})", None)]
        return result + [(self.label(found), found.get("urn"))]

    def group_of(self, r: dict, prop: str) -> tuple[str, str | None]:
        """The group `r`'s `prop` names, as (words, identity)."""
        value = _text(self.inputs(r).get(prop))
        if value:
            return f"group {_short(value)}", value.lower()
        deps = [d for d in self.deps(r, prop) if d.get("type") == T_GROUP]
        groups = deps or self.siblings(r, T_GROUP)
        if len(groups) == 1:
            return self.label(groups[0]), groups[0].get("urn")
        return "a group known after deploy", None


# --- scopes ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    key: str
    label: str
    breadth: int  # tenant/root 100, management group 90, subscription 50, administrative unit / RG 30, below 20


def _entra_scope(plan: _Plan, r: dict) -> Scope:
    value = plan.inputs(r).get("directoryScopeId")
    if value == "/":
        return Scope("/", "the tenant", 100)
    if isinstance(value, str) and value.startswith("/administrativeUnits/"):
        return Scope(value.lower(), f"administrative unit {_short(value.rsplit('/', 1)[-1])}", 30)
    if isinstance(value, str) and value:
        return Scope(value.lower(), value, 20)
    units = [d for d in plan.deps(r, "directoryScopeId") if d.get("type") == T_AU]
    if units:
        return Scope(f"au:{units[0].get('urn')}", f"administrative unit {plan.label(units[0])}", 30)
    # this project's components leave the scope unknown only for an administrative unit they declare
    return Scope("au:unknown", "an administrative unit", 30)


def _azure_scope(plan: _Plan, r: dict) -> Scope:
    value = _text(plan.inputs(r).get("scope"))
    if value is None:
        deps = plan.deps(r, "scope")
        if deps:
            return Scope(f"urn:{deps[0].get('urn')}", f"{plan.label(deps[0])}", 20)
        name = plan.name(r)  # each its own scope: a new assignment on a new resource is new access
        return Scope(f"unknown:{name}", f"the resource {name} is assigned to (known after deploy)", 20)
    path = value.rstrip("/").lower() or "/"
    parts = [p for p in value.strip("/").split("/") if p]
    lowered = [p.lower() for p in parts]
    if path == "/":
        return Scope("/", "the root scope (every subscription)", 100)
    if lowered[:3] == ["providers", "microsoft.management", "managementgroups"] and len(parts) == 4:
        return Scope(path, f"management group {parts[3]}", 90)
    if lowered[:1] == ["subscriptions"] and len(parts) == 2:
        return Scope(path, f"subscription {parts[1]}", 50)
    if lowered[:1] == ["subscriptions"] and len(parts) == 4 and lowered[2] == "resourcegroups":
        return Scope(path, f"resource group {parts[3]}", 30)
    return Scope(path, value, 20)


def _scope_direction(before: Scope, after: Scope) -> str:
    old, new = before.key.rstrip("/"), after.key.rstrip("/")
    if after.key == "/" or old.startswith(new + "/"):
        return "loosened"
    if before.key == "/" or new.startswith(old + "/"):
        return "tightened"
    if after.breadth != before.breadth:
        return "loosened" if after.breadth > before.breadth else "tightened"
    return "changed"


# --- controls ----------------------------------------------------------------------------------------


def _minutes(value: Any) -> float | None:
    try:
        return parse_duration(value).total_seconds() / 60
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None


def _hours(value: Any) -> str:
    minutes = _minutes(value)
    if minutes is None:
        return str(value)
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        return f"{int(minutes // (24 * 60))} d"
    hours, rest = divmod(int(minutes), 60)
    return (f"{hours} h" + (f" {rest} min" if rest else "")) if hours else f"{rest} min"


def _approver(entry: dict) -> str | None:
    kind = entry.get("subjectType") or entry.get("@odata.type") or entry.get("type") or entry.get("userType")
    ident = _text(entry.get("objectId")) or _text(entry.get("groupId")) or _text(entry.get("userId"))
    ident = ident or _text(entry.get("id"))
    kind = str(kind or "").rsplit(".", 1)[-1]
    if kind in ("requestorManager",):
        return "the requestor's manager"
    if kind in ("internalSponsors", "externalSponsors"):
        return "sponsors"
    if ident:
        what = "group" if kind in ("groupMembers", "Group") else ("user" if kind in ("singleUser", "User") else "")
        return f"{what} {_short(ident)}".strip()
    return kind or None


@dataclass
class Controls:
    max_activation: str | None = None  # ISO 8601 duration
    mfa: bool = False
    auth_context: str | None = None
    approval: bool = False
    approvers: tuple[str, ...] = ()
    justification: bool = False
    ticket: bool = False

    def merged(self, other: Controls) -> Controls:
        """Both sets of controls apply (a membership activation, then a role activation)."""
        durations = [d for d in (self.max_activation, other.max_activation) if d]
        return Controls(
            max(durations, key=lambda d: _minutes(d) or 0) if durations else None,
            self.mfa or other.mfa,
            self.auth_context or other.auth_context,
            self.approval or other.approval,
            tuple(sorted(set(self.approvers) | set(other.approvers))),
            self.justification or other.justification,
            self.ticket or other.ticket,
        )


def _rule_controls(rules: Any) -> Controls:
    """Graph `unifiedRoleManagementPolicy` or ARM `RoleManagementPolicy` rules: the end user's activation."""
    controls = Controls()
    for rule in [r for r in _sequence(rules) if isinstance(r, dict)]:
        rule_id = rule.get("id")
        if rule_id == "Expiration_EndUser_Assignment" and _text(rule.get("maximumDuration")):
            controls.max_activation = rule["maximumDuration"]
        elif rule_id == "Enablement_EndUser_Assignment":
            enabled = {e for e in _sequence(rule.get("enabledRules")) if isinstance(e, str)}
            controls.mfa = "MultiFactorAuthentication" in enabled
            controls.justification = "Justification" in enabled
            controls.ticket = "Ticketing" in enabled
        elif rule_id == "AuthenticationContext_EndUser_Assignment" and rule.get("isEnabled") is True:
            controls.auth_context = str(rule.get("claimValue") or "set")
        elif rule_id == "Approval_EndUser_Assignment":
            setting = _mapping(rule.get("setting"))
            controls.approval = setting.get("isApprovalRequired") is True
            if controls.approval:
                approvers = {
                    _approver(a)
                    for stage in _sequence(setting.get("approvalStages"))
                    for a in _sequence(_mapping(stage).get("primaryApprovers"))
                    if isinstance(a, dict)
                }
                controls.approvers = tuple(sorted(a for a in approvers if a))
    return controls


def _group_policy_controls(inputs: dict) -> Controls:
    rules = _mapping(inputs.get("activationRules"))
    approval = rules.get("requireApproval") is True
    approvers = {
        _approver(a)
        for a in _sequence(_mapping(rules.get("approvalStage")).get("primaryApprovers"))
        if isinstance(a, dict)
    }
    return Controls(
        _text(rules.get("maximumDuration")),
        rules.get("requireMultifactorAuthentication") is True,
        _text(rules.get("requiredConditionalAccessAuthenticationContext")),
        approval,
        tuple(sorted(a for a in approvers if a)) if approval else (),
        rules.get("requireJustification") is True,
        rules.get("requireTicketInfo") is True,
    )


# --- lifetimes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lifetime:
    kind: str  # permanent | duration | until | unknown
    value: str = ""

    def words(self) -> str:
        if self.kind == "permanent":
            return "never expires"
        if self.kind == "duration":
            return f"{_hours(self.value)}"
        if self.kind == "until":
            return f"until {self.value}"
        return "not stated"


def _lifetime_direction(before: Lifetime, after: Lifetime) -> str:
    if before.kind == "permanent" or after.kind == "permanent":
        return "loosened" if after.kind == "permanent" else "tightened"
    if before.kind == after.kind == "duration":
        old, new = _minutes(before.value), _minutes(after.value)
        if old is not None and new is not None and old != new:
            return "loosened" if new > old else "tightened"
    if before.kind == after.kind == "until":  # ISO dates order as text; never compared with today
        return "loosened" if after.value > before.value else "tightened"
    return "changed"


def _settings_lifetimes(plan: _Plan) -> dict[int, Lifetime]:
    """id(assignment policy) -> the lifetime its AssignmentPolicySettings write over it in Graph (`expiration`),
    the policy found through the settings' policyId dependency, else by the project's naming (<policy>-settings)."""
    policies = plan.by_type.get(T_POLICY, [])
    result: dict[int, Lifetime] = {}
    for r in plan.resources:
        inputs = plan.inputs(r)
        if not str(r.get("type", "")).startswith(DYNAMIC) or inputs.get("graphKind") != "accessPackagePolicySettings":
            continue
        expiration = _mapping(inputs.get("expiration"))
        if not expiration:
            continue
        targets = [d for d in plan.deps(r, "policyId") if d.get("type") == T_POLICY]
        targets = targets or [p for p in policies if f"{plan.name(p)}-settings" == plan.name(r)]
        kind, duration = str(expiration.get("type", "")).lower(), expiration.get("duration")
        if kind == "afterduration" and _text(duration):
            lifetime = Lifetime("duration", str(duration))
        else:
            lifetime = Lifetime("permanent" if kind == "noexpiration" else "unknown")
        for policy in targets:
            result[id(policy)] = lifetime
    return result


def _schedule_lifetime(inputs: dict) -> Lifetime:
    expiry = _mapping(_mapping(inputs.get("scheduleInfo")).get("expiration"))
    if str(expiry.get("type", "")).lower() == "noexpiration":
        return Lifetime("permanent")
    if _text(expiry.get("duration")):
        return Lifetime("duration", expiry["duration"])
    if _text(expiry.get("endDateTime")):
        return Lifetime("until", expiry["endDateTime"])
    if _text(inputs.get("duration")):
        return Lifetime("duration", inputs["duration"])
    if _text(inputs.get("endDateTime")):
        return Lifetime("until", inputs["endDateTime"])
    return Lifetime("permanent") if not expiry else Lifetime("unknown")


# --- grants ------------------------------------------------------------------------------------------


@dataclass
class Grant:
    subject: str
    role_id: str | None
    scope: Scope
    eligible: bool  # False: active (standing) access
    lifetime: Lifetime
    controls: Controls | None  # activation controls, for eligible grants
    via: str | None = None  # the group the subject holds the role through

    @property
    def key(self) -> tuple:
        return (self.subject, self.role_id, self.scope.key, self.via)

    @property
    def pair_key(self) -> tuple:
        return (self.subject, self.role_id, self.via)


@dataclass
class Membership:
    principal: str
    eligible: bool
    lifetime: Lifetime
    controls: Controls | None


def _grants(plan: _Plan) -> list[Grant]:
    entra_settings = {
        _role_id(plan.inputs(r).get("roleDefinitionId")): _rule_controls(plan.inputs(r).get("rules"))
        for r in plan.by_type.get(f"{DYNAMIC}:Resource", [])
        if plan.inputs(r).get("graphKind") == "entraRoleSettings"
    }
    arm_policies = plan.by_type.get(T_ARM_POLICY, [])
    group_policies: dict[str | None, Controls] = {}
    for r in plan.by_type.get(T_GROUP_POLICY, []):
        if plan.inputs(r).get("roleId") in ("member", None):
            group_policies[plan.group_of(r, "groupId")[1]] = _group_policy_controls(plan.inputs(r))

    # the members of each group, by the group's identity (URN of a declared group, object ID of an existing one)
    members: dict[str | None, list[Membership]] = collections.defaultdict(list)
    for r in plan.by_type.get(T_PAG_ELIGIBLE, []) + plan.by_type.get(T_PAG_ACTIVE, []):
        inputs = plan.inputs(r)
        if inputs.get("assignmentType") not in ("member", None):
            continue
        group = plan.group_of(r, "groupId")[1]
        eligible = r.get("type") == T_PAG_ELIGIBLE
        if inputs.get("permanentAssignment") is True:
            lifetime = Lifetime("permanent")
        elif _text(inputs.get("duration")):
            lifetime = Lifetime("duration", inputs["duration"])
        elif _text(inputs.get("expirationDate")):
            lifetime = Lifetime("until", inputs["expirationDate"])
        else:
            lifetime = Lifetime("permanent")
        membership_controls = group_policies.get(group, Controls()) if eligible else None
        for principal, _ in plan.principal(r, "principalId"):
            members[group].append(Membership(principal, eligible, lifetime, membership_controls))
    for r in plan.by_type.get(T_GROUP_MEMBER, []):
        group = plan.group_of(r, "groupObjectId")[1]
        for principal, _ in plan.principal(r, "memberObjectId"):
            members[group].append(Membership(principal, False, Lifetime("permanent"), None))

    grants: list[Grant] = []
    for r in plan.resources:
        kind = str(r.get("type"))
        inputs = plan.inputs(r)
        azure = kind.startswith("azure-native:")
        if kind in (T_ROLE_ASSIGNMENT, T_ARM_ASSIGNMENT):
            eligible = False
        elif kind in (T_ROLE_ELIGIBILITY_REQUEST, T_ARM_ELIGIBLE) or (
            kind.startswith(DYNAMIC) and inputs.get("graphKind") == "directoryRoleEligibility"
        ):
            eligible = True
        else:
            continue
        role_id = _role_id(inputs.get("roleId" if kind == T_ROLE_ASSIGNMENT else "roleDefinitionId"))
        principal_prop = "principalObjectId" if kind == T_ROLE_ASSIGNMENT else "principalId"
        scope = _azure_scope(plan, r) if azure else _entra_scope(plan, r)
        controls: Controls | None = None
        if eligible:
            lifetime = _schedule_lifetime(inputs)
            if azure:
                policies = plan.siblings(r, T_ARM_POLICY) or [
                    p for p in arm_policies if _text(plan.inputs(p).get("scope")) and _azure_scope(plan, p) == scope
                ]
                controls = _rule_controls(plan.inputs(policies[0]).get("rules")) if policies else Controls()
            else:
                controls = entra_settings.get(role_id, Controls())
        else:
            end = _text(inputs.get("endDateTime"))
            lifetime = Lifetime("until", end) if end else Lifetime("permanent")
        for principal, identity in plan.principal(r, principal_prop):
            grant = Grant(principal, role_id, scope, eligible, lifetime, controls)
            grants.append(grant)
            for member in members.get(identity, []) if identity is not None else []:
                if member.controls is not None and controls is not None:
                    merged: Controls | None = member.controls.merged(controls)
                else:
                    merged = member.controls or controls
                grants.append(
                    Grant(
                        member.principal,
                        role_id,
                        scope,
                        member.eligible or eligible,
                        member.lifetime if member.lifetime.kind != "permanent" else lifetime,
                        merged,
                        principal,
                    )
                )
    return grants


# --- access packages ---------------------------------------------------------------------------------

_REQUESTOR_REACH = {
    "NoSubjects": 0,
    "SpecificDirectorySubjects": 1,
    "SpecificConnectedOrganizationSubjects": 2,
    "AllConfiguredConnectedOrganizationSubjects": 3,
    "AllExistingConnectedOrganizationSubjects": 3,
    "AllExistingDirectoryMemberUsers": 4,
    "AllExistingDirectorySubjects": 5,
    "AllExternalSubjects": 6,
}
_REQUESTOR_WORDS = {
    "NoSubjects": "no one",
    "AllExistingDirectoryMemberUsers": "all member users",
    "AllExistingDirectorySubjects": "all users, guests included",
    "AllExternalSubjects": "any external user",
    "AllConfiguredConnectedOrganizationSubjects": "users of the connected organisations",
    "AllExistingConnectedOrganizationSubjects": "users of the connected organisations",
}
_REVIEW_EVERY = {"weekly": 7, "monthly": 30, "quarterly": 91, "halfyearly": 182, "annual": 365}
_TIMEOUT_STRICTNESS = {"removeAccess": 2, "acceptAccessRecommendation": 1, "keepAccess": 0}


@dataclass
class PackagePolicy:
    package: str
    policy: str
    requestors: str  # words
    reach: int
    requestor_count: int
    approval: tuple[tuple[str, ...], ...]  # stages of approvers; () when no approval
    justification: bool
    ticket: bool
    lifetime: Lifetime
    review: dict = field(default_factory=dict)
    grants: tuple[str, ...] = ()


def _package_of(plan: _Plan, r: dict, packages: list[dict]) -> dict | None:
    deps = [d for d in plan.deps(r, "accessPackageId") if d.get("type") == T_PACKAGE]
    if deps:
        return deps[0]
    name = plan.name(r)
    found = [p for p in packages if name.startswith(plan.name(p) + "-")]
    return max(found, key=lambda p: len(plan.name(p))) if found else None


def _packages(plan: _Plan) -> list[PackagePolicy]:
    packages = plan.by_type.get(T_PACKAGE, [])
    granted: dict[int, set[str]] = collections.defaultdict(set)
    catalog = plan.by_type.get(T_CATALOG_RES, [])
    for r in plan.by_type.get(T_GRANT, []):
        package = _package_of(plan, r, packages)
        if package is None:
            continue
        resources = plan.deps(r, "catalogResourceAssociationId")
        if not resources:
            rest = plan.name(r)[len(plan.name(package)) + 1 :]
            resources = [c for c in catalog if plan.name(c).endswith(f"-{rest}")]
        for resource in resources[:1]:
            origin = _text(plan.inputs(resource).get("resourceOriginId"))
            groups = [d for d in plan.deps(resource, "resourceOriginId") if d.get("type") == T_GROUP]
            if origin:
                label = f"group {_short(origin)}"
            elif groups:
                label = plan.label(groups[0])
            else:
                rest = plan.name(resource).split("-resource-", 1)[-1]
                group = plan.keyed(rest, T_GROUP)
                label = plan.label(group) if group is not None else "a group known after deploy"
            granted[id(package)].add(label)
    result = []
    hours = _settings_lifetimes(plan)
    for r in plan.by_type.get(T_POLICY, []):
        inputs = plan.inputs(r)
        package = _package_of(plan, r, packages)
        settings = _mapping(inputs.get("requestorSettings"))
        scope = str(settings.get("scopeType") or "SpecificDirectorySubjects")
        if settings.get("requestsAccepted") is False:
            scope = "NoSubjects"
        entries = [e for e in _sequence(settings.get("requestors")) if isinstance(e, dict)]
        if scope in _REQUESTOR_WORDS:
            words = _REQUESTOR_WORDS[scope]
        else:
            named = [f"object {_short(e['objectId'])}" for e in entries if _text(e.get("objectId"))]
            deps = plan.deps(r, "requestorSettings")
            named += [plan.label(d) for d in deps if d.get("type") in (T_USER, T_GROUP)]
            unknown = len(entries) - len([e for e in entries if _text(e.get("objectId"))]) - len(deps)
            if unknown > 0:
                named.append(f"{unknown} specific {'people or groups' if unknown > 1 else 'person or group'}")
            words = ", ".join(named) or "no one"
        approval = _mapping(inputs.get("approvalSettings"))
        stages: tuple[tuple[str, ...], ...] = ()
        if approval.get("approvalRequired") is True:
            stages = tuple(
                tuple(
                    sorted(
                        {
                            a
                            for a in (
                                _approver(x)
                                for x in _sequence(_mapping(stage).get("primaryApprovers"))
                                if isinstance(x, dict) and not x.get("backup")
                            )
                            if a
                        }
                    )
                )
                or ("required",)
                for stage in _sequence(approval.get("approvalStages"))
            ) or (("required",),)
        days = inputs.get("durationInDays")
        if id(r) in hours:  # the policy's settings write its lifetime over the azuread one (durationInHours)
            lifetime = hours[id(r)]
        elif isinstance(days, (int, float)) and not isinstance(days, bool):
            lifetime = Lifetime("duration", f"P{int(days)}D")
        elif _text(inputs.get("expirationDate")):
            lifetime = Lifetime("until", inputs["expirationDate"])
        else:
            lifetime = Lifetime("permanent")
        review_in = _mapping(inputs.get("assignmentReviewSettings"))
        review = {}
        if review_in.get("enabled") is True:
            reviewers = sorted(
                {a for a in (_approver(x) for x in _sequence(review_in.get("reviewers")) if isinstance(x, dict)) if a}
            )
            review = {
                "frequency": review_in.get("reviewFrequency"),
                "reviewType": review_in.get("reviewType"),
                "reviewers": reviewers,
                "timeoutBehavior": review_in.get("accessReviewTimeoutBehavior"),
            }
        result.append(
            PackagePolicy(
                plan.label(package) if package is not None else "an access package",
                plan.label(r),
                words,
                _REQUESTOR_REACH.get(scope, 1),
                len(entries),
                stages,
                approval.get("requestorJustificationRequired") is True,
                bool(_sequence(inputs.get("questions"))),
                lifetime,
                review,
                tuple(sorted(granted.get(id(package), set()))) if package is not None else (),
            )
        )
    return result


# --- conditional access ------------------------------------------------------------------------------

_STATE_WORDS = {
    "enabled": "enabled",
    "enabledForReportingButNotEnforced": "report-only",
    "disabled": "off",
}
_STATE_STRENGTH = {"enabled": 2, "enabledForReportingButNotEnforced": 1, "disabled": 0}


@dataclass
class CaPolicy:
    key: str
    label: str
    state: str
    included_roles: frozenset[str]
    excluded_roles: frozenset[str]
    counts: dict[str, int]  # included/excluded users and groups
    all_users: bool
    controls: frozenset[str]


def _ca_policies(plan: _Plan) -> list[CaPolicy]:
    result = []
    for r in plan.by_type.get(T_CA, []):
        inputs = plan.inputs(r)
        users = _mapping(_mapping(inputs.get("conditions")).get("users"))
        grant = _mapping(inputs.get("grantControls"))
        controls = {str(c) for c in _sequence(grant.get("builtInControls"))}
        if _text(grant.get("authenticationStrengthPolicyId")):
            strength = grant["authenticationStrengthPolicyId"]
            controls.add(
                "phishing-resistant MFA" if strength.endswith("0004") else f"authentication strength {strength}"
            )
        session = _mapping(inputs.get("sessionControls"))
        if session.get("signInFrequency") is not None:
            controls.add(f"sign-in every {session.get('signInFrequency')} {session.get('signInFrequencyPeriod')}")
        if _text(session.get("persistentBrowserMode")):
            controls.add(f"persistent browser {session['persistentBrowserMode']}")
        included_users = _sequence(users.get("includedUsers"))
        result.append(
            CaPolicy(
                plan.name(r),
                plan.label(r),
                str(inputs.get("state") or "enabled"),
                frozenset(role_name(_role_id(x)) for x in _sequence(users.get("includedRoles")) if _text(x)),
                frozenset(role_name(_role_id(x)) for x in _sequence(users.get("excludedRoles")) if _text(x)),
                {
                    key: len(_sequence(users.get(key)))
                    for key in ("includedGroups", "excludedGroups", "includedUsers", "excludedUsers")
                },
                "All" in included_users,
                frozenset(controls),
            )
        )
    return result


# --- Private Access ----------------------------------------------------------------------------------


@dataclass
class App:
    key: str
    label: str
    segments: frozenset[str]
    groups: frozenset[str]


def _apps(plan: _Plan) -> list[App]:
    result = []
    for r in plan.by_type.get(f"{DYNAMIC}:Resource", []):
        inputs = plan.inputs(r)
        if inputs.get("graphKind") != "privateAccessApp":
            continue
        segments = set()
        for segment in [x for x in _sequence(inputs.get("segments")) if isinstance(x, dict)]:
            ports = ",".join(str(p) for p in _sequence(segment.get("ports")))
            segments.add(f"{segment.get('destinationHost')} port {ports or 'any'}/{segment.get('protocol') or 'tcp'}")
        groups = (
            frozenset(label for label, _ in plan.principal(r, "assignedGroupIds"))
            if inputs.get("assignedGroupIds")
            else frozenset()
        )
        result.append(App(plan.name(r), plan.label(r), frozenset(segments), groups))
    return result


def _network(segment: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network | None, str]:
    host, _, rest = segment.partition(" port ")
    try:
        return ipaddress.ip_network(host, strict=False), rest
    except ValueError:
        return None, rest


def _covered(inner: list[str], outer: list[str]) -> bool:
    """Every segment of `inner` lies within one of `outer` (same ports and protocol, a network containing it)."""

    def within(a: str, b: str) -> bool:
        (net_a, rest_a), (net_b, rest_b) = _network(a), _network(b)
        if net_a is None or net_b is None or rest_a != rest_b or net_a.version != net_b.version:
            return False
        return net_a.subnet_of(net_b)  # type: ignore[arg-type]

    return bool(inner) and all(any(within(a, b) for b in outer) for a in inner)


def _compare_apps(base: list[App], head: list[App]) -> list[dict]:
    old = {a.key: a for a in base}
    new = {a.key: a for a in head}
    changes = []
    for key, app in new.items():
        if key not in old:
            changes.append(
                _change(
                    "network-access",
                    "added",
                    f"Private Access app {app.label}: {', '.join(sorted(app.groups)) or 'no group'} "
                    f"reach {', '.join(sorted(app.segments)) or 'nothing'}",
                    subject=", ".join(sorted(app.groups)) or None,
                    role=app.label,
                    scope=", ".join(sorted(app.segments)) or None,
                    after=sorted(app.segments),
                )
            )
    for key, app in old.items():
        if key not in new:
            changes.append(
                _change(
                    "network-access",
                    "removed",
                    f"Private Access app {app.label} is removed: {', '.join(sorted(app.groups)) or 'no group'} "
                    f"no longer reach {', '.join(sorted(app.segments)) or 'anything'}",
                    subject=", ".join(sorted(app.groups)) or None,
                    role=app.label,
                    before=sorted(app.segments),
                )
            )
    for key, after in new.items():
        before = old.get(key)
        if before is None:
            continue
        for setting, old_set, new_set in (
            ("segments", before.segments, after.segments),
            ("groups", before.groups, after.groups),
        ):
            if old_set == new_set:
                continue
            gained, lost = sorted(new_set - old_set), sorted(old_set - new_set)
            parts = ([f"now also {', '.join(gained)}"] if gained else []) + (
                [f"no longer {', '.join(lost)}"] if lost else []
            )
            if gained and not lost:
                direction = "loosened"
            elif lost and not gained:
                direction = "tightened"
            elif setting == "segments" and _covered(lost, gained):
                direction = "loosened"  # 10.20.0.0/24 -> 10.20.0.0/16: what it reached, and more
            elif setting == "segments" and _covered(gained, lost):
                direction = "tightened"
            else:
                direction = "changed"
            changes.append(
                _change(
                    "network-access",
                    direction,
                    f"Private Access app {after.label}: {setting} {'; '.join(parts)}",
                    subject=", ".join(sorted(after.groups)) or None,
                    role=after.label,
                    scope=", ".join(sorted(after.segments)) or None,
                    setting=setting,
                    before=sorted(old_set),
                    after=sorted(new_set),
                )
            )
    return changes


# --- comparing ---------------------------------------------------------------------------------------


def _change(kind: str, direction: str, summary: str, **fields: Any) -> dict:
    change = {
        "kind": kind,
        "direction": direction,
        "subject": None,
        "role": None,
        "scope": None,
        "setting": None,
        "before": None,
        "after": None,
        "tier": None,
    }
    change.update(fields)
    change["summary"] = summary
    return change


def _role_words(role_id: str | None) -> str:
    tier = role_tier(role_id)
    return f"{role_name(role_id)}{f' ({tier})' if tier else ''}"


def _grant_words(grant: Grant) -> str:
    via = f" through group {grant.via}" if grant.via else ""
    return f"{_role_words(grant.role_id)} over {grant.scope.label}{via}"


def _grant_fields(grant: Grant) -> dict:
    return {
        "subject": grant.subject,
        "role": role_name(grant.role_id),
        "scope": grant.scope.label,
        "tier": role_tier(grant.role_id),
        "via": grant.via,
    }


def _controls_words(controls: Controls | None) -> str:
    if controls is None:
        return ""
    words = [f"activation up to {_limit(controls.max_activation)}"]
    words += [w for w, on in (("MFA", controls.mfa), ("justification", controls.justification)) if on]
    words += [f"authentication context {controls.auth_context}"] if controls.auth_context else []
    words += ["ticket"] if controls.ticket else []
    words.append(f"approval by {', '.join(controls.approvers) or 'approvers'}" if controls.approval else "no approval")
    return ", ".join(words)


def _access_words(grant: Grant, controls: bool = False) -> str:
    if grant.eligible:
        detail = f"; {_controls_words(grant.controls)}" if controls and grant.controls is not None else ""
        return f"eligible ({grant.lifetime.words()}{detail})"
    return "active, permanently" if grant.lifetime.kind == "permanent" else f"active ({grant.lifetime.words()})"


def _limit(duration: str | None) -> str:
    return _hours(duration) if duration else "no stated limit"


def _compare_controls(before: Controls, after: Controls, grant: Grant) -> list[dict]:
    changes = []
    who, what = grant.subject, _grant_words(grant)
    fields = _grant_fields(grant)

    def add(setting: str, direction: str, old: Any, new: Any, sentence: str) -> None:
        changes.append(_change("activation", direction, sentence, setting=setting, before=old, after=new, **fields))

    if before.max_activation != after.max_activation:
        old, new = _minutes(before.max_activation), _minutes(after.max_activation)
        if old is None or new is None:
            direction = "loosened" if after.max_activation is None else "changed"
        else:
            direction = "loosened" if new > old else "tightened"
        add(
            "maximum activation",
            direction,
            before.max_activation,
            after.max_activation,
            f"{who}: activation of {what} now lasts up to {_limit(after.max_activation)} "
            f"(was {_limit(before.max_activation)})",
        )
    for setting, attr in (
        ("MFA", "mfa"),
        ("approval", "approval"),
        ("justification", "justification"),
        ("ticket", "ticket"),
    ):
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            add(
                setting,
                "tightened" if new else "loosened",
                old,
                new,
                f"{who}: activating {what} {'now requires' if new else 'no longer requires'} {setting}",
            )
    if before.auth_context != after.auth_context:
        direction = "loosened" if not after.auth_context else ("tightened" if not before.auth_context else "changed")
        add(
            "authentication context",
            direction,
            before.auth_context,
            after.auth_context,
            f"{who}: activating {what} "
            + (
                f"now requires authentication context {after.auth_context}"
                if after.auth_context
                else "no longer requires an authentication context"
            )
            + (f" (was {before.auth_context})" if before.auth_context else ""),
        )
    if before.approval and after.approval and before.approvers != after.approvers:
        add(
            "approvers",
            "changed",
            list(before.approvers),
            list(after.approvers),
            f"{who}: activation of {what} is now approved by {', '.join(after.approvers) or 'no one named'} "
            f"(was {', '.join(before.approvers) or 'no one named'})",
        )
    return changes


def _compare_grants(base: list[Grant], head: list[Grant]) -> list[dict]:
    old = {g.key: g for g in base}
    new = {g.key: g for g in head}
    removed = [g for k, g in old.items() if k not in new]
    added = [g for k, g in new.items() if k not in old]
    changes: list[dict] = []
    pairs = [(old[k], new[k]) for k in new if k in old]
    for grant in list(added):  # the same access at another scope: a scope change, not a new grant
        candidates = [g for g in removed if g.pair_key == grant.pair_key]
        if not candidates:
            continue
        before = next((g for g in candidates if _scope_direction(g.scope, grant.scope) != "changed"), candidates[0])
        removed.remove(before)
        added.remove(grant)
        direction = _scope_direction(before.scope, grant.scope)
        word = {"loosened": "widened", "tightened": "narrowed"}.get(direction, "changed")
        changes.append(
            _change(
                "scope",
                direction,
                f"{grant.subject}: {_role_words(grant.role_id)} scope {word} "
                f"from {before.scope.label} to {grant.scope.label}",
                **{**_grant_fields(grant), "scope": grant.scope.label},
                setting="scope",
                before=before.scope.label,
                after=grant.scope.label,
            )
        )
        pairs.append((before, grant))
    for grant in added:
        kind = "eligibility" if grant.eligible else "standing-access"
        changes.append(
            _change(
                kind,
                "added",
                f"{grant.subject} becomes {_access_words(grant, controls=True)} for {_grant_words(grant)}",
                **_grant_fields(grant),
                after=_access_words(grant),
            )
        )
    for grant in removed:
        kind = "eligibility" if grant.eligible else "standing-access"
        changes.append(
            _change(
                kind,
                "removed",
                f"{grant.subject} is no longer {_access_words(grant)} for {_grant_words(grant)}",
                **_grant_fields(grant),
                before=_access_words(grant),
            )
        )
    for before, after in pairs:
        fields = _grant_fields(after)
        if before.eligible != after.eligible:
            changes.append(
                _change(
                    "standing-access",
                    "tightened" if after.eligible else "loosened",
                    f"{after.subject}: {_grant_words(after)} becomes {_access_words(after)} "
                    f"(was {_access_words(before)})",
                    **fields,
                    setting="access",
                    before=_access_words(before),
                    after=_access_words(after),
                )
            )
        elif before.lifetime != after.lifetime:
            label = "eligibility" if after.eligible else "assignment"
            changes.append(
                _change(
                    "eligibility-lifetime" if after.eligible else "standing-access",
                    _lifetime_direction(before.lifetime, after.lifetime),
                    f"{after.subject}: {label} for {_grant_words(after)} now {after.lifetime.words()} "
                    f"(was {before.lifetime.words()})",
                    **fields,
                    setting="lifetime",
                    before=before.lifetime.words(),
                    after=after.lifetime.words(),
                )
            )
        if before.controls is not None and after.controls is not None:
            changes += _compare_controls(before.controls, after.controls, after)
    return changes


def _approval_words(stages: tuple[tuple[str, ...], ...]) -> str:
    if not stages:
        return "no approval"
    return "approval by " + " then ".join(" or ".join(stage) for stage in stages)


def _review_words(review: dict) -> str:
    if not review:
        return "no access review"
    reviewers = ", ".join(review.get("reviewers") or []) or str(review.get("reviewType") or "reviewers")
    return f"reviewed {review.get('frequency')} by {reviewers}, on no answer {review.get('timeoutBehavior')}"


def _compare_packages(base: list[PackagePolicy], head: list[PackagePolicy]) -> list[dict]:
    old = {(p.package, p.policy): p for p in base}
    new = {(p.package, p.policy): p for p in head}
    changes = []
    for key, policy in new.items():
        if key in old:
            continue
        changes.append(
            _change(
                "access-package",
                "added",
                f"access package {policy.package}: {policy.requestors} may request it "
                f"({_approval_words(policy.approval)}, {policy.lifetime.words()}, {_review_words(policy.review)})"
                + (f"; it grants {', '.join(policy.grants)}" if policy.grants else ""),
                subject=policy.requestors,
                role=policy.package,
                scope=", ".join(policy.grants) or None,
                setting="policy",
                after=policy.policy,
            )
        )
    for key, policy in old.items():
        if key not in new:
            changes.append(
                _change(
                    "access-package",
                    "removed",
                    f"access package {policy.package}: policy {policy.policy} is removed; "
                    f"{policy.requestors} can no longer request it",
                    subject=policy.requestors,
                    role=policy.package,
                    setting="policy",
                    before=policy.policy,
                )
            )
    for key, after in new.items():
        before = old.get(key)
        if before is None:
            continue
        pkg = f"access package {after.package}"
        fields = {"subject": after.requestors, "role": after.package, "scope": ", ".join(after.grants) or None}

        def add(
            kind: str, setting: str, direction: str, old_value: Any, new_value: Any, sentence: str, fields=fields
        ) -> None:
            changes.append(
                _change(kind, direction, sentence, setting=setting, before=old_value, after=new_value, **fields)
            )

        if (before.requestors, before.reach) != (after.requestors, after.reach):
            if after.reach != before.reach:
                direction = "loosened" if after.reach > before.reach else "tightened"
            elif after.requestor_count != before.requestor_count:
                direction = "loosened" if after.requestor_count > before.requestor_count else "tightened"
            else:
                direction = "changed"
            opened = " (opened to all members)" if after.requestors == "all member users" else ""
            add(
                "access-package",
                "requestors",
                direction,
                before.requestors,
                after.requestors,
                f"{pkg}: who may request it is now {after.requestors}{opened} (was {before.requestors})",
            )
        if before.approval != after.approval:
            if not after.approval or not before.approval:
                direction = "loosened" if not after.approval else "tightened"
            elif len(after.approval) != len(before.approval):
                direction = "loosened" if len(after.approval) < len(before.approval) else "tightened"
            else:
                direction = "changed"
            add(
                "access-package",
                "approval",
                direction,
                _approval_words(before.approval),
                _approval_words(after.approval),
                f"{pkg}: requests now need {_approval_words(after.approval)} (was {_approval_words(before.approval)})",
            )
        for setting, attr in (("justification", "justification"), ("ticket", "ticket")):
            if getattr(before, attr) != getattr(after, attr):
                new_value = getattr(after, attr)
                add(
                    "access-package",
                    setting,
                    "tightened" if new_value else "loosened",
                    getattr(before, attr),
                    new_value,
                    f"{pkg}: requests {'now require' if new_value else 'no longer require'} a {setting}",
                )
        if before.lifetime != after.lifetime:
            add(
                "access-package",
                "assignment lifetime",
                _lifetime_direction(before.lifetime, after.lifetime),
                before.lifetime.words(),
                after.lifetime.words(),
                f"{pkg}: assignments now last {after.lifetime.words()} (was {before.lifetime.words()})",
            )
        if before.review != after.review:
            add(
                "access-review",
                "review",
                _review_direction(before.review, after.review),
                _review_words(before.review),
                _review_words(after.review),
                f"{pkg}: assignments are now {_review_words(after.review)} (was {_review_words(before.review)})",
            )
        if before.grants != after.grants:
            gained = sorted(set(after.grants) - set(before.grants))
            lost = sorted(set(before.grants) - set(after.grants))
            parts = ([f"now also grants {', '.join(gained)}"] if gained else []) + (
                [f"no longer grants {', '.join(lost)}"] if lost else []
            )
            add(
                "access-package",
                "grants",
                "loosened" if gained and not lost else ("tightened" if lost and not gained else "changed"),
                list(before.grants),
                list(after.grants),
                f"{pkg}: {'; '.join(parts)}",
            )
    return changes


def _review_direction(before: dict, after: dict) -> str:
    if not before or not after:
        return "loosened" if not after else "tightened"
    old = _REVIEW_EVERY.get(str(before.get("frequency")))
    new = _REVIEW_EVERY.get(str(after.get("frequency")))
    if old and new and old != new:
        return "loosened" if new > old else "tightened"
    old_t = _TIMEOUT_STRICTNESS.get(str(before.get("timeoutBehavior")))
    new_t = _TIMEOUT_STRICTNESS.get(str(after.get("timeoutBehavior")))
    if old_t is not None and new_t is not None and old_t != new_t:
        return "loosened" if new_t < old_t else "tightened"
    return "changed"


def _admins(policy: CaPolicy) -> str:
    return "admins" if policy.included_roles else ("all users" if policy.all_users else "its users")


def _compare_ca(base: list[CaPolicy], head: list[CaPolicy]) -> list[dict]:
    old = {p.key: p for p in base}
    new = {p.key: p for p in head}
    changes = []
    for key, policy in new.items():
        if key not in old:
            changes.append(
                _change(
                    "conditional-access",
                    "tightened" if policy.state == "enabled" else "added",
                    f"conditional access: new policy {policy.label} ({_STATE_WORDS.get(policy.state, policy.state)}) "
                    f"for {_admins(policy)}",
                    subject=policy.label,
                    setting="policy",
                    after=_STATE_WORDS.get(policy.state, policy.state),
                )
            )
    for key, policy in old.items():
        if key not in new:
            changes.append(
                _change(
                    "conditional-access",
                    "loosened" if policy.state == "enabled" else "removed",
                    f"conditional access: policy {policy.label} is removed; it covered {_admins(policy)}",
                    subject=policy.label,
                    setting="policy",
                    before=_STATE_WORDS.get(policy.state, policy.state),
                )
            )
    for key, after in new.items():
        before = old.get(key)
        if before is None:
            continue
        label = f"conditional access {after.label}"

        def add(
            setting: str,
            direction: str,
            old_value: Any,
            new_value: Any,
            sentence: str,
            role: str | None = None,
            subject: str = after.label,
        ) -> None:
            changes.append(
                _change(
                    "conditional-access",
                    direction,
                    sentence,
                    subject=subject,
                    role=role,
                    setting=setting,
                    before=old_value,
                    after=new_value,
                )
            )

        if before.state != after.state:
            old_s, new_s = _STATE_STRENGTH.get(before.state, 2), _STATE_STRENGTH.get(after.state, 2)
            words = _STATE_WORDS.get(after.state, after.state)
            add(
                "state",
                "loosened" if new_s < old_s else ("tightened" if new_s > old_s else "changed"),
                _STATE_WORDS.get(before.state, before.state),
                words,
                f"{label}: now {words} (was {_STATE_WORDS.get(before.state, before.state)})"
                + (" - it no longer enforces anything for admins" if new_s < 2 and after.included_roles else ""),
            )
        for role in sorted(before.included_roles - after.included_roles):
            add("included roles", "loosened", role, None, f"{label}: no longer covers {role}", role)
        for role in sorted(after.included_roles - before.included_roles):
            add("included roles", "tightened", None, role, f"{label}: now also covers {role}", role)
        for role in sorted(after.excluded_roles - before.excluded_roles):
            add("excluded roles", "loosened", None, role, f"{label}: now excludes {role}", role)
        for role in sorted(before.excluded_roles - after.excluded_roles):
            add("excluded roles", "tightened", role, None, f"{label}: no longer excludes {role}", role)
        for key_name, words, wider in (
            ("excludedUsers", "excluded users", True),
            ("excludedGroups", "excluded groups", True),
            ("includedGroups", "included groups", False),
        ):
            old_n, new_n = before.counts.get(key_name, 0), after.counts.get(key_name, 0)
            if old_n != new_n:
                looser = (new_n > old_n) == wider
                add(words, "loosened" if looser else "tightened", old_n, new_n, f"{label}: {words} {old_n} → {new_n}")
        if before.all_users != after.all_users:
            add(
                "all users",
                "tightened" if after.all_users else "loosened",
                before.all_users,
                after.all_users,
                f"{label}: {'now applies to all users' if after.all_users else 'no longer applies to all users'}",
            )
        if before.controls != after.controls:
            gained, lost = sorted(after.controls - before.controls), sorted(before.controls - after.controls)
            add(
                "controls",
                "tightened" if gained and not lost else ("loosened" if lost and not gained else "changed"),
                sorted(before.controls),
                sorted(after.controls),
                f"{label}: controls "
                + "; ".join(
                    ([f"now {', '.join(gained)}"] if gained else [])
                    + ([f"no longer {', '.join(lost)}"] if lost else [])
                ),
            )
    return changes


def _order(change: dict) -> tuple:
    direction = change["direction"]
    tier = {"critical": 0, "privileged": 1}.get(change.get("tier") or "", 2)
    return (DIRECTIONS.index(direction) if direction in DIRECTIONS else 9, tier, change["kind"], change["summary"])


def compare(base: dict, head: dict) -> list[dict]:
    """The privilege changes from `base` to `head` (two reports in the JSON shape of `pum preview`), riskiest
    first: loosened, added, changed, removed, tightened; critical roles first within each."""
    old, new = _Plan(base), _Plan(head)
    changes = (
        _compare_grants(_grants(old), _grants(new))
        + _compare_packages(_packages(old), _packages(new))
        + _compare_ca(_ca_policies(old), _ca_policies(new))
        + _compare_apps(_apps(old), _apps(new))
    )
    return sorted(_dedupe(changes), key=_order)


def _dedupe(changes: Iterable[dict]) -> list[dict]:
    seen: set[str] = set()
    result = []
    for change in changes:
        key = repr(sorted(change.items()))
        if key not in seen:
            seen.add(key)
            result.append(change)
    return result
