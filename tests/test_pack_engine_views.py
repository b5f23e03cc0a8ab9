"""The pack under the engine's stack views (issue 17): AnalyzeStack gets each resource's outputs, not its inputs.

In a preview every output the provider declares that the program did not set is unknown (Group.members and owners,
User.onpremisesImmutableId, GroupRoleManagementPolicy.notificationRules...); after a deployment those hold the
tenant's values (a PIM group's members are whoever has activated). The pack judges what the program declares on
declared values (`common.declared`; the declared members and owners of a role-assignable group on the inputs, by the
resource policy role-assignable-group-no-static-members) and the tenant's state where that is what counts.
"""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
import pytest
from conftest import preview_with_pack
from pack_cases import GA, LITERAL_USER, clean, governed_group, mandatory, user

STANDING = "entra-no-standing-privileged-role"
STATIC = "pim-group-no-static-members"
DECLARED = "role-assignable-group-no-static-members"
ACTIVATED = ["33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444"]
GROUP_TYPE = "azuread:index/group:Group"
USER_TYPE = "azuread:index/user:User"


def preview(program, **view):
    return preview_with_pack(program, **view)


def _names(found) -> list[str]:
    return sorted(v.urn.rsplit("::", 1)[-1] for v in found)


def _tenant(**by_name: dict):
    """A post-deployment state: resource name -> the tenant's values of properties the program did not set."""
    return lambda typ, name: by_name.get(name, {})


def _views(**tenant: dict) -> list[dict]:
    """run_preview arguments for the preview under the engine's view and for the post-deployment view."""
    return [{"stack_view": "outputs"}, {"deployed_state": _tenant(**tenant)}]


class _BreakGlass(pulumi.ComponentResource):
    """The break-glass component's shape: a protected cloud-only user with a random password, holding GA."""

    def __init__(self, name: str = "bg"):
        super().__init__("privileged-access:index:BreakGlassAccounts", name, None, None)
        opts = pulumi.ResourceOptions(parent=self, protect=True)
        password = random.RandomPassword(f"{name}-pw", length=64, opts=pulumi.ResourceOptions(parent=self))
        self.user = azuread.User(
            f"{name}-1",
            user_principal_name="bg1@contoso.onmicrosoft.com",
            display_name="Emergency access",
            password=password.result,
            opts=opts,
        )
        azuread.DirectoryRoleAssignment(f"{name}-ga", role_id=GA, principal_object_id=self.user.object_id, opts=opts)
        self.register_outputs({})


@pytest.mark.parametrize("view", _views(**{"pim-ga": {"members": ACTIVATED, "owners": [], "objectId": "g-id"}}))
def test_a_governed_pim_group_is_clean_whoever_has_activated(view):
    """Its members and owners outputs are the provider's (unknown at preview, the activated users after a
    deployment), not a static membership the program declares."""
    report = preview(lambda: governed_group(), **view)
    clean(report)
    assert not report.by_policy(STATIC) and not report.by_policy(DECLARED)


@pytest.mark.parametrize("view", _views(**{"pim-ga": {"owners": [], "objectId": "g-id"}}))
def test_a_literal_members_list_in_the_program_is_still_standing_access(view):
    report = preview(lambda: governed_group(members=[LITERAL_USER]), **view)
    [found] = mandatory(report, DECLARED)
    assert _names([found]) == ["pim-ga"] and "members" in found.message and LITERAL_USER not in found.message


@pytest.mark.parametrize("view", _views(**{"pim-ga": {"members": ACTIVATED}}))
def test_a_group_member_resource_on_a_pim_group_is_still_a_finding(view):
    def program():
        group, _ = governed_group()
        azuread.GroupMember("static", group_object_id=group.object_id, member_object_id=user("dave").object_id)

    assert _names(mandatory(preview(program, **view), STATIC)) == ["static"]


@pytest.mark.parametrize("view", _views(**{"bg-1": {"onpremisesImmutableId": None, "objectId": "bg-id"}}))
def test_a_cloud_only_break_glass_account_is_exempt(view):
    """onpremisesImmutableId the program does not set is the provider's: unknown at preview, null when cloud-only."""
    clean(preview(lambda: _BreakGlass(), **view))


def test_a_break_glass_account_the_tenant_syncs_from_on_premises_is_not_exempt():
    synced = _tenant(**{"bg-1": {"onpremisesImmutableId": "c3luY2VkLWZyb20tYWQ="}})
    assert _names(mandatory(preview(lambda: _BreakGlass(), deployed_state=synced), STANDING)) == ["bg-ga"]


@pytest.mark.parametrize("view", _views(**{"plain": {"assignableToRole": False}}))
def test_a_group_that_does_not_declare_itself_role_assignable_is_not_governed(view):
    """assignableToRole the program does not set is the provider's default (false): not governed, and not merely
    unverified."""

    def program():
        group = azuread.Group("plain", display_name="plain", security_enabled=True)
        azuread.DirectoryRoleAssignment("plain-ga", role_id=GA, principal_object_id=group.object_id)

    [found] = mandatory(preview(program, **view), STANDING)
    assert "unknown at preview" not in found.message and "standing access" in found.message
