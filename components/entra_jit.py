"""EntraRoleJit: just-in-time access to one Entra directory role, through PIM for Groups, direct eligibility or a
journey group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread
from privileged_facts import defaults as secure

from components import roles
from components.activation import ActivationArgs, JitArgs
from components.model import durations
from components.model.pim import ROLE_MODES, eligible_group_problem

TYPE = "privileged-access:index:EntraRoleJit"
ACTIVE_MAX = secure.MAX_ACTIVE_ASSIGNMENT  # active assignments are never made here; the shortest step keeps any
# made by hand short


@dataclass(frozen=True, kw_only=True)
class EntraRoleJitArgs(JitArgs):
    """The arguments of an EntraRoleJit (and of JitArgs: role, eligible, activation, lifetime, ...)."""

    administrative_unit_id: pulumi.Input[str] | None = None
    """Scope the role to this administrative unit; None: the whole tenant."""
    mode: str = "pimGroup"
    """pimGroup, direct or eligibleGroup (see EntraRoleJit)."""
    manage_role_settings: bool | None = None
    """Also declare the directory role's own PIM settings; None: direct/eligibleGroup mode or a critical role."""
    group_display_name: str | None = None
    protect_group: bool = False


class EntraRoleJit(pulumi.ComponentResource):
    """Time-bound, governed access to one Entra directory role at one scope.

    Mode "pimGroup" (default): a role-assignable security group with NO static members or owners
    declared, the role assigned to the group (tenant "/" or an administrative unit), the group's
    PIM policy (activation: max duration, MFA or an authentication context, justification, optional
    ticket, approval with approvers; eligible and active assignments must expire; alerts with extra
    recipients) and one eligibility per principal that always expires (a duration or an end date,
    never permanent). Mode "direct": one time-bound directory-role eligibility per principal
    (Graph), with the role's own PIM settings. The role's own settings (`manage_role_settings`,
    default: direct mode or a critical role) are also declared in pimGroup mode, which hardens the
    role against eligibility granted outside this code.

    The provider makes the deploying identity the group's owner; no other owner or member is ever
    declared, and membership comes only from PIM activation. Outputs: `group_object_id` (None in
    direct mode), `role_definition_id`, `directory_scope_id`.

    Mode "eligibleGroup" (journey groups): a role-assignable security group with NO members or
    owners declared, made time-bound ELIGIBLE (never active) for the role at the scope through
    `DirectoryRoleEligibility` (principal: the group), plus the role's own PIM settings (always:
    they carry the activation rules). Membership is meant to come only from access packages
    (approved, expiring, reviewed); a member still activates the role in PIM, so nothing is
    standing. Takes no `eligible` principals. The group's eligibility expires like any other
    (`eligibility_duration`); the next deployment after it lapses re-creates it (refresh first).
    """

    group: azuread.Group | None
    group_object_id: pulumi.Output[str] | None
    role_definition_id: str
    directory_scope_id: pulumi.Output[str]

    def __init__(self, name: str, args: EntraRoleJitArgs, opts: pulumi.ResourceOptions | None = None):
        resolved = roles.entra_role(args.role)
        args = _validate(name, args, resolved)
        activation, lifetime, mode = args.checked_activation(), args.eligibility_duration, args.mode
        eligible, end_dates = args.eligible, args.eligibility_end_dates
        administrative_unit_id, notification_recipients = args.administrative_unit_id, args.notification_recipients
        justification, protect_group = args.justification, args.protect_group
        group_display_name = args.group_display_name
        manage_role_settings = args.manage_role_settings
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.role_definition_id = resolved.id
        self.directory_scope_id = (
            pulumi.Output.concat("/administrativeUnits/", administrative_unit_id)
            if administrative_unit_id is not None
            else pulumi.Output.from_input("/")
        )
        settings = None
        if manage_role_settings if manage_role_settings is not None else (mode != "pimGroup" or resolved.critical):
            settings = _role_settings(name, resolved.id, activation, lifetime, notification_recipients, child)

        self.mode = mode
        self.group = self.group_object_id = self.policy = self.assignment = None
        self.eligibilities: dict[str, pulumi.CustomResource] = {}
        if mode == "pimGroup":
            self.group = azuread.Group(
                f"{name}-group",
                display_name=group_display_name or f"PIM {resolved.name}",
                description=f"PIM for Groups: members hold {resolved.name} only while activated. "
                "Managed as code; never add members or owners by hand.",
                security_enabled=True,
                assignable_to_role=True,
                mail_enabled=False,
                prevent_duplicate_names=True,
                opts=pulumi.ResourceOptions(parent=self, protect=protect_group),
            )
            self.group_object_id = self.group.object_id
            self.assignment = azuread.DirectoryRoleAssignment(
                f"{name}-assignment",
                role_id=resolved.id,
                principal_object_id=self.group.object_id,
                directory_scope_id=self.directory_scope_id,
                opts=child,
            )
            self.policy = azuread.GroupRoleManagementPolicy(
                f"{name}-policy",
                group_id=self.group.object_id,
                role_id="member",
                activation_rules=_activation_rules(activation),
                eligible_assignment_rules={
                    "expiration_required": True,
                    "expire_after": durations.expire_after(lifetime),
                },
                active_assignment_rules={
                    "expiration_required": True,
                    "expire_after": ACTIVE_MAX,
                    "require_multifactor_authentication": True,
                    "require_justification": True,
                },
                notification_rules=_notifications(notification_recipients),
                opts=child,
            )
            after = pulumi.ResourceOptions(parent=self, depends_on=[self.policy])
            for key, principal_id in sorted(eligible.items()):
                end_date = end_dates.get(key)
                self.eligibilities[key] = azuread.PrivilegedAccessGroupEligibilitySchedule(
                    f"{name}-eligible-{key}",
                    group_id=self.group.object_id,
                    principal_id=principal_id,
                    assignment_type="member",
                    justification=justification,
                    expiration_date=end_date,
                    duration=lifetime if end_date is None else None,
                    start_date=args.eligibility_start,
                    opts=after,
                )
        elif mode == "eligibleGroup":
            from components.graph.role_eligibility import DirectoryRoleEligibility

            scope_text = "an administrative unit" if administrative_unit_id is not None else "the whole tenant"
            self.group = azuread.Group(
                f"{name}-group",
                display_name=group_display_name or f"Journey {resolved.name}",
                description=f"Journey group: ELIGIBLE (never active) for {resolved.name} over {scope_text}. Members "
                "come only from access packages and still activate the role in PIM. Managed as code; "
                "never add members or owners by hand.",
                security_enabled=True,
                assignable_to_role=True,
                mail_enabled=False,
                prevent_duplicate_names=True,
                opts=pulumi.ResourceOptions(parent=self, protect=protect_group),
            )
            self.group_object_id = self.group.object_id
            self.eligibilities["group"] = DirectoryRoleEligibility(
                f"{name}-eligible",
                principal_id=self.group.object_id,
                role_definition_id=resolved.id,
                directory_scope_id=self.directory_scope_id,
                justification=justification,
                duration=lifetime,
                start_date_time=args.eligibility_start,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[settings] if settings else []),
            )
        else:
            from components.graph.role_eligibility import DirectoryRoleEligibility

            after = pulumi.ResourceOptions(parent=self, depends_on=[settings] if settings else [])
            for key, principal_id in sorted(eligible.items()):
                end_date = end_dates.get(key)
                self.eligibilities[key] = DirectoryRoleEligibility(
                    f"{name}-eligible-{key}",
                    principal_id=principal_id,
                    role_definition_id=resolved.id,
                    directory_scope_id=self.directory_scope_id,
                    justification=justification,
                    end_date_time=end_date,
                    duration=lifetime if end_date is None else None,
                    start_date_time=args.eligibility_start,
                    opts=after,
                )
        self.role_settings = settings
        self.register_outputs(
            {
                "groupObjectId": self.group_object_id,
                "roleDefinitionId": self.role_definition_id,
                "directoryScopeId": self.directory_scope_id,
            }
        )


