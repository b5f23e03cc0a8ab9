"""GraphClient against the local Graph stand-in: retries, eventual consistency, errors, token hygiene."""

import logging
import math
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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


# -- Retry-After, the floor and the deadline ---------------------------------------------------------

NOW = datetime(2031, 1, 1, tzinfo=UTC)  # the injected wall clock: the tests never read today's date
REQUESTS = "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests"


def _http_date(seconds_from_now: float) -> str:
    return format_datetime(NOW + timedelta(seconds=seconds_from_now), usegmt=True)


class FakeClock:
    """A monotonic clock that only moves when slept on (by ``ratio`` times the asked delay)."""

    def __init__(self, ratio: float = 1.0):
        self.now, self.ratio, self.sleeps = 1000.0, ratio, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds * self.ratio


def test_retry_after_as_an_http_date_is_honoured_against_the_injected_wall_clock(graph):
    graph.throttle(1, status=429, retry_after=_http_date(10))
    graph.throttle(1, status=503, retry_after=_http_date(100))  # longer than max_delay: still honoured
    client = graph.client(wall_clock=NOW.timestamp, jitter=lambda: 1.0, retry=RetryPolicy(max_delay=32))
    assert _list_assignments(client)
    assert graph.sleeps == [10.0, 100.0]


@pytest.mark.parametrize(
    "retry_after", ["0", "-5", "0.2", _http_date(-3600)], ids=["zero", "negative", "short", "past"]
)
def test_retry_after_never_means_at_once(graph, retry_after):
    graph.throttle(2, status=429, retry_after=retry_after)
    assert _list_assignments(graph.client(wall_clock=NOW.timestamp))
    assert graph.sleeps == [1.0, 1.0]  # RetryPolicy.min_delay
    graph.sleeps.clear()
    graph.throttle(1, status=429, retry_after=retry_after)
    assert _list_assignments(graph.client(wall_clock=NOW.timestamp, retry=RetryPolicy(min_delay=2.5)))
    assert graph.sleeps == [2.5]


@pytest.mark.parametrize("retry_after", ["soon", "nan", "inf", "1e3", "Someday, 99 Foo 2031"])
def test_retry_after_that_is_neither_seconds_nor_a_date_backs_off(graph, retry_after):
    graph.throttle(2, status=429, retry_after=retry_after)
    assert _list_assignments(graph.client(jitter=lambda: 1.0, wall_clock=NOW.timestamp))
    assert graph.sleeps == [1.0, 2.0]


def test_retry_after_beyond_the_remaining_wait_gives_up_without_waiting(graph):
    graph.throttle(1, status=429, retry_after=_http_date(400))
    with pytest.raises(GraphError) as err:
        _list_assignments(graph.client(wall_clock=NOW.timestamp, retry=RetryPolicy(max_total_wait=180)))
    assert (err.value.status, err.value.code) == (429, "TooManyRequests")
    assert graph.sleeps == [] and len(graph.requests) == 1


def test_a_wait_that_would_pass_the_deadline_is_not_taken(graph):
    clock = FakeClock()
    graph.throttle(10, status=429, retry_after="100")
    client = GraphClient(
        sleep=clock.sleep, clock=clock, retry=RetryPolicy(deadline=250, max_total_wait=1000, max_attempts=10)
    )
    with pytest.raises(GraphError) as err:
        _list_assignments(client)
    assert (err.value.status, err.value.code) == (429, "TooManyRequests")
    assert clock.sleeps == [100.0, 100.0] and len(graph.requests) == 3  # a third wait would end at 300 s


def test_once_the_deadline_has_passed_the_call_raises_deadline_exceeded(graph):
    clock = FakeClock(ratio=50)  # a sleeper that oversleeps
    graph.throttle(5, status=503, retry_after="3")
    client = GraphClient(sleep=clock.sleep, clock=clock, retry=RetryPolicy(deadline=100))
    with pytest.raises(GraphError) as err:
        _list_assignments(client)
    e = err.value
    assert (e.status, e.code) == (503, "deadlineExceeded") and "ServiceUnavailable" in e.message
    assert clock.sleeps == [3.0] and len(graph.requests) == 1


