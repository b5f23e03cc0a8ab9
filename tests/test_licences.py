"""The licence report and licences-cover-plan: identities counted once per licence from the plan, groups expanded
into their declared members, what the plan cannot resolve listed (never zero), and the shortfall against what the
stack says it holds reported as advisory, through the pack and through `pum preview`'s reports."""

from __future__ import annotations

import json

import pulumi_azuread as azuread
import pulumi_random as random
from clihelp import run_cli
from conftest import ROOT
from pack_cases import GA, later, preview
from pulumi_azure_native import authorization

from components.licences import LicencesHeld
from privilege_map import licences as licence_report

DVU = "1d18fff3-a72a-46b5-b4a9-0b38a3cd7e63"  # Desktop Virtualization User


def person(name):
    return azuread.User(
        name, display_name=name, user_principal_name=f"{name}@contoso.onmicrosoft.com", password="x" * 20
    )


def eligible(name, principal):
    azuread.DirectoryRoleEligibilityScheduleRequest(
        name, role_definition_id=GA, principal_id=principal, directory_scope_id="/", justification="j"
    )


def program(held=None):
    def run():
        alice, bob = person("alice"), person("bob")
        group = azuread.Group("admins", display_name="admins", security_enabled=True, members=[alice.object_id])
        eligible("alice-ga", alice.object_id)
        eligible("bob-ga", bob.object_id)
        eligible("group-ga", group.object_id)  # alice again, through the group: counted once
        eligible("empty-ga", azuread.Group("empty", display_name="empty", security_enabled=True).object_id)
        authorization.RoleAssignment(
            "paw-users",
            principal_id=bob.object_id,
            role_definition_id=f"/providers/x/roleDefinitions/{DVU}",
            scope="/s",
        )
        if held is not None:
            LicencesHeld("licences", held)

    return run


def needs(report):
    return {entry["licence"]: entry for entry in licence_report.licences(report)}


def test_identities_are_counted_once_and_groups_expanded():
    found = needs(preview(program()))
    p2 = found["entraIdP2"]
    assert p2["identities"] == 2
    assert any("group empty" in note for note in p2["unresolved"])
    assert found["avdUser"]["identities"] == 1
    assert "held" not in p2


def test_an_unknown_principal_is_unresolved_not_zero():
    def run():
        seed = random.RandomPassword("seed", length=20)  # an ID computed from something that is no principal
        eligible("later-ga", later(seed.result, "33333333-3333-4333-8333-333333333333"))

    p2 = needs(preview(run))["entraIdP2"]
    assert p2["unresolved"] and p2["identities"] == 0


def advisories(report):
    return [v for v in report.violations if v.policy == "licences-cover-plan"]


def test_a_shortfall_against_the_declared_licences_is_advisory():
    report = preview(program({"entraIdP2": 1, "avdUser": 5}))
    (found,) = advisories(report)
    assert found.enforcement_level == "advisory" and "entraIdP2" in found.message and "1 short" in found.message
    assert needs(report)["entraIdP2"]["shortfall"] == 1 and needs(report)["avdUser"]["shortfall"] == 0


def test_governance_seats_cover_p2_and_nothing_declared_is_not_judged():
    assert advisories(preview(program({"entraIdP2": 1, "entraIdGovernance": 1}))) == []
    assert advisories(preview(program())) == []


def test_the_example_reports_list_the_licences_in_every_format(tmp_path):
    paths = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "text", "markdown")}
    flags = [arg for fmt, path in paths.items() for arg in ("--report", f"{fmt}={path}")]
    code, _, err = run_cli("preview", "--cwd", ROOT, "--stack", "example", *flags)
    assert code == 0, err
    by_key = {e["licence"]: e for e in json.loads(paths["json"].read_text())["licences"]}
    # the PAW users group holds the two admin accounts; the stack says it holds 10 AVD licences
    assert by_key["avdUser"]["identities"] == 2 and by_key["avdUser"]["held"] == 10
    assert by_key["entraIdP2"]["identities"] >= 2 and by_key["entraIdP2"]["unresolved"]
    text = paths["text"].read_text()
    assert "Licences (from the plan; docs/licences.md):" in text and "avdUser: 2 identities" in text
    assert "| Licence | Identities | Unresolved | Held | Short |" in paths["markdown"].read_text()


def test_groups_that_contain_each_other_are_expanded_once_each():
    def run():
        alice = person("alice")
        groups = [azuread.Group(f"g{i}", display_name=f"g{i}", security_enabled=True) for i in range(8)]
        for i, group in enumerate(groups):  # every group a member of every other: exponential if walked naively
            for j, other in enumerate(groups):
                if i != j:
                    azuread.GroupMember(
                        f"g{i}-in-g{j}", group_object_id=other.object_id, member_object_id=group.object_id
                    )
        azuread.GroupMember("alice-in-g0", group_object_id=groups[0].object_id, member_object_id=alice.object_id)
        eligible("g7-ga", groups[7].object_id)

    assert needs(preview(run))["entraIdP2"]["identities"] == 1
