"""What stack policies see under the engine's view (pum.outputs_view): each resource's outputs, not its inputs."""

import json
import os

import pulumi
import pulumi_azure_native  # noqa: F401  (registers its resource modules, as a program importing it does)
import pulumi_azuread as azuread
import pulumi_random  # noqa: F401
import pytest
from conftest import FIXTURES, recorded_registrations
from google.protobuf import json_format

from pum.analysis import Requests
from pum.engine import run_preview
from pum.outputs_view import declared_outputs
from pum.wire import SECRET_SIG, SIG_KEY, UNKNOWN_WIRE

VIEW_PACK = os.path.join(FIXTURES, "packs", "engine_view")


class _Provider(pulumi.dynamic.ResourceProvider):
    def create(self, props):
        return pulumi.dynamic.CreateResult("id", props)


class _Dynamic(pulumi.dynamic.Resource):
    object_id: pulumi.Output[str]

    def __init__(self, name, props):
        super().__init__(_Provider(), name, {**props, "object_id": None})


class _Team(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("test:index:Team", name, {"purpose": "audit"})
        self.group = azuread.Group(
            f"{name}-group", display_name=name, security_enabled=True, opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({"groupId": self.group.object_id, "size": 1})


def _program():
    team = _Team("blue")
    azuread.Group("listed", display_name="listed", security_enabled=True, members=["m1"])
    _Dynamic("echo", {"note": "plain"})
    _Team.__new__(_Team)  # nothing registered
    pulumi.ComponentResource("test:index:Silent", "silent", {"kept": "no"})
    pulumi.export("groupId", team.group.object_id)
    pulumi.export("literal", "x")


def _seen(report) -> dict[str, dict]:
    return {
        v.urn.rsplit("::", 1)[1]: json.loads(v.message.split("\n", 1)[1])["props"]
        for v in report.by_policy("stack-props")
    }


def test_each_sdk_declares_its_outputs_by_type_token():
    assert {"members", "owners", "objectId", "displayName"} <= set(declared_outputs("azuread:index/group:Group"))
    assert "principalType" in declared_outputs("azure-native:authorization:RoleAssignment")
    assert "result" in declared_outputs("random:index/randomPassword:RandomPassword")
    assert declared_outputs("test:index:Nothing") is None and declared_outputs("not-a-token") is None


def test_stack_policies_see_outputs_as_a_preview_gives_them_and_resource_policies_inputs():
    report = run_preview(_program, policy_packs=[VIEW_PACK], stack_view="outputs")
    seen = _seen(report)
    # a custom resource: its inputs, and every output it did not set unknown (Optional+Computed such as members)
    assert seen["blue-group"]["displayName"] == "blue" and seen["blue-group"]["members"] == "<unknown>"
    assert seen["blue-group"]["objectId"] == "<unknown>" and "id" not in seen["blue-group"]
    assert seen["listed"]["members"] == ["m1"]
    # a dynamic resource previews as its inputs (its provider does not preview); no internal __provider
    assert seen["echo"] == {"note": "plain"}
    # a component and the stack: what they registered as outputs, nothing when nothing
    assert seen["blue"] == {"groupId": "<unknown>", "size": 1}
    assert seen["silent"] == {}
    assert seen["test-dev"] == {"groupId": "<unknown>", "literal": "x"}
    assert seen["default_6_11_1"] == {"version": "6.11.1"}  # a provider: its inputs


def test_the_default_view_is_the_engines_and_the_inputs_view_stays_available():
    default = _seen(run_preview(_program, policy_packs=[VIEW_PACK]))
    assert default == _seen(run_preview(_program, policy_packs=[VIEW_PACK], stack_view="outputs"))
    assert default["blue-group"]["members"] == "<unknown>"
    inputs = _seen(run_preview(_program, policy_packs=[VIEW_PACK], stack_view="inputs"))
    assert "members" not in inputs["blue-group"] and inputs["blue"] == {"purpose": "audit"}


def test_analyze_keeps_the_inputs_and_shares_the_message_when_outputs_are_the_inputs(monkeypatch):
    registrations, _ = recorded_registrations(monkeypatch, _program, policy_packs=[])
    monkeypatch.undo()
    report_outputs = {}  # components' registered outputs are not needed to compare custom resources
    analyzed, stack = Requests().stack(registrations, report_outputs)
    by_name = {r.name: (a, s) for r, a, s in zip(registrations, analyzed, stack.resources, strict=True)}
    group_analyzed, group_stack = by_name["listed"]
    assert "objectId" not in json_format.MessageToDict(group_analyzed.properties)
    assert json_format.MessageToDict(group_stack.properties)["objectId"] == UNKNOWN_WIRE
    echo_analyzed, echo_stack = by_name["echo"]
    assert echo_analyzed is echo_stack  # one message for both calls: converted once for every policy


def test_additional_secret_outputs_are_secret_in_the_stack_view(monkeypatch):
    def program():
        azuread.Group(
            "g",
            display_name="x",
            security_enabled=True,
            opts=pulumi.ResourceOptions(additional_secret_outputs=["mail", "displayName"]),
        )

    registrations, _ = recorded_registrations(monkeypatch, program, policy_packs=[])
    analyzed, stack = Requests().stack(registrations)
    group = next(json_format.MessageToDict(s.properties) for s in stack.resources if s.name == "g")
    assert group["mail"] == {SIG_KEY: SECRET_SIG, "value": UNKNOWN_WIRE}
    assert group["displayName"] == {SIG_KEY: SECRET_SIG, "value": "x"}
    assert next(json_format.MessageToDict(a.properties) for a in analyzed if a.name == "g")["displayName"] == "x"


def test_after_a_deployment_computed_outputs_hold_the_tenants_state():
    def tenant(typ, name):
        if name == "blue-group":
            return {"members": ["activated-user"], "objectId": "group-object-id", "displayName": "ignored"}
        if name == "echo":
            return {"object_id": "echo-id"}
        return {}

    seen = _seen(run_preview(_program, policy_packs=[VIEW_PACK], deployed_state=tenant))
    assert seen["blue-group"]["members"] == ["activated-user"] and seen["blue-group"]["objectId"] == "group-object-id"
    assert seen["blue-group"]["displayName"] == "blue"  # what the program set stays
    assert "owners" not in seen["blue-group"]  # not given by the tenant: null
    assert seen["echo"] == {"note": "plain", "object_id": "echo-id"}


def test_stack_tags_reach_policies_through_configure_stack():
    report = run_preview(_program, policy_packs=[VIEW_PACK], stack_tags={"environment": "production"})
    assert {v.message.split("\n", 1)[1] for v in report.by_policy("stack-tags")} == {'{"environment": "production"}'}
    untagged = run_preview(_program, policy_packs=[VIEW_PACK])
    assert {v.message.split("\n", 1)[1] for v in untagged.by_policy("stack-tags")} == {"{}"}


@pytest.mark.parametrize("view", ["inputs", "outputs"])
def test_a_stack_violation_naming_no_resource_of_the_stack_is_the_root_stacks(view):
    report = run_preview(_program, policy_packs=[VIEW_PACK], stack_view=view)
    assert {v.urn for v in report.by_policy("no-urn")} == {"urn:pulumi:dev::test::pulumi:pulumi:Stack::test-dev"}


def test_the_cli_passes_stack_tags_and_refuses_a_tag_without_a_value(tmp_path, capsys):
    from conftest import PLAIN_PROGRAM

    from pum.cli import main

    out = tmp_path / "report.json"
    args = ["preview", "--cwd", PLAIN_PROGRAM, "--stack", "dev", "--policy-pack", VIEW_PACK, "--format", "json"]
    assert main([*args, "--stack-tag", "environment=production", "--stack-tag", "team=a=b", "--output", str(out)]) == 0
    tags = {
        v["message"].split("\n", 1)[1] for v in json.loads(out.read_text())["violations"] if v["policy"] == "stack-tags"
    }
    assert tags == {'{"environment": "production", "team": "a=b"}'}
    assert main([*args, "--stack-tag", "environment"]) == 2
    assert "--stack-tag 'environment': expected KEY=VALUE" in capsys.readouterr().err
