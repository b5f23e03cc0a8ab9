"""The journey-automation policies against plain programs: azure-native logic Workflows, azuread app-role
assignments and access packages, and the Graph layer's dynamic resources (declared here with a no-op provider, so
the policies see exactly the props written), including values unknown at preview."""

from __future__ import annotations

import copy

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import mandatory_violations, preview_with_pack
from pack_cases import later
from privileged_facts.graph_permissions import APP_ROLE_IDS, DIRECTORY_WRITE_ROLES
from pulumi.dynamic import CreateResult, Resource, ResourceProvider
from pulumi_azure_native import logic, managedidentity

from components.journey_automation import graph_permissions, load_definition

LEAST = "logic-app-graph-permissions-least-privilege"
ENDPOINT = "custom-extension-endpoint-in-stack"
VERIFIED = "critical-journey-verified-id"
SUB = "00000000-0000-4000-8000-0000000000b2"
GRAPH_SP = "9a3c1c7e-0000-4000-8000-00000000aaaa"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
ONBOARDING = load_definition("onboarding")
GROUPS = load_definition("on-premises-groups")


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class Raw(Resource):
    def __init__(self, name, **props):
        super().__init__(_NoOp(), name, props)


def workflow(name="wf", definition=ONBOARDING, rg="rg-auto", identity=None):
    return logic.Workflow(
        name,
        workflow_name=name,
        resource_group_name=rg,
        location="westeurope",
        state="Enabled",
        identity=identity or {"type": "SystemAssigned"},
        definition=definition,
    )


def grant(name, wf_or_principal, permission=None, role_id=None):
    principal = (  # identity.principalId is computed: unknown at preview, as the engine has it
        pulumi.Output.all(wf_or_principal.id, wf_or_principal.identity).apply(lambda v: v[1].principal_id or "")
        if isinstance(wf_or_principal, logic.Workflow)
        else wf_or_principal
    )
    return azuread.AppRoleAssignment(
        name,
        app_role_id=role_id if role_id is not None else APP_ROLE_IDS[permission],
        principal_object_id=principal,
        resource_object_id=GRAPH_SP,
    )


