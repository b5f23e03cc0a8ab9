"""The credentials Graph providers against the stand-in: TemporaryAccessPassPolicy (the tenant's TAP method) and
PasswordDiscard (a passwordless account's password set to one nobody knows).

Every call goes through the SDK's own serialiser (`HostConverted`) or the real host (`HostProcess`); the `graph`
fixture checks every exchange against Microsoft's SDK models and request builders (tests/standin_credentials.py
ENDPOINTS). IDs are given in upper case on purpose: Graph answers lower case.
"""

from __future__ import annotations

import logging
import os

import pytest
from provider_host import HostConverted, HostProcess, State, destroy, refresh, up
from standin_credentials import add_user, state

from components.graph.client import GraphError
from components.graph.password_discard import PasswordDiscardProvider, unknowable_password
from components.graph.temporary_access_pass_policy import (
    TemporaryAccessPassPolicy,
    TemporaryAccessPassPolicyProvider,
    validate,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMINS = "ADAD0000-0000-4000-8000-00000000000A"
OTHER = "ADAD0000-0000-4000-8000-00000000000B"


def tap_inputs(**overrides):
    return {
        "graphKind": "temporaryAccessPassPolicy",
        "state": "enabled",
        "isUsableOnce": True,
        "minimumLifetimeInMinutes": 10,
        "defaultLifetimeInMinutes": 60,
        "maximumLifetimeInMinutes": 60,
        "defaultLength": 16,
        "includeGroupIds": [ADMINS],
        "excludeGroupIds": [],
        **overrides,
    }


def tap_host(graph):
    return HostConverted(TemporaryAccessPassPolicyProvider(client_factory=graph.client))


def discard_host(graph):
    return HostConverted(PasswordDiscardProvider(client_factory=graph.client))


# -- TemporaryAccessPassPolicy --------------------------------------------------------------------------------


def test_tap_policy_applies_the_declaration_and_records_what_was_there(graph):
    host = tap_host(graph)
    st, what = up(host, tap_inputs())
    assert what == "create"
    live = state(graph)["tap"]
    assert live["includeTargets"] == [
        {"targetType": "group", "id": ADMINS.lower(), "isRegistrationRequired": False}
    ]  # only the admins' group: all_users is gone
    assert (live["isUsableOnce"], live["defaultLifetimeInMinutes"], live["maximumLifetimeInMinutes"]) == (True, 60, 60)
    assert st.outputs["previous"]["includeGroupIds"] == ["group:all_users"]
    assert st.outputs["previous"]["isUsableOnce"] is False
    patch = graph.calls("PATCH", "TemporaryAccessPass")
    assert len(patch) == 1 and patch[0].body["@odata.type"].endswith(
        "temporaryAccessPassAuthenticationMethodConfiguration"
    )
    assert isinstance(patch[0].body["defaultLifetimeInMinutes"], int)  # the host's float went back to an Int32


def test_tap_policy_next_up_and_refresh_write_nothing(graph):
    host = tap_host(graph)
    st, _ = up(host, tap_inputs())
    graph.requests.clear()
    refreshed = refresh(host, st)
    assert refreshed is not None
    again, what = up(host, tap_inputs(), refreshed)
    assert what == "same"
    assert graph.calls("PATCH") == []


@pytest.mark.parametrize(
    "portal_change",
    [
        {"includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": False}]},
        {"includeTargets": [{"targetType": "group", "id": OTHER.lower(), "isRegistrationRequired": False}]},
        {"isUsableOnce": False},
        {"maximumLifetimeInMinutes": 43200},
        {"state": "disabled"},
        {"excludeTargets": [{"targetType": "group", "id": OTHER.lower()}]},
    ],
    ids=["all-users", "another-group", "reusable", "thirty-days", "disabled", "exclusion"],
)
def test_tap_policy_drift_in_the_portal_is_seen_and_repaired(graph, portal_change):
    host = tap_host(graph)
    st, _ = up(host, tap_inputs())
    state(graph)["tap"].update(portal_change)
    refreshed = refresh(host, st)
    after, what = up(host, tap_inputs(), refreshed)
    assert what == "update"
    live = state(graph)["tap"]
    assert live["includeTargets"] == [{"targetType": "group", "id": ADMINS.lower(), "isRegistrationRequired": False}]
    assert live["isUsableOnce"] is True and live["maximumLifetimeInMinutes"] == 60 and live["state"] == "enabled"
    assert live["excludeTargets"] == []
    graph.requests.clear()
    assert up(host, tap_inputs(), refresh(host, after))[1] == "same"


