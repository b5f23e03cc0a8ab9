"""Two groups the stack would create with one display name are a model error naming both stack-file paths."""

from conftest import ROOT
from test_model import GROUP, SOURCE, errors_of, example_config, short_config

from components.model import parse_model
from components.model.groups import created_group_names
from pum.engine import run_preview


def _cloud_groups(**groups):
    return {"privileged-access:accessPackages": {"cloudGroups": groups}}


def test_two_bindings_of_one_role_get_one_derived_name_and_the_error_names_both():
    config = short_config(
        roleBindings=[
            {"role": "User Administrator", "eligible": ["ana"]},
            {"role": "User Administrator", "name": "ua-journey", "mode": "eligibleGroup"},
        ]
    )
    text = errors_of(config)
    assert text.startswith(f"{SOURCE}: privileged-access:pim.roleBindings[1]: would create a group named 'PUM-T1-User")
    assert "the group of privileged-access:pim.roleBindings[0]" in text
    assert "set groupDisplayName on the binding" in text and "Traceback" not in text


def test_a_cloud_group_named_like_a_pim_group_in_another_case_is_an_error():
    config = {
        **short_config(roleBindings=[{"role": "User Administrator", "eligible": ["ana"], "groupDisplayName": "Ops"}]),
        **_cloud_groups(ops={"displayName": "OPS", "description": "d"}),
    }
    text = errors_of(config)
    where = f"{SOURCE}: privileged-access:accessPackages.cloudGroups.ops.displayName"
    assert f"{where}: would create a group named 'OPS'" in text
    assert "privileged-access:pim.roleBindings[0].groupDisplayName" in text and "change its displayName" in text


def test_a_created_group_may_not_take_an_existing_groups_name():
    config = {**short_config(), **_cloud_groups(ops={"displayName": "Tier 0 approvers", "description": "d"})}
    existing = {"objectId": GROUP, "displayName": "Tier 0 Approvers"}
    config["privileged-access:principals"]["groups"]["approvers"] = existing
    text = errors_of(config)
    assert "privileged-access:accessPackages.cloudGroups.ops.displayName" in text
    assert "the existing group declared at privileged-access:principals.groups.approvers.displayName" in text
    assert "rename the other one" not in text


def test_distinct_names_and_direct_bindings_pass():
    config = short_config(
        roleBindings=[
            {"role": "User Administrator", "eligible": ["ana"]},
            {"role": "User Administrator", "name": "ua-direct", "mode": "direct", "eligible": ["ana"]},
            {"role": "User Administrator", "name": "ua-emea", "scope": "emea", "eligible": ["ana"]},
        ]
    )
    model = parse_model(config, SOURCE)
    assert [name for _, name, _ in created_group_names(model)] == [
        "PUM-T1-User Administrator",
        "PUM-T1-User Administrator (emea)",
    ]


def test_the_derived_names_are_the_names_the_program_declares():
    model = parse_model(example_config(), "stacks/Pulumi.example.yaml")
    report = run_preview(ROOT, stack="example", policy_packs=[])
    declared = sorted(r.inputs["displayName"] for r in report.resources if r.type == "azuread:index/group:Group")
    assert declared == sorted(name for _, name, _ in created_group_names(model))


def test_the_temporary_access_pass_group_is_one_of_the_created_names():
    tap = {"privileged-access:authenticationMethods": {"temporaryAccessPass": {"groupDisplayName": "Ops"}}}
    config = {**short_config(), **_cloud_groups(ops={"displayName": "ops", "description": "d"}), **tap}
    text = errors_of(config)
    where = f"{SOURCE}: privileged-access:authenticationMethods.temporaryAccessPass.groupDisplayName"
    assert f"{where}: would create a group named 'Ops'" in text and "change its groupDisplayName" in text
