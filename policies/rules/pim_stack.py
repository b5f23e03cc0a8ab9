"""PIM stack policies: who holds privileged directory roles, and how the groups holding them are governed.

Relations resolve one way whether an ID is known (a real preview of an existing stack) or unknown (a new one):
by the literal ID or by the resource it flows from (`common.ref`), so a verdict never depends on IDs being known.
Governed means governed: a principal is exempt from standing-access findings only if it is a declared role-assignable
group with a GroupRoleManagementPolicy for its members on that very group, or a recognised break-glass account
(`common.is_break_glass`). Owners of a role-holding group (static owners, PIM for Groups owner assignments) are
holders like its members. Each policy indexes the stack once (linear in the number of resources) and reports on the
resource that must change. A deciding value unknown at preview is unverified (`common.unverified`).
"""

from __future__ import annotations

from typing import Any

from privileged_facts.defaults import CRITICAL_MAX_ACTIVATION
from privileged_facts.roles import (
    AU_SCOPABLE_ROLE_IDS,
    CISA_HIGHLY_PRIVILEGED,
    CRITICAL_ROLE_IDS,
    PRIVILEGED_AZURE_ROLE_IDS,
    role_guid,
)
from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from .common import (
    DYNAMIC,
    GROUP_TYPES,
    PIM_PLAN,
    SCUBA,
    USER,
    Grant,
    Index,
    break_glass_accounts,
    config_schema,
    declared,
    dependencies_of,
    duration_setting,
    elements,
    get,
    id_setting,
    is_break_glass,
    is_privileged_role,
    is_type,
    label,
    meta,
    normal_scope,
    ref,
    role_grants,
    role_name,
    setting,
    unverified,
    verifying,
)
from .pim_settings import (
    ALERTS,
    AZURE_POLICY,
    ENTRA_SETTINGS,
    GROUP_POLICY,
    Settings,
    longer_than,
    settings_of,
    unknown_settings,
)

GROUP_MEMBER = "azuread:index/groupMember:GroupMember"
GROUP_ELIGIBILITY = "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"
GROUP_ASSIGNMENT = "azuread:index/privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule"
AZURE_ELIGIBILITY = "azure-native:authorization:PimRoleEligibilitySchedule"

__all__ = ["POLICIES", "WHEN_UNKNOWN", "role_name"]


class Stack:
    """The stack indexed once: grants, groups, group policies, static members and owners, role settings, break-glass."""

    def __init__(self, args: Any) -> None:
        resources = list(args.resources)
        self.index = Index(resources)
        self.by_urn = self.index.by_urn
        self.break_glass = break_glass_accounts(resources)
        self.break_glass_ids = id_setting(args, "breakGlassObjectIds")
        self.privileged_extra = id_setting(args, "privilegedRoleIds")
        self.critical = CRITICAL_ROLE_IDS | id_setting(args, "criticalRoleIds")
        self.grants = role_grants(resources, self.index)
        self.group_policies: dict[Any, dict[str, list]] = {}  # group key -> PIM role ("member"/"owner") -> policies
        self.members: dict[Any, list] = {}
        self.schedules: dict[Any, list] = {}  # group key -> PIM for Groups eligibilities and assignments
        self.role_settings: dict[str, list] = {}
        self.azure_policies: dict[Any, list] = {}  # normal scope (or the resource it flows from) -> policies
        for r in resources:
            if is_type(r, GROUP_POLICY):
                role = get(r.props, "roleId")
                kind = role.strip().lower() if isinstance(role, str) else "unknown"
                self.group_policies.setdefault(self.key(r, "groupId"), {}).setdefault(kind, []).append(r)
            elif is_type(r, GROUP_MEMBER):
                self.members.setdefault(self.key(r, "groupObjectId"), []).append(r)
            elif is_type(r, GROUP_ELIGIBILITY, GROUP_ASSIGNMENT):
                self.schedules.setdefault(self.key(r, "groupId"), []).append(r)
            elif r.resource_type == DYNAMIC and get(r.props, "graphKind") == ENTRA_SETTINGS:
                role = role_guid(get(r.props, "roleDefinitionId"))
                if role:
                    self.role_settings.setdefault(role, []).append(r)
            elif is_type(r, AZURE_POLICY):
                self.azure_policies.setdefault(scope_key(r), []).append(r)

    def key(self, resource: Any, prop: str) -> Any:
        return ref(resource, prop, self.index).key

    def privileged(self, grant: Grant) -> bool:
        return is_privileged_role(grant.role, self.privileged_extra)

    def privileged_grants(self) -> list[Grant]:
        return [g for g in self.grants if self.privileged(g)]

    def exempt(self, grant: Grant) -> bool:
        return is_break_glass(grant.resource, grant.principal_key, self.break_glass_ids, self.break_glass, self.index)

    def group_of(self, grant: Grant):
        """The declared group (Group or GroupWithoutMembers) the grant's principal is, if any."""
        source = grant.principal_ref.source if grant.principal_ref else None
        return source if source is not None and is_type(source, *GROUP_TYPES) else None

    def policies_of(self, grant: Grant, kind: str = "member") -> list:
        return self.group_policies.get(grant.principal, {}).get(kind, []) if grant.principal else []

    def owner_schedules(self, key: Any) -> list:
        return [r for r in self.schedules.get(key, []) if _assignment_type(r) != "member"]

    def selves(self, grant: Grant) -> set:
        """The keys and known IDs that name the grant's principal (an approver that is one of them is not another)."""
        found = {grant.principal}
        group = self.group_of(grant)
        if group is not None:
            known = get(group.props, "objectId")
            if isinstance(known, str):
                found.add(known.strip().lower())
        if grant.principal_ref and grant.principal_ref.literal:
            found.add(grant.principal_ref.literal)
        return found

    def describe(self, grant: Grant) -> str:
        source = grant.principal_ref.source if grant.principal_ref else None
        if source is not None:
            return label(source)
        if grant.principal_ref and grant.principal_ref.literal:
            return "a principal given as a literal object ID"
        if grant.principal_sources:
            return "a principal computed from " + ", ".join(label(s) for s in grant.principal_sources)
        return "a principal unknown at preview"


