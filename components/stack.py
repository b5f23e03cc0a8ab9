"""Build every component from the stack model, and the few (non-secret) stack outputs.

The one place that maps the model to component arguments: each area is one function that turns its part
of the (already validated) model into the component's `...Args` and declares the component; later areas
read what they need (PIM group and break-glass object IDs) from the returned `Built`. The `*_args`
functions are public so tests can declare one component from a model area as the stack would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi
import pulumi_azuread as azuread
from privileged_facts.roles import PRIVILEGED_ROLE_IDS

from components import expiry, locations
from components.access_packages import (
    AccessPackageJourneysArgs,
    AutomationArgs,
    CloudGroupArgs,
    JourneyArgs,
    ReviewArgs,
    SecondaryAccountArgs,
    VendorArgs,
    VerifiedIdArgs,
    resolve_group,
)
from components.accounts import (
    AdminAccountArgs,
    BreakGlassAccountArgs,
    BreakGlassAccounts,
    BreakGlassAccountsArgs,
    PrivilegedAccounts,
    PrivilegedAccountsArgs,
)
from components.activation import ActivationArgs
from components.admin_units import AdministrativeUnitArgs, AdministrativeUnits, AdministrativeUnitsArgs
from components.conditional_access import (
    AuthenticationContextArgs,
    ConditionalAccessBaseline,
    ConditionalAccessBaselineArgs,
    NamedLocationArgs,
)
from components.entra_jit import EntraRoleJit, EntraRoleJitArgs
from components.model import StackModel, durations
from components.model.access_packages import AccessPackagesSettings
from components.model.conditional_access import ConditionalAccessSettings
from components.model.monitoring import MonitoringSettings
from components.model.on_premises import OnPremisesSettings
from components.model.paw import PawSettings
from components.model.pim import (
    AzureRoleBinding,
    RoleBinding,
    binding_key,
    binding_role,
    effective_activation,
    eligibility_lifetime,
    notification_recipients,
    settings_owner,
)
from components.model.private_access import PrivateAccessAppSettings
from components.private_access import PrivateAccessAppArgs

if TYPE_CHECKING:
    from components.access_packages import AccessPackageJourneys
    from components.azure_jit import AzureRoleJit
    from components.graph.lifecycle import LeaverWorkflow
    from components.journey_automation import JourneyAutomation
    from components.monitoring import PrivilegedMonitoring, PrivilegedMonitoringArgs
    from components.on_premises import OnPremisesAutomation, OnPremisesAutomationArgs
    from components.paw import PawHostPool, PawHostPoolArgs
    from components.private_access import PrivateAccessApp

CA_CODES = ("CA01", "CA02", "CA03", "CA04", "CA05", "CA06", "CA07", "CA08", "CA09", "CA10", "CA11")


@dataclass
class Built:
    """What `build` declared, for the other areas and for the stack outputs."""

    model: StackModel
    principal_ids: dict[str, pulumi.Output[str]] = field(default_factory=dict)
    admin_units: AdministrativeUnits | None = None
    admin_accounts: PrivilegedAccounts | None = None
    break_glass: BreakGlassAccounts | None = None
    entra_roles: dict[str, EntraRoleJit] = field(default_factory=dict)
    azure_roles: dict[str, AzureRoleJit] = field(default_factory=dict)
    journeys: AccessPackageJourneys | None = None
    journey_automation: dict[str, JourneyAutomation] = field(default_factory=dict)
    """Logic Apps of the journeys by kind (onboarding, on-premises-groups); their principal_id is the identity
    the on-premises Automation account lets start runbook jobs (job_operator_principal_ids)."""
    private_access: dict[str, PrivateAccessApp] = field(default_factory=dict)
    leaver: LeaverWorkflow | None = None
    paw: PawHostPool | None = None
    conditional_access: ConditionalAccessBaseline | None = None
    on_premises: OnPremisesAutomation | None = None
    monitoring: PrivilegedMonitoring | None = None

    def log_workspace_id(self) -> pulumi.Output[str] | None:
        """The monitoring workspace every area sends its diagnostics to (None: each keeps its own)."""
        return self.monitoring.workspace_id if self.monitoring else None

    def group_ids(self) -> dict[str, pulumi.Output[str]]:
        """Group names journeys and apps use: principals.groups, journey groups (binding keys), cloud groups."""
        ids = {k: pulumi.Output.from_input(g.object_id) for k, g in self.model.principals.groups.items()}
        ids.update(
            {
                k: c.group_object_id
                for k, c in self.entra_roles.items()
                if c.mode == "eligibleGroup" and c.group_object_id is not None
            }
        )
        if self.journeys is not None:
            ids.update(self.journeys.cloud_group_ids)
        return ids

    def pim_group_ids(self) -> dict[str, pulumi.Output[str]]:
        return {k: c.group_object_id for k, c in self.entra_roles.items() if c.group_object_id is not None}


# the top-level resource each stack-file area is built into (pum points findings under it at that entry)
_AREA_PATHS = {
    "administrative-units": "privileged-access:administrativeUnits",
    "admin-accounts": "privileged-access:principals.people",
    "break-glass": "privileged-access:breakGlass",
    "paw": "privileged-access:paw",
    "conditional-access": "privileged-access:conditionalAccess",
    "leaver-admin-accounts": "privileged-access:lifecycle.leaver",
    "temporary-access-pass": "privileged-access:authenticationMethods.temporaryAccessPass",
    "on-premises": "privileged-access:onPremises",
    "monitoring": "privileged-access:monitoring",
    "licences": "privileged-access:licences",
    "adopted": "privileged-access:adopted",
}


def build(model: StackModel, today: dt.date | None = None) -> Built:
    """Declare everything the model describes; `today` decides who has left (default: the real date)."""
    built = Built(model)
    today = today or dt.date.today()
    locations.start()
    for name, path in _AREA_PATHS.items():
        locations.record(name, path)
    _accounts(built, today)
    _monitoring(built)  # the workspace the later areas send their diagnostics to
    _licences(built)
    _authentication_methods(built)
    _entra_roles(built, today)
    _azure_roles(built, today)
    _journeys(built, today)  # access packages: journey groups and cloud groups, then the packages
    _private_access(built)  # apps assigned to journey/cloud groups
    _leaver(built)
    _admin_access(built)  # PAW, then the CA baseline that filters on its hosts
    _on_premises(built, today)  # Automation account + domain workers + Key Vault (journeys start its runbooks)
    _journey_runbook_access(built)  # the journey automation may start (only) jobs in that account
    _adopted(built)
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
    protect = model.tenant.protect_from_deletion
    if model.administrative_units:
        built.admin_units = AdministrativeUnits(
            "administrative-units",
            AdministrativeUnitsArgs(
                protect=protect,
                units={
                    key: AdministrativeUnitArgs(
                        display_name=unit.display_name,
                        object_id=unit.object_id,
                        description=unit.description,
                        hidden_membership=unit.hidden_membership,
                    )
                    for key, unit in model.administrative_units.items()
                },
            ),
        )
    people = {key: (p, p.admin_account) for key, p in model.principals.people.items() if p.admin_account}
    if people:
        built.admin_accounts = PrivilegedAccounts(
            "admin-accounts",
            PrivilegedAccountsArgs(
                protect=protect,
                people={
                    key: AdminAccountArgs(
                        upn=account.upn,
                        display_name=f"{p.display_name} (admin)",
                        mail_nickname=account.mail_nickname,
                        manager_upn=p.manager_upn,
                        enabled=not _has_left(p.leaving_date, today),
                    )
                    for key, (p, account) in people.items()
                },
            ),
        )
        built.principal_ids.update(built.admin_accounts.object_ids)
    for key, group in model.principals.groups.items():
        built.principal_ids[key] = pulumi.Output.from_input(group.object_id)
    if model.break_glass:
        built.break_glass = BreakGlassAccounts(
            "break-glass",
            BreakGlassAccountsArgs(
                accounts=[
                    BreakGlassAccountArgs(upn=a.upn, display_name=a.display_name) for a in model.break_glass.accounts
                ]
            ),
        )


def monitoring_args(
    settings: MonitoringSettings, *, break_glass_upns: Sequence[str], paw_device_prefix: str | None
) -> PrivilegedMonitoringArgs:
    """The model's monitoring area as PrivilegedMonitoring's arguments."""
    from components.monitoring import PrivilegedMonitoringArgs

    return PrivilegedMonitoringArgs(
        resource_group_name=settings.resource_group_name,
        location=settings.location,
        workspace_name=settings.workspace_name,
        retention_days=settings.retention_days,
        private=settings.private,
        action_group_name=settings.action_group.name,
        action_group_short_name=settings.action_group.short_name,
        alert_emails=list(settings.action_group.emails),
        break_glass_upns=list(break_glass_upns),
        paw_device_prefix=paw_device_prefix,
        activation_window_minutes=settings.pim_activation_window_minutes,
        tags=dict(settings.tags),
    )


def _monitoring(built: Built) -> None:
    """`privileged-access:monitoring`: declared before the areas that send it their diagnostics; its detections
    know the break-glass accounts and the PAW's host names from the model."""
    model = built.model
    settings = model.monitoring
    if settings is None or not settings.enabled:
        return
    from components.monitoring import PrivilegedMonitoring  # pulumi_azure_native: only for stacks that use it

    paw = model.paw if model.paw is not None and model.paw.enabled else None
    built.monitoring = PrivilegedMonitoring(
        "monitoring",
        monitoring_args(
            settings,
            break_glass_upns=[a.upn for a in model.break_glass.accounts] if model.break_glass else [],
            paw_device_prefix=paw.computer_name_prefix if paw else None,
        ),
    )


