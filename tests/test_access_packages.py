"""AccessPackageJourneys and PrivateAccessApp: the model's validation and what the components declare
(previewed offline, so IDs are unknown and links are property dependencies)."""

import pulumi_azuread as azuread
import pytest
from pydantic import ValidationError

from components.access_packages import AccessPackageJourneys, UnknownGroupError
from components.model.access_packages import AccessPackagesSettings
from components.model.private_access import PrivateAccessSettings
from components.private_access import PrivateAccessApp
from components.stack import access_package_args, private_access_args
from privilege_map import build_map
from pum.engine import UNKNOWN, run_preview

EXISTING = "11111111-1111-4111-8111-111111111111"
ORG = "22222222-2222-4222-8222-222222222222"
CONNECTOR = "33333333-3333-4333-8333-333333333333"
BREAK_GLASS = "44444444-4444-4444-8444-444444444444"
JOURNEYS = {
    "journeys": [
        {
            "key": "user-admin",
            "displayName": "User Admin",
            "description": "d",
            "pimGroups": ["pim-ua"],
            "groups": [EXISTING],
        },
        {
            "key": "domain-admin",
            "displayName": "Domain Admin",
            "description": "d",
            "tier": "critical",
            "groups": ["da"],
            "approverGroup": "approvers",
            "durationInDays": 30,
            "requestorGroups": ["approvers"],  # members too: a vendor journey naming no requestors is vendor-only
            "vendors": {"connectedOrganizationIds": [ORG]},
        },
    ]
}
APPS = {
    "apps": [
        {
            "key": "ssh-linux",
            "displayName": "SSH Linux",
            "connectorGroupId": CONNECTOR,
            "assignedGroups": ["pim-ua"],
            "segments": [{"destinationHost": "10.20.0.0/24", "destinationType": "ipRangeCidr", "ports": [22]}],
        }
    ]
}


def _program(journeys=JOURNEYS, apps=APPS):
    def program():
        groups = {
            n: azuread.Group(n, display_name=n, security_enabled=True).object_id for n in ("pim-ua", "da", "approvers")
        }
        AccessPackageJourneys(
            "journeys", access_package_args(AccessPackagesSettings.model_validate(journeys), groups=groups)
        )
        for app in PrivateAccessSettings.model_validate(apps).apps:
            PrivateAccessApp(f"pa-{app.key}", private_access_args(app, groups=groups, excluded_user_ids=[BREAK_GLASS]))

    return program


@pytest.fixture(scope="module")
def report():
    return run_preview(_program(), policy_packs=[])


def named(report, name):
    return next(r for r in report.resources if r.name == name)


def urn(report, name):
    return named(report, name).urn


def test_children_are_parented_to_the_components(report):
    component = urn(report, "journeys")
    assert named(report, "journeys").type == "privileged-access:index:AccessPackageJourneys"
    for name in (
        "journeys-catalog",
        "journeys-user-admin",
        "journeys-user-admin-members",
        "journeys-domain-admin-vendors",
        "journeys-resource-pim-ua",
    ):
        assert named(report, name).parent == component
    assert named(report, "pa-ssh-linux").type == "privileged-access:index:PrivateAccessApp"
    assert named(report, "pa-ssh-linux-app").parent == urn(report, "pa-ssh-linux")


def test_packages_grant_members_of_the_named_groups_through_the_catalog(report):
    resource = named(report, "journeys-resource-pim-ua")
    assert resource.inputs["resourceOriginSystem"] == "AadGroup" and resource.inputs["resourceOriginId"] is UNKNOWN
    assert resource.property_dependencies["resourceOriginId"] == [urn(report, "pim-ua")]
    assert named(report, "journeys-resource-" + EXISTING).inputs["resourceOriginId"] == EXISTING
    grant = named(report, "journeys-user-admin-pim-ua")
    assert grant.inputs["accessType"] == "Member"
    assert grant.property_dependencies["catalogResourceAssociationId"] == [urn(report, "journeys-resource-pim-ua")]
    assert grant.property_dependencies["accessPackageId"] == [urn(report, "journeys-user-admin")]
    assert not [r for r in report.resources if r.inputs.get("accessType") == "Owner"]


def test_member_policy_defaults_are_the_secure_ones(report):
    policy = named(report, "journeys-user-admin-members").inputs
    assert policy["durationInDays"] == 180
    assert policy["requestorSettings"] == {"requestsAccepted": True, "scopeType": "AllExistingDirectoryMemberUsers"}
    approval = policy["approvalSettings"]
    assert approval["approvalRequired"] is True and approval["requestorJustificationRequired"] is True
    assert [[a["subjectType"] for a in s["primaryApprovers"]] for s in approval["approvalStages"]] == [
        ["requestorManager"]
    ]
    review = policy["assignmentReviewSettings"]
    assert (
        review["enabled"],
        review["reviewFrequency"],
        review["reviewType"],
        review["accessReviewTimeoutBehavior"],
    ) == (True, "halfyearly", "Manager", "removeAccess")
    assert policy["questions"] == [
        {"required": True, "sequence": 1, "text": {"defaultText": "Change or incident ticket number"}}
    ]


