"""The SDK-model checker (tests/graph_models.py) catches each kind of mistake and accepts Graph's own examples.

The accepted bodies are the request and response examples of the Graph reference pages (cited per test), so
the checker is held to Microsoft's shapes, not to ours."""

import json
import re
from dataclasses import dataclass

import pytest
from graph_models import ENDPOINTS, check_exchange, endpoint_for
from graph_standin import ROUTES

POLICY = "DirectoryRole_84841066-274d-4ec0-a5c1-276be684bdd3_200ec19a-09e7-4e7a-9515-cf1ee64b96f9"
RULES = f"/v1.0/policies/roleManagementPolicies/{POLICY}/rules"
SP = "9028d19c-26a9-4809-8e3f-20ff73e2d75e"
APP = "428fbcb1-35bc-471d-95f2-6cc339357cb5"
SEGMENTS = (
    f"/beta/applications/{APP}/onPremisesPublishing/segmentsConfiguration/"
    "microsoft.graph.IpSegmentConfiguration/applicationSegments"
)
WORKFLOWS = "/v1.0/identityGovernance/lifecycleWorkflows/workflows"


@dataclass
class Exchange:
    method: str
    raw_path: str
    raw_body: bytes = b""
    status: int | None = 200
    raw_response: bytes = b""


def ex(method, raw_path, body=None, status=200, answer=None):
    dump = lambda v: b"" if v is None else json.dumps(v).encode()
    return Exchange(method, raw_path, dump(body), status, dump(answer))


TARGET = {"caller": "EndUser", "operations": ["All"], "level": "Assignment", "inheritableSettings": [],
          "enforcedSettings": []}  # fmt: skip
# the request example of https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update
DOCUMENTED_RULE = {
    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
    "id": "Expiration_EndUser_Assignment",
    "isExpirationRequired": True,
    "maximumDuration": "PT1H45M",
    "target": TARGET,
}


