"""Stack model for PIM: `privileged-access:tenant`, `:principals`, `:breakGlass`, `:administrativeUnits`, `:pim`.

Plain data read from the stack file, with secure defaults: eligibility always expires (P180D),
activation needs MFA (or a CA authentication context) and a justification, lasts at most PT8H (PT1H
and approval for critical roles). Nothing here can express permanent eligibility. Security maxima
beyond what the APIs accept are the policy pack's job (its limits are configurable); the model
rejects what cannot be deployed or is ambiguous, and resolves role names through the shared catalog.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from privileged_facts import defaults as secure
from privileged_facts.values import GUID_PATTERN
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from components import roles

from . import durations
from .errors import Issue, format_path
from .scalars import Bool, Date, Int

KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
RoleMode = Literal["pimGroup", "direct", "eligibleGroup"]
ROLE_MODES: tuple[RoleMode, ...] = get_args(RoleMode)
# A DNS label: letters, digits and '-', not starting or ending with '-', at most 63 characters. It is the domain rule of
# the azuread provider's `validation.StringIsEmailAddress`, which checks azuread_user.user_principal_name
# (hashicorp/terraform-provider-azuread internal/helpers/tf/validation/strings.go), so both the UPNs the toolkit
# creates and the addresses it sends mail to keep to it.
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Entra's UserPrincipalName policy for all user accounts (Microsoft Learn, "Password policies and account
# restrictions in Microsoft Entra ID", MicrosoftDocs/entra-docs docs/identity/authentication/concept-sspr-policy.md):
# characters A-Z a-z 0-9 ' . - _ ! # ^ ~, no '.' right before '@', at most 64 characters before '@' and 48 after
# (113 in all). The lengths are checked by _upn_lengths (pydantic's regex engine has no look-ahead).
_UPN = rf"^[A-Za-z0-9'._!#^~-]*[A-Za-z0-9'_!#^~-]@{_LABEL}(\.{_LABEL})+$"
_EMAIL = rf"^[A-Za-z0-9._'+-]+@{_LABEL}(\.{_LABEL})+$"
_BREAK_GLASS_UPN = r"^[A-Za-z0-9._-]*[A-Za-z0-9_-]@[a-z0-9]([a-z0-9-]*[a-z0-9])?\.onmicrosoft\.com$"
UPN_LOCAL_MAX, UPN_DOMAIN_MAX = 64, 48
_RG = re.compile(r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+(/providers/.+)?$", re.IGNORECASE)
_SUB = re.compile(r"^/subscriptions/[0-9a-fA-F-]{36}$", re.IGNORECASE)
_MG = re.compile(r"^/providers/Microsoft\.Management/managementGroups/[^/]+$", re.IGNORECASE)


PATTERN_HINTS = {
    durations.DURATION_PATTERN: "an ISO 8601 duration such as P180D, PT8H or PT30M",
    GUID_PATTERN: "an object ID (GUID) such as 62e90394-69f5-4237-9190-012177145e10",
    KEY_PATTERN: "a key of lower-case letters, digits and '-' (at most 40), e.g. user-admin",
    _BREAK_GLASS_UPN: "a cloud-only UPN on the tenant's *.onmicrosoft.com domain, e.g. bg1@contoso.onmicrosoft.com",
    _UPN: "a user principal name such as adm-pedro@contoso.onmicrosoft.com (letters, digits and ' . - _ ! # ^ ~ "
    "before the @, not ending in '.'; domain labels of letters, digits and '-' that do not start or end with '-' "
    "and have at most 63 characters)",
    _EMAIL: "an email address such as pim-alerts@contoso.com (domain labels of letters, digits and '-' that do not "
    "start or end with '-' and have at most 63 characters)",
}


def _upn_lengths(upn: str) -> str:
    """Entra's length limits of a UPN (see _UPN): at most 64 characters before the @ and 48 after."""
    local, _, domain = upn.rpartition("@")
    if len(local) > UPN_LOCAL_MAX:
        raise ValueError(
            f"has {len(local)} characters before the @; Entra allows at most {UPN_LOCAL_MAX}: shorten the user name"
        )
    if len(domain) > UPN_DOMAIN_MAX:
        raise ValueError(
            f"has a domain of {len(domain)} characters; Entra allows at most {UPN_DOMAIN_MAX} after the @: use a "
            "shorter verified domain"
        )
    return upn