def test_critical_journey_adds_the_approver_group_stage_and_a_vendor_policy(report):
    members = named(report, "journeys-domain-admin-members").inputs
    stages = members["approvalSettings"]["approvalStages"]
    assert [s["primaryApprovers"][0]["subjectType"] for s in stages] == ["requestorManager", "groupMembers"]
    assert stages[0]["primaryApprovers"][1]["backup"] is True  # the approver group stands in for a missing manager
    assert members["durationInDays"] == 30
    vendors = named(report, "journeys-domain-admin-vendors").inputs
    assert vendors["requestorSettings"]["scopeType"] == "SpecificConnectedOrganizationSubjects"
    assert vendors["requestorSettings"]["requestors"] == [
        {"subjectType": "connectedOrganizationMembers", "objectId": ORG}
    ]
    assert vendors["approvalSettings"]["approvalStages"][0]["primaryApprovers"][0] == {
        "subjectType": "internalSponsors"
    }
    assert vendors["assignmentReviewSettings"]["reviewers"] == [{"subjectType": "internalSponsors"}]
    assert named(report, "journeys-catalog").inputs["externallyVisible"] is True


def test_private_access_app_and_its_conditional_access_policy(report):
    app = named(report, "pa-ssh-linux-app").inputs
    assert app["graphKind"] == "privateAccessApp"
    assert app["segments"] == [
        {"destinationHost": "10.20.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22-22"], "protocol": "tcp"}
    ]
    assert app["connectorGroupId"] == CONNECTOR
    assert named(report, "pa-ssh-linux-app").property_dependencies["assignedGroupIds"] == [urn(report, "pim-ua")]
    ca = named(report, "pa-ssh-linux-ca")
    assert ca.inputs["state"] == "enabled"
    assert ca.inputs["grantControls"]["builtInControls"] == ["compliantDevice"]
    assert ca.inputs["conditions"]["users"]["excludedUsers"] == [BREAK_GLASS]
    assert urn(report, "pa-ssh-linux-app") in ca.property_dependencies["conditions"]


def test_a_journey_of_hours_ends_after_them_through_the_policy_settings():
    hours = {"journeys": [{**JOURNEYS["journeys"][0], "durationInHours": 2}]}
    report = run_preview(_program(hours, apps={"apps": []}), policy_packs=[])
    policy = named(report, "journeys-user-admin-members")
    # one day in the azuread policy (never "no expiration" if its own PUT drops the hours), not fought on refresh
    assert policy.inputs["durationInDays"] == 1 and policy.ignore_changes == ["durationInDays"]
    assert "expires after 2 hours" in policy.inputs["description"]
    settings = named(report, "journeys-user-admin-members-settings")
    assert settings.inputs["expiration"] == {"type": "afterDuration", "duration": "PT2H"}
    assert settings.property_dependencies["policyId"] == [policy.urn]
    assert settings.parent == urn(report, "journeys")
    # `pum graph` shows the lifetime the assignment really has, not the azuread policy's placeholder day
    requests = [e for e in build_map(report).edges if e.kind == "request"]
    assert requests and all("expires after 2 h" in e.controls for e in requests)
    assert not [e for e in requests if "expires after 1 d" in e.controls]


def test_a_journey_of_days_keeps_its_lifetime_in_the_azuread_policy(report):
    assert named(report, "journeys-user-admin-members").ignore_changes == []
    assert not [r for r in report.resources if r.name == "journeys-user-admin-members-settings"]


@pytest.mark.parametrize(
    "journey, message",
    [
        ({"durationInHours": 2, "durationInDays": 30}, "keep one"),
        ({"durationInHours": 24}, "less than or equal to 23"),
        (
            {
                "durationInHours": 2,
                "verifiedId": {"credentialType": "VerifiedEmployee", "issuers": ["did:web:verifiedid.contoso.com"]},
            },
            "use durationInDays",
        ),
        ({"tier": "critical"}, "name an approverGroup"),
        ({"pimGroups": [], "groups": []}, "grants nothing"),
        ({"managerApproval": False}, "no approval stage"),
        ({"durationInDays": 400}, "less than or equal to 365"),
        ({"review": {"reviewType": "Reviewers"}}, "needs reviewerGroups"),
        ({"customExtensionStages": []}, "Extra inputs are not permitted"),
    ],
)
def test_model_refuses_unsafe_or_unsupported_journeys(journey, message):
    base = {"key": "jj", "displayName": "J", "description": "d", "pimGroups": ["g"]}
    with pytest.raises(ValidationError, match=message):
        AccessPackagesSettings.model_validate({"journeys": [{**base, **journey}]})


@pytest.mark.parametrize(
    "segment, message",
    [
        ({"destinationHost": "0.0.0.0/0", "destinationType": "ipRangeCidr"}, "catch-all"),
        ({"destinationHost": "*.corp.example.com", "destinationType": "fqdn"}, "wildcards"),
        ({"destinationHost": "10.0.0.0/24", "destinationType": "ipRangeCidr", "ports": ["1-65535"]}, "every port"),
        ({"destinationHost": "10.0.0.1/24", "destinationType": "ipRangeCidr"}, "host bits"),
    ],
)
def test_model_refuses_catch_all_segments(segment, message):
    app = {**APPS["apps"][0], "segments": [{"ports": ["22"], **segment}]}
    with pytest.raises(ValidationError, match=message):
        PrivateAccessSettings.model_validate({"apps": [app]})


def test_unknown_group_names_fail_before_anything_is_declared():
    journeys = {"journeys": [{**JOURNEYS["journeys"][0], "pimGroups": ["nope"]}]}
    with pytest.raises(Exception, match="group 'nope' is neither an object ID nor a group the stack declares"):
        run_preview(_program(journeys=journeys), policy_packs=[])
    assert issubclass(UnknownGroupError, ValueError)
