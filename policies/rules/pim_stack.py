"""PIM stack policies: who holds privileged directory roles, and how the groups holding them are governed.

Relations are resolved through property dependencies (an ID unknown at preview still names the
resource it flows from), so a verdict never depends on IDs being known. Each policy indexes the
stack once (linear in the number of resources) and reports on the resource that must change.
"""

from __future__ import annotations

from typing import Any

from privileged_facts.defaults import CRITICAL_MAX_ACTIVATION
from privileged_facts.roles import (
    AU_SCOPABLE_ROLE_IDS,
    CISA_HIGHLY_PRIVILEGED,
    CRITICAL_ROLE_IDS,
    ENTRA_ROLE_NAMES,
    PRIVILEGED_ROLE_IDS,
)
from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, StackValidationPolicy

from .common import (
    DYNAMIC,
    GROUP,
    PIM_PLAN,
    SCUBA,
    USER,
    Grant,
    break_glass_urns,
    config_schema,
    dependencies_of,
    duration_setting,
    elements,
    get,
    id_setting,
    is_break_glass,
    label,
    meta,
    role_grants,
    setting,
)
from .pim_settings import ALERTS, ENTRA_SETTINGS, GROUP_POLICY, Settings, longer_than, settings_of

GROUP_MEMBER = "azuread:index/groupMember:GroupMember"


def role_name(role: Any) -> str:
    return ENTRA_ROLE_NAMES.get(role, role) if isinstance(role, str) else "an unknown role"


def _key(resource: Any, prop: str) -> str | None:
    """What a reference property points at: the URN of the resource it flows from, else the literal ID."""
    sources = dependencies_of(resource, prop)
    if sources:
        return sources[0].urn
    value = get(resource.props, prop)
    return value.strip().lower() if isinstance(value, str) else None


class Stack:
    """The stack indexed once: grants, groups, group policies, static members, role settings, break-glass."""

    def __init__(self, args: Any) -> None:
        resources = args.resources
        self.by_urn = {r.urn: r for r in resources}
        self.break_glass = break_glass_urns(resources)
        self.break_glass_ids = id_setting(args, "breakGlassObjectIds")
        self.privileged = PRIVILEGED_ROLE_IDS | id_setting(args, "privilegedRoleIds")
        self.critical = CRITICAL_ROLE_IDS | id_setting(args, "criticalRoleIds")
        self.grants = role_grants(resources)
        self.group_policies: dict[str, list] = {}
        self.members: dict[str, list] = {}
        self.role_settings: dict[str, list] = {}
        for r in resources:
            if r.resource_type == GROUP_POLICY and get(r.props, "roleId") == "member":
                self.group_policies.setdefault(_key(r, "groupId"), []).append(r)
            elif r.resource_type == GROUP_MEMBER:
                self.members.setdefault(_key(r, "groupObjectId"), []).append(r)
            elif r.resource_type == DYNAMIC and get(r.props, "graphKind") == ENTRA_SETTINGS:
                role = get(r.props, "roleDefinitionId")
                if isinstance(role, str):
                    self.role_settings.setdefault(role.lower(), []).append(r)

    def privileged_grants(self) -> list[Grant]:
        return [g for g in self.grants if g.role in self.privileged]

    def exempt(self, grant: Grant) -> bool:
        return is_break_glass(grant.resource, grant.principal_key, self.break_glass_ids, self.break_glass)

    def group_of(self, grant: Grant):
        """The declared azuread Group the grant's principal flows from, if any."""
        return next((s for s in grant.principal_sources if s.resource_type == GROUP), None)

    def policies_of(self, grant: Grant) -> list:
        return self.group_policies.get(grant.principal, []) if grant.principal else []

    def describe(self, grant: Grant) -> str:
        source = grant.principal_sources[0] if grant.principal_sources else None
        if source is not None:
            return label(source)
        return f"principal {grant.principal!r}" if not is_unknown(grant.principal) else "a principal unknown at preview"


def _stack(validate):
    def run(args, report):
        validate(Stack(args), args, report)

    return run


# --- standing access -------------------------------------------------------------------------------------


def _no_standing(stack: Stack, args, report) -> None:
    for g in stack.privileged_grants():
        if not g.active or stack.exempt(g) or stack.group_of(g) is not None or stack.policies_of(g):
            continue
        report(
            f"{label(g.resource)} gives {role_name(g.role)} permanently to {stack.describe(g)}: standing access. "
            "Fix: assign the role to a role-assignable PIM group governed by a GroupRoleManagementPolicy and make "
            "people eligible for the group (PrivilegedAccessGroupEligibilitySchedule; the EntraRoleJit component "
            "does this), or, for an emergency account, declare it with BreakGlassAccounts or list its object ID in "
            "breakGlassObjectIds.",
            g.urn,
        )


