"""Building blocks for the attack corpus: plain provider resources, a compliant baseline, forged components.

Nothing here is collected by pytest (no file in this directory starts with `test_`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from privileged_facts.roles import AZURE_ROLES, ENTRA_ROLES, PRIVILEGED_ROLE_IDS
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

GA = ENTRA_ROLES["Global Administrator"]
PRA = ENTRA_ROLES["Privileged Role Administrator"]
USER_ADMIN = ENTRA_ROLES["User Administrator"]
HELPDESK = ENTRA_ROLES["Helpdesk Administrator"]
OWNER = AZURE_ROLES["Owner"]
CONTRIBUTOR = AZURE_ROLES["Contributor"]
UAA = AZURE_ROLES["User Access Administrator"]
READER = AZURE_ROLES["Reader"]
SUB_ID = "00000000-0000-4000-8000-0000000000b2"
SUB = f"/subscriptions/{SUB_ID}"
RG = f"{SUB}/resourceGroups/rg-app"
ARM_ROLE = SUB + "/providers/Microsoft.Authorization/roleDefinitions/{}"
PR_STRENGTH = "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
LITERAL_USER = "22222222-2222-4222-8222-222222222222"
LITERAL_GROUP = "33333333-3333-4333-8333-333333333333"
UNRESOLVABLE_ROLE_OBJECT = "44444444-4444-4444-8444-444444444444"
GRAPH_SP = "55555555-5555-4555-8555-555555555555"  # the Microsoft Graph service principal's object ID
ROLE_MGMT_RW_DIRECTORY = "9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8"  # Graph app role RoleManagement.ReadWrite.Directory
ALERTS = {
    "admin_notifications": {
        "default_recipients": True,
        "notification_level": "All",
        "additional_recipients": ["pim-alerts@contoso.com"],
    }
}


@dataclass
class Case:
    name: str
    klass: str
    program: Callable[[], object]
    expect: str  # "mandatory" | "clean"
    pack_config: dict | None = None  # --policy-pack-config body, when the case needs one
    secret: str | None = None  # text that must never appear in a violation message
    config: dict | None = None  # stack config (project "test") the program reads


# --- dynamic (Graph) resources ---------------------------------------------------------------------------


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class GraphThing(Resource):
    """A Graph-backed dynamic resource with the input shape the project's Graph layer registers."""

    def __init__(self, name: str, props: dict, opts: pulumi.ResourceOptions | None = None):
        super().__init__(_NoOp(), name, props, opts)


# --- break-glass ------------------------------------------------------------------------------------------


class BreakGlassLike(pulumi.ComponentResource):
    """The project's BreakGlassAccounts shape: *.onmicrosoft.com users, random passwords, protected permanent GA."""

    def __init__(
        self,
        name: str = "bg",
        count: int = 2,
        upn_domain: str = "contoso.onmicrosoft.com",
        password: str | None = None,
        protect: bool = True,
        role: str = GA,
    ):
        super().__init__("privileged-access:index:BreakGlassAccounts", name, None, None)
        opts = pulumi.ResourceOptions(parent=self, protect=protect)
        self.users = []
        for i in range(1, count + 1):
            secret = (
                password
                if password is not None
                else random.RandomPassword(
                    f"{name}-{i}-password", length=64, special=True, opts=pulumi.ResourceOptions(parent=self)
                ).result
            )
            u = azuread.User(
                f"{name}-{i}",
                user_principal_name=f"bg{i}@{upn_domain}",
                display_name=f"Emergency access {i}",
                password=secret,
                account_enabled=True,
                disable_password_expiration=True,
                force_password_change=False,
                show_in_address_list=False,
                opts=opts,
            )
            azuread.DirectoryRoleAssignment(
                f"{name}-{i}-global-admin",
                role_id=role,
                principal_object_id=u.object_id,
                directory_scope_id="/",
                opts=opts,
            )
            self.users.append(u)
        self.register_outputs({})

    @property
    def ids(self):
        return [u.object_id for u in self.users]


# --- principals -------------------------------------------------------------------------------------------