def _duration(text: str) -> str:
    return durations.normalise(text)


Duration = Annotated[
    str, Field(pattern=durations.DURATION_PATTERN, examples=["P180D", "PT8H"]), AfterValidator(_duration)
]
Key = Annotated[str, Field(pattern=KEY_PATTERN, description="A short key: lower-case letters, digits, '-'.")]
Guid = Annotated[str, Field(pattern=GUID_PATTERN)]
Email = Annotated[str, Field(pattern=_EMAIL)]
Upn = Annotated[str, Field(pattern=_UPN), AfterValidator(_upn_lengths)]
BreakGlassUpn = Annotated[str, Field(pattern=_BREAK_GLASS_UPN), AfterValidator(_upn_lengths)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True)


# ---------------------------------------------------------------- tenant


class TenantSettings(_Model):
    """`privileged-access:tenant`: tenant-wide switches."""

    protect_from_deletion: Bool = Field(
        True,
        description="Protect PIM groups, admin accounts and administrative units from deletion (Pulumi protect). "
        "Only that: whether the policy pack treats the stack as production is the stack tag "
        "`environment: production` or the pack config `production: true`.",
    )
    name_prefix: str = Field(
        "PUM", pattern=r"^[A-Za-z0-9]{1,12}$", description="Prefix of every group and display name the toolkit creates."
    )
    initial_domain: str | None = Field(
        None,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\.onmicrosoft\.com$",
        description="The tenant's *.onmicrosoft.com domain; break-glass UPNs must use it when given.",
    )


# ---------------------------------------------------------------- principals


class AdminAccount(_Model):
    """A cloud-only secondary account the toolkit creates; the person's admin roles go to it."""

    upn: Upn = Field(description="UPN of the admin account, e.g. adm-pedro@contoso.onmicrosoft.com.")
    mail_nickname: str | None = Field(
        None, pattern=r"^[A-Za-z0-9._-]{1,64}$", description="Mail nickname; default: the UPN's local part."
    )


class Person(_Model):
    """An administrator: their daily account (looked up) and the admin account to create."""

    display_name: str = Field(min_length=1, max_length=200)
    daily_upn: Upn | None = Field(
        None,
        description="UPN of the person's daily (non-admin) account; may be left out when adminAccount is given "
        "(an adopted tenant's admin, `pum import`), except for journeys requested with or delivering to it.",
    )
    admin_account: AdminAccount | None = Field(
        None, description="The cloud-only secondary account; required for anyone eligible for a role."
    )
    manager_upn: Upn | None = Field(None, description="UPN of the person's manager.")
    leaving_date: Date | None = Field(
        None,
        description="Last working day (YYYY-MM-DD): eligibility ends then; from that day the admin "
        "account is disabled and holds no eligibility.",
    )

    @model_validator(mode="after")
    def _separate_accounts(self) -> Person:
        if self.daily_upn is None and self.admin_account is None:
            raise ValueError("give dailyUpn (the person's daily account), adminAccount, or both")
        if self.admin_account and self.daily_upn and self.admin_account.upn.lower() == self.daily_upn.lower():
            raise ValueError(
                f"adminAccount.upn {self.admin_account.upn!r} is the daily account; an admin "
                "account must be a separate, cloud-only account (e.g. adm-<name>@<tenant>.onmicrosoft.com)"
            )
        return self


class ExistingGroup(_Model):
    """A group that already exists (e.g. an approvers group), referenced by object ID."""

    object_id: Guid
    display_name: str | None = None


class Principals(_Model):
    """`privileged-access:principals`: people and existing groups, by key; role bindings refer to the keys."""

    people: dict[Key, Person] = Field(default_factory=dict)
    groups: dict[Key, ExistingGroup] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Principals:
        both = sorted(set(self.people) & set(self.groups))
        if both:
            raise ValueError(f"keys {both} name both a person and a group; give each principal its own key")
        upns = [p.admin_account.upn.lower() for p in self.people.values() if p.admin_account]
        twice = sorted({u for u in upns if upns.count(u) > 1})
        if twice:
            raise ValueError(f"admin account UPNs {twice} are used by more than one person")
        return self

    def keys(self) -> list[str]:
        return sorted([*self.people, *self.groups])


# ---------------------------------------------------------------- break-glass


class BreakGlassAccount(_Model):
    upn: BreakGlassUpn = Field(description="A cloud-only account on the *.onmicrosoft.com domain (never federated).")
    display_name: str | None = None


