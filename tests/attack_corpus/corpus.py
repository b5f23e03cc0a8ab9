"""The attack corpus: plans a pull-request author would try to get past the policy gate, one class at a time.

Each case is a zero-argument Pulumi program. "mandatory" cases are dangerous and must get at least one mandatory
violation; "clean" cases are their compliant counterparts and must get none. Most dangerous programs start from
`kit.baseline()` (a compliant privileged stack) and add exactly one trick, so a finding is about the trick.
`run.py` previews every case and prints the verdicts. Nothing here is collected by pytest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from kit import (
    ADMIN_ROLES,
    ARM_ROLE,
    BLOCK,
    CONTRIBUTOR,
    GA,
    GRAPH_SP,
    HELPDESK,
    LITERAL_GROUP,
    LITERAL_USER,
    OWNER,
    PHISHING_RESISTANT,
    PRA,
    READER,
    RG,
    ROLE_MGMT_RW_DIRECTORY,
    SUB,
    SUB_ID,
    UAA,
    UNRESOLVABLE_ROLE_OBJECT,
    USER_ADMIN,
    BreakGlassLike,
    Case,
    GraphThing,
    admin_ca,
    baseline,
    ca,
    governed_group,
    member_policy,
    role_group,
    user,
)
from privileged_facts.apps import APP_AZURE_MANAGEMENT, MICROSOFT_ADMIN_PORTALS
from privileged_facts.conventions import PAW_RDP_PROPERTIES
from privileged_facts.roles import AZURE_ROLES
from pulumi_azure_native import authorization, desktopvirtualization, resources

CASES: list[Case] = []


def case(klass: str, expect: str = "mandatory", **extra):
    """Register the decorated program as a case named after the function (its docstring says the trick)."""

    def register(program):
        CASES.append(Case(program.__name__, klass, program, expect, **extra))
        return program

    return register


def later(source: pulumi.Output, value):
    """`value`, computed from `source` (an output unknown at preview): the deciding value is unknown at preview."""
    return source.apply(lambda _: value)


def standing(name: str, role: str, principal=None, **kw):
    """A permanent (active) directory role assignment, by default to a fresh user."""
    principal = principal if principal is not None else user(f"{name}-user").object_id
    return azuread.DirectoryRoleAssignment(name, role_id=role, principal_object_id=principal, **kw)


def in_days(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# ============================================================ 1. role-identity


@case("role-identity")
def ri_upper_case_template_id():
    """GA's template ID in upper case, permanently to a user."""
    baseline()
    standing("upper", GA.upper())


@case("role-identity")
def ri_braced_guid():
    """GA's template ID in braces ({...}), a GUID form .NET/Graph parse."""
    baseline()
    standing("braced", "{" + GA + "}")


@case("role-identity")
def ri_hyphenless_guid():
    """GA's template ID without hyphens (the 'N' GUID format)."""
    baseline()
    standing("hyphenless", GA.replace("-", ""))


@case("role-identity")
def ri_role_definition_path():
    """GA as a Graph path '/roleManagement/directory/roleDefinitions/<id>' instead of a bare GUID."""
    baseline()
    standing("path", f"/roleManagement/directory/roleDefinitions/{GA}")


@case("role-identity")
def ri_directory_role_lowercase_name_member():
    """DirectoryRole(display_name='global administrator') activated, then DirectoryRoleMember adds a user."""
    baseline()
    role = azuread.DirectoryRole("ga-role", display_name="global administrator")
    azuread.DirectoryRoleMember(
        "lower-member", role_object_id=role.object_id, member_object_id=user("lower-user").object_id
    )


@case("role-identity")
def ri_directory_role_spaced_name_assignment():
    """DirectoryRole(display_name='  Global  Administrator ') and its template_id as a DirectoryRoleAssignment."""
    baseline()
    role = azuread.DirectoryRole("ga-role", display_name="  Global  Administrator ")
    standing("spaced", role.template_id)


@case("role-identity")
def ri_directory_role_upper_template_member():
    """DirectoryRole(template_id=<GA upper case>) and a DirectoryRoleMember."""
    baseline()
    role = azuread.DirectoryRole("ga-role", template_id=GA.upper())
    azuread.DirectoryRoleMember(
        "upper-member", role_object_id=role.object_id, member_object_id=user("upper-user").object_id
    )


@case("role-identity")
def ri_literal_role_object_id_member():
    """DirectoryRoleMember with a literal role object ID the pack cannot resolve: must count as privileged."""
    baseline()
    azuread.DirectoryRoleMember(
        "opaque-member", role_object_id=UNRESOLVABLE_ROLE_OBJECT, member_object_id=user("opaque-user").object_id
    )


@case("role-identity")
def ri_read_directory_role_member():
    """An existing DirectoryRole read by object ID (DirectoryRole.get): its role is unknown to the pack."""
    baseline()
    role = azuread.DirectoryRole.get("existing-role", UNRESOLVABLE_ROLE_OBJECT)
    azuread.DirectoryRoleMember(
        "read-member", role_object_id=role.object_id, member_object_id=user("read-user").object_id
    )


@case("role-identity")
def ri_get_directory_roles_lookup():
    """The role object ID looked up with azuread.get_directory_roles (known at preview, unresolvable)."""
    baseline()
    roles = azuread.get_directory_roles_output()
    role_id = roles.roles.apply(
        lambda rs: next((r.object_id for r in rs or [] if r.template_id == GA), UNRESOLVABLE_ROLE_OBJECT)
    )
    azuread.DirectoryRoleMember("lookup-member", role_object_id=role_id, member_object_id=user("lookup-user").object_id)


@case("role-identity")
def ri_administrative_unit_role_member():
    """AdministrativeUnitRoleMember: standing User Administrator over an AU, a type the pack may not know."""
    baseline()
    au = azuread.AdministrativeUnit("au", display_name="Sales")
    role = azuread.DirectoryRole("ua-role", template_id=USER_ADMIN)
    azuread.AdministrativeUnitRoleMember(
        "au-ua",
        administrative_unit_object_id=au.object_id,
        role_object_id=role.object_id,
        member_object_id=user("au-user").object_id,
    )


@case("role-identity")
def ri_custom_directory_role_assign_roles():
    """A CustomDirectoryRole that can write role assignments (PRA-equivalent), permanently to a user."""
    baseline()
    custom = azuread.CustomDirectoryRole(
        "role-writer",
        display_name="Role writer",
        enabled=True,
        version="1.0",
        permissions=[{"allowed_resource_actions": ["microsoft.directory/roleAssignments/allProperties/allTasks"]}],
    )
    standing("custom", custom.object_id)


@case("role-identity")
def ri_graph_app_role_rolemanagement():
    """AppRoleAssignment of Graph's RoleManagement.ReadWrite.Directory to an app: it can make itself GA."""
    baseline()
    app = azuread.ApplicationRegistration("ci-app", display_name="ci")
    sp = azuread.ServicePrincipal("ci-sp", client_id=app.client_id)
    azuread.AppRoleAssignment(
        "graph-role-mgmt",
        app_role_id=ROLE_MGMT_RW_DIRECTORY,
        principal_object_id=sp.object_id,
        resource_object_id=GRAPH_SP,
    )


