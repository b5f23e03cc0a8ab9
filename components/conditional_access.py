"""ConditionalAccessBaseline: the admin conditional-access policies, generated from the stack model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias, cast

import pulumi
import pulumi_azuread as azuread
from privileged_facts.apps import ADMIN_PORTAL_TARGETS, AVD_SIGN_IN_APP_IDS, BUILTIN_PHISHING_RESISTANT_STRENGTH

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
    """Declares the admin CA baseline, PUM-CA01..CA08, each report-only until the model enforces it.

    Guarantees: every privileged role in the model and every PIM group that holds one (CA ignores
    AU-scoped and custom-role assignments, so the groups are targeted too) needs phishing-resistant
    authentication on all resources (CA01); admin portals and Azure management are reachable only
    from the PAW hosts (device filter) or, without a PAW, a compliant device (CA02); the PAW itself
    (AVD, Windows Cloud Login) only from a compliant device with phishing-resistant authentication
    (CA03); admins re-authenticate every N hours with no persistent browser (CA04); legacy
    authentication and the device-code flow are blocked for everyone (CA05, CA06); the break-glass
    accounts are excluded from all of these and covered by their own phishing-resistant policy
    (CA07); optionally admins are blocked outside the allowed named locations (CA08).
    Not declared (no provider support): authentication context class references and the policy
    that targets them, CAE strict enforcement, token protection; see docs/conditional-access-rollout.md.
    """

    policies: dict[str, azuread.ConditionalAccessPolicy]
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
        self.authentication_contexts = sorted(args.authentication_contexts)
        self.register_outputs(
            {
                "policyIds": {code: p.id for code, p in self.policies.items()},
                "strengthId": self.strength_id,
                "authenticationContexts": self.authentication_contexts,
                **rollout,
            }
        )

    def display_name(self, code: str, title: str) -> str:
        """The naming convention: '<prefix>-<code> <audience>: <what>'."""
        return f"{self._args.name_prefix}-{code} {title}"

    def _policy(
        self, code: str, title: str, conditions: Conditions, grant: Grant | None, session: Session | None
    ) -> azuread.ConditionalAccessPolicy:
        state = "enabled" if code in self._args.enforced else REPORT_ONLY
        return azuread.ConditionalAccessPolicy(
            f"{self._name}-{code.lower()}",
            display_name=self.display_name(code, title),
            state=state,
            conditions=conditions,
            grant_controls=grant,
            session_controls=session,
            opts=pulumi.ResourceOptions(parent=self),
        )
