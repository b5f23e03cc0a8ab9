"""DirectoryRoleEligibility provider against the local Graph stand-in."""

from datetime import datetime, timedelta

import pytest
from privileged_facts.values import utc_iso

from components.graph.client import GraphError
from components.graph.role_eligibility import DirectoryRoleEligibility, DirectoryRoleEligibilityProvider, live_end

USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
PEDRO = "aaaaaaaa-0000-4000-8000-00000000000a"
AU = "/administrativeUnits/dddddddd-0000-4000-8000-000000000001"


def provider(graph):
    return DirectoryRoleEligibilityProvider(client_factory=graph.client)


def props(duration="P90D", scope=AU, **extra):
    return {
        "graphKind": "directoryRoleEligibility",
        "principalId": PEDRO,
        "roleDefinitionId": USER_ADMIN,
        "directoryScopeId": scope,
        "justification": "User Admin journey",
        "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": duration}},
        **extra,
    }


def test_create_posts_a_time_bound_admin_assign_and_confirms_the_schedule(graph):
    result = provider(graph).create(props(ticketInfo={"ticketNumber": "CHG-1"}))
    (post,) = graph.calls("POST", "roleEligibilityScheduleRequests")
    assert post.body["action"] == "adminAssign"
    assert post.body["scheduleInfo"]["expiration"] == {"type": "afterDuration", "duration": "P90D"}
    assert post.body["ticketInfo"] == {"ticketNumber": "CHG-1"}
    assert result.id in graph.schedules
    start = datetime.fromisoformat(result.outs["startDateTime"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(result.outs["endDateTime"].replace("Z", "+00:00"))
    assert end - start == timedelta(days=90)
    assert result.outs["status"] == "Provisioned" and result.outs["scheduleId"] == result.id


def test_create_retries_the_confirming_read_through_replication_lag(graph):
    graph.lag(3)
    result = provider(graph).create(props())
    assert graph.sleeps == [2.0, 4.0, 6.0]
    assert len(graph.calls("GET", result.id)) == 4


def test_end_date_time_form(graph):
    end = "2031-06-30T00:00:00Z"
    p = props()
    p["scheduleInfo"] = {
        "startDateTime": "2031-01-01T00:00:00Z",
        "expiration": {"type": "afterDateTime", "endDateTime": end},
    }
    result = provider(graph).create(p)
    assert result.outs["endDateTime"] == end
    read = provider(graph).read(result.id, result.outs)
    assert not provider(graph).diff(result.id, read.outs, p).changes


def test_policy_rejection_surfaces_graph_error(graph):
    graph.policy(USER_ADMIN)["rules"]["Expiration_Admin_Eligibility"].update(
        isExpirationRequired=True, maximumDuration="P180D"
    )
    with pytest.raises(GraphError) as err:
        provider(graph).create(props(duration="P181D"))
    assert err.value.code == "RoleAssignmentRequestPolicyValidationFailed"


def test_read_keeps_declared_schedule_when_live_matches_and_reports_changed_end_date(graph):
    p = provider(graph)
    created = p.create(props())
    read = p.read(created.id, created.outs)
    assert read.outs["scheduleInfo"] == props()["scheduleInfo"]
    assert not p.diff(created.id, read.outs, props()).changes
    graph.schedules[created.id]["scheduleInfo"]["expiration"]["endDateTime"] = "2099-01-01T00:00:00Z"  # portal
    drifted = p.read(created.id, created.outs)
    assert drifted.outs["scheduleInfo"] == {
        "expiration": {"type": "afterDateTime", "endDateTime": "2099-01-01T00:00:00Z"}
    }
    d = p.diff(created.id, drifted.outs, props())
    assert d.changes and d.replaces == []


def test_made_permanent_in_the_portal_is_drift_and_update_restores_expiry(graph):
    p = provider(graph)
    created = p.create(props())
    graph.schedules[created.id]["scheduleInfo"]["expiration"] = {"type": "noExpiration", "endDateTime": None}
    drifted = p.read(created.id, created.outs)
    assert drifted.outs["scheduleInfo"] == {"expiration": {"type": "noExpiration"}}
    p.update(created.id, drifted.outs, props())
    (upd,) = [r for r in graph.calls("POST", "Requests") if r.body["action"] == "adminUpdate"]
    assert upd.body["scheduleInfo"]["startDateTime"] == created.outs["startDateTime"]  # no silent extension
    assert utc_iso(live_end(graph.schedules[created.id]["scheduleInfo"])) == created.outs["endDateTime"]


def test_removed_in_the_portal_reads_as_gone(graph):
    p = provider(graph)
    created = p.create(props())
    del graph.schedules[created.id]
    assert p.read(created.id, created.outs).id == ""


def test_import_by_schedule_id(graph):
    created = provider(graph).create(props())
    read = provider(graph).read(created.id, {})
    assert (read.outs["principalId"], read.outs["roleDefinitionId"], read.outs["directoryScopeId"]) == (
        PEDRO,
        USER_ADMIN,
        AU,
    )
    assert read.outs["scheduleInfo"]["expiration"]["type"] == "afterDateTime"


def test_update_duration_posts_admin_update(graph):
    p = provider(graph)
    created = p.create(props())
    p.update(created.id, created.outs, props(duration="P180D"))
    start = datetime.fromisoformat(created.outs["startDateTime"].replace("Z", "+00:00"))
    assert live_end(graph.schedules[created.id]["scheduleInfo"]) - start == timedelta(days=180)


def test_identity_changes_replace_delete_first(graph):
    d = provider(graph).diff("id", props(), props(scope="/"))
    assert d.replaces == ["directoryScopeId"] and d.delete_before_replace is True
    d = provider(graph).diff("id", props(), {**props(), "justification": "new"})
    assert d.changes and not d.replaces


def test_delete_posts_admin_remove_and_tolerates_already_gone(graph):
    p = provider(graph)
    created = p.create(props())
    p.delete(created.id, created.outs)
    assert graph.schedules == {}
    removes = [r for r in graph.calls("POST", "Requests") if r.body["action"] == "adminRemove"]
    assert "scheduleInfo" not in removes[0].body
    p.delete(created.id, created.outs)  # second time: RoleAssignmentDoesNotExist is fine


def test_assign_twice_adopts_the_same_eligibility_and_refuses_another_lifetime(graph):
    first = provider(graph).create(props())
    assert provider(graph).create(props()).id == first.id  # found first, adopted: no second request
    assert len(graph.calls("POST", "roleEligibilityScheduleRequests")) == 1
    with pytest.raises(GraphError) as err:
        provider(graph).create(props(duration="P30D"))
    assert err.value.code == "RoleAssignmentExists" and "pulumi import" in err.value.message
    assert list(graph.schedules) == [first.id]


@pytest.mark.parametrize(
    "change, prop",
    [
        ({"scheduleInfo": {"expiration": {"type": "noExpiration"}}}, "scheduleInfo"),
        ({"scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "forever"}}}, "scheduleInfo"),
        ({"directoryScopeId": "/administrativeUnits/x"}, "directoryScopeId"),
        ({"justification": " "}, "justification"),
        ({"principalId": "pedro"}, "principalId"),
    ],
)
def test_check_refuses(graph, change, prop):
    result = provider(graph).check({}, {**props(), **change})
    assert [f.property for f in result.failures] == [prop]
    if prop == "scheduleInfo" and "noExpiration" in str(change):
        assert "must expire" in result.failures[0].reason


def test_component_arguments_are_validated_with_clear_errors():
    with pytest.raises(ValueError, match="give duration .* or end_date_time"):
        DirectoryRoleEligibility(
            "e", PEDRO, USER_ADMIN, duration="P1D", end_date_time="2031-01-01T00:00:00Z", justification="x"
        )
    with pytest.raises(ValueError, match="justification: is required"):
        DirectoryRoleEligibility("e", PEDRO, USER_ADMIN)
    with pytest.raises(ValueError, match="'e'.*duration is not an ISO 8601 duration"):
        DirectoryRoleEligibility("e", PEDRO, USER_ADMIN, duration="P", justification="x")
