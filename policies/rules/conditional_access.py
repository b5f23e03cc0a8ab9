"""Policies for conditional access: no tenant lockout, phishing-resistant admins, PAW-only admin portals.

Report-only first, enforced in production. The example stack ships every CA policy report-only
(`enabledForReportingButNotEnforced`) so sign-in logs can be read before enforcing. Therefore:
- a report-only or disabled admin policy is ADVISORY (`ca-admin-policy-report-only`) unless the
  stack is marked production, where `ca-admin-policy-enforced-in-production` makes it MANDATORY;
- the stack rules (`ca-phishing-resistant-admins`, `ca-admin-portals-compliant-device`) are
  MANDATORY when no policy is declared at all, and, in production, when the ones declared are not
  enabled. Report-only never satisfies them in production, and plain `mfa` never satisfies 3.6.
A stack is production when the policy's config says `production: true` or a stack tag
`environment` is `production`/`prod`.
Unknown IDs (preview): certain facts are read and reported first; IDs that are unknown are resolved
through property dependencies to the resources that produce them, never taken as compliant.
"""

from __future__ import annotations

from privileged_facts.apps import ADMIN_PORTAL_TARGETS, BUILTIN_PHISHING_RESISTANT_STRENGTH, PHISHING_RESISTANT_METHODS
from privileged_facts.roles import GLOBAL_ADMINISTRATOR, PRIVILEGED_ROLE_IDS
from privileged_facts.values import guid_in, is_guid, is_unknown
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    CA,
    SCUBA,
    TUNABLES,
    break_glass_config,
    break_glass_resources,
    dependencies_of,
    elements,
    get,
    is_production,
    meta,
    role_grants,
)
from .paw import is_paw

STRENGTH = "azuread:index/authenticationStrengthPolicy:AuthenticationStrengthPolicy"
PAW_COMPONENT = "privileged-access:index:PawHostPool"
DEVICE_CONTROLS = {"compliantDevice", "domainJoinedDevice"}


def _ids(value, *path) -> tuple[list[str], bool]:
    """(known entries, GUIDs lower-cased; whether any entry or the whole list is unknown) of a list field."""
    items = elements(value, *path)
    known = [i.lower() if is_guid(i) else i for i in items if not is_unknown(i)]
    return known, len(known) < len(items)


class CaPolicy:
    """The facts of one CA policy that the rules use, read without touching unknowns."""

    def __init__(self, props, urn: str = "", name: str = "", deps=()) -> None:
        self.urn, self.name, self.deps = urn, name, set(deps)
        state = get(props, "state")
        self.state = "enabled" if is_unknown(state) else state  # worst case: it may be enabled
        users = get(props, "conditions", "users")
        self.users, self.users_unknown = _ids(users, "includedUsers")
        self.groups, self.groups_unknown = _ids(users, "includedGroups")
        self.roles, _ = _ids(users, "includedRoles")
        self.ex_users, self.ex_users_unknown = _ids(users, "excludedUsers")
        self.ex_groups, self.ex_groups_unknown = _ids(users, "excludedGroups")
        self.ex_roles, ex_roles_unknown = _ids(users, "excludedRoles")
        self.has_role_exclusions = bool(self.ex_roles) or ex_roles_unknown
        self.apps, _ = _ids(props, "conditions", "applications", "includedApplications")
        grant = get(props, "grantControls")
        self.controls, _ = _ids(grant, "builtInControls")
        self.operator = get(grant, "operator")
        self.strength = get(grant, "authenticationStrengthPolicyId")
        self.terms, _ = _ids(grant, "termsOfUses")
        self.device_filter_mode = get(props, "conditions", "devices", "filter", "mode")

    @property
    def label(self) -> str:
        return self.name or "policy"

    def requires_controls(self) -> bool:
        return bool(self.controls or self.terms or self.strength)

    def targets_admins(self) -> bool:
        return bool(set(self.roles) & PRIVILEGED_ROLE_IDS)

    def sole_or_and(self, extra: set[str]) -> bool:
        """Other built-in controls cannot replace `extra` (operator AND, or nothing else offered)."""
        return self.operator == "AND" or not (set(self.controls) - extra)