class BreakGlass(_Model):
    """`privileged-access:breakGlass`: emergency accounts with permanent Global Administrator."""

    accounts: list[BreakGlassAccount] = Field(min_length=2, description="Two or more accounts.")

    @field_validator("accounts")
    @classmethod
    def _distinct(cls, accounts: list[BreakGlassAccount]) -> list[BreakGlassAccount]:
        upns = [a.upn.lower() for a in accounts]
        if len(set(upns)) != len(upns):
            raise ValueError(f"break-glass UPNs must be distinct; got {upns}")
        return accounts


# ---------------------------------------------------------------- administrative units


class AdministrativeUnit(_Model):
    """An administrative unit to create, or an existing one (`objectId`)."""

    display_name: str | None = Field(None, min_length=1, description="Display name of a unit to create.")
    description: str | None = None
    hidden_membership: Bool = False
    object_id: Guid | None = Field(None, description="Use an existing unit instead of creating one.")

    @model_validator(mode="after")
    def _one(self) -> AdministrativeUnit:
        if (self.display_name is None) == (self.object_id is None):
            raise ValueError("give displayName (create the unit) or objectId (use an existing unit), exactly one")
        return self


# ---------------------------------------------------------------- PIM


class Activation(_Model):
    """How a role is activated. Unset fields come from `pim.defaults.activation`, then the secure defaults."""

    max_duration: Duration | None = Field(None, description="Longest activation; default PT8H (critical roles PT1H).")
    require_mfa: Bool | None = Field(
        None,
        description="Require MFA on activation; default true unless "
        "authenticationContext is set (PIM takes one or the other).",
    )
    authentication_context: str | None = Field(
        None,
        pattern=r"^c([1-9]|[1-9][0-9])$",
        description="A CA authentication context (c1..c99) to require instead of MFA.",
    )
    require_justification: Bool | None = None
    require_ticket: Bool | None = None
    require_approval: Bool | None = Field(None, description="Default: true for critical roles.")
    approvers: list[Key] | None = Field(None, description="Principal keys (people or groups) who approve.")


_START = (
    "The day eligibilities start (YYYY-MM-DD, 00:00 UTC): each ends at start + eligibilityLifetime, the same on "
    "every run. Once that end has passed, the eligibility is not re-created: renew it with a later start here "
    "(a reviewed change). Default: none (each starts when created)."
)


class PimDefaults(_Model):
    eligibility_lifetime: Duration = Field(
        secure.MAX_ELIGIBILITY, description="How long an eligibility lasts (it always expires)."
    )
    eligibility_start: Date | None = Field(None, description=_START)
    activation: Activation = Field(default_factory=Activation)
    critical_max_duration: Duration = Field(
        secure.CRITICAL_MAX_ACTIVATION, description="Default activation maximum for critical roles."
    )
    notification_recipients: list[Email] = Field(
        default_factory=list, description="Extra recipients of PIM alerts (assignments, activations)."
    )
    justification: str = Field(secure.JUSTIFICATION, min_length=1, max_length=500)


class _Binding(_Model):
    name: Key | None = Field(None, description="Stable key of the binding; default derived from role and scope.")
    tier: Int | None = Field(None, ge=0, le=2, description="0 (control plane) .. 2; default from the role.")
    eligible: list[Key] = Field(default_factory=list, description="Principal keys made eligible.")
    eligibility_lifetime: Duration | None = None
    eligibility_start: Date | None = Field(None, description=_START + " This binding's own; default: pim.defaults.")
    activation: Activation = Field(default_factory=Activation)
    notification_recipients: list[Email] | None = None


