"""LeaverWorkflow provider against the local Graph stand-in."""

import pytest

from components.graph.lifecycle import LeaverWorkflow, LeaverWorkflowProvider, conditions, leaver_tasks

RULE = "(department eq 'IT')"


def provider(graph):
    return LeaverWorkflowProvider(client_factory=graph.client)


def props(rule=RULE, offset=0, **extra):
    return {
        "graphKind": "lifecycleWorkflow",
        "category": "leaver",
        "displayName": "IT leavers",
        "description": "strip access",
        "isEnabled": True,
        "isSchedulingEnabled": True,
        "executionConditions": conditions(rule, offset),
        "tasks": leaver_tasks(),
        **extra,
    }


def test_create_posts_a_leaver_workflow_with_the_three_tasks_in_order(graph):
    graph.lag(1)
    result = provider(graph).create(props())
    (post,) = graph.calls("POST", "workflows")
    assert "graphKind" not in post.body and post.body["category"] == "leaver"
    assert [t["taskDefinitionId"] for t in post.body["tasks"]] == [
        "42ae2956-193d-4f39-be06-691b8ac4fa1d",
        "b3a31406-2a15-4c9a-b25b-a658fa5f07fc",
        "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
    ]
    trigger = post.body["executionConditions"]["trigger"]
    assert (trigger["timeBasedAttribute"], trigger["offsetInDays"]) == ("employeeLeaveDateTime", 0)
    assert result.id in graph.workflows and result.outs["version"] == 1
    assert graph.sleeps == [2.0]  # the confirming read waited out the replication lag


def test_read_matches_then_reports_portal_edits(graph):
    p = provider(graph)
    created = p.create(props())
    read = p.read(created.id, created.outs)
    assert not p.diff(created.id, read.outs, props()).changes  # Graph's task ids/sequence are not drift
    graph.workflows[created.id]["tasks"].pop()  # "Disable user account" removed in the portal
    graph.workflows[created.id]["isSchedulingEnabled"] = False
    drifted = p.read(created.id, created.outs)
    assert len(drifted.outs["tasks"]) == 2 and drifted.outs["isSchedulingEnabled"] is False
    assert p.diff(created.id, drifted.outs, props()).changes


def test_basic_change_patches_and_task_or_condition_change_makes_a_new_version(graph):
    p = provider(graph)
    created = p.create(props())
    graph.requests.clear()
    renamed = p.update(created.id, created.outs, props(displayName="IT leavers v2"))
    assert [(r.method, r.body) for r in graph.requests] == [
        (
            "PATCH",
            {
                "displayName": "IT leavers v2",
                "description": "strip access",
                "isEnabled": True,
                "isSchedulingEnabled": True,
            },
        )
    ]
    graph.requests.clear()
    rescoped = p.update(created.id, renamed.outs, props(rule="(department eq 'Ops')", offset=1))
    (post,) = graph.calls("POST", "createNewVersion")
    assert post.body["workflow"]["executionConditions"]["scope"]["rule"] == "(department eq 'Ops')"
    assert rescoped.outs["version"] == 2 and graph.workflows[created.id]["version"] == 2


def test_category_change_replaces(graph):
    assert provider(graph).diff("w", props(), props(category="mover")).replaces == ["category"]


def test_delete_and_gone(graph):
    p = provider(graph)
    created = p.create(props())
    p.delete(created.id, created.outs)
    assert graph.workflows == {}
    p.delete(created.id, created.outs)
    assert p.read(created.id, created.outs).id == ""


def test_check_and_component_validation(graph):
    failures = provider(graph).check({}, props(isEnabled=False)).failures
    assert [f.property for f in failures] == ["executionConditions"] and "isSchedulingEnabled" in failures[0].reason
    assert (
        provider(graph)
        .check({}, props(offset=400))
        .failures[0]
        .reason.startswith("executionConditions.trigger.offsetInDays: 400")
    )
    with pytest.raises(ValueError, match="'w'.*scope.rule: is required"):
        LeaverWorkflow("w", "IT leavers", scope_rule=" ")
    with pytest.raises(ValueError, match="isSchedulingEnabled"):
        LeaverWorkflow("w", "IT leavers", RULE, is_enabled=False, is_scheduling_enabled=True)


def test_import_by_workflow_id(graph):
    created = provider(graph).create(props())
    read = provider(graph).read(created.id, {})
    assert read.outs["category"] == "leaver" and read.outs["workflowId"] == created.id
    assert [t["taskDefinitionId"] for t in read.outs["tasks"]] == [t["taskDefinitionId"] for t in leaver_tasks()]
    assert read.outs["executionConditions"]["trigger"]["timeBasedAttribute"] == "employeeLeaveDateTime"
