"""Issue 16, class 10: report-only admin CA policies are mandatory unless inside a staged rollout the pack can see
(a component's reportOnlyUntil, before its end date by rules.common.CLOCK), and never in production."""

from datetime import UTC, datetime

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import preview_with_pack

GA = "62e90394-69f5-4237-9190-012177145e10"
BG = "aaaaaaaa-0000-4000-8000-000000000001"
PR = {
    "operator": "OR",
    "authentication_strength_policy_id": "/policies/authenticationStrengthPolicies/"
    "00000000-0000-0000-0000-000000000004",
}
REPORT_ONLY = "enabledForReportingButNotEnforced"
ROLLOUT_POLICIES = (
    "ca-no-tenant-lockout",
    "ca-admin-policy-report-only",
    "ca-admin-policy-enforced-in-production",
    "ca-phishing-resistant-admins",
    "ca-admin-portals-compliant-device",
)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The pack's clock: 2030-01-10, whatever day the test runs."""
    from rules import common

    monkeypatch.setattr(common, "CLOCK", lambda: datetime(2030, 1, 10, 12, tzinfo=UTC))


class Rollout(pulumi.ComponentResource):
    """A component that declares a staged rollout, as ConditionalAccessBaseline does (props and outputs)."""

    def __init__(self, until):
        props = {"reportOnlyUntil": until}
        super().__init__("privileged-access:index:ConditionalAccessBaseline", "ca", props, None)
        self.register_outputs(props)


def program(state=REPORT_ONLY, until=None, unknown=None):
    def run():
        group = azuread.Group("pim-ga", display_name="PIM GA", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=group.object_id)
        later = lambda value: group.object_id.apply(lambda _: value)
        parent = None
        if until is not None:
            parent = Rollout(later(until) if unknown == "until" else until)
        azuread.ConditionalAccessPolicy(
            "admins-pr",
            display_name="admins-pr",
            state=later(state) if unknown == "state" else state,
            grant_controls=PR,
            conditions={
                "users": {"included_roles": [GA], "excluded_users": [BG]},
                "applications": {"included_applications": ["All"]},
                "client_app_types": ["all"],
            },
            opts=pulumi.ResourceOptions(parent=parent),
        )

    return run


def preview(run, tmp_path, production=False):
    config = {
        name: {
            "breakGlassObjectIds": [BG],
            **({"production": True} if production and name != "ca-no-tenant-lockout" else {}),
        }
        for name in ROLLOUT_POLICIES
    }
    return preview_with_pack(run, tmp_path, config)


def ca(violations):
    """The CA policies that fired, less the CAE advice (these programs declare no strict-CAE policy on purpose)."""
    return sorted({v.policy for v in violations if v.policy.startswith("ca-") and v.policy != "ca-admin-cae-strict"})


STRICT = ["ca-admin-policy-enforced-in-production", "ca-phishing-resistant-admins"]


def test_enabled_is_clean(tmp_path):
    assert not ca(preview(program("enabled"), tmp_path).violations)
    assert not ca(preview(program("enabled"), tmp_path, production=True).violations)


@pytest.mark.parametrize("state", [REPORT_ONLY, "disabled"])
def test_report_only_or_disabled_without_a_rollout_is_mandatory(state, tmp_path):
    report = preview(program(state), tmp_path)
    assert ca(report.mandatory) == STRICT and not ca(report.advisory)


def test_inside_a_staged_rollout_report_only_is_advisory(tmp_path):
    report = preview(program(until="2030-01-31"), tmp_path)
    assert not ca(report.mandatory) and ca(report.advisory) == ["ca-admin-policy-report-only"]
    assert "2030-01-31" in report.advisory[0].message


@pytest.mark.parametrize("until", ["2030-01-09", "2031-01-01", "not a date"], ids=["ended", "too-far", "invalid"])
def test_an_ended_too_long_or_invalid_rollout_does_not_count(until, tmp_path):
    assert ca(preview(program(until=until), tmp_path).mandatory) == STRICT


def test_a_disabled_policy_is_mandatory_even_inside_a_rollout(tmp_path):
    assert ca(preview(program("disabled", until="2030-01-31"), tmp_path).mandatory) == STRICT


def test_production_allows_no_staged_rollout(tmp_path):
    report = preview(program(until="2030-01-31"), tmp_path, production=True)
    assert ca(report.mandatory) == STRICT
    assert all("production" in v.message for v in report.mandatory if v.policy in STRICT)


@pytest.mark.parametrize("unknown", ["state", "until"])
def test_an_unknown_state_or_rollout_end_cannot_be_verified(unknown, tmp_path):
    run = program("enabled" if unknown == "state" else REPORT_ONLY, until="2030-01-31", unknown=unknown)
    violations = [v for v in preview(run, tmp_path).mandatory if v.policy in STRICT]
    assert {v.policy for v in violations} == set(STRICT)
    assert all("cannot verify" in v.message for v in violations)
