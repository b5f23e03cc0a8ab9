"""Conditional-access policies against plain azuread programs, through the offline preview.

Each case is a program that declares provider resources directly (not our components), previewed
with this project's pack, so unknown IDs behave as in `pulumi preview`.
"""

import pathlib
import tempfile

import pulumi_azuread as azuread
import pytest
from conftest import preview_with_pack
from pack_cases import BreakGlassAccounts

GA = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"
PR = "/policies/authenticationStrengthPolicies/00000000-0000-0000-0000-000000000004"
BG_A = "aaaaaaaa-0000-4000-8000-000000000001"
PAW_RULE = 'device.displayName -startsWith "paw-"'  # the PAW's device filter, configured (no PawHostPool here)
BG_B = "aaaaaaaa-0000-4000-8000-000000000002"
SOMEONE = "bbbbbbbb-0000-4000-8000-000000000003"
PRODUCTION = (
    "ca-admin-policy-report-only",
    "ca-admin-policy-enforced-in-production",
    "ca-phishing-resistant-admins",
    "ca-admin-portals-compliant-device",
)
# every CA policy that tells break-glass exclusions from others (the only exclusions an admin policy may have)
BREAK_GLASS_POLICIES = (
    "ca-no-tenant-lockout",
    "ca-break-glass-excluded",
    "ca-phishing-resistant-admins",
    "ca-admin-policy-enforced-in-production",
    "ca-admin-policy-report-only",
)


def preview(program, tmp_path=None, production=False, break_glass=(), paw_filters=(PAW_RULE,)):
    body: dict = {"ca-admin-portals-compliant-device": {"pawDeviceFilters": list(paw_filters)}}
    for name in PRODUCTION if production else ():
        body[name] = {"production": True}
    for name in BREAK_GLASS_POLICIES if break_glass else ():
        body.setdefault(name, {})["breakGlassObjectIds"] = list(break_glass)
    return preview_with_pack(program, tmp_path or pathlib.Path(tempfile.mkdtemp()), body)


def mandatory(report, policy):
    return [v for v in report.mandatory if v.policy == policy]


def advisory(report, policy):
    return [v for v in report.advisory if v.policy == policy]


def ca(
    name,
    *,
    state="enabled",
    users=None,
    apps=("All",),
    grant=None,
    session=None,
    devices=None,
    client_app_types=("all",),
    **kwargs,
):
    conditions = {
        "users": users or {"included_users": ["All"]},
        "applications": {"included_applications": list(apps)},
        "client_app_types": list(client_app_types),
    }
    if devices:
        conditions["devices"] = devices
    return azuread.ConditionalAccessPolicy(
        name,
        display_name=name,
        state=state,
        conditions=conditions,
        grant_controls=grant,
        session_controls=session,
        **kwargs,
    )


MFA = {"operator": "OR", "built_in_controls": ["mfa"]}
PHISHING_RESISTANT = {"operator": "OR", "authentication_strength_policy_id": PR}


# ---------------------------------------------------------------- tenant lockout (resource)


def test_enabled_all_users_policy_without_exclusions_is_a_lockout():
    report = preview(lambda: ca("all-mfa", grant=MFA))
    [violation] = mandatory(report, "ca-no-tenant-lockout")
    assert "excludes nobody" in violation.message


def test_global_administrator_policy_without_exclusions_is_a_lockout():
    report = preview(lambda: ca("ga-pr", users={"included_roles": [GA]}, grant=PHISHING_RESISTANT))
    assert mandatory(report, "ca-no-tenant-lockout")


def test_exclusion_report_only_and_session_only_policies_are_not_lockouts(tmp_path):
    # the exclusion is a configured break-glass account: with none known, any exclusion would still be a lockout
    def program():
        ca("excludes", grant=MFA, users={"included_users": ["All"], "excluded_users": [BG_A]})
        ca("staged", grant=MFA, state="enabledForReportingButNotEnforced")
        ca("session-only", session={"sign_in_frequency": 4, "sign_in_frequency_period": "hours"})
        ca("some-apps", grant=MFA, apps=["797f4846-ba00-4fd7-ba43-dac1f8f63013"])

    assert not preview(program, tmp_path, break_glass=[BG_A]).by_policy("ca-no-tenant-lockout")


