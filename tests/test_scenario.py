"""The seed scenario (design §5) walked through `pum preview` of the shipped example stack.

Each test is one step of Pedro's story and asserts the resources AND the links that make it true:
an input that flows from another resource is recorded as a property dependency (its value is
unknown at preview), so "the package grants the journey group" is "the catalog resource's
resourceOriginId depends on the journey group", not a name that happens to match.
"""

import hashlib
import json
import os

import pytest
from conftest import ROOT

from pum.engine import UNKNOWN, run_preview

USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
VM_ADMIN_LOGIN = "1c0163c0-47e6-4577-8991-ea5c82e286e4"
TIER0_APPROVERS = "3f1c6a52-8f2e-4a8b-9a53-6f0c2d7e9b11"
LINUX_RG = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-linux-servers-prod"
LEAVER_TASKS = [
    "42ae2956-193d-4f39-be06-691b8ac4fa1d",  # remove ALL access package assignments
    "b3a31406-2a15-4c9a-b25b-a658fa5f07fc",  # remove from all groups
    "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
]  # disable the account
AZ = "azuread:index/"
GROUP, USER = AZ + "group:Group", AZ + "user:User"
ROLE_ASSIGNMENT = AZ + "directoryRoleAssignment:DirectoryRoleAssignment"
GROUP_MEMBER = AZ + "groupMember:GroupMember"
PAG_ELIGIBLE = AZ + "privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"
POLICY = AZ + "accessPackageAssignmentPolicy:AccessPackageAssignmentPolicy"
GRANT = AZ + "accessPackageResourcePackageAssociation:AccessPackageResourcePackageAssociation"
CA = AZ + "conditionalAccessPolicy:ConditionalAccessPolicy"
ARM_ELIGIBLE = "azure-native:authorization:PimRoleEligibilitySchedule"
ARM_POLICY = "azure-native:authorization:RoleManagementPolicy"


@pytest.fixture(scope="module")
def plan():
    return run_preview(ROOT, stack="example")


class Plan:
    def __init__(self, report):
        self.report = report
        self.by_name = {r.name: r for r in report.resources}
        self.by_urn = {r.urn: r for r in report.resources}

    def __getitem__(self, name):
        return self.by_name[name]

    def of_type(self, kind):
        return [r for r in self.report.resources if r.type == kind]

    def graph(self, kind):
        return [
            r
            for r in self.report.resources
            if r.type.startswith("pulumi-python:dynamic") and r.inputs.get("graphKind") == kind
        ]

    def links(self, resource, prop):
        """Names of the resources `resource.inputs[prop]` flows from."""
        return sorted(self.by_urn[u].name for u in resource.property_dependencies.get(prop, []))

    def children(self, component):
        return {r.name: r for r in self.report.resources if r.parent == self[component].urn}


@pytest.fixture(scope="module")
def p(plan):
    return Plan(plan)


JOURNEY_GROUP = "pim-user-admin-emea-group"


def test_zero_mandatory_violations(plan):
    assert plan.mandatory == [], [(v.policy, v.message) for v in plan.mandatory]
    assert plan.exit_code == 0
    checked = {m.name for metas in plan.policies.values() for m in metas}
    assert {
        "access-package-privileged-group-controls",
        "private-access-compliant-device-ca",
        "entra-no-standing-privileged-role",
        "pim-critical-role-approval",
    } <= checked


def test_step1_pedro_has_a_cloud_only_admin_account_that_alone_can_request_the_journey(p):
    account = p["admin-accounts-pedro"]
    assert account.type == USER and account.parent == p["admin-accounts"].urn
    assert account.inputs["userPrincipalName"] == "adm-pedro.alves@contoso.onmicrosoft.com"
    assert account.inputs["password"] == "[secret]" and account.inputs["employeeType"] == "Privileged admin account"
    assert account.inputs["managerId"] not in (None, UNKNOWN)  # his manager approves in My Access
    members = p["journeys-user-admin-members"]
    requestors = members.inputs["requestorSettings"]
    assert requestors["scopeType"] == "SpecificDirectorySubjects" and requestors["requestsAccepted"] is True
    assert [r["subjectType"] for r in requestors["requestors"]] == ["singleUser"]
    assert p.links(members, "requestorSettings") == ["admin-accounts-pedro"]
    assert p.links(members, "accessPackageId") == ["journeys-user-admin"]
    policies = [r for r in p.of_type(POLICY) if p.links(r, "accessPackageId") == ["journeys-user-admin"]]
    assert policies == [members]  # no vendor policy, no second way in


