"""Graph's key spellings, as the provider refuses others and as the pack reads them.

Graph reads JSON property names case-insensitively (`ExcludeRoles` excludes roles), so a reader that looks only for
`excludeRoles` would judge a policy Graph enforces differently. Both sides hold: GraphConditionalAccessPolicy's check
refuses every key that is not the msgraph beta model's camelCase spelling (tables kept equal to the installed SDK
here), and the pack's reader folds each key to that spelling (tests/test_ca_bypass_classes.py has the plain programs).
"""

from __future__ import annotations

import importlib
import sys

import pytest
from provider_host import HostConverted

sys.path.insert(0, "policies")

from rules import conditional_access as reader

from components.graph import conditional_access_policy as cap

MODELS = {
    "conditions": "conditional_access_condition_set.ConditionalAccessConditionSet",
    "conditions.users": "conditional_access_users.ConditionalAccessUsers",
    "conditions.users.excludeGuestsOrExternalUsers": (
        "conditional_access_guests_or_external_users.ConditionalAccessGuestsOrExternalUsers"
    ),
    "conditions.applications": "conditional_access_applications.ConditionalAccessApplications",
    "conditions.applications.applicationFilter": "conditional_access_filter.ConditionalAccessFilter",
    "conditions.devices": "conditional_access_devices.ConditionalAccessDevices",
    "conditions.devices.deviceFilter": "conditional_access_filter.ConditionalAccessFilter",
    "conditions.locations": "conditional_access_locations.ConditionalAccessLocations",
    "conditions.platforms": "conditional_access_platforms.ConditionalAccessPlatforms",
    "conditions.clientApplications": "conditional_access_client_applications.ConditionalAccessClientApplications",
    "conditions.authenticationFlows": "conditional_access_authentication_flows.ConditionalAccessAuthenticationFlows",
    "grantControls": "conditional_access_grant_controls.ConditionalAccessGrantControls",
    "grantControls.authenticationStrength": "authentication_strength_policy.AuthenticationStrengthPolicy",
    "sessionControls": "conditional_access_session_controls.ConditionalAccessSessionControls",
    "sessionControls.continuousAccessEvaluation": (
        "continuous_access_evaluation_session_control.ContinuousAccessEvaluationSessionControl"
    ),
}


def sdk_keys(dotted: str) -> set[str]:
    module, name = dotted.rsplit(".", 1)
    model = getattr(importlib.import_module(f"msgraph_beta.generated.models.{module}"), name)
    return {k for k in model().get_field_deserializers() if not k.startswith("@odata")}


def schema_at(path: str) -> dict:
    node: dict = cap.SCHEMA
    for part in path.split("."):
        node = node[part]
    return node


@pytest.mark.parametrize("path", sorted(MODELS))
def test_the_providers_key_table_is_the_beta_models(path):
    assert set(schema_at(path)) == sdk_keys(MODELS[path])


@pytest.mark.parametrize(
    ("table", "path"),
    [
        (reader.CONDITION_KEYS, "conditions"),
        (reader.GRANT_KEYS, "grantControls"),
        (reader.SESSION_KEYS, "sessionControls"),
        (reader.DEVICE_KEYS, "conditions.devices"),
        (reader.FILTER_KEYS, "conditions.devices.deviceFilter"),
        (reader.CLIENT_APP_KEYS, "conditions.clientApplications"),
        (tuple(reader._GRAPH_USERS), "conditions.users"),
        ((*reader._GRAPH_APPS, *reader._GRAPH_APPS_UNREAD), "conditions.applications"),
    ],
)
def test_the_readers_spellings_are_the_beta_models(table, path):
    assert set(table) == sdk_keys(MODELS[path])


def declaration(**over):
    props = {
        "graphKind": "conditionalAccessPolicy",
        "displayName": "PUM-CA09",
        "state": "enabled",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": ["aaaaaaaa-0000-4000-8000-000000000001"]},
            "applications": {"includeAuthenticationContextClassReferences": ["c1"]},
            "devices": {"deviceFilter": {"mode": "exclude", "rule": 'device.displayName -startsWith "paw-"'}},
        },
        "grantControls": {"operator": "AND", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}},
        "sessionControls": {},
    }
    for path, value in over.items():
        node = props
        *parents, last = path.split("/")
        for part in parents:
            node = node[part]
        node.pop(last.lower(), None)
        for key in [k for k in node if k.lower() == last.lower()]:
            node.pop(key)
        node[last] = value
    return props


def test_the_declaration_in_graphs_spelling_passes():
    _, failures = HostConverted(cap.GraphConditionalAccessPolicyProvider()).check({}, declaration())
    assert failures == []


MISSPELT = {
    "conditions/users/ExcludeRoles": ["62e90394-69f5-4237-9190-012177145e10"],
    "conditions/users/IncludeUsers": ["All"],
    "conditions/Users": {"includeUsers": ["All"]},
    "conditions/applications/IncludeApplications": ["All"],
    "conditions/devices/DeviceFilter": {"mode": "exclude", "rule": "x"},
    "conditions/devices/deviceFilter/Mode": "include",
    "conditions/excludeRoles": ["62e90394-69f5-4237-9190-012177145e10"],
    "grantControls/Operator": "OR",
    "grantControls/TermsOfUse": ["5a9b8c7d-0000-4000-8000-00000000a0a0"],
    "grantControls/authenticationStrength/ID": "00000000-0000-0000-0000-000000000002",
    "sessionControls/ContinuousAccessEvaluation": {"mode": "disabled"},
    "sessionControls/continuousAccessEvaluation": {"Mode": "disabled"},
}


@pytest.mark.parametrize("path", sorted(MISSPELT))
def test_a_key_in_another_case_or_unknown_to_the_model_is_refused(path):
    props = declaration(**{path: MISSPELT[path]})
    _, failures = HostConverted(cap.GraphConditionalAccessPolicyProvider()).check({}, props)
    assert [p for p, _ in failures] == ["conditions"], failures
    assert path.rsplit("/", 1)[-1] in failures[0][1] or "Mode" in failures[0][1]


def test_the_resource_class_refuses_a_misspelt_key_at_declaration():
    with pytest.raises(ValueError, match="ExcludeRoles"):
        cap.validate(declaration(**{"conditions/users/ExcludeRoles": ["x"]}))


def test_a_top_level_key_that_is_not_an_input_is_refused():
    _, failures = HostConverted(cap.GraphConditionalAccessPolicyProvider()).check(
        {}, {**declaration(), "Conditions": {}}
    )
    assert ("graphKind", "['Conditions']: not inputs of GraphConditionalAccessPolicy") in [
        (p, r.split(" (", 1)[0]) for p, r in failures
    ]


def test_a_value_unknown_at_preview_is_left_to_up():
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    props = declaration(**{"conditions/devices": unknown, "grantControls/authenticationStrength": unknown})
    _, failures = HostConverted(cap.GraphConditionalAccessPolicyProvider()).check({}, props)
    assert failures == []
