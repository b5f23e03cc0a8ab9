"""The stack model: the example stack, secure defaults, and every error path (file, path, value, allowed)."""

import json
import os

import pulumi
import pytest
import yaml
from conftest import ROOT
from jsonschema import Draft202012Validator

from components.model import ModelError, StackModel, load_model, parse_model, stack_file_schema
from components.model.pim import binding_key, effective_activation, eligibility_lifetime, manages_role_settings

SOURCE = "stacks/Pulumi.test.yaml"
EXAMPLE = os.path.join(ROOT, "stacks", "Pulumi.example.yaml")
GA = "62e90394-69f5-4237-9190-012177145e10"
GROUP = "3f1c6a52-8f2e-4a8b-9a53-6f0c2d7e9b11"
RG = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-app"
POLICY = "6c8f1d3e-2b7a-4e59-9c41-0d2e8a7f5b60"


def example_config() -> dict:
    with open(EXAMPLE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["config"]


def short_config(**pim) -> dict:
    """The shortest useful stack: one admin, one approver group, the given PIM area."""
    return {
        "privileged-access:principals": {
            "people": {
                "ana": {
                    "displayName": "Ana",
                    "dailyUpn": "ana@contoso.com",
                    "adminAccount": {"upn": "adm-ana@contoso.onmicrosoft.com"},
                },
                "bo": {"displayName": "Bo", "dailyUpn": "bo@contoso.com"},
            },
            "groups": {"approvers": {"objectId": GROUP}},
        },
        "privileged-access:administrativeUnits": {"emea": {"displayName": "EMEA"}},
        "privileged-access:pim": pim,
    }


def errors_of(config: dict, source: str = SOURCE) -> str:
    with pytest.raises(ModelError) as caught:
        parse_model(config, source)
    return str(caught.value)


def test_the_example_stack_parses_into_the_seed_scenario():
    model = parse_model(example_config(), "stacks/Pulumi.example.yaml")
    bindings = {binding_key(b): b for b in model.pim.role_bindings}
    assert set(bindings) == {"global-administrator", "privileged-role-administrator", "user-admin-emea"}
    user_admin = bindings["user-admin-emea"]
    assert (user_admin.role, user_admin.scope, user_admin.tier) == ("User Administrator", "emea-users", 1)
    assert effective_activation(user_admin, model.pim.defaults).max_duration == "PT2H"
    ga = effective_activation(bindings["global-administrator"], model.pim.defaults)
    assert (ga.max_duration, ga.require_approval, ga.approvers) == ("PT1H", True, ("tier0-approvers",))
    owner = model.pim.azure_role_bindings[0]
    assert owner.role == "Owner" and all("/resourceGroups/" in s.scope for s in owner.scopes)
    assert len(model.break_glass.accounts) == 2
    assert model.principals.people["pedro"].admin_account.upn == "adm-pedro.alves@contoso.onmicrosoft.com"


def test_a_short_stack_gets_secure_defaults():
    model = parse_model(short_config(roleBindings=[{"role": "user administrator", "eligible": ["ana"]}]), SOURCE)
    binding = model.pim.role_bindings[0]
    activation = effective_activation(binding, model.pim.defaults)
    assert binding.role == "User Administrator" and binding.mode == "pimGroup" and binding.scope == "/"
    assert eligibility_lifetime(binding, model.pim.defaults) == "P180D"
    assert (activation.max_duration, activation.require_mfa, activation.require_justification) == ("PT8H", True, True)
    assert activation.require_approval is False and not manages_role_settings(binding)
    assert model.tenant.protect_from_deletion is True and model.break_glass is None


def test_critical_roles_default_to_one_hour_with_approval_and_their_own_settings():
    config = short_config(roleBindings=[{"role": GA, "eligible": ["ana"], "activation": {"approvers": ["approvers"]}}])
    model = parse_model(config, SOURCE)
    binding = model.pim.role_bindings[0]
    activation = effective_activation(binding, model.pim.defaults)
    assert binding.role == "Global Administrator"  # a template ID resolves to the role's name
    assert (activation.max_duration, activation.require_approval) == ("PT1H", True)
    assert manages_role_settings(binding)


def test_durations_are_normalised():
    config = short_config(
        roleBindings=[
            {"role": "User Administrator", "eligibilityLifetime": "P60D", "activation": {"maxDuration": "PT90M"}}
        ]
    )
    binding = parse_model(config, SOURCE).pim.role_bindings[0]
    assert (binding.eligibility_lifetime, binding.activation.max_duration) == ("P60D", "PT1H30M")


def test_other_namespaces_and_short_keys_are_accepted():
    config = {"azuread:tenantId": "x", "azure-native:location": "westeurope", "tenant": {"namePrefix": "ACME"}}
    assert parse_model(config, SOURCE).tenant.name_prefix == "ACME"


def test_model_error_is_a_run_error_with_exit_code_2():
    assert issubclass(ModelError, pulumi.RunError) and ModelError.exit_code == 2


@pytest.mark.parametrize(
    "config, path, expected",
    [
        ({"privileged-access:pimm": {}}, "privileged-access:pimm", "did you mean 'pim'?"),
        (
            short_config(roleBindings=[{"role": "User Administrator", "activation": {"maxDurtion": "PT2H"}}]),
            "privileged-access:pim.roleBindings[0].activation.maxDurtion",
            "did you mean 'maxDuration'?",
        ),
        (
            short_config(roleBindings=[{"role": "User Administrator", "eligibility_lifetime": "P30D"}]),
            "privileged-access:pim.roleBindings[0].eligibility_lifetime",
            "did you mean 'eligibilityLifetime'?",
        ),
        (
            short_config(roleBindings=[{"role": "User Admnistrator"}]),
            "privileged-access:pim.roleBindings[0].role",
            "did you mean 'User Administrator'",
        ),
    ],
)
def test_unknown_keys_and_names_get_a_did_you_mean(config, path, expected):
    message = errors_of(config)
    assert f"{SOURCE}: {path}: " in message and expected in message


@pytest.mark.parametrize(
    "pim, path, value, allowed",
    [
        (
            {"roleBindings": [{"role": "User Administrator", "activation": {"maxDuration": "2 hours"}}]},
            "roleBindings[0].activation.maxDuration",
            "'2 hours'",
            "ISO 8601 duration such as P180D",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "activation": {"maxDuration": "PT45M"}}]},
            "roleBindings[0].activation.maxDuration",
            "'PT45M'",
            "30-minute steps",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "mode": "permanent"}]},
            "roleBindings[0].mode",
            "'permanent'",
            "'pimGroup', 'direct' or 'eligibleGroup'",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "mode": "eligibleGroup", "eligible": ["ana"]}]},
            "roleBindings[0].eligible",
            "must be empty in mode eligibleGroup",
            "accessPackages.journeys[].roleBindings",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "eligibilityLifetime": "P400D"}]},
            "roleBindings[0].eligibilityLifetime",
            "'P400D'",
            "at most P365D",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "eligible": ["anna"]}]},
            "roleBindings[0].eligible[0]",
            "'anna'",
            "did you mean 'ana'?",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "eligible": ["bo"]}]},
            "roleBindings[0].eligible[0]",
            "'bo'",
            "principals.people.bo.adminAccount",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "scope": "apac"}]},
            "roleBindings[0].scope",
            "'apac'",
            "declared units: emea",
        ),
        (
            {"roleBindings": [{"role": "Security Administrator", "scope": "emea"}]},
            "roleBindings[0].scope",
            "'emea'",
            "AU-scopable role",
        ),
        (
            {"roleBindings": [{"role": "Global Administrator"}]},
            "roleBindings[0].activation.approvers",
            "critical roles require approval",
            "name approvers",
        ),
        (
            {
                "roleBindings": [
                    {"role": "User Administrator", "activation": {"requireMfa": True, "authenticationContext": "c1"}}
                ]
            },
            "roleBindings[0].activation.requireMfa",
            "True",
            "one or the other",
        ),
        (
            {"roleBindings": [{"role": "User Administrator", "activation": {"requireMfa": False}}]},
            "roleBindings[0].activation.requireMfa",
            "False",
            "keep requireMfa true or set authenticationContext",
        ),
        (
            {"roleBindings": [{"role": "User Administrator"}, {"role": "User Administrator"}]},
            "roleBindings[1].name",
            "'user-administrator'",
            "distinct `name`",
        ),
        (
            {
                "roleBindings": [
                    {"role": "Global Administrator", "name": "ga-a", "activation": {"approvers": ["approvers"]}},
                    {
                        "role": "Global Administrator",
                        "name": "ga-b",
                        "mode": "eligibleGroup",
                        "activation": {"approvers": ["approvers"], "maxDuration": "PT30M"},
                    },
                ]
            },
            "roleBindings[1].activation",
            "'ga-b' (privileged-access:pim.roleBindings[1]) and 'ga-a' (privileged-access:pim.roleBindings[0])",
            "activation.maxDuration ('PT30M' vs 'PT1H')",
        ),
        (
            {
                "roleBindings": [
                    {"role": "User Administrator", "name": "ua-a", "mode": "direct", "eligible": ["ana"]},
                    {
                        "role": "User Administrator",
                        "name": "ua-b",
                        "mode": "eligibleGroup",
                        "scope": "emea",
                        "activation": {"maxDuration": "PT2H"},
                    },
                ]
            },
            "roleBindings[1].activation",
            "'ua-b'",
            "one policy per directory role",
        ),
        (
            {
                "azureRoleBindings": [
                    {
                        "role": "Owner",
                        "scopes": [
                            {"scope": "/subscriptions/00000000-0000-4000-8000-0000000000b2", "policyName": POLICY}
                        ],
                        "activation": {"approvers": ["approvers"]},
                    }
                ]
            },
            "azureRoleBindings[0].scopes[0].scope",
            "'/subscriptions/",
            "use a resource group",
        ),
        (
            {"azureRoleBindings": [{"role": "Reader", "scopes": [{"scope": RG}]}]},
            "azureRoleBindings[0].scopes[0].policyName",
            "is missing",
            "manageSettings: false",
        ),
        (
            {"azureRoleBindings": [{"role": "Ownr", "scopes": [{"scope": RG, "policyName": POLICY}]}]},
            "azureRoleBindings[0].role",
            "'Ownr'",
            "did you mean 'Owner'",
        ),
        (
            {"defaults": {"notificationRecipients": ["not-an-email"]}},
            "defaults.notificationRecipients[0]",
            "'not-an-email'",
            "email address",
        ),
    ],
)
def test_every_pim_error_names_file_path_value_and_what_is_allowed(pim, path, value, allowed):
    message = errors_of(short_config(**pim))
    line = next((l for l in message.splitlines() if f"privileged-access:pim.{path}:" in l), None)
    assert line is not None, message
    assert line.startswith(f"{SOURCE}: ") and value in line and allowed in line


