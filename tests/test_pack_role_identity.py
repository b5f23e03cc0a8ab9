"""Issue 16, role identity: a role is recognised however the providers and Graph accept it (plain provider programs)."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pytest
from pack_cases import (
    GA,
    LITERAL_USER,
    READERS,
    SECRET,
    USER_ADMIN,
    clean,
    governed_group,
    later,
    mandatory,
    preview,
    unverified,
    user,
)
from privileged_facts.roles import AZURE_ROLES, entra_role_by_name, role_guid

STANDING = "entra-no-standing-privileged-role"
ARM_OWNER = "/subscriptions/00000000-0000-4000-8000-0000000000b2/providers/Microsoft.Authorization/roleDefinitions/"


@pytest.mark.parametrize(
    "value",
    [
        GA.upper(),
        "{" + GA + "}",
        "(" + GA + ")",
        GA.replace("-", ""),
        f"/roleManagement/directory/roleDefinitions/{GA}",
    ],
)
def test_every_guid_form_graph_accepts_is_the_same_role(value):
    assert role_guid(value) == GA


def test_display_names_are_case_and_space_insensitive():
    assert entra_role_by_name("  global   ADMINISTRATOR ") == GA
    assert entra_role_by_name("Global Administrators") is None


@pytest.mark.parametrize("form", [str.upper, lambda g: "{" + g + "}", lambda g: g.replace("-", "")])
def test_any_guid_form_to_a_user_is_standing_access(form):
    report = preview(lambda: azuread.DirectoryRoleAssignment("x", role_id=form(GA), principal_object_id=LITERAL_USER))
    (v,) = mandatory(report, STANDING)
    assert "Global Administrator" in v.message and LITERAL_USER not in v.message


def test_any_guid_form_to_a_governed_group_is_clean():
    def program():
        g, _ = governed_group()
        azuread.DirectoryRoleAssignment("upper", role_id=GA.upper(), principal_object_id=g.object_id)

    clean(preview(program))


def test_role_object_ids_and_directory_roles_resolve_or_count_as_privileged():
    def program():
        spaced = azuread.DirectoryRole("spaced", display_name="  global  ADMINISTRATOR ")
        azuread.DirectoryRoleMember("by-name", role_object_id=spaced.object_id, member_object_id=user("a").object_id)
        azuread.DirectoryRoleMember(
            "opaque", role_object_id="44444444-4444-4444-8444-444444444444", member_object_id=user("b").object_id
        )
        read = azuread.DirectoryRole.get("read", "44444444-4444-4444-8444-444444444444")
        azuread.DirectoryRoleMember("read", role_object_id=read.object_id, member_object_id=user("c").object_id)
        au = azuread.AdministrativeUnit("au", display_name="Sales")
        ua = azuread.DirectoryRole("ua", template_id=USER_ADMIN.upper())
        azuread.AdministrativeUnitRoleMember(
            "au-ua",
            administrative_unit_object_id=au.object_id,
            role_object_id=ua.object_id,
            member_object_id=user("d").object_id,
        )

    found = {v.urn.rsplit("::", 1)[-1] for v in mandatory(preview(program), STANDING)}
    assert found == {"by-name", "opaque", "read", "au-ua"}


def test_a_non_privileged_directory_role_member_is_clean():
    def program():
        readers = azuread.DirectoryRole("readers", template_id=READERS)
        azuread.DirectoryRoleMember("r", role_object_id=readers.object_id, member_object_id=user("r").object_id)

    clean(preview(program))


def test_custom_roles_that_write_are_privileged_read_only_ones_are_not():
    def program():
        writer = azuread.CustomDirectoryRole(
            "writer",
            display_name="w",
            enabled=True,
            version="1.0",
            permissions=[{"allowed_resource_actions": ["microsoft.directory/roleAssignments/allProperties/allTasks"]}],
        )
        reader = azuread.CustomDirectoryRole(
            "reader",
            display_name="r",
            enabled=True,
            version="1.0",
            permissions=[{"allowed_resource_actions": ["microsoft.directory/applications/standard/read"]}],
        )
        azuread.DirectoryRoleAssignment("w", role_id=writer.object_id, principal_object_id=LITERAL_USER)
        azuread.DirectoryRoleAssignment("r", role_id=reader.object_id, principal_object_id=LITERAL_USER)

    assert [v.urn.rsplit("::", 1)[-1] for v in mandatory(preview(program), STANDING)] == ["w"]


def test_graph_app_roles_that_reach_privileged_roles_are_standing_access():
    def program():
        sp = azuread.ServicePrincipal("sp", client_id="11111111-1111-4111-8111-111111111111")
        for name, role in (
            ("role-mgmt", "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"),
            ("user-read", "df021288-bdef-4463-88db-98f22de89214"),
        ):
            azuread.AppRoleAssignment(
                name, app_role_id=role, principal_object_id=sp.object_id, resource_object_id=LITERAL_USER
            )

    (v,) = mandatory(preview(program), STANDING)
    assert v.urn.endswith("role-mgmt") and "RoleManagement.ReadWrite.Directory" in v.message


def test_versioned_azure_native_tokens_are_judged_like_the_plain_ones():
    def program():
        pulumi.CustomResource(
            "azure-native:authorization/v20220401:RoleAssignment",
            "owner-versioned",
            {
                "principalId": LITERAL_USER,
                "scope": "/subscriptions/x",
                "roleDefinitionId": ARM_OWNER + AZURE_ROLES["Owner"],
            },
        )
        pulumi.CustomResource(
            "azure-native:authorization/v20201001:PimRoleEligibilitySchedule",
            "owner-elig-versioned",
            {
                "principalId": LITERAL_USER,
                "scope": "/subscriptions/x/resourceGroups/rg",
                "roleDefinitionId": ARM_OWNER + AZURE_ROLES["Owner"],
                "scheduleInfo": {"expiration": {"type": "NoExpiration"}},
            },
        )

    report = preview(program)
    mandatory(report, "azure-no-standing-privileged-role-subscription")
    mandatory(report, "pim-eligibility-must-expire")


def test_an_unknown_role_is_unverified_and_a_secret_role_is_not_echoed():
    def program():
        anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
        azuread.DirectoryRoleAssignment(
            "unknown", role_id=later(anchor.object_id, GA), principal_object_id=LITERAL_USER
        )
        azuread.DirectoryRoleAssignment(
            "secret", role_id=pulumi.Output.secret(SECRET + "-role"), principal_object_id=LITERAL_USER
        )

    report = preview(program)
    assert [v.urn.rsplit("::", 1)[-1] for v in unverified(report, STANDING)] == ["unknown"]
    assert any(v.urn.endswith("secret") for v in mandatory(report, STANDING))
