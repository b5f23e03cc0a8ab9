"""Issue 16, governed means governed, break-glass cannot be forged, owners are holders (plain provider programs)."""

from __future__ import annotations

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from pack_cases import (
    GA,
    LITERAL_USER,
    SECRET,
    clean,
    governed_group,
    later,
    mandatory,
    member_policy,
    preview,
    unverified,
    user,
)

STANDING = "entra-no-standing-privileged-role"
STATIC = "pim-group-no-static-members"
DECLARED = "role-assignable-group-no-static-members"  # the declared-list half, judged on inputs
POLICY = "pim-group-requires-policy"
BG_TYPE = "privileged-access:index:BreakGlassAccounts"


def _names(found):
    return sorted(v.urn.rsplit("::", 1)[-1] for v in found)


# --- governed ---------------------------------------------------------------------------------------------


def test_a_governed_role_assignable_group_is_clean():
    clean(preview(lambda: governed_group()))


def test_a_policy_on_a_user_or_a_literal_id_or_a_plain_group_governs_nothing():
    def program():
        _, approvers = governed_group()
        u = user("mallory")
        azuread.DirectoryRoleAssignment("to-user", role_id=GA, principal_object_id=u.object_id)
        member_policy("on-user", u.object_id, approvers.object_id)
        azuread.DirectoryRoleAssignment("to-literal", role_id=GA, principal_object_id=LITERAL_USER)
        member_policy("on-literal", LITERAL_USER, approvers.object_id)
        plain = azuread.Group("plain", display_name="plain", security_enabled=True)
        azuread.DirectoryRoleAssignment("to-plain", role_id=GA, principal_object_id=plain.object_id)
        member_policy("on-plain", plain.object_id, approvers.object_id)

    found = mandatory(preview(program), STANDING)
    assert _names(found) == ["to-literal", "to-plain", "to-user"]
    assert all(LITERAL_USER not in v.message for v in found)


def test_a_principal_computed_from_several_resources_is_not_the_group():
    def program():
        g, _ = governed_group()
        principal = pulumi.Output.all(g.object_id, user("eve").object_id).apply(lambda ids: ids[1])
        azuread.DirectoryRoleAssignment("laundered", role_id=GA, principal_object_id=principal)

    assert _names(mandatory(preview(program), STANDING)) == ["laundered"]


def test_an_unknown_role_assignable_flag_is_unverified():
    def program():
        anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
        approvers = azuread.Group("approvers", display_name="approvers", security_enabled=True)
        g = azuread.Group(
            "maybe", display_name="maybe", security_enabled=True, assignable_to_role=later(anchor.object_id, False)
        )
        azuread.DirectoryRoleAssignment("maybe-ga", role_id=GA, principal_object_id=g.object_id)
        member_policy("maybe-policy", g.object_id, approvers.object_id)

    assert _names(unverified(preview(program), STANDING)) == ["maybe-ga"]


# --- break-glass ------------------------------------------------------------------------------------------


class _BreakGlass(pulumi.ComponentResource):
    """The component's shape, with one property changeable per test."""

    def __init__(self, name="bg", password=None, domain="contoso.onmicrosoft.com", protect=True):
        super().__init__(BG_TYPE, name, None, None)
        opts = pulumi.ResourceOptions(parent=self, protect=protect)
        secret = password or random.RandomPassword(f"{name}-pw", length=64, opts=pulumi.ResourceOptions(parent=self))
        self.user = azuread.User(
            f"{name}-1",
            user_principal_name=f"bg1@{domain}",
            display_name="Emergency access",
            password=secret if isinstance(secret, str) else secret.result,
            opts=opts,
        )
        azuread.DirectoryRoleAssignment(f"{name}-ga", role_id=GA, principal_object_id=self.user.object_id, opts=opts)
        self.register_outputs({})


def test_the_genuine_break_glass_shape_and_configured_ids_are_exempt(tmp_path):
    def program():
        _BreakGlass()
        azuread.DirectoryRoleAssignment("configured", role_id=GA, principal_object_id=LITERAL_USER)

    clean(preview(program, tmp_path, {STANDING: {"breakGlassObjectIds": [LITERAL_USER]}}))


def test_a_forged_break_glass_component_proves_nothing():
    def program():
        _BreakGlass("known", password=SECRET + "-Summer2026!")
        _BreakGlass("federated", domain="contoso.com")
        _BreakGlass("unprotected", protect=False)
        real = _BreakGlass("real")
        azuread.DirectoryRoleAssignment(
            "outside", role_id=GA, principal_object_id=later(real.user.object_id, LITERAL_USER)
        )

    found = mandatory(preview(program), STANDING)
    assert _names(found) == ["federated-ga", "known-ga", "outside", "unprotected-ga"]


# --- owners -----------------------------------------------------------------------------------------------


def test_static_owners_of_a_role_holding_group_are_standing_access():
    def program():
        governed_group("literal-owner", owners=[LITERAL_USER])
        governed_group("declared-owner", owners=[user("owner").object_id])
        azuread.Group("team", display_name="team", security_enabled=True, owners=[user("lead").object_id])

    found = mandatory(preview(program), DECLARED)
    assert _names(found) == ["declared-owner", "literal-owner"]
    assert all("owners" in v.message and LITERAL_USER not in v.message for v in found)


def test_unknown_owners_are_unverified():
    def program():
        anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
        governed_group("owned", owners=later(anchor.object_id, [LITERAL_USER]))

    assert _names(unverified(preview(program), DECLARED)) == ["owned"]


def test_owner_schedules_need_an_owner_policy():
    def program():
        g, approvers = governed_group()
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "owner-elig",
            group_id=g.object_id,
            principal_id=user("w").object_id,
            assignment_type="owner",
            duration="P30D",
        )

    assert _names(mandatory(preview(program), POLICY)) == ["owner-elig"]

    def governed():
        g, approvers = governed_group()
        member_policy("owner-policy", g.object_id, approvers.object_id, role_id="owner")
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "owner-elig",
            group_id=g.object_id,
            principal_id=user("w").object_id,
            assignment_type="owner",
            duration="P30D",
        )

    clean(preview(governed))


def test_an_unknown_assignment_type_is_unverified():
    def program():
        g, _ = governed_group()
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "maybe-owner",
            group_id=g.object_id,
            principal_id=user("w").object_id,
            assignment_type=later(g.object_id, "owner"),
            duration="P30D",
        )

    assert _names(unverified(preview(program), POLICY)) == ["maybe-owner"]