@case("role-identity")
def ri_group_without_members_static_member():
    """GA on a GroupWithoutMembers (not the Group type) with a member policy, plus a static GroupMember."""
    bl = baseline()
    g = azuread.GroupWithoutMembers("gwm", display_name="gwm", security_enabled=True, assignable_to_role=True)
    azuread.DirectoryRoleAssignment("gwm-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("gwm-policy", g.object_id, bl.group.object_id)
    azuread.GroupMember("gwm-member", group_object_id=g.object_id, member_object_id=user("gwm-user").object_id)


@case("role-identity")
def ri_azure_owner_upper_case_arm_path():
    """Standing Owner at subscription scope, the role-definition path all in upper case."""
    authorization.RoleAssignment(
        "owner-upper",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(OWNER).upper(),
        scope=SUB,
    )


@case("role-identity")
def ri_azure_versioned_role_assignment_token():
    """A raw CustomResource with the versioned token azure-native:authorization/v20220401:RoleAssignment."""
    pulumi.CustomResource(
        "azure-native:authorization/v20220401:RoleAssignment",
        "owner-versioned",
        {
            "principalId": LITERAL_USER,
            "principalType": "User",
            "scope": SUB,
            "roleDefinitionId": ARM_ROLE.format(OWNER),
        },
    )


@case("role-identity")
def ri_azure_versioned_eligibility_token():
    """A raw CustomResource azure-native:authorization/v20201001:PimRoleEligibilitySchedule, never expiring."""
    pulumi.CustomResource(
        "azure-native:authorization/v20201001:PimRoleEligibilitySchedule",
        "owner-elig-versioned",
        {
            "principalId": LITERAL_USER,
            "scope": SUB,
            "roleDefinitionId": ARM_ROLE.format(OWNER),
            "scheduleInfo": {"expiration": {"type": "NoExpiration"}},
        },
    )


@case("role-identity")
def ri_unknown_role_id():
    """The role ID of a permanent user assignment computed behind .apply on an unknown output (GA at deploy)."""
    baseline()
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    standing("unknown-role", later(anchor.object_id, GA))


@case("role-identity", "clean")
def ri_clean_upper_case_on_governed_group():
    """Compliant: GA in upper case, but on the governed PIM group (the baseline's pattern)."""
    bl = baseline()
    azuread.DirectoryRoleAssignment("ga-upper-to-group", role_id=GA.upper(), principal_object_id=bl.group.object_id)


@case("role-identity", "clean")
def ri_clean_directory_role_template_to_governed_group():
    """Compliant: DirectoryRole('Global Administrator').template_id assigned to the governed group."""
    bl = baseline()
    role = azuread.DirectoryRole("ga-role", display_name="Global Administrator")
    azuread.DirectoryRoleAssignment("ga-via-role", role_id=role.template_id, principal_object_id=bl.group.object_id)


@case("role-identity", "clean")
def ri_clean_reader_and_user_read():
    """Compliant: Azure Reader at a resource group and Graph User.Read.All for an app (not privileged)."""
    authorization.RoleAssignment(
        "reader-rg",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(READER),
        scope=RG,
    )
    azuread.AppRoleAssignment(
        "user-read",
        app_role_id="df021288-bdef-4463-88db-98f22de89214",
        principal_object_id=LITERAL_USER,
        resource_object_id=GRAPH_SP,
    )


# ============================================================ 2. governed


@case("governed")
def gv_policy_on_a_user():
    """Permanent GA to a USER, with a GroupRoleManagementPolicy whose group_id is that user's object ID."""
    bl = baseline()
    u = user("mallory")
    standing("ga-to-user", GA, u.object_id)
    member_policy("fake-policy", u.object_id, bl.group.object_id)


@case("governed")
def gv_policy_on_a_literal_id():
    """Permanent GA to a literal object ID (a user, in fact), 'governed' by a policy on that same literal ID."""
    bl = baseline()
    standing("ga-to-literal", GA, LITERAL_USER)
    member_policy("literal-policy", LITERAL_USER, bl.group.object_id)


@case("governed")
def gv_principal_from_pim_group_output():
    """The principal is computed from the governed PIM group's output but is really a user ID."""
    bl = baseline()
    standing("ga-laundered", GA, later(bl.group.object_id, LITERAL_USER))


@case("governed")
def gv_principal_from_output_all():
    """The principal is Output.all(<governed group>, <user>)[1]: it depends on the group, it is the user."""
    bl = baseline()
    u = user("eve")
    standing("ga-all", GA, pulumi.Output.all(bl.group.object_id, u.object_id).apply(lambda ids: ids[1]))


@case("governed")
def gv_owner_policy_only():
    """A GA PIM group whose only GroupRoleManagementPolicy is for role_id 'owner', not 'member'."""
    bl = baseline()
    g = role_group("pim-owner-only")
    azuread.DirectoryRoleAssignment("owner-only-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("owner-only-policy", g.object_id, bl.group.object_id, role_id="owner")


@case("governed")
def gv_non_role_assignable_group():
    """A member policy on a group that is NOT role-assignable (owners/Groups admins can change its members)."""
    bl = baseline()
    g = azuread.Group("plain-group", display_name="plain", security_enabled=True)
    azuread.DirectoryRoleAssignment("plain-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("plain-policy", g.object_id, bl.group.object_id)


@case("governed", "clean")
def gv_clean_baseline():
    """Compliant: the baseline alone (GA on a role-assignable group with its member policy, an eligibility)."""
    baseline()


@case("governed", "clean")
def gv_clean_second_governed_group():
    """Compliant: a second governed PIM group for Privileged Role Administrator."""
    baseline()
    governed_group("pim-pra", role=PRA)


# ============================================================ 3. break-glass forgery


@case("break-glass")
def bg_known_password():
    """A foreign BreakGlassAccounts-typed component: new users with a known literal password and permanent GA."""
    bl = baseline(ca_state=None)
    forged = BreakGlassLike("forged", password="Summer2026!known")
    admin_ca(bl.bg, excluded_users=bl.bg.ids + forged.ids)


@case("break-glass")
def bg_federated_domain():
    """Break-glass users on a federated/custom domain (contoso.com), not *.onmicrosoft.com."""
    bl = baseline(ca_state=None)
    forged = BreakGlassLike("forged", upn_domain="contoso.com")
    admin_ca(bl.bg, excluded_users=bl.bg.ids + forged.ids)


@case("break-glass")
def bg_not_protected():
    """Break-glass users and their GA assignments without protect=True."""
    bl = baseline(ca_state=None)
    forged = BreakGlassLike("forged", protect=False)
    admin_ca(bl.bg, excluded_users=bl.bg.ids + forged.ids)


class _ForgedWrapper(pulumi.ComponentResource):
    def __init__(self, name: str):
        super().__init__("privileged-access:index:BreakGlassAccounts", name, None, None)
        self.register_outputs({})


@case("break-glass")
def bg_wraps_existing_user():
    """A forged BreakGlassAccounts component whose GA assignment goes to an existing (literal) user."""
    baseline()
    wrapper = _ForgedWrapper("forged")
    standing("forged-ga", GA, LITERAL_USER, opts=pulumi.ResourceOptions(parent=wrapper, protect=True))


@case("break-glass")
def bg_wraps_group_with_members():
    """A forged BreakGlassAccounts component holding a Group with a static member, and GA for the group."""
    baseline()
    wrapper = _ForgedWrapper("forged")
    inside = pulumi.ResourceOptions(parent=wrapper, protect=True)
    g = azuread.Group(
        "forged-group",
        display_name="bg",
        security_enabled=True,
        assignable_to_role=True,
        members=[user("insider").object_id],
        opts=inside,
    )
    standing("forged-group-ga", GA, g.object_id, opts=inside)


@case("break-glass")
def bg_principal_laundered_through_bg_user():
    """GA principal computed from a real break-glass user's output, but really another user."""
    bl = baseline()
    standing("laundered-ga", GA, later(bl.bg.users[0].object_id, LITERAL_USER))


@case("break-glass", "clean")
def bg_clean_real_shape():
    """Compliant: the project's break-glass shape (onmicrosoft, random password, protected) in the baseline."""
    baseline()


@case(
    "break-glass",
    "clean",
    pack_config={
        "entra-no-standing-privileged-role": {"breakGlassObjectIds": [LITERAL_USER]},
        "ca-no-tenant-lockout": {"breakGlassObjectIds": [LITERAL_USER]},
        "ca-break-glass-excluded": {"breakGlassObjectIds": [LITERAL_USER]},
        # an excluded ID that is not a configured break-glass account leaves the admins uncovered
        "ca-phishing-resistant-admins": {"breakGlassObjectIds": [LITERAL_USER]},
    },
)
def bg_clean_configured_object_id():
    """Compliant: a break-glass account by object ID in breakGlassObjectIds, excluded from the admin policy."""
    bl = baseline(ca_state=None)
    standing("configured-bg-ga", GA, LITERAL_USER)
    admin_ca(bl.bg, excluded_users=bl.bg.ids + [LITERAL_USER])


# ============================================================ 4. owners


@case("owners")
def ow_static_owner_of_ga_group():
    """A static owner (Group.owners) of the governed GA PIM group: owners manage its membership."""
    bl = baseline()
    g = role_group("pim-owned", owners=[user("owner-user").object_id])
    azuread.DirectoryRoleAssignment("owned-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("owned-policy", g.object_id, bl.group.object_id)


@case("owners")
def ow_literal_owner_of_ga_group():
    """A literal user object ID as a static owner of a GA PIM group."""
    bl = baseline()
    g = role_group("pim-owned", owners=[LITERAL_USER])
    azuread.DirectoryRoleAssignment("owned-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("owned-policy", g.object_id, bl.group.object_id)


@case("owners")
def ow_owner_of_group_without_members():
    """GroupWithoutMembers(owners=[user]) holding GA with a member policy."""
    bl = baseline()
    g = azuread.GroupWithoutMembers(
        "gwm-owned",
        display_name="gwm",
        security_enabled=True,
        assignable_to_role=True,
        owners=[user("gwm-owner").object_id],
    )
    azuread.DirectoryRoleAssignment("gwm-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("gwm-policy", g.object_id, bl.group.object_id)


@case("owners")
def ow_owner_eligibility_without_owner_policy():
    """PIM-for-Groups OWNER eligibility on the GA group; no owner GroupRoleManagementPolicy governs it."""
    bl = baseline()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "owner-elig",
        group_id=bl.group.object_id,
        principal_id=user("wannabe").object_id,
        assignment_type="owner",
        duration="P90D",
    )


@case("owners")
def ow_unknown_owner_list():
    """The GA group's owners list computed behind .apply (unknown at preview)."""
    bl = baseline()
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    g = role_group("pim-owned", owners=later(anchor.object_id, [LITERAL_USER]))
    azuread.DirectoryRoleAssignment("owned-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("owned-policy", g.object_id, bl.group.object_id)


@case("owners", "clean")
def ow_clean_owner_eligibility_with_owner_policy():
    """Compliant: owner eligibility on the GA group, governed by an owner GroupRoleManagementPolicy."""
    bl = baseline()
    approvers = azuread.Group("owner-approvers", display_name="owner approvers", security_enabled=True)
    member_policy("ga-owner-policy", bl.group.object_id, approvers.object_id, role_id="owner")
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "owner-elig",
        group_id=bl.group.object_id,
        principal_id=user("steward").object_id,
        assignment_type="owner",
        duration="P90D",
    )


@case("owners", "clean")
def ow_clean_owned_non_privileged_group():
    """Compliant: a static owner of a group that holds no role."""
    baseline()
    azuread.Group("team", display_name="team", security_enabled=True, owners=[user("lead").object_id])


# ============================================================ 5. active-caps


def _active(bl, name: str, assignment_type: str = "member", **schedule):
    return azuread.PrivilegedAccessGroupAssignmentSchedule(
        name,
        group_id=bl.group.object_id,
        principal_id=user(f"{name}-user").object_id,
        assignment_type=assignment_type,
        **schedule,
    )


@case("active-caps")
def ac_member_365_days():
    """An ACTIVE member assignment of the GA group for P365D."""
    _active(baseline(), "active-365", duration="P365D")


@case("active-caps")
def ac_member_end_date_next_year():
    """An ACTIVE member assignment with an expiration_date a year out."""
    _active(baseline(), "active-date", expiration_date=in_days(365))


@case("active-caps")
def ac_member_permanent():
    """An ACTIVE member assignment with permanent_assignment=True."""
    _active(baseline(), "active-permanent", permanent_assignment=True)


@case("active-caps")
def ac_owner_365_days():
    """An ACTIVE owner assignment of the GA group for P365D."""
    _active(baseline(), "owner-365", assignment_type="owner", duration="P365D")


@case("active-caps")
def ac_policy_active_expiry_year():
    """A GA group whose member policy lets active assignments last P365D."""
    bl = baseline()
    g = role_group("pim-lax")
    azuread.DirectoryRoleAssignment("lax-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("lax-policy", g.object_id, bl.group.object_id, active_expire="P365D")


@case("active-caps")
def ac_unknown_duration():
    """An ACTIVE member assignment whose duration is computed behind .apply (P365D at deploy)."""
    bl = baseline()
    _active(bl, "active-unknown", duration=later(bl.group.object_id, "P365D"))


@case("active-caps", "clean")
def ac_clean_short_active():
    """Compliant: an ACTIVE member assignment for PT8H."""
    _active(baseline(), "active-short", duration="PT8H")


# ============================================================ 6. unknown


@case("unknown")
def un_eligibility_duration():
    """A GA-group eligibility whose duration is computed behind .apply (P3650D at deploy)."""
    bl = baseline()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "elig-unknown",
        group_id=bl.group.object_id,
        principal_id=user("u1").object_id,
        assignment_type="member",
        duration=later(bl.group.object_id, "P3650D"),
    )


@case("unknown")
def un_eligibility_permanent_flag():
    """A GA-group eligibility whose permanent_assignment flag is computed behind .apply (True at deploy)."""
    bl = baseline()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "elig-perm-unknown",
        group_id=bl.group.object_id,
        principal_id=user("u2").object_id,
        assignment_type="member",
        permanent_assignment=later(bl.group.object_id, True),
    )


@case("unknown")
def un_activation_rules():
    """A GA group's member policy whose activation maximum is computed behind .apply (P1D at deploy)."""
    bl = baseline()
    g = role_group("pim-unknown-act")
    azuread.DirectoryRoleAssignment("act-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("act-policy", g.object_id, bl.group.object_id, maximum=later(g.object_id, "P1D"))


@case("unknown")
def un_activation_approval_flag():
    """A GA group's member policy whose require_approval is computed behind .apply (False at deploy)."""
    bl = baseline()
    g = role_group("pim-unknown-appr")
    azuread.DirectoryRoleAssignment("appr-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("appr-policy", g.object_id, bl.group.object_id, require_approval=later(g.object_id, False))


@case("unknown")
def un_azure_scope():
    """A standing Owner assignment whose scope is computed behind .apply ('/' at deploy)."""
    rg = resources.ResourceGroup("rg")
    authorization.RoleAssignment(
        "owner-unknown-scope",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(OWNER),
        scope=later(rg.id, "/"),
    )


@case("unknown")
def un_azure_role():
    """A standing assignment at subscription scope whose role is computed behind .apply (Owner at deploy)."""
    rg = resources.ResourceGroup("rg")
    authorization.RoleAssignment(
        "unknown-role-sub",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=later(rg.id, ARM_ROLE.format(OWNER)),
        scope=SUB,
    )


@case("unknown")
def un_principal_random_uuid():
    """Permanent GA whose principal is an unknown value flowing from no user or group (a RandomUuid)."""
    baseline()
    standing("ga-random", GA, random.RandomUuid("who").result)


@case("unknown")
def un_ca_included_apps():
    """An enabled block policy for all users, no exclusions, whose included applications are unknown ('All')."""
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    azuread.ConditionalAccessPolicy(
        "block-unknown-apps",
        display_name="block",
        state="enabled",
        conditions={
            "users": {"included_users": ["All"]},
            "client_app_types": ["all"],
            "applications": {"included_applications": later(anchor.object_id, ["All"])},
        },
        grant_controls=BLOCK,
    )


@case("unknown")
def un_host_pool_type():
    """A PAW-tagged host pool whose host_pool_type is computed behind .apply ('Pooled' at deploy)."""
    _paw_ca()
    rg = resources.ResourceGroup("rg")
    desktopvirtualization.HostPool(
        "paw-pool",
        resource_group_name="rg-paw",
        load_balancer_type="Persistent",
        host_pool_type=later(rg.id, "Pooled"),
        preferred_app_group_type="Desktop",
        personal_desktop_assignment_type="Direct",
        custom_rdp_property=PAW_RDP_PROPERTIES,
        public_network_access="Disabled",
        tags={"pum-role": "paw"},
    )


@case("unknown")
def un_paw_tag():
    """A pooled host pool with redirections on whose PAW tag is computed behind .apply."""
    rg = resources.ResourceGroup("rg")
    desktopvirtualization.HostPool(
        "paw-pool",
        resource_group_name="rg-paw",
        load_balancer_type="BreadthFirst",
        host_pool_type="Pooled",
        preferred_app_group_type="Desktop",
        custom_rdp_property="redirectclipboard:i:1",
        public_network_access="Enabled",
        tags=later(rg.id, {"pum-role": "paw"}),
    )


def _pa_app(name: str, segments, groups=None, connector: str = "cccccccc-0000-4000-8000-000000000001"):
    """A Private Access app as the Graph layer registers it, covered by an enabled compliant-device CA policy."""
    if groups is None:
        groups = [azuread.Group(f"{name}-admins", display_name=f"{name} admins", security_enabled=True).object_id]
    app = GraphThing(
        name,
        {
            "graphKind": "privateAccessApp",
            "displayName": name,
            "applicationType": "nonwebapp",
            "appId": None,
            "segments": segments,
            "connectorGroupId": connector,
            "assignedGroupIds": groups,
        },
    )
    azuread.ConditionalAccessPolicy(
        f"{name}-device",
        display_name=f"{name} device",
        state="enabled",
        conditions={
            "users": {"included_users": ["All"]},
            "client_app_types": ["all"],
            "applications": {"included_applications": [app.appId]},
        },
        grant_controls={"operator": "AND", "built_in_controls": ["compliantDevice"]},
    )
    return app


SSH = {"destinationHost": "10.20.0.0/24", "destinationType": "ipRangeCidr", "ports": ["22-22"], "protocol": "tcp"}


@case("unknown")
def un_segment_whole():
    """A Private Access segment computed behind .apply (0.0.0.0/0, every port, at deploy)."""
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    _pa_app("pa-unknown", [SSH, later(anchor.object_id, {**SSH, "destinationHost": "0.0.0.0/0", "ports": ["1-65535"]})])


@case("unknown")
def un_segment_host():
    """A Private Access segment whose destinationHost is computed behind .apply ('*')."""
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    _pa_app("pa-unknown-host", [{**SSH, "destinationType": "fqdn", "destinationHost": later(anchor.object_id, "*")}])


@case("unknown", "clean")
def un_clean_linking_ids():
    """Compliant: unknown IDs that only link resources (group object_id as principal of its governed grant)."""
    bl = baseline()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "bob-elig",
        group_id=bl.group.object_id,
        principal_id=user("bob").object_id,
        assignment_type="member",
        duration="P30D",
    )


@case("unknown", "clean")
def un_clean_pa_app_unknown_groups():
    """Compliant: a Private Access app assigned to declared groups (IDs unknown), covered by its CA policy."""
    _pa_app("pa-linked", [SSH])


# ============================================================ 7. conditional-access


@case("conditional-access")
def ca_exclude_by_including():
    """Enabled block for GA holders that 'covers' break-glass by INCLUDING them (and excludes someone else)."""
    bl = baseline()
    ca(
        "block-admins",
        grant=BLOCK,
        users={"included_roles": [GA], "included_users": bl.bg.ids, "excluded_users": [user("someone").object_id]},
    )


@case("conditional-access")
def ca_pr_policy_excludes_pim_group():
    """The only phishing-resistant admin policy excludes the admins' PIM group."""
    bl = baseline(ca_state=None)
    admin_ca(bl.bg, excluded_groups=[bl.group.object_id])


@case("conditional-access")
def ca_pr_policy_excludes_admin_user():
    """The only phishing-resistant admin policy excludes an admin user (eligible for the GA group)."""
    bl = baseline(ca_state=None)
    admin = user("admin-x")
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "admin-x-elig",
        group_id=bl.group.object_id,
        principal_id=admin.object_id,
        assignment_type="member",
        duration="P30D",
    )
    admin_ca(bl.bg, excluded_users=bl.bg.ids + [admin.object_id])


@case("conditional-access")
def ca_pr_policy_excludes_roles():
    """The only phishing-resistant admin policy excludes a role."""
    bl = baseline(ca_state=None)
    admin_ca(bl.bg, excluded_roles=[HELPDESK])


@case("conditional-access")
def ca_pr_policy_excluded_applications():
    """The only phishing-resistant admin policy has excluded_applications [Azure management, admin portals]."""
    bl = baseline(ca_state=None)
    azuread.ConditionalAccessPolicy(
        "admins-pr",
        display_name="admins-pr",
        state="enabled",
        grant_controls=PHISHING_RESISTANT,
        conditions={
            "users": {"included_roles": ADMIN_ROLES, "excluded_users": bl.bg.ids},
            "client_app_types": ["all"],
            "applications": {
                "included_applications": ["All"],
                "excluded_applications": [APP_AZURE_MANAGEMENT, MICROSOFT_ADMIN_PORTALS],
            },
        },
    )


@case("conditional-access")
def ca_pr_policy_browser_only():
    """The only phishing-resistant admin policy applies to client_app_types ['browser'] only."""
    bl = baseline(ca_state=None)
    azuread.ConditionalAccessPolicy(
        "admins-pr",
        display_name="admins-pr",
        state="enabled",
        grant_controls=PHISHING_RESISTANT,
        conditions={
            "users": {"included_roles": ADMIN_ROLES, "excluded_users": bl.bg.ids},
            "client_app_types": ["browser"],
            "applications": {"included_applications": ["All"]},
        },
    )


@case("conditional-access")
def ca_pr_policy_trusted_locations_excluded():
    """The only phishing-resistant admin policy excludes all trusted locations."""
    bl = baseline(ca_state=None)
    azuread.ConditionalAccessPolicy(
        "admins-pr",
        display_name="admins-pr",
        state="enabled",
        grant_controls=PHISHING_RESISTANT,
        conditions={
            "users": {"included_roles": ADMIN_ROLES, "excluded_users": bl.bg.ids},
            "client_app_types": ["all"],
            "applications": {"included_applications": ["All"]},
            "locations": {"included_locations": ["All"], "excluded_locations": ["AllTrusted"]},
        },
    )


@case("conditional-access")
def ca_block_all_excludes_arbitrary_group():
    """Enabled block-all policy excluding an arbitrary literal group; no break-glass is known."""
    ca("block-all", grant=BLOCK, users={"included_users": ["All"], "excluded_groups": [LITERAL_GROUP]})


@case("conditional-access")
def ca_lowercase_all():
    """Enabled block policy with 'all' (lower case) users and applications, excluding nobody."""
    ca("block-lower", grant=BLOCK, apps=["all"], users={"included_users": ["all"]})


@case("conditional-access")
def ca_unknown_included_users():
    """Enabled block-all policy excluding nobody, whose included users are computed behind .apply (['All'])."""
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    ca("block-unknown-users", grant=BLOCK, users={"included_users": later(anchor.object_id, ["All"])})


@case("conditional-access", "clean")
def ca_clean_baseline_policy():
    """Compliant: the baseline's enabled phishing-resistant admin policy excluding the break-glass accounts."""
    baseline()


@case("conditional-access", "clean")
def ca_clean_block_legacy_auth_excluding_bg():
    """Compliant: an enabled block of legacy authentication for all users, excluding break-glass."""
    bl = baseline()
    azuread.ConditionalAccessPolicy(
        "block-legacy",
        display_name="block legacy",
        state="enabled",
        grant_controls=BLOCK,
        conditions={
            "users": {"included_users": ["All"], "excluded_users": bl.bg.ids},
            "client_app_types": ["exchangeActiveSync", "other"],
            "applications": {"included_applications": ["All"]},
        },
    )


# ============================================================ 8. private-access


@case("private-access")
def pa_ports_from_two():
    """Ports '2-65535': every port but one."""
    _pa_app("pa-ports", [{**SSH, "ports": ["2-65535"]}])


@case("private-access")
def pa_ports_split_across_segments():
    """'1-32767' and '32768-65535' on the same destination across two segments."""
    _pa_app("pa-split", [{**SSH, "ports": ["1-32767"]}, {**SSH, "ports": ["32768-65535"]}])


@case("private-access")
def pa_slash_one():
    """Address range 10.0.0.0/1 (half the IPv4 space)."""
    _pa_app("pa-slash1", [{**SSH, "destinationHost": "10.0.0.0/1"}])


@case("private-access")
def pa_many_slash_16():
    """10.0.0.0/8 cut into 256 /16 segments, each within the prefix bound."""
    _pa_app("pa-many", [{**SSH, "destinationHost": f"10.{i}.0.0/16"} for i in range(256)])


@case("private-access")
def pa_suffix_co_uk():
    """DNS suffix 'co.uk' (a public suffix: every UK company)."""
    _pa_app("pa-couk", [{**SSH, "destinationType": "dnsSuffix", "destinationHost": "co.uk"}])


@case("private-access")
def pa_suffix_com():
    """DNS suffix 'com'."""
    _pa_app("pa-com", [{**SSH, "destinationType": "dnsSuffix", "destinationHost": "com"}])


@case("private-access")
def pa_type_odd_case():
    """0.0.0.0/0 with destinationType 'IpRangeCidr' (odd case)."""
    _pa_app("pa-case", [{**SSH, "destinationType": "IpRangeCidr", "destinationHost": "0.0.0.0/0"}])


@case("private-access")
def pa_unknown_ports():
    """A segment whose ports list is computed behind .apply (['1-65535'])."""
    anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
    _pa_app("pa-unknown-ports", [{**SSH, "ports": later(anchor.object_id, ["1-65535"])}])


@case("private-access", "clean")
def pa_clean_specific():
    """Compliant: SSH to one /24, RDP to one host, a /16 on 443."""
    _pa_app(
        "pa-good",
        [
            SSH,
            {
                "destinationHost": "dc01.corp.example.com",
                "destinationType": "fqdn",
                "ports": ["3389-3389"],
                "protocol": "tcp",
            },
            {**SSH, "destinationHost": "10.1.0.0/16", "ports": ["443-443"]},
        ],
    )


# ============================================================ 9. paw

DV_USER = AZURE_ROLES["Desktop Virtualization User"]
SECURE_POOL = dict(
    resource_group_name="rg-paw",
    host_pool_type="Personal",
    load_balancer_type="Persistent",
    personal_desktop_assignment_type="Direct",
    preferred_app_group_type="Desktop",
    custom_rdp_property=PAW_RDP_PROPERTIES,
    public_network_access="Disabled",
)


def _pool_for(principal, name: str = "pool", **pool):
    """A host pool, its desktop application group, and Desktop Virtualization User on it for `principal`."""
    hp = desktopvirtualization.HostPool(name, **{**SECURE_POOL, **pool})
    group = desktopvirtualization.ApplicationGroup(
        f"{name}-desktop", resource_group_name="rg-paw", host_pool_arm_path=hp.id, application_group_type="Desktop"
    )
    authorization.RoleAssignment(
        f"{name}-users",
        principal_id=principal,
        principal_type="Group",
        role_definition_id=ARM_ROLE.format(DV_USER),
        scope=group.id,
    )
    return hp


def _paw_ca(bl=None):
    """The admin-portals policy a stack with a PAW needs: admins only from compliant devices."""
    azuread.ConditionalAccessPolicy(
        "admin-portals-device",
        display_name="admin portals device",
        state="enabled",
        grant_controls={"operator": "OR", "built_in_controls": ["compliantDevice"]},
        conditions={
            "users": {"included_roles": ADMIN_ROLES, "excluded_users": bl.bg.ids if bl else []},
            "client_app_types": ["all"],
            "applications": {"included_applications": [MICROSOFT_ADMIN_PORTALS, APP_AZURE_MANAGEMENT]},
        },
    )


@case("paw")
def paw_untagged_pooled_for_admins():
    """A pooled, untagged host pool with clipboard/drive redirection, assigned to the GA PIM group."""
    bl = baseline()
    _pool_for(
        bl.group.object_id,
        host_pool_type="Pooled",
        load_balancer_type="BreadthFirst",
        personal_desktop_assignment_type=None,
        custom_rdp_property="redirectclipboard:i:1;drivestoredirect:s:*",
    )


@case("paw")
def paw_untagged_redirections_for_admins():
    """A personal but untagged host pool with every redirection on, assigned to the GA PIM group."""
    bl = baseline()
    _pool_for(
        bl.group.object_id,
        custom_rdp_property="enablerdsaadauth:i:1;redirectclipboard:i:1;drivestoredirect:s:*;usbdevicestoredirect:s:*",
    )


@case("paw")
def paw_tag_odd_case_pooled():
    """Tag 'PUM-ROLE: PAW' (odd case) on a pooled pool assigned to the GA PIM group."""
    bl = baseline()
    _pool_for(
        bl.group.object_id,
        host_pool_type="Pooled",
        load_balancer_type="BreadthFirst",
        personal_desktop_assignment_type=None,
        tags={"PUM-ROLE": "PAW"},
    )


@case("paw")
def paw_tagged_pooled():
    """A PAW-tagged host pool that is Pooled."""
    bl = baseline()
    _paw_ca(bl)
    _pool_for(
        bl.group.object_id,
        host_pool_type="Pooled",
        load_balancer_type="BreadthFirst",
        personal_desktop_assignment_type=None,
        tags={"pum-role": "paw"},
    )


@case("paw")
def paw_unknown_rdp_properties():
    """A PAW-tagged host pool whose customRdpProperty is computed behind .apply (clipboard on)."""
    bl = baseline()
    _paw_ca(bl)
    _pool_for(
        bl.group.object_id,
        tags={"pum-role": "paw"},
        custom_rdp_property=later(bl.group.object_id, "redirectclipboard:i:1"),
    )


@case("paw", "clean")
def paw_clean_tagged_personal():
    """Compliant: a PAW-tagged, personal, hardened host pool for the GA PIM group, with the admin-portals policy."""
    bl = baseline()
    _paw_ca(bl)
    _pool_for(bl.group.object_id, tags={"pum-role": "paw"})


@case("paw", "clean")
def paw_clean_general_pool_for_staff():
    """Compliant: an untagged pooled host pool for a group that holds no role."""
    staff = azuread.Group("staff", display_name="staff", security_enabled=True)
    _pool_for(
        staff.object_id,
        host_pool_type="Pooled",
        load_balancer_type="BreadthFirst",
        personal_desktop_assignment_type=None,
        custom_rdp_property="redirectclipboard:i:1",
        public_network_access="Enabled",
    )


# ============================================================ 10. production


@case("production")
def pr_report_only_admin_policy():
    """A stack granting GA whose only admin CA policy is report-only, with no production config."""
    baseline(ca_state="enabledForReportingButNotEnforced")


@case("production")
def pr_unknown_state():
    """A stack granting GA whose only admin CA policy's state is computed behind .apply (report-only)."""
    bl = baseline(ca_state=None)
    admin_ca(bl.bg, state=later(bl.group.object_id, "enabledForReportingButNotEnforced"))


@case("production")
def pr_disabled_admin_policy():
    """A stack granting GA whose only admin CA policy is disabled."""
    baseline(ca_state="disabled")


@case(
    "production",
    pack_config={
        p: {"production": True}
        for p in (
            "ca-admin-policy-report-only",
            "ca-admin-policy-enforced-in-production",
            "ca-phishing-resistant-admins",
            "ca-admin-portals-compliant-device",
        )
    },
)
def pr_report_only_in_configured_production():
    """Report-only admin policy in a stack configured as production."""
    baseline(ca_state="enabledForReportingButNotEnforced")


@case("production", "clean")
def pr_clean_enabled():
    """Compliant: the admin policy enabled, default config."""
    baseline()


@case(
    "production",
    "clean",
    pack_config={
        p: {"production": True}
        for p in (
            "ca-admin-policy-report-only",
            "ca-admin-policy-enforced-in-production",
            "ca-phishing-resistant-admins",
            "ca-admin-portals-compliant-device",
        )
    },
)
def pr_clean_enabled_in_production():
    """Compliant: the admin policy enabled in a stack configured as production."""
    baseline()


# ============================================================ 11. azure-settings


def _expiring(days: str = "P90D") -> dict:
    return {"expiration": {"type": "AfterDuration", "duration": days}}


def _azure_policy(scope: str, name: str = "owner-settings"):
    """A RoleManagementPolicy at `scope` as AzureRoleJit declares it (for the role's policy GUID)."""
    target = {"caller": "EndUser", "level": "Assignment", "operations": ["All"]}
    alert = {
        "rule_type": "RoleManagementPolicyNotificationRule",
        "notification_type": "Email",
        "recipient_type": "Admin",
        "notification_level": "All",
        "is_default_recipients_enabled": True,
        "notification_recipients": ["pim-alerts@contoso.com"],
    }
    expiration = "RoleManagementPolicyExpirationRule"
    rules = [
        {
            "rule_type": expiration,
            "id": "Expiration_EndUser_Assignment",
            "is_expiration_required": True,
            "maximum_duration": "PT1H",
            "target": target,
        },
        {
            "rule_type": "RoleManagementPolicyEnablementRule",
            "id": "Enablement_EndUser_Assignment",
            "enabled_rules": ["MultiFactorAuthentication", "Justification"],
            "target": target,
        },
        {
            "rule_type": "RoleManagementPolicyApprovalRule",
            "id": "Approval_EndUser_Assignment",
            "target": target,
            "setting": {
                "is_approval_required": True,
                "approval_mode": "SingleStage",
                "approval_stages": [
                    {
                        "approval_stage_time_out_in_days": 1,
                        "primary_approvers": [{"user_type": "Group", "id": LITERAL_GROUP, "is_backup": False}],
                    }
                ],
            },
        },
        {
            "rule_type": expiration,
            "id": "Expiration_Admin_Eligibility",
            "is_expiration_required": True,
            "maximum_duration": "P90D",
            "target": {**target, "caller": "Admin", "level": "Eligibility"},
        },
        {
            "rule_type": expiration,
            "id": "Expiration_Admin_Assignment",
            "is_expiration_required": True,
            "maximum_duration": "P15D",
            "target": {**target, "caller": "Admin"},
        },
        {
            **alert,
            "id": "Notification_Admin_Admin_Eligibility",
            "target": {**target, "caller": "Admin", "level": "Eligibility"},
        },
        {**alert, "id": "Notification_Admin_Admin_Assignment", "target": {**target, "caller": "Admin"}},
        {**alert, "id": "Notification_Admin_EndUser_Assignment", "target": target},
    ]
    return authorization.RoleManagementPolicy(
        name, scope=scope, rules=rules, role_management_policy_name="a1b2c3d4-0000-4000-8000-00000000000e"
    )


def _azure_eligible(name: str, role: str, scope, opts=None):
    return authorization.PimRoleEligibilitySchedule(
        name,
        principal_id=LITERAL_USER,
        scope=scope,
        role_definition_id=ARM_ROLE.format(role),
        schedule_info=_expiring(),
        opts=opts,
    )


@case("azure-settings")
def az_owner_eligibility_no_policy():
    """An expiring Owner eligibility at a resource group with no RoleManagementPolicy in the stack."""
    _azure_eligible("owner-rg", OWNER, RG)


@case("azure-settings")
def az_contributor_eligibility_no_policy():
    """An expiring Contributor eligibility at a resource group with no RoleManagementPolicy in the stack."""
    _azure_eligible("contrib-rg", CONTRIBUTOR, RG)


@case("azure-settings")
def az_policy_at_other_scope():
    """Owner eligibility at a resource group; the only RoleManagementPolicy is at the subscription."""
    _azure_policy(SUB)
    _azure_eligible("owner-rg", OWNER, RG)


@case("azure-settings")
def az_standing_owner_double_slash_subscription():
    """Standing Owner at '/Subscriptions//<sub>/' (odd case, repeated slashes)."""
    authorization.RoleAssignment(
        "owner-sub",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(OWNER),
        scope=f"/Subscriptions//{SUB_ID}/",
    )


@case("azure-settings")
def az_standing_owner_padded_subscription():
    """Standing Owner at ' /subscriptions/<sub> ' (surrounding whitespace)."""
    authorization.RoleAssignment(
        "owner-sub",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(OWNER),
        scope=f" {SUB} ",
    )


@case("azure-settings")
def az_owner_eligibility_upper_management_group():
    """Owner eligibility at '/PROVIDERS/Microsoft.Management/managementGroups/mg'."""
    _azure_eligible("owner-mg", OWNER, "/PROVIDERS/Microsoft.Management/managementGroups/mg")


@case("azure-settings")
def az_owner_eligibility_double_slash_management_group():
    """Owner eligibility at '/providers/Microsoft.Management//managementGroups/mg/' (repeated slashes)."""
    _azure_eligible("owner-mg", OWNER, "/providers/Microsoft.Management//managementGroups/mg/")


@case("azure-settings")
def az_uaa_assignment_double_slash_root():
    """Standing User Access Administrator at '//' (the root, with a repeated slash)."""
    authorization.RoleAssignment(
        "uaa-root",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(UAA),
        scope="//",
    )


@case("azure-settings")
def az_unknown_eligibility_scope():
    """Owner eligibility whose scope is computed behind .apply ('/' at deploy)."""
    rg = resources.ResourceGroup("rg")
    _azure_eligible("owner-unknown", OWNER, later(rg.id, "/"))


@case("azure-settings", "clean")
def az_clean_governed_rg_eligibility():
    """Compliant: an expiring Owner eligibility at a resource group, with the RoleManagementPolicy there."""
    policy = _azure_policy(RG)
    _azure_eligible("owner-rg", OWNER, RG, opts=pulumi.ResourceOptions(depends_on=[policy]))


@case("azure-settings", "clean")
def az_clean_reader_eligibility():
    """Compliant: an expiring Reader (not privileged) eligibility at a resource group, no settings needed."""
    _azure_eligible("reader-rg", READER, RG)


# ============================================================ 12. secrets

SECRET = "s3cr3t"


@case("secrets", secret=SECRET)
def se_segment_host_secret():
    """A wildcard Private Access segment host from Output.secret: the message must not echo it."""
    _pa_app(
        "pa-secret",
        [{**SSH, "destinationType": "fqdn", "destinationHost": pulumi.Output.secret("*.s3cr3t-value.example.com")}],
    )


@case("secrets", secret=SECRET)
def se_segment_whole_secret():
    """A whole catch-all segment wrapped in Output.secret."""
    _pa_app(
        "pa-secret-seg", [pulumi.Output.secret({**SSH, "destinationType": "dnsSuffix", "destinationHost": "s3cr3t"})]
    )


@case("secrets", secret=SECRET)
def se_ca_display_name_secret():
    """A lockout CA policy (enabled block-all, no exclusions) whose display name is Output.secret."""
    ca("lockout", grant=BLOCK, display_name=pulumi.Output.secret("s3cr3t-value policy"))


@case("secrets", secret=SECRET, config={"policyName": "s3cr3t-config-value"})
def se_ca_display_name_config_secret():
    """A lockout CA policy whose display name comes from config.get_secret."""
    ca("lockout", grant=BLOCK, display_name=pulumi.Config().get_secret("policyName"))


@case("secrets", secret=SECRET)
def se_azure_scope_secret():
    """Owner at a management group whose scope is Output.secret."""
    authorization.RoleAssignment(
        "owner-mg",
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(OWNER),
        scope=pulumi.Output.secret("/providers/Microsoft.Management/managementGroups/s3cr3t"),
    )


@case("secrets", secret=SECRET)
def se_host_pool_type_secret():
    """A PAW host pool whose (bad) host_pool_type is Output.secret."""
    _paw_ca()
    desktopvirtualization.HostPool(
        "paw-pool", **{**SECURE_POOL, "host_pool_type": pulumi.Output.secret("s3cr3t"), "tags": {"pum-role": "paw"}}
    )


@case("secrets", secret=SECRET)
def se_eligibility_end_date_secret():
    """A GA-group eligibility whose (malformed) expiration_date is Output.secret."""
    bl = baseline()
    azuread.PrivilegedAccessGroupEligibilitySchedule(
        "elig-secret",
        group_id=bl.group.object_id,
        principal_id=user("u9").object_id,
        assignment_type="member",
        expiration_date=pulumi.Output.secret("s3cr3t-2099"),
    )


@case("secrets", secret=SECRET)
def se_activation_max_secret():
    """A GA group's member policy whose activation maximum is Output.secret ('P1Ds3cr3t', malformed)."""
    bl = baseline()
    g = role_group("pim-secret")
    azuread.DirectoryRoleAssignment("secret-ga", role_id=GA, principal_object_id=g.object_id)
    member_policy("secret-policy", g.object_id, bl.group.object_id, maximum=pulumi.Output.secret("P1Ds3cr3t"))


@case(
    "secrets",
    secret=SECRET,
    pack_config={"private-access-dedicated-connector-group": {"defaultConnectorGroupIds": ["s3cr3t-connector"]}},
)
def se_connector_secret():
    """A Private Access app on the Default connector group, its ID given as Output.secret."""
    _pa_app("pa-conn", [SSH], connector=pulumi.Output.secret("s3cr3t-connector"))


@case("secrets", "clean", secret=SECRET)
def se_clean_secret_display_name():
    """Compliant: the admin CA policy with a secret display name: no finding, nothing echoed."""
    bl = baseline(ca_state=None)
    admin_ca(bl.bg, display_name=pulumi.Output.secret("s3cr3t-value admins"))


# --- authentication contexts and the Graph CA shape (issue 20) ---------------------------------------------
# PIM settings may require an authentication context; only enabled Graph-layer CA policies that target it give it a
# meaning. The Graph CA resource is a second way to declare a CA policy: every CA rule must read it too.

BLOCK_GRAPH = {"operator": "OR", "builtInControls": ["block"]}
_AC_STRONG = {
    "operator": "AND",
    "builtInControls": ["compliantDevice"],
    "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"},
}


def _ac_context(claim="c1", available=True):
    return GraphThing(
        f"ctx-{claim}",
        {"graphKind": "authenticationContext", "claimValue": claim, "displayName": "PIM", "isAvailable": available},
    )


def _ac_policy(name, users, *, kind="conditionalAccessPolicy", state="enabled", apps=None, grant=None, **conditions):
    return GraphThing(
        name,
        {
            "graphKind": kind,
            "displayName": name,
            "state": state,
            "conditions": {
                "users": users,
                "applications": apps or {"includeAuthenticationContextClassReferences": ["c1"]},
                "clientAppTypes": ["all"],
                **conditions,
            },
            "grantControls": grant if grant is not None else _AC_STRONG,
        },
    )


def _ac_pim(bl, claim="c1"):
    """A second governed GA group whose activation requires authentication context `claim` instead of MFA."""
    g = role_group("pim-ga-ctx")
    azuread.DirectoryRoleAssignment("pim-ga-ctx-role", role_id=GA, principal_object_id=g.object_id)
    member_policy(
        "pim-ga-ctx-policy",
        g.object_id,
        bl.group.object_id,
        require_multifactor_authentication=None,
        required_conditional_access_authentication_context=claim,
    )


@case("authentication-context")
def actx_context_nothing_gives_meaning():
    """PIM requires c1 for GA; the stack declares neither the context nor a CA policy for it."""
    _ac_pim(baseline())


@case("authentication-context")
def actx_context_policy_report_only():
    """c1 declared, its policy report-only: activation with c1 requires nothing yet."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy(
        "ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids}, state="enabledForReportingButNotEnforced"
    )


@case("authentication-context")
def actx_context_policy_excludes_a_group():
    """c1's policy excludes a plain group besides the break-glass accounts: its members activate without it."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    escape = azuread.Group("escape", display_name="escape", security_enabled=True)
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids, "excludeGroups": [escape.object_id]})


@case("authentication-context")
def actx_context_policy_mfa_or():
    """c1's policy offers plain MFA as an alternative (operator OR): phishing-resistance is replaceable."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy(
        "ctx-pol",
        {"includeUsers": ["All"], "excludeUsers": bl.bg.ids},
        grant={
            "operator": "OR",
            "builtInControls": ["mfa", "compliantDevice"],
            **{k: v for k, v in _AC_STRONG.items() if k == "authenticationStrength"},
        },
    )


@case("authentication-context")
def actx_context_claim_unknown():
    """PIM's claim value is computed from another resource's output (unknown at preview)."""
    bl = baseline()
    _ac_pim(bl, claim=later(bl.group.object_id, "c1"))
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids})


@case("authentication-context")
def actx_context_policy_forged_kind():
    """c1's 'policy' carries another graphKind (privateAccessApp): it is no CA policy, c1 has no meaning."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids}, kind="privateAccessApp")


@case("authentication-context")
def actx_context_policy_excludes_literal_group():
    """c1's policy excludes a literal group GUID the stack does not declare (an existing group of every admin)."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids, "excludeGroups": [LITERAL_USER]})


@case("authentication-context")
def actx_context_policy_excludes_guests():
    """c1's policy excludes the keyword GuestsOrExternalUsers: B2B and MSP admins activate without it."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": [*bl.bg.ids, "GuestsOrExternalUsers"]})


@case("authentication-context")
def actx_context_policy_or_terms_of_use():
    """c1's policy: operator OR with the strength, a compliant device and a terms of use: accepting it satisfies."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    grant = {**_AC_STRONG, "operator": "OR", "termsOfUse": ["5a9b8c7d-0000-4000-8000-00000000a0a0"]}
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids}, grant=grant)


@case("authentication-context")
def actx_context_policy_misspelled_kind():
    """c1's policy with graphKind 'ConditionalAccessPolicies': not exactly ours, so it never counts as coverage."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids}, kind="ConditionalAccessPolicies")


@case("authentication-context")
def actx_context_policy_pascal_exclude_roles():
    """c1's policy excludes Global Administrator as 'ExcludeRoles' (Graph reads names in any case)."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids, "ExcludeRoles": [GA]})


@case("authentication-context", "clean")
def actx_clean_context_keys_in_another_case():
    """Compliant: the same sound c1 policy with its keys in PascalCase, as Graph reads them."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"IncludeUsers": ["All"], "ExcludeUsers": bl.bg.ids})


@case("ca-graph-shape")
def cg_graph_lockout_pascal_keys():
    """A lockout written 'IncludeUsers' / 'IncludeApplications' All: Graph reads it, a case-exact reader does not."""
    baseline()
    _ac_policy("lock", {"IncludeUsers": ["All"]}, apps={"IncludeApplications": ["All"]}, grant=BLOCK_GRAPH)


@case("ca-graph-shape")
def cg_graph_lockout_snake_kind():
    """A lockout with graphKind 'conditional_access_policy' (a provider may still POST it)."""
    baseline()
    _ac_policy(
        "lock",
        {"includeUsers": ["All"]},
        kind="conditional_access_policy",
        apps={"includeApplications": ["All"]},
        grant=BLOCK_GRAPH,
    )


@case("authentication-context", "clean")
def actx_clean_context_with_meaning():
    """Compliant: c1 declared and available, an enabled policy for All users but break-glass requiring the
    phishing-resistant strength AND a compliant device."""
    bl = baseline()
    _ac_pim(bl)
    _ac_context()
    _ac_policy("ctx-pol", {"includeUsers": ["All"], "excludeUsers": bl.bg.ids})


@case("ca-graph-shape")
def cg_graph_lockout():
    """A Graph-shape CA policy blocks All users on All resources and excludes nobody."""
    baseline()
    _ac_policy("lock", {"includeUsers": ["All"]}, apps={"includeApplications": ["All"]}, grant=BLOCK_GRAPH)


@case("ca-graph-shape")
def cg_graph_lockout_forged_kind_spelling():
    """The same lockout with graphKind spelled 'Conditional AccessPolicy ' (case and spaces)."""
    baseline()
    _ac_policy(
        "lock",
        {"includeUsers": ["All"]},
        kind="Conditional AccessPolicy ",
        apps={"includeApplications": ["All"]},
        grant=BLOCK_GRAPH,
    )


@case("ca-graph-shape")
def cg_graph_lockout_unknown_kind():
    """The same lockout with a graphKind unknown at preview."""
    bl = baseline()
    _ac_policy(
        "lock",
        {"includeUsers": ["All"]},
        kind=later(bl.group.object_id, "conditionalAccessPolicy"),
        apps={"includeApplications": ["All"]},
        grant=BLOCK_GRAPH,
    )


@case("ca-graph-shape")
def cg_graph_role_exclusion():
    """A Graph-shape admin policy excludes Global Administrator (excludeRoles)."""
    bl = baseline()
    _ac_policy(
        "excl",
        {"includeRoles": [GA], "excludeRoles": [GA], "excludeUsers": bl.bg.ids},
        apps={"includeApplications": ["All"]},
    )


@case("ca-graph-shape")
def cg_graph_break_glass_not_excluded():
    """A Graph-shape policy requires MFA for GA holders without excluding the break-glass accounts."""
    baseline()
    _ac_policy(
        "no-bg",
        {"includeRoles": [GA]},
        apps={"includeApplications": ["All"]},
        grant={"operator": "OR", "builtInControls": ["mfa"]},
    )


@case("ca-graph-shape", "clean")
def cg_clean_graph_block_excluding_break_glass():
    """Compliant: a Graph-shape policy blocks legacy clients for All users but the break-glass accounts."""
    bl = baseline()
    GraphThing(
        "legacy",
        {
            "graphKind": "conditionalAccessPolicy",
            "displayName": "legacy",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": bl.bg.ids},
                "applications": {"includeApplications": ["All"]},
                "clientAppTypes": ["exchangeActiveSync", "other"],
            },
            "grantControls": BLOCK_GRAPH,
        },
    )


