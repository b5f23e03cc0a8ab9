"""An entitlement-management custom extension that calls a Logic App, over Microsoft Graph (v1.0).

``AccessPackageCustomExtension`` (graphKind ``accessPackageCustomExtension``) guarantees one
``accessPackageAssignmentRequestWorkflowExtension`` in a catalog
(``/v1.0/identityGovernance/entitlementManagement/catalogs/{catalogId}/customWorkflowExtensions``,
https://learn.microsoft.com/graph/api/accesspackagecatalog-post-customworkflowextensions) whose endpoint is a
Logic App named by subscription, resource group and workflow name (``logicAppTriggerEndpointConfiguration``) and
which authenticates to it with a proof-of-possession token of the "Azure AD Identity Governance - Entitlement
Management" first-party app (``azureAdPopTokenAuthentication``). It runs "launch and continue": no
``callbackConfiguration``, so the Logic App never needs ``EntitlementManagement.ReadWrite.All`` to resume a request
(least privilege; the request goes on while the automation runs). Only the request-stage type is declared here
(stages ``assignmentRequestCreated|Approved|Granted|Removed``); the expiry stages would need the
``accessPackageAssignmentWorkflowExtension`` type.

Create looks first, by display name in the catalog, and adopts an extension of that name only when it already
calls the declared Logic App (what an interrupted ``up`` leaves); one that calls another endpoint is refused
(``customExtensionExists``), never repointed: it may be used by policies of other packages. The POST is never
repeated when its answer is lost (``base.create_or_adopt``). Update PATCHes name, description, endpoint and
authentication; a catalog change replaces. ``read`` reports live values, so a repointed endpoint is drift.

Documented limits (docs/journey-automation.md): Graph checks on create that the Logic App exists and that the
caller may read it, so the deploying identity needs Logic App Contributor (or Reader + the extension role) on
the workflow; the Logic App must accept Entitlement Management's PoP token (the workflow's ``accessControl``
AADPOP policy, built by components/journey_automation.py). Graph permission: ``EntitlementManagement.ReadWrite.All``
(or the Catalog owner role for delegated use).
"""

from __future__ import annotations

import re
from typing import Any

import pulumi
from privileged_facts.values import is_unknown
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from .base import GraphProvider, check_result, create_or_adopt, diff, only, output, require_guid
from .client import GraphClient, GraphError

GRAPH_KIND = "accessPackageCustomExtension"
CATALOGS = "/v1.0/identityGovernance/entitlementManagement/catalogs"
REQUEST_EXTENSION = "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
LOGIC_APP_ENDPOINT = "#microsoft.graph.logicAppTriggerEndpointConfiguration"
POP_AUTHENTICATION = "#microsoft.graph.azureAdPopTokenAuthentication"
ENDPOINT_KEYS = ("subscriptionId", "resourceGroupName", "logicAppWorkflowName")
BODY_KEYS = ("displayName", "description", "endpointConfiguration", "authenticationConfiguration")
INPUT_KEYS = ("graphKind", "catalogId", *BODY_KEYS, "workflowId")
WORKFLOW_ID = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Logic/workflows/([^/]+)$", re.IGNORECASE
)


def extensions_path(catalog_id: str) -> str:
    return f"{CATALOGS}/{catalog_id}/customWorkflowExtensions"


def logic_app_endpoint(
    subscription_id: pulumi.Input[str], resource_group_name: pulumi.Input[str], workflow_name: pulumi.Input[str]
) -> dict:
    return {
        "@odata.type": LOGIC_APP_ENDPOINT,
        "subscriptionId": subscription_id,
        "resourceGroupName": resource_group_name,
        "logicAppWorkflowName": workflow_name,
    }


