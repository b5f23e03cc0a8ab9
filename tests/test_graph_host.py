"""The example stack's Graph resources through the SDK's real dynamic-provider host, against the stand-in.

Inputs are the ones the example stack registers (a preview of `stacks/Pulumi.example.yaml`), with the IDs
the preview cannot know filled in as UPPER-CASE GUIDs (Graph answers lower case). Every call goes through
`python -m pulumi.dynamic` over gRPC, so whole numbers reach the providers as floats and `None` values
vanish, as under `pulumi up`. Each resource is created, refreshed (no diff), updated, changed in the
"portal" (refresh shows the drift, the next `up` repairs it) and destroyed; the `graph` fixture checks
every request and answer against Microsoft's Graph SDK models.
"""

from __future__ import annotations

import copy
import itertools
import os

import pytest
from graph_standin import CONNECTOR_GROUP
from privileged_facts.values import is_unknown
from provider_host import HostProcess, destroy, refresh, up

from pum.engine import run_preview
from pum.wire import UNKNOWN as PREVIEW_UNKNOWN

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DYNAMIC = "pulumi-python:dynamic:Resource"


@pytest.fixture(scope="module")
def example_graph_inputs():
    """graphKind -> [(name, inputs)] of the example stack's Graph resources, IDs filled in."""
    report = run_preview(ROOT, cwd=ROOT, stack="example", policy_packs=[])
    ids = (f"{n:08X}-ABCD-4EF0-8123-{n:012X}" for n in itertools.count(0xA0))

    def fill(value, key=""):
        if isinstance(value, dict):
            return {k: fill(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v, key) for v in value]
        if value is PREVIEW_UNKNOWN or is_unknown(value):
            return f"/administrativeUnits/{next(ids)}" if key == "directoryScopeId" else next(ids)
        return value

    by_kind: dict[str, list] = {}
    for res in report.resources:
        # the runbook content provider carries a graphKind too but speaks ARM (tests/test_runbook_content.py)
        if res.type == DYNAMIC and res.inputs.get("graphKind") not in (None, "runbookContent"):
            inputs = fill({k: v for k, v in res.inputs.items() if k != "__provider"})
            by_kind.setdefault(inputs["graphKind"], []).append((res.name, inputs))
    # the four below run here; the newer kinds run the example's inputs through the host in their own test files
    # (test_graph_conditional_access, test_graph_credentials, test_graph_journey_automation_host)
    assert set(by_kind) == {
        "entraRoleSettings",
        "directoryRoleEligibility",
        "privateAccessApp",
        "lifecycleWorkflow",
        "authenticationContext",
        "conditionalAccessPolicy",
        "passwordDiscard",
        "temporaryAccessPassPolicy",
        "accessPackageCustomExtension",
        "accessPackagePolicySettings",
    }
    return by_kind


def hosted(provider):
    return HostProcess(provider)  # inherits PUM_GRAPH_BASE_URL / PUM_GRAPH_TOKEN set by the graph fixture


def writes(graph, since):
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