class RoleBinding(_Binding):
    """An Entra directory role, made eligible through a PIM group (default), directly, or to a journey group.

    Modes: `pimGroup` assigns the role ACTIVELY to a role-assignable group and makes `eligible`
    people eligible MEMBERS of it (PIM for Groups); `direct` makes each `eligible` person eligible
    for the role; `eligibleGroup` creates a role-assignable *journey group* with no members that is
    itself time-bound ELIGIBLE for the role (never active). Its membership comes only from access
    packages (`accessPackages.journeys[].roleBindings`), and members still activate the role in
    PIM under the role's own settings, so nothing is standing. An `eligibleGroup` binding names no
    `eligible` people.
    """

    role: str = Field(min_length=1, description="Entra role name (e.g. 'User Administrator') or template ID.")
    scope: str = Field("/", min_length=1, description="'/' (tenant) or an administrativeUnits key.")
    mode: RoleMode = Field(
        "pimGroup",
        description="pimGroup: role active on a PIM group, people eligible members; direct: people "
        "eligible for the role; eligibleGroup: a journey group eligible for the role, "
        "membership only through access packages.",
    )
    directory_role_settings: Bool | None = Field(
        None,
        description="Also manage the directory role's own PIM settings; default: direct or eligibleGroup "
        "mode, or a critical role.",
    )
    group_display_name: str | None = Field(None, min_length=1, max_length=256)

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        return roles.entra_role(value).name


def policy_lookup_command(scope: str, role_guid: str) -> str:
    """The Azure CLI command that prints the GUID of `role_guid`'s role management policy at `scope`.

    ARM's list of the scope's role management policy assignments, matched on the role definition's GUID (its ID is
    subscription-qualified below a subscription, so the match is on its end), its policyId's last segment. The
    installed pulumi-azure-native has no invoke that lists these or finds one by role (getRoleManagementPolicy and
    getRoleManagementPolicyAssignment both need the policy's GUID), so the program cannot look it up itself."""
    return (
        f'az rest --method get --url "https://management.azure.com{scope}/providers/Microsoft.Authorization/'
        'roleManagementPolicyAssignments?api-version=2020-10-01" --query '
        f"\"value[?ends_with(properties.roleDefinitionId, '{role_guid}')].properties.policyId | [0]\" -o tsv "
        "| awk -F/ '{print $NF}'"
    )


class AzureScope(_Model):
    scope: str = Field(min_length=1, description="ARM scope: a resource group or narrower by default.")
    policy_name: Guid | None = Field(
        None,
        description="GUID of the role's management policy at this scope (required to manage its PIM "
        f"settings); print it with: {policy_lookup_command('{scope}', '{roleDefinitionGuid}')}. A model error "
        "for a missing policyName prints this command with the binding's scope and role filled in.",
    )


class AzureRoleBinding(_Binding):
    """An Azure RBAC role made eligible per scope through PIM."""

    role: str = Field(min_length=1, description="Azure built-in role name (e.g. 'Owner') or definition GUID.")
    scopes: list[AzureScope] = Field(min_length=1)
    journey_groups: list[Key] = Field(
        default_factory=list,
        description="Keys of eligibleGroup role bindings whose journey group is made "
        "eligible for this role too (e.g. VM login for the User Admin journey).",
    )
    allow_broad_scope: Bool = Field(False, description="Allow subscription, management-group or '/' scopes.")
    manage_settings: Bool = Field(True, description="Manage the role's PIM settings at each scope (needs policyName).")

    @field_validator("role")
    @classmethod
    def _known_role(cls, value: str) -> str:
        return roles.azure_role(value).name


class PimSettings(_Model):
    """`privileged-access:pim`: defaults and the role bindings."""

    defaults: PimDefaults = Field(default_factory=PimDefaults)
    role_bindings: list[RoleBinding] = Field(default_factory=list)
    azure_role_bindings: list[AzureRoleBinding] = Field(default_factory=list)


# ---------------------------------------------------------------- resolved values (used by components/stack.py)


@dataclass(frozen=True)
class EffectiveActivation:
    max_duration: str
    require_mfa: bool
    authentication_context: str | None
    require_justification: bool
    require_ticket: bool
    require_approval: bool
    approvers: tuple[str, ...]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")


def binding_key(binding: RoleBinding | AzureRoleBinding) -> str:
    """The binding's stable key: `name`, else the role (plus the AU key when scoped to one)."""
    if binding.name:
        return binding.name
    scope = getattr(binding, "scope", "/")
    return _slug(binding.role) + ("" if scope == "/" else f"-{scope}")


def binding_role(binding: RoleBinding | AzureRoleBinding) -> roles.Role:
    return roles.entra_role(binding.role) if isinstance(binding, RoleBinding) else roles.azure_role(binding.role)