def _assignment_type(schedule: Any) -> str:
    kind = get(schedule.props, "assignmentType")
    return kind.strip().lower() if isinstance(kind, str) else "unknown"


def scope_key(resource: Any) -> Any:
    """An ARM scope as relations match it: the normal literal scope, else the resource it flows from."""
    scope = get(resource.props, "scope")
    if isinstance(scope, str):
        return normal_scope(scope)
    sources = dependencies_of(resource, "scope")
    return sources[0].urn if len(sources) == 1 else None


def _stack(validate):
    @verifying
    def run(args, report):
        validate(Stack(args), args, report)

    return run


# --- standing access -------------------------------------------------------------------------------------


def _governed(stack: Stack, g: Grant, args, report) -> bool:
    """The grant's principal is a declared role-assignable group with a member policy on that very group. A
    role-assignable flag unknown at preview is reported as unverified (and not governed)."""
    group = stack.group_of(g)
    if group is None or not stack.policies_of(g):
        return False
    assignable = declared(group, "assignableToRole")  # not declared: the provider's default, false
    if is_unknown(assignable):
        unverified(args, report, f"{label(group)} assignableToRole", g.urn)
        return True  # reported once, as unverified
    return assignable is True


def _no_standing(stack: Stack, args, report) -> None:
    for g in stack.grants:
        if not g.active or stack.exempt(g):
            continue
        if is_unknown(g.role):
            if not _governed(stack, g, args, report):
                unverified(args, report, f"{label(g.resource)} role", g.urn)
            continue
        if not stack.privileged(g):
            continue
        if _governed(stack, g, args, report):
            continue
        group = stack.group_of(g)
        why = ""
        if group is not None and stack.policies_of(g):
            why = f" ({label(group)} is not role-assignable: its owners and Groups administrators change its members)"
        elif group is not None:
            why = f" ({label(group)} has no GroupRoleManagementPolicy for its members)"
        report(
            f"{label(g.resource)} gives {role_name(g.role)} permanently to {stack.describe(g)}{why}: standing access. "
            "Fix: assign the role to a role-assignable PIM group governed by a GroupRoleManagementPolicy and make "
            "people eligible for the group (PrivilegedAccessGroupEligibilitySchedule; the EntraRoleJit component "
            "does this), or, for an emergency account, declare it with BreakGlassAccounts or list its object ID in "
            "breakGlassObjectIds.",
            g.urn,
        )


# --- PIM groups ---------------------------------------------------------------------------------------------


