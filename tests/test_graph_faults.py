"""Faults a production tenant produces, per Graph provider: each ends with exactly one object, tracked in
state, no token sent off the Graph host, and a clean next `up`.

Inputs and results travel through the SDK's own serialiser (`HostConverted`), the client never
really sleeps (the stand-in records the sleeps), and the `graph` fixture checks every request and
answer against Microsoft's Graph SDK models.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from graph_standin import CONNECTOR_GROUP
from provider_host import HostConverted, refresh, up

from components.graph.client import GraphError
from components.graph.lifecycle import LeaverWorkflowProvider, conditions, leaver_tasks
from components.graph.private_access import PrivateAccessApplicationProvider
from components.graph.role_eligibility import DirectoryRoleEligibilityProvider

PEDRO = "AAAAAAAA-0000-4000-8000-00000000000A"  # upper case on purpose: Graph answers lower case
USER_ADMIN = "FE930BE7-5E62-47DB-91AF-98C3A49A38B1"
ADMINS = "EEEEEEEE-0000-4000-8000-000000000001"


@dataclass(frozen=True)
class Kind:
    name: str
    provider: type
    inputs: dict
    create_fragment: str  # the POST that creates the object
    store: str  # the stand-in's dict of those objects

    def objects(self, graph) -> dict:
        return getattr(graph, self.store)


KINDS = [
    Kind(
        "eligibility",
        DirectoryRoleEligibilityProvider,
        {
            "graphKind": "directoryRoleEligibility",
            "principalId": PEDRO,
            "roleDefinitionId": USER_ADMIN,
            "directoryScopeId": "/",
            "justification": "User Admin journey",
            "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "P90D"}},
        },
        "roleEligibilityScheduleRequests",
        "schedules",
    ),
    Kind(
        "workflow",
        LeaverWorkflowProvider,
        {
            "graphKind": "lifecycleWorkflow",
            "category": "leaver",
            "displayName": "IT leavers",
            "description": "Removes a leaver's access",
            "isEnabled": True,
            "isSchedulingEnabled": True,
            "executionConditions": conditions("(department eq 'IT')", 0),
            "tasks": leaver_tasks(),
        },
        "lifecycleWorkflows/workflows",
        "workflows",
    ),
    Kind(
        "private-access",
        PrivateAccessApplicationProvider,
        {
            "graphKind": "privateAccessApp",
            "displayName": "Linux SSH",
            "applicationType": "nonwebapp",
            "segments": [
                {
                    "destinationHost": "10.1.0.0/24",
                    "destinationType": "ipRangeCidr",
                    "ports": ["22-22"],
                    "protocol": "tcp",
                }
            ],
            "connectorGroupId": CONNECTOR_GROUP.upper(),
            "assignedGroupIds": [ADMINS],
            "ownerTag": "pum:" + "ab" * 16,
        },
        "instantiate",
        "apps",
    ),
]


def host(graph, kind: Kind) -> HostConverted:
    return HostConverted(kind.provider(client_factory=graph.client))


def assert_one_tracked(graph, kind: Kind, state: Any) -> None:
    objects = kind.objects(graph)
    assert len(objects) == 1, f"{kind.name}: {len(objects)} objects in the tenant"
    assert state is not None and state.id in objects, f"{kind.name}: the one object is not the tracked one"
    if kind.name == "private-access":
        app = objects[state.id]
        assert app["displayName"] == kind.inputs["displayName"] and kind.inputs["ownerTag"] in app["tags"]
        assert len(graph.segments[state.id]) == 1
        (sp_id,) = [s for s, sp in graph.sps.items() if sp["appId"] == app["appId"]]
        assert [a["principalId"] for a in graph.assignments[sp_id].values()] == [ADMINS.lower()]


def assert_clean_next_up(graph, kind: Kind, state: Any) -> None:
    fresh = refresh(host(graph, kind), state)
    assert fresh is not None
    mark = len(graph.requests)
    assert up(host(graph, kind), kind.inputs, fresh)[1] == "same"
    assert [r for r in graph.requests[mark:] if r.method != "GET"] == []
    assert_one_tracked(graph, kind, fresh)


def up_until_tracked(graph, kind: Kind, attempts: int = 3):
    """`pulumi up` as a pipeline reruns it: an error leaves no state; the next run starts again."""
    errors = []
    for _ in range(attempts):
        try:
            state, _what = up(host(graph, kind), kind.inputs)
            return state, errors
        except GraphError as err:
            errors.append(err)
    raise AssertionError(f"{kind.name}: never tracked: {errors}")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
@pytest.mark.parametrize("how", ["504", "drop"])
def test_a_lost_create_answer_is_adopted_never_repeated(graph, kind, how):
    graph.lose_answer("POST", kind.create_fragment, how=how)
    state, errors = up_until_tracked(graph, kind)
    assert len(graph.calls("POST", kind.create_fragment)) == 1  # the create was never sent twice
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_lost_answer_under_replication_lag_is_adopted_by_the_next_up(graph, kind):
    graph.lag(40)  # longer than every lookup and confirmation budget
    graph.lose_answer("POST", kind.create_fragment, how="504")
    with pytest.raises(GraphError) as err:
        up(host(graph, kind), kind.inputs)
    assert "run `pulumi up` again" in str(err.value) or "adopts" in str(err.value)
    graph.settle()
    state, _ = up_until_tracked(graph, kind)
    assert len(graph.calls("POST", kind.create_fragment)) == 1
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_replication_lag_beyond_the_budget_after_a_create_leaves_no_orphan(graph, kind):
    graph.lag(12)
    try:
        state, _ = up(host(graph, kind), kind.inputs)
    except GraphError:  # the half-made app could not be finished or removed; replication then catches up
        assert kind.name == "private-access"
        graph.settle()
        state, _ = up(host(graph, kind), kind.inputs)
    graph.settle()
    assert len(graph.calls("POST", kind.create_fragment)) == 1
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_an_existing_object_of_this_declaration_is_adopted(graph, kind):
    first, _ = up(host(graph, kind), kind.inputs)  # an earlier `up` whose state was lost
    state, what = up(host(graph, kind), kind.inputs)
    assert what == "create" and state.id == first.id
    assert len(graph.calls("POST", kind.create_fragment)) == 1
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


def test_an_eligibility_that_does_not_match_is_never_taken_over(graph):
    kind = KINDS[0]
    longer = copy.deepcopy(kind.inputs)
    longer["scheduleInfo"]["expiration"]["duration"] = "P10D"
    up(host(graph, kind), longer)  # made by hand with another lifetime
    with pytest.raises(GraphError) as err:
        up(host(graph, kind), kind.inputs)
    assert err.value.code == "RoleAssignmentExists" and "pulumi import" in str(err.value)
    assert len(graph.schedules) == 1


def test_a_throttled_rollback_leaves_an_app_the_next_up_adopts_and_finishes(graph):
    kind = KINDS[2]
    broken = {**kind.inputs, "connectorGroupId": "c0c0c0c0-0000-4000-8000-0000000000ff"}  # no such group
    graph.throttle_matching("DELETE", "/beta/applications/", n=50)  # the rollback cannot get through
    with pytest.raises(GraphError) as err:
        up(host(graph, kind), broken)
    assert any("adopts" in note for note in getattr(err.value, "__notes__", []))
    graph.throttle_matching("DELETE", "/beta/applications/", n=0)
    (left,) = graph.apps.values()
    assert kind.inputs["ownerTag"] in left["tags"]  # found again by its tag
    state, _ = up(host(graph, kind), kind.inputs)
    assert state.id == left["id"] and len(graph.calls("POST", "instantiate")) == 1
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


def test_a_deleted_enterprise_app_shows_as_drift_and_the_next_up_makes_it_again(graph):
    kind = KINDS[2]
    state, _ = up(host(graph, kind), kind.inputs)
    sp_id = state.outputs["servicePrincipalId"]
    del graph.sps[sp_id]  # deleted in the portal
    graph.assignments.pop(sp_id)
    drifted = refresh(host(graph, kind), state)
    assert drifted is not None and drifted.outputs.get("assignedGroupIds") in (None, [])
    state, what = up(host(graph, kind), kind.inputs, drifted)
    assert what == "replace"
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_cross_origin_redirect_gets_no_token_and_no_duplicate(graph, kind, other_origin):
    graph.redirect_next("POST", kind.create_fragment, to=other_origin.url + "/steal")
    state, _ = up_until_tracked(graph, kind)
    assert other_origin.authorizations == []
    assert_one_tracked(graph, kind, state)
    assert_clean_next_up(graph, kind, state)


def test_role_settings_survive_a_lost_patch_answer_and_refuse_a_redirect(graph, other_origin):
    """Role settings create nothing (PIM policies exist per role): a PATCH is safe to repeat, a redirect is
    refused without the token, and the next `up` applies every rule once more and then stays clean."""
    from components.graph.role_settings import EntraRoleSettingsProvider, build_role_rules

    ga = "62E90394-69F5-4237-9190-012177145E10"
    inputs = {
        "graphKind": "entraRoleSettings",
        "roleDefinitionId": ga,
        "rules": build_role_rules(require_approval=True, approver_group_ids=[ADMINS]),
    }
    hosted = HostConverted(EntraRoleSettingsProvider(client_factory=graph.client))
    graph.lose_answer("PATCH", "Approval_EndUser_Assignment", how="drop")
    graph.redirect_next("PATCH", "Expiration_Admin_Eligibility", to=other_origin.url + "/steal")
    with pytest.raises(GraphError) as err:
        up(hosted, inputs)
    assert err.value.code == "redirectRefused"
    state, what = up(hosted, inputs)
    assert what == "create" and other_origin.authorizations == []
    policy = graph.policy(ga.lower())
    assert state.id == policy["id"] and len(graph.policies) == 1
    stage = policy["rules"]["Approval_EndUser_Assignment"]["setting"]["approvalStages"][0]
    assert type(stage["approvalStageTimeOutInDays"]) is int  # an Int32, although the host carried 1.0
    assert [a["groupId"] for a in stage["primaryApprovers"]] == [ADMINS.lower()]
    fresh = refresh(hosted, state)
    mark = len(graph.requests)
    assert up(hosted, inputs, fresh)[1] == "same"
    assert [r for r in graph.requests[mark:] if r.method != "GET"] == []


def planted_app(graph, kind: Kind, owner: str | None, credentials: int = 0, tagged: bool = True) -> dict:
    """An application someone else registered with this resource's owner tag (or provisional name); the
    stand-in's token names the deploying identity (``CALLER``) in its ``oid`` claim, as Entra's does."""
    planter = HostConverted(kind.provider(client_factory=graph.client))
    up(planter, kind.inputs)  # made as we would make it, then handed to a stranger
    (app,) = graph.apps.values()
    graph.owners[app["id"]] = [{"@odata.type": "#microsoft.graph.user", "id": owner}] if owner else []
    app["passwordCredentials"] = [
        {"keyId": f"dddddddd-0000-4000-8000-{i:012d}", "displayName": "planted"} for i in range(credentials)
    ]
    if not tagged:
        app["tags"] = []
        app["displayName"] = f"{kind.inputs['displayName']} ({kind.inputs['ownerTag']})"
    return app


@pytest.mark.parametrize(
    "owner, credentials, tagged",
    [
        ("bbbbbbbb-0000-4000-8000-0000000000bb", 0, True),
        (None, 1, True),
        ("bbbbbbbb-0000-4000-8000-0000000000bb", 0, False),
    ],
    ids=["stranger-owns-a-tagged-app", "tagged-app-with-a-credential", "stranger-owns-the-provisional-name"],
)
def test_an_app_planted_with_our_tag_or_name_is_never_adopted(graph, owner, credentials, tagged):
    kind = KINDS[2]
    app = planted_app(graph, kind, owner, credentials, tagged)
    segments, assignments = copy.deepcopy(graph.segments), copy.deepcopy(graph.assignments)
    mark = len(graph.requests)
    with pytest.raises(GraphError) as err:
        up(host(graph, kind), kind.inputs)
    assert err.value.code == "adoptionRefused" and app["id"] in err.value.message
    assert [r for r in graph.requests[mark:] if r.method != "GET"] == []  # nothing written to it, nothing made
    assert (graph.segments, graph.assignments) == (segments, assignments) and list(graph.apps) == [app["id"]]


def test_an_adopted_app_is_never_deleted_by_a_failed_create(graph):
    kind = KINDS[2]
    first, _ = up(host(graph, kind), kind.inputs)  # made by an earlier run whose state was lost
    broken = {**kind.inputs, "connectorGroupId": "c0c0c0c0-0000-4000-8000-0000000000ff"}  # this step now fails
    with pytest.raises(GraphError) as err:
        up(host(graph, kind), broken)
    assert any("left as it was" in note for note in getattr(err.value, "__notes__", []))
    assert list(graph.apps) == [first.id] and graph.calls("DELETE", "/beta/applications/") == []