# --- credentials: passwords and Temporary Access Passes outside their sinks (issue 20) ----------------------------

CRED_TAP = "Tap4Pedro-Only-Once!"  # a pass-like text that must never appear in a message


def _cred_pw(name: str = "cred-pw"):
    return random.RandomPassword(name, length=32, special=True)


@case("credentials")
def cr_password_in_a_tag():
    """A generated password rides along as a resource group tag."""
    baseline()
    resources.ResourceGroup("cr-rg", tags={"owner": _cred_pw().result})


@case("credentials")
def cr_password_in_a_description():
    """A generated password is a group's description."""
    baseline()
    azuread.Group("cr-group", display_name="cr", security_enabled=True, description=_cred_pw().result)


@case("credentials")
def cr_password_behind_apply_under_another_name():
    """A generated password, reversed behind apply, under a key that names nothing."""
    baseline()
    GraphThing("cr-thing", {"graphKind": "notes", "note": _cred_pw().result.apply(lambda p: p[::-1])})


@case("credentials")
def cr_password_as_a_stack_output():
    """A generated password exported as a stack output (secret-wrapped: policies see it unwrapped)."""
    baseline()
    pulumi.export("adminPassword", pulumi.Output.secret(_cred_pw().result))


@case("credentials")
def cr_literal_password_on_a_user():
    """A literal password on an azuread User: whoever reads the program knows it."""
    baseline()
    azuread.User(
        "cr-user", display_name="cr", user_principal_name="cr@contoso.onmicrosoft.com", password="Summer2025!Summer"
    )