def _role_groups(stack: Stack) -> dict[Any, tuple[Any, Grant]]:
    """PIM groups holding a privileged role: key (URN or literal ID) -> (declared group or None, a grant)."""
    found: dict[Any, tuple[Any, Grant]] = {}
    for g in stack.privileged_grants():
        group = stack.group_of(g)
        if (
            (group is not None or stack.policies_of(g))
            and not stack.exempt(g)
            and (g.principal not in found or (g.active and not found[g.principal][1].active))
        ):
            found[g.principal] = (group, g)
    return found


def _no_static_members(stack: Stack, args, report) -> None:
    """GroupMember resources adding a member to a role-holding PIM group. The group's own members and owners lists are
    judged on the inputs by role-assignable-group-no-static-members: AnalyzeStack gets outputs, in which those lists
    are the provider's computed values when the program sets none (unknown at preview; after a deployment whoever has
    activated), so a list seen here cannot be told from one the program declares."""
    for key, (group, grant) in _role_groups(stack).items():
        name = label(group) if group is not None else "a group given by object ID"
        for member in stack.members.get(key, []):
            report(
                f"{label(member)} adds a permanent member to {name}, which holds {role_name(grant.role)}: that "
                "member has standing access. Fix: remove the GroupMember and make the principal eligible with "
                "PrivilegedAccessGroupEligibilitySchedule (time-bound).",
                member.urn,
            )


def _requires_policy(stack: Stack, args, report) -> None:
    for key, (group, grant) in _role_groups(stack).items():
        policies = stack.group_policies.get(key, {})
        if grant.active and group is not None and not policies.get("member"):
            report(
                f"{label(group)} holds {role_name(grant.role)} but has no GroupRoleManagementPolicy for role "
                "'member' "
                "in this stack, so its activation rules (MFA, duration, approval) are whatever the tenant has. "
                "Fix: declare azuread.GroupRoleManagementPolicy(group_id=<group>.object_id, role_id='member', ...) "
                "(the EntraRoleJit component does).",
                group.urn,
            )
        for schedule in stack.owner_schedules(key):
            if _assignment_type(schedule) == "unknown":
                unverified(args, report, f"{label(schedule)} assignmentType", schedule.urn)
            elif not policies.get("owner"):
                report(
                    f"{label(schedule)} makes a principal an owner of {label(group) if group else 'a PIM group'}, "
                    f"which holds {role_name(grant.role)}: owners manage its membership, yet no "
                    "GroupRoleManagementPolicy for role 'owner' governs them in this stack. Fix: declare one "
                    "(activation with approval, MFA, short duration) or remove the owner schedule.",
                    schedule.urn,
                )


# --- critical roles -----------------------------------------------------------------------------------------


def _governing_settings(stack: Stack, roles: frozenset[str], args, report):
    """(settings resource or None, Settings or None, grant, self keys) for each grant of `roles` that PIM governs:
    a PIM group's member (and, with owner schedules, owner) policy for an active grant, the role's entraRoleSettings
    for an eligible one. Each settings resource comes once per role; a grant with no settings comes once. An eligible
    grant whose role is unknown at preview is reported as unverified."""
    seen = set()
    for found in _all_governing_settings(stack, roles, args, report):
        policy, _, g, _ = found
        key = (policy.urn, g.role) if policy is not None else g.urn
        if key not in seen:
            seen.add(key)
            yield found


def _no_settings(g: Grant, consequence: str, fix: str) -> str:
    return (
        f"{label(g.resource)} makes a principal eligible for {role_name(g.role)}, but the stack declares no "
        f"entraRoleSettings for it, so {consequence}. Fix: declare the role's settings (EntraRoleSettings) "
        f"with {fix}."
    )


def _all_governing_settings(stack: Stack, roles: frozenset[str], args, report):
    eligible_by_role: dict[Any, set] = {}  # each role's eligible principals, gathered once (not once per grant)
    for g in stack.grants:
        if stack.exempt(g):
            continue
        if is_unknown(g.role) and not g.active:
            unverified(args, report, f"{label(g.resource)} role", g.urn)
            continue
        if g.role not in roles:
            continue
        if g.active:
            kinds = ["member"] + (["owner"] if stack.owner_schedules(g.principal) else [])
            for kind in kinds:
                for policy in stack.policies_of(g, kind):
                    yield policy, _settings(policy), g, stack.selves(g)
        else:
            policies = stack.role_settings.get(g.role, [])
            if g.role not in eligible_by_role:
                eligible_by_role[g.role] = set().union(
                    *(stack.selves(e) for e in stack.grants if e.role == g.role and not e.active)
                )
            eligible = eligible_by_role[g.role]
            if not policies:
                yield None, None, g, eligible
            for policy in policies:
                yield policy, _settings(policy), g, eligible