def _adopted(built: Built) -> None:
    """`privileged-access:adopted`: the tenant's objects `pum import` declared as they are."""
    if built.model.adopted is None:
        return
    from components.adopted import AdoptedObjects, AdoptedObjectsArgs

    AdoptedObjects("adopted", AdoptedObjectsArgs(adopted=built.model.adopted))


def _licences(built: Built) -> None:
    """`privileged-access:licences`: what the tenant holds, registered for the pack's licences-cover-plan."""
    if built.model.licences is None:
        return
    from components.licences import LicencesHeld

    LicencesHeld("licences", built.model.licences.declared())


def _authentication_methods(built: Built) -> None:
    """The tenant's Temporary Access Pass policy, for the stack's admin accounts of people who have not left."""
    methods = built.model.authentication_methods
    tap = methods.temporary_access_pass if methods else None
    if tap is None or not tap.enabled or built.admin_accounts is None:
        return
    members = list(built.admin_accounts.enabled_object_ids.values())
    if not members:
        return
    from components.accounts import TemporaryAccessPassOnboarding, TemporaryAccessPassOnboardingArgs

    TemporaryAccessPassOnboarding(
        "temporary-access-pass",
        TemporaryAccessPassOnboardingArgs(
            member_object_ids=members,
            group_display_name=tap.group_display_name,
            default_lifetime_minutes=tap.minutes("default_lifetime"),
            minimum_lifetime_minutes=tap.minutes("minimum_lifetime"),
            maximum_lifetime_minutes=tap.minutes("maximum_lifetime"),
            length=tap.length,
        ),
    )


