"""PIM components under Pulumi's mocks: child types, names, parenting and the inputs that make access safe."""

import datetime as dt

import pulumi
import pytest
from test_model import GROUP, short_config

from components.accounts import (
    AdminAccountArgs,
    BreakGlassAccountArgs,
    BreakGlassAccounts,
    BreakGlassAccountsArgs,
    PrivilegedAccounts,
    PrivilegedAccountsArgs,
)
from components.activation import ActivationArgs
from components.azure_jit import AzureRoleJit, AzureRoleJitArgs
from components.entra_jit import EntraRoleJit, EntraRoleJitArgs
from components.model import parse_model
from components.stack import build

GA = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
AU = "7b0e1d2c-3a4b-4c5d-8e6f-0a1b2c3d4e5f"
ANA = "11111111-1111-4111-8111-111111111111"
RG = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-app"
POLICY = "6c8f1d3e-2b7a-4e59-9c41-0d2e8a7f5b60"
GROUP_TYPE = "azuread:index/group:Group"
SCHEDULE_TYPE = "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"


def parented(component: pulumi.ComponentResource, children: list) -> pulumi.Output:
    """All children's URNs, after checking each one is parented to the component."""
    token = f"{component._type}$"  # the parent's type prefixes a child's type in its URN

    def check(urns):
        for urn in urns:
            assert token in urn, f"{urn} is not a child of {component._type}"
        return urns

    return pulumi.Output.all(*[c.urn for c in children]).apply(check)


@pulumi.runtime.test
def test_entra_role_jit_through_a_pim_group_at_an_administrative_unit(mocks):
    jit = EntraRoleJit(
        "ua",
        EntraRoleJitArgs(
            role="User Administrator",
            eligible={"ana": ANA},
            administrative_unit_id=AU,
            activation=ActivationArgs(max_duration="PT2H"),
            notification_recipients=["soc@contoso.com"],
        ),
    )

    def check(_):
        assert mocks.children("ua-") == {
            "ua-group": GROUP_TYPE,
            "ua-assignment": "azuread:index/directoryRoleAssignment:DirectoryRoleAssignment",
            "ua-policy": "azuread:index/groupRoleManagementPolicy:GroupRoleManagementPolicy",
            "ua-eligible-ana": SCHEDULE_TYPE,
        }
        group = mocks.inputs["ua-group"]
        assert group["assignableToRole"] is True and group["securityEnabled"] is True
        assert "members" not in group and "owners" not in group
        assignment = mocks.inputs["ua-assignment"]
        assert assignment == {
            "roleId": USER_ADMIN,
            "principalObjectId": "ua-group-id",
            "directoryScopeId": f"/administrativeUnits/{AU}",
        }
        policy = mocks.inputs["ua-policy"]
        assert policy["groupId"] == "ua-group-id" and policy["roleId"] == "member"
        assert policy["eligibleAssignmentRules"] == {"expirationRequired": True, "expireAfter": "P180D"}
        assert policy["activeAssignmentRules"]["expirationRequired"] is True
        activation = policy["activationRules"]
        assert activation["maximumDuration"] == "PT2H" and activation["requireMultifactorAuthentication"] is True
        assert activation["requireJustification"] is True and activation["requireApproval"] is False
        assert policy["notificationRules"]["eligibleActivations"]["adminNotifications"]["additionalRecipients"] == [
            "soc@contoso.com"
        ]
        schedule = mocks.inputs["ua-eligible-ana"]
        assert schedule["duration"] == "P180D" and "permanentAssignment" not in schedule
        assert (schedule["groupId"], schedule["principalId"], schedule["assignmentType"]) == (
            "ua-group-id",
            ANA,
            "member",
        )
        assert "ua-role-settings" not in mocks.types  # not critical, not direct

    children = [jit.group, jit.assignment, jit.policy, jit.eligibilities["ana"]]
    return pulumi.Output.all(parented(jit, children), jit.directory_scope_id).apply(check)


def test_critical_roles_refuse_to_be_built_without_approvers(mocks):
    with pytest.raises(ValueError, match="critical roles require approval by default"):
        EntraRoleJit("ga-bad", EntraRoleJitArgs(role="Global Administrator", eligible={"ana": ANA}))