def test_step2_the_package_grants_membership_of_the_journey_group_and_nobody_else_can_join_it(p):
    grants = {r.name: r for r in p.of_type(GRANT) if p.links(r, "accessPackageId") == ["journeys-user-admin"]}
    assert set(grants) == {"journeys-user-admin-user-admin-emea", "journeys-user-admin-account-operators"}
    grant = grants["journeys-user-admin-user-admin-emea"]
    assert grant.inputs["accessType"] == "Member"
    [resource] = p.links(grant, "catalogResourceAssociationId")
    assert p[resource].inputs["resourceOriginSystem"] == "AadGroup"
    assert p.links(p[resource], "resourceOriginId") == [JOURNEY_GROUP]
    group = p[JOURNEY_GROUP]
    assert group.parent == p["pim-user-admin-emea"].urn and group.protect
    assert group.inputs["assignableToRole"] is True and group.inputs["securityEnabled"] is True
    assert "members" not in group.inputs and "owners" not in group.inputs
    for kind, prop in ((GROUP_MEMBER, "groupObjectId"), (PAG_ELIGIBLE, "groupId")):
        assert not [r for r in p.of_type(kind) if JOURNEY_GROUP in p.links(r, prop)], kind


def test_step3_the_journey_group_is_eligible_not_active_for_user_administrator_over_the_emea_unit(p):
    [eligibility] = [r for r in p.graph("directoryRoleEligibility") if JOURNEY_GROUP in p.links(r, "principalId")]
    assert eligibility.name == "pim-user-admin-emea-eligible"
    assert eligibility.inputs["roleDefinitionId"] == USER_ADMIN
    assert p.links(eligibility, "directoryScopeId") == ["administrative-units-emea-users"]
    assert eligibility.inputs["scheduleInfo"]["expiration"] == {"type": "afterDuration", "duration": "P180D"}
    active = [r for r in p.of_type(ROLE_ASSIGNMENT) if JOURNEY_GROUP in p.links(r, "principalObjectId")]
    assert active == []  # nothing standing: members must activate


