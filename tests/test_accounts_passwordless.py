"""Passwordless admin accounts and the tenant's TAP policy, as the components and the example stack declare them.

What is checked is the plan: every secondary admin account has a PasswordDiscard that depends on it (so it runs after
the create), the User ignores later `password` changes, the TAP policy is enabled only for a group whose members are
the accounts of people who have not left, passes are one-time and short; the model's bounds and the cross-check with
the onboarding pass. The credential policy's value checks (a known credential found elsewhere) are run on plan data
directly, as the engine would hand it after a deployment.
"""

from __future__ import annotations

import copy
import os
from types import SimpleNamespace

import pytest
import yaml
from conftest import ROOT, recorded_registrations

from components.accounts import (
    AdminAccountArgs,
    PrivilegedAccounts,
    PrivilegedAccountsArgs,
    TemporaryAccessPassOnboarding,
    TemporaryAccessPassOnboardingArgs,
)
from components.model import ModelError, parse_model
from pum.engine import run_preview

DYNAMIC = "pulumi-python:dynamic:Resource"
USER = "azuread:index/user:User"
GROUP = "azuread:index/group:Group"


def _program():
    accounts = PrivilegedAccounts(
        "admins",
        PrivilegedAccountsArgs(
            people={
                "pedro": AdminAccountArgs(upn="adm-pedro@contoso.onmicrosoft.com", display_name="Pedro (admin)"),
                "old": AdminAccountArgs(upn="adm-old@contoso.onmicrosoft.com", display_name="Old", enabled=False),
            }
        ),
    )
    TemporaryAccessPassOnboarding(
        "tap", TemporaryAccessPassOnboardingArgs(member_object_ids=list(accounts.enabled_object_ids.values()))
    )


@pytest.fixture(scope="module")
def plan():
    monkeypatch = pytest.MonkeyPatch()
    try:
        registrations, report = recorded_registrations(monkeypatch, _program)
    finally:
        monkeypatch.undo()
    return {r.name: r for r in report.resources}, {r.name: r for r in registrations}, report


def test_every_admin_account_gets_a_discard_that_runs_after_its_create(plan):
    resources, _, _ = plan
    for key in ("pedro", "old"):
        discard = resources[f"admins-{key}-password-discard"]
        assert discard.type == DYNAMIC and discard.inputs["graphKind"] == "passwordDiscard"
        assert discard.property_dependencies["userId"] == [resources[f"admins-{key}"].urn]
        assert not any("password" in k.lower() for k in discard.inputs)  # the password it sets is in no input


def test_the_user_never_takes_a_state_password_again(plan):
    _, registrations, _ = plan
    assert "password" in registrations["admins-pedro"].ignore_changes


def test_the_tap_policy_admits_only_the_accounts_of_people_who_have_not_left(plan):
    resources, _, report = plan
    group = resources["tap-group"]
    assert group.type == GROUP and group.property_dependencies["members"] == [resources["admins-pedro"].urn]
    policy = resources["tap-policy"]
    assert policy.inputs["graphKind"] == "temporaryAccessPassPolicy"
    assert policy.property_dependencies["includeGroupIds"] == [group.urn]
    assert policy.inputs["isUsableOnce"] is True and policy.inputs["state"] == "enabled"
    assert (policy.inputs["minimumLifetimeInMinutes"], policy.inputs["maximumLifetimeInMinutes"]) == (10, 60)
    assert report.by_policy("no-credential-in-outputs") == []


def test_the_example_stack_declares_the_tap_policy_for_its_admin_accounts():
    report = run_preview(ROOT, stack="example")
    by_name = {r.name: r for r in report.resources}
    policy = by_name["temporary-access-pass-policy"]
    members = set(by_name["temporary-access-pass-group"].property_dependencies["members"])
    assert members == {by_name["admin-accounts-pedro"].urn, by_name["admin-accounts-maria"].urn}
    assert policy.inputs["maximumLifetimeInMinutes"] == 60 and policy.inputs["isUsableOnce"] is True
    assert all(f"admin-accounts-{k}-password-discard" in by_name for k in ("pedro", "maria"))
    assert not any(r.name.startswith("break-glass") and r.type == DYNAMIC for r in report.resources)
    assert report.mandatory == []