def _validate(name: str, args: EntraRoleJitArgs, role: roles.Role) -> EntraRoleJitArgs:
    where = f"EntraRoleJit {name!r}"
    if args.mode not in ROLE_MODES:
        raise ValueError(
            f"{where}: mode {args.mode!r} is not {', '.join(repr(m) for m in ROLE_MODES[:-1])} or {ROLE_MODES[-1]!r}"
        )
    if args.mode == "eligibleGroup" and args.eligible:
        raise ValueError(f"{where}: eligible {eligible_group_problem(name)} (got {sorted(args.eligible)})")
    return args._checked(where, role)


def _activation_rules(rules: ActivationArgs) -> azuread.GroupRoleManagementPolicyActivationRulesArgsDict:
    result: azuread.GroupRoleManagementPolicyActivationRulesArgsDict = {
        "maximum_duration": rules.max_duration,
        "require_justification": rules.require_justification,
        "require_ticket_info": rules.require_ticket,
        "require_approval": rules.require_approval,
    }
    if rules.authentication_context:
        result["required_conditional_access_authentication_context"] = rules.authentication_context
    else:
        result["require_multifactor_authentication"] = rules.require_mfa
    if rules.require_approval:
        result["approval_stage"] = {
            "primary_approvers": [
                {"object_id": object_id, "type": "groupMembers" if kind == "group" else "singleUser"}
                for object_id, kind in rules.approvers()
            ]
        }
    return result


def _notifications(recipients: Sequence[str]) -> azuread.GroupRoleManagementPolicyNotificationRulesArgsDict:
    """Alert admins (default recipients plus `recipients`) on every eligible/active assignment and activation."""
    admin: azuread.GroupRoleManagementPolicyNotificationRulesEligibleAssignmentsArgsDict = {
        "admin_notifications": {
            "default_recipients": True,
            "notification_level": "All",
            "additional_recipients": list(recipients),
        }
    }
    return {"eligible_assignments": admin, "active_assignments": admin, "eligible_activations": admin}


def _role_settings(
    name: str,
    role_id: str,
    rules: ActivationArgs,
    lifetime: str,
    recipients: Sequence[str],
    opts: pulumi.ResourceOptions,
):
    from components.graph.role_settings import EntraRoleSettings, build_role_rules

    body = build_role_rules(
        activation_max_duration=rules.max_duration,
        require_mfa=rules.require_mfa,
        authentication_context=rules.authentication_context,
        require_justification=rules.require_justification,
        require_ticket=rules.require_ticket,
        require_approval=rules.require_approval,
        approver_group_ids=rules.approver_group_ids,
        approver_user_ids=rules.approver_user_ids,
        eligible_max_duration=durations.expire_after(lifetime),
        active_max_duration=ACTIVE_MAX,
        alert_recipients=recipients,
    )
    return EntraRoleSettings(f"{name}-role-settings", role_definition_id=role_id, rules=body, opts=opts)