def _configured(args) -> list[str]:
    """Break-glass object IDs from the policy config, normalised like the IDs read from policies."""
    return [i.lower() if is_guid(i) else i for i in break_glass_config(args)]


def _strength_ok(policy: CaPolicy, by_urn: dict) -> bool:
    """Phishing-resistant strength: the built-in …0004, or a declared strength with only PR methods."""
    if policy.strength is None or not policy.sole_or_and(set()):
        return False
    if not is_unknown(policy.strength):
        return guid_in(policy.strength) == BUILTIN_PHISHING_RESISTANT_STRENGTH
    strengths = [by_urn[u] for u in policy.deps if u in by_urn and by_urn[u].resource_type == STRENGTH]
    return bool(strengths) and all(_pr_only(s.props) for s in strengths)


def _pr_only(props) -> bool:
    methods, unknown = _ids(props, "allowedCombinations")
    return bool(methods) and not unknown and set(methods) <= PHISHING_RESISTANT_METHODS


# --- resource policies --------------------------------------------------------------------------


def _lockout(args, report) -> None:
    if args.resource_type != CA:
        return
    p = CaPolicy(args.props)
    everyone = "All" in p.users or GLOBAL_ADMINISTRATOR in p.roles
    if p.state != "enabled" or not everyone or "All" not in p.apps or not p.requires_controls():
        return
    who = "all users" if "All" in p.users else "Global Administrators"
    unknown_exclusions = p.ex_users_unknown or p.ex_groups_unknown
    if not (p.ex_users or p.ex_groups or unknown_exclusions):
        report(
            f"enabled, applies to {who} and all resources, and excludes nobody: one mistake in its "
            "controls locks every administrator, break-glass included, out of the tenant."
        )
        return
    missing = [i for i in _configured(args) if i not in p.ex_users and i not in p.ex_groups]
    if missing and not unknown_exclusions:
        report(f"enabled for {who} and all resources but does not exclude break-glass {missing}.")


def _role_exclusions(args, report) -> None:
    if args.resource_type != CA:
        return
    p = CaPolicy(args.props)
    if p.has_role_exclusions and (p.roles or "All" in p.users):
        shown = p.ex_roles or ["(IDs unknown at preview)"]
        report(
            f"excludes roles {shown}: anyone holding an excluded role escapes the policy; exclude "
            "only the break-glass accounts, by user."
        )


def _staged(args, report, production: bool) -> None:
    if args.resource_type != CA or is_production(args) != production:
        return
    p = CaPolicy(args.props)
    admins = p.targets_admins() or bool(set(p.users) & set(_configured(args)))
    if admins and p.state != "enabled":
        report(
            f"admin policy is {p.state}; "
            + (
                "production stacks enforce admin policies (state enabled)."
                if production
                else "enforce it once the sign-in logs show no unexpected failures "
                "(docs/conditional-access-rollout.md)."
            )
        )


# --- stack policies -----------------------------------------------------------------------------


def _ca_policies(args) -> list[CaPolicy]:
    return [
        CaPolicy(
            r.props, r.urn, r.name, [d.urn for k in ("conditions", "grantControls") for d in dependencies_of(r, k)]
        )
        for r in args.resources
        if r.resource_type == CA
    ]


def _gap(args, report, what: str, declared: list[CaPolicy], fix: str) -> None:
    """Missing entirely: always a violation; declared but not enabled: a violation in production."""
    if not declared:
        report(f"no conditional access policy {what}. {fix}")
    elif is_production(args) and not any(p.state == "enabled" for p in declared):
        names = ", ".join(p.label for p in declared)
        report(f"the policies {what} are not enabled ({names}); report-only does not count in production.")


