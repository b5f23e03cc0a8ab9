"""PAW by use (issue 16, class 9), unknown PAW settings (6) and secrets in messages (12).

A host pool is a PAW when tagged `pum-role: paw` in any case, or when its application group is assigned to a
principal the stack makes privileged, whatever its tags. Plain azure-native and azuread programs; every
dangerous plan gets a mandatory violation of the right policy, its compliant counterpart none.
"""

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from privileged_facts.conventions import PAW_RDP_PROPERTIES
from privileged_facts.roles import AZURE_ROLES, ENTRA_ROLES
from pulumi_azure_native import authorization, desktopvirtualization, network, resources

PERSONAL = "paw-host-pool-personal"
REDIRECTION = "paw-host-pool-no-redirection"
PUBLIC_IP = "paw-session-host-no-public-ip"
ROLE = "/subscriptions/00000000-0000-4000-8000-0000000000b2/providers/Microsoft.Authorization/roleDefinitions/{}"
SECRET = "s3cr3t"
SECURE = dict(
    resource_group_name="rg-paw",
    host_pool_type="Personal",
    load_balancer_type="Persistent",
    personal_desktop_assignment_type="Direct",
    preferred_app_group_type="Desktop",
    custom_rdp_property=PAW_RDP_PROPERTIES,
    public_network_access="Disabled",
)
POOLED = dict(host_pool_type="Pooled", load_balancer_type="BreadthFirst", personal_desktop_assignment_type=None)


def later(value):
    anchor = resources.ResourceGroup(f"anchor-{id(value)}", resource_group_name="anchor")
    return anchor.id.apply(lambda _: value)


def admins(privileged=True):
    group = azuread.Group("admins", display_name="admins", security_enabled=True, assignable_to_role=privileged)
    if privileged:
        azuread.DirectoryRoleAssignment(
            "ga", role_id=ENTRA_ROLES["Global Administrator"], principal_object_id=group.object_id
        )
    return group


def pool_for(principal, role="Desktop Virtualization User", **pool):
    hp = desktopvirtualization.HostPool("pool", **{**SECURE, **pool})
    app_group = desktopvirtualization.ApplicationGroup(
        "pool-desktop", resource_group_name="rg-paw", host_pool_arm_path=hp.id, application_group_type="Desktop"
    )
    authorization.RoleAssignment(
        "pool-users",
        principal_id=principal,
        principal_type="Group",
        role_definition_id=ROLE.format(AZURE_ROLES[role]),
        scope=app_group.id,
    )
    return hp


def found(program, policy):
    return mandatory_violations(preview_with_pack(program), policy)


@pytest.mark.parametrize(
    "pool, policy",
    [
        (POOLED, PERSONAL),
        ({"custom_rdp_property": "enablerdsaadauth:i:1;redirectclipboard:i:1"}, REDIRECTION),
        ({**POOLED, "tags": {"PUM-ROLE": " PAW "}}, PERSONAL),
    ],
)
def test_an_untagged_pool_assigned_to_a_privileged_group_is_a_paw(pool, policy):
    [violation] = found(lambda: pool_for(admins().object_id, **pool), policy)
    assert "HostPool 'pool'" in violation.message


def test_a_pool_assigned_to_a_member_of_a_privileged_group_is_a_paw():
    def program():
        alice = azuread.User("alice", display_name="a", user_principal_name="a@contoso.onmicrosoft.com")
        group = admins()
        azuread.GroupMember("alice-in-admins", group_object_id=group.object_id, member_object_id=alice.object_id)
        pool_for(alice.object_id, **POOLED)

    assert found(program, PERSONAL)


def test_a_pool_for_unprivileged_staff_is_not_a_paw():
    report = preview_with_pack(lambda: pool_for(admins(privileged=False).object_id, **POOLED))
    assert [v for v in report.mandatory if v.policy.startswith("paw-")] == []


def test_a_hardened_pool_for_admins_passes():
    report = preview_with_pack(lambda: pool_for(admins().object_id, tags={"pum-role": "paw"}))
    assert [v for v in report.mandatory if v.policy.startswith("paw-")] == []


# --- unknown at preview ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pool, policy, what",
    [
        (lambda: {"host_pool_type": later("Pooled"), "tags": {"pum-role": "paw"}}, PERSONAL, "hostPoolType"),
        (lambda: {"custom_rdp_property": later(""), "tags": {"pum-role": "paw"}}, REDIRECTION, "customRdpProperty"),
        (lambda: {**POOLED, "tags": later({"pum-role": "paw"})}, PERSONAL, "is a PAW"),
    ],
)
def test_an_unknown_deciding_value_is_unverified_and_mandatory(pool, policy, what):
    def program():
        desktopvirtualization.HostPool("pool", **{**SECURE, **pool()})

    [violation] = found(program, policy)
    assert what in violation.message and "unknown at preview" in violation.message


def test_an_unknown_principal_on_the_application_group_of_a_pooled_pool_is_unverified():
    [violation] = found(lambda: pool_for(later("11111111-1111-4111-8111-111111111111"), **POOLED), PERSONAL)
    assert "is a PAW" in violation.message


def test_unknown_ip_configurations_of_a_paw_nic_are_unverified():
    def program():
        network.NetworkInterface(
            "nic", resource_group_name="rg-paw", ip_configurations=later([]), tags={"pum-role": "paw"}
        )

    [violation] = found(program, PUBLIC_IP)
    assert "ipConfigurations is unknown at preview" in violation.message


def test_a_secret_host_pool_type_is_never_echoed():
    def program():
        desktopvirtualization.HostPool(
            "pool", **{**SECURE, "host_pool_type": pulumi.Output.secret(SECRET), "tags": {"pum-role": "paw"}}
        )

    [violation] = found(program, PERSONAL)
    assert SECRET not in violation.message


def test_a_secret_public_network_access_is_never_echoed():
    def program():
        desktopvirtualization.HostPool(
            "pool", **{**SECURE, "public_network_access": pulumi.Output.secret(SECRET), "tags": {"pum-role": "paw"}}
        )

    [violation] = found(program, "paw-host-pool-no-public-network")
    assert SECRET not in violation.message
