"""The example stack's journey-automation Graph resources through the SDK's dynamic-provider host, and the faults a
production tenant produces, against the Graph stand-in.

Inputs are the ones the example stack registers (a preview of stacks/Pulumi.example.yaml), with the IDs the preview
cannot know filled in as UPPER-CASE GUIDs (Graph answers lower case). `HostProcess` runs the provider in
`python -m pulumi.dynamic` over gRPC; `HostConverted` carries every value through the SDK's serialiser in this
process (fault tests). Each custom extension and each policy's settings is created, refreshed (no diff), changed in
the "portal" (refresh shows it, the next `up` repairs it) and destroyed; faults end with exactly one object, no
token sent off the Graph host and a clean next `up`.
"""

from __future__ import annotations

import copy
import itertools
import os

import pytest
import standin_governance as gov
from privileged_facts.values import is_unknown
from provider_host import HostConverted, HostProcess, destroy, refresh, up

from components.graph.assignment_policy_settings import AssignmentPolicySettingsProvider
from components.graph.client import GraphError
from components.graph.custom_extension import AccessPackageCustomExtensionProvider
from pum.engine import run_preview
from pum.wire import UNKNOWN as PREVIEW_UNKNOWN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DYNAMIC = "pulumi-python:dynamic:Resource"
KINDS = ("accessPackageCustomExtension", "accessPackagePolicySettings")


@pytest.fixture(scope="module")
def example():
    """graphKind -> [(name, inputs)] of the example's journey-automation resources, unknown IDs filled in."""
    report = run_preview(ROOT, cwd=ROOT, stack="example", policy_packs=[])
    ids = (f"{n:08X}-ABCD-4EF0-8123-{n:012X}" for n in itertools.count(0xB0))

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return next(ids) if value is PREVIEW_UNKNOWN or is_unknown(value) else value

    by_kind: dict[str, list] = {}
    for res in report.resources:
        if res.type == DYNAMIC and res.inputs.get("graphKind") in KINDS:
            inputs = fill({k: v for k, v in res.inputs.items() if k != "__provider"})
            endpoint = inputs.get("endpointConfiguration")
            if "workflowId" in inputs and isinstance(endpoint, dict):  # the Workflow's ARM ID, as `up` resolves it
                inputs["workflowId"] = (
                    f"/subscriptions/{endpoint['subscriptionId']}/resourceGroups/{endpoint['resourceGroupName']}"
                    f"/providers/Microsoft.Logic/workflows/{endpoint['logicAppWorkflowName']}"
                )
            by_kind.setdefault(inputs["graphKind"], []).append((res.name, inputs))
    assert {k: len(v) for k, v in by_kind.items()} == {KINDS[0]: 2, KINDS[1]: 3}
    return by_kind


def _seed_extension(graph, inputs) -> str:
    endpoint = inputs["endpointConfiguration"]
    gov.add_logic_app(
        graph, endpoint["subscriptionId"], endpoint["resourceGroupName"], endpoint["logicAppWorkflowName"]
    )
    gov.state(graph)["catalogs"].setdefault(inputs["catalogId"].lower(), {"extensions": {}})
    return inputs["catalogId"].lower()


def _seed_policy(graph, inputs) -> str:
    """The azuread provider's policy (and the extensions its stages name) in the stand-in, under the filled-in IDs."""
    catalog = gov.add_catalog(graph)
    gov.add_logic_app(graph, "00000000-0000-4000-8000-0000000000b2", "rg", "wf")
    for stage in inputs["stages"]:
        ext = stage["customExtensionId"].lower()
        gov.state(graph)["catalogs"][catalog]["extensions"][ext] = {
            "@odata.type": gov.REQUEST_TYPE,
            "id": ext,
            "displayName": "x",
            "description": None,
            "endpointConfiguration": {
                "@odata.type": gov.LOGIC_APP,
                "subscriptionId": "00000000-0000-4000-8000-0000000000b2",
                "resourceGroupName": "rg",
                "logicAppWorkflowName": "wf",
                "url": "https://prod-00.westeurope.logic.azure.com/x",
            },
            "authenticationConfiguration": {"@odata.type": gov.POP},
            "clientConfiguration": None,
            "callbackConfiguration": None,
        }
    made = gov.add_policy(graph, catalog, inputs["accessPackageId"].lower())
    policy = gov.state(graph)["policies"].pop(made)
    policy["id"] = inputs["policyId"].lower()
    gov.state(graph)["policies"][policy["id"]] = policy
    return policy["id"]