def user(name: str = "alice"):
    return azuread.User(
        name,
        display_name=name,
        user_principal_name=f"{name}@contoso.onmicrosoft.com",
        password=random.RandomPassword(f"{name}-pw", length=32).result,
    )


def role_group(name: str = "pim-ga", **kw):
    return azuread.Group(name, display_name=name, security_enabled=True, assignable_to_role=True, **kw)


def activation_rules(approver, maximum: str = "PT1H", **over) -> dict:
    rules = {
        "maximum_duration": maximum,
        "require_approval": True,
        "require_justification": True,
        "require_multifactor_authentication": True,
        "approval_stage": {"primary_approvers": [{"object_id": approver, "type": "groupMembers"}]},
    }
    rules.update(over)
    return rules


def member_policy(
    name: str, group_id, approver, role_id: str = "member", maximum: str = "PT1H", active_expire: str = "P15D", **over
):
    return azuread.GroupRoleManagementPolicy(
        name,
        group_id=group_id,
        role_id=role_id,
        activation_rules=activation_rules(approver, maximum, **over),
        eligible_assignment_rules={"expiration_required": True, "expire_after": "P90D"},
        active_assignment_rules={"expiration_required": True, "expire_after": active_expire},
        notification_rules={
            "eligible_assignments": ALERTS,
            "active_assignments": ALERTS,
            "eligible_activations": ALERTS,
        },
    )


def governed_group(name: str = "pim-ga", role: str = GA, scope: str = "/", eligible: bool = True):
    """The compliant PIM-for-Groups pattern: a role on a role-assignable group, its member policy, an eligibility."""
    approvers = azuread.Group(f"{name}-approvers", display_name=f"{name} approvers", security_enabled=True)
    g = role_group(name)
    azuread.DirectoryRoleAssignment(
        f"{name}-role", role_id=role, principal_object_id=g.object_id, directory_scope_id=scope
    )
    member_policy(f"{name}-policy", g.object_id, approvers.object_id)
    if eligible:
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            f"{name}-alice",
            group_id=g.object_id,
            principal_id=user(f"{name}-alice").object_id,
            assignment_type="member",
            duration="P90D",
        )
    return g


# --- conditional access ----------------------------------------------------------------------------------


def ca(
    name: str,
    *,
    state: str = "enabled",
    users: dict | None = None,
    apps=("All",),
    grant: dict | None = None,
    devices: dict | None = None,
    display_name=None,
):
    conditions = {
        "users": users or {"included_users": ["All"]},
        "applications": {"included_applications": list(apps)},
        "client_app_types": ["all"],
    }
    if devices:
        conditions["devices"] = devices
    return azuread.ConditionalAccessPolicy(
        name, display_name=display_name or name, state=state, conditions=conditions, grant_controls=grant
    )


PHISHING_RESISTANT = {"operator": "OR", "authentication_strength_policy_id": PR_STRENGTH}
MFA = {"operator": "OR", "built_in_controls": ["mfa"]}
BLOCK = {"operator": "OR", "built_in_controls": ["block"]}


ADMIN_ROLES = sorted(PRIVILEGED_ROLE_IDS)


def admin_ca(
    bg: BreakGlassLike | None,
    roles=None,
    state: str = "enabled",
    name: str = "admins-phishing-resistant",
    display_name=None,
    **users,
):
    """The enabled phishing-resistant admin policy for every privileged role, excluding the break-glass accounts."""
    spec = {"included_roles": list(roles or ADMIN_ROLES), "excluded_users": bg.ids if bg else [], **users}
    return ca(name, state=state, grant=PHISHING_RESISTANT, users=spec, display_name=display_name)


@dataclass
class Baseline:
    bg: BreakGlassLike
    group: azuread.Group
    policy: azuread.ConditionalAccessPolicy | None


def baseline(ca_state: str | None = "enabled", **ca_users) -> Baseline:
    """A compliant privileged stack: break-glass accounts, a governed GA group, the admin CA policy
    (`ca_state=None`: no admin CA policy, the case declares its own)."""
    bg = BreakGlassLike()
    g = governed_group()
    policy = admin_ca(bg, state=ca_state, **ca_users) if ca_state else None
    return Baseline(bg, g, policy)