def test_configured_break_glass_accounts_must_all_be_excluded(tmp_path):
    program = lambda: ca("one-excluded", grant=MFA, users={"included_users": ["All"], "excluded_users": [BG_A]})
    [violation] = mandatory(preview(program, tmp_path, break_glass=[BG_A, BG_B]), "ca-no-tenant-lockout")
    assert BG_B in violation.message and BG_A not in violation.message.split("break-glass")[-1]


def test_all_configured_break_glass_accounts_excluded_passes(tmp_path):
    program = lambda: ca("both", grant=MFA, users={"included_users": ["All"], "excluded_users": [BG_A, BG_B]})
    report = preview(program, tmp_path, break_glass=[BG_A, BG_B])
    assert not report.by_policy("ca-no-tenant-lockout") and not report.by_policy("ca-break-glass-excluded")


# ---------------------------------------------------------------- break-glass everywhere (stack)


def test_declared_break_glass_excluded_by_unknown_id_passes():
    def program():
        bg = BreakGlassAccounts("bg")
        ids = [u.object_id for u in bg.users]
        ca("all-mfa", grant=MFA, users={"included_users": ["All"], "excluded_users": ids})
        ca("bg-own", grant=PHISHING_RESISTANT, users={"included_users": ids})

    report = preview(program)
    assert not report.by_policy("ca-break-glass-excluded")
    assert not report.by_policy("ca-no-tenant-lockout")


def test_declared_break_glass_account_left_out_is_reported_even_when_ids_are_unknown():
    def program():
        bg = BreakGlassAccounts("bg")
        someone = azuread.User("someone", user_principal_name="s@contoso.onmicrosoft.com", display_name="S")
        ca(
            "all-mfa",
            grant=MFA,
            users={"included_users": ["All"], "excluded_users": [bg.users[0].object_id, someone.object_id]},
        )

    report = preview(program)
    [violation] = mandatory(report, "ca-break-glass-excluded")
    assert "bg-2" in violation.message and "bg-1" not in violation.message


def test_unknown_exclusion_of_someone_else_does_not_silence_the_lockout():
    def program():
        BreakGlassAccounts("bg")
        other = azuread.User("other", user_principal_name="o@contoso.onmicrosoft.com", display_name="O")
        ca("all-mfa", grant=MFA, users={"included_users": ["All"], "excluded_users": [other.object_id]})

    report = preview(program)
    [violation] = mandatory(report, "ca-break-glass-excluded")
    assert "bg-1" in violation.message and "bg-2" in violation.message


def test_configured_break_glass_missing_from_an_admin_policy(tmp_path):
    def program():
        ca(
            "admins",
            grant=PHISHING_RESISTANT,
            state="enabledForReportingButNotEnforced",
            users={"included_roles": [USER_ADMIN], "excluded_users": [BG_A]},
        )
        ca("bg-own", grant=PHISHING_RESISTANT, users={"included_users": [BG_A, BG_B]})

    [violation] = mandatory(preview(program, tmp_path, break_glass=[BG_A, BG_B]), "ca-break-glass-excluded")
    assert "admins" in violation.message and BG_B in violation.message


# ---------------------------------------------------------------- role exclusions (resource)


def test_role_exclusions_in_an_admin_policy_are_reported():
    report = preview(
        lambda: ca(
            "admins",
            grant=PHISHING_RESISTANT,
            users={"included_roles": [GA, USER_ADMIN], "excluded_roles": [USER_ADMIN], "excluded_users": [BG_A]},
        )
    )
    [violation] = mandatory(report, "ca-admin-no-role-exclusions")
    assert USER_ADMIN in violation.message