@pytest.mark.parametrize(
    "area, value, path, allowed",
    [
        (
            "breakGlass",
            {"accounts": [{"upn": "bg1@contoso.onmicrosoft.com"}]},
            "privileged-access:breakGlass.accounts",
            "at least 2",
        ),
        (
            "breakGlass",
            {"accounts": [{"upn": "bg1@contoso.com"}, {"upn": "bg2@contoso.onmicrosoft.com"}]},
            "privileged-access:breakGlass.accounts[0].upn",
            "*.onmicrosoft.com",
        ),
        (
            "principals",
            {
                "people": {
                    "ana": {
                        "displayName": "Ana",
                        "dailyUpn": "ana@contoso.com",
                        "adminAccount": {"upn": "ana@contoso.com"},
                    }
                }
            },
            "privileged-access:principals.people.ana",
            "separate, cloud-only",
        ),
        (
            "principals",
            {"people": {"Ana Smith": {"displayName": "Ana", "dailyUpn": "ana@contoso.com"}}},
            "privileged-access:principals.people.Ana Smith",
            "lower-case letters",
        ),
        ("administrativeUnits", {"emea": {}}, "privileged-access:administrativeUnits.emea", "exactly one"),
        ("tenant", {"protectFromDeletion": "maybe"}, "privileged-access:tenant.protectFromDeletion", "true or false"),
        ("pim", "not an object", "privileged-access:pim", "must be an object with the keys defaults, roleBindings"),
        (
            "paw",
            {"resourceGroupName": "x" * 91, "location": "westeurope", "users": ["ana"]},
            "privileged-access:paw.resourceGroupName",
            "at most 90 characters",
        ),
    ],
)
def test_other_areas_errors(area, value, path, allowed):
    message = errors_of({f"privileged-access:{area}": value})
    assert f"{SOURCE}: {path}: " in message and allowed in message


