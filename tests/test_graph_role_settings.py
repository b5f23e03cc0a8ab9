"""EntraRoleSettings provider and build_role_rules, against the local Graph stand-in."""

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from privileged_facts.pim_rules import PIM_RULE_IDS as RULE_IDS

from components.graph.role_settings import EntraRoleSettingsProvider, build_role_rules, validate_rules

GA = "62e90394-69f5-4237-9190-012177145e10"
APPROVERS = "bbbbbbbb-0000-4000-8000-000000000001"


def provider(graph):
    return EntraRoleSettingsProvider(client_factory=graph.client)


def props(rules=None, role=GA):
    return {
        "graphKind": "entraRoleSettings",
        "roleDefinitionId": role,
        "rules": rules if rules is not None else build_role_rules(),
    }


def by_id(rules):
    return {r["id"]: r for r in rules}


# -- build_role_rules -----------------------------------------------------------------------------
def test_defaults_are_hardened():
    rules = by_id(build_role_rules())
    assert set(rules) == {
        "Expiration_EndUser_Assignment",
        "Enablement_EndUser_Assignment",
        "AuthenticationContext_EndUser_Assignment",
        "Approval_EndUser_Assignment",
        "Expiration_Admin_Eligibility",
        "Expiration_Admin_Assignment",
        "Notification_Admin_Admin_Eligibility",
        "Notification_Admin_Admin_Assignment",
        "Notification_Admin_EndUser_Assignment",
    }
    assert rules["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT1H"
    assert rules["Enablement_EndUser_Assignment"]["enabledRules"] == ["MultiFactorAuthentication", "Justification"]
    assert rules["Expiration_Admin_Eligibility"] == {
        **rules["Expiration_Admin_Eligibility"],
        "isExpirationRequired": True,
        "maximumDuration": "P180D",
    }
    assert rules["Approval_EndUser_Assignment"]["setting"]["approvalStages"] == []
    assert rules["Expiration_Admin_Assignment"]["target"] == {
        "caller": "Admin",
        "operations": ["all"],
        "level": "Assignment",
        "inheritableSettings": [],
        "enforcedSettings": [],
    }
    assert (
        rules["Notification_Admin_EndUser_Assignment"]["@odata.type"]
        == "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule"
    )


def test_approval_and_auth_context_shapes():
    rules = by_id(
        build_role_rules(
            require_mfa=False,
            authentication_context="c3",
            require_approval=True,
            approver_group_ids=[APPROVERS],
            require_ticket=True,
            alert_recipients=["sec@contoso.com"],
        )
    )
    assert rules["AuthenticationContext_EndUser_Assignment"]["claimValue"] == "c3"
    assert rules["Enablement_EndUser_Assignment"]["enabledRules"] == ["Justification", "Ticketing"]
    stage = rules["Approval_EndUser_Assignment"]["setting"]["approvalStages"][0]
    assert stage["primaryApprovers"] == [{"@odata.type": "#microsoft.graph.groupMembers", "groupId": APPROVERS}]
    assert rules["Approval_EndUser_Assignment"]["setting"]["approvalMode"] == "SingleStage"
    assert rules["Notification_Admin_Admin_Eligibility"]["notificationRecipients"] == ["sec@contoso.com"]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"authentication_context": "c1"}, "authentication_context"),  # with require_mfa=True
        ({"require_approval": True}, "require_approval"),
        ({"activation_max_duration": "PT25H"}, "activation_max_duration"),
        ({"activation_max_duration": "PT10M"}, "activation_max_duration"),
        ({"activation_max_duration": "1 hour"}, "activation_max_duration"),
        ({"eligible_max_duration": "P0D"}, "eligible_max_duration"),
        ({"require_mfa": False, "authentication_context": "ctx"}, "authentication_context"),
        ({"require_approval": True, "approver_user_ids": ["not-a-guid"]}, "approver_user_ids[0]"),
        ({"alert_recipients": ["nobody"]}, "alert_recipients[0]"),
    ],
)
def test_invalid_settings_name_the_field(kwargs, field):
    with pytest.raises(ValueError) as err:
        build_role_rules(**kwargs)
    assert str(err.value).startswith(field)


@given(hours=st.integers(min_value=1, max_value=24), days=st.integers(min_value=1, max_value=365))
def test_every_valid_setting_passes_the_graph_shape_check(hours, days):
    rules = build_role_rules(activation_max_duration=f"PT{hours}H", eligible_max_duration=f"P{days}D")
    validate_rules(rules)
    assert by_id(rules)["Expiration_EndUser_Assignment"]["maximumDuration"] == f"PT{hours}H"


def test_permanent_eligibility_is_expressible_for_the_pack_to_reject():
    rule = by_id(build_role_rules(eligible_max_duration=None))["Expiration_Admin_Eligibility"]
    assert rule["isExpirationRequired"] is False