def writes(graph, since):
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


def test_custom_extensions_through_the_host(graph, example):
    for _name, inputs in example[KINDS[0]]:
        catalog = _seed_extension(graph, inputs)
        with HostProcess(AccessPackageCustomExtensionProvider()) as host:
            state, what = up(host, inputs)
            assert what == "create"
            state = refresh(host, state)
            mark = len(graph.requests)
            assert up(host, inputs, state)[1] == "same" and not writes(graph, mark)
            ext = gov.state(graph)["catalogs"][catalog]["extensions"][state.id]
            ext["displayName"] = "renamed in the portal"
            drifted = refresh(host, state)
            assert drifted.outputs["displayName"] == "renamed in the portal"
            state, what = up(host, inputs, drifted)
            assert what == "update" and ext["displayName"] == inputs["displayName"]
            destroy(host, state)
            assert state.id not in gov.state(graph)["catalogs"][catalog]["extensions"]


def test_policy_settings_through_the_host(graph, example):
    assert any(inputs.get("expiration") for _name, inputs in example[KINDS[1]])  # the two-hour journey is among them
    for _name, inputs in example[KINDS[1]]:
        policy_id = _seed_policy(graph, inputs)
        policy = gov.state(graph)["policies"][policy_id]
        with HostProcess(AssignmentPolicySettingsProvider()) as host:
            state, what = up(host, inputs)
            assert what == "create" and state.id == policy_id
            assert sorted(s for _, s, _ in policy["stages"]) == sorted(s["stage"] for s in inputs["stages"])
            if inputs.get("verifiableCredentials"):
                assert policy["verifiableCredentialSettings"] == inputs["verifiableCredentials"]
            if inputs.get("expiration"):  # the User Admin journey: two hours, through the host's serialisation
                assert policy["expiration"]["duration"] == inputs["expiration"]["duration"] == "PT2H"
            state = refresh(host, state)
            mark = len(graph.requests)
            assert up(host, inputs, state)[1] == "same" and not writes(graph, mark)
            policy["stages"], policy["verifiableCredentialSettings"] = [], None  # the azuread provider's PUT
            if inputs.get("expiration"):
                policy["expiration"] = {"type": "afterDuration", "duration": "P1D", "endDateTime": None}
            drifted = refresh(host, state)
            assert up(host, inputs, drifted)[1] == (
                "update"
                if inputs["stages"] or inputs.get("verifiableCredentials") or inputs.get("expiration")
                else "same"
            )
            assert len(policy["stages"]) == len(inputs["stages"])
            if inputs.get("expiration"):
                assert policy["expiration"]["duration"] == "PT2H"
            destroy(host, state)
            assert policy["stages"] == [] and policy["questions"]


# --- faults ---------------------------------------------------------------------------------------------------

SUB, RG, WF = "00000000-0000-4000-8000-0000000000b2", "RG-PUM-Journeys", "PUM-Journeys-Onboarding"


@pytest.fixture
def ext_inputs(graph):
    gov.add_logic_app(graph, SUB, RG, WF)
    catalog = gov.add_catalog(graph).upper()  # the host may hand over an upper-case ID
    return {
        "graphKind": "accessPackageCustomExtension",
        "catalogId": catalog,
        "displayName": "PUM onboarding",
        "description": "x",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
            "subscriptionId": SUB,
            "resourceGroupName": RG,
            "logicAppWorkflowName": WF,
        },
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
    }


def _extensions(graph, inputs):
    return gov.state(graph)["catalogs"][inputs["catalogId"].lower()]["extensions"]


