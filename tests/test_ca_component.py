"""ConditionalAccessBaseline under Pulumi mocks: what it declares for a given model."""

import pulumi
import pytest
from privileged_facts.roles import PRIVILEGED_ROLE_IDS

BG = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"]
GROUP = "cccccccc-0000-4000-8000-000000000001"
PAW_FILTER = 'device.displayName -startsWith "paw-" -and device.trustType -eq "AzureAD"'
PR = "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"


def baseline(settings=None, paw=True, break_glass=BG):
    from components.conditional_access import ConditionalAccessBaseline
    from components.model.conditional_access import ConditionalAccessSettings
    from components.stack import conditional_access_args

    model = ConditionalAccessSettings.model_validate(settings or {})
    return ConditionalAccessBaseline(
        "ca",
        conditional_access_args(
            model,
            break_glass_user_ids=break_glass,
            admin_group_ids=[GROUP],
            paw_device_filter=PAW_FILTER if paw else None,
        ),
    )


def after(component, check):
    """Await every policy ID, then run `check` on the recorded inputs."""
    ids = [p.id for p in component.policies.values()] + [p.id for p in component.graph_policies.values()]
    return pulumi.Output.all(*ids, *[c.id for c in component.contexts.values()]).apply(lambda _: check())


@pulumi.runtime.test
def test_default_baseline_is_report_only_named_and_excludes_break_glass(mocks):
    component = baseline()

    def check():
        policies = {n: i for n, i in mocks.inputs.items() if mocks.types[n].endswith("ConditionalAccessPolicy")}
        assert sorted(policies) == [f"ca-ca0{i}" for i in range(1, 8)]
        assert {p["state"] for p in policies.values()} == {"enabledForReportingButNotEnforced"}
        assert policies["ca-ca01"]["displayName"] == "PUM-CA01 Admins: phishing-resistant MFA (all resources)"
        for name, p in policies.items():
            users = p["conditions"]["users"]
            if name == "ca-ca07":
                assert users == {"includedUsers": BG}
            else:
                assert users["excludedUsers"] == BG
                assert "excludedRoles" not in users
        admins = policies["ca-ca01"]["conditions"]["users"]
        assert set(admins["includedRoles"]) == set(PRIVILEGED_ROLE_IDS) and admins["includedGroups"] == [GROUP]
        assert policies["ca-ca01"]["grantControls"]["authenticationStrengthPolicyId"] == PR
        assert policies["ca-ca07"]["grantControls"]["authenticationStrengthPolicyId"] == PR
        portals = policies["ca-ca02"]
        assert portals["conditions"]["applications"]["includedApplications"] == [
            "MicrosoftAdminPortals",
            "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        ]
        assert portals["conditions"]["devices"]["filter"] == {"mode": "exclude", "rule": PAW_FILTER}
        assert portals["grantControls"]["builtInControls"] == ["block"]
        avd = policies["ca-ca03"]["grantControls"]
        assert avd["operator"] == "AND" and avd["builtInControls"] == ["compliantDevice"]
        session = policies["ca-ca04"]["sessionControls"]
        assert session["persistentBrowserMode"] == "never" and session["signInFrequency"] == 4
        assert policies["ca-ca05"]["conditions"]["clientAppTypes"] == ["exchangeActiveSync", "other"]
        assert policies["ca-ca06"]["conditions"]["authenticationFlowTransferMethods"] == ["deviceCodeFlow"]
        assert component.authentication_contexts == ["c1"]

    return after(component, check)


@pulumi.runtime.test
def test_enforce_list_enables_only_those_policies(mocks):
    component = baseline({"enforce": ["CA05", "CA06"]})

    def check():
        states = {n: i["state"] for n, i in mocks.inputs.items() if n.startswith("ca-ca")}
        assert {n for n, s in states.items() if s == "enabled"} == {"ca-ca05", "ca-ca06"}

    return after(component, check)


@pulumi.runtime.test
def test_enforce_true_enables_every_policy(mocks):
    component = baseline({"enforce": True})

    def check():
        states = {n: i["state"] for n, i in mocks.inputs.items() if n.startswith("ca-ca")}
        # CA01..CA07 (azuread) and, through the Graph layer, CA09/CA10 for context c1 and CA11
        assert len(states) == 10 and set(states.values()) == {"enabled"}

    return after(component, check)


@pulumi.runtime.test
def test_custom_strength_without_paw_and_with_locations(mocks):
    component = baseline(
        {
            "authenticationStrength": "custom",
            "customStrengthMethods": ["fido2"],
            "namedLocations": [{"name": "HQ", "ipRanges": ["203.0.113.0/24"], "trusted": True}],
            "adminAllowedLocations": ["HQ"],
        },
        paw=False,
    )

    def check():
        assert mocks.inputs["ca-phishing-resistant"]["allowedCombinations"] == ["fido2"]
        assert mocks.inputs["ca-ca01"]["grantControls"]["authenticationStrengthPolicyId"] == "ca-phishing-resistant-id"
        assert "ca-ca03" not in mocks.inputs
        assert mocks.inputs["ca-ca02"]["grantControls"]["builtInControls"] == ["compliantDevice"]
        assert mocks.inputs["ca-location-1"]["ip"] == {"ipRanges": ["203.0.113.0/24"], "trusted": True}
        locations = mocks.inputs["ca-ca08"]["conditions"]["locations"]
        assert locations == {"includedLocations": ["All"], "excludedLocations": ["ca-location-1-id"]}

    return after(component, check)


def test_baseline_refuses_to_run_without_break_glass(mocks):
    with pytest.raises(ValueError, match="break-glass"):
        baseline(break_glass=[])


LOCATION_GUID = "5d3c2b1a-0000-4000-8000-00000000a001"


@pytest.fixture
def graph_shaped_mocks():
    """Recording mocks whose NamedLocation outputs have the azuread provider's real shape: `id` is the import path
    /identity/conditionalAccess/namedLocations/<object ID> and `objectId` the bare object ID (the provider's
    named_location_resource.go sets both; its docs import by that path)."""
    from conftest import recording_mocks

    recorder = recording_mocks()
    plain = recorder.new_resource

    def new_resource(args):
        resource_id, state = plain(args)
        if args.typ == "azuread:index/namedLocation:NamedLocation":
            return f"/identity/conditionalAccess/namedLocations/{LOCATION_GUID}", {**state, "objectId": LOCATION_GUID}
        return resource_id, state

    recorder.new_resource = new_resource
    return recorder


@pulumi.runtime.test
def test_the_location_policy_excludes_named_locations_by_object_id_not_by_their_path(graph_shaped_mocks):
    """Graph's excludeLocations takes object IDs; the provider passes the list on verbatim, so the path-shaped
    `id` would be a Graph 400 at `up`."""
    component = baseline(
        {"namedLocations": [{"name": "HQ", "ipRanges": ["203.0.113.0/24"]}], "adminAllowedLocations": ["HQ"]}
    )

    def check():
        locations = graph_shaped_mocks.inputs["ca-ca08"]["conditions"]["locations"]
        assert locations == {"includedLocations": ["All"], "excludedLocations": [LOCATION_GUID]}

    return after(component, check)