# -- provider -------------------------------------------------------------------------------------
def test_create_patches_every_declared_rule_with_graph_shapes(graph):
    result = provider(graph).create(props())
    policy = graph.policy(GA)
    assert result.id == policy["id"] and result.outs["policyId"] == policy["id"]
    patched = graph.calls("PATCH", "/rules/")
    assert sorted(r.path.rsplit("/", 1)[1] for r in patched) == sorted(r["id"] for r in build_role_rules())
    assert all(r.body["@odata.type"] and r.body["target"] for r in patched)
    assert policy["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT1H"
    assert policy["rules"]["Expiration_Admin_Eligibility"]["isExpirationRequired"] is True
    # rules not declared keep their values
    assert policy["rules"]["Enablement_Admin_Eligibility"]["enabledRules"] == []


def test_read_after_create_shows_no_drift_then_reports_a_portal_change(graph):
    p = provider(graph)
    created = p.create(props())
    read = p.read(created.id, {**created.outs, "__provider": "x"})
    assert read.id == created.id
    assert not p.diff(created.id, read.outs, props()).changes  # Graph's extra fields are not drift
    graph.policy(GA)["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] = "PT8H"  # portal edit
    drifted = p.read(created.id, created.outs)
    assert by_id(drifted.outs["rules"])["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT8H"
    assert drifted.inputs["rules"] == drifted.outs["rules"]
    d = p.diff(created.id, drifted.outs, props())
    assert d.changes and d.replaces == []
    graph.requests.clear()
    p.update(created.id, drifted.outs, props())
    assert [r.path.rsplit("/", 1)[1] for r in graph.calls("PATCH")] == ["Expiration_EndUser_Assignment"]
    assert graph.policy(GA)["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT1H"


def test_reordered_lists_are_not_a_diff_but_a_role_change_replaces(graph):
    p = provider(graph)
    old = props()
    new = copy.deepcopy(old)
    by_id(new["rules"])["Enablement_EndUser_Assignment"]["enabledRules"].reverse()
    assert not p.diff("id", old, new).changes
    other = props(role="fe930be7-5e62-47db-91af-98c3a49a38b1")
    assert p.diff("id", old, other).replaces == ["roleDefinitionId"]


def test_update_patches_only_changed_rules(graph):
    p = provider(graph)
    created = p.create(props())
    graph.requests.clear()
    new = props(build_role_rules(require_approval=True, approver_group_ids=[APPROVERS]))
    p.update(created.id, created.outs, new)
    assert [r.path.rsplit("/", 1)[1] for r in graph.calls("PATCH")] == ["Approval_EndUser_Assignment"]
    assert graph.policy(GA)["rules"]["Approval_EndUser_Assignment"]["setting"]["isApprovalRequired"] is True


def test_delete_leaves_the_hardened_rules_in_place(graph):
    p = provider(graph)
    created = p.create(props())
    graph.requests.clear()
    p.delete(created.id, created.outs)
    assert graph.requests == []
    assert graph.policy(GA)["rules"]["Expiration_EndUser_Assignment"]["maximumDuration"] == "PT1H"


def test_import_without_declared_rules_reads_all_of_them(graph):
    policy_id = graph.policy(GA)["id"]
    read = provider(graph).read(policy_id, {"roleDefinitionId": GA})
    assert [r["id"] for r in read.outs["rules"]] == list(RULE_IDS)


def test_unknown_role_is_a_clear_error(graph):
    from components.graph.client import GraphError

    with pytest.raises(GraphError) as err:
        provider(graph).create(props(role="not-a-guid"))
    assert "not-a-guid" in str(err.value) and "roleDefinitionId" in str(err.value)


def test_throttled_patch_is_retried(graph):
    graph.throttle(2, retry_after="5")
    provider(graph).create(props())
    assert graph.sleeps == [5.0, 5.0]


@pytest.mark.parametrize(
    "mutate, prop",
    [
        (lambda r: r[0].update({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"}), "rules"),
        (lambda r: r[0].update({"id": "Expiration_Nobody"}), "rules"),
        (lambda r: r.append(dict(r[0])), "rules"),
        (lambda r: r[1].update({"enabledRules": ["Fingerprint"]}), "rules"),
        (lambda r: r[2].update({"isEnabled": True, "claimValue": "c1"}), "rules"),  # with MFA on
    ],
)
def test_check_rejects_malformed_rules(graph, mutate, prop):
    rules = build_role_rules()
    mutate(rules)
    result = provider(graph).check({}, props(rules))
    assert [f.property for f in result.failures] == [prop]


def test_check_passes_preview_unknowns(graph):
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    checked = {"graphKind": "entraRoleSettings", "roleDefinitionId": unknown, "rules": unknown}
    assert provider(graph).check({}, checked).failures == []  # graphKind is always literal (base.GraphProvider.check)


def test_a_duration_graph_writes_another_way_is_not_drift_but_another_length_is():
    from components.graph.role_settings import canonical

    declared = {"id": "Expiration_EndUser_Assignment", "maximumDuration": "PT24H", "target": {"operations": ["All"]}}
    assert canonical({**declared, "maximumDuration": "P1D", "target": {"operations": ["all"]}}) == canonical(declared)
    assert canonical({**declared, "maximumDuration": "PT25H"}) != canonical(declared)
