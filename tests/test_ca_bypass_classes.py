"""The red team's bypass classes of the CA reader (`conditional_access.ca_view` / `CaPolicy`) and of
pim-authentication-context-enforced, as plain programs previewed with the pack (the clock is the pack's, never
today's).

Each class is tested as a class, not as the probe that found it: every kind of exclusion that is not a break-glass
account; every grant control that under OR replaces the required one; every device filter that is not the PAW's;
every graphKind spelling that is not exactly ours, and dynamic type names; every key spelled in another case or unknown
to the reader. Each has its compliant counterpart and its unknown-at-preview variant.
"""

from __future__ import annotations

import pathlib
import tempfile

import pulumi
import pulumi_azuread as azuread
import pytest
from conftest import preview_with_pack
from pack_cases import BreakGlassAccounts, later
from pulumi.dynamic import CreateResult, Resource, ResourceProvider
from test_authentication_context_policies import (
    BLOCK,
    ENFORCED,
    GA,
    LOCKOUT,
    PAW_FILTER,
    PHISHING,
    PR,
    ROLE_EXCLUSIONS,
    STRONG,
    Paw,
    context,
    everyone_but,
    graph_ca,
    graph_pim,
    group_pim,
    mandatory,
    none_of,
    preview,
)

PORTALS = "ca-admin-portals-compliant-device"
TOU = "5a9b8c7d-0000-4000-8000-00000000a0a0"
OUTSIDER = "3F0C6F1E-1111-4111-8111-000000000123"  # an account or group the stack does not declare (upper case)


def with_config(program, config):
    return preview_with_pack(program, pathlib.Path(tempfile.mkdtemp()), config)


def messages(report, policy):
    return " | ".join(v.message for v in report.violations if v.policy == policy)


def c1_policies(bg, users=None, grant=STRONG, paw_rule=None, **extra):
    """PUM-CA09 (and with `paw_rule` PUM-CA10) as plain Graph-shaped dynamic resources."""
    graph_ca("ca09", users=users or everyone_but(bg), grant=grant, **extra)
    if paw_rule is not None:
        graph_ca(
            "ca10",
            users=users or everyone_but(bg),
            grant=BLOCK,
            conditions={"devices": {"deviceFilter": {"mode": "exclude", "rule": paw_rule}}},
        )


# -- 1. an exclusion that is not a break-glass account -----------------------------------------------------------

ESCAPES = {
    "literal-user": lambda bg: {**everyone_but(bg), "excludeUsers": [*bg.ids, OUTSIDER]},
    "literal-user-lower": lambda bg: {**everyone_but(bg), "excludeUsers": [*bg.ids, OUTSIDER.lower()]},
    "literal-group": lambda bg: {**everyone_but(bg), "excludeGroups": [OUTSIDER]},
    "guests-keyword": lambda bg: {**everyone_but(bg), "excludeUsers": [*bg.ids, "GuestsOrExternalUsers"]},
    "guests-object": lambda bg: {
        **everyone_but(bg),
        "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"},
    },
    "role": lambda bg: {**everyone_but(bg), "excludeRoles": [GA]},
}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_an_exclusion_that_is_not_a_break_glass_account_leaves_the_context_without_meaning(escape):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        c1_policies(bg, users=ESCAPES[escape](bg))

    hits = mandatory(preview(program), ENFORCED)
    assert OUTSIDER.lower() not in " ".join(v.message.lower() for v in hits)  # an ID is never echoed


def test_an_unknown_exclusion_from_no_declared_account_is_unverified():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        source = azuread.Group("other", display_name="other", security_enabled=True)
        # computed from a group's output, but not that group's ID: it may be anyone
        c1_policies(bg, users={**everyone_but(bg), "excludeUsers": [*bg.ids, later(source.object_id, OUTSIDER)]})

    assert "unknown at preview" in messages(preview(program), ENFORCED) or mandatory(preview(program), ENFORCED)


def test_a_configured_break_glass_id_may_be_excluded():
    def program():
        BreakGlassAccounts()
        group_pim()
        context()
        graph_ca("ca09", users={"includeUsers": ["All"], "excludeUsers": [OUTSIDER]}, grant=STRONG)

    config = {ENFORCED: {"breakGlassObjectIds": [OUTSIDER.lower()]}}
    none_of(with_config(program, config), ENFORCED)


