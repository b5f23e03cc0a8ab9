"""Authentication-context and CAE policies, and the CA rules reading the Graph shape, against plain programs.

The Graph layer's dynamic resources are declared here with a no-op provider (`Raw`), so the pack sees exactly the
props written (forged graphKind spellings, unknowns, shapes our components never produce); PIM settings are plain
azuread GroupRoleManagementPolicy and azure-native RoleManagementPolicy resources, or the Graph role-settings shape.
Every program is previewed with this project's pack; the clock is the pack's CLOCK, never today's date.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native as azure_native
import pulumi_azuread as azuread
import pytest
from pack_cases import ALERT, BreakGlassAccounts, Raw, later, preview

from components.paw import device_filter_rule

ENFORCED = "pim-authentication-context-enforced"
CAE = "ca-admin-cae-strict"
LOCKOUT = "ca-no-tenant-lockout"
ROLE_EXCLUSIONS = "ca-admin-no-role-exclusions"
BG_EXCLUDED = "ca-break-glass-excluded"
PHISHING = "ca-phishing-resistant-admins"
GA = "62e90394-69f5-4237-9190-012177145e10"
PR = "00000000-0000-0000-0000-000000000004"
MFA = "00000000-0000-0000-0000-000000000002"
PAW_FILTER = device_filter_rule("paw")  # what PawHostPool publishes as its deviceFilter output
SCOPE = "/subscriptions/00000000-0000-4000-8000-0000000000b2/resourceGroups/rg-identity-prod"


class Paw(pulumi.ComponentResource):
    """The PAW component as the pack sees it: its type and the device filter it publishes."""

    def __init__(self, device_filter=PAW_FILTER, name="paw"):
        super().__init__("privileged-access:index:PawHostPool", name, None, None)
        self.register_outputs({} if device_filter is None else {"deviceFilter": device_filter})


def context(claim="c1", available=True, name="ctx"):
    return Raw(
        name,
        {"graphKind": "authenticationContext", "claimValue": claim, "displayName": "PIM", "isAvailable": available},
    )


def graph_ca(name, kind="conditionalAccessPolicy", *, state="enabled", users=None, apps=None, grant=None, **extra):
    conditions = {
        "users": users if users is not None else {"includeUsers": ["All"]},
        "applications": apps if apps is not None else {"includeAuthenticationContextClassReferences": ["c1"]},
        "clientAppTypes": ["all"],
        **extra.pop("conditions", {}),
    }
    return Raw(
        name,
        {
            "graphKind": kind,
            "displayName": name,
            "state": state,
            "conditions": conditions,
            "grantControls": grant,
            **extra,
        },
    )


STRONG = {"operator": "AND", "builtInControls": ["compliantDevice"], "authenticationStrength": {"id": PR}}
BLOCK = {"operator": "OR", "builtInControls": ["block"]}


def everyone_but(bg):
    return {"includeUsers": ["All"], "excludeUsers": bg.ids}


def context_policies(bg, paw=False, grant=STRONG, **over):
    graph_ca("ca09", users=everyone_but(bg), grant=grant, **over)
    if paw:
        graph_ca(
            "ca10",
            users=everyone_but(bg),
            grant=BLOCK,
            conditions={"devices": {"deviceFilter": {"mode": "exclude", "rule": PAW_FILTER}}},
        )


def group_pim(claim="c1", name="pim-ga"):
    group = azuread.Group(name, display_name=name, security_enabled=True, assignable_to_role=True)
    approvers = azuread.Group(f"{name}-approvers", display_name="approvers", security_enabled=True)
    azuread.DirectoryRoleAssignment(f"{name}-role", role_id=GA, principal_object_id=group.object_id)
    return azuread.GroupRoleManagementPolicy(
        f"{name}-policy",
        group_id=group.object_id,
        role_id="member",
        activation_rules={
            "maximum_duration": "PT1H",
            "require_approval": True,
            "require_justification": True,
            "required_conditional_access_authentication_context": claim,
            "approval_stage": {"primary_approvers": [{"object_id": approvers.object_id, "type": "groupMembers"}]},
        },
        eligible_assignment_rules={"expiration_required": True, "expire_after": "P90D"},
        active_assignment_rules={"expiration_required": True, "expire_after": "P15D"},
        notification_rules={"eligible_assignments": ALERT, "active_assignments": ALERT, "eligible_activations": ALERT},
    )


def graph_pim(claim="c1", enabled=True, kind="entraRoleSettings"):
    rule = {
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
        "id": "AuthenticationContext_EndUser_Assignment",
        "isEnabled": enabled,
        "claimValue": claim,
        "target": {"caller": "EndUser", "level": "Assignment", "operations": ["all"]},
    }
    return Raw("ga-settings", {"graphKind": kind, "roleDefinitionId": GA, "rules": [rule]})


def azure_pim(claim="c1"):
    return azure_native.authorization.RoleManagementPolicy(
        "owner-settings",
        scope=SCOPE,
        role_management_policy_name="6c8f1d3e-2b7a-4e59-9c41-0d2e8a7f5b60",
        rules=[
            {
                "rule_type": "RoleManagementPolicyAuthenticationContextRule",
                "id": "AuthenticationContext_EndUser_Assignment",
                "is_enabled": True,
                "claim_value": claim,
                "target": {"caller": "EndUser", "level": "Assignment", "operations": ["All"]},
            }
        ],
    )


PIM_SHAPES = {"group": group_pim, "graph": graph_pim, "azure": azure_pim}


def found(report, policy):
    return [v for v in report.violations if v.policy == policy]


def mandatory(report, policy):
    hits = found(report, policy)
    assert hits, f"{policy} reported nothing: {[(v.policy, v.message[:100]) for v in report.violations]}"
    assert all(v.enforcement_level == "mandatory" for v in hits), hits
    return hits


def none_of(report, policy):
    assert found(report, policy) == [], [v.message[:300] for v in found(report, policy)]


# -- pim-authentication-context-enforced: compliant --------------------------------------------------------


@pytest.mark.parametrize("shape", sorted(PIM_SHAPES))
@pytest.mark.parametrize("paw", [False, True], ids=["no-paw", "paw"])
def test_a_context_with_enabled_policies_that_give_it_meaning_passes(shape, paw):
    def program():
        bg = BreakGlassAccounts()
        if paw:
            Paw()
        PIM_SHAPES[shape]()
        context()
        context_policies(bg, paw=paw)

    none_of(preview(program), ENFORCED)


def test_the_strength_and_the_device_may_come_from_separate_policies():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        graph_ca("strength", users=everyone_but(bg), grant={"operator": "OR", "authenticationStrength": {"id": PR}})
        graph_ca("device", users=everyone_but(bg), grant={"operator": "OR", "builtInControls": ["compliantDevice"]})

    none_of(preview(program), ENFORCED)


def test_no_pim_setting_requires_a_context_nothing_is_asked():
    def program():
        BreakGlassAccounts()
        group_pim(claim="")

    none_of(preview(program), ENFORCED)


# -- pim-authentication-context-enforced: the hole, by class -----------------------------------------------


@pytest.mark.parametrize("shape", sorted(PIM_SHAPES))
def test_a_context_nothing_gives_meaning_is_a_violation_in_every_pim_shape(shape):
    def program():
        BreakGlassAccounts()
        PIM_SHAPES[shape]()

    hits = mandatory(preview(program), ENFORCED)
    assert "does not declare" in hits[0].message and "'c1'" in hits[0].message


def test_a_declared_context_with_no_policy_is_a_violation():
    def program():
        BreakGlassAccounts()
        group_pim()
        context()

    hits = mandatory(preview(program), ENFORCED)
    assert {"phishing-resistant" in v.message or "compliant device" in v.message for v in hits} == {True}


def test_an_unpublished_context_is_a_violation():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context(available=False)
        context_policies(bg)

    assert "isAvailable" in mandatory(preview(program), ENFORCED)[0].message


def test_another_claim_value_is_not_the_context():
    def program():
        bg = BreakGlassAccounts()
        group_pim(claim="c2")
        context("c1")
        context_policies(bg)

    assert "'c2'" in mandatory(preview(program), ENFORCED)[0].message


@pytest.mark.parametrize("state", ["enabledForReportingButNotEnforced", "disabled"])
def test_a_report_only_or_disabled_policy_gives_no_meaning(state):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        context_policies(bg, state=state)

    assert any(f"is {state}" in v.message for v in mandatory(preview(program), ENFORCED))


WEAK = {
    "role-excluded": lambda bg: {"users": {"includeUsers": ["All"], "excludeUsers": bg.ids, "excludeRoles": [GA]}},
    "group-excluded": lambda bg: {
        "users": {
            "includeUsers": ["All"],
            "excludeUsers": bg.ids,
            "excludeGroups": [azuread.Group("escape", display_name="escape", security_enabled=True).object_id],
        }
    },
    "only-ga": lambda bg: {"users": {"includeRoles": [GA], "excludeUsers": bg.ids}},
    "platform": lambda bg: {"users": everyone_but(bg), "conditions": {"platforms": {"includePlatforms": ["windows"]}}},
    "location": lambda bg: {
        "users": everyone_but(bg),
        "conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
    },
    "browser-only": lambda bg: {"users": everyone_but(bg), "conditions": {"clientAppTypes": ["browser"]}},
    "risk": lambda bg: {"users": everyone_but(bg), "conditions": {"signInRiskLevels": ["high"]}},
    "unread-condition": lambda bg: {"users": everyone_but(bg), "conditions": {"agents": {"includeAgentIds": ["x"]}}},
    "other-context": lambda bg: {
        "users": everyone_but(bg),
        "apps": {"includeAuthenticationContextClassReferences": ["c2"]},
    },
    "mfa-or-strength": lambda bg: {
        "users": everyone_but(bg),
        "grant": {
            "operator": "OR",
            "builtInControls": ["mfa", "compliantDevice"],
            "authenticationStrength": {"id": PR},
        },
    },
    "weaker-strength": lambda bg: {
        "users": everyone_but(bg),
        "grant": {"operator": "AND", "builtInControls": ["compliantDevice"], "authenticationStrength": {"id": MFA}},
    },
    "no-device": lambda bg: {
        "users": everyone_but(bg),
        "grant": {"operator": "AND", "authenticationStrength": {"id": PR}},
    },
    "forged-kind": lambda bg: {"users": everyone_but(bg), "kind": "privateAccessApp"},
}


@pytest.mark.parametrize("weakness", sorted(WEAK))
def test_a_policy_a_sign_in_can_escape_does_not_give_the_context_meaning(weakness):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        over = WEAK[weakness](bg)
        graph_ca("ca09", **{"grant": STRONG, **over})

    mandatory(preview(program), ENFORCED)


def test_an_azuread_policy_cannot_target_a_context_so_it_never_counts():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        azuread.ConditionalAccessPolicy(
            "aad",
            display_name="aad",
            state="enabled",
            conditions={
                "users": {"included_users": ["All"], "excluded_users": bg.ids},
                "applications": {"included_applications": ["All"]},
                "client_app_types": ["all"],
            },
            grant_controls={
                "operator": "AND",
                "built_in_controls": ["compliantDevice"],
                "authentication_strength_policy_id": f"/policies/authenticationStrengthPolicies/{PR}",
            },
        )

    mandatory(preview(program), ENFORCED)


def test_with_a_paw_the_context_must_also_be_blocked_outside_it():
    def program():
        bg = BreakGlassAccounts()
        Paw()
        group_pim()
        context()
        context_policies(bg, paw=False)

    assert any("outside the PAW" in v.message for v in mandatory(preview(program), ENFORCED))


def test_the_device_controls_are_configurable(tmp_path):
    def program():
        bg = BreakGlassAccounts()
        Paw()
        group_pim()
        context()
        graph_ca("ca09", users=everyone_but(bg), grant={"operator": "AND", "authenticationStrength": {"id": PR}})

    report = preview(program, tmp_path, {ENFORCED: {"authenticationContextDeviceControls": []}})
    none_of(report, ENFORCED)


# -- unknown at preview -------------------------------------------------------------------------------------


UNKNOWN = {
    "claim": lambda bg, g: group_pim(claim=later(g.object_id, "c1")),
    "rule-enabled": lambda bg, g: graph_pim(enabled=later(g.object_id, True)),
    "context-claim": lambda bg, g: Raw(
        "ctx2", {"graphKind": "authenticationContext", "claimValue": later(g.object_id, "c1"), "isAvailable": True}
    ),
    "context-available": lambda bg, g: Raw(
        "ctx2", {"graphKind": "authenticationContext", "claimValue": "c1", "isAvailable": later(g.object_id, True)}
    ),
    "policy-state": lambda bg, g: graph_ca(
        "ca09", state=later(g.object_id, "enabled"), users=everyone_but(bg), grant=STRONG
    ),
    "policy-exclusion": lambda bg, g: graph_ca(
        "ca09", users={"includeUsers": ["All"], "excludeUsers": [later(g.object_id, "x")]}, grant=STRONG
    ),
    "policy-contexts": lambda bg, g: graph_ca(
        "ca09",
        users=everyone_but(bg),
        apps={"includeAuthenticationContextClassReferences": [later(g.object_id, "c1")]},
        grant=STRONG,
    ),
    "policy-kind": lambda bg, g: graph_ca(
        "ca09", kind=later(g.object_id, "conditionalAccessPolicy"), users=everyone_but(bg), grant=STRONG
    ),
}


@pytest.mark.parametrize("what", sorted(UNKNOWN))
def test_an_unknown_deciding_value_is_mandatory_unverified(what):
    """The unknown case replaces one piece of a program that would otherwise fail (so passing needs the unknown)."""

    def program():
        bg = BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        if what not in ("claim", "rule-enabled"):
            group_pim()  # the case supplies the PIM setting itself
        if not what.startswith("context"):
            context()  # the case supplies the context itself
        if what == "claim" or what.startswith("context"):
            context_policies(bg)  # only the unknown stands between the program and compliance
        UNKNOWN[what](bg, g)

    hits = mandatory(preview(program), ENFORCED)
    assert any("unknown at preview" in v.message for v in hits), [v.message[:200] for v in hits]


def test_unknown_values_can_be_accepted_as_advisory(tmp_path):
    def program():
        bg = BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        group_pim(claim=later(g.object_id, "c1"))
        context()
        context_policies(bg)

    report = preview(program, tmp_path, {ENFORCED: {"unknownAtPreview": "advisory"}})
    assert [v.enforcement_level for v in found(report, ENFORCED)] == ["advisory"]


# -- the existing CA rules read the Graph shape (one reader) -------------------------------------------------


KINDS = ["conditionalAccessPolicy", "ConditionalAccessPolicy", " conditionalaccesspolicy ", "CONDITIONAL ACCESS POLICY"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_graph_policy_that_blocks_everyone_without_break_glass_is_a_lockout(kind):
    def program():
        BreakGlassAccounts()
        graph_ca("lock", kind=kind, apps={"includeApplications": ["All"]}, grant=BLOCK)

    assert mandatory(preview(program), LOCKOUT)
    assert mandatory(preview(program), BG_EXCLUDED)


def test_a_graph_policy_of_unknown_kind_that_may_lock_out_is_unverified():
    def program():
        BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        graph_ca(
            "lock",
            kind=later(g.object_id, "conditionalAccessPolicy"),
            apps={"includeApplications": ["All"]},
            grant=BLOCK,
        )

    assert any("unknown at preview" in v.message for v in mandatory(preview(program), LOCKOUT))


def test_a_graph_policy_that_excludes_the_break_glass_accounts_is_no_lockout():
    def program():
        bg = BreakGlassAccounts()
        graph_ca("lock", users=everyone_but(bg), apps={"includeApplications": ["All"]}, grant=BLOCK)

    report = preview(program)
    none_of(report, LOCKOUT)
    none_of(report, BG_EXCLUDED)


@pytest.mark.parametrize("kind", KINDS[:2])
def test_a_graph_policy_that_excludes_a_role_fails_and_an_unknown_role_is_unverified(kind):
    def program():
        bg = BreakGlassAccounts()
        graph_ca(
            "r", kind=kind, users={"includeRoles": [GA], "excludeRoles": [GA], "excludeUsers": bg.ids}, grant=STRONG
        )

    assert "excludes roles" in mandatory(preview(program), ROLE_EXCLUSIONS)[0].message

    def unknown():
        bg = BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        graph_ca(
            "r",
            users={"includeRoles": [GA], "excludeRoles": [later(g.object_id, GA)], "excludeUsers": bg.ids},
            grant=STRONG,
        )

    assert "unknown at preview" in mandatory(preview(unknown), ROLE_EXCLUSIONS)[0].message


def test_a_graph_policy_counts_as_phishing_resistant_coverage_only_with_a_known_kind():
    def program(kind):
        def run():
            bg = BreakGlassAccounts()
            g = azuread.Group("admins", display_name="a", security_enabled=True, assignable_to_role=True)
            azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=g.object_id)
            graph_ca(
                "ca01",
                kind=kind if kind != "unknown" else later(g.object_id, "conditionalAccessPolicy"),
                users={"includeRoles": [GA], "excludeUsers": bg.ids},
                apps={"includeApplications": ["All"]},
                grant={"operator": "OR", "authenticationStrength": {"id": PR}},
            )

        return run

    none_of(preview(program("conditionalAccessPolicy")), PHISHING)
    assert any("unknown at preview" in v.message for v in mandatory(preview(program("unknown")), PHISHING))


def test_a_graph_admin_policy_with_a_condition_the_reader_does_not_know_is_no_coverage():
    def program():
        bg = BreakGlassAccounts()
        g = azuread.Group("admins", display_name="a", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=g.object_id)
        graph_ca(
            "ca01",
            users={"includeRoles": [GA], "excludeUsers": bg.ids},
            apps={"includeApplications": ["All"]},
            grant={"operator": "OR", "authenticationStrength": {"id": PR}},
            conditions={"times": {"included": ["weekdays"]}},
        )

    assert "does not read" in mandatory(preview(program), PHISHING)[0].message


# -- ca-admin-cae-strict (advisory) -------------------------------------------------------------------------


def cae_program(mode="strictEnforcement", state="enabled", session=None):
    def run():
        bg = BreakGlassAccounts()
        g = azuread.Group("admins", display_name="a", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=g.object_id)
        graph_ca(
            "ca11",
            state=state,
            users={"includeRoles": [GA], "excludeUsers": bg.ids},
            apps={"includeApplications": ["All"]},
            sessionControls=session(g) if session else {"continuousAccessEvaluation": {"mode": mode}},
        )

    return run


def test_strict_cae_for_the_admins_passes_and_its_absence_is_advisory():
    none_of(preview(cae_program()), CAE)
    for program in (cae_program(mode="disabled"), cae_program(state="disabled")):
        hits = found(preview(program), CAE)
        assert hits and {v.enforcement_level for v in hits} == {"advisory"}


def test_an_unknown_cae_mode_is_an_advisory_unverified_note():
    hits = found(
        preview(cae_program(session=lambda g: {"continuousAccessEvaluation": {"mode": later(g.object_id, "x")}})), CAE
    )
    assert hits and {v.enforcement_level for v in hits} == {"advisory"}
    assert "unknown at preview" in hits[0].message


# -- more classes: mixed shapes, claim spelling, unknown kinds, staged rollout ---------------------------------


def test_azuread_spelled_keys_inside_a_graph_resource_are_still_read():
    """A Graph-kind resource written with azuread's wire names (includedUsers) is read, not skipped."""

    def program():
        BreakGlassAccounts()
        graph_ca(
            "lock",
            users={"includedUsers": ["All"]},
            apps={"includedApplications": ["All"]},
            grant={"operator": "OR", "builtInControls": ["block"]},
        )

    assert mandatory(preview(program), LOCKOUT)


