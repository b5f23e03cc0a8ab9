"""GraphClient against the local Graph stand-in: retries, eventual consistency, errors, token hygiene."""

import logging

import pytest

from components.graph.client import GraphClient, GraphError, RetryPolicy

ROLE = "62e90394-69f5-4237-9190-012177145e10"
SCHEDULE = "/v1.0/roleManagement/directory/roleEligibilitySchedules/"


def _list_assignments(client):
    return client.get_all(
        "/v1.0/policies/roleManagementPolicyAssignments",
        {"$filter": f"scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{ROLE}'"},
    )


def test_env_selects_base_url_and_static_token(graph):
    client = graph.client()
    assert client.base_url == graph.url
    assert _list_assignments(client)[0]["roleDefinitionId"] == ROLE
    assert graph.requests[-1].authorization == f"Bearer {graph.token}"
    assert graph.requests[-1].query["$filter"].endswith(f"roleDefinitionId eq '{ROLE}'")


def test_429_honours_retry_after_through_the_injected_sleeper(graph):
    graph.throttle(2, status=429, retry_after="7")
    assert _list_assignments(graph.client())
    assert graph.sleeps == [7.0, 7.0]
    assert len(graph.requests) == 3


@pytest.mark.parametrize("status", [502, 503, 504])
def test_5xx_without_retry_after_backs_off_exponentially_with_jitter(graph, status):
    graph.throttle(3, status=status, retry_after=None)
    client = graph.client(jitter=lambda: 1.0, retry=RetryPolicy(base_delay=1.0))
    assert _list_assignments(client)
    assert graph.sleeps == [1.0, 2.0, 4.0]
    graph.sleeps.clear()
    graph.throttle(1, status=status, retry_after=None)
    assert _list_assignments(graph.client(jitter=lambda: 0.0, retry=RetryPolicy(base_delay=4.0)))
    assert graph.sleeps == [2.0]  # jitter scales the delay into [base/2, base]


def test_retries_are_bounded_by_attempts(graph):
    graph.throttle(10, retry_after="1")
    with pytest.raises(GraphError) as err:
        _list_assignments(graph.client(retry=RetryPolicy(max_attempts=3)))
    assert err.value.status == 429 and err.value.code == "TooManyRequests"
    assert len(graph.requests) == 3 and graph.sleeps == [1.0, 1.0]


def test_retries_are_bounded_by_total_wait(graph):
    graph.throttle(5, retry_after="50")
    with pytest.raises(GraphError) as err:
        _list_assignments(graph.client(retry=RetryPolicy(max_total_wait=120)))
    assert err.value.status == 429
    assert graph.sleeps == [50.0, 50.0]  # a third wait would pass 120 s: give up instead


def test_eventual_consistency_404_is_retried_only_when_asked(graph):
    graph.lag(2)
    client = graph.client()
    made = client.post(
        "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests",
        {
            "action": "adminAssign",
            "principalId": "aaaaaaaa-0000-4000-8000-000000000001",
            "roleDefinitionId": ROLE,
            "directoryScopeId": "/",
            "justification": "test",
            "scheduleInfo": {
                "startDateTime": "2030-01-01T00:00:00Z",
                "expiration": {"type": "afterDuration", "duration": "P30D"},
            },
        },
    )
    with pytest.raises(GraphError) as err:
        client.get(SCHEDULE + made["targetScheduleId"])
    assert err.value.status == 404
    assert client.get(SCHEDULE + made["targetScheduleId"], retry_not_found=True)["id"] == made["targetScheduleId"]
    assert graph.sleeps == [2.0]  # one lagging 404 left for the retrying read


def test_eventual_consistency_retries_are_bounded(graph):
    graph.lag(50)
    client = graph.client(retry=RetryPolicy(not_found_attempts=3))
    made = client.post(
        "/beta/applicationTemplates/8adf8e6e-67b2-4cf2-a259-e3dc5476c621/instantiate", {"displayName": "x"}
    )
    with pytest.raises(GraphError) as err:
        client.get(f"/beta/applications/{made['application']['id']}", retry_not_found=True)
    assert err.value.status == 404 and len(graph.sleeps) == 2


def test_error_maps_status_code_message_and_request_id(graph):
    graph.fail_next(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    with pytest.raises(GraphError) as err:
        _list_assignments(graph.client())
    e = err.value
    assert (e.status, e.code, e.message) == (
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
    assert e.request_id and e.request_id in str(e)
    assert "GET /v1.0/policies/roleManagementPolicyAssignments" in str(e)
    assert graph.sleeps == []  # 403 is not retried


def test_bad_token_is_never_in_the_error(graph, monkeypatch):
    monkeypatch.setenv("PUM_GRAPH_TOKEN", "SECRET-not-the-right-token")
    with pytest.raises(GraphError) as err:
        _list_assignments(GraphClient(sleep=graph.sleeps.append))
    assert err.value.status == 401
    assert "SECRET" not in str(err.value) and "SECRET" not in repr(err.value.args)


def test_token_echoed_by_graph_is_redacted_and_never_logged(graph, caplog):
    caplog.set_level(logging.DEBUG, logger="components.graph")
    graph.fail_next(400, "BadRequest", f"bad header Bearer {graph.token} in request")
    with pytest.raises(GraphError) as err:
        _list_assignments(graph.client())
    assert graph.token not in str(err.value) and "[redacted]" in err.value.message
    assert caplog.records and graph.token not in caplog.text


def test_next_link_to_another_origin_is_refused(graph, monkeypatch):
    client = graph.client()
    monkeypatch.setattr(client, "get", lambda *a, **k: {"value": [1], "@odata.nextLink": "https://evil.example/v1.0/x"})
    with pytest.raises(GraphError) as err:
        client.get_all("/v1.0/anything")
    assert err.value.code == "untrustedNextLink" and graph.requests == []


def test_default_azure_credential_is_used_without_static_token(graph, monkeypatch):
    asked = []

    class FakeCredential:
        def get_token(self, scope):
            asked.append(scope)
            return type("T", (), {"token": graph.token, "expires_on": 4_102_444_800})()

    monkeypatch.delenv("PUM_GRAPH_TOKEN")
    monkeypatch.setattr("azure.identity.DefaultAzureCredential", FakeCredential)
    client = GraphClient(sleep=graph.sleeps.append)
    _list_assignments(client)
    _list_assignments(client)
    assert asked == ["https://graph.microsoft.com/.default"]  # cached until near expiry


def test_unreachable_graph_is_a_clear_error_and_post_is_not_retried(monkeypatch):
    monkeypatch.setenv("PUM_GRAPH_TOKEN", "t")
    sleeps = []
    client = GraphClient(base_url="http://127.0.0.1:9", sleep=sleeps.append, timeout=2)
    with pytest.raises(GraphError) as err:
        client.post("/v1.0/x", {})
    assert err.value.code == "networkError" and sleeps == []
    with pytest.raises(GraphError):
        client.get("/v1.0/x")
    assert len(sleeps) == RetryPolicy().max_attempts - 1  # idempotent reads are retried, boundedly