@pytest.mark.parametrize(
    "name, valid",
    [
        ("r", True),
        ("rg-paw_(prod).1", True),
        ("rg-pawé", True),
        ("x" * 90, True),
        ("x" * 91, False),
        ("rg-paw.", False),
        ("rg/paw", False),
        ("rg paw", False),
        ("", False),
    ],
)
def test_paw_resource_group_names_follow_azure_rules(name, valid):
    from pydantic import ValidationError

    from components.model.paw import PawSettings

    settings = {"resourceGroupName": name, "location": "westeurope", "users": ["ana"]}
    if valid:
        assert PawSettings.model_validate(settings).resource_group_name == name
    else:
        with pytest.raises(ValidationError, match="resourceGroupName"):
            PawSettings.model_validate(settings)


def test_break_glass_must_use_the_declared_initial_domain():
    message = errors_of(
        {
            "privileged-access:tenant": {"initialDomain": "contoso.onmicrosoft.com"},
            "privileged-access:breakGlass": {
                "accounts": [{"upn": "a@contoso.onmicrosoft.com"}, {"upn": "b@fabrikam.onmicrosoft.com"}]
            },
        }
    )
    assert "privileged-access:breakGlass.accounts[1].upn: must be on the tenant's initial domain" in message


def test_all_problems_are_reported_at_once():
    message = errors_of({"privileged-access:pimm": {}, "privileged-access:tenant": {"namePrefix": "has space"}})
    assert message.startswith(f"{SOURCE}: 2 problems") and "pimm" in message and "tenant.namePrefix" in message