def _approver(built: Built, key: str) -> tuple[pulumi.Input[str], str]:
    """An approver key -> (object ID, 'user'|'group'): admin account, else the daily account, else the group."""
    principals = built.model.principals
    if key in principals.groups:
        return principals.groups[key].object_id, "group"
    if key in built.principal_ids:
        return built.principal_ids[key], "user"
    return azuread.get_user_output(user_principal_name=principals.people[key].daily_upn).object_id, "user"


def _activation(built: Built, binding: RoleBinding | AzureRoleBinding) -> ActivationArgs:
    rules = effective_activation(binding, built.model.pim.defaults)
    approvers = [_approver(built, key) for key in rules.approvers]
    return ActivationArgs(
        max_duration=rules.max_duration,
        require_mfa=rules.require_mfa,
        authentication_context=rules.authentication_context,
        require_justification=rules.require_justification,
        require_ticket=rules.require_ticket,
        require_approval=rules.require_approval,
        approver_group_ids=tuple(i for i, kind in approvers if kind == "group"),
        approver_user_ids=tuple(i for i, kind in approvers if kind == "user"),
    )


def _eligible(
    built: Built, binding: RoleBinding | AzureRoleBinding, today: dt.date, where: str
) -> tuple[dict, dict, str | None]:
    """Principal key -> object ID, each one's end date when it is fixed, and the declared start (components.expiry).

    Without a declared start an eligibility lasts its lifetime from when it is created, and only a leaver's last day
    fixes an end. With one, every eligibility ends at start + lifetime (or the leaver's last day, if sooner): the
    same on every run; one whose end has passed is left out (never re-created for a new lifetime) and said so."""
    defaults = built.model.pim.defaults
    lifetime = durations.parse(eligibility_lifetime(binding, defaults))
    start = binding.eligibility_start or defaults.eligibility_start
    people = built.model.principals.people
    eligible, ends = {}, {}
    for key in binding.eligible:
        leaving = people[key].leaving_date if key in people else None
        if _has_left(leaving, today):
            continue
        end = expiry.end(start, lifetime, leaving) if start else None
        if end is not None and expiry.lapsed(end, today):
            pulumi.log.warn(expiry.lapsed_message(where, key, end))
            continue
        eligible[key] = built.principal_ids[key]
        if end is not None:
            ends[key] = expiry.utc(end)
        elif leaving is not None and leaving + dt.timedelta(days=1) <= today + lifetime:
            ends[key] = f"{leaving + dt.timedelta(days=1):%Y-%m-%d}T00:00:00Z"
    return eligible, ends, expiry.utc(expiry.midnight(start)) if start else None


