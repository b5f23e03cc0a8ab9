"""AzureRoleJit: just-in-time eligibility for one Azure RBAC role at one ARM scope, with its PIM settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pulumi
from pulumi_azure_native import authorization

from components import roles
from components.activation import ActivationArgs, JitArgs
from components.entra_jit import ACTIVE_MAX
from components.model import durations

TYPE = "privileged-access:index:AzureRoleJit"
_SUBSCRIPTION = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)
_EXPIRATION = "RoleManagementPolicyExpirationRule"
PolicyRule: TypeAlias = (
    authorization.RoleManagementPolicyApprovalRuleArgsDict
    | authorization.RoleManagementPolicyAuthenticationContextRuleArgsDict
    | authorization.RoleManagementPolicyEnablementRuleArgsDict
    | authorization.RoleManagementPolicyExpirationRuleArgsDict
    | authorization.RoleManagementPolicyNotificationRuleArgsDict
)
"""One ARM role management policy rule, as the SDK's TypedDicts."""


@dataclass(frozen=True, kw_only=True)
class AzureRoleJitArgs(JitArgs):
    """The arguments of an AzureRoleJit (and of JitArgs: role, eligible, activation, lifetime, ...)."""

    scope: pulumi.Input[str]
    """The ARM scope (a resource group or narrower by default; the model checks it)."""
    policy_name: str | None = None
    """GUID of the role's management policy at this scope; None: the role's settings are not declared."""


def role_definition_id(scope: str, role_guid: str) -> str:
    """The full role-definition ID ARM expects at `scope` (subscription-qualified below a subscription)."""
    match = _SUBSCRIPTION.match(scope)
    prefix = f"/subscriptions/{match.group(1)}" if match else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"


class AzureRoleJit(pulumi.ComponentResource):
    """Eligibility (never active, never permanent) for one Azure role at one scope, and the role's PIM settings there.

    One `PimRoleEligibilitySchedule` per principal with an expiring schedule (AfterDuration, default
    P180D, or AfterDateTime for a given end date). The ARM API has no update: ANY change to an
    eligibility (principal, role, scope, lifetime, justification) REPLACES it, which the preview
    shows as a replacement; the new eligibility starts a new lifetime. With `policy_name` (the GUID
    of the role's management policy at this scope; ARM has no lookup the SDK exposes) the role's
    settings at this scope are declared too: activation max duration, MFA or an authentication
    context, justification, optional ticket, approval with approvers, expiring eligible and active
    assignments, admin alerts. Outputs: `role_definition_id`, `scope`.
    """

    def __init__(self, name: str, args: AzureRoleJitArgs, opts: pulumi.ResourceOptions | None = None):
        resolved = roles.azure_role(args.role)
        args = args._checked(f"AzureRoleJit {name!r}", resolved)
        activation, lifetime = args.checked_activation(), args.eligibility_duration
        scope, policy_name = args.scope, args.policy_name
        eligible, end_dates, justification = args.eligible, args.eligibility_end_dates, args.justification
        notification_recipients = args.notification_recipients
        super().__init__(TYPE, name, None, opts)

        self.scope = pulumi.Output.from_input(scope)
        self.role_definition_id = self.scope.apply(lambda s: role_definition_id(s, resolved.id))
        self.policy = None
        if policy_name is not None:
            self.policy = authorization.RoleManagementPolicy(
                f"{name}-settings",
                scope=scope,
                role_management_policy_name=policy_name,
                rules=policy_rules(activation, lifetime, notification_recipients),
                opts=pulumi.ResourceOptions(parent=self),
            )
        after = pulumi.ResourceOptions(parent=self, depends_on=[self.policy] if self.policy else [])
        self.eligibilities: dict[str, authorization.PimRoleEligibilitySchedule] = {}
        for key, principal_id in sorted(eligible.items()):
            expiration: authorization.RoleEligibilityScheduleRequestPropertiesExpirationArgsDict = (
                {"type": "AfterDateTime", "end_date_time": end_dates[key]}
                if key in end_dates
                else {"type": "AfterDuration", "duration": lifetime}
            )
            self.eligibilities[key] = authorization.PimRoleEligibilitySchedule(
                f"{name}-eligible-{key}",
                principal_id=principal_id,
                role_definition_id=self.role_definition_id,
                scope=scope,
                justification=justification,
                schedule_info={
                    "expiration": expiration,
                    **({"start_date_time": args.eligibility_start} if args.eligibility_start else {}),
                },
                opts=after,
            )
        if self.eligibilities and pulumi.runtime.is_dry_run():
            pulumi.log.info(
                f"{name}: Azure PIM eligibilities cannot be updated; any change to one replaces it "
                "(a new eligibility with a new lifetime)",
                resource=self,
            )
        self.register_outputs({"roleDefinitionId": self.role_definition_id, "scope": self.scope})