def validate(props: dict) -> None:
    require_guid(props.get("catalogId"), "catalogId")
    endpoint = props.get("endpointConfiguration")
    if is_unknown(endpoint) or endpoint is None:
        return
    if not isinstance(endpoint, dict) or endpoint.get("@odata.type") != LOGIC_APP_ENDPOINT:
        raise ValueError(
            "endpointConfiguration: only a Logic App endpoint (logicAppTriggerEndpointConfiguration) is declared here"
        )
    require_guid(endpoint.get("subscriptionId"), "endpointConfiguration.subscriptionId")
    for key in ("resourceGroupName", "logicAppWorkflowName"):
        value = endpoint.get(key)
        if value is None or (isinstance(value, str) and not is_unknown(value) and not value.strip()):
            raise ValueError(f"endpointConfiguration.{key}: is required")
    workflow_id = props.get("workflowId")
    if isinstance(workflow_id, str) and not is_unknown(workflow_id) and isinstance(endpoint, dict):
        m = WORKFLOW_ID.match(workflow_id.strip().rstrip("/"))
        named = tuple(endpoint.get(k) for k in ENDPOINT_KEYS)
        if m is None:
            raise ValueError(
                f"workflowId: {workflow_id!r} is not the ARM ID of a Logic App (Microsoft.Logic/workflows)"
            )
        if all(isinstance(v, str) and not is_unknown(v) for v in named) and tuple(
            g.lower() for g in m.groups()
        ) != tuple(str(v).lower() for v in named):
            raise ValueError(
                "endpointConfiguration: names another Logic App (subscription, resource group or name) than workflowId"
            )
    auth = props.get("authenticationConfiguration")
    if not is_unknown(auth) and (not isinstance(auth, dict) or auth.get("@odata.type") != POP_AUTHENTICATION):
        raise ValueError("authenticationConfiguration: must be azureAdPopTokenAuthentication (the PoP token)")


def _endpoint_key(endpoint: Any) -> tuple:
    """The Logic App an endpoint names, compared as ARM compares names (case-insensitively)."""
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    return tuple(str(endpoint.get(k) or "").lower() for k in ENDPOINT_KEYS)


def _body(props: dict) -> dict:
    return {"@odata.type": REQUEST_EXTENSION, **{k: props[k] for k in BODY_KEYS if props.get(k) is not None}}


def _live_state(live: dict) -> dict:
    endpoint = live.get("endpointConfiguration") or {}
    auth = live.get("authenticationConfiguration") or {}
    return {
        "displayName": live.get("displayName"),
        "description": live.get("description"),
        "endpointConfiguration": {
            "@odata.type": endpoint.get("@odata.type"),
            **{k: endpoint.get(k) for k in ENDPOINT_KEYS},
        }
        if endpoint
        else None,
        "authenticationConfiguration": {"@odata.type": auth.get("@odata.type")} if auth else None,
    }


