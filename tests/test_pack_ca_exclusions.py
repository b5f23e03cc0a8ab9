"""Issue 16, class 7 (and 6, 12 for CA): what a CA policy really covers, through plain azuread programs.

Each dangerous program has a compliant counterpart and an unknown-at-preview variant; violations must be mandatory,
name the right policy, and never echo a secret.
"""

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import preview_with_pack
from pack_cases import MONITORING, BreakGlassAccounts

GA = "62e90394-69f5-4237-9190-012177145e10"
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
PR = {
    "operator": "OR",
    "authentication_strength_policy_id": "/policies/authenticationStrengthPolicies/"
    "00000000-0000-0000-0000-000000000004",
}
BLOCK = {"operator": "OR", "built_in_controls": ["block"]}
LITERAL_GROUP = "33333333-3333-4333-8333-333333333333"
SECRET = "s3cr3t"


def later(source, value):
    return source.apply(lambda _: value)


def governed_ga():
    group = azuread.Group("pim-ga", display_name="PIM GA", security_enabled=True, assignable_to_role=True)
    azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=group.object_id)
    return group


def policy(name, users, grant=PR, state="enabled", apps=None, client_app_types=("all",), **conditions):
    return azuread.ConditionalAccessPolicy(
        name,
        display_name=name,
        state=state,
        grant_controls=grant,
        conditions={
            "users": users,
            "applications": apps or {"included_applications": ["All"]},
            "client_app_types": client_app_types
            if isinstance(client_app_types, pulumi.Output)
            else list(client_app_types),
            **conditions,
        },
    )


def mandatory(report, name):
    return [v for v in report.mandatory if v.policy == name]


def no_secret(report):
    assert not [v for v in report.violations if SECRET in (v.message or "")]


def admin_policy(**change):
    """The compliant phishing-resistant admin policy (break-glass excluded), with one change."""

    def program():
        bg = BreakGlassAccounts()
        group = governed_ga()
        users = {"included_roles": [GA], "excluded_users": bg.ids}
        for key, value in change.pop("users", {}).items():
            users[key] = value(bg, group) if callable(value) else value
        policy("admins-pr", users, **{k: v(bg, group) if callable(v) else v for k, v in change.items()})

    return program


# ---------------------------------------------------------------- the phishing-resistant admin policy


def test_the_compliant_admin_policy_covers_the_admins():
    assert not [v for v in preview_with_pack(admin_policy()).mandatory if v.policy.startswith("ca-")]


@pytest.mark.parametrize(
    "change",
    [
        {"users": {"excluded_groups": lambda bg, group: [group.object_id]}},  # the admins' PIM group
        {"users": {"excluded_roles": [HELPDESK]}},
        {
            "users": {
                "excluded_users": lambda bg, group: [
                    *bg.ids,
                    azuread.User("admin", user_principal_name="a@contoso.onmicrosoft.com", display_name="A").object_id,
                ]
            }
        },
        {"apps": {"included_applications": ["All"], "excluded_applications": ["MicrosoftAdminPortals"]}},
        {"client_app_types": ["browser"]},
        {"locations": {"included_locations": ["All"], "excluded_locations": ["AllTrusted"]}},
        {"platforms": {"included_platforms": ["windows"]}},
    ],
    ids=["pim-group", "role", "other-user", "excluded-apps", "browser-only", "trusted-locations", "platform"],
)
def test_an_admin_policy_carved_out_does_not_cover_the_admins(change):
    [violation] = mandatory(preview_with_pack(admin_policy(**change)), "ca-phishing-resistant-admins")
    assert "admins-pr" in violation.message


@pytest.mark.parametrize(
    "change",
    [
        {"client_app_types": lambda bg, group: later(group.object_id, ["browser"])},
        {"locations": lambda bg, group: later(group.object_id, {"included_locations": ["All"]})},
        {"users": {"excluded_groups": lambda bg, group: later(group.object_id, [])}},
        {"state": lambda bg, group: later(group.object_id, "enabled")},
    ],
    ids=["client-apps", "locations", "excluded-groups", "state"],
)
def test_an_unknown_deciding_field_of_the_admin_policy_cannot_be_verified(change):
    [violation] = mandatory(preview_with_pack(admin_policy(**change)), "ca-phishing-resistant-admins")
    assert "cannot verify" in violation.message and "admins-pr" in violation.message