def _target(caller: str, level: str) -> authorization.RoleManagementPolicyRuleTargetArgsDict:
    return {"caller": caller, "level": level, "operations": ["All"]}


def policy_rules(rules: ActivationArgs, lifetime: str, recipients: Sequence[str]) -> list[PolicyRule]:
    """The ARM rules of a role management policy, by the 17 PIM rule IDs (the ones this toolkit governs)."""
    enabled = [
        n
        for n, on in (
            ("MultiFactorAuthentication", rules.require_mfa and not rules.authentication_context),
            ("Justification", rules.require_justification),
            ("Ticketing", rules.require_ticket),
        )
        if on
    ]
    approvers: list[authorization.UserSetArgsDict] = [
        {"user_type": "Group" if kind == "group" else "User", "id": object_id, "is_backup": False}
        for object_id, kind in rules.approvers()
    ]
    alert: authorization.RoleManagementPolicyNotificationRuleArgsDict = {
        "rule_type": "RoleManagementPolicyNotificationRule",
        "notification_type": "Email",
        "recipient_type": "Admin",
        "notification_level": "All",
        "is_default_recipients_enabled": True,
        "notification_recipients": list(recipients),
    }
    return [
        {
            "rule_type": _EXPIRATION,
            "id": "Expiration_EndUser_Assignment",
            "is_expiration_required": True,
            "maximum_duration": rules.max_duration,
            "target": _target("EndUser", "Assignment"),
        },
        {
            "rule_type": "RoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabled_rules": enabled,
            "target": _target("EndUser", "Assignment"),
        },
        {
            "rule_type": "RoleManagementPolicyAuthenticationContextRule",
            "id": "AuthenticationContext_EndUser_Assignment",
            "is_enabled": bool(rules.authentication_context),
            "claim_value": rules.authentication_context or "",
            "target": _target("EndUser", "Assignment"),
        },
        {
            "rule_type": "RoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "target": _target("EndUser", "Assignment"),
            "setting": {
                "is_approval_required": rules.require_approval,
                "is_approval_required_for_extension": False,
                "is_requestor_justification_required": True,
                "approval_mode": "SingleStage" if rules.require_approval else "NoApproval",
                "approval_stages": [
                    {
                        "approval_stage_time_out_in_days": 1,
                        "is_approver_justification_required": True,
                        "escalation_time_in_minutes": 0,
                        "is_escalation_enabled": False,
                        "primary_approvers": approvers,
                    }
                ]
                if rules.require_approval
                else [],
            },
        },
        {
            "rule_type": _EXPIRATION,
            "id": "Expiration_Admin_Eligibility",
            "is_expiration_required": True,
            "maximum_duration": durations.expire_after(lifetime),
            "target": _target("Admin", "Eligibility"),
        },
        {
            "rule_type": _EXPIRATION,
            "id": "Expiration_Admin_Assignment",
            "is_expiration_required": True,
            "maximum_duration": ACTIVE_MAX,
            "target": _target("Admin", "Assignment"),
        },
        {**alert, "id": "Notification_Admin_Admin_Eligibility", "target": _target("Admin", "Eligibility")},
        {**alert, "id": "Notification_Admin_Admin_Assignment", "target": _target("Admin", "Assignment")},
        {**alert, "id": "Notification_Admin_EndUser_Assignment", "target": _target("EndUser", "Assignment")},
    ]
