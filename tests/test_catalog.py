"""The shared facts: role sets, ID normalisation, ISO 8601 durations, the unknown marker."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from privileged_facts import apps, pim_rules, roles, values

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_role_tables_are_lower_case_guids_without_duplicates():
    for table in (roles.ENTRA_ROLES, roles.AZURE_ROLES):
        assert all(GUID.match(i) for i in table.values())
        assert len(set(table.values())) == len(table)
    assert roles.ENTRA_ROLE_NAMES[roles.GLOBAL_ADMINISTRATOR] == "Global Administrator"


def test_privileged_set_is_microsoft_flag_plus_scuba_plus_ca_template_roles():
    by_name = roles.ENTRA_ROLES
    for name in (
        "Global Administrator",
        "Security Reader",
        "Partner Tier2 Support",  # Microsoft's label
        "Hybrid Identity Administrator",  # SCuBA
        "Exchange Administrator",
        "SharePoint Administrator",
        "Teams Administrator",
        "Billing Administrator",
    ):  # CA templates
        assert by_name[name] in roles.PRIVILEGED_ROLE_IDS, name
    for name in ("Directory Readers", "Groups Administrator", "Microsoft Entra Joined Device Local Administrator"):
        assert by_name[name] not in roles.PRIVILEGED_ROLE_IDS, name
    assert {
        by_name["Global Administrator"],
        by_name["Privileged Role Administrator"],
        by_name["Privileged Authentication Administrator"],
    } == roles.CRITICAL_ROLE_IDS
    assert roles.CRITICAL_ROLE_IDS <= roles.PRIVILEGED_ROLE_IDS
    assert len(roles.AU_SCOPABLE_ROLE_IDS) == 12 and by_name["User Administrator"] in roles.AU_SCOPABLE_ROLE_IDS
    assert roles.DEVICE_LOCAL_ADMINISTRATOR == "9f06204d-73c1-4d4c-880a-6edb90606fd8"


def test_azure_role_sets():
    names = {roles.AZURE_ROLE_NAMES[i] for i in roles.PRIVILEGED_AZURE_ROLE_IDS}
    assert names == {
        "Owner",
        "Contributor",
        "User Access Administrator",
        "Role Based Access Control Administrator",
        "Reservations Administrator",
    }
    assert {roles.AZURE_ROLE_NAMES[i] for i in roles.CRITICAL_AZURE_ROLE_IDS} == {
        "Owner",
        "User Access Administrator",
        "Role Based Access Control Administrator",
    }


def test_phishing_resistant_strength_and_rule_ids():
    assert apps.BUILTIN_PHISHING_RESISTANT_STRENGTH.endswith("0004")
    assert {"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"} == apps.PHISHING_RESISTANT_METHODS
    assert len(set(pim_rules.PIM_RULE_IDS)) == 17


@pytest.mark.parametrize(
    "value, expected",
    [
        ("P180D", timedelta(days=180)),
        ("PT8H", timedelta(hours=8)),
        ("PT30M", timedelta(minutes=30)),
        ("P1Y", timedelta(days=365)),
        ("P6M", timedelta(days=180)),
        ("P2W", timedelta(days=14)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("pt1h", timedelta(hours=1)),
        ("PT0.5S", timedelta(seconds=0.5)),
    ],
)
def test_parse_duration(value, expected):
    assert values.parse_duration(value) == expected


@pytest.mark.parametrize("junk", ["", "P", "PT", "P1DT", "8h", "P1H", "PT1D", "1 day", None, 180, "P-1D"])
def test_parse_duration_rejects_junk_with_a_clear_message(junk):
    with pytest.raises(ValueError) as err:
        values.parse_duration(junk, "activationRules.maximumDuration")
    assert "activationRules.maximumDuration" in str(err.value) and "P180D" in str(err.value)


def test_duration_comparison_and_dates():
    assert values.duration_exceeds("P365D", "P180D") and not values.duration_exceeds("P6M", "P180D")
    assert values.duration_exceeds("PT2H", "PT1H") and not values.duration_exceeds("PT30M", "PT1H")
    start, end = values.parse_datetime("2026-01-01"), values.parse_datetime("2026-07-01T00:00:00Z")
    assert end - start == timedelta(days=181)
    with pytest.raises(ValueError, match="expirationDate is not an ISO 8601 date-time") as error:
        values.parse_datetime("tomorrow", "expirationDate")
    assert "tomorrow" not in str(error.value)  # the value may be a secret: never echoed


@pytest.mark.parametrize(
    "value",
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
        "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/",
    ],
)
def test_role_guid_extracts_the_guid(value):
    assert roles.role_guid(value) == roles.AZURE_ROLE_OWNER


@pytest.mark.parametrize("value", [None, "", "Owner", "/providers/Microsoft.Authorization/roleDefinitions/x"])
def test_role_guid_none_without_guid(value):
    assert roles.role_guid(value) is None


def test_every_policy_says_what_it_does_when_a_deciding_value_is_unknown():
    import rules

    assert set(rules.WHEN_UNKNOWN) == {policy.name for policy in rules.POLICIES}
    assert all(text.strip().endswith(".") for text in rules.WHEN_UNKNOWN.values())


def test_the_pack_lists_every_area_once():
    import rules

    names = [policy.name for policy in rules.POLICIES]
    assert len(names) == len(set(names))
    by_area = {area.__name__.rsplit(".", 1)[-1]: [p.name for p in area.POLICIES] for area in rules._AREAS}
    assert [name for area in by_area.values() for name in area] == names  # the areas, in their declared order
    assert all(by_area.values()), [area for area, policies in by_area.items() if not policies]