def effective_activation(binding: RoleBinding | AzureRoleBinding, defaults: PimDefaults) -> EffectiveActivation:
    """Binding value, else `pim.defaults.activation`, else the secure default (critical roles stricter)."""
    critical = binding_role(binding).critical

    def pick(field: str, fallback: Any) -> Any:
        own, default = getattr(binding.activation, field), getattr(defaults.activation, field)
        return own if own is not None else default if default is not None else fallback

    context = pick("authentication_context", None)
    max_duration = binding.activation.max_duration or (
        defaults.critical_max_duration if critical else defaults.activation.max_duration or secure.MAX_ACTIVATION
    )
    return EffectiveActivation(
        max_duration=max_duration,
        require_mfa=pick("require_mfa", context is None),
        authentication_context=context,
        require_justification=pick("require_justification", True),
        require_ticket=pick("require_ticket", False),
        require_approval=pick("require_approval", critical),
        approvers=tuple(pick("approvers", [])),
    )


def eligibility_lifetime(binding: RoleBinding | AzureRoleBinding, defaults: PimDefaults) -> str:
    return binding.eligibility_lifetime or defaults.eligibility_lifetime


def notification_recipients(binding: RoleBinding | AzureRoleBinding, defaults: PimDefaults) -> list[str]:
    own = binding.notification_recipients
    return list(own if own is not None else defaults.notification_recipients)


def manages_role_settings(binding: RoleBinding) -> bool:
    if binding.directory_role_settings is not None:
        return binding.directory_role_settings
    return binding.mode in ("direct", "eligibleGroup") or binding_role(binding).critical


def role_settings_rules(binding: RoleBinding, defaults: PimDefaults) -> dict[str, Any]:
    """What a binding writes into its directory role's tenant-wide PIM settings (EntraRoleSettings)."""
    activation = effective_activation(binding, defaults)
    return {
        **{f"activation.{to_camel(k)}": v for k, v in vars(activation).items()},
        "eligibilityLifetime": eligibility_lifetime(binding, defaults),
        "notificationRecipients": tuple(notification_recipients(binding, defaults)),
    }


# ---------------------------------------------------------------- cross-area checks


def journey_group_problem(model: Any, key: str) -> str:
    """Why `key` does not name a journey group (an eligibleGroup role binding)."""
    bindings = {binding_key(b): b for b in model.pim.role_bindings}
    journeys = sorted(k for k, b in bindings.items() if b.mode == "eligibleGroup")
    if key in bindings:
        mode = bindings[key].mode
        why = (
            "its group holds the role ACTIVELY (PIM for Groups), so membership granted this way would be standing "
            f"{bindings[key].role}"
            if mode == "pimGroup"
            else "it has no group (people are eligible directly)"
        )
        return f"is role binding {key!r} in mode {mode}: {why}; set mode: eligibleGroup on that binding"
    close = difflib.get_close_matches(key, journeys, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"is not a role binding in mode eligibleGroup; {hint}journey groups: {', '.join(journeys) or 'none'} "
        "(declare one under pim.roleBindings with mode: eligibleGroup)"
    )


def _principal_issues(model: Any, loc: tuple, keys: list[str], must_be_admin: bool) -> Iterator[Issue]:
    people, groups = model.principals.people, model.principals.groups
    known = model.principals.keys()
    for index, key in enumerate(keys):
        if key not in people and key not in groups:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            yield Issue(
                (*loc, index),
                key,
                f"is not a principal; {hint}declare it under "
                f"privileged-access:principals (people or groups); known: {', '.join(known) or 'none'}",
            )
        elif must_be_admin and key in people and people[key].admin_account is None:
            yield Issue(
                (*loc, index),
                key,
                "is a person without adminAccount; roles go to a separate cloud-only "
                f"admin account: add principals.people.{key}.adminAccount",
            )


# ---------------------------------------------------------------- rules (the one copy; component Args reuse them)

STACK_APPROVERS_FIX = "name approvers (principal keys) here or in pim.defaults.activation.approvers"


def is_key(value: Any) -> bool:
    """A principal or binding key (it names resources): lower-case letters, digits and '-'."""
    return isinstance(value, str) and re.match(KEY_PATTERN, value) is not None


