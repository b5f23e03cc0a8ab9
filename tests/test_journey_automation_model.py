"""The stack model of journey automation: `accessPackages.automation` and the journeys' `onboarding`, `onPremises`,
`requestWith` and `verifiedId`; errors name the stack file, the field and the fix."""

from __future__ import annotations

import copy

import pytest
from test_model import errors_of, example_config

from components.model import parse_model

SOURCE = "stacks/Pulumi.test.yaml"


def with_packages(change) -> dict:
    config = copy.deepcopy(example_config())
    change(config["privileged-access:accessPackages"], config)
    return config


def journey(packages, key):
    return next(j for j in packages["journeys"] if j["key"] == key)


def test_the_example_carries_the_automation_journeys():
    model = parse_model(example_config(), SOURCE)
    journeys = {j.key: j for j in model.access_packages.journeys}
    assert journeys["secondary-account"].onboarding and journeys["secondary-account"].request_with == "dailyAccount"
    assert journeys["user-admin"].on_premises.groups == ["Account Operators"]
    assert journeys["domain-admin"].verified_id.face_check is True
    assert model.access_packages.automation.temporary_access_pass_minutes == 60


@pytest.mark.parametrize(
    "change, path, words",
    [
        (lambda p, c: p.pop("automation"), "accessPackages", "need automation"),
        (lambda p, c: p["automation"].pop("provisioning"), "accessPackages", "automation.provisioning"),
        (lambda p, c: p["automation"].update(temporaryAccessPassMinutes=1440), "temporaryAccessPassMinutes", "480"),
        (lambda p, c: p["automation"].update(subscriptionId="prod"), "subscriptionId", "GUID"),
        (
            lambda p, c: p["automation"]["provisioning"].update(servicePrincipalId="x"),
            "servicePrincipalId",
            "GUID",
        ),
        (lambda p, c: journey(p, "user-admin").update(onPremises={"groups": []}), "onPremises", "no groups"),
        (
            lambda p, c: journey(p, "user-admin").update(onPremises={"groups": ["Domain;Admins"]}),
            "onPremises.groups",
            "not AD group names",
        ),
        (
            lambda p, c: journey(p, "domain-admin").update(verifiedId={"issuers": ["https://issuer.example"]}),
            "verifiedId.issuers",
            "DID",
        ),
        (
            lambda p, c: c["privileged-access:principals"]["people"]["pedro"].pop("managerUpn"),
            "requestors",
            "managerUpn",
        ),
        (
            lambda p, c: c.pop("privileged-access:onPremises"),
            "onPremises",
            "privileged-access:onPremises or accessPackages.automation.runbooks",
        ),
    ],
)
def test_automation_errors_name_the_field_and_the_fix(change, path, words):
    message = errors_of(with_packages(change))
    assert SOURCE in message and path in message and words in message, message


def test_runbooks_named_in_the_stack_file_replace_the_on_premises_area():
    def change(packages, config):
        config.pop("privileged-access:onPremises")
        packages["automation"]["runbooks"] = {
            "automationAccountId": "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-x/providers/"
            "Microsoft.Automation/automationAccounts/aa-x",
            "hybridWorkerGroup": "hwg",
        }

    model = parse_model(with_packages(change), SOURCE)
    assert model.access_packages.automation.runbooks.add_group_member_runbook == "Add-AdGroupMembership"


@pytest.mark.parametrize(
    "field, value, position",
    [("groups", ["Account Operators", "Backup Operators"], 1), ("sudoGroups", ["linux-root"], 0)],
)
def test_a_journey_group_the_on_premises_area_does_not_manage_is_refused(field, value, position):
    """The runbooks refuse any group outside privileged-access:onPremises.managedGroups: a journey naming one would
    grant nothing on-premises while its package says it does."""

    def change(packages, config):
        journey(packages, "user-admin")["onPremises"] = {field: value}

    message = errors_of(with_packages(change))
    assert SOURCE in message and f"onPremises.{field}[{position}]" in message, message
    assert "managedGroups" in message and value[position] in message


def test_managed_groups_compare_as_ad_does_and_external_runbooks_are_not_checked():
    def case(packages, config):
        journey(packages, "user-admin")["onPremises"] = {"groups": ["account operators"], "sudoGroups": []}

    parse_model(with_packages(case), SOURCE)

    def external(packages, config):
        config.pop("privileged-access:onPremises")
        packages["automation"]["runbooks"] = {
            "automationAccountId": "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-x/providers/"
            "Microsoft.Automation/automationAccounts/aa-x",
            "hybridWorkerGroup": "hwg",
        }
        journey(packages, "user-admin")["onPremises"] = {"groups": ["Backup Operators"]}

    parse_model(with_packages(external), SOURCE)