def test_a_component_without_accounts_is_refused():
    with pytest.raises(ValueError, match="object IDs of the admin accounts"):
        TemporaryAccessPassOnboarding("tap", TemporaryAccessPassOnboardingArgs(member_object_ids=[]))


# --- the model ------------------------------------------------------------------------------------------------------


def _example() -> dict:
    with open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml")) as handle:
        return yaml.safe_load(handle)["config"]


@pytest.mark.parametrize(
    "tap, wording",
    [
        ({"maximumLifetime": "PT9H"}, "PT10M to PT8H"),
        ({"minimumLifetime": "PT5M"}, "PT10M to PT8H"),
        ({"defaultLifetime": "PT2H"}, "must lie between"),
        ({"length": 7}, "from 8 to 48"),
        ({"isUsableOnce": False}, "unknown key"),
    ],
)
def test_the_model_keeps_passes_short_and_one_time(tap, wording):
    config = _example()
    config["privileged-access:authenticationMethods"]["temporaryAccessPass"].update(tap)
    with pytest.raises(ModelError) as caught:
        parse_model(config, "stacks/Pulumi.example.yaml")
    assert "authenticationMethods.temporaryAccessPass" in str(caught.value) and wording in str(caught.value)


def test_the_onboarding_pass_must_fit_the_policy():
    config = _example()
    config["privileged-access:accessPackages"]["automation"]["temporaryAccessPassMinutes"] = 120
    with pytest.raises(ModelError, match="temporaryAccessPassMinutes.*10 to 60 minutes"):
        parse_model(config, "stacks/Pulumi.example.yaml")
    config["privileged-access:authenticationMethods"]["temporaryAccessPass"]["maximumLifetime"] = "PT2H"
    assert parse_model(config, "stacks/Pulumi.example.yaml").authentication_methods is not None


# --- the credential policy on values the plan knows (after a deployment) --------------------------------------------


def _resource(urn, type_, props, deps=None, provider=True):
    return SimpleNamespace(
        urn=urn,
        resource_type=type_,
        name=urn.rsplit("::", 1)[-1],
        props=props,
        property_dependencies=deps or {},
        provider=object() if provider else None,
        parent=None,
    )


def _judge(resources):
    from rules.credentials import _no_credential_in_outputs

    found: list[str] = []
    args = SimpleNamespace(resources=resources, get_config=lambda: {})
    _no_credential_in_outputs(args, lambda message, urn=None: found.append(message))
    return found


GENERATED = "G3nerated-Only-In-State-9f2c1d"
PW = _resource("urn::pw", "random:index/randomPassword:RandomPassword", {"result": GENERATED, "length": 32})


def test_a_known_generated_password_in_its_sink_passes():
    user = _resource("urn::u", USER, {"password": GENERATED, "displayName": "u"}, {"password": [PW]})
    assert _judge([PW, user]) == []


@pytest.mark.parametrize(
    "where, props",
    [
        ("tags.note", {"tags": {"note": f"login with {GENERATED}"}}),
        ("description", {"description": GENERATED}),
    ],
)
def test_a_known_generated_password_anywhere_else_is_found_even_without_a_dependency(where, props):
    other = _resource("urn::g", GROUP, copy.deepcopy(props))
    found = _judge([PW, other])
    assert any(where in m and "RandomPassword 'pw' result" in m for m in found), found
    assert not any(GENERATED in m for m in found)


def test_a_known_generated_password_in_the_stack_outputs_is_found():
    stack = _resource("urn::stack", "pulumi:pulumi:Stack", {"bootstrap": {"value": GENERATED}}, provider=False)
    found = _judge([PW, stack])
    assert any("bootstrap.value" in m for m in found) and not any(GENERATED in m for m in found)


def test_a_generated_password_in_another_password_field_is_outside_its_sinks():
    sql = _resource("urn::sql", "azure-native:sql:Server", {"administratorLoginPassword": GENERATED})
    found = _judge([PW, sql])
    assert any("administratorLoginPassword" in m for m in found), found