def test_role_settings_through_the_host(graph, example_graph_inputs):
    from components.graph.role_settings import EntraRoleSettingsProvider

    for _name, inputs in example_graph_inputs["entraRoleSettings"]:
        with hosted(EntraRoleSettingsProvider()) as host:
            state, what = up(host, inputs)
            assert what == "create"
            policy = graph.policy(inputs["roleDefinitionId"])
            for rule in inputs["rules"]:
                live = policy["rules"][rule["id"]]
                assert {k: live[k] for k in rule if k != "target"} == {k: v for k, v in rule.items() if k != "target"}
            state = refresh(host, state)
            mark = len(graph.requests)
            assert up(host, inputs, state)[1] == "same"  # Graph's "all" is not drift

            policy["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] = "PT8H"  # widened in the portal
            drifted = refresh(host, state)
            assert drifted.outputs["rules"] != state.outputs["rules"]
            mark = len(graph.requests)
            state, what = up(host, inputs, drifted)
            assert what == "update"
            assert writes(graph, mark) == [
                ("PATCH", f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/Expiration_EndUser_Assignment")
            ]
            assert policy["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] != "PT8H"
            assert up(host, inputs, refresh(host, state))[1] == "same"
            destroy(host, state)  # policies cannot be deleted: the hardened rules stay
            assert policy["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] != "PT8H"


def test_eligibility_through_the_host(graph, example_graph_inputs):
    from components.graph.role_eligibility import DirectoryRoleEligibilityProvider

    ((_name, inputs),) = example_graph_inputs["directoryRoleEligibility"]
    assert inputs["principalId"] != inputs["principalId"].lower()  # upper-case IDs in, lower-case answers out
    with hosted(DirectoryRoleEligibilityProvider()) as host:
        state, what = up(host, inputs)
        (schedule,) = graph.schedules.values()
        assert state.id == schedule["id"] and schedule["principalId"] == inputs["principalId"].lower()
        assert up(host, inputs, refresh(host, state))[1] == "same"  # no delete and re-create over case

        longer = copy.deepcopy(inputs)
        longer["scheduleInfo"]["expiration"]["duration"] = "P90D"
        state, what = up(host, longer, refresh(host, state))
        assert what == "update" and len(graph.schedules) == 1
        assert up(host, longer, refresh(host, state))[1] == "same"

        graph.schedules.clear()  # removed in the portal
        assert refresh(host, state) is None
        state, what = up(host, longer)
        assert what == "create" and len(graph.schedules) == 1
        destroy(host, state)
        assert graph.schedules == {}


def test_private_access_app_through_the_host(graph, example_graph_inputs):
    from components.graph.private_access import PrivateAccessApplicationProvider

    for _name, inputs in example_graph_inputs["privateAccessApp"]:
        graph.connector_groups.add(inputs["connectorGroupId"].lower())
    for _name, inputs in example_graph_inputs["privateAccessApp"]:
        with hosted(PrivateAccessApplicationProvider()) as host:
            state, what = up(host, inputs)
            app = graph.apps[state.id]
            assert app["displayName"] == inputs["displayName"] and inputs["ownerTag"] in app["tags"]
            assert up(host, inputs, refresh(host, state))[1] == "same"

            wider = copy.deepcopy(inputs)
            wider["segments"].append(
                {"destinationHost": "10.99.0.1", "destinationType": "ipAddress", "ports": ["22-22"], "protocol": "tcp"}
            )
            state, what = up(host, wider, refresh(host, state))
            assert what == "update" and len(graph.segments[state.id]) == len(wider["segments"])

            sp_id = state.outputs["servicePrincipalId"]
            intruder = "ffffffff-0000-4000-8000-0000000000ff"
            graph.assignments[sp_id]["portal"] = {
                "id": "portal",
                "principalId": intruder,
                "resourceId": sp_id,
                "appRoleId": state.outputs["appRoleId"],
                "principalType": "Group",
            }
            drifted = refresh(host, state)
            assert intruder in drifted.outputs["assignedGroupIds"]
            state, what = up(host, wider, drifted)
            assert what == "update" and intruder not in {a["principalId"] for a in graph.assignments[sp_id].values()}
            assert up(host, wider, refresh(host, state))[1] == "same"
            destroy(host, state)
            assert state.id not in graph.apps
    assert graph.apps == {}
    assert CONNECTOR_GROUP in graph.connector_groups


def test_leaver_workflow_through_the_host(graph, example_graph_inputs):
    from components.graph.lifecycle import LeaverWorkflowProvider

    ((_name, inputs),) = example_graph_inputs["lifecycleWorkflow"]
    offset = inputs["executionConditions"]["trigger"]["offsetInDays"]
    with hosted(LeaverWorkflowProvider()) as host:
        state, what = up(host, inputs)  # the host hands the provider a float; Graph's Int32 gets an integer
        (workflow,) = graph.workflows.values()
        sent = workflow["executionConditions"]["trigger"]["offsetInDays"]
        assert sent == offset and type(sent) is int
        assert up(host, inputs, refresh(host, state))[1] == "same"

        later = copy.deepcopy(inputs)
        later["executionConditions"]["trigger"]["offsetInDays"] = 7
        state, what = up(host, later, refresh(host, state))
        assert what == "update" and workflow["version"] == 2 and len(graph.workflows) == 1

        workflow["isEnabled"] = workflow["isSchedulingEnabled"] = False  # switched off in the portal
        drifted = refresh(host, state)
        assert drifted.outputs["isEnabled"] is False
        state, what = up(host, later, drifted)
        assert what == "update" and workflow["isEnabled"] is True
        assert up(host, later, refresh(host, state))[1] == "same"
        destroy(host, state)
        assert graph.workflows == {}