def test_an_azuread_admin_policy_excluding_a_literal_account_does_not_cover_the_admins():
    def program():
        BreakGlassAccounts()
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=OUTSIDER.lower())
        azuread.ConditionalAccessPolicy(
            "admins",
            display_name="admins",
            state="enabled",
            conditions={
                "users": {"included_roles": [GA], "excluded_users": ["GuestsOrExternalUsers"]},
                "applications": {"included_applications": ["All"]},
                "client_app_types": ["all"],
            },
            grant_controls={"operator": "AND", "authentication_strength_policy_id": PR},
        )

    assert "GuestsOrExternalUsers" in messages(preview(program), PHISHING)


# -- 2. under OR every other control is an alternative -------------------------------------------------------------

ALTERNATIVES = {
    "terms-of-use": {"termsOfUse": [TOU]},
    "custom-factor": {"customAuthenticationFactors": ["duo"]},
    "key-the-reader-does-not-know": {"someFutureControl": ["x"]},
    "built-in": {"builtInControls": ["mfa"]},
}


@pytest.mark.parametrize("alternative", sorted(ALTERNATIVES))
@pytest.mark.parametrize("required", ["strength", "device"])
def test_an_or_alternative_replaces_the_required_control(alternative, required):
    base = (
        {"authenticationStrength": {"id": PR}} if required == "strength" else {"builtInControls": ["compliantDevice"]}
    )
    extra = dict(ALTERNATIVES[alternative])
    if "builtInControls" in extra and "builtInControls" in base:
        extra["builtInControls"] = [*base["builtInControls"], *extra["builtInControls"]]

    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        # the other control comes from a sound policy; the OR policy is the only one offering the required one
        if required == "strength":
            graph_ca(
                "device", users=everyone_but(bg), grant={"operator": "AND", "builtInControls": ["compliantDevice"]}
            )
        else:
            graph_ca(
                "strength", users=everyone_but(bg), grant={"operator": "AND", "authenticationStrength": {"id": PR}}
            )
        graph_ca("or", users=everyone_but(bg), grant={"operator": "OR", **base, **extra})

    report = preview(program)
    if required == "strength":
        hits = [v for v in mandatory(report, ENFORCED) if "phishing-resistant" in v.message]
    else:
        hits = [v for v in mandatory(report, ENFORCED) if "compliant device" in v.message]
    assert hits and "operator OR" in hits[0].message


def test_under_or_the_strength_replaces_the_compliant_device():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        graph_ca(
            "or",
            users=everyone_but(bg),
            grant={"operator": "OR", "builtInControls": ["compliantDevice"], "authenticationStrength": {"id": PR}},
        )

    assert "compliant device" in messages(preview(program), ENFORCED)


def test_an_unknown_operator_with_an_alternative_is_unverified():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        other = azuread.Group("g", display_name="g", security_enabled=True)
        grant = {"operator": later(other.object_id, "AND"), **STRONG, "termsOfUse": [TOU]}
        graph_ca("ca09", users=everyone_but(bg), grant={**grant, "operator": later(other.object_id, "AND")})

    assert "unknown at preview" in messages(preview(program), ENFORCED)


def test_under_and_a_terms_of_use_adds_a_control_and_replaces_none():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        graph_ca("ca09", users=everyone_but(bg), grant={**STRONG, "termsOfUse": [TOU]})

    none_of(preview(program), ENFORCED)


# -- 3. the PAW block must exclude the PAW's own device filter ------------------------------------------------------

CATCH_ALL = [
    'device.displayName -ne "never-a-name"',
    'device.displayName -startsWith ""',
    'device.trustType -in ["AzureAD","ServerAD","Workplace"]',
    PAW_FILTER + ' -or device.displayName -ne "x"',
]


@pytest.mark.parametrize("rule", CATCH_ALL)
def test_a_block_whose_filter_is_not_the_paws_blocks_nothing_that_matters(rule):
    def program():
        bg = BreakGlassAccounts()
        Paw()
        group_pim()
        context()
        c1_policies(bg, paw_rule=rule)

    assert "not the PAW's device filter" in messages(preview(program), ENFORCED)


def test_the_paws_filter_matches_whatever_the_whitespace_and_operator_case():
    spaced = "  " + PAW_FILTER.replace(" -", "   -").replace("-startsWith", "-STARTSWITH").replace("-and", "-And")

    def program():
        bg = BreakGlassAccounts()
        Paw()
        group_pim()
        context()
        c1_policies(bg, paw_rule=spaced)

    none_of(preview(program), ENFORCED)


