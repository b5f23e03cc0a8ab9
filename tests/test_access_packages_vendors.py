"""A journey with vendors is open to those vendors only unless it names requestors of its own (fail closed)."""

import pulumi_azuread as azuread
import pytest

from components.access_packages import AccessPackageJourneys
from components.model.access_packages import AccessPackagesSettings
from components.stack import access_package_args
from pum.engine import run_preview

ORG = "22222222-2222-4222-8222-222222222222"
OTHER_ORG = "55555555-5555-4555-8555-555555555555"


def _journey(key, **extra):
    return {"key": key, "displayName": key.title(), "description": "d", "groups": ["da"], **extra}


JOURNEYS = {
    "journeys": [
        _journey("vendor-only", vendors={"connectedOrganizationIds": [ORG, OTHER_ORG]}),
        _journey("vendor-and-group", requestorGroups=["helpdesk"], vendors={"connectedOrganizationIds": [ORG]}),
        _journey("members-only"),
    ]
}


@pytest.fixture(scope="module")
def policies():
    def program():
        groups = {n: azuread.Group(n, display_name=n, security_enabled=True).object_id for n in ("da", "helpdesk")}
        AccessPackageJourneys(
            "journeys", access_package_args(AccessPackagesSettings.model_validate(JOURNEYS), groups=groups)
        )

    report = run_preview(program, policy_packs=[])
    kind = "azuread:index/accessPackageAssignmentPolicy:AccessPackageAssignmentPolicy"
    return {r.name: r for r in report.resources if r.type == kind}


def test_a_vendor_journey_naming_no_requestors_has_no_policy_for_the_directory(policies):
    mine = {name: r for name, r in policies.items() if name.startswith("journeys-vendor-only-")}
    assert list(mine) == ["journeys-vendor-only-vendors"]
    settings = mine["journeys-vendor-only-vendors"].inputs["requestorSettings"]
    assert settings["scopeType"] == "SpecificConnectedOrganizationSubjects"
    assert [r["objectId"] for r in settings["requestors"]] == [ORG, OTHER_ORG]
    assert {r["subjectType"] for r in settings["requestors"]} == {"connectedOrganizationMembers"}


def test_a_vendor_journey_naming_requestor_groups_opens_to_them_and_the_vendors_only(policies):
    members = policies["journeys-vendor-and-group-members"].inputs["requestorSettings"]
    assert members["scopeType"] == "SpecificDirectorySubjects"
    assert [r["subjectType"] for r in members["requestors"]] == ["groupMembers"]
    vendors = policies["journeys-vendor-and-group-vendors"].inputs["requestorSettings"]
    assert vendors["scopeType"] == "SpecificConnectedOrganizationSubjects"


def test_only_a_journey_without_vendors_or_requestors_is_open_to_all_members(policies):
    everyone = sorted(
        name
        for name, r in policies.items()
        if r.inputs["requestorSettings"]["scopeType"] == "AllExistingDirectoryMemberUsers"
    )
    assert everyone == ["journeys-members-only-members"]
