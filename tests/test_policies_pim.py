"""PIM policies through `pum preview` (run_preview) under preview unknowns, with plain provider resources.

Every policy has a compliant and a non-compliant program. IDs that flow between resources
(group object IDs, user object IDs) are unknown at preview, exactly as in `pulumi preview`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
import pytest
from conftest import preview_with_pack
from pulumi.dynamic import CreateResult, Resource, ResourceProvider
from pulumi_azure_native import authorization
from rules import pim

GA = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
DEVICE_ADMIN = "9f06204d-73c1-4d4c-880a-6edb90606fd8"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
SUB = "/subscriptions/00000000-0000-0000-0000-0000000000aa"
RG = f"{SUB}/resourceGroups/rg-app"
AU = "/administrativeUnits/11111111-1111-1111-1111-111111111111"
LITERAL_USER = "22222222-2222-2222-2222-222222222222"
OURS = {p.name for p in pim.POLICIES}


def preview(program, configs=None, tmp_path=None):
    report = preview_with_pack(program, tmp_path, configs)
    ours = [v for v in report.violations if v.policy in OURS]
    assert not [v for v in ours if "can't run policy" in v.message], "a PIM policy touched an unknown value"
    return ours


def hits(violations, policy, level="mandatory"):
    return [v for v in violations if v.policy == policy and v.enforcement_level == level]


def names(violations, policy, level="mandatory"):
    return sorted(v.urn.rsplit("::", 1)[-1] for v in hits(violations, policy, level))


# --- building blocks ------------------------------------------------------------------------------------


class _NoopProvider(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class GraphThing(Resource):
    """A Graph-backed dynamic resource as the project declares them (graphKind + camelCase inputs)."""

    def __init__(self, name, props, opts=None):
        super().__init__(_NoopProvider(), name, props, opts)


class BreakGlass(pulumi.ComponentResource):
    """The shape BreakGlassAccounts guarantees (a type token alone proves nothing): a protected cloud-only user on
    *.onmicrosoft.com with a RandomPassword, and its protected permanent GA assignment, both inside the component."""

    def __init__(self, name):
        super().__init__("privileged-access:index:BreakGlassAccounts", name)
        inside = pulumi.ResourceOptions(parent=self, protect=True)
        password = random.RandomPassword(f"{name}-1-password", length=64, opts=pulumi.ResourceOptions(parent=self))
        self.user = azuread.User(
            f"{name}-1",
            display_name="bg1",
            user_principal_name="bg1@x.onmicrosoft.com",
            password=password.result,
            opts=inside,
        )
        self.assignment = azuread.DirectoryRoleAssignment(
            f"{name}-ga", role_id=GA, principal_object_id=self.user.object_id, opts=inside
        )
        self.register_outputs({})


def user(name="alice"):
    return azuread.User(name, display_name=name, user_principal_name=f"{name}@x.onmicrosoft.com", password="x")


def group(name="pim-ga", **kw):
    return azuread.Group(name, display_name=name, security_enabled=True, **{"assignable_to_role": True, **kw})


def activation(approvers, maximum="PT1H", **over):
    rules = {
        "maximum_duration": maximum,
        "require_approval": True,
        "require_justification": True,
        "required_conditional_access_authentication_context": "c1",
        "approval_stage": {"primary_approvers": [{"object_id": a, "type": "groupMembers"} for a in approvers]},
    }
    rules.update(over)
    return rules


ALERT = {
    "admin_notifications": {
        "default_recipients": True,
        "notification_level": "All",
        "additional_recipients": ["pim-alerts@contoso.com"],
    }
}


def group_policy(name, g, approvers, maximum="PT1H", eligible=None, active=None, alerts="all", **over):
    alerts = (
        {"eligible_assignments": ALERT, "active_assignments": ALERT, "eligible_activations": ALERT}
        if alerts == "all"
        else alerts
    )
    return azuread.GroupRoleManagementPolicy(
        name,
        group_id=g.object_id,
        role_id="member",
        activation_rules=activation(approvers, maximum, **over),
        eligible_assignment_rules=eligible or {"expiration_required": True, "expire_after": "P90D"},
        active_assignment_rules=active or {"expiration_required": True, "expire_after": "P15D"},
        notification_rules=alerts,
    )


def governed_ga(role=GA, maximum="PT1H", **over):
    """The compliant PIM-for-Groups pattern: role on a group, member policy, time-bound eligibility."""
    approvers = group("ga-approvers", assignable_to_role=False)
    g = group()
    azuread.DirectoryRoleAssignment("ga-to-group", role_id=role, principal_object_id=g.object_id)
    group_policy("ga-policy", g, [approvers.object_id], maximum, **over)
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "alice-eligible", group_id=g.object_id, principal_id=user().object_id, assignment_type="member", duration="P90D"
    )
    return g


def entra_settings(
    name,
    role,
    approval=True,
    approvers=("33333333-3333-3333-3333-333333333333",),
    maximum="PT1H",
    alerts=(
        ("Notification_Admin_Admin_Eligibility", ["pim-alerts@contoso.com"]),
        ("Notification_Admin_Admin_Assignment", ["pim-alerts@contoso.com"]),
        ("Notification_Admin_EndUser_Assignment", ["pim-alerts@contoso.com"]),
    ),
):
    rules = [
        {
            "id": rule,
            "notificationType": "Email",
            "recipientType": "Admin",
            "notificationLevel": "All",
            "isDefaultRecipientsEnabled": True,
            "notificationRecipients": recipients,
        }
        for rule, recipients in alerts
    ] + [
        {"id": "Expiration_EndUser_Assignment", "maximumDuration": maximum, "isExpirationRequired": True},
        {"id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"]},
        {
            "id": "Approval_EndUser_Assignment",
            "setting": {
                "isApprovalRequired": approval,
                "approvalStages": [
                    {
                        "primaryApprovers": [
                            {"@odata.type": "#microsoft.graph.groupMembers", "groupId": a} for a in approvers
                        ]
                    }
                ],
            },
        },
        {"id": "Expiration_Admin_Eligibility", "isExpirationRequired": True, "maximumDuration": "P90D"},
        {"id": "Expiration_Admin_Assignment", "isExpirationRequired": True, "maximumDuration": "P15D"},
    ]
    return GraphThing(name, {"graphKind": "entraRoleSettings", "roleDefinitionId": role, "rules": rules})


def direct_eligibility(name, principal, role=GA, expiration=None, scope="/"):
    return GraphThing(
        name,
        {
            "graphKind": "directoryRoleEligibility",
            "principalId": principal,
            "roleDefinitionId": role,
            "directoryScopeId": scope,
            "justification": "jit",
            "scheduleInfo": {"expiration": expiration or {"type": "afterDuration", "duration": "P90D"}},
        },
    )


def in_days(days):
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the compliant baseline ------------------------------------------------------------------------------


def test_governed_pim_group_pattern_is_clean():
    def program():
        governed_ga()
        u = user("bob")
        direct_eligibility("bob-ua", u.object_id, role=USER_ADMIN, scope=AU)
        entra_settings("ua-settings", USER_ADMIN, maximum="PT2H")
        authorization.PimRoleEligibilitySchedule(
            "owner-rg",
            principal_id=u.object_id,
            role_definition_id=f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
            scope=RG,
            schedule_info={"expiration": {"type": "AfterDuration", "duration": "P90D"}},
        )
        azure_settings("owner-rg-settings", RG, approver=u.object_id)
        BreakGlass("breakglass")

    assert preview(program) == []


# --- eligibility -------------------------------------------------------------------------------------------


def test_permanent_eligibility_in_every_eligibility_resource_is_rejected():
    def program():
        g, u = group(), user()
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "pag-permanent",
            group_id=g.object_id,
            principal_id=u.object_id,
            assignment_type="member",
            permanent_assignment=True,
        )
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "pag-no-schedule", group_id=g.object_id, principal_id=u.object_id, assignment_type="owner"
        )
        azuread.DirectoryRoleEligibilityScheduleRequest(
            "azuread-request",
            role_definition_id=USER_ADMIN,
            principal_id=u.object_id,
            directory_scope_id=AU,
            justification="x",
        )
        authorization.PimRoleEligibilitySchedule(
            "arm-no-expiry",
            principal_id=u.object_id,
            role_definition_id=READER,
            scope=RG,
            schedule_info={"expiration": {"type": "NoExpiration"}},
        )
        authorization.PimRoleEligibilitySchedule(
            "arm-no-schedule", principal_id=u.object_id, role_definition_id=READER, scope=RG
        )
        direct_eligibility(
            "graph-no-expiry", u.object_id, role=USER_ADMIN, scope=AU, expiration={"type": "noExpiration"}
        )

    found = preview(program)
    assert names(found, "pim-eligibility-must-expire") == [
        "arm-no-expiry",
        "arm-no-schedule",
        "azuread-request",
        "graph-no-expiry",
        "pag-no-schedule",
        "pag-permanent",
    ]
    request = next(v for v in hits(found, "pim-eligibility-must-expire") if v.urn.endswith("azuread-request"))
    assert "always creates permanent eligibility" in request.message and "PIM for Groups" in request.message


def test_expiring_eligibility_passes_must_expire():
    def program():
        g, u = group(), user()
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "pag", group_id=g.object_id, principal_id=u.object_id, assignment_type="member", expiration_date=in_days(30)
        )
        direct_eligibility("graph", u.object_id, role=USER_ADMIN, scope=AU)

    assert hits(preview(program), "pim-eligibility-must-expire") == []


def _long_eligibilities():
    g, u = group(), user()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "pag-year", group_id=g.object_id, principal_id=u.object_id, assignment_type="member", duration="P365D"
    )
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "pag-date",
        group_id=g.object_id,
        principal_id=u.object_id,
        assignment_type="owner",
        expiration_date=in_days(300),
    )
    authorization.PimRoleEligibilitySchedule(
        "arm-date",
        principal_id=u.object_id,
        role_definition_id=READER,
        scope=RG,
        schedule_info={
            "start_date_time": "2026-01-01T00:00:00Z",
            "expiration": {"type": "AfterDateTime", "end_date_time": "2027-01-01T00:00:00Z"},
        },
    )
    direct_eligibility(
        "graph-1y", u.object_id, role=USER_ADMIN, scope=AU, expiration={"type": "afterDuration", "duration": "P1Y"}
    )
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "pag-ok", group_id=g.object_id, principal_id=u.object_id, assignment_type="member", duration="P180D"
    )


def test_eligibility_longer_than_maximum_is_rejected_by_duration_and_end_date():
    found = preview(_long_eligibilities)
    assert names(found, "pim-eligibility-max-duration") == ["arm-date", "graph-1y", "pag-date", "pag-year"]
    message = next(v.message for v in found if v.urn.endswith("pag-year"))
    assert "P365D" in message and "P180D" in message and "maxEligibilityDuration" in message


def test_max_eligibility_is_configurable(tmp_path):
    found = preview(
        _long_eligibilities, {"pim-eligibility-max-duration": {"maxEligibilityDuration": "P400D"}}, tmp_path
    )
    assert hits(found, "pim-eligibility-max-duration") == []
    found = preview(_long_eligibilities, {"pim-eligibility-max-duration": {"maxEligibilityDuration": "P30D"}}, tmp_path)
    assert "pag-ok" in names(found, "pim-eligibility-max-duration")


def test_enforcement_level_override_makes_a_policy_advisory(tmp_path):
    def program():
        azuread.DirectoryRoleEligibilityScheduleRequest(
            "req",
            role_definition_id=USER_ADMIN,
            principal_id=user().object_id,
            directory_scope_id=AU,
            justification="x",
        )

    found = preview(program, {"pim-eligibility-must-expire": "advisory"}, tmp_path)
    assert hits(found, "pim-eligibility-must-expire") == []
    assert names(found, "pim-eligibility-must-expire", "advisory") == ["req"]


def test_bad_duration_threshold_in_pack_config_is_refused(tmp_path):
    from pum.errors import UsageError

    with pytest.raises(UsageError):
        preview(_long_eligibilities, {"pim-eligibility-max-duration": {"maxEligibilityDuration": "180 days"}}, tmp_path)


def test_permanent_active_pim_group_assignment_is_rejected():
    def program():
        g, u = group(), user()
        azuread.PrivilegedAccessGroupAssignmentSchedule(
            "active-permanent",
            group_id=g.object_id,
            principal_id=u.object_id,
            assignment_type="member",
            permanent_assignment=True,
        )
        azuread.PrivilegedAccessGroupAssignmentSchedule(
            "active-8h", group_id=g.object_id, principal_id=u.object_id, assignment_type="member", duration="PT8H"
        )

    assert names(preview(program), "pim-group-no-permanent-active-assignment") == ["active-permanent"]


# --- Azure scope -------------------------------------------------------------------------------------------


def test_privileged_azure_roles_at_root_or_management_group_are_rejected():
    def program():
        u = user()
        mg = "/providers/Microsoft.Management/managementGroups/contoso"
        authorization.RoleAssignment("owner-root", principal_id=u.object_id, role_definition_id=OWNER, scope="/")
        authorization.PimRoleEligibilitySchedule(
            "owner-mg",
            principal_id=u.object_id,
            scope=mg,
            role_definition_id=f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
            schedule_info={"expiration": {"type": "AfterDuration", "duration": "P30D"}},
        )
        authorization.RoleAssignment("reader-mg", principal_id=u.object_id, role_definition_id=READER, scope=mg)
        authorization.PimRoleEligibilitySchedule(
            "owner-rg",
            principal_id=u.object_id,
            scope=RG,
            role_definition_id=OWNER,
            schedule_info={"expiration": {"type": "AfterDuration", "duration": "P30D"}},
        )

    assert names(preview(program), "azure-privileged-role-broad-scope") == ["owner-mg", "owner-root"]


def test_standing_privileged_azure_role_at_subscription_is_rejected_unless_break_glass(tmp_path):
    def program():
        u = user()
        authorization.RoleAssignment(
            "owner-sub",
            principal_id=u.object_id,
            scope=SUB,
            role_definition_id=f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{OWNER}",
        )
        authorization.RoleAssignment("reader-sub", principal_id=u.object_id, role_definition_id=READER, scope=SUB)
        authorization.RoleAssignment("owner-rg", principal_id=u.object_id, role_definition_id=OWNER, scope=RG)
        authorization.RoleAssignment("bg-owner-sub", principal_id=LITERAL_USER, role_definition_id=OWNER, scope=SUB)

    found = preview(
        program, {"azure-no-standing-privileged-role-subscription": {"breakGlassObjectIds": [LITERAL_USER]}}, tmp_path
    )
    assert names(found, "azure-no-standing-privileged-role-subscription") == ["owner-sub"]
    message = hits(found, "azure-no-standing-privileged-role-subscription")[0].message
    assert "Owner" in message and "PimRoleEligibilitySchedule" in message


# --- device local admin --------------------------------------------------------------------------------------


def test_device_local_administrator_role_is_rejected_anywhere():
    def program():
        u = user()
        azuread.DirectoryRoleAssignment("dla", role_id=DEVICE_ADMIN, principal_object_id=u.object_id)
        direct_eligibility("dla-eligible", u.object_id, role=DEVICE_ADMIN)
        role = azuread.DirectoryRole("dla-role", display_name="Microsoft Entra Joined Device Local Administrator")
        azuread.DirectoryRoleMember("dla-member", role_object_id=role.object_id, member_object_id=u.object_id)
        azuread.DirectoryRoleAssignment("readers", role_id=DIRECTORY_READERS, principal_object_id=u.object_id)

    assert names(preview(program), "entra-no-device-local-admin-role") == ["dla", "dla-eligible", "dla-role"]


# --- role settings ------------------------------------------------------------------------------------------


def test_settings_allowing_permanent_assignments_are_rejected():
    def program():
        g, a = group(), group("approvers", assignable_to_role=False)
        group_policy("permanent-eligible", g, [a.object_id], eligible={"expiration_required": False})
        group_policy(
            "year-eligible", group("g2"), [a.object_id], eligible={"expiration_required": True, "expire_after": "P365D"}
        )
        azuread.GroupRoleManagementPolicy(
            "undeclared", group_id=group("g3").object_id, role_id="member", activation_rules=activation([a.object_id])
        )
        group_policy("good", group("g4"), [a.object_id])
        entra_settings("entra-good", USER_ADMIN)

    found = preview(program)
    assert names(found, "pim-settings-assignments-expire") == ["permanent-eligible", "undeclared", "year-eligible"]
    message = next(v.message for v in found if v.urn.endswith("permanent-eligible"))
    assert "eligibleAssignmentRules.expirationRequired is false" in message


def test_activation_without_mfa_or_auth_context_is_rejected():
    def program():
        a = group("approvers", assignable_to_role=False)
        group_policy("no-mfa", group("g1"), [a.object_id], required_conditional_access_authentication_context=None)
        group_policy(
            "mfa",
            group("g2"),
            [a.object_id],
            required_conditional_access_authentication_context=None,
            require_multifactor_authentication=True,
        )
        group_policy("context", group("g3"), [a.object_id])
        settings = entra_settings("entra-no-mfa", USER_ADMIN)
        return settings

    found = preview(program)
    assert names(found, "pim-settings-activation-controls") == ["no-mfa"]


def test_activation_longer_than_maximum_is_rejected_and_configurable(tmp_path):
    def program():
        a = group("approvers", assignable_to_role=False)
        group_policy("ten-hours", group("g1"), [a.object_id], maximum="PT10H")
        group_policy("four-hours", group("g2"), [a.object_id], maximum="PT4H")
        entra_settings("entra-twelve", USER_ADMIN, maximum="PT12H")

    assert names(preview(program), "pim-settings-activation-duration") == ["entra-twelve", "ten-hours"]
    found = preview(program, {"pim-settings-activation-duration": {"maxActivationDuration": "PT12H"}}, tmp_path)
    assert hits(found, "pim-settings-activation-duration") == []


def _target(caller, level):
    return {"caller": caller, "level": level, "operations": ["All"]}


def azure_settings(name, scope, approver, **changes):
    """An azure-native RoleManagementPolicy as a person writes it by hand: compliant unless `changes` (rule ID ->
    fields to change, or None to leave the rule out) say otherwise."""
    expiration = "RoleManagementPolicyExpirationRule"
    rules = {
        "Expiration_EndUser_Assignment": {
            "rule_type": expiration,
            "is_expiration_required": True,
            "maximum_duration": "PT1H",
            "target": _target("EndUser", "Assignment"),
        },
        "Enablement_EndUser_Assignment": {
            "rule_type": "RoleManagementPolicyEnablementRule",
            "enabled_rules": ["MultiFactorAuthentication", "Justification"],
            "target": _target("EndUser", "Assignment"),
        },
        "Approval_EndUser_Assignment": {
            "rule_type": "RoleManagementPolicyApprovalRule",
            "target": _target("EndUser", "Assignment"),
            "setting": {
                "is_approval_required": True,
                "approval_mode": "SingleStage",
                "approval_stages": [{"primary_approvers": [{"id": approver, "user_type": "Group"}]}],
            },
        },
        "Expiration_Admin_Eligibility": {
            "rule_type": expiration,
            "is_expiration_required": True,
            "maximum_duration": "P90D",
            "target": _target("Admin", "Eligibility"),
        },
        "Expiration_Admin_Assignment": {
            "rule_type": expiration,
            "is_expiration_required": True,
            "maximum_duration": "P15D",
            "target": _target("Admin", "Assignment"),
        },
    }
    for rule_id, change in changes.items():
        if change is None:
            del rules[rule_id]
        else:
            rules[rule_id] = {**rules.get(rule_id, {}), **change}
    return authorization.RoleManagementPolicy(
        name,
        scope=scope,
        role_management_policy_name="policy-" + name,
        rules=[{"id": rule_id, **rule} for rule_id, rule in rules.items()],
    )


def test_azure_role_settings_are_judged_like_entra_role_settings_with_unknown_scope_and_approvers():
    def program():
        from pulumi_azure_native import resources

        scope = resources.ResourceGroup("rg", resource_group_name="rg-app").id  # unknown at preview
        approver = group("approvers", assignable_to_role=False).object_id  # unknown at preview
        azure_settings("azure-good", scope, approver)
        azure_settings(
            "azure-context",
            scope,
            approver,
            Enablement_EndUser_Assignment={"enabled_rules": ["Justification"]},
            AuthenticationContext_EndUser_Assignment={
                "rule_type": "RoleManagementPolicyAuthenticationContextRule",
                "is_enabled": True,
                "claim_value": "c1",
                "target": _target("EndUser", "Assignment"),
            },
        )
        azure_settings(
            "azure-permanent", scope, approver, Expiration_Admin_Eligibility={"is_expiration_required": False}
        )
        azure_settings("azure-year", scope, approver, Expiration_Admin_Eligibility={"maximum_duration": "P365D"})
        azure_settings("azure-standing", scope, approver, Expiration_Admin_Assignment=None)
        azure_settings(
            "azure-no-mfa", scope, approver, Enablement_EndUser_Assignment={"enabled_rules": ["Justification"]}
        )
        azure_settings(
            "azure-twelve-hours", scope, approver, Expiration_EndUser_Assignment={"maximum_duration": "PT12H"}
        )

    found = preview(program)
    assert names(found, "pim-settings-assignments-expire") == ["azure-permanent", "azure-standing", "azure-year"]
    assert names(found, "pim-settings-activation-controls") == ["azure-no-mfa"]
    assert names(found, "pim-settings-activation-duration") == ["azure-twelve-hours"]
    message = next(v.message for v in found if v.urn.endswith("azure-permanent"))
    assert (
        "RoleManagementPolicy 'azure-permanent': rules[Expiration_Admin_Eligibility].isExpirationRequired is "
        "false, which allows permanent eligible assignment; set it to true"
    ) in message
    message = next(v.message for v in found if v.urn.endswith("azure-standing"))
    assert "rules[Expiration_Admin_Assignment].isExpirationRequired is not declared" in message


def test_azure_role_settings_with_unknown_rules_are_unverified_not_guessed():
    """Unknown rules are not guessed either way: each setting the policies decide on is reported as unverified
    (mandatory), never passed silently. (This test asserted the old silent skip.)"""

    def program():
        approver = group("approvers", assignable_to_role=False)
        rules = approver.object_id.apply(
            lambda _: [
                {
                    "id": "Expiration_Admin_Eligibility",
                    "ruleType": "RoleManagementPolicyExpirationRule",
                    "isExpirationRequired": False,
                }
            ]
        )
        authorization.RoleManagementPolicy("azure-unknown", scope=RG, role_management_policy_name="p", rules=rules)

    found = [v for v in preview(program) if v.urn and v.urn.endswith("azure-unknown")]
    assert found and all(v.enforcement_level == "mandatory" for v in found)
    assert all("cannot verify" in v.message and 'isExpirationRequired": False' not in v.message for v in found)
    assert {v.policy for v in found} == {
        "pim-settings-assignments-expire",
        "pim-settings-activation-controls",
        "pim-settings-activation-duration",
    }


# --- stack policies ------------------------------------------------------------------------------------------


def test_privileged_role_to_a_user_is_standing_access_even_with_unknown_ids():
    def program():
        u = user()
        azuread.DirectoryRoleAssignment("ga-to-user", role_id=GA, principal_object_id=u.object_id)
        azuread.DirectoryRoleAssignment(
            "ua-to-literal", role_id=USER_ADMIN, principal_object_id=LITERAL_USER, directory_scope_id=AU
        )
        azuread.DirectoryRoleAssignment("readers-to-user", role_id=DIRECTORY_READERS, principal_object_id=u.object_id)

    found = preview(program)
    assert names(found, "entra-no-standing-privileged-role") == ["ga-to-user", "ua-to-literal"]
    message = next(v.message for v in found if v.urn.endswith("ga-to-user"))
    assert "Global Administrator" in message and "User 'alice'" in message


def test_break_glass_accounts_may_hold_ga_permanently(tmp_path):
    def program():
        bg = BreakGlass("breakglass")
        azuread.DirectoryRoleAssignment("bg-configured", role_id=GA, principal_object_id=LITERAL_USER)
        # computed from a break-glass account's output, declared outside the component: proves nothing
        azuread.DirectoryRoleAssignment("bg-outside", role_id=GA, principal_object_id=bg.user.object_id)

    found = preview(program, {"entra-no-standing-privileged-role": {"breakGlassObjectIds": [LITERAL_USER]}}, tmp_path)
    assert names(found, "entra-no-standing-privileged-role") == ["bg-outside"]
    assert names(preview(program), "entra-no-standing-privileged-role") == ["bg-configured", "bg-outside"]


def test_ga_to_a_group_with_unknown_id_and_no_policy_stays_mandatory():
    def program():
        g = group()
        azuread.DirectoryRoleAssignment("ga-to-group", role_id=GA, principal_object_id=g.object_id)

    found = preview(program)
    assert names(found, "pim-group-requires-policy") == ["pim-ga"]
    assert hits(found, "pim-group-requires-policy")[0].enforcement_level == "mandatory"


def test_pim_group_with_static_members_is_rejected():
    def program():
        u = user("dave")
        g = governed_ga()
        azuread.GroupMember("static", group_object_id=g.object_id, member_object_id=u.object_id)
        listed = group("listed", members=[u.object_id])
        azuread.DirectoryRoleAssignment(
            "ua-to-listed", role_id=USER_ADMIN, principal_object_id=listed.object_id, directory_scope_id=AU
        )
        group_policy("listed-policy", listed, [g.object_id], maximum="PT2H")
        plain = group("not-privileged", assignable_to_role=False)
        azuread.GroupMember("harmless", group_object_id=plain.object_id, member_object_id=u.object_id)

    report = preview(program)
    assert names(report, "pim-group-no-static-members") == ["static"]
    assert names(report, "role-assignable-group-no-static-members") == ["listed"]  # the declared-list half


def test_critical_role_needs_approval_by_someone_other_than_the_group():
    def program():
        g = group("self-approved")
        azuread.DirectoryRoleAssignment("ga-self", role_id=GA, principal_object_id=g.object_id)
        group_policy("self-policy", g, [g.object_id])
        g2 = group("no-approval")
        azuread.DirectoryRoleAssignment("ga-noapproval", role_id=GA, principal_object_id=g2.object_id)
        group_policy("noapproval-policy", g2, [], require_approval=False)
        u = user("carol")
        direct_eligibility("carol-ga", u.object_id)  # direct eligibility, no entraRoleSettings for GA

    found = preview(program)
    assert names(found, "pim-critical-role-approval") == ["carol-ga", "noapproval-policy", "self-policy"]


def test_critical_role_approval_passes_with_separate_approvers_and_entra_settings():
    def program():
        governed_ga()
        direct_eligibility("carol-ga", user("carol").object_id)
        entra_settings("ga-settings", GA)

    assert hits(preview(program), "pim-critical-role-approval") == []


def test_critical_role_activation_within_critical_maximum(tmp_path):
    def program():
        governed_ga(maximum="PT2H")
        direct_eligibility("carol-pra", user("carol").object_id, role="e8611ab8-c189-46e8-94e1-60213ab1f814")
        entra_settings("pra-settings", "e8611ab8-c189-46e8-94e1-60213ab1f814", maximum="PT4H")

    found = preview(program)
    assert names(found, "pim-critical-role-activation-duration") == ["ga-policy", "pra-settings"]
    found = preview(
        program, {"pim-critical-role-activation-duration": {"criticalMaxActivationDuration": "PT4H"}}, tmp_path
    )
    assert hits(found, "pim-critical-role-activation-duration") == []


def test_highly_privileged_roles_alert_someone_beyond_the_defaults_with_unknown_ids():
    from privileged_facts.roles import ENTRA_ROLES

    def pim_group(name, role):
        g = group(name)
        azuread.DirectoryRoleAssignment(f"{name}-role", role_id=ENTRA_ROLES[role], principal_object_id=g.object_id)
        return g

    def program():
        approvers = [group("approvers", assignable_to_role=False).object_id]  # unknown at preview
        governed_ga()  # alerts declared on every assignment and activation
        group_policy(
            "exchange-policy",
            pim_group("exchange", "Exchange Administrator"),
            approvers,
            alerts={
                "eligible_assignments": ALERT,
                "active_assignments": ALERT,
                "eligible_activations": {"admin_notifications": {"additional_recipients": []}},
            },
        )
        group_policy("pra-policy", pim_group("pra", "Privileged Role Administrator"), approvers, alerts=None)
        group_policy("helpdesk-policy", pim_group("helpdesk", "Helpdesk Administrator"), approvers, alerts=None)
        unknown = group("mailbox", assignable_to_role=False).object_id.apply(lambda _: ["alerts@contoso.com"])
        group_policy(
            "hybrid-policy",
            pim_group("hybrid", "Hybrid Identity Administrator"),
            approvers,
            alerts={
                kind: {"admin_notifications": {"additional_recipients": unknown}}
                for kind in ("eligible_assignments", "active_assignments", "eligible_activations")
            },
        )
        direct_eligibility("bob-ua", user("bob").object_id, role=USER_ADMIN)
        entra_settings(
            "ua-settings",
            USER_ADMIN,
            alerts=(
                ("Notification_Admin_Admin_Eligibility", ["a@contoso.com"]),
                ("Notification_Admin_EndUser_Assignment", []),
            ),
        )
        direct_eligibility("carol-sharepoint", user("carol").object_id, role=ENTRA_ROLES["SharePoint Administrator"])
        BreakGlass("breakglass")

    found = preview(program)
    # hybrid-policy's recipients are unknown at preview: unverified (mandatory), no longer skipped
    assert sorted(set(names(found, "pim-role-alerts"))) == [
        "carol-sharepoint",
        "exchange-policy",
        "hybrid-policy",
        "pra-policy",
        "ua-settings",
    ]
    assert names(found, "pim-role-alerts").count("hybrid-policy") == 3  # one per alert, each unverified
    message = {v.urn.rsplit("::", 1)[-1]: v.message for v in hits(found, "pim-role-alerts")}
    assert (
        "GroupRoleManagementPolicy 'exchange-policy' governs Exchange Administrator: notificationRules."
        "eligibleActivations.adminNotifications.additionalRecipients is empty: an activation alerts only the "
        "default recipients"
    ) in message["exchange-policy"]
    assert message["pra-policy"].count("is not declared") == 3
    assert "rules[Notification_Admin_Admin_Assignment].notificationRecipients is not declared" in message["ua-settings"]
    assert "rules[Notification_Admin_EndUser_Assignment].notificationRecipients is empty" in message["ua-settings"]
    assert "declares no entraRoleSettings" in message["carol-sharepoint"]


def test_au_scopable_role_at_tenant_scope_is_advisory():
    def program():
        u = user()
        direct_eligibility("ua-tenant", u.object_id, role=USER_ADMIN, scope="/")
        direct_eligibility("ua-au", u.object_id, role=USER_ADMIN, scope=AU)
        direct_eligibility("ga-tenant", u.object_id, role=GA, scope="/")

    found = preview(program)
    assert names(found, "entra-au-scopable-role-at-tenant", "advisory") == ["ua-tenant"]
    assert hits(found, "entra-au-scopable-role-at-tenant") == []