@pulumi.runtime.test
def test_critical_role_gets_approval_one_hour_and_its_own_directory_role_settings(mocks):
    rules = ActivationArgs.for_role(True, approver_group_ids=(GROUP,))
    jit = EntraRoleJit("ga", EntraRoleJitArgs(role=GA, eligible={"ana": ANA}, activation=rules))

    def check(_):
        activation = mocks.inputs["ga-policy"]["activationRules"]
        assert activation["maximumDuration"] == "PT1H" and activation["requireApproval"] is True
        assert activation["approvalStage"] == {"primaryApprovers": [{"objectId": GROUP, "type": "groupMembers"}]}
        kind, settings = mocks.types["ga-role-settings"], mocks.inputs["ga-role-settings"]
        assert kind == "pulumi-python:dynamic:Resource" and settings["graphKind"] == "entraRoleSettings"
        assert settings["roleDefinitionId"] == GA
        by_id = {rule["id"]: rule for rule in settings["rules"]}
        assert by_id["Approval_EndUser_Assignment"]["setting"]["isApprovalRequired"] is True
        assert by_id["Expiration_Admin_Eligibility"]["isExpirationRequired"] is True

    return parented(jit, [jit.role_settings, jit.group, jit.policy]).apply(check)


@pulumi.runtime.test
def test_direct_mode_makes_time_bound_directory_role_eligibility(mocks):
    jit = EntraRoleJit(
        "ua-direct",
        EntraRoleJitArgs(
            role=USER_ADMIN,
            mode="direct",
            eligible={"ana": ANA, "bo": GROUP},
            eligibility_end_dates={"bo": "2030-01-31T00:00:00Z"},
        ),
    )

    def check(_):
        assert jit.group is None and "ua-direct-group" not in mocks.types
        ana = mocks.inputs["ua-direct-eligible-ana"]
        bo = mocks.inputs["ua-direct-eligible-bo"]
        assert ana["graphKind"] == "directoryRoleEligibility" and ana["directoryScopeId"] == "/"
        assert ana["scheduleInfo"]["expiration"] == {"type": "afterDuration", "duration": "P180D"}
        assert bo["scheduleInfo"]["expiration"] == {"type": "afterDateTime", "endDateTime": "2030-01-31T00:00:00Z"}
        assert mocks.inputs["ua-direct-role-settings"]["graphKind"] == "entraRoleSettings"

    return parented(jit, list(jit.eligibilities.values())).apply(check)


@pulumi.runtime.test
def test_lifetimes_map_to_the_policy_steps_the_provider_accepts(mocks):
    jit = EntraRoleJit("ua-60", EntraRoleJitArgs(role=USER_ADMIN, eligible={"ana": ANA}, eligibility_duration="P60D"))

    def check(_):
        assert mocks.inputs["ua-60-policy"]["eligibleAssignmentRules"]["expireAfter"] == "P90D"
        assert mocks.inputs["ua-60-eligible-ana"]["duration"] == "P60D"

    return pulumi.Output.all(jit.policy.urn, jit.eligibilities["ana"].urn).apply(check)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"eligibility_duration": "P400D"}, "at most P365D"),
        ({"mode": "permanent"}, "'pimGroup', 'direct' or 'eligibleGroup'"),
        ({"eligible": {"Ana": ANA}}, "lower-case letters"),
        ({"activation": ActivationArgs(max_duration="PT45M")}, "30-minute steps"),
        ({"activation": ActivationArgs(require_mfa=False)}, "without MFA or an authentication context"),
        ({"activation": ActivationArgs(authentication_context="c1")}, "one or the other"),
        ({"role": "Usr Administrator"}, "did you mean 'User Administrator'"),
    ],
)
def test_entra_role_jit_validates_at_construction(mocks, kwargs, message):
    with pytest.raises(ValueError, match=message):
        EntraRoleJit("bad", EntraRoleJitArgs(**{"role": USER_ADMIN, "eligible": {"ana": ANA}, **kwargs}))


