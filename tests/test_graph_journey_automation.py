"""The journey-automation Graph providers against the Graph stand-in: the catalog's custom extension
(AccessPackageCustomExtension) and the assignment policy's settings (AssignmentPolicySettings: custom extension
stages and the Verified ID requirement, GET-merge-PUT beside the azuread provider)."""

from __future__ import annotations

import pytest
import standin_governance as gov

from components.graph.assignment_policy_settings import AssignmentPolicySettingsProvider, merged_v1
from components.graph.client import GraphError
from components.graph.custom_extension import (
    POP_AUTHENTICATION,
    AccessPackageCustomExtension,
    AccessPackageCustomExtensionProvider,
    logic_app_endpoint,
)

SUB = "00000000-0000-4000-8000-0000000000b2"
RG, WF = "rg-pum-journey-automation", "pum-journeys-on-premises-groups"
VC = {"credentialTypes": [{"credentialType": "VerifiedEmployee", "issuers": ["did:web:verifiedid.contoso.com"]}]}


def ext_provider(graph):
    return AccessPackageCustomExtensionProvider(client_factory=graph.client)


def settings_provider(graph):
    return AssignmentPolicySettingsProvider(client_factory=graph.client)


def ext_props(catalog, name="PUM on-premises groups", workflow=WF, group=RG):
    return {
        "graphKind": "accessPackageCustomExtension",
        "catalogId": catalog,
        "displayName": name,
        "description": "calls the Logic App",
        "endpointConfiguration": logic_app_endpoint(SUB, group, workflow),
        "authenticationConfiguration": {"@odata.type": POP_AUTHENTICATION},
    }


@pytest.fixture
def catalog(graph):
    gov.add_logic_app(graph, SUB, RG, WF)
    return gov.add_catalog(graph)


def make_extension(graph, catalog) -> str:
    return ext_provider(graph).create(ext_props(catalog)).id


def settings_props(policy, package, ext, stages=("assignmentRequestGranted", "assignmentRequestRemoved"), vc=None):
    return {
        "graphKind": "accessPackagePolicySettings",
        "policyId": policy,
        "accessPackageId": package,
        "stages": [{"stage": s, "customExtensionId": ext} for s in stages],
        "verifiableCredentials": vc,
        "faceCheckRequired": bool(vc),
        "onPremisesReach": {"adGroups": ["Account Operators"], "sudoGroups": []},
        "policyFingerprint": "f1",
    }


def live(graph, policy_id):
    return gov.state(graph)["policies"][policy_id]


# --- custom extension ---------------------------------------------------------------------------------------


def test_create_posts_a_request_stage_extension_calling_the_logic_app_with_pop(graph, catalog):
    graph.lag(1)
    result = ext_provider(graph).create(ext_props(catalog))
    (post,) = graph.calls("POST", "customWorkflowExtensions")
    assert post.body["@odata.type"] == "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
    assert post.body["endpointConfiguration"] == {
        "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
        "subscriptionId": SUB,
        "resourceGroupName": RG,
        "logicAppWorkflowName": WF,
    }
    assert post.body["authenticationConfiguration"] == {"@odata.type": POP_AUTHENTICATION}
    assert "callbackConfiguration" not in post.body  # launch and continue: no resume permission needed
    assert result.outs["extensionId"] == result.id and result.id in gov.state(graph)["catalogs"][catalog]["extensions"]


def test_a_logic_app_graph_cannot_find_is_refused(graph, catalog):
    with pytest.raises(GraphError) as err:
        ext_provider(graph).create(ext_props(catalog, workflow="not-there"))
    assert err.value.code == "InvalidLogicApp"


def test_read_reports_a_repointed_endpoint_and_the_next_up_repairs_it(graph, catalog):
    p = ext_provider(graph)
    created = p.create(ext_props(catalog))
    read = p.read(created.id, created.outs)
    assert not p.diff(created.id, read.outs, ext_props(catalog)).changes  # Graph's url and dates are not drift
    gov.add_logic_app(graph, SUB, RG, "attacker-app")
    ext = gov.state(graph)["catalogs"][catalog]["extensions"][created.id]
    ext["endpointConfiguration"]["logicAppWorkflowName"] = "attacker-app"  # changed in the portal
    drifted = p.read(created.id, created.outs)
    assert p.diff(created.id, drifted.outs, ext_props(catalog)).changes
    p.update(created.id, drifted.outs, ext_props(catalog))
    assert ext["endpointConfiguration"]["logicAppWorkflowName"] == WF