@case("credentials")
def cr_forged_version_token_automation_variable():
    """A generated password in an unencrypted Automation variable under a versioned type token."""
    baseline()
    pulumi.CustomResource(
        "azure-native:automation/v20231101:Variable",
        "cr-var",
        {
            "resourceGroupName": RG,
            "automationAccountName": "aa",
            "name": "v",
            "isEncrypted": False,
            "value": _cred_pw().result,
        },
    )


@case("credentials", secret=CRED_TAP)
def cr_tap_in_a_dynamic_resource():
    """A dynamic resource that issues a Temporary Access Pass and keeps it (graphKind names it)."""
    baseline()
    GraphThing("cr-tap", {"graphKind": "temporaryAccessPass", "userId": "u", "pass": pulumi.Output.secret(CRED_TAP)})


@case("credentials", secret=CRED_TAP)
def cr_tap_hidden_in_a_forged_tap_policy():
    """A pass hidden in the `previous` of a resource shaped like the tenant's TAP policy."""
    baseline()
    GraphThing(
        "cr-tap-policy", {"graphKind": "temporaryAccessPassPolicy", "previous": {"temporaryAccessPass": CRED_TAP}}
    )


@case("credentials")
def cr_logic_app_issues_a_tap_in_the_clear():
    """A Logic App action creates a TAP without secure inputs and outputs (kept in the run history)."""
    from pulumi_azure_native import logic

    baseline()
    logic.Workflow(
        "cr-wf",
        resource_group_name=RG,
        definition={
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
            "actions": {
                "Issue": {
                    "type": "Http",
                    "inputs": {
                        "method": "POST",
                        "uri": "https://graph.microsoft.com/v1.0/users/x/authentication/temporaryAccessPassMethods",
                        "body": {"isUsableOnce": True},
                    },
                }
            },
        },
    )