def test_a_paw_component_publishing_a_catch_all_filter_is_not_believed():
    def program():
        bg = BreakGlassAccounts()
        Paw(device_filter=CATCH_ALL[0])
        group_pim()
        context()
        c1_policies(bg, paw_rule=CATCH_ALL[0])

    assert "no PAW device filter is known" in messages(preview(program), ENFORCED)


def test_a_paw_that_publishes_no_filter_needs_one_configured():
    def program():
        bg = BreakGlassAccounts()
        Paw(device_filter=None)
        group_pim()
        context()
        c1_policies(bg, paw_rule=PAW_FILTER)

    assert "no PAW device filter is known" in messages(preview(program), ENFORCED)
    none_of(with_config(program, {ENFORCED: {"pawDeviceFilters": [PAW_FILTER]}}), ENFORCED)


def test_a_paw_filter_unknown_at_preview_is_unverified():
    class LatePaw(pulumi.ComponentResource):
        def __init__(self):
            super().__init__("privileged-access:index:PawHostPool", "paw", None, None)
            group = azuread.Group("paw-users", display_name="paw", security_enabled=True)
            self.register_outputs({"deviceFilter": later(group.object_id, PAW_FILTER)})

    def program():
        bg = BreakGlassAccounts()
        LatePaw()
        group_pim()
        context()
        c1_policies(bg, paw_rule=PAW_FILTER)

    assert "PawHostPool deviceFilter is unknown at preview" in messages(preview(program), ENFORCED)


@pytest.mark.parametrize("rule", [CATCH_ALL[0], PAW_FILTER])
def test_admin_portals_block_counts_only_with_the_paws_filter(rule):
    def program():
        Paw()
        azuread.DirectoryRoleAssignment("ga", role_id=GA, principal_object_id=OUTSIDER.lower())
        azuread.ConditionalAccessPolicy(
            "portals",
            display_name="portals",
            state="enabled",
            conditions={
                "users": {"included_roles": [GA]},
                "applications": {
                    "included_applications": ["MicrosoftAdminPortals", "797f4846-ba00-4fd7-ba43-dac1f8f63013"]
                },
                "client_app_types": ["all"],
                "devices": {"filter": {"mode": "exclude", "rule": rule}},
            },
            grant_controls={"operator": "OR", "built_in_controls": ["block"]},
        )

    found = messages(preview(program), PORTALS)
    assert ("not the PAW's device filter" in found) == (rule != PAW_FILTER)


# -- 4/5. a graphKind that is not exactly ours, and dynamic type names ------------------------------------------------

SPELLINGS = [
    "conditional_access_policy",
    "ConditionalAccessPolicies",
    "CONDITIONALACCESSPOLICY",
    " conditionalAccessPolicy",
    None,
]


@pytest.mark.parametrize("kind", SPELLINGS, ids=repr)
def test_a_lockout_in_any_other_graphkind_spelling_is_judged(kind):
    def program():
        BreakGlassAccounts()
        props = {
            "displayName": "block-all",
            "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
            "grantControls": BLOCK,
        }
        graph_ca_raw("block-all", props if kind is None else {"graphKind": kind, **props})

    hits = mandatory(preview(program), LOCKOUT)
    assert "excludes nobody" in hits[0].message


@pytest.mark.parametrize("kind", SPELLINGS[:3], ids=repr)
def test_a_policy_in_another_graphkind_spelling_never_gives_the_context_meaning(kind):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        c1_policies(bg, kind=kind)

    assert "never counts as coverage" in messages(preview(program), ENFORCED)


@pytest.mark.parametrize("kind", ["entraRoleSetting", "EntraRoleSettings", "entra_role_settings", "roleSettings"])
def test_role_settings_in_another_graphkind_spelling_are_judged(kind):
    def program():
        BreakGlassAccounts()
        graph_pim("c2", kind=kind)

    assert "'c2'" in mandatory(preview(program), ENFORCED)[0].message


def test_a_context_in_another_graphkind_spelling_is_not_the_context():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        graph_ca_raw("ctx", {"graphKind": "AuthenticationContext", "claimValue": "c1", "isAvailable": True})
        c1_policies(bg)

    assert "does not declare" in mandatory(preview(program), ENFORCED)[0].message


class _NoOp(ResourceProvider):
    def create(self, props):
        return CreateResult("id", props)


class Named(Resource, module="graph", name="Policy"):
    """A dynamic resource with its own type name: pulumi-python:dynamic/graph:Policy."""

    def __init__(self, name, props):
        super().__init__(_NoOp(), name, props)