def test_tap_policy_group_ids_in_another_case_or_order_are_not_drift(graph):
    host = tap_host(graph)
    st, _ = up(host, tap_inputs(includeGroupIds=[ADMINS, OTHER]))
    refreshed = refresh(host, st)
    assert up(host, tap_inputs(includeGroupIds=[OTHER.lower(), ADMINS]), refreshed)[1] == "same"


def test_tap_policy_delete_leaves_the_hardened_configuration(graph):
    host = tap_host(graph)
    st, _ = up(host, tap_inputs())
    graph.requests.clear()
    destroy(host, st)
    assert graph.requests == []  # never restores all_users, never disables what a renamed resource applied
    assert state(graph)["tap"]["includeTargets"][0]["id"] == ADMINS.lower()


@pytest.mark.parametrize("how", ["504", "drop"])
def test_tap_policy_lost_patch_answer_is_retried_once_applied(graph, how):
    host = tap_host(graph)
    graph.lose_answer("PATCH", "TemporaryAccessPass", how=how)
    st, _ = up(host, tap_inputs())
    assert len(graph.calls("PATCH", "TemporaryAccessPass")) == 2  # PATCH is idempotent: the client repeats it
    assert state(graph)["tap"]["isUsableOnce"] is True
    graph.requests.clear()
    assert up(host, tap_inputs(), refresh(host, st))[1] == "same"


def test_tap_policy_throttled_and_redirected(graph, other_origin):
    host = tap_host(graph)
    graph.throttle(2)
    st, _ = up(host, tap_inputs())
    assert graph.sleeps and min(graph.sleeps) >= 1
    graph.redirect_next("GET", "TemporaryAccessPass", to=other_origin.url + "/steal")
    with pytest.raises(GraphError):
        refresh(host, st)
    assert other_origin.authorizations == []


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"isUsableOnce": False}, "isUsableOnce"),
        ({"maximumLifetimeInMinutes": 43201}, "maximumLifetimeInMinutes"),
        ({"minimumLifetimeInMinutes": 9}, "minimumLifetimeInMinutes"),
        ({"defaultLifetimeInMinutes": 120}, "defaultLifetimeInMinutes"),
        ({"defaultLength": 7}, "defaultLength"),
        ({"defaultLength": 49}, "defaultLength"),
        ({"includeGroupIds": ["all_users"]}, "includeGroupIds[0]"),
        ({"includeGroupIds": []}, "includeGroupIds"),
        ({"state": "enabledForAll"}, "state"),
    ],
)
def test_tap_policy_check_refuses_what_graph_or_the_design_refuses(graph, bad, field):
    host = tap_host(graph)
    _, failures = host.check({}, tap_inputs(**bad))
    assert failures and field in failures[0][1] and failures[0][0] == field.split("[")[0]
    with pytest.raises(ValueError, match=field.split("[")[0]):
        validate(tap_inputs(**bad))


def test_tap_policy_resource_refuses_all_users_before_the_engine_sees_it():
    with pytest.raises(ValueError, match="not an object ID"):
        TemporaryAccessPassPolicy("tap", include_group_ids=["all_users"])
    with pytest.raises(ValueError, match="names the groups"):
        TemporaryAccessPassPolicy("tap", include_group_ids=[])