def _journey_group_lapse(built: Built, binding: RoleBinding, today: dt.date, where: str) -> None:
    """An eligibleGroup binding's group is eligible from the declared start too; once that has lapsed the plan says
    so (Graph refuses an eligibility that ends in the past, so it fails loudly rather than starting a new lifetime)."""
    defaults = built.model.pim.defaults
    start = binding.eligibility_start or defaults.eligibility_start
    if binding.mode != "eligibleGroup" or start is None:
        return
    ends = expiry.end(start, durations.parse(eligibility_lifetime(binding, defaults)))
    if expiry.lapsed(ends, today):
        pulumi.log.warn(expiry.lapsed_message(where, "the journey group", ends))


def _entra_roles(built: Built, today: dt.date) -> None:
    model = built.model
    defaults = model.pim.defaults
    for index, binding in enumerate(model.pim.role_bindings):
        key = binding_key(binding)
        locations.record(f"pim-{key}", f"privileged-access:pim.roleBindings[{index}]")
        role = binding_role(binding)
        tier = binding.tier if binding.tier is not None else (0 if role.critical else 1)
        scoped = binding.scope != "/"
        unit_id: pulumi.Output[str] | None = None
        if scoped:
            if built.admin_units is None:
                raise ValueError(
                    f"pim.roleBindings {key!r}: scope {binding.scope!r} names an administrative unit, "
                    "but privileged-access:administrativeUnits declares none"
                )
            unit_id = built.admin_units.object_ids[binding.scope]
        where = f"privileged-access:pim.roleBindings[{index}]"
        eligible, ends, start = _eligible(built, binding, today, where)
        _journey_group_lapse(built, binding, today, where)
        built.entra_roles[key] = EntraRoleJit(
            f"pim-{key}",
            EntraRoleJitArgs(
                role=role.id,
                eligible=eligible,
                eligibility_end_dates=ends,
                eligibility_start=start,
                administrative_unit_id=unit_id,
                mode=binding.mode,
                activation=_activation(built, binding),
                eligibility_duration=eligibility_lifetime(binding, defaults),
                manage_role_settings=settings_owner(model, binding),
                group_display_name=binding.group_display_name
                or (f"{model.tenant.name_prefix}-T{tier}-{role.name}" + (f" ({binding.scope})" if scoped else "")),
                notification_recipients=notification_recipients(binding, defaults),
                protect_group=model.tenant.protect_from_deletion,
                justification=defaults.justification,
            ),
        )


def _scope_name(scope: str) -> str:
    last = re.sub(r"[^a-z0-9]+", "-", scope.rstrip("/").rsplit("/", 1)[-1].lower()).strip("-")[:30] or "root"
    return f"{last}-{hashlib.sha256(scope.lower().encode()).hexdigest()[:6]}"


def _azure_roles(built: Built, today: dt.date) -> None:
    if not built.model.pim.azure_role_bindings:
        return
    from components.azure_jit import AzureRoleJit, AzureRoleJitArgs  # pulumi_azure_native: only stacks using it

    defaults = built.model.pim.defaults
    for index, binding in enumerate(built.model.pim.azure_role_bindings):
        key = binding_key(binding)
        eligible, ends, start = _eligible(built, binding, today, f"privileged-access:pim.azureRoleBindings[{index}]")
        eligible.update({group: built.entra_roles[group].group_object_id for group in binding.journey_groups})
        activation = _activation(built, binding)
        for position, item in enumerate(binding.scopes):
            name = f"azure-{key}-{_scope_name(item.scope)}"
            locations.record(name, f"privileged-access:pim.azureRoleBindings[{index}].scopes[{position}]")
            built.azure_roles[name] = AzureRoleJit(
                name,
                AzureRoleJitArgs(
                    role=binding_role(binding).id,
                    scope=item.scope,
                    eligible=eligible,
                    eligibility_end_dates=ends,
                    eligibility_start=start,
                    policy_name=item.policy_name if binding.manage_settings else None,
                    activation=activation,
                    eligibility_duration=eligibility_lifetime(binding, defaults),
                    notification_recipients=notification_recipients(binding, defaults),
                    justification=defaults.justification,
                ),
            )