def extension(name="ext", sub=SUB, rg="rg-auto", wf="wf", kind="accessPackageCustomExtension", endpoint=None):
    return Raw(
        name,
        graphKind=kind,
        catalogId="62e90394-0000-4000-8000-000000000001",
        displayName=name,
        endpointConfiguration=endpoint
        if endpoint is not None
        else {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": sub,
            "resourceGroupName": rg,
            "logicAppWorkflowName": wf,
        },
        authenticationConfiguration={"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
    )


def found(report, policy):
    return mandatory_violations(report, policy)


# --- least privilege ------------------------------------------------------------------------------------------


def test_the_onboarding_definition_needs_exactly_its_three_roles():
    assert graph_permissions(ONBOARDING) == [
        "SynchronizationData-User.Upload",
        "UserAuthMethod-TAP.ReadWrite.All",
        "Mail.Send",
    ]
    assert graph_permissions(GROUPS) == []  # it calls ARM only


def test_a_workflow_with_what_its_steps_need_passes():
    def program():
        wf = workflow()
        for permission in graph_permissions(ONBOARDING) + ["User.Read.All"]:
            grant(f"g-{permission}", wf, permission)

    assert found(preview_with_pack(program), LEAST) == []


@pytest.mark.parametrize("permission", sorted(DIRECTORY_WRITE_ROLES))
def test_every_write_permission_its_steps_do_not_call_is_a_violation(permission):
    def program():
        grant("g", workflow(definition=GROUPS), permission)

    (v,) = found(preview_with_pack(program), LEAST)
    assert permission in v.message and "no HTTP action" in v.message


def test_directory_wide_write_beside_the_needed_ones_is_a_violation():
    def program():
        wf = workflow()
        grant("ok", wf, "Mail.Send")
        grant("bad", wf, "Directory.ReadWrite.All")
        grant("bad2", wf, "RoleManagement.ReadWrite.Directory")

    messages = sorted(v.message for v in found(preview_with_pack(program), LEAST))
    assert len(messages) == 2 and "Directory.ReadWrite.All" in messages[0] + messages[1]


def test_a_user_assigned_identity_the_workflow_uses_is_the_workflow_identity():
    def program():
        uai = managedidentity.UserAssignedIdentity("uai", resource_group_name="rg-auto", location="westeurope")
        # (computed from the identity's ID: pum's mocks would echo a known list into the Mapping-typed output)
        workflow(
            definition=GROUPS,
            identity=uai.id.apply(lambda i: {"type": "UserAssigned", "user_assigned_identities": [i]}),
        )
        grant("g", uai.principal_id, "Group.ReadWrite.All")

    (v,) = found(preview_with_pack(program), LEAST)
    assert "Group.ReadWrite.All" in v.message


def test_a_principal_that_flows_through_another_resource_is_followed():
    def program():
        wf = workflow(definition=GROUPS)
        relay = Raw("relay", principal=later(wf.id, "6f1c2a2e-0000-4000-8000-000000000001"))
        grant("g", relay.principal, "AppRoleAssignment.ReadWrite.All")  # type: ignore[attr-defined]

    (v,) = found(preview_with_pack(program), LEAST)
    assert "AppRoleAssignment.ReadWrite.All" in v.message


def test_a_nested_switch_step_counts_and_its_permission_is_allowed():
    definition = copy.deepcopy(GROUPS)
    case = definition["actions"]["Only_declared_packages"]["actions"]["By_stage"]["cases"]["Granted"]["actions"]
    case["Add_cloud_member"] = {
        "type": "Http",
        "inputs": {"method": "POST", "uri": "https://graph.microsoft.com/v1.0/groups/@{parameters('g')}/members/$ref"},
    }

    def program():
        grant("g", workflow(definition=definition), "GroupMember.ReadWrite.All")

    assert found(preview_with_pack(program), LEAST) == []


def test_a_uri_hidden_in_a_parameter_needs_nothing_so_its_role_is_a_violation():
    definition = copy.deepcopy(GROUPS)
    definition["actions"]["Call"] = {"type": "Http", "inputs": {"method": "POST", "uri": "@parameters('anything')"}}

    def program():
        grant("g", workflow(definition=definition), "Directory.ReadWrite.All")

    assert len(found(preview_with_pack(program), LEAST)) == 1


def test_unknown_role_definition_or_graph_call_is_unverified():
    unknown_call = copy.deepcopy(GROUPS)
    unknown_call["actions"]["Call"] = {
        "type": "Http",
        "inputs": {"method": "POST", "uri": "https://graph.microsoft.com/v1.0/directoryRoles/x/members/$ref"},
    }

    def program():
        wf = workflow(definition=GROUPS)
        grant("later-role", wf, role_id=later(wf.id, APP_ROLE_IDS["Directory.ReadWrite.All"]))
        grant("other-api", wf, role_id="11111111-2222-4333-8444-555555555555")
        wf2 = logic.Workflow(
            "wf2",
            workflow_name="wf2",
            resource_group_name="rg-auto",
            identity={"type": "SystemAssigned"},
            definition=later(wf.id, GROUPS),
        )
        grant("later-definition", wf2, "Directory.ReadWrite.All")
        grant("unknown-call", workflow("wf3", definition=unknown_call), "Directory.ReadWrite.All")

    messages = [v.message for v in found(preview_with_pack(program), LEAST)]
    assert len(messages) == 4 and all("cannot verify" in m for m in messages)


def test_assignments_of_other_principals_are_not_judged_here():
    def program():
        workflow()
        grant(
            "g",
            azuread.ServicePrincipal("sp", client_id="00000000-0000-4000-8000-000000000009").object_id,
            "Directory.ReadWrite.All",
        )

    assert found(preview_with_pack(program), LEAST) == []


# --- endpoints ------------------------------------------------------------------------------------------------


def test_an_extension_calling_a_declared_logic_app_passes_literal_or_flowing(tmp_path):
    def program():
        wf = workflow()
        # ARM names compare case-insensitively; the subscription flows from the Workflow's ID
        extension("literal", wf="WF", rg="RG-AUTO", sub=later(wf.id, SUB))
        extension("flowing", wf=wf.name, rg=later(wf.name, "rg-auto"), sub=later(wf.id, SUB))

    assert found(preview_with_pack(program), ENDPOINT) == []

    def literal_subscription():
        workflow()
        extension("literal", wf="WF", rg="RG-AUTO", sub=SUB.upper())

    config = {ENDPOINT: {"allowedSubscriptionIds": [SUB]}}
    assert found(preview_with_pack(literal_subscription, tmp_path, pack_config=config), ENDPOINT) == []


@pytest.mark.parametrize(
    "case",
    ["other-name", "other-group", "http", "no-workflow", "unrelated-unknown", "bad-subscription", "forged-kind"],
)
def test_endpoints_outside_the_stack_are_violations(case):
    def program():
        other = azuread.Group("decoy", display_name="decoy", security_enabled=True)
        if case != "no-workflow":
            workflow()
        args = {
            "other-name": {"wf": "attacker"},
            "other-group": {"rg": "rg-elsewhere"},
            "http": {
                "endpoint": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "https://evil.example"}
            },
            "no-workflow": {},
            "unrelated-unknown": {"wf": other.object_id},
            "bad-subscription": {"sub": "not-a-guid"},
            "forged-kind": {"kind": "customCalloutExtension", "wf": "attacker"},
        }[case]
        extension(**args)

    assert len(found(preview_with_pack(program), ENDPOINT)) == 1


