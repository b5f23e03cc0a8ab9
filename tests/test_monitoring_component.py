"""The example stack's monitoring as the components declare it: one workspace for every log, the Entra export, the
detections (enabled, on Sentinel, routed to the action group), the PAW's telemetry on every host, and the model's
checks of the monitoring area."""

from __future__ import annotations

import pytest
from conftest import ROOT

from components.model import ModelError, parse_model
from components.model.monitoring import DEFAULT_RETENTION_DAYS, ENTRA_LOG_CATEGORIES
from pum.engine import run_preview


@pytest.fixture(scope="module")
def example():
    return run_preview(ROOT, stack="example")


def of_type(report, token):
    return [r for r in report.resources if r.type == token]


def test_the_example_previews_with_no_mandatory_violation(example):
    assert example.mandatory == [], [(v.policy, v.message[:100]) for v in example.mandatory]


def test_one_private_workspace_keeps_every_log_a_year(example):
    (workspace,) = of_type(example, "azure-native:operationalinsights:Workspace")
    assert workspace.inputs["retentionInDays"] == DEFAULT_RETENTION_DAYS
    assert workspace.inputs["publicNetworkAccessForIngestion"] == "Disabled"
    assert workspace.inputs["publicNetworkAccessForQuery"] == "Disabled"
    diagnostics = of_type(example, "azure-native:monitor:DiagnosticSetting")
    assert len(diagnostics) >= 5  # PAW pool, app group, workspace; Key Vault, Automation; the Logic Apps
    assert all(workspace.urn in d.property_dependencies["workspaceId"] for d in diagnostics)
    (entra,) = of_type(example, "azure-native:aadiam:DiagnosticSetting")
    assert {entry["category"] for entry in entra.inputs["logs"] if entry["enabled"]} == set(ENTRA_LOG_CATEGORIES)
    assert workspace.urn in entra.property_dependencies["workspaceId"]


def test_the_detections_run_on_sentinel_and_reach_the_action_group(example):
    rules = of_type(example, "azure-native:securityinsights:ScheduledAlertRule")
    assert len(rules) == 4 and all(r.inputs["enabled"] is True for r in rules)
    (sentinel,) = of_type(example, "azure-native:securityinsights:SentinelOnboardingState")
    assert all(sentinel.urn in r.dependencies for r in rules)
    (route,) = of_type(example, "azure-native:monitor:ScheduledQueryRule")
    (group,) = of_type(example, "azure-native:monitor:ActionGroup")
    assert group.urn in route.property_dependencies["actions"]
    query = route.inputs["criteria"]["allOf"][0]["query"]
    assert all(r.inputs["displayName"] in query for r in rules)
    (break_glass,) = [r for r in rules if "break-glass" in r.name]
    assert "bg-alpha@contoso.onmicrosoft.com" in break_glass.inputs["query"]


def test_every_paw_host_has_the_agent_the_security_event_rule_and_defender(example):
    hosts = [
        r for r in of_type(example, "azure-native:compute:VirtualMachine") if r.inputs["tags"].get("pum-role") == "paw"
    ]
    assert len(hosts) == 2
    for host in hosts:
        agents = [
            e
            for e in of_type(example, "azure-native:compute:VirtualMachineExtension")
            if host.urn in e.property_dependencies.get("vmName", []) and e.inputs["type"] == "AzureMonitorWindowsAgent"
        ]
        associations = [
            a
            for a in of_type(example, "azure-native:monitor:DataCollectionRuleAssociation")
            if host.urn in a.property_dependencies["resourceUri"]
        ]
        defender = [
            p
            for p in of_type(example, "azure-native:security:Pricing")
            if host.urn in p.property_dependencies["scopeId"]
        ]
        assert agents and associations and defender
        assert host.inputs["diagnosticsProfile"]["bootDiagnostics"]["enabled"] is True


BASE = {
    "privileged-access:monitoring": {
        "resourceGroupName": "rg-mon",
        "location": "westeurope",
        "actionGroup": {"name": "oncall", "shortName": "oncall", "emails": ["oncall@contoso.com"]},
    }
}


def test_a_private_workspace_needs_the_paw_network():
    with pytest.raises(ModelError) as error:
        parse_model(BASE, "Pulumi.dev.yaml")
    assert "monitoring.private" in str(error.value) and "privileged-access:paw" in str(error.value)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"retentionDays": 30}, "retentionDays"),
        ({"actionGroup": {"name": "x", "shortName": "much-too-long-name", "emails": ["a@contoso.com"]}}, "shortName"),
        ({"actionGroup": {"name": "x", "shortName": "x", "emails": []}}, "emails"),
    ],
)
def test_bad_monitoring_settings_name_the_field(change, words):
    config = {"privileged-access:monitoring": {**BASE["privileged-access:monitoring"], "private": False, **change}}
    with pytest.raises(ModelError) as error:
        parse_model(config, "Pulumi.dev.yaml")
    assert words in str(error.value)


def test_declared_licences_are_whole_non_negative_numbers():
    with pytest.raises(ModelError):
        parse_model({"privileged-access:licences": {"entraIdP2": -1}}, "Pulumi.dev.yaml")
    with pytest.raises(ModelError):
        parse_model({"privileged-access:licences": {"entraIdP3": 5}}, "Pulumi.dev.yaml")
