"""The example stack's CA baseline and PAW through the engine: report-only first, enforced in production."""

import copy
import os

import pytest
import yaml
from conftest import preview_with_pack

from pum.errors import UsageError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CA = "azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy"
PRODUCTION_POLICIES = (
    "ca-admin-policy-report-only",
    "ca-admin-policy-enforced-in-production",
    "ca-phishing-resistant-admins",
    "ca-admin-portals-compliant-device",
)
OURS = ("ca-", "paw-")


def example_config():
    with open(os.path.join(ROOT, "stacks", "Pulumi.example.yaml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["config"]


def preview(config=None, production=False, tmp_path=None):
    pack_config = {name: {"production": True} for name in PRODUCTION_POLICIES} if production else None
    return preview_with_pack(ROOT, tmp_path, pack_config, stack="example", config=config)


@pytest.fixture(scope="module")
def example():
    return preview()


def ours(violations):
    return sorted({v.policy for v in violations if v.policy.startswith(OURS)})


def test_example_ships_the_baseline_report_only_with_no_mandatory_violation(example):
    policies = {
        r.inputs["displayName"]: r.inputs["state"]
        for r in example.resources
        if r.type == CA and r.inputs["displayName"].startswith("PUM-CA")
    }
    assert sorted(policies) == [
        "PUM-CA01 Admins: phishing-resistant MFA (all resources)",
        "PUM-CA02 Admins: admin portals only from the PAW",
        "PUM-CA03 Admins: PAW (Azure Virtual Desktop) only from a compliant device",
        "PUM-CA04 Admins: sign in every 4 h, no persistent browser",
        "PUM-CA05 All users: block legacy authentication",
        "PUM-CA06 All users: block device-code flow",
        "PUM-CA07 Break-glass: phishing-resistant MFA (all resources)",
    ]
    assert set(policies.values()) == {"enabledForReportingButNotEnforced"}
    assert not ours(example.mandatory)
    assert ours(example.advisory) == ["ca-admin-policy-report-only"]


def test_example_paw_has_two_hardened_hosts(example):
    hosts = [r for r in example.resources if r.type == "azure-native:compute:VirtualMachine"]
    assert len(hosts) == 2
    assert all(h.inputs["tags"]["pum-role"] == "paw" for h in hosts)
    assert all(h.inputs["securityProfile"]["securityType"] == "TrustedLaunch" for h in hosts)
    portals = next(r for r in example.resources if r.type == CA and "CA02" in r.inputs["displayName"])
    assert 'startsWith "paw-"' in portals.inputs["conditions"]["devices"]["filter"]["rule"]


def test_production_rejects_report_only_then_accepts_enforced(tmp_path):
    staged = preview(production=True, tmp_path=tmp_path)
    assert ours(staged.mandatory) == [
        "ca-admin-policy-enforced-in-production",
        "ca-admin-portals-compliant-device",
        "ca-phishing-resistant-admins",
    ]
    config = example_config()
    config["privileged-access:conditionalAccess"]["enforce"] = True
    enforced = preview(config, production=True, tmp_path=tmp_path)
    assert not ours(enforced.mandatory) and not ours(enforced.advisory)


def test_pim_referencing_an_undeclared_context_fails_with_the_fix():
    config = copy.deepcopy(example_config())
    config["privileged-access:pim"]["roleBindings"][0]["activation"] = {"authenticationContext": "c7"}
    with pytest.raises(
        UsageError,
        match=r"Pulumi\.\w+\.yaml: privileged-access:pim\.roleBindings\[0\]\.activation\."
        r"authenticationContext: is not declared in .*authenticationContexts",
    ):
        preview(config)


def test_paw_users_must_be_people_with_admin_accounts():
    config = copy.deepcopy(example_config())
    config["privileged-access:paw"]["users"] = ["maria", "nobody"]
    with pytest.raises(UsageError, match=r"privileged-access:paw\.users\[1\]: is not a person with an adminAccount"):
        preview(config)


def test_conditional_access_without_break_glass_is_a_model_error_not_a_crash():
    config = copy.deepcopy(example_config())
    del config["privileged-access:breakGlass"]
    with pytest.raises(
        UsageError,
        match=r"privileged-access:breakGlass: is required with privileged-access:"
        r"conditionalAccess",
    ):
        preview(config)