def test_tap_policy_through_the_real_host(graph):
    with HostProcess(TemporaryAccessPassPolicyProvider()) as host:
        st, what = up(host, tap_inputs())
        assert what == "create"
        refreshed = refresh(host, st)
        assert up(host, tap_inputs(), refreshed)[1] == "same"
        state(graph)["tap"]["isUsableOnce"] = False
        assert up(host, tap_inputs(), refresh(host, refreshed))[1] == "update"
        destroy(host, refreshed)
    assert state(graph)["tap"]["isUsableOnce"] is True


# -- PasswordDiscard ------------------------------------------------------------------------------------------


def discard_inputs(user_id):
    return {"graphKind": "passwordDiscard", "userId": user_id.upper(), "state": "discarded"}


def test_discard_sets_a_password_that_appears_nowhere(graph, caplog):
    caplog.set_level(logging.DEBUG)
    user = add_user(graph)
    host = discard_host(graph)
    st, what = up(host, discard_inputs(user))
    assert what == "create"
    [password] = state(graph)["passwords"][user]
    assert len(password) == 64
    patch = graph.calls("PATCH", "/users/")
    assert patch[0].body["passwordProfile"]["forceChangePasswordNextSignIn"] is False
    # nowhere but in the one request Graph received: not in the state, the outputs, the logs
    assert password not in repr(st) and password not in caplog.text
    assert st.id == user and st.outputs["discardedAt"] == state(graph)["users"][user]["lastPasswordChangeDateTime"]


def test_discard_next_up_writes_nothing_and_a_password_set_since_is_discarded_again(graph):
    user = add_user(graph)
    host = discard_host(graph)
    st, _ = up(host, discard_inputs(user))
    graph.requests.clear()
    refreshed = refresh(host, st)
    assert up(host, discard_inputs(user), refreshed)[1] == "same"
    assert graph.calls("PATCH") == []
    # a helpdesk reset in the portal: the password changed after the discard
    patch_user_in_portal(graph, user)
    drifted = refresh(host, refreshed)
    assert drifted.inputs["state"] == "passwordSetSince"
    after, what = up(host, discard_inputs(user), drifted)
    assert what == "update"
    assert len(state(graph)["passwords"][user]) == 3  # discard, portal, discard again
    assert up(host, discard_inputs(user), refresh(host, after))[1] == "same"


def patch_user_in_portal(graph, user):
    from standin_credentials import patch_user

    patch_user(graph, user, {}, {"passwordProfile": {"password": "Portal-Reset-1234"}})


def test_discard_of_a_new_user_under_replication_lag(graph):
    graph.lag(2)
    user = add_user(graph)
    graph._created(user)
    st, _ = up(discard_host(graph), discard_inputs(user))
    assert len(state(graph)["passwords"][user]) == 1 and st.outputs["discardedAt"]


@pytest.mark.parametrize("how", ["504", "drop"])
def test_discard_lost_answer_leaves_one_unknown_password(graph, how):
    user = add_user(graph)
    graph.lose_answer("PATCH", "/users/", how=how)
    st, _ = up(discard_host(graph), discard_inputs(user))
    assert len(state(graph)["passwords"][user]) == 2  # repeated: each an unknown password, the last one holds
    assert st.outputs["discardedAt"] == state(graph)["users"][user]["lastPasswordChangeDateTime"]


def test_a_replaced_user_is_discarded_again_and_a_deleted_one_reads_gone(graph):
    first, second = add_user(graph), add_user(graph, "adm-2@contoso.onmicrosoft.com")
    host = discard_host(graph)
    st, _ = up(host, discard_inputs(first))
    replaced, what = up(host, discard_inputs(second), st)
    assert what == "replace" and state(graph)["passwords"][second]
    del state(graph)["users"][second]
    assert refresh(host, replaced) is None