@pulumi.runtime.test
def test_azure_role_jit_expiring_eligibility_and_settings_at_a_resource_group(mocks):
    jit = AzureRoleJit(
        "owner-rg",
        AzureRoleJitArgs(
            role="Owner",
            scope=RG,
            eligible={"ana": ANA},
            policy_name=POLICY,
            activation=ActivationArgs.for_role(True, approver_user_ids=(ANA,)),
        ),
    )

    def check(_):
        assert mocks.children("owner-rg-") == {
            "owner-rg-settings": "azure-native:authorization:RoleManagementPolicy",
            "owner-rg-eligible-ana": "azure-native:authorization:PimRoleEligibilitySchedule",
        }
        eligibility = mocks.inputs["owner-rg-eligible-ana"]
        assert eligibility["scope"] == RG and eligibility["principalId"] == ANA
        assert eligibility["roleDefinitionId"] == (
            f"/subscriptions/00000000-0000-4000-8000-0000000000b2/providers/Microsoft.Authorization/roleDefinitions/{OWNER}"
        )
        assert eligibility["scheduleInfo"] == {"expiration": {"type": "AfterDuration", "duration": "P180D"}}
        settings = mocks.inputs["owner-rg-settings"]
        assert settings["roleManagementPolicyName"] == POLICY and settings["scope"] == RG
        rules = {rule["id"]: rule for rule in settings["rules"]}
        assert rules["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT1H"
        assert rules["Expiration_Admin_Eligibility"] == {
            "ruleType": "RoleManagementPolicyExpirationRule",
            "id": "Expiration_Admin_Eligibility",
            "isExpirationRequired": True,
            "maximumDuration": "P180D",
            "target": {"caller": "Admin", "level": "Eligibility", "operations": ["All"]},
        }
        approval = rules["Approval_EndUser_Assignment"]["setting"]
        assert approval["isApprovalRequired"] is True
        assert approval["approvalStages"][0]["primaryApprovers"] == [{"userType": "User", "id": ANA, "isBackup": False}]
        assert rules["Enablement_EndUser_Assignment"]["enabledRules"] == ["MultiFactorAuthentication", "Justification"]

    return parented(jit, [jit.policy, jit.eligibilities["ana"]]).apply(check)


@pulumi.runtime.test
def test_azure_role_jit_without_a_policy_name_declares_only_eligibility(mocks):
    jit = AzureRoleJit(
        "reader-rg",
        AzureRoleJitArgs(
            role="Reader", scope=RG, eligible={"ana": ANA}, eligibility_end_dates={"ana": "2030-01-31T00:00:00Z"}
        ),
    )

    def check(_):
        assert jit.policy is None and set(mocks.children("reader-rg-")) == {"reader-rg-eligible-ana"}
        assert mocks.inputs["reader-rg-eligible-ana"]["scheduleInfo"]["expiration"] == {
            "type": "AfterDateTime",
            "endDateTime": "2030-01-31T00:00:00Z",
        }

    return jit.eligibilities["ana"].urn.apply(check)


def test_break_glass_needs_two_cloud_only_accounts(mocks):
    with pytest.raises(ValueError, match="at least 2 items"):
        BreakGlassAccounts(
            "bg-one", BreakGlassAccountsArgs(accounts=[BreakGlassAccountArgs(upn="a@contoso.onmicrosoft.com")])
        )
    with pytest.raises(ValueError, match="onmicrosoft.com"):
        BreakGlassAccounts(
            "bg-fed",
            BreakGlassAccountsArgs(
                accounts=[
                    BreakGlassAccountArgs(upn="a@contoso.com"),
                    BreakGlassAccountArgs(upn="b@contoso.onmicrosoft.com"),
                ]
            ),
        )


@pulumi.runtime.test
def test_break_glass_accounts_hold_permanent_global_admin_with_secret_passwords(mocks):
    bg = BreakGlassAccounts(
        "bg",
        BreakGlassAccountsArgs(
            accounts=[
                BreakGlassAccountArgs(upn="bg-a@contoso.onmicrosoft.com"),
                BreakGlassAccountArgs(upn="bg-b@contoso.onmicrosoft.com", display_name="B"),
            ]
        ),
    )

    def check(args):
        object_ids, password_secret, *_ = args
        assert object_ids == ["bg-bg-a-id", "bg-bg-b-id"]
        assert password_secret is True
        assert mocks.inputs["bg-bg-a-global-admin"] == {
            "roleId": GA,
            "principalObjectId": "bg-bg-a-id",
            "directoryScopeId": "/",
        }
        assert bg.users["bg-a"]._protect and bg.assignments["bg-a"]._protect  # protected from deletion
        assert mocks.inputs["bg-bg-b"]["displayName"] == "B"

    secret = pulumi.Output.from_input(bg.users["bg-a"].password).is_secret()
    return pulumi.Output.all(
        bg.object_ids, pulumi.Output.from_input(secret), parented(bg, [*bg.users.values(), *bg.assignments.values()])
    ).apply(check)


@pulumi.runtime.test
def test_privileged_accounts_are_separate_cloud_only_accounts(mocks):
    accounts = PrivilegedAccounts(
        "adm",
        PrivilegedAccountsArgs(
            people={
                "ana": AdminAccountArgs(
                    upn="adm-ana@contoso.onmicrosoft.com", display_name="Ana (admin)", manager_upn="boss@contoso.com"
                ),
                "old": AdminAccountArgs(
                    upn="adm-old@contoso.onmicrosoft.com", display_name="Old (admin)", enabled=False
                ),
            }
        ),
    )

    def check(_):
        ana, old = mocks.inputs["adm-ana"], mocks.inputs["adm-old"]
        assert ana["mailNickname"] == "adm-ana" and ana["managerId"] == "boss@contoso.com-id"
        assert ana["accountEnabled"] is True and old["accountEnabled"] is False
        assert ana["showInAddressList"] is False
        assert mocks.types["adm-ana-password"] == "random:index/randomPassword:RandomPassword"

    return parented(accounts, list(accounts.users.values())).apply(check)


@pulumi.runtime.test
def test_the_stack_builder_respects_leaving_dates(mocks):
    config = short_config(roleBindings=[{"role": "User Administrator", "eligible": ["ana", "cy", "dee"]}])
    people = config["privileged-access:principals"]["people"]
    people["cy"] = {
        "displayName": "Cy",
        "dailyUpn": "cy@contoso.com",
        "leavingDate": "2026-03-31",
        "adminAccount": {"upn": "adm-cy@contoso.onmicrosoft.com"},
    }
    people["dee"] = {
        "displayName": "Dee",
        "dailyUpn": "dee@contoso.com",
        "leavingDate": "2025-12-31",
        "adminAccount": {"upn": "adm-dee@contoso.onmicrosoft.com"},
    }
    built = build(parse_model(config, "stacks/Pulumi.test.yaml"), today=dt.date(2026, 1, 15))
    jit = built.entra_roles["user-administrator"]

    def check(_):
        assert set(jit.eligibilities) == {"ana", "cy"}  # dee has left: no eligibility
        assert mocks.inputs["pim-user-administrator-eligible-cy"]["expirationDate"] == "2026-04-01T00:00:00Z"
        assert mocks.inputs["pim-user-administrator-eligible-ana"]["duration"] == "P180D"
        assert mocks.inputs["admin-accounts-dee"]["accountEnabled"] is False
        assert mocks.inputs["pim-user-administrator-group"]["displayName"] == "PUM-T1-User Administrator"

    registered = [c.urn for c in (jit.group, *jit.eligibilities.values(), *built.admin_accounts.users.values())]
    return pulumi.Output.all(*registered).apply(check)


@pulumi.runtime.test
def test_entra_role_jit_eligible_group_is_eligible_never_active_and_carries_the_role_settings(mocks):
    jit = EntraRoleJit(
        "ua-journey",
        EntraRoleJitArgs(
            role="User Administrator",
            mode="eligibleGroup",
            administrative_unit_id=AU,
            activation=ActivationArgs(max_duration="PT2H"),
            group_display_name="Journey UA",
        ),
    )

    def check(_):
        kinds = mocks.children("ua-journey-")
        assert kinds == {
            "ua-journey-group": GROUP_TYPE,
            "ua-journey-role-settings": "pulumi-python:dynamic:Resource",
            "ua-journey-eligible": "pulumi-python:dynamic:Resource",
        }  # no assignment, no group policy
        group = mocks.inputs["ua-journey-group"]
        assert group["assignableToRole"] is True and "members" not in group and "owners" not in group
        eligible = mocks.inputs["ua-journey-eligible"]
        assert (eligible["graphKind"], eligible["principalId"], eligible["roleDefinitionId"]) == (
            "directoryRoleEligibility",
            "ua-journey-group-id",
            USER_ADMIN,
        )
        assert eligible["directoryScopeId"] == f"/administrativeUnits/{AU}"
        assert eligible["scheduleInfo"]["expiration"] == {"type": "afterDuration", "duration": "P180D"}
        rules = {r["id"]: r for r in mocks.inputs["ua-journey-role-settings"]["rules"]}
        assert rules["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT2H"

    return pulumi.Output.all(jit.group_object_id, jit.eligibilities["group"].urn).apply(check)


def test_entra_role_jit_eligible_group_takes_no_eligible_people(mocks):
    with pytest.raises(ValueError, match="must be empty in mode eligibleGroup"):
        EntraRoleJit("bad", EntraRoleJitArgs(role=USER_ADMIN, mode="eligibleGroup", eligible={"ana": ANA}))