def _phishing_resistant_admins(args, report) -> None:
    grants = role_grants(args.resources)
    roles = {g.role for g in grants if g.role in PRIVILEGED_ROLE_IDS}
    if not roles:
        return
    by_urn = {r.urn: r for r in args.resources}
    au_groups = {g.principal for g in grants if g.role in PRIVILEGED_ROLE_IDS and g.scope not in (None, "/")}
    covering = [
        p
        for p in _ca_policies(args)
        if p.state != "disabled"
        and "All" in p.apps
        and not p.has_role_exclusions
        and _strength_ok(p, by_urn)
        and ("All" in p.users or roles <= set(p.roles))
        and ("All" in p.users or au_groups <= set(p.groups) | p.deps)
    ]
    fix = (
        f"Declare one requiring the phishing-resistant strength for roles {sorted(roles)}"
        + (f" and the AU-scoped holders {sorted(au_groups)} (CA ignores AU-scoped assignments)" if au_groups else "")
        + " on all resources, with no role exclusions."
    )
    _gap(
        args,
        report,
        "requires phishing-resistant authentication for every privileged role this stack grants",
        covering,
        fix,
    )


def _declares_paw(args) -> bool:
    return any(r.resource_type == PAW_COMPONENT or is_paw(r.props) for r in args.resources)


def _admin_portals(args, report) -> None:
    if not _declares_paw(args):
        return

    def device_bound(p: CaPolicy) -> bool:
        blocks_others = "block" in p.controls and p.device_filter_mode == "exclude"
        return (p.targets_admins() or "All" in p.users) and (
            blocks_others or (DEVICE_CONTROLS & set(p.controls) and p.sole_or_and(DEVICE_CONTROLS))
        )

    bound = [p for p in _ca_policies(args) if p.state != "disabled" and device_bound(p)]
    for target in ADMIN_PORTAL_TARGETS:
        covering = [p for p in bound if target in p.apps or "All" in p.apps]
        _gap(
            args,
            report,
            f"limits {target} to compliant devices (or the PAW) for admins",
            covering,
            "Declare one that blocks admins on devices outside the PAW device filter, or requires compliantDevice.",
        )


def _break_glass_everywhere(args, report) -> None:
    ids = set(_configured(args))
    accounts = break_glass_resources(args.resources)
    if not ids and not accounts:
        return
    for p in _ca_policies(args):
        if p.state == "disabled" or _is_break_glass_policy(p, ids, accounts):
            continue
        missing = sorted(ids - set(p.ex_users) - set(p.ex_groups))
        # a declared account is excluded when its ID reaches the policy's conditions and cannot be an
        # included user (no unknown included users); a declared break-glass group excludes them all
        referenced = [a for a in accounts if a.urn in p.deps]
        groups = [a for a in referenced if a.kind == "group"]
        if not groups:
            missing += sorted(a.name for a in accounts if a.kind == "user" and a not in referenced)
        if missing:
            report(
                f"{p.label} does not exclude break-glass {missing}; exclude them from every policy but their own.",
                p.urn,
            )


def _is_break_glass_policy(p: CaPolicy, ids: set, accounts) -> bool:
    """Their own policy: it includes break-glass accounts and nobody else."""
    if "All" in p.users or p.roles or p.groups or p.groups_unknown:
        return False
    users = [u for u in p.users if u != "None"]
    from_config = bool(users) and set(users) <= ids
    declared_users = {a.urn for a in accounts if a.kind == "user"}
    from_declared = p.users_unknown and not users and bool(p.deps & declared_users)
    return from_config or from_declared


PRODUCTION = {
    "production": {
        "type": "boolean",
        "default": False,
        "description": "The stack is production: report-only admin policies are violations.",
    }
}
BREAK_GLASS = {"breakGlassObjectIds": TUNABLES["breakGlassObjectIds"]}
CISA_36 = (SCUBA, "MS.AAD.3.6v1 (Maester CISA.MS.AAD.3.6, MT.1006)")
MAESTER = "Maester"

