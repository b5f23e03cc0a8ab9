"""The authentication-context and conditional-access-policy Graph providers against the stand-in.

Inputs and results travel through the SDK's own serialiser (`HostConverted`) or the real host process
(`HostProcess`); the `graph` fixture checks every request and answer against Microsoft's Graph SDK models
(tests/standin_conditional_access.py ENDPOINTS)."""

from __future__ import annotations

import copy

import pytest
from provider_host import CheckFailed, HostConverted, HostProcess, destroy, refresh, up
from standin_conditional_access import state as ca_state

from components.graph.authentication_context import AuthenticationContext, AuthenticationContextProvider
from components.graph.base import from_host
from components.graph.client import GraphError
from components.graph.conditional_access_policy import (
    GraphConditionalAccessPolicy,
    GraphConditionalAccessPolicyProvider,
    normal,
)

BREAK_GLASS = ["AAAAAAAA-0000-4000-8000-0000000000B1", "AAAAAAAA-0000-4000-8000-0000000000B2"]  # upper on purpose
GA = "62E90394-69F5-4237-9190-012177145E10"
PR = "00000000-0000-0000-0000-000000000004"


def context_inputs(**extra):
    return {
        "graphKind": "authenticationContext",
        "claimValue": "c1",
        "displayName": "PIM activation: PAW and phishing-resistant MFA",
        "description": "Required by PIM to activate tier-0 roles",
        "isAvailable": True,
        **extra,
    }


def policy_inputs(**extra):
    return {
        "graphKind": "conditionalAccessPolicy",
        "displayName": "PUM-CA09 Context c1: phishing-resistant MFA on a compliant device",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": list(BREAK_GLASS)},
            "applications": {"includeAuthenticationContextClassReferences": ["c1"]},
            "clientAppTypes": ["all"],
        },
        "grantControls": {
            "operator": "AND",
            "builtInControls": ["compliantDevice"],
            "authenticationStrength": {"id": PR},
        },
        **extra,
    }


def cae_inputs(**extra):
    return {
        "graphKind": "conditionalAccessPolicy",
        "displayName": "PUM-CA11 Admins: continuous access evaluation strictly enforced",
        "state": "enabled",
        "conditions": {
            "users": {"includeRoles": [GA], "excludeUsers": list(BREAK_GLASS)},
            "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"],
        },
        "sessionControls": {"continuousAccessEvaluation": {"mode": "strictEnforcement"}},
        **extra,
    }


def contexts(graph):
    return ca_state(graph)["contexts"]


def policies(graph):
    return ca_state(graph)["policies"]


def ctx_host(graph):
    return HostConverted(AuthenticationContextProvider(client_factory=graph.client))


def pol_host(graph):
    return HostConverted(GraphConditionalAccessPolicyProvider(client_factory=graph.client))


def writes(graph, since=0):
    return [(r.method, r.path) for r in graph.requests[since:] if r.method != "GET"]


# -- authentication contexts --------------------------------------------------------------------------------


def test_a_context_is_created_by_the_documented_upsert_and_the_next_up_writes_nothing(graph):
    host = ctx_host(graph)
    state, what = up(host, context_inputs())
    assert what == "create" and state.id == "c1"
    (patch,) = graph.calls("PATCH", "authenticationContextClassReferences/c1")
    assert patch.body == {k: context_inputs()[k] for k in ("displayName", "description", "isAvailable")}
    assert contexts(graph)["c1"]["isAvailable"] is True
    assert graph.calls("GET")[0].path.endswith("/c1")  # looked first
    state = refresh(host, state)
    mark = len(graph.requests)
    assert up(host, context_inputs(), state)[1] == "same" and writes(graph, mark) == []


def test_an_existing_context_is_adopted_only_with_the_declared_meaning(graph):
    contexts(graph)["c1"] = {**context_inputs(isAvailable=False), "id": "c1"}
    del contexts(graph)["c1"]["graphKind"], contexts(graph)["c1"]["claimValue"]
    state, _ = up(ctx_host(graph), context_inputs())
    assert state.id == "c1" and contexts(graph)["c1"]["isAvailable"] is True  # published, as declared
    [patch] = graph.calls("PATCH")
    assert patch.body == {"isAvailable": True}


@pytest.mark.parametrize("field", ["displayName", "description"])
def test_a_context_that_means_something_else_is_refused_never_taken_over(graph, field):
    other = {"id": "c1", "displayName": "Sensitive SharePoint sites", "description": "MFA", "isAvailable": True}
    other[field] = context_inputs()[field] if field == "description" else other[field]
    if field == "description":
        other["displayName"] = context_inputs()["displayName"]
        other["description"] = "labels: highly confidential"
    contexts(graph)["c1"] = dict(other)
    with pytest.raises(GraphError) as err:
        up(ctx_host(graph), context_inputs())
    assert err.value.code == "authenticationContextExists" and "'c1'" in str(err.value)
    assert "c2 to c99" in str(err.value) and "pulumi import" in str(err.value)
    assert graph.calls("PATCH") == [] and contexts(graph)["c1"] == other