def test_admin_policy_without_role_exclusions_passes():
    report = preview(
        lambda: ca("admins", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A]})
    )
    assert not report.by_policy("ca-admin-no-role-exclusions")


# ---------------------------------------------------------------- report-only vs production


def staged_admin_policy():
    azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE)
    ca(
        "admins-pr",
        grant=PHISHING_RESISTANT,
        state="enabledForReportingButNotEnforced",
        users={"included_roles": [GA], "excluded_users": [BG_A]},
    )


def test_report_only_admin_policy_without_a_staged_rollout_is_mandatory_outside_production_too(tmp_path):
    report = preview(staged_admin_policy, tmp_path, break_glass=[BG_A])
    [violation] = mandatory(report, "ca-admin-policy-enforced-in-production")
    assert "without a staged rollout" in violation.message
    assert not report.by_policy("ca-admin-policy-report-only")
    assert mandatory(report, "ca-phishing-resistant-admins")


def test_report_only_admin_policy_is_mandatory_in_production(tmp_path):
    report = preview(staged_admin_policy, tmp_path, production=True)
    assert mandatory(report, "ca-admin-policy-enforced-in-production")
    assert not report.by_policy("ca-admin-policy-report-only")
    [violation] = mandatory(report, "ca-phishing-resistant-admins")
    assert "report-only does not count" in violation.message


# ---------------------------------------------------------------- MS.AAD.3.6 (stack)


def test_privileged_role_without_any_phishing_resistant_policy_is_reported():
    report = preview(lambda: azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE))
    [violation] = mandatory(report, "ca-phishing-resistant-admins")
    assert GA in violation.message


def test_plain_mfa_does_not_satisfy_phishing_resistance(tmp_path):
    def program():
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE)
        ca("admins-mfa", grant=MFA, users={"included_roles": [GA], "excluded_users": [BG_A]})

    assert mandatory(preview(program, tmp_path, production=True), "ca-phishing-resistant-admins")


def test_policy_missing_a_granted_role_is_reported():
    def program():
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE)
        azuread.DirectoryRoleAssignment("ua", role_id=USER_ADMIN, principal_object_id=SOMEONE)
        ca("ga-only", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A]})

    assert mandatory(preview(program), "ca-phishing-resistant-admins")


def test_enabled_phishing_resistant_policy_for_all_granted_roles_passes_in_production(tmp_path):
    def program():
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE)
        ca("admins-pr", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A]})

    report = preview(program, tmp_path, production=True, break_glass=[BG_A])
    assert not report.by_policy("ca-phishing-resistant-admins")


def test_excluding_an_eligible_admin_by_object_id_leaves_the_admins_uncovered():
    def program():
        group = azuread.Group("pim-ga", display_name="PIM GA", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=group.object_id)
        azuread.PrivilegedAccessGroupEligibilitySchedule(
            "elig", group_id=group.object_id, principal_id=SOMEONE, assignment_type="member", duration="P30D"
        )
        ca("admins-pr", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A, SOMEONE]})

    [violation] = mandatory(preview(program, break_glass=[BG_A]), "ca-phishing-resistant-admins")
    assert (
        "excludes 1 user(s) by ID that are not break-glass accounts (admins of this stack among them)"
        in violation.message
        and SOMEONE not in violation.message
    )


@pytest.mark.parametrize(
    "methods, compliant",
    [
        (["fido2", "windowsHelloForBusiness"], True),
        (["fido2", "password,microsoftAuthenticatorPush"], False),
    ],
)
def test_custom_strength_with_unknown_id_is_judged_by_its_methods(methods, compliant, tmp_path):
    def program():
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=SOMEONE)
        strength = azuread.AuthenticationStrengthPolicy("strength", display_name="PR", allowed_combinations=methods)
        ca(
            "admins",
            grant={"operator": "OR", "authentication_strength_policy_id": strength.id},
            users={"included_roles": [GA], "excluded_users": [BG_A]},
        )

    report = preview(program, tmp_path, break_glass=[BG_A])
    assert bool(mandatory(report, "ca-phishing-resistant-admins")) is not compliant


