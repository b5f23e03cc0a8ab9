"""Issue 16, Azure settings: scopes are normalised, a privileged eligibility needs its RoleManagementPolicy."""

from __future__ import annotations

import pulumi
import pytest
from pack_cases import LITERAL_USER, SECRET, clean, later, mandatory, preview, unverified
from privileged_facts.roles import AZURE_ROLES
from pulumi_azure_native import authorization, resources

SUB_ID = "00000000-0000-4000-8000-0000000000b2"
SUB = f"/subscriptions/{SUB_ID}"
RG = f"{SUB}/resourceGroups/rg-app"
ROLE = SUB + "/providers/Microsoft.Authorization/roleDefinitions/{}"
REQUIRES = "azure-eligibility-requires-policy"
BROAD = "azure-privileged-role-broad-scope"
STANDING = "azure-no-standing-privileged-role-subscription"
_TARGET = {"caller": "EndUser", "level": "Assignment", "operations": ["All"]}


def _policy(scope, name="settings"):
    alert = {
        "rule_type": "RoleManagementPolicyNotificationRule",
        "notification_type": "Email",
        "recipient_type": "Admin",
        "notification_level": "All",
        "is_default_recipients_enabled": True,
        "notification_recipients": ["pim@contoso.com"],
    }
    expiration = "RoleManagementPolicyExpirationRule"
    rules = [
        {
            "rule_type": expiration,
            "id": "Expiration_EndUser_Assignment",
            "is_expiration_required": True,
            "maximum_duration": "PT1H",
            "target": _TARGET,
        },
        {
            "rule_type": "RoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabled_rules": ["MultiFactorAuthentication", "Justification"],
            "target": _TARGET,
        },
        {
            "rule_type": expiration,
            "id": "Expiration_Admin_Eligibility",
            "is_expiration_required": True,
            "maximum_duration": "P90D",
            "target": _TARGET,
        },
        {
            "rule_type": expiration,
            "id": "Expiration_Admin_Assignment",
            "is_expiration_required": True,
            "maximum_duration": "P15D",
            "target": _TARGET,
        },
        {**alert, "id": "Notification_Admin_Admin_Eligibility", "target": _TARGET},
        {**alert, "id": "Notification_Admin_Admin_Assignment", "target": _TARGET},
        {**alert, "id": "Notification_Admin_EndUser_Assignment", "target": _TARGET},
    ]
    return authorization.RoleManagementPolicy(name, scope=scope, rules=rules, role_management_policy_name="p1")


def _eligible(name, scope, role="Owner"):
    return authorization.PimRoleEligibilitySchedule(
        name,
        principal_id=LITERAL_USER,
        scope=scope,
        role_definition_id=ROLE.format(AZURE_ROLES[role]),
        schedule_info={"expiration": {"type": "AfterDuration", "duration": "P90D"}},
    )


def test_a_privileged_eligibility_needs_a_policy_at_its_own_scope():
    def program():
        _policy(SUB)
        _eligible("owner-rg", RG)
        _eligible("reader-rg", RG, role="Reader")

    assert [v.urn.rsplit("::", 1)[-1] for v in mandatory(preview(program), REQUIRES)] == ["owner-rg"]


def test_a_policy_at_the_same_scope_in_any_spelling_governs_it():
    def program():
        _policy(RG.upper() + "/")
        _eligible("owner-rg", f" {RG.replace('/resourceGroups', '//resourceGroups')} ")

    clean(preview(program))


def test_an_unknown_eligibility_scope_or_role_is_unverified():
    def program():
        rg = resources.ResourceGroup("rg")
        _eligible("scope-unknown", later(rg.id, "/"))
        authorization.PimRoleEligibilitySchedule(
            "role-unknown",
            principal_id=LITERAL_USER,
            scope=RG,
            role_definition_id=later(rg.id, ROLE.format(AZURE_ROLES["Owner"])),
            schedule_info={"expiration": {"type": "AfterDuration", "duration": "P90D"}},
        )

    report = preview(program)
    assert sorted(v.urn.rsplit("::", 1)[-1] for v in unverified(report, BROAD)) == ["role-unknown", "scope-unknown"]
    assert [v.urn.rsplit("::", 1)[-1] for v in unverified(report, REQUIRES)] == ["role-unknown"]


@pytest.mark.parametrize(
    ("scope", "policy"),
    [
        (f"/Subscriptions//{SUB_ID}/", STANDING),
        (f" {SUB} ", STANDING),
        ("//", BROAD),
        ("/providers/Microsoft.Management//managementGroups/mg/", BROAD),
        (lambda: pulumi.Output.secret(f"/providers/Microsoft.Management/managementGroups/{SECRET}"), BROAD),
    ],
)
def test_scopes_are_normalised_and_never_echoed(scope, policy):
    def program():
        authorization.RoleAssignment(
            "owner",
            principal_id=LITERAL_USER,
            role_definition_id=ROLE.format(AZURE_ROLES["Owner"]),
            scope=scope() if callable(scope) else scope,
        )

    (v,) = mandatory(preview(program), policy)
    assert SUB_ID not in v.message and "managementGroups/mg" not in v.message


def test_an_unknown_standing_scope_is_unverified_and_a_resource_group_is_clean():
    def program():
        rg = resources.ResourceGroup("rg")
        authorization.RoleAssignment(
            "owner-unknown",
            principal_id=LITERAL_USER,
            role_definition_id=ROLE.format(AZURE_ROLES["Owner"]),
            scope=later(rg.id, SUB),
        )

    unverified(preview(program), STANDING)

    def narrow():
        authorization.RoleAssignment(
            "owner-rg", principal_id=LITERAL_USER, role_definition_id=ROLE.format(AZURE_ROLES["Owner"]), scope=RG
        )

    clean(preview(narrow))