def graph_ca_raw(name, props):
    class Raw(Resource):
        def __init__(self):
            super().__init__(_NoOp(), name, props)

    return Raw()


def test_a_dynamic_resource_with_its_own_type_name_is_read():
    def program():
        BreakGlassAccounts()
        Named(
            "block-all",
            {
                "displayName": "block-all",
                "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
                "grantControls": BLOCK,
            },
        )

    mandatory(preview(program), LOCKOUT)


def test_an_unknown_graphkind_with_a_lockout_shape_is_unverified():
    def program():
        BreakGlassAccounts()
        group = azuread.Group("g", display_name="g", security_enabled=True)
        graph_ca_raw(
            "block-all",
            {
                "graphKind": later(group.object_id, "conditionalAccessPolicy"),
                "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
                "grantControls": BLOCK,
            },
        )

    assert "graphKind is unknown at preview" in messages(preview(program), LOCKOUT)


# -- 6. keys in another case, keys the reader does not know ----------------------------------------------------------


def test_a_pascal_case_role_exclusion_is_read():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        c1_policies(bg, users={"includeUsers": ["All"], "excludeUsers": bg.ids, "ExcludeRoles": [GA]})

    report = preview(program)
    mandatory(report, ROLE_EXCLUSIONS)
    assert "excludes roles" in messages(report, ENFORCED)


@pytest.mark.parametrize("case", [str.upper, str.capitalize, lambda k: k[0].upper() + k[1:]])
def test_a_lockout_in_any_key_case_is_read(case):
    def program():
        BreakGlassAccounts()
        graph_ca_raw(
            "block-all",
            {
                "graphKind": "conditionalAccessPolicy",
                "state": "enabled",
                case("conditions"): {
                    case("users"): {case("includeUsers"): ["All"]},
                    case("applications"): {case("includeApplications"): ["All"]},
                },
                "grantControls": BLOCK,
            },
        )

    mandatory(preview(program), LOCKOUT)


def test_keys_in_another_case_give_the_context_its_meaning_as_graph_reads_them():
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        graph_ca(
            "ca09",
            users={"IncludeUsers": ["All"], "ExcludeUsers": bg.ids},
            grant={"Operator": "AND", "BuiltInControls": ["compliantDevice"], "AuthenticationStrength": {"Id": PR}},
        )

    none_of(preview(program), ENFORCED)


@pytest.mark.parametrize(
    "where",
    [
        {"users": {"includeUsers": ["All"], "excludeServicePrincipals": ["x"]}},
        {"applications": {"includeAuthenticationContextClassReferences": ["c1"], "networkAccess": {"x": 1}}},
        {"devices": {"deviceFilter": {"mode": "include", "rule": "x"}, "someFilter": ["x"]}},
        {"notACondition": {"x": 1}},
    ],
    ids=["users", "applications", "devices", "conditions"],
)
def test_a_key_the_reader_does_not_know_narrows_the_policy(where):
    def program():
        bg = BreakGlassAccounts()
        group_pim()
        context()
        users = where.get("users") or everyone_but(bg)
        if "users" in where:
            users = {**users, "excludeUsers": bg.ids}
        apps = where.get("applications")
        conditions = {k: v for k, v in where.items() if k not in ("users", "applications")}
        graph_ca("ca09", users=users, apps=apps, grant=STRONG, conditions=conditions)

    assert "does not read" in messages(preview(program), ENFORCED) or "some devices" in messages(
        preview(program), ENFORCED
    )


def test_after_a_deployment_a_declared_break_glass_accounts_known_id_may_be_excluded():
    """AnalyzeStack after `up` sees the accounts' object IDs: an exclusion equal to one is the account, any other
    known ID is not."""
    known = {"bg-1": "B0000000-0000-4000-8000-0000000000B1", "bg-2": "B0000000-0000-4000-8000-0000000000B2"}

    def program(extra=()):
        BreakGlassAccounts()
        group_pim()
        context()
        users = {"includeUsers": ["All"], "excludeUsers": [*known.values(), *extra]}
        graph_ca("ca09", users=users, grant=STRONG)

    def tenant(typ, name):
        return {"objectId": known[name].lower()} if name in known else {}

    none_of(preview_with_pack(program, deployed_state=tenant), ENFORCED)
    mandatory(preview_with_pack(lambda: program([OUTSIDER]), deployed_state=tenant), ENFORCED)