def test_context_drift_in_the_portal_shows_and_the_next_up_repairs_it(graph):
    host = ctx_host(graph)
    state, _ = up(host, context_inputs())
    contexts(graph)["c1"]["isAvailable"] = False  # unpublished in the portal: PIM could no longer request it
    drifted = refresh(host, state)
    assert drifted.outputs["isAvailable"] is False
    state, what = up(host, context_inputs(), drifted)
    assert what == "update" and contexts(graph)["c1"]["isAvailable"] is True
    contexts(graph).clear()  # deleted in the portal
    assert refresh(host, state) is None


def test_a_context_of_another_claim_value_replaces_and_delete_removes_it(graph):
    host = ctx_host(graph)
    state, _ = up(host, context_inputs())
    state, what = up(host, context_inputs(claimValue="c2"), state)
    assert what == "replace" and set(contexts(graph)) == {"c2"}
    destroy(host, state)
    assert contexts(graph) == {}


@pytest.mark.parametrize(
    "bad, field",
    [({"claimValue": "c0"}, "claimValue"), ({"claimValue": "C1"}, "claimValue"), ({"displayName": " "}, "displayName")],
)
def test_a_context_check_names_the_field(graph, bad, field):
    with pytest.raises(CheckFailed) as err:
        up(ctx_host(graph), context_inputs(**bad))
    assert field in str(err.value)
    with pytest.raises(ValueError, match=field):
        AuthenticationContext("ctx", bad.get("claimValue", "c1"), bad.get("displayName", "x"))


def test_a_context_survives_a_lost_answer_and_throttling_without_a_second_object(graph):
    graph.lose_answer("PATCH", "authenticationContextClassReferences/c1", how="drop")
    graph.throttle_matching("GET", "authenticationContextClassReferences", n=1)
    state, _ = up(ctx_host(graph), context_inputs())
    assert state.id == "c1" and list(contexts(graph)) == ["c1"]
    assert up(ctx_host(graph), context_inputs(), refresh(ctx_host(graph), state))[1] == "same"


# -- conditional access policies ----------------------------------------------------------------------------


def test_a_policy_is_created_and_graphs_answer_is_not_drift(graph):
    host = pol_host(graph)
    state, what = up(host, policy_inputs())
    assert what == "create"
    (post,) = graph.calls("POST", "conditionalAccess/policies")
    assert "graphKind" not in post.body and post.body["conditions"]["applications"] == {
        "includeAuthenticationContextClassReferences": ["c1"]
    }
    live = policies(graph)[state.id]
    assert state.id == live["id"] == live["id"].lower() and live["createdDateTime"]
    assert state.outputs["policyId"] == state.id
    assert live["conditions"]["users"]["excludeUsers"] == [u.lower() for u in BREAK_GLASS]  # Graph: lower case
    assert live["grantControls"]["authenticationStrength"]["displayName"] == "Phishing-resistant MFA"
    state = refresh(host, state)
    mark = len(graph.requests)
    assert up(host, policy_inputs(), state)[1] == "same" and writes(graph, mark) == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p["conditions"]["users"]["excludeRoles"].append("62e90394-69f5-4237-9190-012177145e10"),
        lambda p: p["conditions"]["users"]["excludeUsers"].append("dddddddd-0000-4000-8000-000000000001"),
        lambda p: p["conditions"].update(locations={"includeLocations": ["All"], "excludeLocations": ["x"]}),
        lambda p: p["grantControls"].update(operator="OR"),
        lambda p: p.update(state="enabledForReportingButNotEnforced"),
        lambda p: p["grantControls"]["builtInControls"].clear(),
    ],
    ids=["role-excluded", "user-excluded", "location-added", "operator-or", "report-only", "device-dropped"],
)
def test_a_portal_edit_that_weakens_the_policy_is_drift_and_the_next_up_restores_it(graph, edit):
    host = pol_host(graph)
    state, _ = up(host, policy_inputs())
    edit(policies(graph)[state.id])
    drifted = refresh(host, state)
    state, what = up(host, policy_inputs(), drifted)
    assert what == "update"
    assert normal(policies(graph)[state.id]["conditions"], "conditions") == normal(
        from_host(policy_inputs()["conditions"]), "conditions"
    )
    assert policies(graph)[state.id]["state"] == "enabled"
    assert up(host, policy_inputs(), refresh(host, state))[1] == "same"