def _settings(policy: Any) -> Settings | None:
    """The settings a policy resource declares (a rule it does not set is the tenant's: undeclared, `declared`)."""
    return settings_of(policy.resource_type, declared(policy), policy.name)


def _other_approver(stack: Stack, policy: Any, s: Settings, selves: set) -> bool | None:
    """At least one approver who is not the eligible group/principal itself (None: unknown at preview)."""
    approvers = s.approvers
    if any(isinstance(a, str) and a.strip().lower() not in selves for a in approvers):
        return True
    if not any(is_unknown(a) for a in approvers):
        return False
    others = [
        d for d in dependencies_of(policy, s.approvers_key) if d.urn not in selves and is_type(d, USER, *GROUP_TYPES)
    ]
    return True if others else None


def _critical_approval(stack: Stack, args, report) -> None:
    for policy, s, g, selves in _governing_settings(stack, stack.critical, args, report):
        role = role_name(g.role)
        if policy is None:
            report(
                _no_settings(
                    g,
                    "activation may need no approval",
                    "Approval_EndUser_Assignment isApprovalRequired true and an approver group",
                ),
                g.urn,
            )
            continue
        if unknown_settings(s, ("approval",), args, report, policy.urn):
            continue
        if s.approval is not True:
            state = "is false" if s.approval is False else "is not declared"
            report(
                f"{s.label} governs {role} and {s.paths['approval']} {state}: activation needs no approval. "
                f"Fix: set it to true with an approver that is not the eligible group itself.",
                policy.urn,
            )
            continue
        other = _other_approver(stack, policy, s, selves)
        if other is None:
            unverified(args, report, f"{s.label} {s.paths['approvers']}", policy.urn)
        elif other is False:
            who = "lists no approver" if not s.approvers else "lists only the eligible group/principal itself"
            report(
                f"{s.label} governs {role} and requires approval but {who} ({s.paths['approvers']}): members would "
                "approve themselves, or nobody can. Fix: add a separate approver group (e.g. other Global "
                "Administrators or a security team).",
                policy.urn,
            )


def _critical_duration(stack: Stack, args, report) -> None:
    maximum = duration_setting(args, "criticalMaxActivationDuration")
    shown = setting(args, "criticalMaxActivationDuration")
    for policy, s, g, _ in _governing_settings(stack, stack.critical, args, report):
        if policy is None or unknown_settings(s, ("activation_max",), args, report, policy.urn):
            continue
        too_long = longer_than(s.activation_max, maximum)
        if too_long or s.activation_max is None:
            state = too_long or "is not declared"
            report(
                f"{s.label} governs {role_name(g.role)} and {s.paths['activation_max']} {state}; critical roles "
                f"activate for at most {shown}. Fix: set it to {shown} (policy config "
                "criticalMaxActivationDuration).",
                policy.urn,
            )


# --- alerts -------------------------------------------------------------------------------------------------


def _alerts(stack: Stack, args, report) -> None:
    for policy, s, g, _ in _governing_settings(stack, CISA_HIGHLY_PRIVILEGED | stack.critical, args, report):
        if policy is None:
            report(
                _no_settings(
                    g,
                    "who is alerted when it is assigned or activated is whatever the tenant has",
                    "notificationRecipients on Notification_Admin_Admin_Eligibility, "
                    "Notification_Admin_Admin_Assignment and Notification_Admin_EndUser_Assignment",
                ),
                g.urn,
            )
            continue
        problems = []
        for key, what in ALERTS.items():
            recipients = s.alerts.get(key)
            if is_unknown(recipients) or any(is_unknown(r) for r in elements(recipients)):
                unverified(args, report, f"{s.label} {s.paths['alert_' + key]}", policy.urn)
                continue
            if recipients is None:
                problems.append(
                    f"{s.paths['alert_' + key]} is not declared (the tenant's current alert on {what} "
                    "applies, unchecked)"
                )
            elif not elements(recipients):
                problems.append(f"{s.paths['alert_' + key]} is empty: {what} alerts only the default recipients")
        if problems:
            report(
                f"{s.label} governs {role_name(g.role)}: " + "; ".join(problems) + ". Fix: name at least one "
                "additional recipient, a mailbox someone monitors, for each admin alert (the EntraRoleJit "
                "component does, from notificationRecipients in the stack file).",
                policy.urn,
            )


