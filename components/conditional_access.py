"""ConditionalAccessBaseline: the admin conditional-access policies, generated from the stack model."""
from __future__ import annotations

from typing import Optional, Sequence

import pulumi
import pulumi_azuread as azuread

from components.model.conditional_access import ConditionalAccessSettings
from privileged_facts.apps import ADMIN_PORTAL_TARGETS, AVD_SIGN_IN_APP_IDS, BUILTIN_PHISHING_RESISTANT_STRENGTH
from privileged_facts.roles import PRIVILEGED_ROLE_IDS

REPORT_ONLY = "enabledForReportingButNotEnforced"
STRENGTH_PATH = "/policies/authenticationStrengthPolicies/"


def _compact(**fields) -> dict:
    """Drop empty fields so the declared policy shows only what it sets."""
    return {k: v for k, v in fields.items() if v not in (None, [], {})}


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

    def __init__(self, name: str, settings: ConditionalAccessSettings, *,
                 break_glass_user_ids: Sequence[pulumi.Input[str]],
                 admin_group_ids: Sequence[pulumi.Input[str]] = (),
                 paw_device_filter: Optional[str] = None,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        if not break_glass_user_ids:
            raise ValueError(f"ConditionalAccessBaseline {name!r}: no break-glass accounts given; every policy "
                             "must exclude them or an error in a policy locks the tenant. Declare "
                             "breakGlass accounts in the stack file before conditionalAccess.")
        super().__init__("privileged-access:index:ConditionalAccessBaseline", name, None, opts)
        self._name, self._settings = name, settings
        child = pulumi.ResourceOptions(parent=self)
        device_filter = settings.paw_device_filter or paw_device_filter
        bg = list(break_glass_user_ids)
        roles = settings.privileged_roles or sorted(PRIVILEGED_ROLE_IDS)

        if settings.authentication_strength == "custom":
            strength = azuread.AuthenticationStrengthPolicy(
                f"{name}-phishing-resistant", display_name=f"{settings.name_prefix} Phishing-resistant admins",
                description="Only phishing-resistant methods; used by the admin CA baseline.",
                allowed_combinations=list(settings.custom_strength_methods), opts=child)
            self.strength_id = strength.id
        else:
            self.strength_id = pulumi.Output.from_input(STRENGTH_PATH + BUILTIN_PHISHING_RESISTANT_STRENGTH)
        locations = {loc.name: azuread.NamedLocation(
            f"{name}-location-{i}", display_name=loc.name,
            ip={"ip_ranges": loc.ip_ranges, "trusted": loc.trusted} if loc.ip_ranges else None,
            country={"countries_and_regions": loc.countries, "include_unknown_countries_and_regions": False}
            if loc.countries else None, opts=child)
            for i, loc in enumerate(settings.named_locations, start=1)}

        admins = _compact(included_roles=roles, included_groups=list(admin_group_ids), excluded_users=bg)
        everyone = {"included_users": ["All"], "excluded_users": bg}
        phishing_resistant = {"operator": "OR", "authentication_strength_policy_id": self.strength_id}
        all_apps = {"included_applications": ["All"]}
        block = {"operator": "OR", "built_in_controls": ["block"]}

        specs = [("CA01", "Admins: phishing-resistant MFA (all resources)",
                  {"users": admins, "applications": all_apps, "client_app_types": ["all"]}, phishing_resistant, None)]
        portals = {"included_applications": list(ADMIN_PORTAL_TARGETS)}
        if device_filter:
            specs.append(("CA02", "Admins: admin portals only from the PAW",
                          {"users": admins, "applications": portals, "client_app_types": ["all"],
                           "devices": {"filter": {"mode": "exclude", "rule": device_filter}}}, block, None))
            specs.append(("CA03", "Admins: PAW (Azure Virtual Desktop) only from a compliant device",
                          {"users": admins, "applications": {"included_applications": list(AVD_SIGN_IN_APP_IDS)},
                           "client_app_types": ["all"]},
                          {"operator": "AND", "built_in_controls": ["compliantDevice"],
                           "authentication_strength_policy_id": self.strength_id}, None))
        else:
            specs.append(("CA02", "Admins: admin portals only from a compliant device",
                          {"users": admins, "applications": portals, "client_app_types": ["all"]},
                          {"operator": "OR", "built_in_controls": ["compliantDevice"]}, None))
        specs.append(("CA04", f"Admins: sign in every {settings.sign_in_frequency_hours} h, no persistent browser",
                      {"users": admins, "applications": all_apps, "client_app_types": ["all"]}, None,
                      {"sign_in_frequency": settings.sign_in_frequency_hours, "sign_in_frequency_period": "hours",
                       "sign_in_frequency_authentication_type": "primaryAndSecondaryAuthentication",
                       "sign_in_frequency_interval": "timeBased", "persistent_browser_mode": "never"}))
        if settings.block_legacy_authentication:
            specs.append(("CA05", "All users: block legacy authentication",
                          {"users": everyone, "applications": all_apps,
                           "client_app_types": ["exchangeActiveSync", "other"]}, block, None))
        if settings.block_device_code_flow:
            specs.append(("CA06", "All users: block device-code flow",
                          {"users": everyone, "applications": all_apps, "client_app_types": ["all"],
                           "authentication_flow_transfer_methods": ["deviceCodeFlow"]}, block, None))
        specs.append(("CA07", "Break-glass: phishing-resistant MFA (all resources)",
                      {"users": {"included_users": bg}, "applications": all_apps, "client_app_types": ["all"]},
                      phishing_resistant, None))
        if settings.admin_allowed_locations:
            allowed = [locations[n].id for n in settings.admin_allowed_locations]
            specs.append(("CA08", "Admins: block sign-in outside allowed locations",
                          {"users": admins, "applications": all_apps, "client_app_types": ["all"],
                           "locations": {"included_locations": ["All"], "excluded_locations": allowed}},
                          block, None))

        self.policies = {code: self._policy(code, title, conditions, grant, session)
                         for code, title, conditions, grant, session in specs}
        self.authentication_contexts = sorted(settings.context_ids())
        self.register_outputs({
            "policyIds": {code: p.id for code, p in self.policies.items()},
            "strengthId": self.strength_id,
            "authenticationContexts": self.authentication_contexts,
        })

    def display_name(self, code: str, title: str) -> str:
        """The naming convention: '<prefix>-<code> <audience>: <what>'."""
        return f"{self._settings.name_prefix}-{code} {title}"

    def _policy(self, code, title, conditions, grant, session) -> azuread.ConditionalAccessPolicy:
        state = "enabled" if self._settings.enforced(code) else REPORT_ONLY
        return azuread.ConditionalAccessPolicy(
            f"{self._name}-{code.lower()}", display_name=self.display_name(code, title), state=state,
            conditions=conditions, grant_controls=grant, session_controls=session,
            opts=pulumi.ResourceOptions(parent=self))


def build_admin_access(built) -> tuple[Optional["ConditionalAccessBaseline"], Optional[object]]:
    """The stack builder's step for `privileged-access:paw` and `:conditionalAccess` (PAW first: CA02/CA03
    filter on its hosts). `built` is components.stack.Built; returns (baseline, paw). The model has already
    checked what they need from other areas (components.model.conditional_access.admin_access_issues)."""
    model = built.model
    paw_settings, ca_settings = getattr(model, "paw", None), getattr(model, "conditional_access", None)
    groups = built.pim_group_ids()
    paw = None
    if paw_settings is not None and paw_settings.enabled:
        from components.paw import PawHostPool  # pulumi_azure_native: imported only by stacks with a PAW

        paw = PawHostPool("paw", paw_settings, user_object_ids=[built.principal_ids[k] for k in paw_settings.users])
    if ca_settings is None or not ca_settings.enabled:
        return None, paw
    baseline = ConditionalAccessBaseline(
        "conditional-access", ca_settings,
        break_glass_user_ids=[u.object_id for u in built.break_glass.users.values()],
        admin_group_ids=[*groups.values(), *([paw.users_group_id] if paw else [])],
        paw_device_filter=paw.device_filter if paw else None)
    return baseline, paw