def test_a_secret_field_is_never_echoed():
    report = preview_with_pack(admin_policy(client_app_types=lambda bg, group: pulumi.Output.secret([SECRET])))
    assert mandatory(report, "ca-phishing-resistant-admins")
    no_secret(report)


# ---------------------------------------------------------------- lockout


def lockout(users, **kw):
    def program():
        bg = BreakGlassAccounts()
        policy("block-all", users(bg) if callable(users) else users, grant=BLOCK, **kw)

    return program


def test_excluding_the_break_glass_accounts_is_no_lockout():
    report = preview_with_pack(lockout(lambda bg: {"included_users": ["All"], "excluded_users": bg.ids}))
    assert not [v for v in report.mandatory if v.policy not in MONITORING]


def test_excluding_accounts_of_a_forged_break_glass_component_is_still_a_lockout():
    """A component that only borrows the type token (unprotected users, a password the program knows) proves no
    emergency access: excluding its users does not make a block-all policy safe."""

    class Forged(pulumi.ComponentResource):
        def __init__(self):
            super().__init__("privileged-access:index:BreakGlassAccounts", "bg", None, None)
            self.users = [
                azuread.User(
                    f"bg-{i}",
                    user_principal_name=f"bg{i}@contoso.onmicrosoft.com",
                    display_name=f"BG {i}",
                    password="Known-Passw0rd!",
                    opts=pulumi.ResourceOptions(parent=self),
                )
                for i in (1, 2)
            ]
            self.register_outputs({})

    def program():
        forged = Forged()
        policy(
            "block-all", {"included_users": ["All"], "excluded_users": [u.object_id for u in forged.users]}, grant=BLOCK
        )

    found = mandatory(preview_with_pack(program), "ca-no-tenant-lockout")
    assert found and not any("Known-Passw0rd" in v.message for v in found)


@pytest.mark.parametrize(
    "users",
    [
        lambda bg: {
            "included_roles": [GA],
            "included_users": bg.ids,
            "excluded_users": [
                azuread.User("someone", user_principal_name="s@contoso.onmicrosoft.com", display_name="S").object_id
            ],
        },
        lambda bg: {"included_users": ["all"]},
        lambda bg: {"included_users": ["All"], "excluded_groups": [LITERAL_GROUP]},
    ],
    ids=["included-not-excluded", "lower-case-all", "arbitrary-group"],
)
def test_exclusions_without_a_known_break_glass_account_are_a_lockout(users):
    assert mandatory(preview_with_pack(lockout(users)), "ca-no-tenant-lockout")


def test_with_no_break_glass_known_any_exclusion_is_still_a_lockout():
    program = lambda: policy("block", {"included_users": ["All"], "excluded_groups": [LITERAL_GROUP]}, grant=BLOCK)
    [violation] = mandatory(preview_with_pack(program), "ca-no-tenant-lockout")
    assert "none is declared or configured" in violation.message


@pytest.mark.parametrize("field", ["users", "apps", "state"])
def test_an_unknown_field_of_a_would_be_lockout_cannot_be_verified(field):
    def program():
        anchor = azuread.Group("anchor", display_name="anchor", security_enabled=True)
        users = later(anchor.object_id, ["All"]) if field == "users" else ["All"]
        apps = later(anchor.object_id, ["All"]) if field == "apps" else ["All"]
        state = later(anchor.object_id, "enabled") if field == "state" else "enabled"
        policy("block", {"included_users": users}, grant=BLOCK, state=state, apps={"included_applications": apps})

    [violation] = mandatory(preview_with_pack(program), "ca-no-tenant-lockout")
    assert "cannot verify" in violation.message


def test_a_secret_display_name_is_never_echoed():
    program = lambda: (
        policy("lockout", {"included_users": ["All"]}, grant=BLOCK)
        if False
        else azuread.ConditionalAccessPolicy(
            "lockout",
            display_name=pulumi.Output.secret(f"{SECRET} policy"),
            state="enabled",
            grant_controls=BLOCK,
            conditions={
                "users": {"included_users": ["All"]},
                "applications": {"included_applications": ["All"]},
                "client_app_types": ["all"],
            },
        )
    )
    report = preview_with_pack(program)
    assert mandatory(report, "ca-no-tenant-lockout")
    no_secret(report)
