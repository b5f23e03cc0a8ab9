"""Issue 16, active access is capped too, and unknown means unverified (plain provider programs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_azuread as azuread
import pytest
from pack_cases import SECRET, clean, governed_group, later, mandatory, member_policy, preview, unverified, user

ACTIVE = "pim-group-no-permanent-active-assignment"
SETTINGS = "pim-settings-assignments-expire"


def _active(name, assignment_type="member", **schedule):
    g, _ = governed_group()
    azuread.PrivilegedAccessGroupAssignmentSchedule(
        name,
        group_id=g.object_id,
        principal_id=user(f"{name}-u").object_id,
        assignment_type=assignment_type,
        **schedule,
    )


def _in_days(days):
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    "schedule",
    [
        {"duration": "P365D"},
        {"duration": "PT9H"},
        {"permanent_assignment": True},
        {"assignment_type": "owner", "duration": "P30D"},
        {"expiration_date": "2099-01-01T00:00:00Z"},
    ],
)
def test_long_or_permanent_active_assignments_are_rejected(schedule):
    (v,) = mandatory(preview(lambda: _active("active", **schedule)), ACTIVE)
    assert "maxActiveAssignmentDuration" in v.message or "permanent" in v.message


def test_a_short_active_assignment_is_clean_and_the_cap_is_configurable(tmp_path):
    clean(preview(lambda: _active("short", duration="PT8H")))
    clean(preview(lambda: _active("short", expiration_date=_in_days(0))))
    config = {ACTIVE: {"maxActiveAssignmentDuration": "PT4H"}}
    mandatory(preview(lambda: _active("short", duration="PT8H"), tmp_path, config), ACTIVE)


def test_unknown_or_secret_active_lifetimes():
    def program():
        g, _ = governed_group()
        for name, schedule in (
            ("unknown-duration", {"duration": later(g.object_id, "P365D")}),
            ("unknown-permanent", {"permanent_assignment": later(g.object_id, True)}),
        ):
            azuread.PrivilegedAccessGroupAssignmentSchedule(
                name, group_id=g.object_id, principal_id=user(name).object_id, assignment_type="member", **schedule
            )
        azuread.PrivilegedAccessGroupAssignmentSchedule(
            "secret-duration",
            group_id=g.object_id,
            principal_id=user("s").object_id,
            assignment_type="member",
            duration=pulumi.Output.secret("P1D" + SECRET),
        )

    report = preview(program)
    assert sorted(v.urn.rsplit("::", 1)[-1] for v in unverified(report, ACTIVE)) == [
        "unknown-duration",
        "unknown-permanent",
    ]
    (malformed,) = [v for v in mandatory(report, ACTIVE) if v.urn.endswith("secret-duration")]
    assert "not an ISO 8601 duration" in malformed.message


def test_a_policy_lets_active_assignments_last_at_most_the_expiry_cap():
    def program():
        g, approvers = governed_group()
        member_policy("lax", g.object_id, approvers.object_id, active_expire="P365D")

    (v,) = mandatory(preview(program), SETTINGS)
    assert "activeAssignmentRules.expireAfter is P365D" in v.message and "maxActiveAssignmentExpiry" in v.message


def test_a_policy_active_expiry_unknown_at_preview_is_unverified():
    def program():
        g, approvers = governed_group()
        member_policy("maybe", g.object_id, approvers.object_id, active_expire=later(g.object_id, "P365D"))

    unverified(preview(program), SETTINGS)


def test_unknown_eligibility_lifetimes_and_activation_rules_are_unverified():
    def program():
        g, approvers = governed_group()
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "elig-duration",
            group_id=g.object_id,
            principal_id=user("a").object_id,
            assignment_type="member",
            duration=later(g.object_id, "P3650D"),
        )
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "elig-permanent",
            group_id=g.object_id,
            principal_id=user("b").object_id,
            assignment_type="member",
            permanent_assignment=later(g.object_id, True),
        )
        other = azuread.Group("other", display_name="o", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment(
            "other-ga", role_id=g.object_id.apply(lambda _: "x"), principal_object_id=other.object_id
        )
        member_policy(
            "other-policy",
            other.object_id,
            approvers.object_id,
            maximum=later(other.object_id, "P1D"),
            require_approval=later(other.object_id, False),
        )

    report = preview(program)
    assert sorted(v.urn.rsplit("::", 1)[-1] for v in unverified(report, "pim-eligibility-max-duration")) == [
        "elig-duration",
        "elig-permanent",
    ]
    assert [v.urn.rsplit("::", 1)[-1] for v in unverified(report, "pim-eligibility-must-expire")] == ["elig-permanent"]
    unverified(report, "pim-settings-activation-duration")


def test_unknown_at_preview_can_be_made_advisory_per_policy(tmp_path):
    def program():
        g, _ = governed_group()
        azuread.PrivilegedAccessGroupAssignmentSchedule(
            "u",
            group_id=g.object_id,
            principal_id=user("u").object_id,
            assignment_type="member",
            duration=later(g.object_id, "P365D"),
        )

    report = preview(program, tmp_path, {ACTIVE: {"unknownAtPreview": "advisory"}})
    assert not [v for v in report.mandatory if v.policy == ACTIVE]
    assert [v for v in report.violations if v.policy == ACTIVE and v.enforcement_level == "advisory"]