def _journeys(built: Built, today: dt.date) -> None:
    """The catalog, its cloud groups and one access package per journey. Requestors who are people request
    with their admin account; people who have left are dropped (the leaver workflow removes what they hold)."""
    settings = built.model.access_packages
    if settings is None:
        return
    from components.access_packages import AccessPackageJourneys

    people = built.model.principals.people
    requestors = {
        key: built.principal_ids[key]
        for journey in settings.journeys
        for key in journey.requestors
        if key in built.principal_ids and not (key in people and _has_left(people[key].leaving_date, today))
    }
    daily = {
        key
        for journey in settings.journeys
        if journey.request_with == "dailyAccount"
        for key in journey.requestors
        if key in people and not _has_left(people[key].leaving_date, today)
    }
    daily_users = {
        key: azuread.get_user_output(user_principal_name=people[key].daily_upn).object_id for key in sorted(daily)
    }
    locations.record("journeys", "privileged-access:accessPackages.journeys")
    built.journeys = AccessPackageJourneys(
        "journeys",
        access_package_args(
            settings,
            groups=built.group_ids(),
            users=requestors,
            daily_users=daily_users,
            protect_groups=built.model.tenant.protect_from_deletion,
            secondary_accounts=_secondary_accounts(built, settings, daily_users, requestors),
            on_premises_runbooks=_runbooks_of_on_premises(built),
            log_workspace_id=built.log_workspace_id(),
        ),
    )
    built.journey_automation = dict(built.journeys.automations)


def _secondary_accounts(
    built: Built,
    settings: AccessPackagesSettings,
    daily_users: Mapping[str, pulumi.Input[str]],
    admin_ids: Mapping[str, pulumi.Input[str]],
) -> list[SecondaryAccountArgs]:
    """What the onboarding automation needs about each requestor of an onboarding journey (no secret)."""
    people = built.model.principals.people
    onboarding = {k for j in settings.journeys if j.onboarding for k in j.requestors if k in admin_ids}
    on_premises = {k for j in settings.journeys if j.on_premises for k in j.requestors if k in admin_ids}
    accounts = []
    for key in sorted(onboarding | on_premises):
        person, account = people[key], people[key].admin_account
        if account is None or (key in onboarding and person.manager_upn is None):
            continue  # the model refuses these (journey_issues)
        daily = daily_users.get(key) or azuread.get_user_output(user_principal_name=person.daily_upn).object_id
        accounts.append(
            SecondaryAccountArgs(
                daily_object_id=daily,
                admin_object_id=admin_ids[key],
                admin_upn=account.upn,
                display_name=person.display_name,
                manager_upn=person.manager_upn or "",
                on_premises_user_name=(account.mail_nickname or account.upn.split("@", 1)[0])[:20],
                daily_upn=person.daily_upn or "",
                onboarding=key in onboarding,
            )
        )
    return accounts


def _runbooks_of_on_premises(built: Built) -> tuple[str, str] | None:
    """The Automation account ID and worker group of the stack's privileged-access:onPremises (declared after the
    journeys, so its ARM ID is built from its names, in the journey automation's subscription)."""
    settings, packages = built.model.on_premises, built.model.access_packages
    if settings is None or not settings.enabled or packages is None or packages.automation is None:
        return None
    account = (
        f"/subscriptions/{packages.automation.subscription_id}/resourceGroups/{settings.resource_group_name}"
        f"/providers/Microsoft.Automation/automationAccounts/{settings.automation_account_name}"
    )
    return account, settings.worker_group_name