@pytest.mark.parametrize("target_group, compliant", [(True, True), (False, False)])
def test_au_scoped_holders_must_be_targeted_as_groups(target_group, compliant, tmp_path):
    def program():
        group = azuread.Group("helpdesk", display_name="Helpdesk", security_enabled=True, assignable_to_role=True)
        unit = azuread.AdministrativeUnit("emea", display_name="EMEA")
        azuread.DirectoryRoleAssignment(
            "ua-emea",
            role_id=USER_ADMIN,
            principal_object_id=group.object_id,
            directory_scope_id=unit.object_id.apply(lambda i: f"/administrativeUnits/{i}"),
        )
        users = {"included_roles": [USER_ADMIN], "excluded_users": [BG_A]}
        if target_group:
            users["included_groups"] = [group.object_id]
        ca("admins", grant=PHISHING_RESISTANT, users=users)

    report = preview(program, tmp_path, break_glass=[BG_A])
    assert bool(mandatory(report, "ca-phishing-resistant-admins")) is not compliant


# ---------------------------------------------------------------- admin portals (stack)


def paw_host_pool():
    from pulumi_azure_native import desktopvirtualization

    desktopvirtualization.HostPool(
        "paw",
        resource_group_name="rg-paw",
        host_pool_type="Personal",
        load_balancer_type="Persistent",
        preferred_app_group_type="Desktop",
        tags={"pum-role": "paw"},
    )


def test_paw_without_admin_portal_policy_is_reported():
    def program():
        paw_host_pool()
        ca("admins-pr", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A]})

    messages = [v.message for v in mandatory(preview(program), "ca-admin-portals-compliant-device")]
    assert len(messages) == 2 and any("MicrosoftAdminPortals" in m for m in messages)


def test_compliant_device_policy_for_portals_and_azure_management_passes():
    def program():
        paw_host_pool()
        ca(
            "portals",
            grant={"operator": "OR", "built_in_controls": ["compliantDevice"]},
            apps=["MicrosoftAdminPortals", "797f4846-ba00-4fd7-ba43-dac1f8f63013"],
            users={"included_roles": [GA], "excluded_users": [BG_A]},
        )

    assert not preview(program).by_policy("ca-admin-portals-compliant-device")


def test_paw_device_filter_block_covers_portals_but_mfa_or_device_does_not():
    def program():
        paw_host_pool()
        ca(
            "portals",
            grant={"operator": "OR", "built_in_controls": ["block"]},
            apps=["MicrosoftAdminPortals"],
            devices={"filter": {"mode": "exclude", "rule": PAW_RULE}},
            users={"included_roles": [GA], "excluded_users": [BG_A]},
        )
        ca(
            "azure",
            grant={"operator": "OR", "built_in_controls": ["mfa", "compliantDevice"]},
            apps=["797f4846-ba00-4fd7-ba43-dac1f8f63013"],
            users={"included_roles": [GA], "excluded_users": [BG_A]},
        )

    [violation] = mandatory(preview(program), "ca-admin-portals-compliant-device")
    assert "797f4846" in violation.message


def test_no_paw_no_admin_portal_requirement():
    report = preview(
        lambda: ca("admins-pr", grant=PHISHING_RESISTANT, users={"included_roles": [GA], "excluded_users": [BG_A]})
    )
    assert not report.by_policy("ca-admin-portals-compliant-device")


def test_break_glass_ids_match_whatever_their_case(tmp_path):
    program = lambda: ca("both", grant=MFA, users={"included_users": ["All"], "excluded_users": [BG_A, BG_B.upper()]})
    report = preview(program, tmp_path, break_glass=[BG_A.upper(), BG_B])
    assert not report.by_policy("ca-no-tenant-lockout") and not report.by_policy("ca-break-glass-excluded")