# --- Azure eligibilities ------------------------------------------------------------------------------------


def _azure_requires_policy(stack: Stack, args, report) -> None:
    privileged = PRIVILEGED_AZURE_ROLE_IDS | id_setting(args, "privilegedAzureRoleIds")
    for r in stack.index.resources:
        if not is_type(r, AZURE_ELIGIBILITY):
            continue
        value = get(r.props, "roleDefinitionId")
        if is_unknown(value):
            unverified(args, report, f"{label(r)} roleDefinitionId", r.urn)
            continue
        if role_guid(value) not in privileged:
            continue
        key = scope_key(r)
        if key is None:
            unverified(args, report, f"{label(r)} scope", r.urn)
        elif not stack.azure_policies.get(key):
            report(
                f"{label(r)} makes a principal eligible for a privileged Azure role, but no RoleManagementPolicy in "
                "this stack governs that role at that scope, so its activation rules (MFA, duration, approval, "
                "alerts) are whatever the subscription has. Fix: declare the role's RoleManagementPolicy at the "
                "same scope (the AzureRoleJit component does, given policy_name).",
                r.urn,
            )


# --- AU scope -------------------------------------------------------------------------------------------------


def _au_scopable_at_tenant(stack: Stack, args, report) -> None:
    for g in stack.grants:
        if g.role in AU_SCOPABLE_ROLE_IDS and g.scope == "/" and not stack.exempt(g):
            report(
                f"{label(g.resource)} grants {role_name(g.role)} tenant-wide (directoryScopeId '/'), but the role "
                "can be scoped to an administrative unit. Fix: set directoryScopeId to "
                "'/administrativeUnits/<id>' for the users this admin manages.",
                g.urn,
            )


ROLES = ("privilegedRoleIds", "breakGlassObjectIds")