POLICIES = [
    ResourceValidationPolicy(
        name="ca-no-tenant-lockout",
        description="An enabled CA policy that blocks or requires controls for all users (or Global Administrators) "
        "on all resources must exclude the break-glass accounts.",
        validate=_lockout,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(BREAK_GLASS),
        **meta(
            "critical",
            "Add the break-glass accounts to conditions.users.excludedUsers (or their group to "
            "excludedGroups); ConditionalAccessBaseline does this for every policy.",
            MAESTER,
            "MT.1005, MT.1033, MT.1034; Microsoft emergency access guidance",
        ),
    ),
    ResourceValidationPolicy(
        name="ca-admin-no-role-exclusions",
        description="A CA policy that targets roles or all users excludes no roles.",
        validate=_role_exclusions,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Remove conditions.users.excludedRoles; exclude only break-glass users.",
            SCUBA,
            "MS.AAD.3.6v1 (ExcludeRoles must be empty)",
        ),
    ),
    ResourceValidationPolicy(
        name="ca-admin-policy-report-only",
        description="An admin CA policy still report-only or disabled outside production (advisory: the staged "
        "rollout).",
        validate=lambda a, r: _staged(a, r, production=False),
        enforcement_level=EnforcementLevel.ADVISORY,
        config_schema=PolicyConfigSchema({**PRODUCTION, **BREAK_GLASS}),
        **meta(
            "low",
            "Read the report-only results in the sign-in logs, then add the policy code to conditionalAccess.enforce.",
            *CISA_36,
        ),
    ),
    ResourceValidationPolicy(
        name="ca-admin-policy-enforced-in-production",
        description="In a production stack every admin CA policy is enabled, not report-only or disabled.",
        validate=lambda a, r: _staged(a, r, production=True),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({**PRODUCTION, **BREAK_GLASS}),
        **meta("high", "Set conditionalAccess.enforce to true (or list the code) once report-only has run.", *CISA_36),
    ),
    StackValidationPolicy(
        name="ca-phishing-resistant-admins",
        description="A stack that grants privileged Entra roles declares a CA policy requiring phishing-resistant "
        "strength for all of them on all resources, enabled in production.",
        validate=_phishing_resistant_admins,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(PRODUCTION),
        **meta(
            "critical",
            "Use ConditionalAccessBaseline (PUM-CA01) or declare a policy with includedRoles "
            "covering every granted privileged role, includedApplications All, authentication strength "
            "00000000-0000-0000-0000-000000000004 and no excludedRoles.",
            *CISA_36,
        ),
    ),
    StackValidationPolicy(
        name="ca-admin-portals-compliant-device",
        description="When the stack declares a PAW, admin portals and Azure management are limited to compliant "
        "devices or the PAW, enabled in production.",
        validate=_admin_portals,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(PRODUCTION),
        **meta(
            "high",
            "Use ConditionalAccessBaseline (PUM-CA02) or declare a policy for admins on "
            "MicrosoftAdminPortals and 797f4846-ba00-4fd7-ba43-dac1f8f63013 that requires compliantDevice "
            "or blocks devices outside the PAW filter.",
            MAESTER,
            "MT.1014 (CISA MS.AAD.3.7v1)",
        ),
    ),
    StackValidationPolicy(
        name="ca-break-glass-excluded",
        description="Break-glass accounts are excluded from every CA policy except their own dedicated policy.",
        validate=_break_glass_everywhere,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(BREAK_GLASS),
        **meta(
            "critical",
            "Exclude every break-glass account (excludedUsers) from each policy; cover them "
            "with one policy of their own requiring phishing-resistant strength.",
            MAESTER,
            "MT.1005; Microsoft emergency access guidance",
        ),
    ),
]
