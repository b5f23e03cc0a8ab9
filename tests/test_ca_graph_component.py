"""ConditionalAccessBaseline's Graph layer under Pulumi mocks: the contexts, CA09-CA11 and the model behind them."""

from __future__ import annotations

import pulumi
import pytest
from privileged_facts.roles import PRIVILEGED_ROLE_IDS

BG = ["aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"]
GROUP = "cccccccc-0000-4000-8000-000000000001"
PAW_FILTER = 'device.displayName -startsWith "paw-" -and device.trustType -eq "AzureAD"'
PR = "00000000-0000-0000-0000-000000000004"
DYNAMIC = "pulumi-python:dynamic:Resource"


def baseline(settings=None, paw=True):
    from components.conditional_access import ConditionalAccessBaseline
    from components.model.conditional_access import ConditionalAccessSettings
    from components.stack import conditional_access_args

    model = ConditionalAccessSettings.model_validate(settings or {})
    return ConditionalAccessBaseline(
        "ca",
        conditional_access_args(
            model, break_glass_user_ids=BG, admin_group_ids=[GROUP], paw_device_filter=PAW_FILTER if paw else None
        ),
    )


def after(component, check):
    ids = [p.id for p in (*component.policies.values(), *component.graph_policies.values())]
    ids += [c.id for c in component.contexts.values()]
    return pulumi.Output.all(*ids).apply(lambda _: check())


def graph(mocks, kind):
    return {
        n: {k: v for k, v in i.items() if k != "__provider"}
        for n, i in mocks.inputs.items()
        if mocks.types[n] == DYNAMIC and i.get("graphKind") == kind
    }


@pulumi.runtime.test
def test_each_context_gets_its_meaning_for_everyone_but_break_glass(mocks):
    component = baseline(
        {
            "enforce": True,
            "authenticationContexts": [
                {"id": "c1", "displayName": "PIM tier 0", "description": "PAW + phishing-resistant"},
                {"id": "c7", "displayName": "PIM tier 1"},
            ],
        }
    )

    def check():
        contexts = graph(mocks, "authenticationContext")
        assert sorted(c["claimValue"] for c in contexts.values()) == ["c1", "c7"]
        assert contexts["ca-context-c1"] == {
            "graphKind": "authenticationContext",
            "claimValue": "c1",
            "displayName": "PIM tier 0",
            "description": "PAW + phishing-resistant",
            "isAvailable": True,
        }
        policies = graph(mocks, "conditionalAccessPolicy")
        assert sorted(policies) == ["ca-ca09-c1", "ca-ca09-c7", "ca-ca10-c1", "ca-ca10-c7", "ca-ca11"]
        ca09, ca10 = policies["ca-ca09-c1"], policies["ca-ca10-c1"]
        assert ca09["displayName"] == "PUM-CA09 Context c1: phishing-resistant MFA on a compliant device"
        for p in (ca09, ca10):
            assert p["state"] == "enabled"
            assert p["conditions"]["users"] == {"includeUsers": ["All"], "excludeUsers": BG}
            assert p["conditions"]["applications"] == {"includeAuthenticationContextClassReferences": ["c1"]}
        assert ca09["grantControls"] == {
            "operator": "AND",
            "builtInControls": ["compliantDevice"],
            "authenticationStrength": {"id": PR},  # Graph's shape: the strength's ID, not azuread's path
        }
        assert ca10["conditions"]["devices"] == {"deviceFilter": {"mode": "exclude", "rule": PAW_FILTER}}
        assert ca10["grantControls"] == {"operator": "OR", "builtInControls": ["block"]}
        cae = policies["ca-ca11"]
        assert cae["sessionControls"] == {"continuousAccessEvaluation": {"mode": "strictEnforcement"}}
        users = cae["conditions"]["users"]
        assert set(users["includeRoles"]) == set(PRIVILEGED_ROLE_IDS) and users["includeGroups"] == [GROUP]
        assert users["excludeUsers"] == BG and cae["conditions"]["applications"] == {"includeApplications": ["All"]}
        assert component.authentication_contexts == ["c1", "c7"]

    return after(component, check)


@pulumi.runtime.test
def test_states_follow_enforce_and_cae_default_declares_no_ca11(mocks):
    component = baseline({"enforce": ["CA09"], "continuousAccessEvaluation": "default"})

    def check():
        states = {n: p["state"] for n, p in graph(mocks, "conditionalAccessPolicy").items()}
        assert states == {"ca-ca09-c1": "enabled", "ca-ca10-c1": "enabledForReportingButNotEnforced"}

    return after(component, check)


@pulumi.runtime.test
def test_without_a_paw_the_context_needs_a_compliant_device_and_no_ca10(mocks):
    component = baseline(
        {"enforce": True, "authenticationStrength": "custom", "customStrengthMethods": ["fido2"]}, paw=False
    )

    def check():
        policies = graph(mocks, "conditionalAccessPolicy")
        assert "ca-ca10-c1" not in policies
        # the custom strength's ID as Graph names it (the azuread resource's ID ends in it)
        assert policies["ca-ca09-c1"]["grantControls"]["authenticationStrength"] == {"id": "ca-phishing-resistant-id"}

    return after(component, check)


def test_the_model_names_the_field_and_fix():
    from pydantic import ValidationError

    from components.model.conditional_access import ConditionalAccessSettings

    with pytest.raises(ValidationError, match="continuousAccessEvaluation|continuous_access_evaluation"):
        ConditionalAccessSettings.model_validate({"continuousAccessEvaluation": "on"})
    with pytest.raises(ValidationError):
        ConditionalAccessSettings.model_validate({"enforce": ["CA12"]})
    settings = ConditionalAccessSettings.model_validate({"enforce": ["CA09", "CA10", "CA11"]})
    assert [settings.enforced(c) for c in ("CA09", "CA10", "CA11", "CA01")] == [True, True, True, False]
    assert settings.continuous_access_evaluation == "strict"
    assert settings.authentication_contexts[0].is_available is True


def test_pim_cannot_require_an_unpublished_context():
    from components.model.conditional_access import admin_access_issues

    class Obj:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    from components.model.conditional_access import ConditionalAccessSettings

    ca = ConditionalAccessSettings.model_validate(
        {"authenticationContexts": [{"id": "c1", "displayName": "x", "isAvailable": False}]}
    )
    activation = Obj(authentication_context="c1")
    model = Obj(
        principals=Obj(people={}),
        paw=None,
        conditional_access=ca,
        pim=Obj(defaults=Obj(activation=activation), role_bindings=[], azure_role_bindings=[]),
        break_glass=object(),
    )
    issues = admin_access_issues(model)
    assert [(i.loc, "isAvailable" in i.message) for i in issues] == [
        (("pim", "defaults", "activation", "authenticationContext"), True)
    ]
