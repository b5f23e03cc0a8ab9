"""A journey's automation: a Logic App that entitlement management calls, and only the permissions its steps need.

`JourneyAutomation` declares, for one automation kind (`onboarding` or `onPremisesGroups`):

- an azure-native `logic.Workflow` (Consumption, state Enabled, system-assigned managed identity, no secrets)
  whose definition is the repository file `automation/logic-apps/<kind>.json`, with its parameter values
  (package IDs, on-premises groups, runbook names: never a credential) set from the stack;
- trigger access control that accepts Entitlement Management's proof-of-possession token: an `AADPOP` policy
  with the claims `iss` (`https://sts.windows.net/<tenant>/`), `appid` (`810dcf14-1858-4bf2-8134-4c369fa3235b`,
  "Azure AD Identity Governance - Entitlement Management"), `u` (`management.azure.com`), `m` (`POST`) and `p`
  (the workflow's ARM ID), as Microsoft's quickstart template configures it (turning the trigger's SAS URL off is
  a manual step: the 2019-05-01 API in azure-native has no `sasAuthenticationPolicy`; docs/journey-automation.md);
- one azuread `AppRoleAssignment` on the Microsoft Graph service principal per Graph application permission the
  definition's HTTP actions need (onboarding: `SynchronizationData-User.Upload` for the inbound-provisioning
  `bulkUpload`, `UserAuthMethod-TAP.ReadWrite.All` for the one-time Temporary Access Pass, `Mail.Send` to hand
  it to the manager; on-premises groups: none, it calls ARM only), nothing directory-wide;
- the catalog's custom extension (`AccessPackageCustomExtension`) that calls this Logic App: its resource group
  and workflow name are the Workflow's, and its subscription is read from the Workflow's ARM ID, so it names the
  subscription the Workflow really deploys to (custom-extension-endpoint-in-stack accepts it because it flows
  from the Workflow).

The Azure RBAC that lets the on-premises workflow start runbook jobs is not declared here: the on-premises
Automation component grants "Automation Job Operator" on its account to `principal_id` (its
`job_operator_principal_ids`). Every action that handles a Temporary Access Pass or a password is marked
`runtimeConfiguration.secureData.properties: [inputs, outputs]` in the definition, so run history never shows
it, and nothing secret is ever a Pulumi input or output (the pass is issued at run time by the Logic App).

Outputs: `principal_id` (the managed identity), `workflow_id` (ARM ID), `extension_id`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_azuread as azuread
from privileged_facts.graph_permissions import APP_ROLE_IDS, GRAPH_APP_ID, needed_for

from components.graph.custom_extension import AccessPackageCustomExtension

TYPE = "privileged-access:index:JourneyAutomation"
DEFINITIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "automation", "logic-apps")
ENTITLEMENT_MANAGEMENT_APP_ID = "810dcf14-1858-4bf2-8134-4c369fa3235b"
"""Azure AD Identity Governance - Entitlement Management (first-party app; the PoP token's appid claim)."""
POP_POLICY_NAME = "AzureADEntitlementManagementAuthPOPAuthPolicy"
Kind = Literal["onboarding", "on-premises-groups"]


def load_definition(kind: str) -> dict:
    """The workflow definition kept in the repository for `kind`."""
    with open(os.path.join(DEFINITIONS, f"{kind}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def http_actions(definition: Any) -> list[tuple[str, dict]]:
    """Every HTTP action of a workflow definition, nested in If/Switch/Scope/Foreach branches too: (name, action)."""
    found: list[tuple[str, dict]] = []

    def walk(actions: Any) -> None:
        for name, action in (actions or {}).items() if isinstance(actions, dict) else ():
            if not isinstance(action, dict):
                continue
            if str(action.get("type", "")).lower() == "http":
                found.append((name, action))
            walk(action.get("actions"))
            walk((action.get("else") or {}).get("actions"))
            for case in (action.get("cases") or {}).values():
                walk((case or {}).get("actions"))
            walk((action.get("default") or {}).get("actions"))

    walk(definition.get("actions") if isinstance(definition, dict) else None)
    return found


def graph_permissions(definition: dict) -> list[str]:
    """The least-privileged Graph application permission each Graph call of the definition needs, in the order of
    the calls (an unknown Graph call is an error: add it to privileged_facts.graph_permissions first)."""
    needed: list[str] = []
    for name, action in http_actions(definition):
        inputs = action.get("inputs") or {}
        permissions = needed_for(inputs.get("method", ""), inputs.get("uri", ""))
        if permissions is None:
            raise ValueError(
                f"{name}: the Graph call {inputs.get('method')} {inputs.get('uri')} is not in "
                "privileged_facts.graph_permissions; add it with its least-privileged permission"
            )
        if permissions and permissions[0] not in needed:
            needed.append(permissions[0])
    return needed


def subscription_of(arm_id: str) -> str:
    """The subscription GUID of an ARM ID (`/subscriptions/<guid>/...`, any case)."""
    parts = [p for p in str(arm_id or "").split("/") if p]
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        raise ValueError(f"{arm_id!r} is not an ARM ID under /subscriptions/<id>")
    return parts[1].lower()


def pop_claims(tenant_id: pulumi.Input[str], workflow_id: pulumi.Input[str]) -> list:
    """The AADPOP trigger policy's claims, as Microsoft's quickstart template sets them (azure-quickstart-templates
    demos/identitygovernance-entitlementmanagement-extensibility-AccessPackageAssignment-sample-logicapp): issuer,
    the Entitlement Management app, and the PoP-bound method, host and path of this workflow (no separate `aud`:
    `u`/`m`/`p` bind the token to this workflow's ARM URL)."""
    return [
        {"name": "iss", "value": pulumi.Output.concat("https://sts.windows.net/", tenant_id, "/")},
        {"name": "appid", "value": ENTITLEMENT_MANAGEMENT_APP_ID},
        {"name": "u", "value": "management.azure.com"},
        {"name": "m", "value": "POST"},
        {"name": "p", "value": workflow_id},
    ]


@dataclass(frozen=True, kw_only=True)
class JourneyAutomationArgs:
    """One Logic App for one kind of journey step, in an existing resource group of `subscription_id`."""

    kind: Kind
    workflow_name: str
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    catalog_id: pulumi.Input[str]
    parameters: Mapping[str, pulumi.Input[Any]] = field(default_factory=dict)
    """Definition parameter values (non-secret: IDs, names, group lists)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    extension_display_name: str | None = None
    extra_graph_permissions: Sequence[str] = ()
    """Only for tests of the policy; the stack never adds any."""
    log_workspace_id: pulumi.Input[str] | None = None
    """The stack's monitoring workspace: the workflow's runtime logs go there (secure inputs and outputs stay
    hidden)."""


class JourneyAutomation(pulumi.ComponentResource):
    """A Logic App with a managed identity that entitlement management calls for one kind of journey step, the
    Graph app roles its steps need and nothing more, and the catalog's custom extension that calls it (see the
    module docstring for the guarantees)."""

    principal_id: pulumi.Output[str]
    workflow_id: pulumi.Output[str]
    extension_id: pulumi.Output[str]

    def __init__(self, name: str, args: JourneyAutomationArgs, opts: pulumi.ResourceOptions | None = None):
        from pulumi_azure_native import logic  # only stacks with journey automation need azure-native here

        definition = load_definition(args.kind)
        permissions = [*graph_permissions(definition), *args.extra_graph_permissions]
        unknown = [p for p in permissions if p not in APP_ROLE_IDS]
        if unknown:
            raise ValueError(f"JourneyAutomation {name!r}: no app-role ID known for {unknown}")
        super().__init__(TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tenant_id = azuread.get_client_config_output(opts=pulumi.InvokeOptions(parent=self)).tenant_id
        workflow_id = pulumi.Output.concat(
            "/subscriptions/",
            args.subscription_id,
            "/resourceGroups/",
            args.resource_group_name,
            "/providers/Microsoft.Logic/workflows/",
            args.workflow_name,
        )
        self.workflow = logic.Workflow(
            f"{name}-workflow",
            workflow_name=args.workflow_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            state="Enabled",
            identity={"type": "SystemAssigned"},
            definition=definition,
            parameters={k: {"value": v} for k, v in args.parameters.items()},
            access_control={
                "triggers": {
                    "open_authentication_policies": {
                        "policies": {POP_POLICY_NAME: {"type": "AADPOP", "claims": pop_claims(tenant_id, workflow_id)}}
                    }
                }
            },
            tags={**dict(args.tags), "pum-role": "journey-automation", "pum-automation": args.kind},
            opts=child,
        )
        if args.log_workspace_id is not None:
            from pulumi_azure_native import monitor

            monitor.DiagnosticSetting(
                f"{name}-diag",
                name="to-log-analytics",
                resource_uri=self.workflow.id,
                workspace_id=args.log_workspace_id,
                logs=[{"category_group": "allLogs", "enabled": True}],
                opts=child,
            )
        # through the workflow's ID: unknown at preview (as the engine has it), the identity's object ID once made
        self.principal_id = pulumi.Output.all(self.workflow.id, self.workflow.identity).apply(
            lambda v: (v[1].principal_id if v[1] else None) or ""
        )
        graph = azuread.get_service_principal_output(client_id=GRAPH_APP_ID, opts=pulumi.InvokeOptions(parent=self))
        self.app_roles = [
            azuread.AppRoleAssignment(
                f"{name}-graph-{permission.lower().replace('.', '-')}",
                app_role_id=APP_ROLE_IDS[permission],
                principal_object_id=self.principal_id,
                resource_object_id=graph.object_id,
                opts=child,
            )
            for permission in permissions
        ]
        self.extension = AccessPackageCustomExtension(
            f"{name}-extension",
            catalog_id=args.catalog_id,
            display_name=args.extension_display_name or f"PUM {args.kind} automation",
            # from the Workflow's ARM ID: the subscription it really deploys to (the gate accepts a subscription
            # only when it flows from the Workflow it names, or is in allowedSubscriptionIds)
            subscription_id=self.workflow.id.apply(subscription_of),
            resource_group_name=args.resource_group_name,
            workflow_name=args.workflow_name,
            description=f"Calls the Logic App {args.workflow_name} ({args.kind}) with Entitlement Management's token",
            workflow_id=self.workflow.id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.workflow]),
        )
        self.workflow_id = self.workflow.id
        self.extension_id = self.extension.extension_id
        self.register_outputs(
            {"principalId": self.principal_id, "workflowId": self.workflow_id, "extensionId": self.extension_id}
        )
