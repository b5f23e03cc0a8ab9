"""Attacks on the Graph providers: faults, answers and tenants that a production run meets, each a way
to duplicate, orphan or silently take over an object, or to show drift forever (or miss it).

Every step goes through the SDK's serialiser (`HostConverted`), the client never really sleeps (the
stand-in records the sleeps), and the `graph` fixture checks every exchange against Microsoft's SDK
models.
"""

from __future__ import annotations

import copy

import pytest
from provider_host import HostConverted, refresh, up

from components.graph.client import GraphError
from components.graph.lifecycle import LeaverWorkflowProvider, conditions, leaver_tasks
from components.graph.role_settings import EntraRoleSettingsProvider, build_role_rules

ADMINS = "eeeeeeee-0000-4000-8000-000000000001"
APPROVER_GROUP = "bbbbbbbb-0000-4000-8000-000000000001"
APPROVER_USER = "bbbbbbbb-0000-4000-8000-000000000002"
GA = "62e90394-69f5-4237-9190-012177145e10"
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


def wf(graph) -> HostConverted:
    return HostConverted(LeaverWorkflowProvider(client_factory=graph.client))


def writes(graph, since: int) -> list:
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


# -- (d) drift that never ends ----------------------------------------------------------------------
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