def activation_problems(
    *,
    max_duration: str,
    require_mfa: bool,
    authentication_context: str | None,
    require_approval: bool,
    approvers: tuple,
    role: roles.Role,
    approvers_fix: str = STACK_APPROVERS_FIX,
) -> Iterator[tuple[str, Any, str]]:
    """PIM's activation rules: (field, value, what is wrong and the fix) for each one broken."""
    if require_approval and not approvers:
        why = "critical roles require approval by default" if role.critical else "requireApproval is true"
        yield "approvers", None, f"is empty but {why} for {role.name!r}; {approvers_fix}"
    if not require_mfa and not authentication_context:
        yield (
            "requireMfa",
            False,
            "activation without MFA or an authentication context is not allowed; keep "
            "requireMfa true or set authenticationContext (e.g. c1) declared under "
            "privileged-access:conditionalAccess",
        )
    if require_mfa and authentication_context:
        yield (
            "requireMfa",
            True,
            "cannot be combined with authenticationContext (PIM takes one or the other); "
            "remove requireMfa, the context's Conditional Access policy enforces the authentication",
        )
    try:
        durations.activation_step(max_duration)
    except ValueError as exc:
        yield "maxDuration", None, str(exc)


def lifetime_problem(lifetime: str) -> str | None:
    """Why an eligibility lifetime cannot be declared (no provider step holds it), or None."""
    try:
        durations.expire_after(lifetime)
    except ValueError as exc:
        return str(exc)
    return None


def eligible_group_problem(key: str) -> str:
    """Why an eligibleGroup binding names no eligible principals."""
    return (
        "must be empty in mode eligibleGroup: the journey group gets members only through access packages "
        f"(accessPackages.journeys[].roleBindings: [{key}]); use mode pimGroup or direct to name people here"
    )


def _binding_issues(model: Any, binding: RoleBinding | AzureRoleBinding, loc: tuple) -> Iterator[Issue]:
    defaults = model.pim.defaults
    yield from _principal_issues(model, (*loc, "eligible"), binding.eligible, must_be_admin=True)
    activation = effective_activation(binding, defaults)
    yield from _principal_issues(model, (*loc, "activation", "approvers"), list(activation.approvers), False)
    for field, value, message in activation_problems(
        max_duration=activation.max_duration,
        require_mfa=activation.require_mfa,
        authentication_context=activation.authentication_context,
        require_approval=activation.require_approval,
        approvers=activation.approvers,
        role=binding_role(binding),
    ):
        yield Issue((*loc, "activation", field), value, message)
    problem = lifetime_problem(eligibility_lifetime(binding, defaults))
    if problem:
        yield Issue((*loc, "eligibilityLifetime"), None, problem)


def _azure_scope_issues(binding: AzureRoleBinding, loc: tuple) -> Iterator[Issue]:
    for index, item in enumerate(binding.scopes):
        narrow = bool(_RG.match(item.scope))
        broad = bool(_SUB.match(item.scope) or _MG.match(item.scope) or item.scope == "/")
        if not (narrow or broad):
            yield Issue(
                (*loc, index, "scope"),
                item.scope,
                "is not an ARM scope; use /subscriptions/<id>/resourceGroups/<name>[/providers/...]",
            )
        elif broad and not binding.allow_broad_scope:
            yield Issue(
                (*loc, index, "scope"),
                item.scope,
                "is broader than a resource group; use a resource "
                "group (or set allowBroadScope: true on the binding, which the pack may still reject)",
            )
        if binding.manage_settings and item.policy_name is None:
            role = binding_role(binding)
            yield Issue(
                (*loc, index, "policyName"),
                None,
                f"is missing: managing the PIM settings of {role.name!r} at this scope needs the GUID of its role "
                f"management policy there, which this prints (Azure CLI, signed in to the tenant): "
                f"{policy_lookup_command(item.scope, role.id)} ; set policyName to it. (manageSettings: false "
                "instead leaves the role's activation rules at this scope to whatever the portal last set.)",
            )


def _settings_conflicts(
    model: Any, binding: RoleBinding, loc: tuple, role: roles.Role, seen: dict[str, list[tuple[tuple, RoleBinding]]]
) -> Iterator[Issue]:
    """A directory role has ONE tenant-wide PIM policy (EntraRoleSettings): every binding that writes it
    (manages it) or relies on it (direct and eligibleGroup activate under it) must agree on its rules.
    Bindings with identical rules share one settings resource (declared by the first that manages it)."""
    defaults = model.pim.defaults
    mine = role_settings_rules(binding, defaults)
    for other_loc, other in seen.get(role.id, []):
        if not (manages_role_settings(binding) or manages_role_settings(other)):
            continue  # neither writes the policy: both rely on settings managed elsewhere
        theirs = role_settings_rules(other, defaults)
        differ = [f"{k} ({mine[k]!r} vs {theirs[k]!r})" for k in mine if mine[k] != theirs[k]]
        if differ:
            fix = (
                "set directoryRoleSettings: false on the pimGroup binding (its activation rules then live on its "
                "group's policy), or "
                if "pimGroup" in (binding.mode, other.mode)
                else ""
            )
            yield Issue(
                (*loc, "activation"),
                None,
                f"role bindings {binding_key(binding)!r} ({format_path(loc)}) and "
                f"{binding_key(other)!r} ({format_path(other_loc)}) both govern the "
                f"tenant-wide PIM settings of {role.name!r} (one policy per directory role) but differ in "
                f"{', '.join(differ)}; {fix}give both bindings the same activation, eligibilityLifetime and "
                "notificationRecipients",
            )
            return
    seen.setdefault(role.id, []).append((loc, binding))