def approval_rule(timeout=1):
    stage = {
        "approvalStageTimeOutInDays": timeout,
        "isApproverJustificationRequired": True,
        "escalationTimeInMinutes": 0,
        "isEscalationEnabled": False,
        "primaryApprovers": [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": SP}],
        "escalationApprovers": [],
    }
    setting = {
        "isApprovalRequired": True,
        "isApprovalRequiredForExtension": False,
        "isRequestorJustificationRequired": True,
        "approvalMode": "SingleStage",
        "approvalStages": [stage],
    }
    return {
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment",
        "setting": setting,
        "target": TARGET,
    }


def new_workflow(offset=0):
    """A leaver workflow, in the shape of the request example of
    https://learn.microsoft.com/graph/api/identitygovernance-lifecycleworkflowscontainer-post-workflows."""
    task = {
        "taskDefinitionId": "1dfdfcc7-52fa-4c2e-bf3a-e3919cc12950",
        "category": "leaver",
        "displayName": "Disable user account",
        "description": "Disable user account",
        "isEnabled": True,
        "continueOnError": False,
        "arguments": [],
    }
    return {
        "category": "leaver",
        "displayName": "IT leavers",
        "description": "strip access",
        "isEnabled": True,
        "isSchedulingEnabled": False,
        "executionConditions": {
            "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
            "scope": {
                "@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet",
                "rule": "(department eq 'IT')",
            },
            "trigger": {
                "@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
                "timeBasedAttribute": "employeeLeaveDateTime",
                "offsetInDays": offset,
            },
        },
        "tasks": [task],
    }


# -- accepted -----------------------------------------------------------------------------------------
def test_graphs_documented_examples_pass():
    # https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto (request and 201 answer)
    assignment = {"principalId": "33ad69f9-da99-4bed-acd0-3f24235cb296", "resourceId": SP, "appRoleId": SP}
    answered = {
        "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('{SP}')/appRoleAssignedTo/$entity",
        "id": "-WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc",
        "deletedDateTime": None,
        "appRoleId": "ef7437e6-4f94-4a0a-a110-a439eb2aa8f7",
        "createdDateTime": "2021-02-15T16:14:59.8643039Z",
        "principalDisplayName": "Parents of Contoso",
        "principalId": "33ad69f9-da99-4bed-acd0-3f24235cb296",
        "principalType": "Group",
        "resourceDisplayName": "Fabrikam App",
        "resourceId": SP,
    }
    # https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedules (200 answer)
    schedules = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleEligibilitySchedules",
        "value": [
            {
                "id": "77f71919-62f3-4d0c-9f88-0a0391b665cd",
                "principalId": "071cc716-8147-4397-a5ba-b2105951cc0b",
                "roleDefinitionId": "8424c6f0-a189-499e-bbd0-26c1753c96d4",
                "directoryScopeId": "/",
                "appScopeId": None,
                "createdUsing": "77f71919-62f3-4d0c-9f88-0a0391b665cd",
                "createdDateTime": "2022-04-12T14:44:50.287Z",
                "modifiedDateTime": "0001-01-01T08:00:00Z",
                "status": "Provisioned",
                "memberType": "Direct",
                "scheduleInfo": {
                    "startDateTime": "2022-04-12T14:44:50.287Z",
                    "recurrence": None,
                    "expiration": {"type": "afterDateTime", "endDateTime": "2024-04-10T00:00:00Z", "duration": None},
                },
            }
        ],
    }
    filtered = (
        "/v1.0/roleManagement/directory/roleEligibilitySchedules?$filter=principalId%20eq%20"
        "'071cc716-8147-4397-a5ba-b2105951cc0b'%20and%20roleDefinitionId%20eq%20'8424c6f0-a189-499e-bbd0-26c1753c96d4'"
    )
    exchanges = [
        ex("PATCH", f"{RULES}/Expiration_EndUser_Assignment", DOCUMENTED_RULE, 204),
        ex("PATCH", f"{RULES}/Approval_EndUser_Assignment", approval_rule(), 204),
        ex("POST", f"/v1.0/servicePrincipals/{SP}/appRoleAssignedTo", assignment, 201, answered),
        ex("GET", filtered, answer=schedules),
        ex("POST", WORKFLOWS, new_workflow(), 201, {"id": SP, "version": 1, **new_workflow()}),
        ex("GET", f"/beta/applications/{APP}?$select=id,appId,displayName,tags", answer={"id": APP, "tags": []}),
        ex(
            "DELETE",
            f"/v1.0/servicePrincipals/{SP}/appRoleAssignedTo/-WmtM5na7Uus0D8kI1yylpU9Mdo0Pb9OoBJvd3T5eKc",
            None,
            204,
        ),
        ex("GET", "/beta/applications?$filter=tags/any(t:t%20eq%20'pum:x')", answer={"value": []}),
        ex("GET", f"{WORKFLOWS}?$filter=displayName%20eq%20'O''Brien'", answer={"value": []}),
        ex(
            "POST",
            SEGMENTS,
            {"destinationHost": "10.0.0.1", "destinationType": "ipAddress", "ports": ["22-22"], "protocol": "tcp,udp"},
            201,
            {"id": "s", "port": 0, "protocol": "tcp"},
        ),
        ex(
            "GET",
            f"/v1.0/servicePrincipals/{SP}",
            status=404,
            answer={
                "error": {
                    "code": "Request_ResourceNotFound",
                    "message": "gone",
                    "innerError": {"request-id": "r", "date": "2030-01-01T00:00:00Z"},
                }
            },
        ),
        ex("POST", WORKFLOWS, new_workflow(), None),  # dropped: no answer to check
    ]
    assert check_exchange(exchanges) == []


