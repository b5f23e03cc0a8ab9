"""Shared building blocks for the tests/test_pack_*.py class tests: plain provider programs previewed with the pack."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from conftest import preview_with_pack
from privileged_facts.roles import ENTRA_ROLES
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

GA = ENTRA_ROLES["Global Administrator"]
USER_ADMIN = ENTRA_ROLES["User Administrator"]
READERS = ENTRA_ROLES["Directory Readers"]
LITERAL_USER = "22222222-2222-4222-8222-222222222222"
SECRET = "s3cr3t"
ALERT = {"admin_notifications": {"default_recipients": True, "additional_recipients": ["pim@contoso.com"]}}


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class Raw(Resource):
    """A pulumi-python:dynamic:Resource with the props given verbatim (the Graph layer's type), doing nothing."""

    def __init__(self, name, props, opts=None):
        super().__init__(_NoOp(), name, props, opts)


def later(source: pulumi.Output, value):
    """`value`, computed from `source`: unknown at preview."""
    return source.apply(lambda _: value)


def user(name: str):
    return azuread.User(
        name,
        display_name=name,
        user_principal_name=f"{name}@contoso.onmicrosoft.com",
        password=random.RandomPassword(f"{name}-pw", length=32).result,
    )


class BreakGlassAccounts(pulumi.ComponentResource):
    """Stands in for the project's break-glass component with the shape it guarantees (the pack checks the shape,
    not the type token): protected cloud-only users on *.onmicrosoft.com with a RandomPassword password."""

    def __init__(self, name: str = "bg", count: int = 2):
        super().__init__("privileged-access:index:BreakGlassAccounts", name, None, None)
        self.users = [
            azuread.User(
                f"{name}-{i}",
                user_principal_name=f"bg{i}@contoso.onmicrosoft.com",
                display_name=f"Break glass {i}",
                password=random.RandomPassword(
                    f"{name}-{i}-pw", length=64, opts=pulumi.ResourceOptions(parent=self)
                ).result,
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            for i in range(1, count + 1)
        ]
        self.register_outputs({})

    @property
    def ids(self):
        return [u.object_id for u in self.users]


def member_policy(name, group_id, approver, role_id="member", maximum="PT1H", active_expire="P15D", **over):
    rules = {
        "maximum_duration": maximum,
        "require_approval": True,
        "require_justification": True,
        "require_multifactor_authentication": True,
        "approval_stage": {"primary_approvers": [{"object_id": approver, "type": "groupMembers"}]},
        **over,
    }
    return azuread.GroupRoleManagementPolicy(
        name,
        group_id=group_id,
        role_id=role_id,
        activation_rules=rules,
        eligible_assignment_rules={"expiration_required": True, "expire_after": "P90D"},
        active_assignment_rules={"expiration_required": True, "expire_after": active_expire},
        notification_rules={"eligible_assignments": ALERT, "active_assignments": ALERT, "eligible_activations": ALERT},
    )


def governed_group(name="pim-ga", role=GA, **group):
    """A role on a role-assignable group with its member policy (the compliant PIM-for-Groups pattern)."""
    approvers = azuread.Group(f"{name}-approvers", display_name="approvers", security_enabled=True)
    g = azuread.Group(name, display_name=name, security_enabled=True, assignable_to_role=True, **group)
    azuread.DirectoryRoleAssignment(f"{name}-role", role_id=role, principal_object_id=g.object_id)
    member_policy(f"{name}-policy", g.object_id, approvers.object_id)
    return g, approvers


def mandatory(report, policy: str) -> list:
    """The violations of `policy`, each mandatory; none echoes the test secret."""
    assert not [v for v in report.violations if SECRET in (v.message or "")], "a message echoed a secret"
    found = [v for v in report.violations if v.policy == policy]
    assert found, f"{policy} reported nothing: {[(v.policy, v.message[:80]) for v in report.violations]}"
    assert all(v.enforcement_level == "mandatory" for v in found), found
    return found


MONITORING = ("break-glass-sign-in-alerted", "privileged-logs-exported")
"""The monitoring area's stack policies, which judge every stack with break-glass accounts or privileged grants
(tests/test_monitoring_policies.py judges them)."""


def clean(report) -> None:
    """No mandatory violation of the PIM policies (conditional access and monitoring are judged elsewhere)."""
    ours = [
        v
        for v in report.mandatory
        if not v.policy.startswith(("ca-", "paw-", "private-access")) and v.policy not in MONITORING
    ]
    assert ours == [], [(v.policy, v.message[:120]) for v in ours]


def unverified(report, policy: str) -> list:
    found = [v for v in mandatory(report, policy) if "unknown at preview" in v.message]
    assert found, f"{policy} did not report an unknown as unverified"
    return found


def preview(program, tmp_path=None, pack_config=None):
    return preview_with_pack(program, tmp_path, pack_config)
