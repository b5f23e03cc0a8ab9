"""The stand-in itself rejects the bodies our code must never send (so provider tests can trust it)."""

import pytest

from components.graph.client import GraphError
from components.graph.role_settings import build_role_rules

ROLE = "62e90394-69f5-4237-9190-012177145e10"


def rejected(graph, call):
    with pytest.raises(GraphError) as err:
        call(graph.client())
    assert err.value.status == 400 and len(graph.violations) == 1
    graph.violations.clear()  # expected here; the fixture fails any test that leaves one behind
    return err.value


def test_permanent_eligibility_is_rejected(graph):
    body = {
        "action": "adminAssign",
        "principalId": "aaaaaaaa-0000-4000-8000-000000000001",
        "roleDefinitionId": ROLE,
        "directoryScopeId": "/",
        "justification": "x",
        "scheduleInfo": {"startDateTime": "2030-01-01T00:00:00Z", "expiration": {"type": "noExpiration"}},
    }
    err = rejected(graph, lambda c: c.post("/v1.0/roleManagement/directory/roleEligibilityScheduleRequests", body))
    assert "noExpiration" in err.message and graph.schedules == {}


def test_rule_with_the_wrong_odata_type_is_rejected(graph):
    policy = graph.policy(ROLE)
    rule = dict(build_role_rules()[0], **{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"})
    rejected(graph, lambda c: c.patch(f"/v1.0/policies/roleManagementPolicies/{policy['id']}/rules/{rule['id']}", rule))
    assert policy["rules"][rule["id"]]["maximumDuration"] == "PT8H"  # unchanged


def test_segment_before_ztna_is_rejected(graph):
    made = graph.client().post(
        "/beta/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", {"displayName": "x"}
    )
    seg = {"destinationHost": "10.0.0.1", "destinationType": "ipAddress", "ports": ["22-22"], "protocol": "tcp"}
    path = (
        f"/beta/applications/{made['application']['id']}/onPremisesPublishing/segmentsConfiguration/"
        "microsoft.graph.IpSegmentConfiguration/applicationSegments"
    )
    rejected(graph, lambda c: c.post(path, seg))


def test_errors_look_like_graph_and_server_is_loopback_only(graph):
    assert graph.url.startswith("http://127.0.0.1:")
    with pytest.raises(GraphError) as err:
        graph.client().get("/v1.0/roleManagement/directory/roleEligibilitySchedules/missing")
    assert (err.value.status, err.value.code) == (404, "NotFound") and err.value.request_id
