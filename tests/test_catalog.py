"""The shared catalog: role sets, ID normalisation and ISO 8601 durations."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from policies.rules import catalog

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_role_tables_are_lower_case_guids_without_duplicates():
    for table in (catalog.ENTRA_ROLES, catalog.AZURE_ROLES):
        assert all(GUID.match(i) for i in table.values())
        assert len(set(table.values())) == len(table)
    assert catalog.ENTRA_ROLE_NAMES[catalog.GLOBAL_ADMINISTRATOR] == "Global Administrator"


def test_privileged_set_is_microsoft_flag_plus_scuba_plus_ca_template_roles():
    roles = catalog.ENTRA_ROLES
    for name in ("Global Administrator", "Security Reader", "Partner Tier2 Support",  # Microsoft's label
                 "Hybrid Identity Administrator",                                   # SCuBA
                 "Exchange Administrator", "SharePoint Administrator", "Teams Administrator",
                 "Billing Administrator"):                                          # CA templates
        assert roles[name] in catalog.PRIVILEGED_ROLE_IDS, name
    for name in ("Directory Readers", "Groups Administrator",
                 "Microsoft Entra Joined Device Local Administrator"):
        assert roles[name] not in catalog.PRIVILEGED_ROLE_IDS, name
    assert catalog.CRITICAL_ROLE_IDS == {roles["Global Administrator"], roles["Privileged Role Administrator"],
                                         roles["Privileged Authentication Administrator"]}
    assert catalog.CRITICAL_ROLE_IDS <= catalog.PRIVILEGED_ROLE_IDS
    assert len(catalog.AU_SCOPABLE_ROLE_IDS) == 12 and roles["User Administrator"] in catalog.AU_SCOPABLE_ROLE_IDS
    assert catalog.DEVICE_LOCAL_ADMINISTRATOR == "9f06204d-73c1-4d4c-880a-6edb90606fd8"


def test_azure_role_sets():
    names = {catalog.AZURE_ROLE_NAMES[i] for i in catalog.PRIVILEGED_AZURE_ROLE_IDS}
    assert names == {"Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator",
                     "Reservations Administrator"}
    assert {catalog.AZURE_ROLE_NAMES[i] for i in catalog.CRITICAL_AZURE_ROLE_IDS} == {
        "Owner", "User Access Administrator", "Role Based Access Control Administrator"}


def test_phishing_resistant_strength_and_rule_ids():
    assert catalog.BUILTIN_PHISHING_RESISTANT_STRENGTH.endswith("0004")
    assert catalog.PHISHING_RESISTANT_METHODS == {"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"}
    assert len(set(catalog.PIM_RULE_IDS)) == 17


@pytest.mark.parametrize("value, expected", [
    ("P180D", timedelta(days=180)), ("PT8H", timedelta(hours=8)), ("PT30M", timedelta(minutes=30)),
    ("P1Y", timedelta(days=365)), ("P6M", timedelta(days=180)), ("P2W", timedelta(days=14)),
    ("P1DT12H", timedelta(days=1, hours=12)), ("pt1h", timedelta(hours=1)), ("PT0.5S", timedelta(seconds=0.5)),
])
def test_parse_duration(value, expected):
    assert catalog.parse_duration(value) == expected


@pytest.mark.parametrize("junk", ["", "P", "PT", "P1DT", "8h", "P1H", "PT1D", "1 day", None, 180, "P-1D"])
def test_parse_duration_rejects_junk_with_a_clear_message(junk):
    with pytest.raises(ValueError) as err:
        catalog.parse_duration(junk, "activationRules.maximumDuration")
    assert "activationRules.maximumDuration" in str(err.value) and "P180D" in str(err.value)


def test_duration_comparison_and_dates():
    assert catalog.duration_exceeds("P365D", "P180D") and not catalog.duration_exceeds("P6M", "P180D")
    assert catalog.duration_exceeds("PT2H", "PT1H") and not catalog.duration_exceeds("PT30M", "PT1H")
    start, end = catalog.parse_datetime("2026-01-01"), catalog.parse_datetime("2026-07-01T00:00:00Z")
    assert end - start == timedelta(days=181)
    with pytest.raises(ValueError, match="expirationDate: 'tomorrow'"):
        catalog.parse_datetime("tomorrow", "expirationDate")


@pytest.mark.parametrize("value", [
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
    "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/",
])
def test_role_guid_extracts_the_guid(value):
    assert catalog.role_guid(value) == catalog.AZURE_ROLE_OWNER


@pytest.mark.parametrize("value", [None, "", "Owner", "/providers/Microsoft.Authorization/roleDefinitions/x"])
def test_role_guid_none_without_guid(value):
    assert catalog.role_guid(value) is None


def test_components_load_the_shared_facts_without_a_second_copy_of_every_policy():
    probe = ("import json, sys, components.stack; "
             "print(json.dumps([m for m in sys.modules if m.startswith('policies.rules.')]))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert "policies.rules.catalog" in loaded
    assert not loaded & {"policies.rules.pim", "policies.rules.conditional_access", "policies.rules.access_packages"}


def test_the_pack_lists_every_area_once():
    import policies.rules as rules

    names = [policy.name for policy in rules.POLICIES]
    assert len(names) == len(set(names)) == 36
    assert rules.POLICIES is rules.POLICIES
    with pytest.raises(AttributeError):
        rules.NOT_A_LIST  # noqa: B018