# --- PIM groups ---------------------------------------------------------------------------------------------


def _role_groups(stack: Stack) -> dict[str, tuple[Any, Grant]]:
    """PIM groups holding a privileged role: key (URN or literal ID) -> (declared Group or None, a grant)."""
    found: dict[str, tuple[Any, Grant]] = {}
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
    for key, (group, grant) in _role_groups(stack).items():
        name = label(group) if group is not None else f"group {key!r}"
        for member in stack.members.get(key, []):
            report(
                f"{label(member)} adds a permanent member to {name}, which holds {role_name(grant.role)}: that "
                "member has standing access. Fix: remove the GroupMember and make the principal eligible with "
                "PrivilegedAccessGroupEligibilitySchedule (time-bound).",
                member.urn,
            )
        members = get(group.props, "members") if group is not None else None
        if members is not None and (is_unknown(members) or len(members)):
            report(
                f"{name} holds {role_name(grant.role)} and lists static members in its members input: standing "
                "access. Fix: remove members and make each principal eligible with "
                "PrivilegedAccessGroupEligibilitySchedule.",
                group.urn,
            )


def _requires_policy(stack: Stack, args, report) -> None:
    for key, (group, grant) in _role_groups(stack).items():
        if grant.active and group is not None and not stack.group_policies.get(key):
            report(
                f"{label(group)} holds {role_name(grant.role)} but has no GroupRoleManagementPolicy for role "
                "'member' "
                "in this stack, so its activation rules (MFA, duration, approval) are whatever the tenant has. "
                "Fix: declare azuread.GroupRoleManagementPolicy(group_id=<group>.object_id, role_id='member', ...) "
                "(the EntraRoleJit component does).",
                group.urn,
            )


# --- critical roles -----------------------------------------------------------------------------------------


def _governing_settings(stack: Stack, roles: frozenset[str]):
    """(settings resource or None, Settings or None, grant, self keys) for each grant of `roles` that PIM governs:
    a PIM group's member policy for an active grant, the role's entraRoleSettings for an eligible one. Each
    settings resource comes once per role; a grant with no settings comes once."""
    seen = set()
    for found in _all_governing_settings(stack, roles):
        policy, _, g, _ = found
        key = (policy.urn, g.role) if policy is not None else g.urn
        if key not in seen:
            seen.add(key)
            yield found


def _no_settings(g: Grant, consequence: str, fix: str) -> str:
    return (
        f"{label(g.resource)} makes a principal eligible for {role_name(g.role)}, but the stack declares no "
        f"entraRoleSettings for {g.role}, so {consequence}. Fix: declare the role's settings (EntraRoleSettings) "
        f"with {fix}."
    )


def _all_governing_settings(stack: Stack, roles: frozenset[str]):
    for g in stack.grants:
        if g.role not in roles or stack.exempt(g):
            continue
        if g.active:
            for policy in stack.policies_of(g):
                yield policy, settings_of(policy.resource_type, policy.props, policy.name), g, {g.principal}
        else:
            policies = stack.role_settings.get(g.role, [])
            eligible = {e.principal for e in stack.grants if e.role == g.role and not e.active}
            if not policies:
                yield None, None, g, eligible
            for policy in policies:
                yield policy, settings_of(policy.resource_type, policy.props, policy.name), g, eligible


def _other_approver(stack: Stack, policy: Any, s: Settings, selves: set) -> bool | None:
    """At least one approver who is not the eligible group/principal itself (None: unknown at preview)."""
    approvers = s.approvers
    if any(isinstance(a, str) and a.lower() not in selves for a in approvers):
        return True
    if not any(is_unknown(a) for a in approvers):
        return False
    others = [
        d for d in dependencies_of(policy, s.approvers_key) if d.urn not in selves and d.resource_type in (USER, GROUP)
    ]
    return bool(others)


def _critical_approval(stack: Stack, args, report) -> None:
    for policy, s, g, selves in _governing_settings(stack, stack.critical):
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
        if is_unknown(s.approval):
            continue
        if s.approval is not True:
            state = "is false" if s.approval is False else "is not declared"
            report(
                f"{s.label} governs {role} and {s.paths['approval']} {state}: activation needs no approval. "
                f"Fix: set it to true with an approver that is not the eligible group itself.",
                policy.urn,
            )
        elif _other_approver(stack, policy, s, selves) is False:
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
    for policy, s, g, _ in _governing_settings(stack, stack.critical):
        if policy is None:
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
    for policy, s, g, _ in _governing_settings(stack, CISA_HIGHLY_PRIVILEGED | stack.critical):
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
            if is_unknown(recipients):
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
        description="A PIM group that holds a privileged directory role has no static members (GroupMember "
        "resources or Group.members).",
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
