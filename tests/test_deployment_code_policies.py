"""deployment-code-reviewed against plain-provider programs: a deployment script or a shell command runs code whose
effects on the tenant no policy sees, in every shape a plan can declare one (the resource itself under any API
version, a generic ARM resource, azapi, a template deployment), unless the pack config names it as reviewed."""

import pulumi
import pytest
from conftest import mandatory_violations, preview_with_pack
from pulumi_azure_native import resources

POLICY = "deployment-code-reviewed"
SCRIPT = {"azScriptVersion": "2.52.0", "retentionInterval": "PT1H", "scriptContent": "az rest --method PATCH ..."}
ARM_SCRIPT = {
    "type": "Microsoft.Resources/deploymentScripts",
    "apiVersion": "2023-08-01",
    "name": "s",
    "kind": "AzureCLI",
}


def found(program, **kwargs):
    return mandatory_violations(preview_with_pack(program, **kwargs), POLICY)


CLI_ARGS = {"az_cli_version": "2.52.0", "retention_interval": "PT1H", "script_content": "az rest --method PATCH ..."}


def cli_script(name="script"):
    resources.AzureCliScript(name, resource_group_name="rg", kind="AzureCLI", **CLI_ARGS)


SHAPES = {
    "cli-script": cli_script,
    "powershell-script-by-versioned-token": lambda: pulumi.CustomResource(
        "azure-native:resources/v20230801:AzurePowerShellScript",
        "script",
        {"resourceGroupName": "rg", "kind": "AzurePowerShell", "azPowerShellVersion": "11.0", "scriptContent": "x"},
    ),
    "generic-resource": lambda: resources.Resource(
        "script",
        resource_group_name="rg",
        resource_provider_namespace="Microsoft.Resources",
        parent_resource_path="",
        resource_type="deploymentScripts",
        api_version="2023-08-01",
        properties=SCRIPT,
    ),
    "template-deployment": lambda: resources.Deployment(
        "script",
        resource_group_name="rg",
        properties={"mode": "Incremental", "template": {"contentVersion": "1.0.0.0", "resources": [ARM_SCRIPT]}},
    ),
    "azapi": lambda: pulumi.CustomResource(
        "azapi:index/resource:Resource",
        "script",
        {"type": "Microsoft.Resources/deploymentScripts@2023-08-01", "parentId": "/subscriptions/x", "body": {}},
    ),
    "local-command": lambda: pulumi.CustomResource("command:local:Command", "script", {"create": "az rest ..."}),
    "remote-command": lambda: pulumi.CustomResource("command:remote:Command", "script", {"create": "sudo ..."}),
}


@pytest.mark.parametrize("program", list(SHAPES.values()), ids=list(SHAPES))
def test_code_the_deployment_runs_is_a_violation_in_every_shape(program):
    (v,) = found(program)
    assert "no policy of this pack judges" in v.message and "allowedDeploymentCode" in v.message


def test_a_reviewed_script_named_in_the_pack_config_passes_and_only_that_one(tmp_path):
    def program():
        cli_script()
        cli_script("other")

    reviewed = {POLICY: {"allowedDeploymentCode": ["azure-native:resources:AzureCliScript::script"]}}
    (v,) = found(program, tmp_path=tmp_path, pack_config=reviewed)
    assert "'other'" in v.message or "other" in v.urn


def test_a_reviewed_name_does_not_accept_code_of_another_type_under_it(tmp_path):
    def program():
        pulumi.CustomResource("command:local:Command", "script", {"create": "az rest ..."})

    reviewed = {POLICY: {"allowedDeploymentCode": ["azure-native:resources:AzureCliScript::script"]}}
    (v,) = found(program, tmp_path=tmp_path, pack_config=reviewed)
    assert "command:local:Command::script" in v.message


def test_a_plan_without_deployment_code_passes():
    def program():
        resources.ResourceGroup("rg")
        resources.Deployment(
            "dep",
            resource_group_name="rg",
            properties={"mode": "Incremental", "template": {"contentVersion": "1.0.0.0", "resources": []}},
        )

    assert found(program) == []


def test_a_template_unknown_at_preview_is_unverified_by_the_pack():
    def program():
        rg = resources.ResourceGroup("rg")
        resources.Deployment(
            "dep",
            resource_group_name="rg",
            properties={"mode": "Incremental", "template": rg.name.apply(lambda _: {"resources": [ARM_SCRIPT]})},
        )

    report = preview_with_pack(program)
    assert any("cannot verify" in v.message and "dep" in v.urn for v in report.mandatory)