def test_unknown_endpoint_or_subscription_is_unverified_and_the_allow_list_holds(tmp_path):
    def program():
        wf = workflow()
        extension("e1", endpoint=later(wf.name, {}))
        extension("e2", sub=later(azuread.Group("x", display_name="x", security_enabled=True).object_id, SUB))

    messages = [v.message for v in found(preview_with_pack(program), ENDPOINT)]
    assert len(messages) == 2 and all("cannot verify" in m for m in messages)

    def allowed():
        workflow()
        extension()

    config = {ENDPOINT: {"allowedSubscriptionIds": ["00000000-0000-4000-8000-0000000000ff"]}}
    (v,) = found(preview_with_pack(allowed, tmp_path, pack_config=config), ENDPOINT)
    assert "allowedSubscriptionIds" in v.message


# --- Verified ID on critical journeys ------------------------------------------------------------------------


def journey(group, settings=None, name="j"):
    catalog = azuread.AccessPackageCatalog(f"{name}-cat", display_name="c", description="c")
    package = azuread.AccessPackage(name, catalog_id=catalog.id, display_name=name, description=name)
    resource = azuread.AccessPackageResourceCatalogAssociation(
        f"{name}-res", catalog_id=catalog.id, resource_origin_id=group.object_id, resource_origin_system="AadGroup"
    )
    azuread.AccessPackageResourcePackageAssociation(
        f"{name}-grant", access_package_id=package.id, catalog_resource_association_id=resource.id, access_type="Member"
    )
    policy = azuread.AccessPackageAssignmentPolicy(
        f"{name}-members", access_package_id=package.id, display_name="m", description="m", duration_in_days=30
    )
    if settings is not None:
        Raw(
            f"{name}-settings",
            graphKind="accessPackagePolicySettings",
            policyId=policy.id,
            accessPackageId=package.id,
            stages=[],
            **settings,
        )
    return policy


VC = {"credentialTypes": [{"credentialType": "VerifiedEmployee", "issuers": ["did:web:verifiedid.contoso.com"]}]}


def advisory(report):
    found = report.by_policy(VERIFIED)
    assert all(v.enforcement_level == "advisory" for v in found), found
    return found


def _group(name, **kw):
    return azuread.Group(name, display_name=name, security_enabled=True, **kw)


@pytest.mark.parametrize("why", ["entra-critical-role", "writeback-domain-admins", "on-premises-reach"])
def test_a_tier0_journey_without_verified_id_is_reported(why):
    def program():
        if why == "entra-critical-role":
            group = _group("ga", assignable_to_role=True)
            azuread.DirectoryRoleAssignment("ga-role", role_id=GLOBAL_ADMIN, principal_object_id=group.object_id)
            journey(group)
        elif why == "writeback-domain-admins":
            group = _group("da", writeback_enabled=True, description="Written back and nested there in 'Domain Admins'")
            journey(group, settings={"verifiableCredentials": None})
        else:
            journey(_group("plain"), settings={"onPremisesReach": {"adGroups": ["Domain Admins"], "sudoGroups": []}})

    (v,) = advisory(preview_with_pack(program))
    assert "Verified ID" in v.message