class AccessPackageCustomExtensionProvider(GraphProvider):
    """CRUD for ``AccessPackageCustomExtension``; see the module docstring."""

    def _check(self, olds: dict, news: dict):
        return check_result(news, [("endpointConfiguration", lambda: validate(news))])

    def _diff(self, id_: str, olds: dict, news: dict):
        def norm(key: str, value: Any) -> Any:
            if key == "endpointConfiguration" and isinstance(value, dict):
                return (value.get("@odata.type"), _endpoint_key(value))
            if key == "workflowId" and isinstance(value, str):
                return value.strip().rstrip("/").lower()
            return value

        return diff(olds, news, INPUT_KEYS, ("graphKind", "catalogId"), normalize=norm)

    @staticmethod
    def _outs(props: dict, live: dict) -> dict:
        return {**{k: props.get(k) for k in INPUT_KEYS}, "graphKind": GRAPH_KIND, "extensionId": live.get("id")}

    def _find(self, client: GraphClient, props: dict) -> dict | None:
        found = client.get_all(extensions_path(props["catalogId"]))
        named = [e for e in found if e.get("displayName") == props["displayName"]]
        return only(named, "this custom extension's displayName in the catalog")

    @staticmethod
    def _adoptable(found: dict, props: dict) -> dict:
        """``found`` when it is a request-stage extension calling the declared Logic App; otherwise an error: an
        extension of that name calling something else may serve other packages' policies, so it is never
        repointed silently (that would send their requests to this Logic App)."""
        if found.get("@odata.type") == REQUEST_EXTENSION and _endpoint_key(found.get("endpointConfiguration")) == (
            _endpoint_key(props.get("endpointConfiguration"))
        ):
            return found
        raise GraphError(
            409,
            "customExtensionExists",
            f"a custom extension named {props['displayName']!r} already exists in catalog {props['catalogId']} "
            f"({found.get('id')}) and calls another endpoint; rename this one, delete that one, or adopt it with "
            "`pulumi import`",
        )

    def _create(self, props: dict) -> CreateResult:
        client = self.client()
        path = extensions_path(props["catalogId"])

        def find() -> dict | None:
            found = self._find(client, props)
            return self._adoptable(found, props) if found else None

        made, adopted = create_or_adopt(client, "the custom extension", find, lambda: client.post(path, _body(props)))
        if adopted:  # bring name, description and authentication to the declaration
            result = self._update(
                made["id"], self._outs(_live_state(made), made) | {"catalogId": props["catalogId"]}, props
            )
            return CreateResult(made["id"], result.outs)
        try:  # confirm it is readable (replication lag); created either way, so tracked
            live = client.get(f"{path}/{made['id']}", retry_not_found=True)
        except GraphError as err:
            if err.status != 404:
                raise
            live = made
        return CreateResult(made["id"], self._outs(props, live))

    def _read(self, id_: str, props: dict) -> ReadResult:
        catalog = props.get("catalogId")
        if not catalog and "/" in id_:  # `pulumi import ... <catalogId>/<extensionId>`
            catalog, id_ = id_.split("/", 1)
        if not catalog:
            raise GraphError(400, "catalogIdRequired", "import a custom extension as '<catalogId>/<extensionId>'")
        try:
            live = self.client().get(f"{extensions_path(catalog)}/{id_}")
        except GraphError as err:
            if err.status == 404:
                return ReadResult("", {})
            raise
        state = {"catalogId": catalog, **_live_state(live), "workflowId": props.get("workflowId")}
        outs = self._outs(state, live)
        return ReadResult(id_, outs, {k: outs[k] for k in INPUT_KEYS})

    def _update(self, id_: str, olds: dict, news: dict) -> UpdateResult:
        self.client().patch(f"{extensions_path(news['catalogId'])}/{id_}", _body(news))
        return UpdateResult(self._outs(news, {"id": id_}))

    def _delete(self, id_: str, props: dict) -> None:
        self.client().delete(f"{extensions_path(props['catalogId'])}/{id_}")


class AccessPackageCustomExtension(Resource):
    """A catalog's custom extension that calls the Logic App ``workflow_name`` in ``resource_group_name`` of
    ``subscription_id`` with Entitlement Management's PoP token ("launch and continue"). ``workflow_id`` (the
    Workflow's ARM ID output, kept in state, never sent to Graph) lets the policy pack tie the endpoint to the
    Workflow it names after a deployment too (custom-extension-endpoint-in-stack); when it is known, the endpoint
    must name that Workflow. Outputs: ``extension_id``."""

    extension_id = output("extensionId")

    def __init__(
        self,
        name: str,
        catalog_id: pulumi.Input[str],
        display_name: str,
        subscription_id: pulumi.Input[str],
        resource_group_name: pulumi.Input[str],
        workflow_name: pulumi.Input[str],
        description: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
        _provider: AccessPackageCustomExtensionProvider | None = None,
        workflow_id: pulumi.Input[str] | None = None,
    ):
        props: dict[str, Any] = {
            "graphKind": GRAPH_KIND,
            "catalogId": catalog_id,
            "displayName": display_name,
            "description": description or f"Calls the Logic App for {display_name} (managed as code)",
            "endpointConfiguration": logic_app_endpoint(subscription_id, resource_group_name, workflow_name),
            "authenticationConfiguration": {"@odata.type": POP_AUTHENTICATION},
            "workflowId": workflow_id,
        }
        try:
            validate(props)
        except ValueError as err:
            raise ValueError(f"AccessPackageCustomExtension {name!r}: {err}") from None
        super().__init__(
            _provider or AccessPackageCustomExtensionProvider(), name, {**props, "extensionId": None}, opts
        )
