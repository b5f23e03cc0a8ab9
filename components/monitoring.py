"""PrivilegedMonitoring: the Entra logs in one Log Analytics workspace, Microsoft Sentinel on it with the
privileged-user detections, and an alert that sends what they find to the stack's action group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from privileged_facts.conventions import NETWORK_TAG_KEY, NETWORK_TAG_PRIVATE
from pulumi_azure_native import aadiam, monitor, operationalinsights, resources, securityinsights

from components.detections import FREQUENCY, detections, routing_query
from components.model.monitoring import ENTRA_LOG_CATEGORIES


@dataclass(frozen=True, kw_only=True)
class PrivilegedMonitoringArgs:
    """The arguments of a PrivilegedMonitoring (components/stack.py maps the model's monitoring area)."""

    resource_group_name: str
    location: str
    workspace_name: str
    retention_days: int
    private: bool
    """No public ingestion or query: an Azure Monitor Private Link Scope holds the workspace (its endpoint is the
    PAW's: PawHostPoolArgs.monitor_private_link_scope_id)."""
    action_group_name: str
    action_group_short_name: str
    alert_emails: Sequence[str]
    break_glass_upns: Sequence[str] = ()
    paw_device_prefix: str | None = None
    """Session hosts are <prefix>-<n>: the tier-0 detection treats a sign-in from them as from the PAW."""
    activation_window_minutes: int = 60
    tags: Mapping[str, str] = field(default_factory=dict)


class PrivilegedMonitoring(pulumi.ComponentResource):
    """Declares the monitoring of privileged users.

    Guarantees: one Log Analytics workspace (local authentication off; no public ingestion or query when
    `private`, then in an Azure Monitor Private Link Scope that allows private access only) keeping every log
    `retention_days` days, with no daily cap; an Entra diagnostic setting exporting audit, interactive and
    non-interactive, service-principal and managed-identity sign-ins, provisioning and risk logs to it; Microsoft
    Sentinel on it with one enabled scheduled analytics rule per detection (components/detections.py: every
    break-glass sign-in, a tier-0 PIM activation from outside the PAW, a role assigned outside PIM, changes to CA,
    named locations, PIM settings, authentication contexts or break-glass accounts), each run every five minutes;
    and an enabled Azure Monitor alert that sends each of their alerts to the action group, which emails the
    addresses given.
    """

    workspace_id: pulumi.Output[str]
    private_link_scope_id: pulumi.Output[str] | None
    rules: list[securityinsights.ScheduledAlertRule]

    def __init__(self, name: str, args: PrivilegedMonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not args.alert_emails:
            raise ValueError(f"PrivilegedMonitoring {name!r}: give at least one address for the alerts")
        super().__init__("privileged-access:index:PrivilegedMonitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, **({NETWORK_TAG_KEY: NETWORK_TAG_PRIVATE} if args.private else {})}
        access = "Disabled" if args.private else "Enabled"
        rg = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=args.resource_group_name, location=args.location, tags=tags, opts=child
        )
        workspace = operationalinsights.Workspace(
            f"{name}-logs",
            workspace_name=args.workspace_name,
            resource_group_name=rg.name,
            location=args.location,
            sku={"name": "PerGB2018"},
            retention_in_days=args.retention_days,
            public_network_access_for_ingestion=access,
            public_network_access_for_query=access,
            features={"disable_local_auth": True},
            tags=tags,
            opts=child,
        )
        self.workspace_id = workspace.id
        aadiam.DiagnosticSetting(
            f"{name}-entra",
            name="pum-privileged-logs",
            workspace_id=workspace.id,
            logs=[{"category": category, "enabled": True} for category in ENTRA_LOG_CATEGORIES],
            opts=child,
        )
        self.private_link_scope_id = self._private_link_scope(name, rg, workspace) if args.private else None

        sentinel = securityinsights.SentinelOnboardingState(
            f"{name}-sentinel",
            resource_group_name=rg.name,
            workspace_name=workspace.name,
            sentinel_onboarding_state_name="default",
            opts=child,
        )
        found = detections(
            break_glass_upns=args.break_glass_upns,
            paw_prefix=args.paw_device_prefix,
            window_minutes=args.activation_window_minutes,
        )
        self.rules = [
            securityinsights.ScheduledAlertRule(
                f"{name}-{d.key}",
                kind="Scheduled",
                display_name=d.display_name,
                description=d.description,
                enabled=True,
                query=d.query,
                query_frequency=FREQUENCY,
                query_period=d.query_period,
                severity=d.severity,
                trigger_operator=securityinsights.TriggerOperator.GREATER_THAN,
                trigger_threshold=0,
                suppression_duration="PT5M",
                suppression_enabled=False,
                tactics=list(d.tactics),
                event_grouping_settings={"aggregation_kind": "AlertPerResult"},
                incident_configuration={
                    "create_incident": True,
                    "grouping_configuration": {
                        "enabled": False,
                        "lookback_duration": "PT5H",
                        "matching_method": "AllEntities",
                        "reopen_closed_incident": False,
                    },
                },
                resource_group_name=rg.name,
                workspace_name=workspace.name,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[sentinel]),
            )
            for d in found
        ]
        group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=args.action_group_name,
            group_short_name=args.action_group_short_name,
            enabled=True,
            location="Global",
            email_receivers=[
                {"name": f"email-{index}", "email_address": address, "use_common_alert_schema": True}
                for index, address in enumerate(args.alert_emails, start=1)
            ],
            resource_group_name=rg.name,
            tags=tags,
            opts=child,
        )
        monitor.ScheduledQueryRule(
            f"{name}-route",
            rule_name=f"{args.workspace_name}-detections",
            display_name="PUM detections to the action group",
            description="Sends every alert of the privileged-user detections to the action group.",
            kind="LogAlert",
            enabled=True,
            severity=1,
            scopes=[workspace.id],
            evaluation_frequency=FREQUENCY,
            window_size=FREQUENCY,
            auto_mitigate=False,
            criteria={
                "all_of": [
                    {
                        "query": routing_query([d.display_name for d in found]),
                        "time_aggregation": "Count",
                        "operator": "GreaterThan",
                        "threshold": 0,
                        "failing_periods": {"number_of_evaluation_periods": 1, "min_failing_periods_to_alert": 1},
                    }
                ]
            },
            actions={"action_groups": [group.id]},
            location=args.location,
            resource_group_name=rg.name,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.rules),
        )
        self.register_outputs(
            {
                "workspaceId": self.workspace_id,
                "privateLinkScopeId": self.private_link_scope_id,
                "actionGroupId": group.id,
            }
        )

    def _private_link_scope(
        self, name: str, rg: resources.ResourceGroup, workspace: operationalinsights.Workspace
    ) -> pulumi.Output[str]:
        """An Azure Monitor Private Link Scope that allows only private ingestion and queries, holding the
        workspace."""
        child = pulumi.ResourceOptions(parent=self)
        scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            resource_group_name=rg.name,
            location="global",
            access_mode_settings={"ingestion_access_mode": "PrivateOnly", "query_access_mode": "PrivateOnly"},
            opts=child,
        )
        monitor.PrivateLinkScopedResource(
            f"{name}-ampls-logs",
            resource_group_name=rg.name,
            scope_name=scope.name,
            linked_resource_id=workspace.id,
            opts=child,
        )
        return scope.id
