"""The example stack's CA baseline and PAW through the engine: enforced, so it previews clean on any date."""

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


def test_example_ships_the_baseline_enforced_with_no_violation(example):
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
    assert set(policies.values()) == {"enabled"}
    assert not ours(example.mandatory) and not ours(example.advisory)


def test_example_paw_has_two_hardened_hosts(example):
    hosts = [r for r in example.resources if r.type == "azure-native:compute:VirtualMachine"]
    assert len(hosts) == 2
    assert all(h.inputs["tags"]["pum-role"] == "paw" for h in hosts)
    assert all(h.inputs["securityProfile"]["securityType"] == "TrustedLaunch" for h in hosts)
    portals = next(r for r in example.resources if r.type == CA and "CA02" in r.inputs["displayName"])
    assert 'startsWith "paw-"' in portals.inputs["conditions"]["devices"]["filter"]["rule"]


def report_only(until=None):
    config = copy.deepcopy(example_config())
    config["privileged-access:conditionalAccess"]["enforce"] = False
    if until:
        config["privileged-access:conditionalAccess"]["reportOnlyUntil"] = until
    return config


STRICT = ["ca-admin-policy-enforced-in-production", "ca-admin-portals-compliant-device", "ca-phishing-resistant-admins"]


def test_report_only_without_a_rollout_end_date_is_mandatory_then_enforced_passes_in_production(tmp_path):
    assert ours(preview(report_only()).mandatory) == STRICT
    assert ours(preview(report_only(), production=True, tmp_path=tmp_path).mandatory) == STRICT
    assert not ours(preview(production=True, tmp_path=tmp_path).violations)


def test_a_staged_rollout_is_advisory_until_its_end_date_and_never_in_production(clock, tmp_path):
    clock("2030-01-10")
    staged = preview(report_only("2030-01-31"))
    assert not ours(staged.mandatory) and ours(staged.advisory) == ["ca-admin-policy-report-only"]
    assert ours(preview(report_only("2030-01-31"), production=True, tmp_path=tmp_path).mandatory) == STRICT
    clock("2030-02-01")
    assert ours(preview(report_only("2030-01-31")).mandatory) == STRICT


@pytest.fixture
def clock(monkeypatch):
    """Set the pack's clock (rules.common.CLOCK) to a day, for this test only."""
    from datetime import UTC, datetime

    from rules import common

    def at(day):
        moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        monkeypatch.setattr(common, "CLOCK", lambda: moment)

    return at


def test_the_old_production_key_is_refused_with_the_new_name():
    config = copy.deepcopy(example_config())
    config["privileged-access:tenant"] = {"production": True}
    with pytest.raises(
        UsageError,
        match=r"privileged-access:tenant\.production: unknown key 'production'; did you mean "
        r"'protectFromDeletion'\?",
    ):
        preview(config)


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
