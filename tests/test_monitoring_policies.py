"""The monitoring policies against plain-provider programs: a break-glass sign-in alert, the Entra logs kept long
enough, PAW telemetry, enabled detections and private workspaces, each compliant, non-compliant (in the ways a
pull request would weaken them) and unknown at preview."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pytest
from pack_cases import GA, BreakGlassAccounts, later, mandatory, preview, unverified
from privileged_facts.conventions import PAW_TAG_KEY
from privileged_facts.detections import break_glass_query
from pulumi_azure_native import aadiam, alertsmanagement, compute, monitor, operationalinsights, securityinsights

QUERY = break_glass_query(["bg1@contoso.onmicrosoft.com", "bg2@contoso.onmicrosoft.com"])


def alert_rule(name="bg-alert", query=QUERY, **over):
    args = dict(
        kind="Scheduled",
        display_name="break glass",
        enabled=True,
        query=query,
        query_frequency="PT5M",
        query_period="PT1H",
        severity="High",
        suppression_duration="PT5M",
        suppression_enabled=False,
        trigger_operator=securityinsights.TriggerOperator.GREATER_THAN,
        trigger_threshold=0,
        resource_group_name="rg",
        workspace_name="ws",
    )
    args.update(over)
    return securityinsights.ScheduledAlertRule(name, **args)


def log_alert(name="bg-log-alert", query=QUERY, criteria=None, **over):
    criterion = {"query": query, "time_aggregation": "Count", "operator": "GreaterThan", "threshold": 0}
    args = dict(
        resource_group_name="rg",
        scopes=["/subscriptions/x/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws"],
        evaluation_frequency="PT5M",
        window_size="PT5M",
        criteria={"all_of": criteria if criteria is not None else [criterion]},
        actions={"action_groups": ["/subscriptions/x/resourceGroups/rg/providers/microsoft.insights/actionGroups/a"]},
    )
    args.update(over)
    return monitor.ScheduledQueryRule(name, **args)


def alerted(program):
    return [v for v in preview(program).violations if v.policy == "break-glass-sign-in-alerted"]


def test_a_sentinel_rule_naming_every_break_glass_account_passes():
    def program():
        BreakGlassAccounts()
        alert_rule()

    assert alerted(program) == []


def test_a_log_alert_with_an_action_group_passes():
    def program():
        BreakGlassAccounts()
        log_alert()

    assert alerted(program) == []


def test_break_glass_accounts_without_an_alert_fail_once_per_account():
    found = mandatory(preview(lambda: BreakGlassAccounts()), "break-glass-sign-in-alerted")
    assert len(found) == 2 and all("Microsoft's emergency-access guidance" in v.message for v in found)


WEAKENED = {
    "disabled": lambda: alert_rule(enabled=False),
    "names-one-account": lambda: alert_rule(
        query='SigninLogs | where UserPrincipalName == "bg1@contoso.onmicrosoft.com"'
    ),
    "upn-only-in-a-comment": lambda: alert_rule(
        query="SigninLogs // bg1@contoso.onmicrosoft.com bg2@contoso.onmicrosoft.com"
    ),
    "negated": lambda: alert_rule(query=QUERY.replace("in~", "!in~")),
    "not-operator": lambda: alert_rule(query=QUERY.replace("| where", "| where not(") + ")"),
    "take-zero": lambda: alert_rule(query=QUERY + "\n| take 0"),
    "where-false": lambda: alert_rule(query=QUERY + "\n| where false"),
    "unused-let": lambda: alert_rule(
        query=QUERY.replace("in~ (breakGlass)", 'in~ ("nobody@contoso.com")').replace("let breakGlass", "let decoy")
    ),
    "other-table": lambda: alert_rule(
        query=QUERY.replace("union SigninLogs, AADNonInteractiveUserSignInLogs", "AuditLogs")
    ),
    "suppressed": lambda: alert_rule(suppression_enabled=True, suppression_duration="P1D"),
    "hourly": lambda: alert_rule(query_frequency="PT1H"),
    "gap-in-lookback": lambda: alert_rule(query_frequency="PT5M", query_period="PT1M"),
    "threshold-ten": lambda: alert_rule(trigger_threshold=10),
    "less-than": lambda: alert_rule(trigger_operator=securityinsights.TriggerOperator.LESS_THAN),
    "log-alert-disabled": lambda: log_alert(enabled=False),
    "log-alert-no-action-group": lambda: log_alert(actions={"action_groups": []}),
    "log-alert-second-criterion-never-true": lambda: log_alert(
        criteria=[
            {"query": QUERY, "time_aggregation": "Count", "operator": "GreaterThan", "threshold": 0},
            {"query": QUERY, "time_aggregation": "Count", "operator": "GreaterThan", "threshold": 1000},
        ]
    ),
    "log-alert-muted": lambda: log_alert(mute_actions_duration="P1D"),
    "never-true-filter": lambda: alert_rule(
        query=QUERY.replace("| where UserPrincipalName", "| where 1 == 2\n| where UserPrincipalName")
    ),
    "let-shadows-the-table": lambda: alert_rule(query="let SigninLogs = AuditLogs;\n" + QUERY),
    "sample-distinct": lambda: alert_rule(query=QUERY + "\n| sample-distinct 0 of UserPrincipalName"),
    "no-incident": lambda: alert_rule(incident_configuration={"create_incident": False}),
    "log-to-metric": lambda: log_alert(kind="LogToMetric"),
    "dimension-filter": lambda: log_alert(
        criteria=[
            {
                "query": QUERY,
                "time_aggregation": "Count",
                "operator": "GreaterThan",
                "threshold": 0,
                "dimensions": [{"name": "UserPrincipalName", "operator": "Include", "values": ["nobody@x.com"]}],
            }
        ]
    ),
    "maximum-of-a-zero-column": lambda: log_alert(
        criteria=[
            {
                "query": QUERY,
                "time_aggregation": "Maximum",
                "metric_measure_column": "z",
                "operator": "GreaterThan",
                "threshold": 0,
            }
        ]
    ),
    "forged-type-token": lambda: pulumi.CustomResource(
        "azure-native:securityinsights:ScheduledAlertRules", "bg-alert", {"enabled": True, "query": QUERY}
    ),
}


@pytest.mark.parametrize("weakened", list(WEAKENED.values()), ids=list(WEAKENED))
def test_an_alert_weakened_or_decoyed_does_not_count(weakened):
    def program():
        BreakGlassAccounts()
        weakened()

    assert len(alerted(program)) >= 1
    assert all(v.enforcement_level == "mandatory" for v in alerted(program))


@pytest.mark.parametrize("key", ["query", "enabled", "query_frequency", "trigger_threshold"])
def test_an_alert_unknown_at_preview_is_unverified_never_passed(key):
    def program():
        bg = BreakGlassAccounts()
        defaults = {"query": QUERY, "enabled": True, "query_frequency": "PT5M", "trigger_threshold": 0}
        alert_rule(**{key: later(bg.users[0].object_id, defaults[key])})

    assert unverified(preview(program), "break-glass-sign-in-alerted")


def test_a_config_break_glass_id_must_be_named_by_its_id(tmp_path):
    object_id = "11111111-1111-4111-8111-111111111111"
    config = {"break-glass-sign-in-alerted": {"breakGlassObjectIds": [object_id]}}
    assert mandatory(preview(lambda: alert_rule(), tmp_path, config), "break-glass-sign-in-alerted")
    named = QUERY.replace('"bg1@contoso.onmicrosoft.com"', f'"{object_id}"')
    assert [
        v
        for v in preview(lambda: alert_rule(query=named), tmp_path, config).violations
        if v.policy == "break-glass-sign-in-alerted"
    ] == []


# --- privileged-logs-exported ------------------------------------------------------------------------------------

CATEGORIES = [
    "AuditLogs",
    "SignInLogs",
    "NonInteractiveUserSignInLogs",
    "ServicePrincipalSignInLogs",
    "ManagedIdentitySignInLogs",
]


def grants_ga():
    user = azuread.User("admin", display_name="a", user_principal_name="a@contoso.onmicrosoft.com", password="x" * 20)
    azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=user.object_id)


def exported(retention=365, categories=CATEGORIES, workspace=None, **workspace_args):
    ws = operationalinsights.Workspace("logs", resource_group_name="rg", retention_in_days=retention, **workspace_args)
    aadiam.DiagnosticSetting(
        "entra",
        workspace_id=ws.id if workspace is None else workspace,
        logs=[{"category": c, "enabled": True} for c in categories],
    )
    return ws


def logs_findings(program, tmp_path=None, config=None):
    return [v for v in preview(program, tmp_path, config).violations if v.policy == "privileged-logs-exported"]


def test_privileged_grants_with_the_logs_kept_a_year_pass():
    def program():
        grants_ga()
        exported()

    assert logs_findings(program) == []


def test_a_stack_granting_nothing_privileged_needs_no_export():
    assert logs_findings(lambda: operationalinsights.Workspace("logs", resource_group_name="rg")) == []


EXPORT_GAPS = {
    "no-diagnostic-setting": lambda: None,
    "short-retention": lambda: exported(retention=90),
    "default-retention": lambda: exported(retention=None),
    "no-sign-in-logs": lambda: exported(categories=["AuditLogs"]),
    "daily-cap": lambda: exported(workspace_capping={"daily_quota_gb": 1}),
    "workspace-outside-the-plan": lambda: exported(
        workspace="/subscriptions/x/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/elsewhere"
    ),
    "table-kept-shorter": lambda: operationalinsights.Table(
        "signins",
        resource_group_name="rg",
        workspace_name=exported().name,
        table_name="SigninLogs",
        retention_in_days=30,
        total_retention_in_days=30,
    ),
    "table-name-in-another-case": lambda: operationalinsights.Table(
        "signins",
        resource_group_name="rg",
        workspace_name=exported().name,
        table_name="signinlogs",
        retention_in_days=30,
        total_retention_in_days=30,
    ),
    "table-on-the-basic-plan": lambda: operationalinsights.Table(
        "signins", resource_group_name="rg", workspace_name=exported().name, table_name="SigninLogs", plan="Basic"
    ),
    "purge-after-30-days": lambda: exported(features={"immediate_purge_data_on30_days": True}),
    "free-tier": lambda: exported(sku={"name": "Free"}),
    "default-transformation-rule": lambda: exported(default_data_collection_rule_resource_id="/subscriptions/x/dcr"),
    "a-category-also-listed-disabled": lambda: aadiam.DiagnosticSetting(
        "entra",
        workspace_id=operationalinsights.Workspace("logs", resource_group_name="rg", retention_in_days=365).id,
        logs=[*({"category": c, "enabled": True} for c in CATEGORIES), {"category": "SignInLogs", "enabled": False}],
    ),
    "workspace-transformation": lambda: monitor.DataCollectionRule(
        "drop",
        resource_group_name="rg",
        kind="WorkspaceTransforms",
        data_flows=[
            {
                "streams": ["Microsoft-Table-SigninLogs"],
                "destinations": [exported().name],
                "transform_kql": "source | where false",
            }
        ],
    ),
}


@pytest.mark.parametrize("gap", list(EXPORT_GAPS.values()), ids=list(EXPORT_GAPS))
def test_privileged_grants_without_the_logs_kept_fail(gap):
    def program():
        grants_ga()
        gap()

    (found,) = logs_findings(program)
    assert found.enforcement_level == "mandatory" and "does not keep the Entra audit and sign-in logs" in found.message


def test_a_listed_external_workspace_counts(tmp_path):
    elsewhere = "/subscriptions/x/resourcegroups/r/providers/microsoft.operationalinsights/workspaces/central"

    def program():
        grants_ga()
        exported(workspace=elsewhere)

    config = {"privileged-logs-exported": {"externalLogWorkspaceIds": [elsewhere]}}
    assert logs_findings(program, tmp_path, config) == []


def test_retention_unknown_at_preview_is_unverified():
    def program():
        grants_ga()
        ws = operationalinsights.Workspace("seed", resource_group_name="rg")
        exported(retention=later(ws.id, 365))

    assert unverified(preview(program), "privileged-logs-exported")


def test_an_unknown_role_is_privileged_until_proven_not():
    def program():
        user = azuread.User("a", display_name="a", user_principal_name="a@contoso.onmicrosoft.com", password="x" * 20)
        azuread.DirectoryRoleAssignment("r", role_id=later(user.object_id, GA), principal_object_id=user.object_id)

    assert mandatory(preview(program), "privileged-logs-exported")


# --- paw-host-monitored --------------------------------------------------------------------------------------------


def paw_vm(name="host1", tags=None):
    return compute.VirtualMachine(
        name, resource_group_name="rg", vm_name=f"paw-{name}", tags={PAW_TAG_KEY: "paw"} if tags is None else tags
    )


def security_rule(name="security", streams=("Microsoft-SecurityEvent",), xpath="Security!*"):
    return monitor.DataCollectionRule(
        name,
        resource_group_name="rg",
        data_sources={"windows_event_logs": [{"name": "s", "streams": list(streams), "x_path_queries": [xpath]}]},
        destinations={"log_analytics": [{"name": "ws", "workspace_resource_id": "/subscriptions/x/ws"}]},
        data_flows=[{"streams": list(streams), "destinations": ["ws"]}],
    )


def telemetry(vm, rule=None, agent_type="AzureMonitorWindowsAgent", associate=True):
    compute.VirtualMachineExtension(
        f"{vm._name}-ama",
        resource_group_name="rg",
        vm_name=vm.name,
        publisher="Microsoft.Azure.Monitor",
        type=agent_type,
        type_handler_version="1.0",
    )
    if associate:
        rule = rule or security_rule(f"{vm._name}-dcr")
        monitor.DataCollectionRuleAssociation(f"{vm._name}-dcra", resource_uri=vm.id, data_collection_rule_id=rule.id)


def paw_findings(program):
    return [v for v in preview(program).violations if v.policy == "paw-host-monitored"]


def test_a_paw_host_with_the_agent_and_a_security_event_rule_passes():
    assert paw_findings(lambda: telemetry(paw_vm())) == []


def test_a_host_that_is_not_a_paw_is_not_judged():
    assert paw_findings(lambda: paw_vm(tags={})) == []


PAW_GAPS = {
    "nothing": lambda vm: None,
    "agent-only": lambda vm: telemetry(vm, associate=False),
    "wrong-agent": lambda vm: telemetry(vm, agent_type="CustomScriptExtension"),
    "rule-without-security-events": lambda vm: telemetry(vm, security_rule("perf", xpath="Application!*")),
    "agent-on-another-vm": lambda vm: telemetry(paw_vm("other", tags={})),
    "filtered-to-no-event": lambda vm: telemetry(vm, security_rule("none", xpath="Security!*[System[(EventID=0)]]")),
}


@pytest.mark.parametrize("gap", list(PAW_GAPS.values()), ids=list(PAW_GAPS))
def test_a_paw_host_without_its_telemetry_fails(gap):
    def program():
        gap(paw_vm())

    found = [v for v in paw_findings(program) if "paw-host1" in v.message or v.urn.endswith("host1")]
    assert found and all(v.enforcement_level == "mandatory" for v in found)


def test_an_unknown_paw_tag_on_a_host_without_telemetry_is_unverified():
    def program():
        seed = operationalinsights.Workspace("seed", resource_group_name="rg")
        paw_vm(tags=later(seed.id, {PAW_TAG_KEY: "paw"}))

    assert unverified(preview(program), "paw-host-monitored")


# --- detection-rules-enabled ---------------------------------------------------------------------------------------

DISABLED = {
    "smart-detector": lambda: alertsmanagement.SmartDetectorAlertRule(
        "sd",
        resource_group_name="rg",
        state="Disabled",
        severity="Sev0",
        frequency="PT5M",
        scope=["/s"],
        detector={"id": "FailureAnomaliesDetector"},
        action_groups={"group_ids": []},
    ),
    "alert-processing-removes-action-groups": lambda: alertsmanagement.AlertProcessingRuleByName(
        "mute",
        resource_group_name="rg",
        location="Global",
        properties={"scopes": ["/subscriptions/x"], "actions": [{"action_type": "RemoveAllActionGroups"}]},
    ),
    "sentinel-rule": lambda: alert_rule(enabled=False),
    "log-alert": lambda: log_alert(enabled=False),
    "action-group": lambda: monitor.ActionGroup("ag", resource_group_name="rg", group_short_name="ag", enabled=False),
    "closing-automation-rule": lambda: securityinsights.AutomationRule(
        "close",
        resource_group_name="rg",
        workspace_name="ws",
        display_name="close",
        order=1,
        triggering_logic={"is_enabled": True, "triggers_on": "Incidents", "triggers_when": "Created"},
        actions=[
            {
                "action_type": "ModifyProperties",
                "order": 1,
                "action_configuration": {"status": "Closed", "classification": "BenignPositive"},
            }
        ],
    ),
}


@pytest.mark.parametrize("make", list(DISABLED.values()), ids=list(DISABLED))
def test_a_disabled_detection_or_a_silencing_rule_fails(make):
    assert mandatory(preview(make), "detection-rules-enabled")


def test_enabled_rules_and_a_tagging_automation_rule_pass():
    def program():
        alert_rule()
        log_alert()
        monitor.ActionGroup("ag", resource_group_name="rg", group_short_name="ag")
        securityinsights.AutomationRule(
            "tag",
            resource_group_name="rg",
            workspace_name="ws",
            display_name="tag",
            order=1,
            triggering_logic={"is_enabled": True, "triggers_on": "Incidents", "triggers_when": "Created"},
            actions=[
                {
                    "action_type": "ModifyProperties",
                    "order": 1,
                    "action_configuration": {"labels": [{"label_name": "pum"}]},
                }
            ],
        )

    assert [v for v in preview(program).violations if v.policy == "detection-rules-enabled"] == []


def test_an_enabled_flag_unknown_at_preview_is_unverified():
    def program():
        seed = operationalinsights.Workspace("seed", resource_group_name="rg")
        alert_rule(enabled=later(seed.id, True))

    assert unverified(preview(program), "detection-rules-enabled")


# --- log-workspace-private -----------------------------------------------------------------------------------------


def workspace(tags, **access):
    return operationalinsights.Workspace("logs", resource_group_name="rg", tags=tags, **access)


PRIVATE = {"pum-network": "private"}
CLOSED = {"public_network_access_for_ingestion": "Disabled", "public_network_access_for_query": "Disabled"}


def test_a_private_workspace_without_public_access_passes():
    assert [
        v for v in preview(lambda: workspace(PRIVATE, **CLOSED)).violations if v.policy == "log-workspace-private"
    ] == []


@pytest.mark.parametrize(
    "access",
    [
        {},
        {**CLOSED, "public_network_access_for_query": "Enabled"},
        {**CLOSED, "public_network_access_for_ingestion": "Enabled"},
    ],
    ids=["defaults", "public-query", "public-ingestion"],
)
def test_a_workspace_the_stack_says_is_private_with_public_access_fails(access):
    (found,) = mandatory(preview(lambda: workspace({"PUM-Network": "Private"}, **access)), "log-workspace-private")
    assert "Azure Monitor Private Link" in found.message


def test_a_private_tag_in_any_key_spelling_counts():
    found = mandatory(
        preview(lambda: workspace({"pum-network": "public", "PUM-NETWORK": "private"})), "log-workspace-private"
    )
    assert found


def test_a_paw_host_of_another_type_is_a_violation():
    def program():
        compute.VirtualMachineScaleSet("scale", resource_group_name="rg", tags={PAW_TAG_KEY: "paw"})

    (found,) = mandatory(preview(program), "paw-host-monitored")
    assert "virtual machines only" in found.message


def test_a_workspace_not_said_private_is_not_judged():
    assert [v for v in preview(lambda: workspace({})).violations if v.policy == "log-workspace-private"] == []


def test_public_access_unknown_at_preview_is_unverified():
    def program():
        seed = operationalinsights.Workspace("seed", resource_group_name="rg")
        workspace(PRIVATE, **{**CLOSED, "public_network_access_for_query": later(seed.id, "Disabled")})

    assert unverified(preview(program), "log-workspace-private")