def test_step4_activation_lasts_at_most_two_hours_with_mfa_and_justification(p):
    [settings] = [r for r in p.graph("entraRoleSettings") if r.inputs["roleDefinitionId"] == USER_ADMIN]
    assert settings.name == "pim-user-admin-emea-role-settings"
    rules = {rule["id"]: rule for rule in settings.inputs["rules"]}
    assert rules["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT2H"
    assert {"MultiFactorAuthentication", "Justification"} <= set(rules["Enablement_EndUser_Assignment"]["enabledRules"])
    assert rules["Expiration_Admin_Eligibility"]["isExpirationRequired"] is True
    assert settings.urn in p["pim-user-admin-emea-eligible"].dependencies  # settings first, then eligibility


def test_step5_the_request_needs_manager_approval_and_is_reviewed_every_six_months(p):
    members = p["journeys-user-admin-members"].inputs
    approval = members["approvalSettings"]
    assert approval["approvalRequired"] is True and approval["requestorJustificationRequired"] is True
    [stage] = approval["approvalStages"]
    assert stage["primaryApprovers"] == [{"subjectType": "requestorManager"}]
    review = members["assignmentReviewSettings"]
    assert (
        review["enabled"],
        review["reviewFrequency"],
        review["reviewType"],
        review["accessReviewTimeoutBehavior"],
    ) == (True, "halfyearly", "Manager", "removeAccess")
    # the assignment ends after two hours (the policy's settings write Graph's expiration; azuread holds a day)
    assert members["durationInDays"] == 1
    settings = p["journeys-user-admin-members-settings"]
    assert settings.inputs["expiration"] == {"type": "afterDuration", "duration": "PT2H"}
    assert p["journeys-user-admin-members"].urn in settings.property_dependencies["policyId"]


def test_step6_account_operators_through_a_written_back_cloud_group(p):
    group = p["journeys-group-account-operators"]
    assert group.inputs["writebackEnabled"] is True and group.inputs["onpremisesGroupType"] == "UniversalSecurityGroup"
    assert group.inputs["assignableToRole"] is False and "Account Operators" in group.inputs["description"]
    grant = p["journeys-user-admin-account-operators"]
    [resource] = p.links(grant, "catalogResourceAssociationId")
    assert p.links(p[resource], "resourceOriginId") == ["journeys-group-account-operators"]


def test_step7_sudo_on_the_linux_servers_is_an_eligible_vm_administrator_login_for_the_journey_group(p):
    [eligibility] = [r for r in p.of_type(ARM_ELIGIBLE) if p.links(r, "principalId") == [JOURNEY_GROUP]]
    assert eligibility.inputs["roleDefinitionId"].endswith("/roleDefinitions/" + VM_ADMIN_LOGIN)
    assert eligibility.inputs["scope"] == LINUX_RG
    assert eligibility.inputs["scheduleInfo"]["expiration"]["type"] == "AfterDuration"
    [settings] = [r for r in p.of_type(ARM_POLICY) if r.inputs["scope"] == LINUX_RG]
    assert settings.urn in eligibility.dependencies
    rules = {rule["id"]: rule for rule in settings.inputs["rules"]}
    assert rules["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT2H"


def test_step8_ssh_through_private_access_assigned_to_the_journey_group_behind_a_compliant_device_policy(p):
    app = p["private-access-ssh-linux-app"]
    assert app.inputs["graphKind"] == "privateAccessApp" and app.parent == p["private-access-ssh-linux"].urn
    assert p.links(app, "assignedGroupIds") == [JOURNEY_GROUP]
    assert [(s["destinationHost"], s["ports"]) for s in app.inputs["segments"]] == [("10.20.0.0/24", ["22-22"])]
    covering = [r for r in p.of_type(CA) if "private-access-ssh-linux-app" in p.links(r, "conditions")]
    assert [r.name for r in covering] == ["private-access-ssh-linux-ca"]
    ca = covering[0]
    assert ca.inputs["state"] == "enabled" and "compliantDevice" in ca.inputs["grantControls"]["builtInControls"]
    assert ca.inputs["grantControls"]["operator"] == "AND"
    assert JOURNEY_GROUP in p.links(ca, "conditions")  # the users it applies to: the journey group


def test_step9_when_pedro_leaves_the_workflow_removes_his_journeys_groups_and_disables_the_account(p):
    [workflow] = p.graph("lifecycleWorkflow")
    assert workflow.inputs["category"] == "leaver" and workflow.inputs["isEnabled"] is True
    assert [t["taskDefinitionId"] for t in workflow.inputs["tasks"]] == LEAVER_TASKS
    conditions = workflow.inputs["executionConditions"]
    assert conditions["trigger"]["timeBasedAttribute"] == "employeeLeaveDateTime"
    employee_type = p["admin-accounts-pedro"].inputs["employeeType"]
    assert conditions["scope"]["rule"] == f"(employeeType eq '{employee_type}')"  # it selects the admin accounts


def test_higher_privilege_domain_admin_needs_the_manager_then_the_tier0_approvers(p):
    approval = p["journeys-domain-admin-members"].inputs["approvalSettings"]
    first, second = approval["approvalStages"]
    assert first["primaryApprovers"][0] == {"subjectType": "requestorManager"}
    assert second["primaryApprovers"] == [{"subjectType": "groupMembers", "objectId": TIER0_APPROVERS}]
    grant = p["journeys-domain-admin-domain-admins"]
    [resource] = p.links(grant, "catalogResourceAssociationId")
    assert p.links(p[resource], "resourceOriginId") == ["journeys-group-domain-admins"]


def test_higher_privilege_global_administrator_is_tier0_with_approval_and_one_hour(p):
    policy = p["pim-global-administrator-policy"].inputs["activationRules"]
    assert policy["requireApproval"] is True and policy["maximumDuration"] == "PT1H"
    assert [a["objectId"] for a in policy["approvalStage"]["primaryApprovers"]] == [TIER0_APPROVERS]
    assert p["pim-global-administrator-group"].inputs["displayName"].startswith("PUM-T0-")


def test_azure_owner_is_eligible_per_resource_group_only(p):
    owner = [
        r
        for r in p.of_type(ARM_ELIGIBLE)
        if r.inputs["roleDefinitionId"].endswith("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")
    ]
    assert len(owner) == 2 and all("/resourceGroups/" in r.inputs["scope"] for r in owner)


# --- the PAM half (issue 20's journey): automation, on-premises reach, passwordless, Verified ID, c1 ---------------


def _stages(settings):
    return {s["stage"] for s in settings.inputs["stages"]}


def test_pam1_approval_of_the_secondary_account_starts_the_onboarding_logic_app(p):
    settings = p["journeys-secondary-account-members-settings"]
    assert _stages(settings) == {"assignmentRequestApproved"}
    assert p.links(settings, "stages") == ["journeys-onboarding-extension"]
    assert p.links(settings, "policyId") == ["journeys-secondary-account-members"]
    extension = p["journeys-onboarding-extension"]
    assert extension.inputs["endpointConfiguration"]["logicAppWorkflowName"] == "pum-journeys-onboarding"
    assert "journeys-onboarding-workflow" in p.links(extension, "workflowId")
    onboarding = p["journeys-onboarding-workflow"].inputs["definition"]
    uris = json.dumps(onboarding)
    assert "/synchronization/jobs/" in uris and "/bulkUpload" in uris  # API-driven inbound provisioning (SCIM)


def test_pam2_user_admin_grants_and_removes_on_premises_groups_through_pinned_runbooks(p):
    settings = p["journeys-user-admin-members-settings"]
    assert _stages(settings) == {"assignmentRequestGranted", "assignmentRequestRemoved"}
    assert p.links(settings, "stages") == ["journeys-on-premises-groups-extension"]
    assert settings.inputs["onPremisesReach"]["adGroups"] == ["Account Operators"]
    assert settings.inputs["expiration"] == {"type": "afterDuration", "duration": "PT2H"}
    for runbook in ("Add-AdGroupMembership", "Remove-AdGroupMembership", "New-OnPremAdminAccount"):
        content = p[f"on-premises-{runbook}-content"]
        assert p.links(content, "runbookId") == [f"on-premises-{runbook}"]
        with open(os.path.join(ROOT, "automation", "runbooks", f"{runbook}.ps1"), "rb") as handle:
            assert content.inputs["contentHash"].lower() == hashlib.sha256(handle.read()).hexdigest()


def test_pam3_the_admin_account_is_passwordless_and_gets_a_one_time_short_lived_pass(p):
    tap = p["temporary-access-pass-policy"].inputs
    assert tap["isUsableOnce"] is True and tap["maximumLifetimeInMinutes"] <= 60 and tap["state"] == "enabled"
    for person in ("pedro", "maria"):
        discard = p[f"admin-accounts-{person}-password-discard"]
        assert p.links(discard, "userId") == [f"admin-accounts-{person}"]
    # no pass is issued by Pulumi: nothing in the plan posts to temporaryAccessPassMethods but the onboarding Logic App
    issuers = [r.name for r in p.report.resources if "temporaryAccessPassMethods" in json.dumps(r.inputs, default=str)]
    assert issuers == ["journeys-onboarding-workflow"]


def test_pam5_domain_admin_needs_a_verified_id_with_face_check(p):
    settings = p["journeys-domain-admin-members-settings"].inputs
    assert settings["verifiableCredentials"]["credentialTypes"][0]["credentialType"] == "VerifiedEmployee"
    assert settings["faceCheckRequired"] is True


def test_pam6_tier0_activation_requires_c1_which_enabled_policies_make_phishing_resistant_from_the_paw(p):
    rules = {r["id"]: r for r in p["pim-global-administrator-role-settings"].inputs["rules"]}
    assert rules["AuthenticationContext_EndUser_Assignment"]["claimValue"] == "c1"
    assert rules["AuthenticationContext_EndUser_Assignment"]["isEnabled"] is True
    assert p["conditional-access-context-c1"].inputs["isAvailable"] is True
    for name in ("conditional-access-ca09-c1", "conditional-access-ca10-c1"):
        policy = p[name].inputs
        assert policy["state"] == "enabled"
        assert policy["conditions"]["applications"]["includeAuthenticationContextClassReferences"] == ["c1"]
    assert p["conditional-access-ca09-c1"].inputs["grantControls"]["authenticationStrength"]["id"].endswith("0004")
    assert p["conditional-access-ca10-c1"].inputs["grantControls"]["builtInControls"] == ["block"]
    cae = p["conditional-access-ca11"].inputs["sessionControls"]["continuousAccessEvaluation"]
    assert cae["mode"] == "strictEnforcement"