def test_a_graph_lockout_with_unknown_users_is_unverified():
    def program():
        BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        graph_ca(
            "lock",
            users={"includeUsers": [later(g.object_id, "All")]},
            apps={"includeApplications": ["All"]},
            grant=BLOCK,
        )

    assert any("unknown at preview" in v.message for v in mandatory(preview(program), LOCKOUT))


def test_a_claim_value_in_another_case_is_not_the_declared_context():
    def program():
        bg = BreakGlassAccounts()
        group_pim(claim="C1")
        context("c1")
        context_policies(bg)

    assert "does not declare" in mandatory(preview(program), ENFORCED)[0].message


def test_role_settings_of_unknown_kind_that_may_require_a_context_are_unverified():
    def program():
        BreakGlassAccounts()
        g = azuread.Group("source", display_name="source", security_enabled=True)
        graph_pim(kind=later(g.object_id, "entraRoleSettings"))
        context()

    assert any("unknown at preview" in v.message for v in mandatory(preview(program), ENFORCED))


@pytest.mark.parametrize("kind", ["entraRoleSettings", "EntraRoleSettings"])
def test_role_settings_in_any_spelling_are_read(kind):
    def program():
        BreakGlassAccounts()
        graph_pim(kind=kind)

    assert mandatory(preview(program), ENFORCED)