def test_an_identical_policy_of_the_name_is_adopted_and_another_is_refused(graph):
    first, _ = up(pol_host(graph), policy_inputs())  # an earlier `up` whose state was lost
    again, what = up(pol_host(graph), policy_inputs())
    assert what == "create" and again.id == first.id and len(policies(graph)) == 1
    policies(graph)[first.id]["conditions"]["users"]["excludeGroups"] = ["eeeeeeee-0000-4000-8000-000000000009"]
    with pytest.raises(GraphError) as err:
        up(pol_host(graph), policy_inputs())
    assert err.value.code == "conditionalAccessPolicyExists" and "PUM-CA09" in str(err.value)
    assert "namePrefix" in str(err.value) and "pulumi import" in str(err.value)
    assert len(graph.calls("POST")) == 1 and graph.calls("PATCH") == []


def test_two_policies_of_the_name_are_ambiguous(graph):
    up(pol_host(graph), policy_inputs())
    twin = copy.deepcopy(next(iter(policies(graph).values())))
    twin["id"] = "bbbbbbbb-0000-4000-8000-000000000002"
    policies(graph)[twin["id"]] = twin
    with pytest.raises(GraphError) as err:
        up(pol_host(graph), policy_inputs())
    assert err.value.code == "ambiguousAdoption"


@pytest.mark.parametrize("how", ["504", "drop"])
def test_a_lost_create_answer_is_adopted_never_repeated(graph, how):
    graph.lose_answer("POST", "conditionalAccess/policies", how=how)
    state, _ = up(pol_host(graph), policy_inputs())
    assert len(graph.calls("POST")) == 1 and list(policies(graph)) == [state.id]
    assert up(pol_host(graph), policy_inputs(), refresh(pol_host(graph), state))[1] == "same"


def test_a_lost_answer_under_lag_fails_clearly_and_the_next_up_adopts(graph):
    graph.lag(40)
    graph.lose_answer("POST", "conditionalAccess/policies", how="504")
    with pytest.raises(GraphError) as err:
        up(pol_host(graph), policy_inputs())
    assert err.value.code == "createOutcomeUnknown" and "run `pulumi up` again" in str(err.value)
    graph.settle()
    state, _ = up(pol_host(graph), policy_inputs())
    assert len(graph.calls("POST")) == 1 and list(policies(graph)) == [state.id]


def test_lag_beyond_the_budget_after_a_create_still_tracks_the_policy(graph):
    graph.lag(12)
    state, _ = up(pol_host(graph), policy_inputs())
    graph.settle()
    assert list(policies(graph)) == [state.id]
    assert up(pol_host(graph), policy_inputs(), refresh(pol_host(graph), state))[1] == "same"


def test_a_cross_origin_redirect_gets_no_token_and_no_duplicate(graph, other_origin):
    graph.redirect_next("POST", "conditionalAccess/policies", to=other_origin.url + "/steal")
    with pytest.raises(GraphError):
        up(pol_host(graph), policy_inputs())
    assert other_origin.authorizations == []
    state, _ = up(pol_host(graph), policy_inputs())  # the next up looks first
    assert list(policies(graph)) == [state.id]


def test_a_throttled_policy_create_waits_and_makes_one(graph):
    graph.throttle_matching("POST", "conditionalAccess/policies", n=2)
    state, _ = up(pol_host(graph), policy_inputs())
    assert list(policies(graph)) == [state.id] and graph.sleeps


def test_a_policy_deleted_in_the_portal_reads_as_gone_and_delete_removes_it(graph):
    host = pol_host(graph)
    state, _ = up(host, cae_inputs())
    assert policies(graph)[state.id]["sessionControls"]["continuousAccessEvaluation"] == {"mode": "strictEnforcement"}
    destroy(host, state)
    assert policies(graph) == {} and refresh(host, state) is None


def test_removing_the_session_controls_sends_null_so_graph_drops_them(graph):
    host = pol_host(graph)
    state, _ = up(host, cae_inputs())
    news = cae_inputs(grantControls={"operator": "OR", "builtInControls": ["mfa"]})
    del news["sessionControls"]
    state, what = up(host, news, state)
    assert what == "update" and policies(graph)[state.id]["sessionControls"] is None
    assert up(host, news, refresh(host, state))[1] == "same"


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda p: p.update(state="on"), "state"),
        (
            lambda p: p["conditions"]["applications"].update(
                includeApplications=["797f4846-ba00-4fd7-ba43-dac1f8f63013"]
            ),
            "every sign-in",
        ),
        (lambda p: p["conditions"].update(platforms={"includePlatforms": ["windows"]}), "platforms"),
        (lambda p: p["conditions"].update(clientAppTypes=["browser"]), "clientAppTypes"),
        (lambda p: p["sessionControls"]["continuousAccessEvaluation"].update(mode="strict"), "mode"),
        (lambda p: p.pop("sessionControls"), "grantControls or sessionControls"),
    ],
    ids=["state", "some-apps", "platform", "client-apps", "mode", "no-controls"],
)
def test_check_refuses_what_graph_or_cae_would_not_honour(graph, change, words):
    inputs = cae_inputs()
    change(inputs)
    with pytest.raises(CheckFailed) as err:
        up(pol_host(graph), inputs)
    assert words in str(err.value)
    assert graph.calls("POST") == []