def test_names_compare_as_arm_compares_them(graph, catalog):
    p = ext_provider(graph)
    created = p.create(ext_props(catalog))
    upper = ext_props(catalog, workflow=WF.upper(), group=RG.upper())
    assert not p.diff(created.id, created.outs, upper).changes


def test_catalog_change_replaces_and_delete_is_idempotent(graph, catalog):
    p = ext_provider(graph)
    created = p.create(ext_props(catalog))
    assert p.diff(created.id, created.outs, ext_props(gov.add_catalog(graph))).replaces == ["catalogId"]
    p.delete(created.id, created.outs)
    p.delete(created.id, created.outs)
    assert p.read(created.id, created.outs).id == ""


def test_adopts_its_own_extension_and_refuses_one_calling_elsewhere(graph, catalog):
    p = ext_provider(graph)
    first = p.create(ext_props(catalog))
    graph.requests.clear()
    again = p.create(ext_props(catalog))  # an up without state: adopted, no second POST
    assert again.id == first.id and not graph.calls("POST", "customWorkflowExtensions")
    gov.add_logic_app(graph, SUB, RG, "other")
    with pytest.raises(GraphError) as err:
        p.create(ext_props(catalog, workflow="other"))
    assert err.value.code == "customExtensionExists"
    assert len(gov.state(graph)["catalogs"][catalog]["extensions"]) == 1


def test_check_refuses_other_endpoints_and_bearer_authentication(graph):
    good = ext_props("62e90394-69f5-4237-9190-012177145e10")
    http = {**good, "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "x"}}
    bearer = {**good, "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdTokenAuthentication"}}
    assert not ext_provider(graph).check({}, good).failures
    assert "Logic App endpoint" in ext_provider(graph).check({}, http).failures[0].reason
    assert "PoP" in ext_provider(graph).check({}, bearer).failures[0].reason
    with pytest.raises(ValueError, match="subscriptionId"):
        AccessPackageCustomExtension("x", "62e90394-69f5-4237-9190-012177145e10", "n", "not-a-guid", RG, WF)


# --- policy settings -----------------------------------------------------------------------------------------