def test_a_graph_admin_policy_report_only_in_production_is_a_violation(tmp_path):
    def program():
        bg = BreakGlassAccounts()
        g = azuread.Group("admins", display_name="a", security_enabled=True, assignable_to_role=True)
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=g.object_id)
        graph_ca(
            "ca11",
            state="enabledForReportingButNotEnforced",
            users={"includeRoles": [GA], "excludeUsers": bg.ids},
            apps={"includeApplications": ["All"]},
            sessionControls={"continuousAccessEvaluation": {"mode": "strictEnforcement"}},
        )

    report = preview(program, tmp_path, {"ca-admin-policy-enforced-in-production": {"production": True}})
    assert mandatory(report, "ca-admin-policy-enforced-in-production")


@pytest.mark.parametrize("methods, weak", [(["fido2"], False), (["fido2", "password,sms"], True)])
def test_a_custom_strength_counts_only_with_phishing_resistant_methods(methods, weak):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        strength = azuread.AuthenticationStrengthPolicy("custom", display_name="custom", allowed_combinations=methods)
        graph_ca(
            "ca09",
            users=everyone_but(bg),
            grant={
                "operator": "AND",
                "builtInControls": ["compliantDevice"],
                "authenticationStrength": {"id": strength.id},
            },
        )

    report = preview(program)
    if weak:
        assert any("phishing-resistant" in v.message for v in mandatory(report, ENFORCED))
    else:
        none_of(report, ENFORCED)
