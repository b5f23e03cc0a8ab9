"""Build every component from the stack model, and the few (non-secret) stack outputs.

Each area is one function; other areas (conditional access, PAW, ...) add one call in `build` and
read what they need (PIM group and break-glass object IDs) from the returned `Built`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import pulumi
import pulumi_azuread as azuread

from components.accounts import BreakGlassAccounts, PrivilegedAccounts
from components.activation import ActivationRules
from components.admin_units import AdministrativeUnits
from components.conditional_access import build_admin_access
from components.entra_jit import EntraRoleJit
from components.model import StackModel, durations
from components.model.pim import (AzureRoleBinding, RoleBinding, binding_key, binding_role, effective_activation,
                                  eligibility_lifetime, notification_recipients, settings_owner)


@dataclass
class Built:
    """What `build` declared, for the other areas and for the stack outputs."""

    model: StackModel
    principal_ids: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    admin_units: AdministrativeUnits | None = None
    admin_accounts: PrivilegedAccounts | None = None
    break_glass: BreakGlassAccounts | None = None
    entra_roles: dict[str, EntraRoleJit] = field(default_factory=dict)
    azure_roles: dict[str, "AzureRoleJit"] = field(default_factory=dict)
    journeys: "AccessPackageJourneys | None" = None
    private_access: dict[str, "PrivateAccessApp"] = field(default_factory=dict)
    leaver: "LeaverWorkflow | None" = None

    def group_ids(self) -> dict[str, pulumi.Output[str]]:
        """Group names journeys and apps use: principals.groups, journey groups (binding keys), cloud groups."""
        ids = {k: pulumi.Output.from_input(g.object_id) for k, g in self.model.principals.groups.items()}
        ids.update({k: c.group_object_id for k, c in self.entra_roles.items() if c.mode == "eligibleGroup"})
        if self.journeys is not None:
            ids.update(self.journeys.cloud_group_ids)
        return ids

    def pim_group_ids(self) -> dict[str, pulumi.Output[str]]:
        return {k: c.group_object_id for k, c in self.entra_roles.items() if c.group_object_id is not None}


def build(model: StackModel, today: dt.date | None = None) -> Built:
    """Declare everything the model describes; `today` decides who has left (default: the real date)."""
    built = Built(model)
    today = today or dt.date.today()
    _accounts(built, today)
    _entra_roles(built, today)
    _azure_roles(built, today)
    _journeys(built, today)  # access packages: journey groups and cloud groups, then the packages
    _private_access(built)   # apps assigned to journey/cloud groups
    _leaver(built)
    build_admin_access(built)  # PAW, then the CA baseline that filters on its hosts
    return built


def export(built: Built) -> None:
    """A few non-secret outputs: object IDs only."""
    if built.break_glass:
        pulumi.export("breakGlassObjectIds", built.break_glass.object_ids)
    pulumi.export("pimGroupObjectIds", built.pim_group_ids())
    if built.admin_accounts:
        pulumi.export("adminAccountObjectIds", built.admin_accounts.object_ids)


def _has_left(leaving: dt.date | None, today: dt.date) -> bool:
    return leaving is not None and leaving < today


def _accounts(built: Built, today: dt.date) -> None:
    model = built.model
    protect = model.tenant.production
    if model.administrative_units:
        built.admin_units = AdministrativeUnits("administrative-units", protect=protect, units={
            key: {k: v for k, v in {"display_name": unit.display_name, "object_id": unit.object_id,
                                    "description": unit.description, "hidden_membership": unit.hidden_membership}.items()
                  if v is not None}
            for key, unit in model.administrative_units.items()})
    people = {key: p for key, p in model.principals.people.items() if p.admin_account}
    if people:
        built.admin_accounts = PrivilegedAccounts("admin-accounts", protect=protect, people={
            key: {"upn": p.admin_account.upn, "display_name": f"{p.display_name} (admin)",
                  **({"mail_nickname": p.admin_account.mail_nickname} if p.admin_account.mail_nickname else {}),
                  **({"manager_upn": p.manager_upn} if p.manager_upn else {}),
                  "enabled": not _has_left(p.leaving_date, today)}
            for key, p in people.items()})
        built.principal_ids.update(built.admin_accounts.object_ids)
    for key, group in model.principals.groups.items():
        built.principal_ids[key] = pulumi.Output.from_input(group.object_id)
    if model.break_glass:
        built.break_glass = BreakGlassAccounts("break-glass", accounts=[
            {"upn": a.upn, **({"display_name": a.display_name} if a.display_name else {})}
            for a in model.break_glass.accounts])


def _approver(built: Built, key: str) -> tuple[pulumi.Input[str], str]:
    """An approver key -> (object ID, 'user'|'group'): admin account, else the daily account, else the group."""
    principals = built.model.principals
    if key in principals.groups:
        return principals.groups[key].object_id, "group"
    if key in built.principal_ids:
        return built.principal_ids[key], "user"
    return azuread.get_user_output(user_principal_name=principals.people[key].daily_upn).object_id, "user"


def _activation(built: Built, binding: RoleBinding | AzureRoleBinding) -> ActivationRules:
    rules = effective_activation(binding, built.model.pim.defaults)
    approvers = [_approver(built, key) for key in rules.approvers]
    return ActivationRules(
        max_duration=rules.max_duration, require_mfa=rules.require_mfa,
        authentication_context=rules.authentication_context, require_justification=rules.require_justification,
        require_ticket=rules.require_ticket, require_approval=rules.require_approval,
        approver_group_ids=tuple(i for i, kind in approvers if kind == "group"),
        approver_user_ids=tuple(i for i, kind in approvers if kind == "user"))


def _eligible(built: Built, binding: RoleBinding | AzureRoleBinding, today: dt.date) -> tuple[dict, dict]:
    """Principal key -> object ID, and the end dates of people leaving within the lifetime (leavers: none)."""
    lifetime = durations.parse(eligibility_lifetime(binding, built.model.pim.defaults))
    people = built.model.principals.people
    eligible, ends = {}, {}
    for key in binding.eligible:
        leaving = people[key].leaving_date if key in people else None
        if _has_left(leaving, today):
            continue
        eligible[key] = built.principal_ids[key]
        if leaving is not None and leaving + dt.timedelta(days=1) <= today + lifetime:
            ends[key] = f"{leaving + dt.timedelta(days=1):%Y-%m-%d}T00:00:00Z"
    return eligible, ends


def _entra_roles(built: Built, today: dt.date) -> None:
    model = built.model
    defaults = model.pim.defaults
    for binding in model.pim.role_bindings:
        key = binding_key(binding)
        role = binding_role(binding)
        tier = binding.tier if binding.tier is not None else (0 if role.critical else 1)
        scoped = binding.scope != "/"
        eligible, ends = _eligible(built, binding, today)
        built.entra_roles[key] = EntraRoleJit(
            f"pim-{key}", role=role.id, eligible=eligible, eligibility_end_dates=ends,
            administrative_unit_id=built.admin_units.object_ids[binding.scope] if scoped else None,
            mode=binding.mode, activation=_activation(built, binding),
            eligibility_duration=eligibility_lifetime(binding, defaults),
            manage_role_settings=settings_owner(model, binding),
            group_display_name=binding.group_display_name or (
                f"{model.tenant.name_prefix}-T{tier}-{role.name}" + (f" ({binding.scope})" if scoped else "")),
            notification_recipients=notification_recipients(binding, defaults),
            protect_group=model.tenant.production, justification=defaults.justification)


def _scope_name(scope: str) -> str:
    last = re.sub(r"[^a-z0-9]+", "-", scope.rstrip("/").rsplit("/", 1)[-1].lower()).strip("-")[:30] or "root"
    return f"{last}-{hashlib.sha256(scope.lower().encode()).hexdigest()[:6]}"


def _azure_roles(built: Built, today: dt.date) -> None:
    if not built.model.pim.azure_role_bindings:
        return
    from components.azure_jit import AzureRoleJit  # pulumi_azure_native: imported only by stacks that use it

    defaults = built.model.pim.defaults
    for binding in built.model.pim.azure_role_bindings:
        key = binding_key(binding)
        eligible, ends = _eligible(built, binding, today)
        eligible.update({group: built.entra_roles[group].group_object_id for group in binding.journey_groups})
        activation = _activation(built, binding)
        for item in binding.scopes:
            name = f"azure-{key}-{_scope_name(item.scope)}"
            built.azure_roles[name] = AzureRoleJit(
                name, role=binding_role(binding).id, scope=item.scope, eligible=eligible,
                eligibility_end_dates=ends, policy_name=item.policy_name if binding.manage_settings else None,
                activation=activation, eligibility_duration=eligibility_lifetime(binding, defaults),
                notification_recipients=notification_recipients(binding, defaults),
                justification=defaults.justification)


def _journeys(built: Built, today: dt.date) -> None:
    """The catalog, its cloud groups and one access package per journey. Requestors who are people request
    with their admin account; people who have left are dropped (the leaver workflow removes what they hold)."""
    settings = built.model.access_packages
    if settings is None:
        return
    from components.access_packages import AccessPackageJourneys

    people = built.model.principals.people
    requestors = {key: built.principal_ids[key] for journey in settings.journeys for key in journey.requestors
                  if key in built.principal_ids and not (key in people and _has_left(people[key].leaving_date, today))}
    built.journeys = AccessPackageJourneys("journeys", settings, groups=built.group_ids(), users=requestors,
                                           protect_groups=built.model.tenant.production)


def _private_access(built: Built) -> None:
    settings = built.model.private_access
    if settings is None:
        return
    from components.private_access import build_private_access

    excluded = [u.object_id for u in built.break_glass.users.values()] if built.break_glass else None
    built.private_access = build_private_access("private-access", settings, groups=built.group_ids(),
                                                excluded_user_ids=excluded)


def _leaver(built: Built) -> None:
    lifecycle = built.model.lifecycle
    if lifecycle is None or lifecycle.leaver is None:
        return
    from components.graph.lifecycle import LeaverWorkflow

    leaver = lifecycle.leaver
    built.leaver = LeaverWorkflow("leaver-admin-accounts", display_name=leaver.display_name,
                                  scope_rule=leaver.scope_rule, offset_in_days=leaver.offset_in_days,
                                  description="Removes all access package assignments and group memberships and "
                                              "disables the account on the admin's employeeLeaveDateTime (managed "
                                              "as code)", is_enabled=leaver.enabled)