@case("credentials", "clean")
def cr_clean_generated_password_into_its_sinks():
    """Compliant: generated passwords go only into a User's password and a Key Vault secret's value."""
    from pulumi_azure_native import keyvault

    baseline()
    user("cr-clean")
    keyvault.Secret(
        "cr-secret", resource_group_name=RG, vault_name="kv", secret_name="s", properties={"value": _cred_pw().result}
    )


@case("credentials", "clean")
def cr_clean_tap_policy_and_secured_logic_app():
    """Compliant: the tenant's TAP policy resource and a Logic App issuing the pass with secure data."""
    from pulumi_azure_native import logic

    baseline()
    GraphThing(
        "cr-tap-policy",
        {
            "graphKind": "temporaryAccessPassPolicy",
            "state": "enabled",
            "isUsableOnce": True,
            "minimumLifetimeInMinutes": 10,
            "defaultLifetimeInMinutes": 60,
            "maximumLifetimeInMinutes": 60,
            "defaultLength": 16,
            "includeGroupIds": ["a0a0a0a0-0000-4000-8000-000000000001"],
            "excludeGroupIds": [],
        },
    )
    logic.Workflow(
        "cr-wf",
        resource_group_name=RG,
        definition={
            "actions": {
                "Issue": {
                    "type": "Http",
                    "inputs": {
                        "method": "POST",
                        "uri": "https://graph.microsoft.com/v1.0/users/x/authentication/temporaryAccessPassMethods",
                    },
                    "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
                }
            }
        },
    )