# -- caught -------------------------------------------------------------------------------------------
def test_an_unknown_key_is_caught_at_any_depth():
    rule = approval_rule()
    rule["setting"]["approvalStages"][0]["escalationApprovers"] = [
        {"@odata.type": "#microsoft.graph.groupMembers", "groupId": SP, "group": "admins"}
    ]
    (problem,) = check_exchange(ex("PATCH", f"{RULES}/{rule['id']}", rule, 204))
    assert "escalationApprovers[0]: unknown keys ['group'] for GroupMembers" in problem
    answer = {"@odata.context": "x", "value": [], "extra": 1}
    (problem,) = check_exchange(ex("GET", f"/v1.0/servicePrincipals/{SP}/appRoleAssignedTo", answer=answer))
    assert "unknown keys ['extra']" in problem  # @odata.context at the root of an answer is fine
    (problem,) = check_exchange(ex("POST", WORKFLOWS, {**new_workflow(), "@odata.context": "x"}, 201, new_workflow()))
    assert "unknown keys ['@odata.context']" in problem  # but not in a request


@pytest.mark.parametrize(
    "exchange, where",
    [
        (
            ex("PATCH", f"{RULES}/Approval_EndUser_Assignment", approval_rule(timeout=1.0), 204),
            "approvalStageTimeOutInDays",
        ),
        (ex("POST", WORKFLOWS, new_workflow(offset=0.0), 201, new_workflow()), "trigger.offsetInDays"),
        (ex("POST", WORKFLOWS, new_workflow(), 201, {**new_workflow(), "version": 2.0}), "answer.version"),
    ],
)
def test_a_float_at_an_int32_is_caught(exchange, where):
    (problem,) = check_exchange(exchange)
    assert where in problem and "is a float where the model has an integer" in problem


@pytest.mark.parametrize(
    "path, body, where",
    [
        (
            f"{RULES}/Approval_EndUser_Assignment",
            {**approval_rule(), "target": {"operations": ["Everything"]}},
            "target.operations[0]: 'Everything' is not a value of UnifiedRoleManagementPolicyRuleTargetOperations",
        ),
        (WORKFLOWS, {**new_workflow(), "category": "retiree"}, "category: 'retiree' is not a value of"),
        (
            SEGMENTS,
            {"destinationHost": "h", "destinationType": "url", "ports": [], "protocol": "tcp"},
            "destinationType: 'url' is not a value of PrivateNetworkDestinationType",
        ),
        (
            SEGMENTS,
            {"destinationHost": "h", "destinationType": "fqdn", "ports": [], "protocol": "icmp"},
            "protocol[0]: 'icmp' is not a value of PrivateNetworkProtocol",
        ),
    ],
)
def test_an_invalid_enum_value_is_caught(path, body, where):
    method, status = ("PATCH", 204) if "rules" in path else ("POST", 201)
    answer = None if status == 204 else {"id": "x"}
    problems = check_exchange(ex(method, path, body, status, answer))
    assert any(where in p for p in problems), problems