def test_discard_errors_never_carry_the_password_and_name_the_permission(graph):
    user = add_user(graph)
    graph.fail_next(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    with pytest.raises(GraphError) as caught:
        up(discard_host(graph), discard_inputs(user))
    assert "Privileged Authentication Administrator" in str(caught.value)
    assert "User-PasswordProfile.ReadWrite.All" in str(caught.value)
    assert state(graph)["passwords"].get(user) is None


def test_discard_of_a_user_that_does_not_exist_fails_without_writing(graph):
    with pytest.raises(GraphError, match="404"):
        up(discard_host(graph), discard_inputs("0000dead-0000-4000-8000-000000000000"))
    graph.sleeps.clear()


def test_discard_delete_does_nothing(graph):
    user = add_user(graph)
    host = discard_host(graph)
    st, _ = up(host, discard_inputs(user))
    graph.requests.clear()
    destroy(host, st)
    assert graph.requests == []


def test_discard_through_the_real_host(graph):
    user = add_user(graph)
    with HostProcess(PasswordDiscardProvider()) as host:
        st, _ = up(host, discard_inputs(user))
        assert up(host, discard_inputs(user), refresh(host, st))[1] == "same"
    assert len(state(graph)["passwords"][user]) == 1


def test_unknowable_passwords_meet_entras_rule_and_differ():
    seen = {unknowable_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        assert len(password) == 64
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password) and any(not c.isalnum() for c in password)


def test_state_never_holds_a_password_field():
    st = State("x", discard_inputs("ADAD0000-0000-4000-8000-00000000000A"), {})
    assert not any("password" in k.lower() for k in st.inputs)


# -- the example stack's resources through the real host --------------------------------------------------------------


def test_the_example_stacks_credential_resources_through_the_real_host(graph):
    import itertools

    from privileged_facts.values import is_unknown

    from pum.engine import run_preview
    from pum.wire import UNKNOWN as PREVIEW_UNKNOWN

    report = run_preview(ROOT, cwd=ROOT, stack="example", policy_packs=[])
    ids = (f"{n:08X}-ABCD-4EF0-8123-{n:012X}" for n in itertools.count(0xC0))

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return next(ids) if value is PREVIEW_UNKNOWN or is_unknown(value) else value

    found = {}
    for res in report.resources:
        if res.type == "pulumi-python:dynamic:Resource" and res.inputs.get("graphKind") in (
            "temporaryAccessPassPolicy",
            "passwordDiscard",
        ):
            found.setdefault(res.inputs["graphKind"], []).append(
                fill({k: v for k, v in res.inputs.items() if k != "__provider"})
            )
    assert len(found["temporaryAccessPassPolicy"]) == 1 and len(found["passwordDiscard"]) == 2
    with HostProcess(TemporaryAccessPassPolicyProvider()) as host:
        [inputs] = found["temporaryAccessPassPolicy"]
        st, _ = up(host, inputs)
        assert up(host, inputs, refresh(host, st))[1] == "same"
    assert state(graph)["tap"]["includeTargets"][0]["id"] == inputs["includeGroupIds"][0].lower()
    with HostProcess(PasswordDiscardProvider()) as host:
        for inputs in found["passwordDiscard"]:
            add_user(graph, user_id=inputs["userId"])
            st, _ = up(host, inputs)
            assert up(host, inputs, refresh(host, st))[1] == "same"
            assert len(state(graph)["passwords"][inputs["userId"].lower()]) == 1


def test_tap_policy_refused_patch_names_the_permission_and_changes_nothing(graph):
    graph.fail_next(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    host = tap_host(graph)
    before = dict(state(graph)["tap"])
    with pytest.raises(GraphError, match="Policy.ReadWrite.AuthenticationMethod"):
        # the GET that records `previous` is refused first here: the create stops before any write
        up(host, tap_inputs())
    assert state(graph)["tap"] == before
    st = State("TemporaryAccessPass", tap_inputs(), {**tap_inputs(), "previous": None})
    graph.fail_next(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
    with pytest.raises(GraphError, match="Authentication Policy Administrator"):
        host.update(st.id, st.outputs, tap_inputs(isUsableOnce=True, maximumLifetimeInMinutes=30))
    assert state(graph)["tap"] == before