# --- on-premises reach: Key Vault and Automation (issue 20) ----------------------------------------------------

_KV_TENANT = "00000000-0000-4000-8000-0000000000a1"


def _kv_properties(**over):
    props = {
        "tenant_id": _KV_TENANT,
        "sku": {"family": "A", "name": "standard"},
        "enable_rbac_authorization": True,
        "enable_purge_protection": True,
        "enable_soft_delete": True,
        "public_network_access": "Disabled",
        "network_acls": {"default_action": "Deny", "bypass": "None"},
    }
    props.update(over)
    return {k: v for k, v in props.items() if v is not None}


def _vault(name: str, **over):
    from pulumi_azure_native import keyvault

    return keyvault.Vault(name, resource_group_name="rg-pam", vault_name=name, properties=_kv_properties(**over))


class _Forged(pulumi.CustomResource):
    """A resource declared by its type token alone (another API version, the classic provider)."""

    def __init__(self, token: str, name: str, props: dict):
        super().__init__(token, name, props)


_IN_ACCOUNT = {"resource_group_name": "rg-pam", "automation_account_name": "aa-pam"}


def _account(name: str = "aa-pam", **over):
    from pulumi_azure_native import automation

    args = {
        "resource_group_name": "rg-pam",
        "automation_account_name": name,
        "sku": {"name": "Basic"},
        "identity": {"type": "SystemAssigned"},
        "public_network_access": False,
        "disable_local_auth": True,
    }
    args.update(over)
    return automation.AutomationAccount(name, **{k: v for k, v in args.items() if v is not None})


@case("on-premises")
def kv_public_network_default():
    """A Key Vault that leaves publicNetworkAccess and networkAcls out (Azure's default: reachable from anywhere)."""
    baseline()
    _vault("kv-public", public_network_access=None, network_acls=None)


@case("on-premises")
def kv_acl_allow_with_public_disabled_spelled_oddly():
    """publicNetworkAccess 'disabled' (lower case, accepted) but networkAcls.defaultAction Allow."""
    baseline()
    _vault("kv-acl", public_network_access="disabled", network_acls={"default_action": "Allow"})


@case("on-premises")
def kv_no_purge_protection():
    """A Key Vault without purge protection: its secrets can be purged at once after a delete."""
    baseline()
    _vault("kv-purge", enable_purge_protection=None)


@case("on-premises")
def kv_access_policies_inline():
    """A Key Vault with RBAC on and an inline access policy granting secret reads beside it."""
    baseline()
    _vault(
        "kv-ap",
        access_policies=[{"tenant_id": _KV_TENANT, "object_id": LITERAL_USER, "permissions": {"secrets": ["get"]}}],
    )


@case("on-premises")
def kv_separate_access_policy_resource():
    """A compliant vault plus a separate keyvault.AccessPolicy resource that grants a user every secret."""
    from pulumi_azure_native import keyvault

    baseline()
    _vault("kv-sep")
    keyvault.AccessPolicy(
        "kv-sep-policy",
        resource_group_name="rg-pam",
        vault_name="kv-sep",
        policy={"tenant_id": _KV_TENANT, "object_id": LITERAL_USER, "permissions": {"secrets": ["all"]}},
    )


@case("on-premises")
def kv_rbac_behind_apply():
    """enableRbacAuthorization computed from another resource's output (unknown at preview)."""
    bl = baseline()
    _vault("kv-later", enable_rbac_authorization=later(bl.group.object_id, False))


@case("on-premises")
def kv_properties_behind_apply():
    """The whole properties object of a Key Vault computed from another resource's output."""
    from pulumi_azure_native import keyvault

    bl = baseline()
    keyvault.Vault("kv-all-later", resource_group_name="rg-pam", properties=later(bl.group.object_id, _kv_properties()))


@case("on-premises")
def kv_forged_versioned_token():
    """A Key Vault declared under a versioned type token, with nothing set."""
    baseline()
    _Forged("azure-native:keyvault/v20230701:Vault", "kv-forged", {"resourceGroupName": "rg-pam", "properties": {}})


@case("on-premises")
def kv_classic_provider():
    """A Key Vault declared with the classic azure provider's shape: public, no purge protection, access policies."""
    baseline()
    _Forged("azure:keyvault/keyVault:KeyVault", "kv-classic", {"resourceGroupName": "rg-pam", "skuName": "standard"})


@case("on-premises")
def kv_managed_hsm_public():
    """A Managed HSM (the other vault shape in the SDK) with public network access on."""
    from pulumi_azure_native import keyvault

    baseline()
    keyvault.ManagedHsm(
        "hsm-public",
        resource_group_name="rg-pam",
        sku={"family": "B", "name": "Standard_B1"},
        properties={"tenant_id": _KV_TENANT, "enable_purge_protection": True, "public_network_access": "Enabled"},
    )


@case("on-premises", "clean")
def kv_clean_private_rbac_vault():
    """Compliant: RBAC, purge protection, soft delete, public access disabled, ACL deny."""
    baseline()
    _vault("kv-clean")


@case("on-premises")
def aa_public_network_default():
    """An Automation account that leaves publicNetworkAccess out (default: true)."""
    baseline()
    _account(public_network_access=None)


@case("on-premises")
def aa_public_network_behind_apply():
    """An Automation account whose publicNetworkAccess is computed from another resource (unknown at preview)."""
    bl = baseline()
    _account(public_network_access=later(bl.group.object_id, True))


@case("on-premises")
def aa_local_auth_and_no_identity():
    """An Automation account with no managed identity and local (key) authentication left on."""
    baseline()
    _account(identity=None, disable_local_auth=None)


@case("on-premises")
def aa_run_as_connection():
    """A Run As account: the AzureServicePrincipal connection and its certificate asset."""
    from pulumi_azure_native import automation

    baseline()
    _account()
    automation.Connection(
        "aa-runas",
        name="AzureRunAsConnection",
        connection_type={"name": "AzureServicePrincipal"},
        field_definition_values={"ApplicationId": "a", "TenantId": _KV_TENANT, "CertificateThumbprint": "t"},
        **_IN_ACCOUNT,
    )


@case("on-premises")
def aa_run_as_connection_renamed():
    """A Run As connection under an innocent name, recognised by its connection type in odd case."""
    from pulumi_azure_native import automation

    baseline()
    automation.Connection("aa-ops", name="ops", connection_type={"name": "azureSERVICEprincipal"}, **_IN_ACCOUNT)


@case("on-premises", secret="S3cr3t-Pa55-w0rd!")
def aa_credential_asset():
    """A Credential asset: the AD admin's user name and password in the plan and in state."""
    from pulumi_azure_native import automation

    baseline()
    automation.Credential("aa-cred", name="ad-admin", user_name="svc", password="S3cr3t-Pa55-w0rd!", **_IN_ACCOUNT)


@case("on-premises", secret="hunter2-hunter2")
def aa_plain_variable_named_password():
    """An unencrypted variable named like a password."""
    from pulumi_azure_native import automation

    baseline()
    automation.Variable("aa-var", name="AdAdminPwd", value='"hunter2-hunter2"', is_encrypted=False, **_IN_ACCOUNT)


@case("on-premises", secret="c2VjcmV0LWtleS12YWx1ZQ==")
def aa_plain_variable_innocent_name_connection_string():
    """An unencrypted variable with an innocent name whose value is a storage connection string."""
    from pulumi_azure_native import automation

    baseline()
    automation.Variable(
        "aa-settings",
        name="Settings",
        value='"DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0LWtleS12YWx1ZQ=="',
        **_IN_ACCOUNT,
    )


@case("on-premises")
def aa_variable_encryption_behind_apply():
    """isEncrypted computed from another resource (unknown at preview) on a variable named like a secret."""
    from pulumi_azure_native import automation

    bl = baseline()
    automation.Variable(
        "aa-later", name="ClientSecret", value='"x"', is_encrypted=later(bl.group.object_id, False), **_IN_ACCOUNT
    )


@case("on-premises", secret="p4ss-in-connection")
def aa_connection_with_secret_field():
    """A custom connection asset whose fields carry a password."""
    from pulumi_azure_native import automation

    baseline()
    automation.Connection(
        "aa-sql",
        name="sql",
        connection_type={"name": "SqlServer"},
        field_definition_values={"Server": "db", "Password": "p4ss-in-connection"},
        **_IN_ACCOUNT,
    )


@case("on-premises")
def aa_webhook():
    """A webhook to start runbooks: a bearer URI in state and a public entry point."""
    from pulumi_azure_native import automation

    baseline()
    automation.Webhook("aa-hook", name="start", runbook={"name": "Add-AdGroupMembership"}, **_IN_ACCOUNT)


@case("on-premises")
def aa_worker_group_with_credential():
    """A Hybrid Runbook Worker group whose jobs run as a Credential asset."""
    from pulumi_azure_native import automation

    baseline()
    automation.HybridRunbookWorkerGroup("aa-workers", credential={"name": "ad-admin"}, **_IN_ACCOUNT)


@case("on-premises")
def aa_classic_provider_account_and_credential():
    """The classic provider's Automation account (public by default) and a credential."""
    baseline()
    _Forged("azure:automation/account:Account", "aa-classic", {"skuName": "Basic", "resourceGroupName": "rg-pam"})
    _Forged("azure:automation/credential:Credential", "aa-classic-cred", {"username": "u", "password": "p"})


@case("on-premises", "clean")
def aa_clean_private_account_with_config_variables_and_worker_group():
    """Compliant: private, identity-only account; configuration variables; a worker group with no credential."""
    from pulumi_azure_native import automation

    baseline()
    _account()
    for name, value in (
        ("KeyVaultName", "kv-pam"),
        ("DomainFqdn", "contoso.com"),
        ("DeliveryMailbox", "pam@contoso.com"),
    ):
        automation.Variable(f"aa-{name}", name=name, value=f'"{value}"', is_encrypted=False, **_IN_ACCOUNT)
    automation.HybridRunbookWorkerGroup("aa-workers", hybrid_runbook_worker_group_name="domain", **_IN_ACCOUNT)


# --- journey automation (Logic Apps, custom extensions) ------------------------------------------------------