def test_a_wrong_or_missing_odata_type_is_caught():
    rule = dict(DOCUMENTED_RULE, **{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyRetentionRule"})
    problems = check_exchange(ex("PATCH", f"{RULES}/{rule['id']}", rule, 204))
    assert any(
        "@odata.type '#microsoft.graph.unifiedRoleManagementPolicyRetentionRule' does not resolve" in p
        for p in problems
    )
    rule = approval_rule()
    del rule["setting"]["approvalStages"][0]["primaryApprovers"][0]["@odata.type"]
    problems = check_exchange(ex("PATCH", f"{RULES}/{rule['id']}", rule, 204))
    assert any("primaryApprovers[0]: SubjectSet is a base type; @odata.type must name" in p for p in problems)


def test_a_wrong_type_guid_or_shape_is_caught():
    assignment = {"principalId": "not-a-guid", "resourceId": SP, "appRoleId": True}
    problems = check_exchange(ex("POST", f"/v1.0/servicePrincipals/{SP}/appRoleAssignedTo", assignment, 201, {}))
    assert any("cannot parse" in p or "principalId" in p for p in problems), problems
    seg = {"destinationHost": "h", "destinationType": "fqdn", "ports": [22], "protocol": "tcp"}
    (problem,) = check_exchange(ex("PATCH", f"{SEGMENTS}/s1", seg, 204))
    assert "ports[0]: 22 is not a str value" in problem
    (problem,) = check_exchange(ex("PATCH", f"{SEGMENTS}/s1", {**seg, "ports": "22-22"}, 204))
    assert "the SDK cannot parse it as IpApplicationSegment" in problem  # kiota reads a collection, gets a string


@pytest.mark.parametrize(
    "raw_path, expected",
    [
        (f"/v1.0/servicePrincipals?$filtr=appId%20eq%20'{SP}'", "offers no query parameter ['$filtr']"),
        ("/v1.0/servicePrincipals?$count=yes", "differs from the SDK's"),  # the SDK writes a boolean
        (f"{SEGMENTS}?$top=1", "on an endpoint the SDK cannot address"),
    ],
)
def test_a_wrong_url_is_caught(raw_path, expected):
    problems = check_exchange(ex("GET", raw_path, answer={"value": []}))
    assert any(expected in p for p in problems), problems


def test_an_unknown_endpoint_is_caught():
    (problem,) = check_exchange(ex("GET", "/v1.0/users/x/memberOf", answer={"value": []}))
    assert "not in the SDK-model table" in problem


def test_status_and_body_presence_are_checked():
    assert (
        "answered 200; Graph documents 204" in check_exchange(ex("DELETE", f"/beta/applications/{APP}", None, 200))[0]
    )
    assert "no request body" in check_exchange(ex("PATCH", f"/beta/applications/{APP}", None, 204))[0]
    assert (
        "a request body where none is expected" in check_exchange(ex("DELETE", f"/beta/applications/{APP}", {}, 204))[0]
    )
    assert "no answer body" in check_exchange(ex("GET", f"/beta/applications/{APP}"))[0]
    assert (
        "an answer body with 204" in check_exchange(ex("DELETE", f"/beta/applications/{APP}", None, 204, {"id": 1}))[0]
    )
    not_graph = {"error": "boom"}
    assert check_exchange(ex("GET", f"/beta/applications/{APP}", status=500, answer=not_graph))
    no_request_id = {"error": {"code": "x", "message": "m", "innerError": {}}}
    assert "request-id" in check_exchange(ex("GET", f"/beta/applications/{APP}", status=500, answer=no_request_id))[0]


# -- coverage -----------------------------------------------------------------------------------------
def _sample(pattern: str) -> str:
    """A concrete path for a stand-in route: each ID group becomes a GUID, escapes are undone."""
    path = pattern.replace(r"([^/]+)", "0f0f0f0f-0000-4000-8000-000000000001")
    return re.sub(r"\\(.)", r"\1", path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_endpoint_the_standin_serves_is_in_the_table(route):
    method, pattern = route[0], route[1]
    found = endpoint_for(method, _sample(pattern))
    assert found is not None, f"add {method} {_sample(pattern)} to graph_models.ENDPOINTS"
    assert re.fullmatch(pattern, _sample(pattern))


def test_every_table_entry_is_served_and_only_the_segments_are_exempt():
    from tenant.endpoints import GRAPH as EXPORTED  # what tests/standin_tenant.py serves: exactly the export's reads

    served = {(m, _sample(p)) for m, p, *_ in ROUTES}
    guid = "0f0f0f0f-0000-4000-8000-000000000001"
    served |= {("GET", e.request(guid if e.per else None)[0]) for e in EXPORTED}
    for ep in ENDPOINTS:
        assert any(m == ep.method and ep.regex.fullmatch(path) for m, path in served), ep
    assert {ep.template for ep in ENDPOINTS if ep.builder is None} == {
        SEGMENTS.replace(APP, "{applicationId}"),
        SEGMENTS.replace(APP, "{applicationId}") + "/{segmentId}",
    }
    assert all(ep.exempt for ep in ENDPOINTS if ep.builder is None)
