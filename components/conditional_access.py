"""ConditionalAccessBaseline: the admin conditional-access policies, generated from the stack model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias, cast

import pulumi
import pulumi_azuread as azuread
from privileged_facts.apps import ADMIN_PORTAL_TARGETS, AVD_SIGN_IN_APP_IDS, BUILTIN_PHISHING_RESISTANT_STRENGTH

from components.graph.authentication_context import AuthenticationContext
from components.graph.conditional_access_policy import GraphConditionalAccessPolicy

REPORT_ONLY = "enabledForReportingButNotEnforced"
STRENGTH_PATH = "/policies/authenticationStrengthPolicies/"
ROLLOUT_KEY = "reportOnlyUntil"  # what policies/rules/conditional_access.py reads on the component


@dataclass(frozen=True, kw_only=True)
class NamedLocationArgs:
    """An IP (ip_ranges) or country (countries) named location."""

    name: str
    ip_ranges: Sequence[str] = ()
    countries: Sequence[str] = ()
    trusted: bool = False


@dataclass(frozen=True, kw_only=True)
class AuthenticationContextArgs:
    """An authentication context (claim value c1..c99) the baseline declares and gives its meaning (CA09, CA10)."""

    claim_value: str
    display_name: str
    description: str = ""
    is_available: bool = True


@dataclass(frozen=True, kw_only=True)
class ConditionalAccessBaselineArgs:
    """The arguments of a ConditionalAccessBaseline (components/stack.py maps the model's conditionalAccess)."""

    break_glass_user_ids: Sequence[pulumi.Input[str]]
    """Excluded from every policy, and covered by their own (CA07)."""
    admin_group_ids: Sequence[pulumi.Input[str]] = ()
    """PIM groups and the PAW users group: targeted with the privileged roles."""
    paw_device_filter: str | None = None
    """Device filter matching the PAW hosts; None: admin portals need a compliant device instead."""
    name_prefix: str
    privileged_roles: Sequence[str]
    """Entra role template IDs the admin policies target."""
    custom_strength_methods: Sequence[str] | None = None
    """Declare a custom authentication strength with only these methods; None: the built-in phishing-resistant one."""
    sign_in_frequency_hours: int
    block_legacy_authentication: bool
    block_device_code_flow: bool
    named_locations: Sequence[NamedLocationArgs] = ()
    admin_allowed_locations: Sequence[str] = ()
    """Names of named locations admins may sign in from (CA08 blocks the rest); empty: no CA08."""
    enforced: frozenset[str] = frozenset()
    """Codes of the policies to enforce; the others are report-only."""
    authentication_contexts: Sequence[str] = ()
    """Declared authentication-context claim values (an output, for PIM settings)."""
    contexts: Sequence[AuthenticationContextArgs] = ()
    """The authentication contexts to declare, each with its CA09 (and, with a PAW, CA10) policy; a claim value in
    `authentication_contexts` without an entry here is declared with its claim value as its name."""
    strict_continuous_access_evaluation: bool = False
    """Declare CA11: continuous access evaluation strictly enforced for admins on all resources."""
    report_only_until: str | None = None
    """End of the staged rollout (YYYY-MM-DD): the component's `reportOnlyUntil` prop and output, which the
    policy pack reads to accept report-only admin policies until then (never in production)."""


Users: TypeAlias = azuread.ConditionalAccessPolicyConditionsUsersArgsDict
Conditions: TypeAlias = azuread.ConditionalAccessPolicyConditionsArgsDict
Grant: TypeAlias = azuread.ConditionalAccessPolicyGrantControlsArgsDict
Session: TypeAlias = azuread.ConditionalAccessPolicySessionControlsArgsDict
Apps: TypeAlias = azuread.ConditionalAccessPolicyConditionsApplicationsArgsDict
PolicySpec: TypeAlias = tuple[str, str, Conditions, Grant | None, Session | None]
"""(code, title, conditions, grant controls, session controls) of one policy."""


def _compact(**fields: Sequence[pulumi.Input[str]] | None) -> Users:
    """Drop empty fields so the declared policy shows only what it sets."""
    # the keyword names are the Users fields; the comprehension only drops some of them
    return cast(Users, {k: v for k, v in fields.items() if v not in (None, [], {})})


class ConditionalAccessBaseline(pulumi.ComponentResource):
    """Declares the admin CA baseline, PUM-CA01..CA11, each report-only until the model enforces it.

    Guarantees: every privileged role in the model and every PIM group that holds one (CA ignores
    AU-scoped and custom-role assignments, so the groups are targeted too) needs phishing-resistant
    authentication on all resources (CA01); admin portals and Azure management are reachable only
    from the PAW hosts (device filter) or, without a PAW, a compliant device (CA02); the PAW itself
    (AVD, Windows Cloud Login) only from a compliant device with phishing-resistant authentication
    (CA03); admins re-authenticate every N hours with no persistent browser (CA04); legacy
    authentication and the device-code flow are blocked for everyone (CA05, CA06); the break-glass
    accounts are excluded from all of these and covered by their own phishing-resistant policy
    (CA07); optionally admins are blocked outside the allowed named locations (CA08).
    Through the Graph layer (pulumi-azuread has neither): each authentication context (c1..c99) PIM may
    require is declared (AuthenticationContext) and given its meaning for All users but the break-glass
    accounts: phishing-resistant authentication on a compliant device (CA09) and, with a PAW, blocked on
    every device outside the PAW device filter (CA10); continuous access evaluation is strictly enforced
    for admins on all resources (CA11, unless the model says `default`). Not declared: token protection;
    see docs/conditional-access-rollout.md.
    """

    policies: dict[str, azuread.ConditionalAccessPolicy]
    graph_policies: dict[str, GraphConditionalAccessPolicy]
    """CA09 per context (key ``CA09-c1``), CA10 per context, CA11: the policies declared through Graph."""
    contexts: dict[str, AuthenticationContext]
    strength_id: pulumi.Output[str]
    authentication_contexts: list[str]

    def __init__(
        self, name: str, args: ConditionalAccessBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        if not args.break_glass_user_ids:
            raise ValueError(
                f"ConditionalAccessBaseline {name!r}: no break-glass accounts given; every policy "
                "must exclude them or an error in a policy locks the tenant. Declare "
                "breakGlass accounts in the stack file before conditionalAccess."
            )
        # the pack sees the rollout end date as the component's props (offline) and outputs (the real engine)
        rollout = {ROLLOUT_KEY: args.report_only_until} if args.report_only_until else {}
        super().__init__("privileged-access:index:ConditionalAccessBaseline", name, dict(rollout), opts)
        self._name, self._args = name, args
        child = pulumi.ResourceOptions(parent=self)
        device_filter = args.paw_device_filter
        bg = list(args.break_glass_user_ids)
        roles = list(args.privileged_roles)

        if args.custom_strength_methods is not None:
            strength = azuread.AuthenticationStrengthPolicy(
                f"{name}-phishing-resistant",
                display_name=f"{args.name_prefix} Phishing-resistant admins",
                description="Only phishing-resistant methods; used by the admin CA baseline.",
                allowed_combinations=list(args.custom_strength_methods),
                opts=child,
            )
            self.strength_id = strength.id
        else:
            self.strength_id = pulumi.Output.from_input(STRENGTH_PATH + BUILTIN_PHISHING_RESISTANT_STRENGTH)
        locations = {
            loc.name: azuread.NamedLocation(
                f"{name}-location-{i}",
                display_name=loc.name,
                ip={"ip_ranges": list(loc.ip_ranges), "trusted": loc.trusted} if loc.ip_ranges else None,
                country={"countries_and_regions": list(loc.countries), "include_unknown_countries_and_regions": False}
                if loc.countries
                else None,
                opts=child,
            )
            for i, loc in enumerate(args.named_locations, start=1)
        }

        admins = _compact(included_roles=roles, included_groups=list(args.admin_group_ids), excluded_users=bg)
        everyone: Users = {"included_users": ["All"], "excluded_users": bg}
        phishing_resistant: Grant = {"operator": "OR", "authentication_strength_policy_id": self.strength_id}
        all_apps: Apps = {"included_applications": ["All"]}
        block: Grant = {"operator": "OR", "built_in_controls": ["block"]}

        specs: list[PolicySpec] = [
            (
                "CA01",
                "Admins: phishing-resistant MFA (all resources)",
                {"users": admins, "applications": all_apps, "client_app_types": ["all"]},
                phishing_resistant,
                None,
            )
        ]
        portals: Apps = {"included_applications": list(ADMIN_PORTAL_TARGETS)}
        if device_filter:
            specs.append(
                (
                    "CA02",
                    "Admins: admin portals only from the PAW",
                    {
                        "users": admins,
                        "applications": portals,
                        "client_app_types": ["all"],
                        "devices": {"filter": {"mode": "exclude", "rule": device_filter}},
                    },
                    block,
                    None,
                )
            )
            specs.append(
                (
                    "CA03",
                    "Admins: PAW (Azure Virtual Desktop) only from a compliant device",
                    {
                        "users": admins,
                        "applications": {"included_applications": list(AVD_SIGN_IN_APP_IDS)},
                        "client_app_types": ["all"],
                    },
                    {
                        "operator": "AND",
                        "built_in_controls": ["compliantDevice"],
                        "authentication_strength_policy_id": self.strength_id,
                    },
                    None,
                )
            )
        else:
            specs.append(
                (
                    "CA02",
                    "Admins: admin portals only from a compliant device",
                    {"users": admins, "applications": portals, "client_app_types": ["all"]},
                    {"operator": "OR", "built_in_controls": ["compliantDevice"]},
                    None,
                )
            )
        specs.append(
            (
                "CA04",
                f"Admins: sign in every {args.sign_in_frequency_hours} h, no persistent browser",
                {"users": admins, "applications": all_apps, "client_app_types": ["all"]},
                None,
                {
                    "sign_in_frequency": args.sign_in_frequency_hours,
                    "sign_in_frequency_period": "hours",
                    "sign_in_frequency_authentication_type": "primaryAndSecondaryAuthentication",
                    "sign_in_frequency_interval": "timeBased",
                    "persistent_browser_mode": "never",
                },
            )
        )
        if args.block_legacy_authentication:
            specs.append(
                (
                    "CA05",
                    "All users: block legacy authentication",
                    {"users": everyone, "applications": all_apps, "client_app_types": ["exchangeActiveSync", "other"]},
                    block,
                    None,
                )
            )
        if args.block_device_code_flow:
            specs.append(
                (
                    "CA06",
                    "All users: block device-code flow",
                    {
                        "users": everyone,
                        "applications": all_apps,
                        "client_app_types": ["all"],
                        "authentication_flow_transfer_methods": ["deviceCodeFlow"],
                    },
                    block,
                    None,
                )
            )
        specs.append(
            (
                "CA07",
                "Break-glass: phishing-resistant MFA (all resources)",
                {"users": {"included_users": bg}, "applications": all_apps, "client_app_types": ["all"]},
                phishing_resistant,
                None,
            )
        )
        if args.admin_allowed_locations:
            # Graph's excludeLocations takes named locations' object IDs; a NamedLocation's `id` is the provider's
            # path /identity/conditionalAccess/namedLocations/<object ID> (its import ID), which azuread passes on
            # verbatim (conditionalaccess.go expandConditionalAccessLocations) and Graph answers with a 400.
            allowed = [locations[n].object_id for n in args.admin_allowed_locations]
            specs.append(
                (
                    "CA08",
                    "Admins: block sign-in outside allowed locations",
                    {
                        "users": admins,
                        "applications": all_apps,
                        "client_app_types": ["all"],
                        "locations": {"included_locations": ["All"], "excluded_locations": allowed},
                    },
                    block,
                    None,
                )
            )

        self.policies = {
            code: self._policy(code, title, conditions, grant, session)
            for code, title, conditions, grant, session in specs
        }
        self._graph_layer(bg, roles)
        self.authentication_contexts = sorted(
            set(args.authentication_contexts) | {c.claim_value for c in args.contexts}
        )
        self.register_outputs(
            {
                "policyIds": {code: p.id for code, p in self.policies.items()},
                "graphPolicyIds": {key: p.policy_id for key, p in self.graph_policies.items()},
                "strengthId": self.strength_id,
                "authenticationContexts": self.authentication_contexts,
                **rollout,
            }
        )

    def _state(self, code: str) -> str:
        return "enabled" if code in self._args.enforced else REPORT_ONLY

    def _graph_layer(self, bg: list[pulumi.Input[str]], roles: list[str]) -> None:
        """The authentication contexts with CA09/CA10, and CA11, through the Graph layer (Graph's JSON shape)."""
        args, name = self._args, self._name
        declared = {c.claim_value: c for c in args.contexts}
        for claim in args.authentication_contexts:
            declared.setdefault(claim, AuthenticationContextArgs(claim_value=claim, display_name=claim))
        everyone = {"includeUsers": ["All"], "excludeUsers": bg}
        # the strength as Graph names it: the built-in one's ID, or the custom strength's object ID
        strength_ref = self.strength_id.apply(lambda v: v.rsplit("/", 1)[-1])
        self.contexts, self.graph_policies = {}, {}
        for claim, ctx in sorted(declared.items()):
            context = AuthenticationContext(
                f"{name}-context-{claim}",
                claim_value=claim,
                display_name=ctx.display_name,
                description=ctx.description,
                is_available=ctx.is_available,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.contexts[claim] = context
            after = pulumi.ResourceOptions(parent=self, depends_on=[context])
            target = {"includeAuthenticationContextClassReferences": [claim]}
            self.graph_policies[f"CA09-{claim}"] = GraphConditionalAccessPolicy(
                f"{name}-ca09-{claim}",
                display_name=self.display_name(
                    "CA09", f"Context {claim}: phishing-resistant MFA on a compliant device"
                ),
                state=self._state("CA09"),
                conditions={"users": everyone, "applications": target, "clientAppTypes": ["all"]},
                grant_controls={
                    "operator": "AND",
                    "builtInControls": ["compliantDevice"],
                    "authenticationStrength": {"id": strength_ref},
                },
                opts=after,
            )
            if args.paw_device_filter:
                self.graph_policies[f"CA10-{claim}"] = GraphConditionalAccessPolicy(
                    f"{name}-ca10-{claim}",
                    display_name=self.display_name("CA10", f"Context {claim}: blocked outside the PAW"),
                    state=self._state("CA10"),
                    conditions={
                        "users": everyone,
                        "applications": target,
                        "clientAppTypes": ["all"],
                        "devices": {"deviceFilter": {"mode": "exclude", "rule": args.paw_device_filter}},
                    },
                    grant_controls={"operator": "OR", "builtInControls": ["block"]},
                    opts=after,
                )
        if args.strict_continuous_access_evaluation:
            admins = {
                k: v
                for k, v in {
                    "includeRoles": roles,
                    "includeGroups": list(args.admin_group_ids),
                    "excludeUsers": bg,
                }.items()
                if v
            }
            self.graph_policies["CA11"] = GraphConditionalAccessPolicy(
                f"{name}-ca11",
                display_name=self.display_name("CA11", "Admins: continuous access evaluation strictly enforced"),
                state=self._state("CA11"),
                conditions={
                    "users": admins,
                    "applications": {"includeApplications": ["All"]},
                    "clientAppTypes": ["all"],
                },
                session_controls={"continuousAccessEvaluation": {"mode": "strictEnforcement"}},
                opts=pulumi.ResourceOptions(parent=self),
            )

    def display_name(self, code: str, title: str) -> str:
        """The naming convention: '<prefix>-<code> <audience>: <what>'."""
        return f"{self._args.name_prefix}-{code} {title}"

    def _policy(
        self, code: str, title: str, conditions: Conditions, grant: Grant | None, session: Session | None
    ) -> azuread.ConditionalAccessPolicy:
        state = self._state(code)
        return azuread.ConditionalAccessPolicy(
            f"{self._name}-{code.lower()}",
            display_name=self.display_name(code, title),
            state=state,
            conditions=conditions,
            grant_controls=grant,
            session_controls=session,
            opts=pulumi.ResourceOptions(parent=self),
        )