@pytest.mark.parametrize("how", ["504", "drop"])
def test_a_lost_create_answer_adopts_instead_of_duplicating(graph, ext_inputs, how):
    host = HostConverted(AccessPackageCustomExtensionProvider(client_factory=graph.client))
    graph.lose_answer("POST", "customWorkflowExtensions", how=how)
    state, _ = up(host, ext_inputs)
    assert len(_extensions(graph, ext_inputs)) == 1 and state.id in _extensions(graph, ext_inputs)
    assert len(graph.calls("POST", "customWorkflowExtensions")) == 1
    assert up(host, ext_inputs, refresh(host, state))[1] == "same"


def test_a_lost_answer_under_lag_and_lag_beyond_the_budget(graph, ext_inputs):
    host = HostConverted(AccessPackageCustomExtensionProvider(client_factory=graph.client))
    graph.lag(2)
    graph.lose_answer("POST", "customWorkflowExtensions")
    state, _ = up(host, ext_inputs)
    assert len(_extensions(graph, ext_inputs)) == 1 and state.id in _extensions(graph, ext_inputs)
    graph.settle()
    for ext in list(_extensions(graph, ext_inputs)):
        del _extensions(graph, ext_inputs)[ext]
    graph.lag(50)
    graph.lose_answer("POST", "customWorkflowExtensions")
    with pytest.raises(GraphError) as err:
        up(host, ext_inputs)
    assert err.value.code == "createOutcomeUnknown"
    graph.settle()
    state, what = up(host, ext_inputs)  # the next up looks first and adopts it
    assert len(_extensions(graph, ext_inputs)) == 1 and len(graph.calls("POST", "customWorkflowExtensions")) == 2


def test_throttling_and_a_cross_origin_redirect(graph, other_origin, ext_inputs):
    host = HostConverted(AccessPackageCustomExtensionProvider(client_factory=graph.client))
    graph.throttle(2)
    state, _ = up(host, ext_inputs)
    assert len(_extensions(graph, ext_inputs)) == 1 and graph.sleeps
    graph.redirect_next("PATCH", "customWorkflowExtensions", to=other_origin.url)
    changed = {**ext_inputs, "displayName": "PUM onboarding v2"}
    with pytest.raises(GraphError):
        up(host, changed, state)
    assert other_origin.authorizations == []
    state, what = up(host, changed, state)
    assert what == "update" and _extensions(graph, ext_inputs)[state.id]["displayName"] == "PUM onboarding v2"


def test_settings_under_lag_throttling_and_a_lost_put_answer(graph, ext_inputs):
    ext_host = HostConverted(AccessPackageCustomExtensionProvider(client_factory=graph.client))
    ext_state, _ = up(ext_host, ext_inputs)
    policy_id = gov.add_policy(graph, ext_inputs["catalogId"].lower())
    package = gov.state(graph)["policies"][policy_id]["accessPackageId"]
    inputs = {
        "graphKind": "accessPackagePolicySettings",
        "policyId": policy_id.upper(),
        "accessPackageId": package.upper(),
        "stages": [{"stage": "assignmentRequestApproved", "customExtensionId": ext_state.id.upper()}],
        "verifiableCredentials": None,
        "faceCheckRequired": False,
        "onPremisesReach": {"adGroups": [], "sudoGroups": []},
        "policyFingerprint": "abc",
    }
    host = HostConverted(AssignmentPolicySettingsProvider(client_factory=graph.client))
    graph.throttle(1)
    graph.lose_answer("PUT", "assignmentPolicies", how="504")  # it took effect; the client repeats the PUT
    state, what = up(host, inputs)
    assert len(graph.calls("PUT", "assignmentPolicies")) == 2  # a PUT is idempotent: repeating it is safe
    policy = gov.state(graph)["policies"][policy_id]
    assert [s for _, s, _ in policy["stages"]] == ["assignmentRequestApproved"]
    assert up(host, inputs, refresh(host, state))[1] == "same"  # upper-case IDs are not drift
    assert copy.deepcopy(policy["questions"])