def access_package_args(
    settings: AccessPackagesSettings,
    *,
    groups: Mapping[str, pulumi.Input[str]],
    users: Mapping[str, pulumi.Input[str]] | None = None,
    daily_users: Mapping[str, pulumi.Input[str]] | None = None,
    protect_groups: bool = False,
    secondary_accounts: Sequence[SecondaryAccountArgs] = (),
    on_premises_runbooks: tuple[str, str] | None = None,
    log_workspace_id: pulumi.Input[str] | None = None,
) -> AccessPackageJourneysArgs:
    """The model's accessPackages area as AccessPackageJourneys' arguments."""

    def review(r) -> ReviewArgs:
        return ReviewArgs(
            enabled=r.enabled,
            frequency=r.frequency,
            review_type=r.review_type,
            reviewer_groups=tuple(r.reviewer_groups),
            duration_in_days=r.duration_in_days,
            timeout_behavior=r.timeout_behavior,
        )

    journeys = [
        JourneyArgs(
            key=j.key,
            display_name=j.display_name,
            description=j.description,
            critical=j.tier == "critical",
            granted_groups=tuple(j.granted_groups()),
            requestors=tuple(j.requestors),
            requestor_groups=tuple(j.requestor_groups),
            duration_in_days=j.duration_in_days,
            duration_in_hours=j.duration_in_hours,
            extension_enabled=j.extension_enabled,
            manager_approval=j.manager_approval,
            approver_group=j.approver_group,
            approval_timeout_in_days=j.approval_timeout_in_days,
            justification_required=j.justification_required,
            ticket_question=j.ticket_question,
            review=review(j.review),
            requests_accepted=j.requests_accepted,
            vendors=VendorArgs(
                connected_organization_ids=tuple(j.vendors.connected_organization_ids),
                duration_in_days=j.vendors.duration_in_days,
                sponsor=j.vendors.sponsor,
            )
            if j.vendors
            else None,
            request_with=j.request_with,
            onboarding=j.onboarding,
            on_premises_groups=tuple(j.on_premises.groups) if j.on_premises else (),
            sudo_groups=tuple(j.on_premises.sudo_groups) if j.on_premises else (),
            reset_password=bool(j.on_premises and j.on_premises.reset_password),
            verified_id=VerifiedIdArgs(
                credential_type=j.verified_id.credential_type,
                issuers=tuple(j.verified_id.issuers),
                face_check=j.verified_id.face_check,
            )
            if j.verified_id
            else None,
        )
        for j in settings.journeys
    ]
    auto = settings.automation
    account_id: str | None
    worker_group: str | None
    if auto and auto.runbooks:  # named in the stack file, else the stack's privileged-access:onPremises
        account_id, worker_group = auto.runbooks.automation_account_id, auto.runbooks.hybrid_worker_group
        add_runbook, remove_runbook = auto.runbooks.add_group_member_runbook, auto.runbooks.remove_group_member_runbook
        reset_runbook = auto.runbooks.reset_password_runbook
    else:
        account_id, worker_group = on_premises_runbooks if on_premises_runbooks else (None, None)
        add_runbook, remove_runbook = (
            AutomationArgs.add_group_member_runbook,
            AutomationArgs.remove_group_member_runbook,
        )
        reset_runbook = AutomationArgs.reset_password_runbook
    automation = (
        AutomationArgs(
            subscription_id=auto.subscription_id,
            resource_group_name=auto.resource_group_name,
            location=auto.location,
            name_prefix=auto.name_prefix,
            provisioning_service_principal_id=auto.provisioning.service_principal_id if auto.provisioning else None,
            provisioning_job_id=auto.provisioning.job_id if auto.provisioning else None,
            notification_sender=auto.notification_sender,
            temporary_access_pass_minutes=auto.temporary_access_pass_minutes,
            automation_account_id=account_id,
            hybrid_worker_group=worker_group,
            add_group_member_runbook=add_runbook,
            remove_group_member_runbook=remove_runbook,
            reset_password_runbook=reset_runbook,
            secondary_accounts=tuple(secondary_accounts),
            log_workspace_id=log_workspace_id,
        )
        if auto
        else None
    )
    cloud_groups = {
        key: CloudGroupArgs(
            display_name=g.display_name,
            description=g.description,
            writeback=g.writeback,
            on_premises_nested_in=g.on_premises_nested_in,
        )
        for key, g in settings.cloud_groups.items()
    }
    return AccessPackageJourneysArgs(
        catalog_name=settings.catalog_name,
        catalog_description=settings.catalog_description,
        externally_visible=settings.externally_visible,
        journeys=journeys,
        cloud_groups=cloud_groups,
        groups=dict(groups),
        users=dict(users or {}),
        daily_users=dict(daily_users or {}),
        protect_groups=protect_groups,
        automation=automation,
    )


def private_access_args(
    app: PrivateAccessAppSettings,
    *,
    groups: Mapping[str, pulumi.Input[str]],
    excluded_user_ids: pulumi.Input[list] | None = None,
) -> PrivateAccessAppArgs:
    """One of the model's privateAccess.apps as PrivateAccessApp's arguments (groups resolved to object IDs)."""
    where = f"privateAccess.apps[{app.key}]"
    return PrivateAccessAppArgs(
        display_name=app.display_name,
        segments=[s.wire() for s in app.segments],
        connector_group_id=app.connector_group_id,
        assigned_group_ids=[resolve_group(ref, groups, where) for ref in app.assigned_groups],
        application_type=app.application_type,
        require_compliant_device=app.require_compliant_device,
        excluded_user_ids=excluded_user_ids,
    )