POLICIES = [
    StackValidationPolicy(
        name="entra-no-standing-privileged-role",
        description="A privileged directory role is held actively only by a governed PIM group or a declared "
        "break-glass account (stricter than SCuBA 7.4/7.5: also at administrative-unit scope and for "
        "every role Microsoft marks privileged).",
        validate=_stack(_no_standing),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(*ROLES),
        **meta(
            "critical",
            "Assign privileged roles to role-assignable PIM groups with a GroupRoleManagementPolicy and "
            "make people eligible for the group; declare emergency accounts with BreakGlassAccounts or in "
            "breakGlassObjectIds.",
            SCUBA,
            "MS.AAD.7.4v1, MS.AAD.7.5v1",
        ),
    ),
    StackValidationPolicy(
        name="pim-group-no-static-members",
        description="A PIM group that holds a privileged directory role has no static members: no GroupMember "
        "resource adds one (its declared members and owners lists: role-assignable-group-no-static-members).",
        validate=_stack(_no_static_members),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(*ROLES),
        **meta(
            "high",
            "Remove the static membership and make each principal eligible for the group with "
            "PrivilegedAccessGroupEligibilitySchedule.",
            SCUBA,
            "MS.AAD.7.4v1",
        ),
    ),
    StackValidationPolicy(
        name="pim-group-requires-policy",
        description="A PIM group that holds a privileged directory role has a GroupRoleManagementPolicy for its "
        "members in the same stack.",
        validate=_stack(_requires_policy),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(*ROLES),
        **meta(
            "high",
            "Declare azuread.GroupRoleManagementPolicy with role_id 'member' for the group.",
            PIM_PLAN,
            "PIM for Groups: member settings",
        ),
    ),
    StackValidationPolicy(
        name="pim-critical-role-approval",
        description="Activating a critical role (GA, PRA, PAA) needs approval by at least one approver that is not "
        "the eligible group itself (stricter than SCuBA 7.6: a missing approval rule fails here but passes "
        "in ScubaGear).",
        validate=_stack(_critical_approval),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("criticalRoleIds", "breakGlassObjectIds"),
        **meta(
            "critical",
            "Set activationRules.requireApproval true with approvalStage.primaryApprovers naming a "
            "separate approver group (entraRoleSettings: Approval_EndUser_Assignment).",
            SCUBA,
            "MS.AAD.7.6v1",
        ),
    ),
    StackValidationPolicy(
        name="pim-critical-role-activation-duration",
        description="A critical role (GA, PRA, PAA) activates for at most the critical maximum (default 1 hour).",
        validate=_stack(_critical_duration),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("criticalMaxActivationDuration", "criticalRoleIds", "breakGlassObjectIds"),
        **meta(
            "high",
            "Set the maximum activation of the group's member policy (or the role's entraRoleSettings) to "
            f"{CRITICAL_MAX_ACTIVATION} or the configured criticalMaxActivationDuration.",
            PIM_PLAN,
            "Global Administrator: activation one hour",
        ),
    ),
    StackValidationPolicy(
        name="pim-role-alerts",
        description="Assigning or activating a highly privileged Entra role (SCuBA's list and the critical roles) "
        "alerts at least one recipient beyond the defaults: eligible and active assignments (SCuBA 7.7) "
        "and activation (7.8 for GA, 7.9 for the others). Stricter than SCuBA: 7.9 is only recommended "
        "there, and an undeclared alert fails here but passes in ScubaGear.",
        validate=_stack(_alerts),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("criticalRoleIds", "breakGlassObjectIds"),
        **meta(
            "medium",
            "Set notificationRules.{eligibleAssignments,activeAssignments,eligibleActivations}."
            "adminNotifications.additionalRecipients on the group's member policy (entraRoleSettings: "
            "notificationRecipients on Notification_Admin_Admin_Eligibility, Notification_Admin_Admin_Assignment "
            "and Notification_Admin_EndUser_Assignment).",
            SCUBA,
            "MS.AAD.7.7v1, MS.AAD.7.8v1, MS.AAD.7.9v1",
        ),
    ),
    StackValidationPolicy(
        name="azure-eligibility-requires-policy",
        description="A privileged Azure role eligibility (PimRoleEligibilitySchedule) has a RoleManagementPolicy "
        "at the same scope in the stack, so its activation rules are declared, not whatever the subscription has.",
        validate=_stack(_azure_requires_policy),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("privilegedAzureRoleIds"),
        **meta(
            "high",
            "Declare azure-native authorization.RoleManagementPolicy at the eligibility's scope (AzureRoleJit with "
            "policy_name does).",
            PIM_PLAN,
            "Configure Azure resource role settings",
        ),
    ),
    StackValidationPolicy(
        name="entra-au-scopable-role-at-tenant",
        description="A role that can be scoped to an administrative unit is granted tenant-wide (advisory).",
        validate=_stack(_au_scopable_at_tenant),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=config_schema("breakGlassObjectIds"),
        **meta(
            "low",
            "Set directoryScopeId to '/administrativeUnits/<id>' when the admin manages only part of the directory.",
            "Microsoft Entra administrative units",
            "Restrict role scope with administrative units",
        ),
    ),
]

WHEN_UNKNOWN = {
    "entra-no-standing-privileged-role": "A role of an active grant, or the role-assignable flag of the group "
    "holding it, unknown at preview is reported as unverified; a principal that is not provably a governed "
    "group or break-glass account is a finding.",
    "pim-group-no-static-members": "GroupMember resources are matched to the group by literal ID or the resource "
    "the ID flows from; the group's own members and owners outputs are not read (computed by the provider unless "
    "declared: role-assignable-group-no-static-members judges the declared ones).",
    "pim-group-requires-policy": "An owner schedule's assignment type unknown at preview is reported as "
    "unverified; groups and policies are matched by literal ID or the resource the ID flows from.",
    "pim-critical-role-approval": "An approval flag or approver list unknown at preview (or the role of an "
    "eligibility) is reported as unverified.",
    "pim-critical-role-activation-duration": "An activation maximum unknown at preview is reported as unverified.",
    "pim-role-alerts": "An alert recipient list unknown at preview is reported as unverified.",
    "azure-eligibility-requires-policy": "A role definition unknown at preview, or a privileged role's scope that "
    "is neither literal nor flows from one resource, is reported as unverified.",
    "entra-au-scopable-role-at-tenant": "A scope unknown at preview is not judged (advisory policy): only a known "
    "tenant-wide scope is reported.",
}