def test_a_tier0_journey_with_verified_id_or_a_standard_journey_passes():
    def program():
        group = _group("da", writeback_enabled=True, description="nested there in 'Domain Admins'")
        journey(group, settings={"verifiableCredentials": VC, "faceCheckRequired": True})
        ua = _group("ua", assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ua-role", role_id=USER_ADMIN, principal_object_id=ua.object_id)
        journey(ua, name="ua")

    assert advisory(preview_with_pack(program)) == []


def test_unknown_verified_id_is_unverified_not_fine():
    def program():
        group = _group("ga", assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga-role", role_id=GLOBAL_ADMIN, principal_object_id=group.object_id)
        journey(group, settings={"verifiableCredentials": later(group.object_id, VC)})

    (v,) = advisory(preview_with_pack(program))
    assert "cannot verify" in v.message


def test_the_example_stack_has_no_violation_of_these_policies():
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    report = preview_with_pack(root, cwd=root, stack="example")
    assert [v for v in report.violations if v.policy in (LEAST, ENDPOINT, VERIFIED)] == []
    assert pulumi  # imported for the programs' types


def test_a_standard_logic_app_keeps_its_definitions_out_of_the_plan_so_its_write_roles_are_unverified():
    from pulumi_azure_native import web

    def program():
        app = web.WebApp(
            "std", resource_group_name="rg-auto", kind="functionapp,workflowapp", identity={"type": "SystemAssigned"}
        )
        grant(
            "g", pulumi.Output.all(app.id, app.identity).apply(lambda v: v[1].principal_id or ""), "User.ReadWrite.All"
        )
        grant("read", pulumi.Output.all(app.id, app.identity).apply(lambda v: v[1].principal_id or ""), "User.Read.All")

    (v,) = found(preview_with_pack(program), LEAST)
    assert "cannot verify" in v.message and "User.ReadWrite.All" in v.message


def _settings(name, stages):
    return Raw(
        name,
        graphKind="accessPackagePolicySettings",
        policyId="62e90394-0000-4000-8000-0000000000aa",
        accessPackageId="62e90394-0000-4000-8000-0000000000ab",
        stages=stages,
    )


def test_policy_stages_name_only_extensions_the_stack_declares():
    def clean():
        wf = workflow()
        ext = extension(sub=later(wf.id, SUB))
        _settings("s", [{"stage": "assignmentRequestGranted", "customExtensionId": later(ext.id, "x")}])

    assert found(preview_with_pack(clean), ENDPOINT) == []

    def literal():
        wf = workflow()
        extension(sub=later(wf.id, SUB))
        _settings(
            "s", [{"stage": "assignmentRequestGranted", "customExtensionId": "6d2f0c7e-0000-4000-8000-00000000dead"}]
        )

    (v,) = found(preview_with_pack(literal), ENDPOINT)
    assert "does not declare" in v.message

    def computed_elsewhere():
        other = azuread.Group("g", display_name="g", security_enabled=True)
        _settings("s", [{"stage": "assignmentRequestGranted", "customExtensionId": other.object_id}])

    (v,) = found(preview_with_pack(computed_elsewhere), ENDPOINT)
    assert "cannot verify" in v.message


def test_an_app_role_assigned_by_a_dynamic_graph_resource_is_judged_too():
    def program():
        wf = workflow(definition=GROUPS)
        Raw(
            "raw-grant",
            graphKind="somethingElse",
            appRoleId=APP_ROLE_IDS["RoleManagement.ReadWrite.Directory"],
            principalId=pulumi.Output.all(wf.id, wf.identity).apply(lambda v: v[1].principal_id or ""),
            resourceId=GRAPH_SP,
        )

    (v,) = found(preview_with_pack(program), LEAST)
    assert "RoleManagement.ReadWrite.Directory" in v.message
