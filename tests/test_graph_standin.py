"""The stand-in itself: it rejects the bodies our code must never send, records every exchange, and answers
as Graph does (so provider tests can trust it). Dates are fixed (2030, 2031): nothing depends on today."""

import base64
import http.client
import json
import uuid

import pytest
from graph_models import check_exchange
from graph_standin import CONNECTOR_GROUP, CUSTOM_TEMPLATE, SEG, GraphStandIn, other_origin  # noqa: F401 (a fixture)

from components.graph.client import GraphError, RetryPolicy
from components.graph.lifecycle import conditions, leaver_tasks
from components.graph.role_settings import build_role_rules

ROLE = "62e90394-69f5-4237-9190-012177145e10"
PEDRO = "aaaaaaaa-0000-4000-8000-00000000000a"
GROUP = "eeeeeeee-0000-4000-8000-000000000001"
REQUESTS = "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests"
SCHEDULES = "/v1.0/roleManagement/directory/roleEligibilitySchedules"
WORKFLOWS = "/v1.0/identityGovernance/lifecycleWorkflows/workflows"


def rejected(graph, call):
    with pytest.raises(GraphError) as err:
        call(graph.client())
    assert err.value.status == 400 and len(graph.violations) == 1
    graph.violations.clear()  # expected here; the fixture fails any test that leaves one behind
    return err.value


def assign(principal=PEDRO, role=ROLE, duration="P90D", action="adminAssign"):
    return {
        "action": action,
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "justification": "journey",
        "scheduleInfo": {
            "startDateTime": "2030-01-01T00:00:00Z",
            "expiration": {"type": "afterDuration", "duration": duration},
        },
    }


def instantiate(client, name="x"):
    return client.post(f"/beta/applicationTemplates/{CUSTOM_TEMPLATE}/instantiate", {"displayName": name})


def workflow(name="IT leavers", offset=0):
    return {
        "category": "leaver",
        "displayName": name,
        "description": "strip access",
        "isEnabled": True,
        "isSchedulingEnabled": False,
        "executionConditions": conditions("(department eq 'IT')", offset),
        "tasks": leaver_tasks(),
    }


# -- rejections -------------------------------------------------------------------------------------
def test_permanent_eligibility_is_rejected(graph):
    body = assign()
    body["scheduleInfo"]["expiration"] = {"type": "noExpiration"}
    err = rejected(graph, lambda c: c.post(REQUESTS, body))
    assert "noExpiration" in err.message and graph.schedules == {}


