"""`pum graph` shows what a journey reaches beyond Entra: Active Directory through group writeback (and the AD
group it is nested in), the machines behind an Azure VM login role, and what a journey's automation grants
on-premises (`onPremisesReach` on the policy settings that flow from the package)."""

import pulumi
import pulumi_azuread as azuread
import pytest
from privileged_facts.roles import AZURE_ROLE_VM_ADMIN_LOGIN, AZURE_ROLE_VM_USER_LOGIN
from pulumi_azure_native import authorization

from privilege_map import build_map, render
from pum.engine import run_preview

RG = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-linux-servers-prod"
ARM_ROLE = "/providers/Microsoft.Authorization/roleDefinitions/"


class Reach(pulumi.ComponentResource):
    """Stands in for a resource that records the on-premises reach of a package's automation."""

    def __init__(self, name: str, package_id: pulumi.Input[str], reach: dict):
        super().__init__("test:index:Reach", name, {"accessPackageId": package_id, "onPremisesReach": reach})
        self.register_outputs({})


def program():
    writeback = azuread.Group(
        "account-operators",
        display_name="PUM-T1 Account Operators (writeback)",
        security_enabled=True,
        writeback_enabled=True,
        onpremises_group_type="UniversalSecurityGroup",
        description="Written back to Active Directory and nested there in 'Account Operators' (an AD task).",
    )
    journey_group = azuread.Group("journey", display_name="PUM-T1 Journey", security_enabled=True)
    catalog = azuread.AccessPackageCatalog("catalog", display_name="Journeys", description="j")
    package = azuread.AccessPackage("user-admin", catalog_id=catalog.id, display_name="User Admin", description="d")
    for key, group in (("wb", writeback), ("jg", journey_group)):
        resource = azuread.AccessPackageResourceCatalogAssociation(
            f"resource-{key}",
            catalog_id=catalog.id,
            resource_origin_id=group.object_id,
            resource_origin_system="AadGroup",
        )
        azuread.AccessPackageResourcePackageAssociation(
            f"grant-{key}", access_package_id=package.id, catalog_resource_association_id=resource.id
        )
    for name, role in (("sudo", AZURE_ROLE_VM_ADMIN_LOGIN), ("login", AZURE_ROLE_VM_USER_LOGIN)):
        authorization.PimRoleEligibilitySchedule(
            f"linux-{name}",
            principal_id=journey_group.object_id,
            role_definition_id=ARM_ROLE + role,
            scope=RG if name == "sudo" else RG + "/providers/Microsoft.Compute/virtualMachines/web1",
            schedule_info={"expiration": {"type": "AfterDuration", "duration": "P180D"}},
        )
    Reach(
        "automation",
        package.id,
        {"adGroups": ["Account Operators", "", 7], "sudoGroups": ["linux-admins"], "writebackGroups": ["Ignored"]},
    )


@pytest.fixture(scope="module")
def reach_map():
    return build_map(run_preview(program, policy_packs=[]))


def labels(privilege_map, kind):
    return {n.label for n in privilege_map.nodes.values() if n.kind == kind}


def edge(privilege_map, src_label, dst_label):
    by_label = {n.label: i for i, n in privilege_map.nodes.items()}
    src, dst = by_label[src_label], by_label[dst_label]
    return next(e for e in privilege_map.edges if e.src == src and e.dst == dst)


def test_writeback_groups_reach_their_ad_group_and_the_one_they_are_nested_in(reach_map):
    assert {"AD: PUM-T1 Account Operators (writeback)", "AD: Account Operators"} <= labels(reach_map, "reach")
    assert edge(reach_map, "PUM-T1 Account Operators (writeback)", "AD: PUM-T1 Account Operators (writeback)").kind == (
        "gives"
    )
    assert edge(reach_map, "AD: PUM-T1 Account Operators (writeback)", "AD: Account Operators").controls == [
        "nested AD group"
    ]


def test_vm_login_roles_name_what_they_give_on_the_machines_in_scope(reach_map):
    sudo = edge(reach_map, "Virtual Machine Administrator Login", "VMs in rg-linux-servers-prod")
    assert sudo.kind == "gives" and "sudo (root) on Linux" in sudo.controls[0]
    login = next(e for e in reach_map.edges if reach_map.nodes[e.dst].label.startswith("VMs in web1"))
    assert login.controls == ["user sign-in (no sudo)"]


def test_automation_reach_hangs_off_the_journey_with_its_duration(reach_map):
    operators = edge(reach_map, "User Admin", "AD: Account Operators")
    assert operators.kind == "reach" and operators.jit is False
    assert operators.controls == ["added by the journey's automation on grant, removed on removal"]
    assert edge(reach_map, "User Admin", "Linux sudo group: linux-admins").kind == "reach"
    # the nested AD group and the automation's AD group are one node; bad entries and writebackGroups draw nothing
    assert sum(n.label == "AD: Account Operators" for n in reach_map.nodes.values()) == 1
    assert not any(n.label in ("AD: ", "AD: 7", "AD: Ignored") for n in reach_map.nodes.values())


def test_every_path_of_the_journey_ends_beyond_entra_and_renders(reach_map):
    ends = {
        reach_map.nodes[p[-1].dst].label for p in reach_map.paths() if reach_map.nodes[p[0].src].label == "User Admin"
    }
    assert {"AD: Account Operators", "Linux sudo group: linux-admins", "VMs in rg-linux-servers-prod"} <= ends
    report = run_preview(program, policy_packs=[])
    mermaid = render(report, "mermaid")
    assert "classDef reach" in mermaid and '"AD: Account Operators"' in mermaid
    page = render(report, "html")
    assert "Beyond Entra" in page and 'data-kind="reach"' in page


def test_the_map_does_not_depend_on_the_order_resources_registered_in():
    report = run_preview(program, policy_packs=[])
    shuffled = run_preview(program, policy_packs=[])
    shuffled.resources.reverse()
    assert render(shuffled, "mermaid") == render(report, "mermaid")