def test_each_socket_timeout_is_what_remains_of_the_deadline(graph, monkeypatch):
    timeouts = []
    connect = socket.create_connection

    def recording(address, timeout=None, *args, **kwargs):
        timeouts.append(timeout)
        return connect(address, timeout, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    clock = FakeClock()
    graph.throttle(1, status=503, retry_after="280")
    client = GraphClient(
        sleep=clock.sleep, clock=clock, timeout=60, retry=RetryPolicy(deadline=300, max_total_wait=300)
    )
    assert _list_assignments(client)
    assert timeouts == [60.0, 20.0]


def test_a_sleeper_that_never_moves_the_clock_still_ends(graph):
    sleeps = []
    graph.throttle(100, status=429, retry_after="1")
    client = GraphClient(sleep=sleeps.append, clock=lambda: 0.0, retry=RetryPolicy(max_attempts=1000, max_total_wait=5))
    with pytest.raises(GraphError) as err:
        _list_assignments(client)
    assert err.value.status == 429 and sleeps == [1.0] * 5 and len(graph.requests) == 6


@pytest.mark.parametrize(
    "bounds",
    [
        {"deadline": math.inf},
        {"deadline": 0},
        {"min_delay": 0},
        {"max_attempts": 0},
        {"max_total_wait": math.nan},
        {"base_delay": -1},
        {"not_found_attempts": 0},
    ],
)
def test_a_retry_policy_that_would_not_bound_is_refused(bounds):
    with pytest.raises(ValueError):
        RetryPolicy(**bounds)


# -- POST is never repeated when it may have taken effect -------------------------------------------


def _eligibility(principal: str = "aaaaaaaa-0000-4000-8000-000000000001") -> dict:
    return {
        "action": "adminAssign",
        "principalId": principal,
        "roleDefinitionId": ROLE,
        "directoryScopeId": "/",
        "justification": "test",
        "scheduleInfo": {
            "startDateTime": "2030-01-01T00:00:00Z",
            "expiration": {"type": "afterDuration", "duration": "P30D"},
        },
    }


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_post_answered_with_a_server_error_is_not_repeated(graph, status):
    graph.throttle(1, status=status, retry_after="1")
    with pytest.raises(GraphError) as err:
        graph.client().post(REQUESTS, _eligibility())
    assert err.value.status == status and err.value.may_have_applied
    assert len(graph.calls("POST")) == 1 and graph.sleeps == []


def test_a_throttled_post_is_retried_and_creates_one_object(graph):
    graph.throttle(2, status=429, retry_after="3")
    made = graph.client().post(REQUESTS, _eligibility())
    assert len(graph.calls("POST")) == 3 and graph.sleeps == [3.0, 3.0]
    assert list(graph.schedules) == [made["targetScheduleId"]]
    graph.throttle(5, status=429, retry_after="3")
    with pytest.raises(GraphError) as err:
        graph.client(retry=RetryPolicy(max_attempts=2)).post(REQUESTS, _eligibility())
    assert err.value.status == 429 and not err.value.may_have_applied  # throttled: not processed


@pytest.mark.parametrize(
    ("method", "status", "applied"),
    [
        ("POST", 0, True),
        ("POST", 302, True),
        ("POST", 307, True),
        ("POST", 500, True),
        ("POST", 503, True),
        ("post", 504, True),
        ("POST", 429, False),
        ("POST", 400, False),
        ("POST", 404, False),
        ("POST", 201, False),
        ("GET", 0, False),
        ("GET", 503, False),
        ("PATCH", 500, False),
        ("DELETE", 302, False),
        ("", 503, False),
    ],
)
def test_may_have_applied_is_exactly_a_post_without_a_clear_answer(method, status, applied):
    err = GraphError(status, "code", "message", "rid", method, "/v1.0/x")  # positional, as the providers build it
    assert err.may_have_applied is applied
    with pytest.raises(AttributeError):
        err.may_have_applied = not applied  # type: ignore[misc]


@pytest.mark.parametrize("method, applied", [("POST", True), ("GET", False), ("PATCH", False)])
def test_a_success_whose_body_cannot_be_read_took_effect(method, applied):
    err = GraphError(201, "invalidResponse", "the answer is not a JSON object", "", method, "/v1.0/x")
    assert err.may_have_applied is applied


def test_caller_id_is_the_tokens_oid_claim_and_none_when_the_token_does_not_say():
    import base64
    import json

    def jwt(claims):
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"eyJhbGciOiJub25lIn0.{body}.sig"

    oid = "99999999-0000-4000-8000-000000000099"
    assert (
        GraphClient(base_url="https://graph.microsoft.com", token=lambda: jwt({"oid": oid.upper()})).caller_id() == oid
    )
    for token in (jwt({"sub": "x"}), jwt({"oid": "not-a-guid"}), "opaque-token-without-claims", "a.%%%.c"):
        assert GraphClient(base_url="https://graph.microsoft.com", token=lambda t=token: t).caller_id() is None
