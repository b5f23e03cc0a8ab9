"""Attacks on the Graph providers: faults, answers and tenants that a production run meets, each a way
to duplicate, orphan or silently take over an object, or to show drift forever (or miss it).

Every step goes through the SDK's serialiser (`HostConverted`), the client never really sleeps (the
stand-in records the sleeps), and the `graph` fixture checks every exchange against Microsoft's SDK
models.
"""

from __future__ import annotations

import copy

import pytest
from graph_standin import CONNECTOR_GROUP
from provider_host import HostConverted, refresh, up

from components.graph.client import GraphError
from components.graph.lifecycle import LeaverWorkflowProvider, conditions, leaver_tasks
from components.graph.private_access import PrivateAccessApplicationProvider
from components.graph.role_settings import EntraRoleSettingsProvider, build_role_rules

ADMINS = "eeeeeeee-0000-4000-8000-000000000001"
APPROVER_GROUP = "bbbbbbbb-0000-4000-8000-000000000001"
APPROVER_USER = "bbbbbbbb-0000-4000-8000-000000000002"
GA = "62e90394-69f5-4237-9190-012177145e10"
TAG = "pum:" + "cd" * 16

APP = {
    "graphKind": "privateAccessApp",
    "displayName": "Linux SSH",
    "applicationType": "nonwebapp",
    "segments": [
        {"destinationHost": "10.1.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22-22"], "protocol": "tcp"}
    ],
    "connectorGroupId": CONNECTOR_GROUP,
    "assignedGroupIds": [ADMINS],
    "ownerTag": TAG,
}

WORKFLOW = {
    "graphKind": "lifecycleWorkflow",
    "category": "leaver",
    "displayName": "IT leavers",
    "description": "Removes a leaver's access",
    "isEnabled": True,
    "isSchedulingEnabled": True,
    "executionConditions": conditions("(department eq 'IT')", 0),
    "tasks": leaver_tasks(),
}


def pa(graph) -> HostConverted:
    return HostConverted(PrivateAccessApplicationProvider(client_factory=graph.client))


def wf(graph) -> HostConverted:
    return HostConverted(LeaverWorkflowProvider(client_factory=graph.client))


def writes(graph, since: int) -> list:
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


# -- (b) orphans ------------------------------------------------------------------------------------
def test_a_rollback_delete_answered_404_by_a_lagging_replica_is_retried_not_taken_as_done(graph):
    """A half-made application's rollback DELETE meets the same replication lag as the step that failed;
    a 404 then means "not replicated yet", not "gone": the rollback retries it and the app is deleted."""
    graph.lag(9)  # the tagging PATCH exhausts its 6 tries; the DELETE sees 3 more 404s, then the app
    with pytest.raises(GraphError):
        up(pa(graph), APP)
    assert graph.apps == {} and graph.sps == {}


def test_a_rollback_that_never_sees_the_app_says_it_may_be_left(graph):
    graph.lag(40)
    with pytest.raises(GraphError) as err:
        up(pa(graph), APP)
    (left,) = graph.apps
    assert any(left in note for note in getattr(err.value, "__notes__", [])), "the leftover app is not named"


# -- (a)/(d) the owner tag is what makes a re-run adopt; its loss must show --------------------------
def test_an_owner_tag_removed_in_the_portal_is_drift_and_is_put_back(graph):
    state, _ = up(pa(graph), APP)
    graph.apps[state.id]["tags"] = []  # removed in the portal
    drifted = refresh(pa(graph), state)
    assert drifted is not None
    state, what = up(pa(graph), APP, drifted)
    assert what == "update" and TAG in graph.apps[state.id]["tags"]
    assert up(pa(graph), APP, refresh(pa(graph), state))[1] == "same"
    again, _ = up(pa(graph), APP)  # the state is lost: the next `up` must adopt, not make a second app
    assert again.id == state.id and len(graph.apps) == 1