def _private_access(built: Built) -> None:
    settings = built.model.private_access
    if settings is None:
        return
    from components.private_access import PrivateAccessApp

    excluded = [u.object_id for u in built.break_glass.users.values()] if built.break_glass else None
    groups = built.group_ids()
    for index, app in enumerate(settings.apps):
        locations.record(f"private-access-{app.key}", f"privileged-access:privateAccess.apps[{index}]")
    built.private_access = {
        app.key: PrivateAccessApp(
            f"private-access-{app.key}", private_access_args(app, groups=groups, excluded_user_ids=excluded)
        )
        for app in settings.apps
    }


def paw_args(
    settings: PawSettings,
    *,
    user_object_ids: Sequence[pulumi.Input[str]],
    log_workspace_id: pulumi.Input[str] | None = None,
    monitor_private_link_scope_id: pulumi.Input[str] | None = None,
) -> PawHostPoolArgs:
    """The model's paw area as PawHostPool's arguments."""
    from components.paw import PawHostPoolArgs

    hosts, endpoints = settings.subnets()
    return PawHostPoolArgs(
        user_object_ids=list(user_object_ids),
        resource_group_name=settings.resource_group_name,
        location=settings.location,
        host_count=settings.host_count,
        vm_size=settings.vm_size,
        computer_name_prefix=settings.computer_name_prefix,
        admin_username=settings.admin_username,
        address_space=settings.address_space,
        hosts_prefix=hosts,
        endpoints_prefix=endpoints,
        public_network_access=settings.public_network_access,
        image_sku=settings.image_sku,
        registration_token_hours=settings.registration_token_hours,
        log_retention_days=settings.log_retention_days,
        agent_modules_url=settings.agent_modules_url,
        tags=dict(settings.tags),
        log_workspace_id=log_workspace_id,
        monitor_private_link_scope_id=monitor_private_link_scope_id,
    )


def conditional_access_args(
    settings: ConditionalAccessSettings,
    *,
    break_glass_user_ids: Sequence[pulumi.Input[str]],
    admin_group_ids: Sequence[pulumi.Input[str]] = (),
    paw_device_filter: str | None = None,
) -> ConditionalAccessBaselineArgs:
    """The model's conditionalAccess area as ConditionalAccessBaseline's arguments; the stack file's own
    pawDeviceFilter wins over the PAW's."""
    return ConditionalAccessBaselineArgs(
        break_glass_user_ids=list(break_glass_user_ids),
        admin_group_ids=list(admin_group_ids),
        paw_device_filter=settings.paw_device_filter or paw_device_filter,
        name_prefix=settings.name_prefix,
        privileged_roles=list(settings.privileged_roles or sorted(PRIVILEGED_ROLE_IDS)),
        custom_strength_methods=list(settings.custom_strength_methods)
        if settings.authentication_strength == "custom"
        else None,
        sign_in_frequency_hours=settings.sign_in_frequency_hours,
        block_legacy_authentication=settings.block_legacy_authentication,
        block_device_code_flow=settings.block_device_code_flow,
        named_locations=[
            NamedLocationArgs(
                name=loc.name, ip_ranges=list(loc.ip_ranges), countries=list(loc.countries), trusted=loc.trusted
            )
            for loc in settings.named_locations
        ],
        admin_allowed_locations=list(settings.admin_allowed_locations),
        enforced=frozenset(code for code in CA_CODES if settings.enforced(code)),
        authentication_contexts=sorted(settings.context_ids()),
        contexts=[
            AuthenticationContextArgs(
                claim_value=c.id, display_name=c.display_name, description=c.description, is_available=c.is_available
            )
            for c in settings.authentication_contexts
        ],
        strict_continuous_access_evaluation=settings.continuous_access_evaluation == "strict",
        report_only_until=settings.report_only_until.isoformat() if settings.report_only_until else None,
    )


