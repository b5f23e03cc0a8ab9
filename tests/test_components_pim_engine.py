"""The example stack through the offline engine and the pack: zero mandatory violations, the expected plan."""

import os
import shutil

import pulumi_azuread as azuread
import pytest
from conftest import ROOT
from test_model import example_config

from components.model import parse_model
from components.stack import build
from pum.engine import UNKNOWN, run_preview
from pum.errors import UsageError

GA = "62e90394-69f5-4237-9190-012177145e10"
ENTRA_JIT = "privileged-access:index:EntraRoleJit"
BREAK_GLASS = "privileged-access:index:BreakGlassAccounts"
ASSIGNMENT = "azuread:index/directoryRoleAssignment:DirectoryRoleAssignment"
SCHEDULE = "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"
AZURE_SCHEDULE = "azure-native:authorization:PimRoleEligibilitySchedule"


@pytest.fixture(scope="module")
def example():
    return run_preview(ROOT, stack="example")


def by_type(report, kind):
    return [r for r in report.resources if r.type == kind]


def test_the_example_stack_previews_with_zero_mandatory_violations(example):
    assert not example.mandatory, [(v.policy, v.message) for v in example.mandatory]
    pack = {p.name for metas in example.policies.values() for p in metas}
    assert {"pim-eligibility-must-expire", "entra-no-standing-privileged-role", "pim-critical-role-approval"} <= pack


def test_the_example_plan_is_the_seed_scenario(example):
    jits = {r.name: r for r in by_type(example, ENTRA_JIT)}
    assert set(jits) == {"pim-global-administrator", "pim-privileged-role-administrator", "pim-user-admin-emea"}
    groups = [r for r in by_type(example, "azuread:index/group:Group") if r.parent in {j.urn for j in jits.values()}]
    assert len(groups) == 3 and all(g.inputs["assignableToRole"] is True and "members" not in g.inputs for g in groups)
    # the User Admin journey group (mode eligibleGroup) is eligible at the unit, never assigned actively
    assert "pim-user-admin-emea-assignment" not in {r.name for r in by_type(example, ASSIGNMENT)}
    journey = next(r for r in example.resources if r.name == "pim-user-admin-emea-eligible")
    assert journey.inputs["directoryScopeId"] is UNKNOWN  # /administrativeUnits/{id of the unit it creates}
    schedules = by_type(example, SCHEDULE)
    assert {s.name for s in schedules} == {
        "pim-global-administrator-eligible-maria",
        "pim-privileged-role-administrator-eligible-maria",
    }
    assert all(s.inputs["duration"] == "P180D" and "permanentAssignment" not in s.inputs for s in schedules)
    azure = by_type(example, AZURE_SCHEDULE)
    assert len(azure) == 3 and all("/resourceGroups/" in s.inputs["scope"] for s in azure)
    assert all(s.inputs["scheduleInfo"]["expiration"]["type"] == "AfterDuration" for s in azure)
    notes = [m for _, m in example.diagnostics if "cannot be updated; any change to one replaces it" in m]
    assert len(notes) == 3  # the preview says so, once per Azure JIT component


def test_break_glass_is_protected_and_no_password_is_visible(example):
    component = by_type(example, BREAK_GLASS)[0]
    children = [r for r in example.resources if r.parent == component.urn]
    users = [r for r in children if r.type == "azuread:index/user:User"]
    assignments = [r for r in children if r.type == ASSIGNMENT]
    assert len(users) == 2 and all(u.protect for u in users)
    assert len(assignments) == 2 and all(a.protect and a.inputs["roleId"] == GA for a in assignments)
    for user in by_type(example, "azuread:index/user:User"):
        assert user.inputs["password"] == "[secret]"
    assert {"breakGlassObjectIds", "pimGroupObjectIds", "adminAccountObjectIds"} <= set(example.outputs)
    assert not any("password" in name.lower() for name in example.outputs)


def test_the_pack_is_live_a_standing_global_admin_next_to_the_example_is_rejected():
    def program():
        build(parse_model(example_config(), "stacks/Pulumi.example.yaml"))
        azuread.DirectoryRoleAssignment(
            "standing-ga", role_id=GA, principal_object_id="11111111-1111-4111-8111-111111111111"
        )

    report = run_preview(program, project="privileged-access", stack="example")
    assert [v.urn.rsplit("::", 1)[-1] for v in report.mandatory if v.policy == "entra-no-standing-privileged-role"] == [
        "standing-ga"
    ]


def test_a_bad_stack_file_is_a_usage_error_naming_file_and_path(tmp_path):
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(os.path.join(ROOT, name), tmp_path / name)
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.bad.yaml").write_text(
        "config:\n  privileged-access:pim:\n    roleBindings:\n      - role: User Administrator\n"
        "        activation:\n          maxDuration: PT9H15M\n"
    )
    with pytest.raises(UsageError) as caught:
        run_preview(str(tmp_path), stack="bad", policy_packs=[])
    assert UsageError.exit_code == 2
    assert str(caught.value).startswith(
        "stacks/Pulumi.bad.yaml: privileged-access:pim.roleBindings[0].activation.maxDuration: 'PT9H15M'"
    )