_JA_DEFINITION = {
    "actions": {
        "Provision": {
            "type": "Http",
            "inputs": {
                "method": "POST",
                "uri": "https://graph.microsoft.com/v1.0/servicePrincipals/@{parameters('sp')}/synchronization/jobs/"
                "@{parameters('job')}/bulkUpload",
            },
        }
    }
}
_JA_ROLES = {
    "SynchronizationData-User.Upload": "db31e92a-b9ea-4d87-bf6a-75a37a9ca35a",
    "Directory.ReadWrite.All": "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
    "RoleManagement.ReadWrite.Directory": "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8",
}


def _ja_workflow(name: str = "ja-wf", definition=None, identity=None):
    from pulumi_azure_native import logic

    return logic.Workflow(
        name,
        workflow_name=name,
        resource_group_name=RG,
        identity=identity or {"type": "SystemAssigned"},
        definition=_JA_DEFINITION if definition is None else definition,
    )


def _ja_principal(wf):
    return pulumi.Output.all(wf.id, wf.identity).apply(lambda v: v[1].principal_id or "")


def _ja_grant(name: str, principal, role_id) -> None:
    azuread.AppRoleAssignment(name, app_role_id=role_id, principal_object_id=principal, resource_object_id=GRAPH_SP)


def _ja_extension(
    name: str = "ja-ext", endpoint=None, kind: str = "accessPackageCustomExtension", wf="ja-wf", sub=SUB_ID
):
    return GraphThing(
        name,
        {
            "graphKind": kind,
            "catalogId": "c0c0c0c0-0000-4000-8000-000000000001",
            "displayName": name,
            "endpointConfiguration": endpoint
            or {
                "@odata.type": "#microsoft.graph.logicAppTriggerEndpointConfiguration",
                "subscriptionId": sub,
                "resourceGroupName": RG,
                "logicAppWorkflowName": wf,
            },
        },
    )


@case("journey-automation")
def ja_logic_app_with_directory_write():
    """A Logic App that only uploads provisioning data holds Directory.ReadWrite.All as well."""
    baseline()
    wf = _ja_workflow()
    _ja_grant("ja-upload", _ja_principal(wf), _JA_ROLES["SynchronizationData-User.Upload"])
    _ja_grant("ja-dir", _ja_principal(wf), _JA_ROLES["Directory.ReadWrite.All"])


@case("journey-automation")
def ja_role_given_to_the_user_assigned_identity_the_logic_app_uses():
    """The write permission goes to a user-assigned identity, not the workflow: the workflow uses that identity."""
    from pulumi_azure_native import managedidentity

    baseline()
    uai = managedidentity.UserAssignedIdentity("ja-uai", resource_group_name=RG)
    _ja_workflow(identity=uai.id.apply(lambda i: {"type": "UserAssigned", "user_assigned_identities": [i]}))
    _ja_grant("ja-rm", uai.principal_id, _JA_ROLES["RoleManagement.ReadWrite.Directory"])


@case("journey-automation")
def ja_app_role_id_behind_apply():
    """The app role of the workflow's identity is computed at deploy time (unknown at preview)."""
    baseline()
    wf = _ja_workflow()
    _ja_grant("ja-later", _ja_principal(wf), wf.id.apply(lambda _: _JA_ROLES["Directory.ReadWrite.All"]))


@case("journey-automation")
def ja_definition_behind_apply():
    """The workflow's definition is computed at deploy time, so its steps' needs cannot be read."""
    baseline()
    first = _ja_workflow("ja-wf0")
    wf = _ja_workflow(definition=first.id.apply(lambda _: _JA_DEFINITION))
    _ja_grant("ja-dir", _ja_principal(wf), _JA_ROLES["Directory.ReadWrite.All"])


@case("journey-automation")
def ja_extension_calls_an_http_endpoint():
    """The custom extension posts every request to an HTTP endpoint outside the stack."""
    baseline()
    _ja_workflow()
    _ja_extension(endpoint={"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": "https://x.example"})


@case("journey-automation")
def ja_extension_calls_a_logic_app_elsewhere():
    """The custom extension names a Logic App the stack does not declare (a decoy workflow is declared)."""
    baseline()
    _ja_workflow()
    _ja_extension(wf="attacker-app")


@case("journey-automation")
def ja_extension_with_a_forged_kind():
    """The same extension under another graphKind, hoping the gate only knows one spelling."""
    baseline()
    _ja_workflow()
    _ja_extension(kind="customCalloutExtension", wf="attacker-app")


@case("journey-automation")
def ja_extension_name_behind_an_unrelated_apply():
    """The Logic App name is computed from an unrelated resource: it does not flow from a declared workflow."""
    baseline()
    _ja_workflow()
    decoy = azuread.Group("ja-decoy", display_name="decoy", security_enabled=True)
    _ja_extension(wf=decoy.object_id)


@case("journey-automation", "clean")
def ja_clean_least_privileged_logic_app_and_its_extension():
    """Compliant: the workflow holds only what its step needs, and the extension calls it."""
    baseline()
    wf = _ja_workflow()
    _ja_grant("ja-upload", _ja_principal(wf), _JA_ROLES["SynchronizationData-User.Upload"])
    _ja_extension(wf=wf.name, sub=later(wf.id, SUB_ID))  # the subscription comes from the Workflow's ARM ID


@case("journey-automation")
def ja_user_assigned_identity_by_upper_case_arm_id():
    """The workflow names its user-assigned identity by a literal upper-cased ARM ID; the identity holds
    EntitlementManagement.ReadWrite.All, which no step needs."""
    from pulumi_azure_native import managedidentity

    baseline()
    uai = managedidentity.UserAssignedIdentity("ja-uai", resource_name_="ja-mi", resource_group_name=RG)
    arm = (
        f"/SUBSCRIPTIONS/{SUB_ID}/RESOURCEGROUPS/{RG}/PROVIDERS/MICROSOFT.MANAGEDIDENTITY/USERASSIGNEDIDENTITIES/JA-MI"
    )
    _ja_workflow(identity={"type": "UserAssigned", "user_assigned_identities": [arm.upper()]})
    _ja_grant("ja-em", uai.principal_id, "9acd699f-1e81-4958-b001-93b1d2506e19")


@case("journey-automation")
def ja_write_permission_for_a_literal_principal():
    """The managed identity is named by its literal object ID (from the last deployment): nothing links it."""
    baseline()
    _ja_workflow()
    _ja_grant("ja-em", "5C1D0E2F-0000-4000-8000-00000000F10A", "9acd699f-1e81-4958-b001-93b1d2506e19")


@case("journey-automation")
def ja_http_action_authenticates_as_an_app():
    """An HTTP action calls Graph as an app registration (client secret from a parameter), not the managed
    identity: the app's permissions are out of the gate's sight."""
    import copy

    baseline()
    definition = copy.deepcopy(_JA_DEFINITION)
    definition["actions"]["Write_dir"] = {
        "type": "Http",
        "inputs": {
            "method": "PATCH",
            "uri": "https://graph.microsoft.com/v1.0/users/@{triggerBody()?['id']}",
            "authentication": {
                "type": "ActiveDirectoryOAuth",
                "audience": "https://graph.microsoft.com",
                "clientId": "@parameters('clientId')",
                "secret": "@parameters('clientSecret')",
            },
        },
    }
    _ja_workflow(definition=definition)


@case("journey-automation")
def ja_broader_alternative_of_the_pass_permission():
    """The pass step needs UserAuthMethod-TAP.ReadWrite.All; the identity gets UserAuthenticationMethod.ReadWrite.All
    (it can delete or replace any user's methods)."""
    baseline()
    definition = {
        "actions": {
            "Issue_pass": {
                "type": "Http",
                "inputs": {
                    "method": "POST",
                    "uri": "https://graph.microsoft.com/v1.0/users/@{parameters('u')}/authentication/"
                    "temporaryAccessPassMethods",
                    "authentication": {"type": "ManagedServiceIdentity", "audience": "https://graph.microsoft.com"},
                },
                "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
            }
        }
    }
    wf = _ja_workflow(definition=definition)
    _ja_grant("ja-uam", _ja_principal(wf), "50483e42-d915-4231-9639-7fdb7fd190e5")


@case("journey-automation")
def ja_extension_in_the_authors_subscription():
    """The extension names the stack's workflow name and resource group, but the author's own subscription."""
    baseline()
    wf = _ja_workflow()
    _ja_extension(wf=wf.name, sub="DEADBEEF-0000-4000-8000-00000000BEEF")


@case("journey-automation")
def ja_stage_names_a_portal_extension():
    """No extension resource: the policy settings attach a literal customExtensionId made in the portal."""
    baseline()
    _ja_workflow()
    GraphThing(
        "ja-settings",
        {
            "graphKind": "accessPackagePolicySettings",
            "policyId": "11111111-0000-4000-8000-000000000001",
            "accessPackageId": "11111111-0000-4000-8000-000000000002",
            "stages": [
                {"stage": "assignmentRequestGranted", "customExtensionId": "BADBADBA-0000-4000-8000-000000000099"}
            ],
        },
    )


@case("on-premises")
def kv_in_deployment_template_without_purge_protection():
    """A Key Vault inside an ARM template deployed by resources.Deployment, purge protection off."""
    baseline()
    resources.Deployment(
        "kv-template",
        resource_group_name="rg-pam",
        properties={
            "mode": "Incremental",
            "template": {
                "contentVersion": "1.0.0.0",
                "resources": [
                    {
                        "type": "Microsoft.KeyVault/vaults",
                        "name": "kv-tpl",
                        "properties": {
                            "tenantId": _KV_TENANT,
                            "sku": {"family": "A", "name": "standard"},
                            "enableRbacAuthorization": True,
                            "publicNetworkAccess": "Disabled",
                            "networkAcls": {"defaultAction": "Deny"},
                        },
                    }
                ],
            },
        },
    )


@case("on-premises")
def kv_flag_as_template_expression():
    """A template vault whose publicNetworkAccess is a template parameter the gate cannot evaluate."""
    baseline()
    resources.Deployment(
        "kv-template-expr",
        resource_group_name="rg-pam",
        properties={
            "mode": "Incremental",
            "parameters": {"access": {"value": "Enabled"}},
            "template": {
                "contentVersion": "1.0.0.0",
                "parameters": {"access": {"type": "string"}},
                "resources": [
                    {
                        "type": "Microsoft.KeyVault/vaults",
                        "name": "kv-tpl",
                        "properties": {
                            "tenantId": _KV_TENANT,
                            "sku": {"family": "A", "name": "standard"},
                            "enableRbacAuthorization": True,
                            "enablePurgeProtection": True,
                            "publicNetworkAccess": "[parameters('access')]",
                            "networkAcls": {"defaultAction": "Deny"},
                        },
                    }
                ],
            },
        },
    )


@case("on-premises")
def aa_linked_template():
    """A deployment whose template is only a link: nothing in it can be seen at preview."""
    baseline()
    resources.Deployment(
        "aa-linked",
        resource_group_name="rg-pam",
        properties={"mode": "Incremental", "template_link": {"uri": "https://example.com/automation.json"}},
    )


@case("on-premises", secret="tpl-S3cret-value")
def aa_credential_in_deployment_template():
    """An Automation Credential asset inside an ARM template."""
    baseline()
    resources.Deployment(
        "aa-template",
        resource_group_name="rg-pam",
        properties={
            "mode": "Incremental",
            "template": {
                "contentVersion": "1.0.0.0",
                "resources": [
                    {
                        "type": "Microsoft.Automation/automationAccounts/credentials",
                        "name": "aa-pam/ad-admin",
                        "properties": {"userName": "svc", "password": "tpl-S3cret-value"},
                    }
                ],
            },
        },
    )


@case("on-premises")
def aa_worker_group_credential_as_generic_resource():
    """A worker group with a credential, declared as a generic resources.Resource."""
    baseline()
    resources.Resource(
        "aa-generic-group",
        resources.ResourceArgs(
            resource_group_name="rg-pam",
            resource_provider_namespace="Microsoft.Automation",
            parent_resource_path="automationAccounts/aa-pam",
            resource_type="hybridRunbookWorkerGroups",
            api_version="2023-11-01",
            properties={"credential": {"name": "ad-admin"}},
        ),
    )