def test_the_resource_refuses_a_bad_declaration_at_construction():
    with pytest.raises(ValueError, match="'cae'.*every sign-in"):
        GraphConditionalAccessPolicy(
            "cae",
            "x",
            "enabled",
            {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["Office365"]}},
            session_controls={"continuousAccessEvaluation": {"mode": "strictEnforcement"}},
        )


def test_both_resources_through_the_real_host_with_upper_case_ids(graph):
    with HostProcess(AuthenticationContextProvider()) as host:
        ctx, what = up(host, context_inputs())
        assert what == "create" and up(host, context_inputs(), refresh(host, ctx))[1] == "same"
    with HostProcess(GraphConditionalAccessPolicyProvider()) as host:
        for inputs in (policy_inputs(), cae_inputs()):
            state, what = up(host, inputs)
            assert what == "create"
            state = refresh(host, state)
            mark = len(graph.requests)
            assert up(host, inputs, state)[1] == "same" and writes(graph, mark) == []
            policies(graph)[state.id]["conditions"]["users"]["excludeRoles"] = [GA.lower()]  # portal edit
            state, what = up(host, inputs, refresh(host, state))
            assert what == "update" and policies(graph)[state.id]["conditions"]["users"]["excludeRoles"] == []
            destroy(host, state)
    assert policies(graph) == {}


def test_a_context_created_under_replication_lag_is_confirmed_not_written_twice(graph):
    graph.lag(2)
    state, _ = up(ctx_host(graph), context_inputs())
    assert len(graph.calls("PATCH")) == 1 and state.outputs["displayName"] == context_inputs()["displayName"]
    assert graph.sleeps  # the confirming read waited out the lag
    graph.settle()
    assert up(ctx_host(graph), context_inputs(), refresh(ctx_host(graph), state))[1] == "same"


def test_a_context_created_under_lag_beyond_the_budget_is_still_tracked(graph):
    graph.lag(40)
    state, _ = up(ctx_host(graph), context_inputs())
    assert state.id == "c1" and list(contexts(graph)) == ["c1"] and len(graph.calls("PATCH")) == 1


def test_the_example_stacks_contexts_and_policies_through_the_real_host(graph):
    """The inputs the example stack registers (IDs the preview cannot know filled in upper case) go through create,
    a clean refresh and next `up`, a portal edit that is repaired, and destroy."""
    import itertools
    import os

    from privileged_facts.values import is_unknown

    from pum.engine import run_preview
    from pum.wire import UNKNOWN as PREVIEW_UNKNOWN

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    report = run_preview(root, cwd=root, stack="example", policy_packs=[])
    ids = (f"{n:08X}-ABCD-4EF0-8123-{n:012X}" for n in itertools.count(0xC0))

    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return next(ids) if value is PREVIEW_UNKNOWN or is_unknown(value) else value

    inputs = {
        res.name: fill({k: v for k, v in res.inputs.items() if k != "__provider"})
        for res in report.resources
        if res.type == "pulumi-python:dynamic:Resource"
        and res.inputs.get("graphKind") in ("authenticationContext", "conditionalAccessPolicy")
    }
    assert sorted(inputs) == [
        "conditional-access-ca09-c1",
        "conditional-access-ca10-c1",
        "conditional-access-ca11",
        "conditional-access-context-c1",
    ]
    with HostProcess(AuthenticationContextProvider()) as host:
        ctx, _ = up(host, inputs["conditional-access-context-c1"])
        assert up(host, inputs["conditional-access-context-c1"], refresh(host, ctx))[1] == "same"
    with HostProcess(GraphConditionalAccessPolicyProvider()) as host:
        for name in ("conditional-access-ca09-c1", "conditional-access-ca10-c1", "conditional-access-ca11"):
            state, what = up(host, inputs[name])
            assert what == "create"
            mark = len(graph.requests)
            state = refresh(host, state)
            assert up(host, inputs[name], state)[1] == "same" and writes(graph, mark) == []
            policies(graph)[state.id]["state"] = "disabled"  # turned off in the portal
            state, what = up(host, inputs[name], refresh(host, state))
            assert what == "update" and policies(graph)[state.id]["state"] == "enabled"
            destroy(host, state)
    assert policies(graph) == {}