def test_an_imported_app_gets_the_owner_tag_at_the_next_up(graph):
    made, _ = up(pa(graph), {**APP, "ownerTag": "pum:" + "ee" * 16})  # made by another run, then imported
    graph.apps[made.id]["tags"] = []
    imported = refresh(pa(graph), type(made)(made.id, {}, {}))
    assert imported is not None
    state, what = up(pa(graph), APP, imported)
    assert what == "update" and TAG in graph.apps[state.id]["tags"]
    assert up(pa(graph), APP, refresh(pa(graph), state))[1] == "same"
    again, _ = up(pa(graph), APP)
    assert again.id == state.id and len(graph.apps) == 1


# -- (d) drift that never ends ----------------------------------------------------------------------
def test_a_group_declared_twice_is_not_drift_forever(graph):
    twice = {**APP, "assignedGroupIds": [ADMINS, ADMINS.upper()]}  # e.g. the admin group is also the PAW group
    state, _ = up(pa(graph), twice)
    (sp_id,) = graph.assignments
    assert [a["principalId"] for a in graph.assignments[sp_id].values()] == [ADMINS]
    mark = len(graph.requests)
    assert up(pa(graph), twice, refresh(pa(graph), state))[1] == "same"
    assert writes(graph, mark) == []


def test_approvers_answered_in_another_order_are_not_drift(graph):
    inputs = {
        "graphKind": "entraRoleSettings",
        "roleDefinitionId": GA,
        "rules": build_role_rules(
            require_approval=True, approver_group_ids=[APPROVER_GROUP], approver_user_ids=[APPROVER_USER]
        ),
    }
    host = HostConverted(EntraRoleSettingsProvider(client_factory=graph.client))
    state, _ = up(host, inputs)
    stage = graph.policy(GA)["rules"]["Approval_EndUser_Assignment"]["setting"]["approvalStages"][0]
    stage["primaryApprovers"].reverse()  # Graph keeps no order in a collection
    mark = len(graph.requests)
    assert up(host, inputs, refresh(host, state))[1] == "same"
    assert writes(graph, mark) == []
    stage["primaryApprovers"][0] = {"@odata.type": "#microsoft.graph.singleUser", "userId": ADMINS}  # real drift
    drifted = refresh(host, state)
    assert up(host, inputs, drifted)[1] == "update"


def test_workflow_tasks_answered_in_another_order_are_not_drift_but_a_reordering_is(graph):
    state, _ = up(wf(graph), WORKFLOW)
    (live,) = graph.workflows.values()
    live["tasks"].reverse()  # the same execution sequence, listed in another order
    mark = len(graph.requests)
    assert up(wf(graph), WORKFLOW, refresh(wf(graph), state))[1] == "same"
    assert writes(graph, mark) == []
    for task in live["tasks"]:  # really reordered in the portal: the account is disabled first
        task["executionSequence"] = 4 - task["executionSequence"]
    assert up(wf(graph), WORKFLOW, refresh(wf(graph), state))[1] == "update"


# -- (f) takeover -----------------------------------------------------------------------------------
def test_a_workflow_of_the_same_name_with_a_wider_scope_is_never_narrowed_silently(graph):
    """A leaver workflow made by someone else under the declared name covers more leavers; adopting it
    would rewrite its scope and leave those leavers with their access."""
    wider = copy.deepcopy(WORKFLOW)
    wider["executionConditions"] = conditions("(department eq 'IT') or (department eq 'Finance')", 0)
    made, _ = up(wf(graph), wider)  # the other workflow
    with pytest.raises(GraphError) as err:
        up(wf(graph), WORKFLOW)
    assert "pulumi import" in str(err.value)
    live = graph.workflows[made.id]
    assert live["version"] == 1 and "Finance" in live["executionConditions"]["scope"]["rule"]
    assert len(graph.workflows) == 1


def test_a_workflow_left_by_an_interrupted_up_is_still_adopted(graph):
    graph.lose_answer("POST", "lifecycleWorkflows/workflows", how="drop")
    state, _ = up(wf(graph), WORKFLOW)
    assert len(graph.workflows) == 1 and state.id in graph.workflows
    assert len(graph.calls("POST", "lifecycleWorkflows/workflows")) == 1