@case("journey-automation")
def ja_standard_logic_app_with_directory_write():
    """A Standard Logic App (a WebApp of kind workflowapp) holds User.ReadWrite.All: its definitions are not in the
    plan, so nothing shows that a step needs it."""
    from pulumi_azure_native import web

    baseline()
    app = web.WebApp(
        "ja-std", resource_group_name=RG, kind="functionapp,workflowapp", identity={"type": "SystemAssigned"}
    )
    _ja_grant(
        "ja-std-users",
        pulumi.Output.all(app.id, app.identity).apply(lambda v: v[1].principal_id or ""),
        "741f803b-c850-494e-b5df-cde7c675a1ca",
    )


def _azure_grant(name: str, role: str, scope):
    return authorization.RoleAssignment(
        name,
        principal_id=LITERAL_USER,
        principal_type="User",
        role_definition_id=ARM_ROLE.format(role),
        scope=scope,
    )


@case("on-premises")
def kv_secrets_officer_on_the_subscription():
    """Key Vault Secrets Officer at subscription scope: every vault's secrets, including the runbooks' AD credential."""
    baseline()
    _azure_grant("kv-sub-officer", AZURE_ROLES["Key Vault Secrets Officer"], SUB)


@case("on-premises")
def kv_secrets_user_scope_behind_apply():
    """Key Vault Secrets User at a scope computed from an unrelated resource (unknown at preview)."""
    bl = baseline()
    _azure_grant("kv-later-user", AZURE_ROLES["Key Vault Secrets User"], later(bl.group.object_id, RG))


@case("on-premises")
def aa_job_operator_on_the_resource_group():
    """Automation Job Operator on a resource group: it starts any runbook of every account there, on the domain."""
    baseline()
    _azure_grant("aa-rg-operator", AZURE_ROLES["Automation Job Operator"], RG)


@case("on-premises")
def aa_contributor_on_the_subscription():
    """Automation Contributor at subscription scope: it can write a runbook and run it on the domain workers."""
    baseline()
    _azure_grant("aa-sub-contributor", AZURE_ROLES["Automation Contributor"], SUB)


@case("on-premises", "clean")
def aa_clean_job_operator_on_the_account_and_secrets_officer_on_the_vault():
    """Compliant: Automation Job Operator on the account, Key Vault Secrets Officer on the vault."""
    baseline()
    account = _account()
    vault = _vault("kv-scoped")
    _azure_grant("aa-operator", AZURE_ROLES["Automation Job Operator"], account.id)
    _azure_grant("kv-officer", AZURE_ROLES["Key Vault Secrets Officer"], vault.id)


# --- Automation values judged by shape (red-team: names the credential regex missed) ---------------------------


@case("on-premises", secret="Zx9!kQ2#Lm7$Vb4p")
def aa_plain_variable_named_key_pw_pin():
    """Unencrypted variables whose names end in Key / Pw / Pin (DomainJoinKey, AdminPw, SvcPin) holding secrets."""
    from pulumi_azure_native import automation

    baseline()
    for name, value in (
        ("DomainJoinKey", '"Zx9!kQ2#Lm7$Vb4p"'),
        ("AdminPw", '"Winter2026!Admin"'),
        ("SvcPin", '"83920571"'),
    ):
        automation.Variable(f"aa-{name}", name=name, value=value, is_encrypted=False, **_IN_ACCOUNT)


@case("on-premises", secret="Zx9kQ2Lm7Vb4pQ8rT3yH")
def aa_plain_variable_neutral_name_random_key():
    """An unencrypted variable with a neutral name holding a random base62 key (no credential pattern in it)."""
    from pulumi_azure_native import automation

    baseline()
    automation.Variable("aa-cfg", name="Setting1", value='"Zx9kQ2Lm7Vb4pQ8rT3yH"', is_encrypted=False, **_IN_ACCOUNT)


@case("on-premises", secret="Winter2026!Admin")
def aa_connection_field_named_client_key_and_pw():
    """A connection whose secret fields are called ClientKey and Pw."""
    from pulumi_azure_native import automation

    baseline()
    automation.Connection(
        "aa-adconn",
        name="AdConn",
        connection_type={"name": "AdService"},
        field_definition_values={"UserName": "svc-ad", "ClientKey": "Zx9!kQ2#Lm7$Vb4pQ", "Pw": "Winter2026!Admin"},
        **_IN_ACCOUNT,
    )


@case("on-premises", "clean")
def aa_clean_settings_named_after_tokens_and_passwords():
    """Compliant: unencrypted settings whose names mention tokens, passwords and certificates (numbers, a vault name,
    a domain, an OU, a mailbox, a group list)."""
    from pulumi_azure_native import automation

    baseline()
    _account()
    for name, value in (
        ("TokenLifetimeMinutes", '"60"'),
        ("PasswordResetNotifyDays", '"7"'),
        ("CertificateRenewalDays", '"30"'),
        ("KeyVaultName", '"kv-contoso-pam"'),
        ("DomainFqdn", '"contoso.com"'),
        ("AdminAccountsOu", '"OU=Tier1 Admins,OU=Admin,DC=contoso,DC=com"'),
        ("DeliveryMailbox", '"pam-notify@contoso.com"'),
        ("ManagedGroups", '["Account Operators", "linux-sudo-admins"]'),
    ):
        automation.Variable(f"aa-{name}", name=name, value=value, is_encrypted=False, **_IN_ACCOUNT)


# --- Key Vault and Automation through ARM's generic shapes (red-team: kv_generic_resource, kv_arm_deployment) ---

_PUBLIC_VAULT = {
    "type": "Microsoft.KeyVault/vaults",
    "apiVersion": "2023-07-01",
    "name": "kv-creds",
    "properties": {"tenantId": SUB_ID, "sku": {"family": "A", "name": "standard"}, "publicNetworkAccess": "Enabled"},
}


@case("on-premises")
def kv_in_a_template_given_as_a_json_string():
    """A public vault without purge protection in a Deployment template passed as a JSON string, not an object."""
    import json

    baseline()
    resources.Deployment(
        "kv-json-dep",
        resource_group_name="rg-pam",
        properties={"mode": "Incremental", "template": json.dumps({"resources": [_PUBLIC_VAULT]})},
    )


@case("on-premises")
def kv_access_policy_as_a_nested_child_resource():
    """An access policy nested as a child resource (type `accessPolicies`, relative) of a hardened vault."""
    baseline()
    vault = {
        **_PUBLIC_VAULT,
        "properties": {
            "tenantId": SUB_ID,
            "sku": {"family": "A", "name": "standard"},
            "publicNetworkAccess": "Disabled",
            "enableRbacAuthorization": True,
            "enablePurgeProtection": True,
            "networkAcls": {"defaultAction": "Deny"},
        },
        "resources": [{"type": "accessPolicies", "name": "add", "properties": {"accessPolicies": []}}],
    }
    resources.Deployment(
        "kv-child-dep",
        resource_group_name="rg-pam",
        properties={"mode": "Incremental", "template": {"resources": [vault]}},
    )


@case("on-premises")
def kv_generic_resource_properties_behind_apply():
    """A generic resources.Resource vault whose whole properties object is computed (unknown at preview)."""
    bl = baseline()
    resources.Resource(
        "kv-generic-later",
        resource_group_name="rg-pam",
        resource_provider_namespace="Microsoft.KeyVault",
        parent_resource_path="",
        resource_type="vaults",
        api_version="2023-07-01",
        properties=later(bl.group.object_id, _PUBLIC_VAULT["properties"]),
    )


@case("on-premises")
def aa_public_account_in_a_deployment_stack():
    """A public Automation account with local auth on, in a DeploymentStackAtResourceGroup template."""
    baseline()
    resources.DeploymentStackAtResourceGroup(
        "aa-stack",
        resource_group_name="rg-pam",
        action_on_unmanage={"resources": "detach"},
        deny_settings={"mode": "none"},
        template={
            "resources": [
                {
                    "type": "Microsoft.Automation/automationAccounts",
                    "name": "aa-domain",
                    "properties": {"sku": {"name": "Basic"}, "publicNetworkAccess": True, "disableLocalAuth": False},
                }
            ]
        },
    )


@case("on-premises")
def kv_azapi_resource():
    """A public vault declared as an azapi resource (type Microsoft.KeyVault/vaults@2023-07-01)."""
    baseline()
    _Forged(
        "azapi:index/resource:Resource",
        "kv-azapi",
        {
            "type": "Microsoft.KeyVault/vaults@2023-07-01",
            "name": "kv-creds",
            "body": {"properties": _PUBLIC_VAULT["properties"]},
        },
    )


# --- runbook content (red-team: auto_runbook_external_link) --------------------------------------------------------

_RUNBOOK_SCRIPT = "param([string]$SamAccountName)\nWrite-Output 'ok'\n"


def _runbook(name: str = "aa-rb", **extra):
    from pulumi_azure_native import automation

    return automation.Runbook(
        name,
        runbook_name="Add-GroupMember",
        runbook_type="PowerShell72",
        log_progress=False,
        log_verbose=False,
        **_IN_ACCOUNT,
        **extra,
    )


@case("on-premises")
def aa_runbook_from_an_external_url_without_a_hash():
    """A runbook published from an arbitrary external URL with no contentHash: it runs on the domain workers."""
    baseline()
    _account()
    _runbook(publish_content_link={"uri": "https://raw.githubusercontent.com/someone/x/main/run.ps1"})


@case("on-premises")
def aa_runbook_from_an_external_url_with_a_hash():
    """A runbook published from a literal external URL, with a SHA256 hash of whatever that server serves."""
    baseline()
    _account()
    _runbook(
        publish_content_link={
            "uri": "https://raw.githubusercontent.com/someone/x/main/run.ps1",
            "content_hash": {"algorithm": "SHA256", "value": "A" * 64},
        }
    )


@case("on-premises")
def aa_runbook_without_any_content_source():
    """A runbook with no content link and no RunbookContent: whatever is published in the portal runs on the domain."""
    baseline()
    _account()
    _runbook()


@case("on-premises")
def aa_runbook_link_uri_behind_apply():
    """A hashed runbook link whose URI is computed from an unrelated resource (unknown at preview)."""
    bl = baseline()
    _account()
    _runbook(
        publish_content_link={
            "uri": later(bl.group.object_id, "https://example.com/run.ps1"),
            "content_hash": {"algorithm": "SHA256", "value": "A" * 64},
        }
    )


@case("on-premises", "clean")
def aa_clean_runbook_published_by_runbook_content():
    """Compliant: a runbook whose content RunbookContent publishes (the repository text, SHA-256 pinned)."""
    from components.runbook_content import RunbookContent

    baseline()
    _account()
    rb = _runbook()
    RunbookContent("aa-rb-content", runbook_id=rb.id, content=_RUNBOOK_SCRIPT)


# --- dynamic resources the pack does not know ------------------------------------------------------------


@case("dynamic")
def dyn_permanent_eligibility_under_another_kind():
    """A dynamic resource that would write a permanent GA eligibility, under a kind no policy reads."""
    baseline()
    GraphThing(
        "dyn-eligibility",
        {
            "graphKind": "roleEligibility",
            "roleDefinitionId": GA,
            "principalId": LITERAL_USER,
            "scheduleInfo": {"expiration": {"type": "noExpiration"}},
        },
    )


@case("dynamic")
def dyn_no_kind_at_all():
    """A dynamic resource with no graphKind: any code, any credentials, judged by nothing."""
    baseline()
    GraphThing("dyn-anything", {"target": "https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments"})


@case("dynamic")
def dyn_kind_behind_apply():
    """The graphKind is computed from another resource's output (unknown at preview)."""
    bl = baseline()
    GraphThing("dyn-late", {"graphKind": later(bl.group.object_id, "passwordDiscard"), "userId": LITERAL_USER})


@case("dynamic", "clean")
def dyn_clean_one_of_ours():
    """Compliant: a dynamic resource with one of the project's kinds, exactly."""
    baseline()
    GraphThing("dyn-discard", {"graphKind": "passwordDiscard", "userId": LITERAL_USER, "state": "discarded"})