def test_rule_with_the_wrong_odata_type_is_rejected_and_the_sdk_check_sees_it_too(graph):
    policy = graph.policy(ROLE)
    rule = dict(build_role_rules()[0], **{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"})
    rejected(graph, lambda c: c.patch(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}", rule))
    assert policy["rules"][rule["id"]]["maximumDuration"] == "PT8H"  # unchanged
    (sent,) = graph.calls("PATCH")
    (problem,) = check_exchange(sent)
    assert "unknown keys ['isExpirationRequired', 'maximumDuration']" in problem
    graph.excuse(sent)  # sent wrong on purpose: the fixture's model check leaves it out


def test_segment_before_ztna_is_rejected(graph):
    made = instantiate(graph.client())
    seg = {"destinationHost": "10.0.0.1", "destinationType": "ipAddress", "ports": ["22-22"], "protocol": "tcp"}
    rejected(graph, lambda c: c.post(f"/beta/applications/{made['application']['id']}{SEG}", seg))


def test_a_float_at_an_int32_is_refused_like_graph(graph):
    policy = graph.policy(ROLE)
    rule = next(r for r in build_role_rules(require_approval=True, approver_group_ids=[GROUP]) if "Approval" in r["id"])
    rule["setting"]["approvalStages"][0]["approvalStageTimeOutInDays"] = 1.0
    rejected(graph, lambda c: c.patch(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}", rule))
    assert "approvalStageTimeOutInDays" in check_exchange(graph.calls("PATCH")[0])[0]
    graph.excuse(*graph.calls("PATCH"))


def test_errors_look_like_graph_and_server_is_loopback_only(graph):
    assert graph.url.startswith("http://127.0.0.1:")
    with pytest.raises(GraphError) as err:
        graph.client().get(f"{SCHEDULES}/missing")
    assert (err.value.status, err.value.code) == (404, "NotFound") and err.value.request_id
    inner = graph.requests[-1].response["error"]["innerError"]
    assert inner["request-id"] == err.value.request_id and inner["date"].endswith("Z")


def test_an_unexpected_query_option_is_a_violation(graph):
    made = instantiate(graph.client())
    rejected(graph, lambda c: c.get(f"/beta/applications/{made['application']['id']}", {"$expand": "owners"}))


def test_the_request_budget_is_bounded():
    standin = GraphStandIn(max_requests=1).start()
    try:
        client = standin.client(base_url=standin.url, token=lambda: standin.token, retry=RetryPolicy(max_attempts=1))
        lookup = {"$filter": f"principalId eq '{PEDRO}' and roleDefinitionId eq '{ROLE}'"}
        assert client.get(SCHEDULES, lookup)["value"] == []
        with pytest.raises(GraphError) as err:
            client.get(SCHEDULES, lookup)
        assert err.value.status == 503
    finally:
        standin.stop()


# -- recording --------------------------------------------------------------------------------------
def test_every_exchange_is_recorded_with_what_was_sent_and_answered(graph):
    client = graph.client()
    made = client.post(REQUESTS, assign())
    client.get(SCHEDULES, {"$filter": f"principalId eq '{PEDRO}' and roleDefinitionId eq '{ROLE}'"})
    post, get = graph.requests
    assert (post.method, post.path, post.query, post.authorization) == ("POST", REQUESTS, {}, f"Bearer {graph.token}")
    assert json.loads(post.raw_body) == post.body == assign()
    assert post.status == 201 and post.response == made and json.loads(post.raw_response) == made
    assert get.raw_path.startswith(SCHEDULES + "?$filter=principalId%20eq%20'") and get.query == {
        "$filter": f"principalId eq '{PEDRO}' and roleDefinitionId eq '{ROLE}'"
    }
    assert get.status == 200 and [s["id"] for s in get.response["value"]] == [made["targetScheduleId"]]
    graph.requests.clear()  # tests may clear what they look at; the fixture still checks everything
    assert graph.exchanges == [post, get] and check_exchange(graph.exchanges) == []


# -- Graph-like answers -----------------------------------------------------------------------------
def test_rule_operations_are_answered_lower_case_whatever_the_patch_sent(graph):
    graph.lowercase_operations = True
    policy = graph.policy("62E90394-69F5-4237-9190-012177145E10")  # the same role, upper case
    assert policy is graph.policy(ROLE)
    client = graph.client()
    rules = {r["id"]: r for r in client.get_all(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules")}
    assert {tuple(r["target"]["operations"]) for r in rules.values()} == {("all",)}
    rule = {  # the request example of https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
        "id": "Expiration_EndUser_Assignment",
        "isExpirationRequired": True,
        "maximumDuration": "PT1H45M",
        "target": {
            "caller": "EndUser",
            "operations": ["All"],
            "level": "Assignment",
            "inheritableSettings": [],
            "enforcedSettings": [],
        },
    }
    client.patch(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}", rule)
    live = client.get(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}")
    assert live["target"]["operations"] == ["all"] and live["maximumDuration"] == "PT1H45M"


def test_guids_are_accepted_upper_case_and_answered_lower_case(graph):
    client = graph.client()
    made = client.post(REQUESTS, assign(PEDRO.upper(), ROLE.upper()))
    assert (made["principalId"], made["roleDefinitionId"]) == (PEDRO, ROLE)
    live = client.get(f"{SCHEDULES}/{made['targetScheduleId'].upper()}")
    assert (live["principalId"], live["roleDefinitionId"]) == (PEDRO, ROLE)
    found = client.get_all(
        SCHEDULES, {"$filter": f"principalId eq '{PEDRO.upper()}' and roleDefinitionId eq '{ROLE.upper()}'"}
    )
    assert [s["id"] for s in found] == [made["targetScheduleId"]]
    with pytest.raises(GraphError) as err:  # the same principal and role, whatever the case
        client.post(REQUESTS, assign())
    assert err.value.code == "RoleAssignmentExists"

    app = instantiate(client)
    app_id, sp = app["application"]["id"], app["servicePrincipal"]
    groups = f"{client.base_url}/beta/onPremisesPublishingProfiles/applicationProxy/connectorGroups"
    ref = f"{groups}/{CONNECTOR_GROUP.upper()}"
    client.put(f"/beta/applications/{app_id.upper()}/connectorGroup/$ref", {"@odata.id": ref})
    assert client.get(f"/beta/applications/{app_id}/connectorGroup")["id"] == CONNECTOR_GROUP
    role = next(r["id"] for r in sp["appRoles"] if r["displayName"] == "User")
    body = {"principalId": GROUP.upper(), "resourceId": sp["id"].upper(), "appRoleId": role.upper()}
    assignment = client.post(f"/v1.0/servicePrincipals/{sp['id'].upper()}/appRoleAssignedTo", body)
    assert (assignment["principalId"], assignment["resourceId"], assignment["appRoleId"]) == (GROUP, sp["id"], role)
    (listed,) = client.get_all(f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo")
    assert listed["principalId"] == GROUP


def test_approvers_are_stored_lower_case(graph):
    policy = graph.policy(ROLE)
    rule = next(
        r for r in build_role_rules(require_approval=True, approver_group_ids=[GROUP.upper()]) if "Approval" in r["id"]
    )
    graph.client().patch(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}", rule)
    (approver,) = policy["rules"][rule["id"]]["setting"]["approvalStages"][0]["primaryApprovers"]
    assert approver["groupId"] == GROUP


def test_a_duration_eligibility_is_answered_with_its_duration_or_with_the_computed_end(graph):
    client = graph.client()
    graph.end_dates = False
    made = client.post(REQUESTS, assign())
    live = client.get(f"{SCHEDULES}/{made['targetScheduleId']}")
    assert live["scheduleInfo"]["expiration"] == {"type": "afterDuration", "endDateTime": None, "duration": "P90D"}
    assert live["scheduleInfo"]["startDateTime"] == "2030-01-01T00:00:00Z"
    assert live["createdUsing"] == live["id"] == made["id"]  # the request that made it, as in Graph's examples
    graph.end_dates = True
    other = client.post(REQUESTS, assign(principal="aaaaaaaa-0000-4000-8000-00000000000b", duration="P30D"))
    live = client.get(f"{SCHEDULES}/{other['targetScheduleId']}")
    assert live["scheduleInfo"]["expiration"] == {
        "type": "afterDateTime",
        "endDateTime": "2030-01-31T00:00:00Z",
        "duration": None,
    }


def test_admin_remove_answers_revoked_with_no_schedule_and_needs_no_justification(graph):
    client = graph.client()
    client.post(REQUESTS, assign())
    body = {"action": "adminRemove", "principalId": PEDRO, "roleDefinitionId": ROLE, "directoryScopeId": "/"}
    removed = client.post(REQUESTS, body)
    assert (removed["status"], removed["targetScheduleId"], removed["scheduleInfo"]) == ("Revoked", None, None)
    assert graph.schedules == {}
    with pytest.raises(GraphError) as err:
        client.post(REQUESTS, body)
    assert err.value.code == "RoleAssignmentDoesNotExist"


def test_replication_lag_also_hides_new_objects_from_lookups(graph):
    client = graph.client()
    graph.lag(2)
    made = client.post(WORKFLOWS, workflow())
    lookup = {"$filter": "displayName eq 'IT leavers'"}
    assert client.get_all(WORKFLOWS, lookup) == []
    with pytest.raises(GraphError):
        client.get(f"{WORKFLOWS}/{made['id']}")
    assert [w["id"] for w in client.get_all(WORKFLOWS, lookup)] == [made["id"]]  # replicated after 2 requests
    schedule = client.post(REQUESTS, assign())["targetScheduleId"]
    graph.settle()
    assert client.get(f"{SCHEDULES}/{schedule}")["id"] == schedule


@pytest.mark.parametrize("how", ["504", "drop"])
def test_a_lost_answer_still_changed_the_state(graph, how):
    graph.lose_answer("POST", "lifecycleWorkflows/workflows", how=how)
    client = graph.client(retry=RetryPolicy(max_attempts=1))
    with pytest.raises(GraphError) as err:
        client.post(WORKFLOWS, workflow())
    assert err.value.status == (504 if how == "504" else 0)
    (post,) = graph.calls("POST")
    assert post.lost == how and post.status == (504 if how == "504" else None)
    (made,) = graph.workflows.values()  # processed all the same
    assert client.get_all(WORKFLOWS, {"$filter": "displayName eq 'IT leavers'"})[0]["id"] == made["id"]
    client.post(WORKFLOWS, workflow("next"))  # n=1: the next one is answered
    assert graph.calls("POST")[-1].status == 201


def test_lookups_use_graphs_filter_syntax(graph):
    client = graph.client()
    made = client.post(WORKFLOWS, workflow("O'Brien's leavers"))
    assert "tasks" not in made
    (found,) = client.get_all(WORKFLOWS, {"$filter": "displayName eq 'O''Brien''s leavers'"})
    assert found["id"] == made["id"] and "tasks" not in found
    rejected(graph, lambda c: c.get_all(WORKFLOWS, {"$filter": "startsWith(displayName, 'O')"}))

    app = instantiate(client, "Linux SSH")["application"]
    client.patch(f"/beta/applications/{app['id']}", {"tags": ["pum:owner"]})
    select = {"$select": "id,appId,displayName,tags"}
    by_name = client.get_all("/beta/applications", {"$filter": "displayName eq 'linux ssh'", **select})
    by_tag = client.get_all("/beta/applications", {"$filter": "tags/any(t:t eq 'pum:owner')", **select})
    assert (
        by_name
        == by_tag
        == [{"id": app["id"], "appId": app["appId"], "displayName": "Linux SSH", "tags": ["pum:owner"]}]
    )
    assert client.get_all("/beta/applications", {"$filter": "tags/any(t:t eq 'pum:other')"}) == []
    assert graph.requests[-2].response["@odata.context"].endswith("$metadata#applications(id,appId,displayName,tags)")
    rejected(graph, lambda c: c.get_all("/beta/applications", {"$filter": "displayName eq 'unbalanced ' quote'"}))
    (sp,) = client.get_all("/v1.0/servicePrincipals", {"$filter": f"appId eq '{app['appId'].upper()}'"})
    assert sp["appId"] == app["appId"] and "WindowsAzureActiveDirectoryIntegratedApp" in sp["tags"]
    rejected(graph, lambda c: c.get(f"/beta/applications/{app['id']}", {"$select": "id,notAProperty"}))


def test_answers_carry_odata_context_and_select_answers_only_what_was_selected(graph):
    client = graph.client()
    app = instantiate(client)["application"]
    live = client.get(f"/beta/applications/{app['id']}", {"$select": "id,displayName"})
    assert live == {
        "@odata.context": f"https://graph.microsoft.com/beta/$metadata#applications('{app['id']}')(id,displayName)/$entity",
        "id": app["id"],
        "displayName": "x",
    }
    page = client.get(f"/beta/applications/{app['id']}{SEG}")
    assert page["value"] == [] and page["@odata.context"].endswith(
        f"$metadata#applications('{app['id']}')/onPremisesPublishing/segmentsConfiguration/"
        "microsoft.graph.IpSegmentConfiguration/applicationSegments"
    )


def test_app_role_assignment_ids_are_graphs_opaque_keys(graph):
    client = graph.client()
    sp = instantiate(client)["servicePrincipal"]
    body = {"principalId": GROUP, "resourceId": sp["id"], "appRoleId": "00000000-0000-0000-0000-000000000000"}
    made = client.post(f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo", body)
    assert len(made["id"]) == 43 and not made["id"].endswith("=")
    assert base64.urlsafe_b64decode(made["id"] + "=")[:16] == uuid.UUID(GROUP).bytes_le
    client.delete(f"/v1.0/servicePrincipals/{sp['id']}/appRoleAssignedTo/{made['id']}")
    assert graph.assignments[sp["id"]] == {}


def test_an_app_deleted_in_the_portal_is_gone_under_every_path(graph):
    client = graph.client()
    made = instantiate(client)
    app_id, sp_id = made["application"]["id"], made["servicePrincipal"]["id"]
    del graph.apps[app_id], graph.sps[sp_id]  # deleted in the portal; the rest of the dicts left as they were
    for call in (
        lambda: client.get(f"/beta/applications/{app_id}"),
        lambda: client.get(f"/beta/applications/{app_id}{SEG}"),
        lambda: client.get(f"/beta/applications/{app_id}/connectorGroup"),
        lambda: client.patch(f"/beta/applications/{app_id}", {"displayName": "y"}),
        lambda: client.get(f"/v1.0/servicePrincipals/{sp_id}"),
        lambda: client.get(f"/v1.0/servicePrincipals/{sp_id}/appRoleAssignedTo"),
    ):
        with pytest.raises(GraphError) as err:
            call()
        assert (err.value.status, err.value.code) == (404, "Request_ResourceNotFound")
        assert "does not exist or one of its queried reference-property objects are not present" in err.value.message


def test_throttle_matching_and_redirect_next_only_touch_matching_requests(graph, other_origin):
    client = graph.client()
    graph.throttle_matching("POST", "instantiate", n=1, retry_after="9")
    assert client.get_all(WORKFLOWS, {"$filter": "displayName eq 'x'"}) == []  # not matching: answered
    instantiate(client)
    assert graph.sleeps == [9.0] and [r.status for r in graph.calls("POST")] == [429, 201]
    graph.throttle_matching("POST", "instantiate", n=5)
    graph.throttle_matching("POST", "instantiate", n=0)  # lifted
    instantiate(client)
    graph.redirect_next("POST", "workflows", to=other_origin.url + "/steal")
    connection = http.client.HTTPConnection(graph.url.removeprefix("http://"))
    connection.request(
        "POST",
        WORKFLOWS,
        json.dumps(workflow()),
        {"Authorization": f"Bearer {graph.token}", "Content-Type": "application/json"},
    )
    answer = connection.getresponse()
    assert (answer.status, answer.getheader("Location")) == (307, other_origin.url + "/steal")
    connection.close()
    assert graph.workflows == {} and other_origin.authorizations == []  # not processed, nothing followed


def test_the_master_switch_answers_the_old_way(graph, monkeypatch):
    import graph_standin

    monkeypatch.setattr(graph_standin, "GRAPH_LIKE", False)
    old = GraphStandIn()
    assert (old.lowercase_operations, old.lowercase_ids, old.end_dates, old.select) == (False, False, True, False)
    monkeypatch.setattr(graph_standin, "GRAPH_LIKE", True)
    like = GraphStandIn()
    assert (like.lowercase_operations, like.lowercase_ids, like.end_dates, like.select) == (True, True, False, True)