def settings_owner(model: Any, binding: RoleBinding) -> bool:
    """Whether this binding declares its role's EntraRoleSettings: it manages them and no earlier binding of
    the same role does (bindings with identical rules share the first one's settings)."""
    if not manages_role_settings(binding):
        return False
    role = roles.entra_role(binding.role).id
    for other in model.pim.role_bindings:
        if other is binding:
            return True
        if roles.entra_role(other.role).id == role and manages_role_settings(other):
            return False
    return True


def eligible_group_keys(model: Any) -> dict[str, RoleBinding]:
    """Binding key -> binding, for the eligibleGroup (journey group) bindings."""
    return {binding_key(b): b for b in model.pim.role_bindings if b.mode == "eligibleGroup"}


def reference_issues(model: Any) -> list[Issue]:
    """Checks that span areas (keys that must exist, roles that must fit their scope), with exact paths."""
    issues: list[Issue] = []
    units = model.administrative_units
    seen: dict[str, tuple] = {}
    settings: dict[str, list[tuple[tuple, RoleBinding]]] = {}
    for kind, bindings in (
        ("roleBindings", model.pim.role_bindings),
        ("azureRoleBindings", model.pim.azure_role_bindings),
    ):
        for index, binding in enumerate(bindings):
            loc = ("pim", kind, index)
            issues.extend(_binding_issues(model, binding, loc))
            key = binding_key(binding)
            if key in seen:
                issues.append(
                    Issue(
                        (*loc, "name"),
                        key,
                        f"binding key {key!r} is also used by "
                        f"{format_path(seen[key])}; give one of them a distinct `name`",
                    )
                )
            seen[key] = loc
            if not isinstance(binding, RoleBinding):
                continue
            role = roles.entra_role(binding.role)
            if binding.scope != "/":
                if binding.scope not in units:
                    issues.append(
                        Issue(
                            (*loc, "scope"),
                            binding.scope,
                            "is neither '/' nor an administrativeUnits "
                            f"key; declared units: {', '.join(sorted(units)) or 'none'}",
                        )
                    )
                elif not role.au_scopable:
                    issues.append(
                        Issue(
                            (*loc, "scope"),
                            binding.scope,
                            f"{role.name!r} cannot be scoped to an "
                            "administrative unit; use scope '/' or an AU-scopable role such as "
                            "'User Administrator'",
                        )
                    )
            if binding.mode == "eligibleGroup" and binding.eligible:
                issues.append(Issue((*loc, "eligible"), None, eligible_group_problem(key)))
            if manages_role_settings(binding) or binding.mode != "pimGroup":
                issues.extend(_settings_conflicts(model, binding, loc, role, settings))
    journey_groups = eligible_group_keys(model)
    for index, binding in enumerate(model.pim.azure_role_bindings):
        issues.extend(_azure_scope_issues(binding, ("pim", "azureRoleBindings", index, "scopes")))
        for position, key in enumerate(binding.journey_groups):
            if key not in journey_groups:
                issues.append(
                    Issue(
                        ("pim", "azureRoleBindings", index, "journeyGroups", position),
                        key,
                        journey_group_problem(model, key),
                    )
                )
    domain = model.tenant.initial_domain
    if model.break_glass and domain:
        for index, account in enumerate(model.break_glass.accounts):
            if not account.upn.lower().endswith("@" + domain):
                issues.append(
                    Issue(
                        ("breakGlass", "accounts", index, "upn"),
                        account.upn,
                        f"must be on the tenant's initial domain {domain}",
                    )
                )
    return issues