def _admin_access(built: Built) -> None:
    """`privileged-access:paw` and `:conditionalAccess` (PAW first: CA02/CA03 filter on its hosts). The model has
    already checked what they need from other areas (components.model.conditional_access.admin_access_issues)."""
    model = built.model
    paw_settings, ca_settings = model.paw, model.conditional_access
    if paw_settings is not None and paw_settings.enabled:
        from components.paw import PawHostPool  # pulumi_azure_native: imported only by stacks with a PAW

        built.paw = PawHostPool(
            "paw",
            paw_args(
                paw_settings,
                user_object_ids=[built.principal_ids[k] for k in paw_settings.users],
                log_workspace_id=built.log_workspace_id(),
                monitor_private_link_scope_id=built.monitoring.private_link_scope_id if built.monitoring else None,
            ),
        )
    if ca_settings is None or not ca_settings.enabled:
        return
    paw = built.paw
    if built.break_glass is None:
        raise ValueError(
            "privileged-access:conditionalAccess needs privileged-access:breakGlass: every CA policy "
            "excludes the break-glass accounts"
        )
    built.conditional_access = ConditionalAccessBaseline(
        "conditional-access",
        conditional_access_args(
            ca_settings,
            break_glass_user_ids=[u.object_id for u in built.break_glass.users.values()],
            admin_group_ids=[*built.pim_group_ids().values(), *([paw.users_group_id] if paw else [])],
            paw_device_filter=paw.device_filter if paw else None,
        ),
    )


def _leaver(built: Built) -> None:
    lifecycle = built.model.lifecycle
    if lifecycle is None or lifecycle.leaver is None:
        return
    from components.graph.lifecycle import LeaverWorkflow

    leaver = lifecycle.leaver
    built.leaver = LeaverWorkflow(
        "leaver-admin-accounts",
        display_name=leaver.display_name,
        scope_rule=leaver.scope_rule,
        offset_in_days=leaver.offset_in_days,
        description="Removes all access package assignments and group memberships and "
        "disables the account on the admin's employeeLeaveDateTime (managed "
        "as code)",
        is_enabled=leaver.enabled,
    )


def on_premises_args(
    settings: OnPremisesSettings,
    *,
    today: dt.date,
    job_operator_principal_ids: Sequence[pulumi.Input[str]] = (),
    log_workspace_id: pulumi.Input[str] | None = None,
) -> OnPremisesAutomationArgs:
    """The model's onPremises area as OnPremisesAutomation's arguments (the runbooks read from automation/runbooks)."""
    from components.on_premises import OnPremisesAutomationArgs, ScheduleArgs, load_runbooks, schedule_start

    return OnPremisesAutomationArgs(
        resource_group_name=settings.resource_group_name,
        location=settings.location,
        domain_fqdn=settings.domain_fqdn,
        admin_accounts_ou=settings.admin_accounts_ou,
        automation_account_name=settings.automation_account_name,
        worker_group_name=settings.worker_group_name,
        key_vault_name=settings.key_vault_name,
        password_delivery_sender=settings.password_delivery_sender,
        managed_groups=list(settings.managed_groups),
        runbooks=load_runbooks(),
        worker_machine_ids=list(settings.worker_machine_ids),
        worker_principal_ids=list(settings.worker_principal_ids),
        job_operator_principal_ids=list(job_operator_principal_ids),
        private_endpoint_subnet_id=settings.private_endpoint_subnet_id,
        address_space=settings.address_space,
        schedules={
            key: ScheduleArgs(frequency=s.frequency, interval=s.interval, time_zone=s.time_zone)
            for key, s in settings.schedules.items()
        },
        schedule_start=schedule_start(today),
        log_retention_days=settings.log_retention_days,
        install_worker_extension=settings.install_worker_extension,
        tags=dict(settings.tags),
        log_workspace_id=log_workspace_id,
    )


def _journey_runbook_access(built: Built) -> None:
    """Automation Job Operator on the on-premises Automation account for the Logic App that starts the journeys'
    group-membership runbooks (on grant and on removal), and for nothing else."""
    automation = built.journey_automation.get("on-premises-groups")
    if automation is None or built.on_premises is None:
        return
    built.on_premises.allow_job_operator("journey-on-premises-groups", automation.principal_id)


def _on_premises(built: Built, today: dt.date) -> None:
    """`privileged-access:onPremises`: the Automation account the journey automation starts runbooks in. The
    journey automation, declared later, gets Automation Job Operator through
    `built.on_premises.allow_job_operator(key, principal_id)`."""
    settings = built.model.on_premises
    if settings is None or not settings.enabled:
        return
    from components.on_premises import OnPremisesAutomation  # pulumi_azure_native: only for stacks that use it

    built.on_premises = OnPremisesAutomation(
        "on-premises", on_premises_args(settings, today=today, log_workspace_id=built.log_workspace_id())
    )