def test_settings_merge_the_stages_into_the_whole_policy_and_keep_everything_else(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    before = {k: v for k, v in live(graph, policy).items() if k not in ("stages", "modifiedDateTime")}
    graph.requests.clear()
    result = settings_provider(graph).create(settings_props(policy, live(graph, policy)["accessPackageId"], ext))
    assert [r.method for r in graph.requests] == ["GET", "PUT"]  # no beta call without a Verified ID
    after = live(graph, policy)
    assert sorted(s for _, s, _ in after["stages"]) == ["assignmentRequestGranted", "assignmentRequestRemoved"]
    assert {k: v for k, v in after.items() if k not in ("stages", "modifiedDateTime")} == before  # nothing lost
    assert result.id == policy


def test_other_stage_entries_survive_and_declared_ones_are_replaced(graph, catalog):
    ext = make_extension(graph, catalog)
    gov.add_logic_app(graph, SUB, RG, "created-hook")
    other = ext_provider(graph).create(ext_props(catalog, name="created hook", workflow="created-hook")).id
    policy = gov.add_policy(graph, catalog)
    live(graph, policy)["stages"] = [
        ("s1", "assignmentRequestCreated", other),
        ("s2", "assignmentRequestGranted", other),
    ]
    settings_provider(graph).create(settings_props(policy, live(graph, policy)["accessPackageId"], ext))
    stages = sorted((s, e) for _, s, e in live(graph, policy)["stages"])
    assert stages == [
        ("assignmentRequestCreated", other),
        ("assignmentRequestGranted", ext),
        ("assignmentRequestRemoved", ext),
    ]


def test_verified_id_goes_through_the_beta_policy_and_reads_back(graph, catalog):
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    p = settings_provider(graph)
    props = settings_props(policy, package, None, stages=(), vc=VC)
    created = p.create(props)
    assert live(graph, policy)["verifiableCredentialSettings"] == VC
    assert live(graph, policy)["questions"]  # the beta PUT kept the ticket question
    read = p.read(created.id, created.outs)
    assert not p.diff(created.id, read.outs, props).changes


def test_a_wiping_put_by_the_azuread_provider_is_drift_and_the_fingerprint_reapplies(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    p = settings_provider(graph)
    props = settings_props(policy, package, ext, vc=VC)
    created = p.create(props)
    # the azuread provider's own PUT (it knows nothing of stages or Verified ID)
    live(graph, policy)["stages"], live(graph, policy)["verifiableCredentialSettings"] = [], None
    drifted = p.read(created.id, created.outs)
    assert drifted.outs["stages"] == [] and drifted.outs["verifiableCredentials"] is None
    assert p.diff(created.id, drifted.outs, props).changes
    changed = {**props, "policyFingerprint": "f2"}  # the azuread policy changed in the same up
    assert p.diff(created.id, created.outs, changed).changes
    p.update(created.id, drifted.outs, changed)
    assert len(live(graph, policy)["stages"]) == 2 and live(graph, policy)["verifiableCredentialSettings"] == VC


def test_a_stage_taken_out_of_the_declaration_is_removed(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    p = settings_provider(graph)
    created = p.create(settings_props(policy, package, ext))
    p.update(created.id, created.outs, settings_props(policy, package, ext, stages=("assignmentRequestGranted",)))
    assert [s for _, s, _ in live(graph, policy)["stages"]] == ["assignmentRequestGranted"]


def test_delete_takes_out_only_its_own_settings_and_a_gone_policy_is_fine(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    p = settings_provider(graph)
    created = p.create(settings_props(policy, package, ext, vc=VC))
    p.delete(created.id, created.outs)
    assert live(graph, policy)["stages"] == [] and live(graph, policy)["verifiableCredentialSettings"] is None
    assert live(graph, policy)["questions"] and live(graph, policy)["requestApprovalSettings"]
    del gov.state(graph)["policies"][policy]
    p.delete(created.id, created.outs)
    assert p.read(created.id, created.outs).id == ""


def test_check_refuses_bad_stages_and_credentials(graph):
    p = settings_provider(graph)
    base = settings_props("62e90394-69f5-4237-9190-012177145e10", "62e90394-69f5-4237-9190-012177145e11", None, ())
    twice = {**base, "stages": [{"stage": "assignmentRequestGranted", "customExtensionId": base["policyId"]}] * 2}
    wrong = {**base, "stages": [{"stage": "granted", "customExtensionId": base["policyId"]}]}
    no_issuer = {**base, "verifiableCredentials": {"credentialTypes": [{"credentialType": "X", "issuers": []}]}}
    face_alone = {**base, "faceCheckRequired": True}
    assert "twice" in p.check({}, twice).failures[0].reason
    assert "not one of" in p.check({}, wrong).failures[0].reason
    assert "issuer" in p.check({}, no_issuer).failures[0].reason
    assert "Face Check" in p.check({}, face_alone).failures[0].reason


TWO_HOURS = {"type": "afterDuration", "duration": "PT2H"}


def test_an_expiration_in_hours_replaces_the_policys_lifetime_and_keeps_everything_else(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    before = {k: v for k, v in live(graph, policy).items() if k not in ("stages", "expiration", "modifiedDateTime")}
    graph.requests.clear()
    props = {**settings_props(policy, live(graph, policy)["accessPackageId"], ext), "expiration": TWO_HOURS}
    settings_provider(graph).create(props)
    (put,) = graph.calls("PUT", "assignmentPolicies")
    assert put.body["expiration"] == TWO_HOURS
    after = live(graph, policy)
    assert after["expiration"]["type"] == "afterDuration" and after["expiration"]["duration"] == "PT2H"
    assert len(after["stages"]) == 2
    assert {k: v for k, v in after.items() if k not in ("stages", "expiration", "modifiedDateTime")} == before


def test_hours_alone_are_written_and_a_lost_expiration_is_drift_the_next_up_restores(graph, catalog):
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    p = settings_provider(graph)
    props = {**settings_props(policy, package, None, stages=()), "expiration": TWO_HOURS}
    created = p.create(props)  # no stages, no Verified ID: the lifetime alone still needs its PUT
    assert live(graph, policy)["expiration"]["duration"] == "PT2H"
    assert not p.diff(created.id, p.read(created.id, created.outs).outs, props).changes
    # the azuread provider's own PUT (whole days: beta durationInDays) puts the policy back to a day
    live(graph, policy)["expiration"] = {"type": "afterDuration", "duration": "P1D", "endDateTime": None}
    drifted = p.read(created.id, created.outs)
    assert drifted.outs["expiration"] == {"type": "afterDuration", "duration": "P1D"}
    assert p.diff(created.id, drifted.outs, props).changes
    p.update(created.id, drifted.outs, props)
    assert live(graph, policy)["expiration"]["duration"] == "PT2H"


def test_an_expiration_compares_in_canonical_form(graph):
    p = settings_provider(graph)
    base = settings_props("62e90394-69f5-4237-9190-012177145e10", "62e90394-69f5-4237-9190-012177145e11", None, ())
    olds = {**base, "expiration": TWO_HOURS}
    assert not p.diff("x", olds, {**base, "expiration": {"type": "afterDuration", "duration": "PT120M"}}).changes
    assert p.diff("x", olds, {**base, "expiration": {"type": "afterDuration", "duration": "PT3H"}}).changes


def test_check_refuses_an_expiration_that_never_ends_or_meets_a_verified_id(graph):
    p = settings_provider(graph)
    base = settings_props("62e90394-69f5-4237-9190-012177145e10", "62e90394-69f5-4237-9190-012177145e11", None, ())
    never = {**base, "expiration": {"type": "noExpiration"}}
    garbled = {**base, "expiration": {"type": "afterDuration", "duration": "two hours"}}
    with_vc = {**base, "expiration": TWO_HOURS, "verifiableCredentials": VC}
    assert "afterDuration" in p.check({}, never).failures[0].reason
    assert "ISO 8601" in p.check({}, garbled).failures[0].reason
    assert "whole days" in p.check({}, with_vc).failures[0].reason
    assert not p.check({}, {**base, "expiration": TWO_HOURS}).failures


def test_merged_body_never_carries_read_only_members():
    body = merged_v1(
        {"id": "p", "createdDateTime": "x", "modifiedDateTime": "y", "catalog": {"id": "c"}, "displayName": "d"},
        [],
        set(),
        "pkg",
    )
    assert body == {"id": "p", "displayName": "d", "accessPackage": {"id": "pkg"}, "customExtensionStageSettings": []}


def test_import_by_catalog_and_extension_id(graph, catalog):
    created = ext_provider(graph).create(ext_props(catalog))
    read = ext_provider(graph).read(f"{catalog}/{created.id}", {})
    assert read.id == created.id and read.outs["catalogId"] == catalog
    assert read.outs["endpointConfiguration"]["logicAppWorkflowName"] == WF
    with pytest.raises(GraphError, match="catalogId"):
        ext_provider(graph).read(created.id, {})


def test_a_settings_resource_that_only_records_reach_writes_nothing(graph, catalog):
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    props = {
        **settings_props(policy, package, None, stages=()),
        "onPremisesReach": {"writebackGroups": ["Domain Admins"]},
    }
    graph.requests.clear()
    created = settings_provider(graph).create(props)
    assert [r.method for r in graph.requests] == [] and created.outs["onPremisesReach"]["writebackGroups"]


def test_stages_and_verified_id_together_are_confirmed_and_a_dropping_beta_put_fails_loudly(graph, catalog):
    ext = make_extension(graph, catalog)
    policy = gov.add_policy(graph, catalog)
    package = live(graph, policy)["accessPackageId"]
    props = settings_props(policy, package, ext, vc=VC)
    settings_provider(graph).create(props)
    assert len(live(graph, policy)["stages"]) == 2 and live(graph, policy)["verifiableCredentialSettings"] == VC
    gov.state(graph)["beta_put_drops_stages"] = True
    other = gov.add_policy(graph, catalog)
    with pytest.raises(GraphError) as err:
        settings_provider(graph).create(settings_props(other, live(graph, other)["accessPackageId"], ext, vc=VC))
    assert err.value.code == "settingsNotKept"


@pytest.mark.parametrize(
    "workflow_id, error",
    [
        ("/subscriptions/S1/resourceGroups/RG/providers/Microsoft.Logic/workflows/WF", None),  # ARM: any case
        ("/subscriptions/s2/resourceGroups/rg/providers/Microsoft.Logic/workflows/wf", "another Logic App"),
        ("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/sites/wf", "ARM ID"),
        ("not-an-id", "ARM ID"),
    ],
)
def test_a_recorded_workflow_id_must_be_the_logic_app_the_endpoint_names(workflow_id, error):
    """workflowId (the Workflow's ARM ID output, kept in state for the policy pack) and the endpoint agree."""
    from components.graph.custom_extension import logic_app_endpoint, validate

    props = {
        "catalogId": "62e90394-0000-4000-8000-000000000001",
        "endpointConfiguration": logic_app_endpoint("00000000-0000-4000-8000-0000000000b2", "rg", "wf"),
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
        "workflowId": workflow_id.replace("S1", "00000000-0000-4000-8000-0000000000B2").replace(
            "s1", "00000000-0000-4000-8000-0000000000b2"
        ),
    }
    if error is None:
        validate(props)
    else:
        with pytest.raises(ValueError, match=error):
            validate(props)