def test_secret_values_are_never_shown():
    with pytest.raises(ModelError) as caught:
        parse_model(
            {"privileged-access:tenant": {"namePrefix": "s3cr3t value"}},
            SOURCE,
            secret_keys=["privileged-access:tenant"],
        )
    assert "s3cr3t" not in str(caught.value) and "secret, not shown" in str(caught.value)


def test_a_config_that_is_not_a_mapping_is_a_model_error():
    assert SOURCE in errors_of(["not", "a", "mapping"])


class _NoMocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return "", {}

    def call(self, args):
        return {}


def test_load_model_reads_the_runtime_config_and_names_the_stack_file(monkeypatch, tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: privileged-access\nruntime: python\nstackConfigDir: stacks\n")
    monkeypatch.chdir(tmp_path)
    pulumi.runtime.set_mocks(_NoMocks(), project="privileged-access", stack="qa")
    pulumi.runtime.set_all_config(
        {
            "privileged-access:tenant": json.dumps({"namePrefix": "QA"}),
            "azuread:tenantId": "00000000-0000-4000-8000-0000000000a1",
        }
    )
    assert load_model().tenant.name_prefix == "QA"
    pulumi.runtime.set_all_config({"privileged-access:tenant": json.dumps({"namePrefx": "QA"})})
    with pytest.raises(ModelError) as caught:
        load_model()
    assert str(caught.value).startswith("stacks/Pulumi.qa.yaml: privileged-access:tenant.namePrefx: unknown key")
    pulumi.runtime.set_all_config({})


def test_the_committed_schema_is_the_generated_one():
    with open(os.path.join(ROOT, "schema", "stack.schema.json"), encoding="utf-8") as handle:
        assert json.load(handle) == stack_file_schema(), "regenerate it: make schema"


def test_the_schema_validates_stack_files_like_an_editor_would():
    validator = Draft202012Validator(stack_file_schema())
    with open(EXAMPLE, encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("# yaml-language-server: $schema=../schema/stack.schema.json\n")
    document = yaml.safe_load(text)
    assert not list(validator.iter_errors(document))
    document["config"]["privileged-access:pimm"] = {}
    document["config"]["privileged-access:pim"]["roleBindings"][0]["mode"] = "permanent"
    assert len(list(validator.iter_errors(document))) == 2


def test_stack_model_field_aliases_are_the_documented_area_keys():
    aliases = {f.alias for f in StackModel.model_fields.values()}
    assert {"tenant", "principals", "breakGlass", "administrativeUnits", "pim"} <= aliases


# --- journey groups (mode eligibleGroup) and the areas that reference them -------------------------------


def journey_config(journey: dict | None = None, apps: list | None = None, **pim) -> dict:
    config = short_config(
        roleBindings=[
            {"role": "User Administrator", "name": "ua-journey", "scope": "emea", "mode": "eligibleGroup"},
            {"role": "Helpdesk Administrator", "name": "helpdesk", "scope": "emea", "eligible": ["ana"]},
        ],
        **pim,
    )
    config["privileged-access:accessPackages"] = {
        "journeys": [
            {
                "key": "user-admin",
                "displayName": "User Admin",
                "description": "d",
                "roleBindings": ["ua-journey"],
                "requestors": ["ana"],
                **(journey or {}),
            }
        ]
    }
    if apps is not None:
        config["privileged-access:privateAccess"] = {"apps": apps}
    return config


def test_a_journey_grants_an_eligible_group_and_bindings_that_agree_share_the_role_settings():
    config = journey_config()
    config["privileged-access:pim"]["roleBindings"].append(
        {"role": "User Administrator", "name": "ua-direct", "mode": "direct", "eligible": ["ana"]}
    )
    model = parse_model(config, SOURCE)
    from components.model.pim import settings_owner

    owners = [binding_key(b) for b in model.pim.role_bindings if settings_owner(model, b)]
    # ua-direct writes the same rules, so it shares ua-journey's settings; helpdesk (pimGroup, not critical) has none
    assert owners == ["ua-journey"] and manages_role_settings(model.pim.role_bindings[2])


@pytest.mark.parametrize(
    "journey, path, expected",
    [
        (
            {"roleBindings": ["helpdesk"]},
            "journeys[0].roleBindings[0]",
            "mode pimGroup: its group holds the role ACTIVELY",
        ),
        ({"roleBindings": ["ua-journy"]}, "journeys[0].roleBindings[0]", "did you mean 'ua-journey'?"),
        ({"groups": ["helpdesk"]}, "journeys[0].groups[0]", "set mode: eligibleGroup on that binding"),
        ({"groups": ["unknown-group"]}, "journeys[0].groups[0]", "neither an object ID nor a group"),
        ({"requestors": ["bo"]}, "journeys[0].requestors[0]", "principals.people.bo.adminAccount"),
    ],
)
def test_journey_references_are_checked_with_paths(journey, path, expected):
    message = errors_of(journey_config(journey))
    line = next((l for l in message.splitlines() if f"privileged-access:accessPackages.{path}:" in l), None)
    assert line is not None and expected in line, message


def test_azure_bindings_and_private_access_apps_name_journey_groups_only():
    config = journey_config(
        apps=[
            {
                "key": "ssh",
                "displayName": "SSH",
                "connectorGroupId": GROUP,
                "segments": [{"destinationHost": "10.0.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22"]}],
                "assignedGroups": ["helpdesk"],
            }
        ],
        azureRoleBindings=[
            {
                "role": "Virtual Machine Administrator Login",
                "journeyGroups": ["helpdesk"],
                "scopes": [{"scope": RG, "policyName": POLICY}],
            }
        ],
    )
    message = errors_of(config)
    assert (
        "privileged-access:pim.azureRoleBindings[0].journeyGroups[0]: is role binding 'helpdesk' in mode pimGroup"
        in message
    )
    assert "privileged-access:privateAccess.apps[0].assignedGroups[0]: is role binding 'helpdesk'" in message
