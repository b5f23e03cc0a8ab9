"""OnPremisesAutomation: an Azure Automation account that reaches the on-premises domain through a Hybrid Runbook
Worker group, the runbooks it runs (files in automation/runbooks/) and a Key Vault for their credentials."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict, cast

import pulumi
from privileged_facts.conventions import ON_PREMISES_TAG_VALUE, PAW_TAG_KEY
from privileged_facts.roles import AZURE_ROLE_AUTOMATION_JOB_OPERATOR, AZURE_ROLE_KEY_VAULT_SECRETS_OFFICER
from pulumi.output import UNKNOWN
from pulumi_azure_native import (
    authorization,
    automation,
    compute,
    hybridcompute,
    keyvault,
    monitor,
    network,
    operationalinsights,
    privatedns,
    resources,
)

from components.runbook_content import RunbookContent, RunbookContentProvider

RUNBOOK_DIR = Path(__file__).resolve().parent.parent / "automation" / "runbooks"


@dataclass(frozen=True)
class RunbookSpec:
    """One runbook file and what it is for (its name in the account is the file's stem)."""

    file: str
    description: str
    scheduled_as: str | None = None  # the schedules key (model.on_premises.ScheduledRunbook) that runs it


RUNBOOKS: tuple[RunbookSpec, ...] = (
    RunbookSpec("Add-AdGroupMembership.ps1", "Adds an admin account to Account Operators for a limited time."),
    RunbookSpec("Remove-AdGroupMembership.ps1", "Removes an admin account from Account Operators."),
    RunbookSpec(
        "Remove-ExpiredMembership.ps1",
        "Removes memberships whose recorded end has passed (forests without temporal membership).",
        "remove-expired-membership",
    ),
    RunbookSpec("New-OnPremAdminAccount.ps1", "Creates an admin account, resets its password, delivers it by mail."),
    RunbookSpec("Disable-OnPremAdminAccount.ps1", "Disables an admin account and removes its journey memberships."),
    RunbookSpec(
        "Rotate-RunbookCredentials.ps1",
        "Rotates the AD service account password the runbooks read from Key Vault.",
        "rotate-credentials",
    ),
)
KEY_VAULT_ZONE = "privatelink.vaultcore.azure.net"
# The extension-based Hybrid Runbook Worker (azure-docs automation/extension-based-hybrid-runbook-worker-install.md)
WORKER_EXTENSION = "HybridWorkerExtension"
WORKER_EXTENSION_PUBLISHER = "Microsoft.Azure.Automation.HybridWorker"
WORKER_EXTENSION_VERSION = "1.1"
AUTOMATION_ZONE = "privatelink.azure-automation.net"
_IDS = uuid.UUID("8f6b0c2e-4f0e-4a8e-9d59-6a1f3c0b7e21")  # namespace of the job schedule and worker IDs


def runbook_name(spec: RunbookSpec) -> str:
    return spec.file.removesuffix(".ps1")


def load_runbooks(directory: Path = RUNBOOK_DIR) -> dict[str, str]:
    """The runbook files' text by runbook name, read as UTF-8 (newlines as in the file)."""
    texts = {}
    for spec in RUNBOOKS:
        with open(directory / spec.file, encoding="utf-8", newline="") as handle:
            texts[runbook_name(spec)] = handle.read()
    return texts


def schedule_start(today: date) -> str:
    """The first run of a new schedule: 02:00 UTC on the day after `today` (Automation wants a start at least five
    minutes ahead; the same value all day, so previews agree). Set at creation only: the component ignores later
    changes of startTime."""
    return f"{(today + timedelta(days=1)).isoformat()}T02:00:00Z"


class _InAccount(TypedDict):
    """Where every Automation child resource goes (passed as keyword arguments)."""

    resource_group_name: pulumi.Output[str]
    automation_account_name: pulumi.Output[str]


def _principal_id(identity: automation.outputs.IdentityResponse | None) -> str:
    """The account identity's object ID; unknown until Azure has made it (a preview of a new account), so a role
    assignment for it is never declared with a missing principal."""
    if identity is None or not identity.principal_id:
        return cast(str, UNKNOWN)
    return identity.principal_id


@dataclass(frozen=True)
class ScheduleArgs:
    frequency: str
    interval: int
    time_zone: str = "UTC"


@dataclass(frozen=True, kw_only=True)
class OnPremisesAutomationArgs:
    """The arguments of an OnPremisesAutomation (components/stack.py maps the model's onPremises area)."""

    resource_group_name: str
    location: str
    domain_fqdn: str
    admin_accounts_ou: str
    automation_account_name: str
    worker_group_name: str
    key_vault_name: str
    password_delivery_sender: str
    runbooks: Mapping[str, str]
    """Runbook name -> the file's text (load_runbooks())."""
    managed_groups: Sequence[str] = ("Account Operators",)
    """The AD groups the runbooks may write membership of (the ManagedGroups variable)."""
    worker_machine_ids: Sequence[str] = ()
    worker_principal_ids: Sequence[pulumi.Input[str]] = ()
    """Object IDs of the worker machines' managed identities (a hybrid job authenticates as the machine)."""
    job_operator_principal_ids: Sequence[pulumi.Input[str]] = ()
    """Who may start the runbooks' jobs (the journey automation's identity): Automation Job Operator on the account."""
    private_endpoint_subnet_id: str | None = None
    address_space: str | None = None
    schedules: Mapping[str, ScheduleArgs] = field(default_factory=dict)
    schedule_start: str = ""
    """The first run of each schedule (schedule_start()); only used when a schedule is created."""
    log_retention_days: int = 90
    log_workspace_id: pulumi.Input[str] | None = None
    """The stack's monitoring workspace (PrivilegedMonitoring); without it the account keeps its own workspace."""
    install_worker_extension: bool = True
    """Install the Hybrid Worker extension (HybridWorkerForWindows) on each worker machine; the machine must be in
    `location`. False when the machine's owners install it (docs/on-premises.md, manual steps)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    content_provider: RunbookContentProvider | None = None
    """Tests inject a provider routed to a stand-in; None in real use."""


class OnPremisesAutomation(pulumi.ComponentResource):
    """Declares the on-premises reach: Automation account, domain worker group, runbooks, Key Vault.

    Guarantees: the Automation account has a system-assigned managed identity only, public network access off
    (workers reach it through a private endpoint, sub-resource DSCAndHybridWorker) and local (key) authentication
    off; no Run As account, no credential, certificate, connection or webhook asset, and no variable holds a
    credential (the five variables are the vault's name, the domain, the admin OU, the delivery mailbox and the AD
    groups the runbooks may write); the worker group has no credential (jobs run as Local System on the worker and
    read the AD service account's credential from Key Vault); every runbook's published content is the repository
    file whose SHA-256 the plan pins (RunbookContent), with verbose and progress streams off; scheduled runbooks run
    on the worker group. The Key Vault uses RBAC authorisation (no access policies), purge protection and soft delete
    (90 days), denies public network access (private endpoint with the privatelink.vaultcore.azure.net zone) and
    sends its logs to Log Analytics, as does the Automation account. The account's identity and the worker
    machines' identities get Key Vault Secrets Officer on the vault only; job operators (`job_operator_principal_ids`,
    or `allow_job_operator` for a principal declared later) get Automation Job Operator on the account only. No
    secret value is declared: the rotation runbook makes the first one. Every taggable resource carries
    `pum-role: on-premises-automation`.
    """

    automation_account_id: pulumi.Output[str]
    automation_account_name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    key_vault_id: pulumi.Output[str]
    key_vault_uri: pulumi.Output[str]
    worker_group_name: pulumi.Output[str]
    runbook_names: list[str]
    runbooks: dict[str, automation.Runbook]
    contents: dict[str, RunbookContent]
    job_schedules: dict[str, automation.JobSchedule]

    def __init__(self, name: str, args: OnPremisesAutomationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        expected = {runbook_name(spec) for spec in RUNBOOKS}
        if set(args.runbooks) != expected:
            raise ValueError(
                f"OnPremisesAutomation {name!r}: runbooks must be the texts of {sorted(expected)} (load_runbooks())"
            )
        if (args.private_endpoint_subnet_id is None) == (args.address_space is None):
            raise ValueError(
                f"OnPremisesAutomation {name!r}: give exactly one of private_endpoint_subnet_id or address_space"
            )
        if args.schedules and not args.schedule_start:
            raise ValueError(f"OnPremisesAutomation {name!r}: schedules need schedule_start (schedule_start())")
        super().__init__("privileged-access:index:OnPremisesAutomation", name, None, opts)
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, PAW_TAG_KEY: ON_PREMISES_TAG_VALUE}
        client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))

        rg = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=args.resource_group_name, location=args.location, tags=tags, opts=child
        )
        if args.log_workspace_id is None:
            logs_id: pulumi.Input[str] = operationalinsights.Workspace(
                f"{name}-logs",
                resource_group_name=rg.name,
                location=args.location,
                sku={"name": "PerGB2018"},
                retention_in_days=args.log_retention_days,
                tags=tags,
                opts=child,
            ).id
        else:
            logs_id = args.log_workspace_id
        subnet_id, vnet_id = self._network(name, args, rg, tags)

        vault = keyvault.Vault(
            f"{name}-kv",
            vault_name=args.key_vault_name,
            resource_group_name=rg.name,
            location=args.location,
            tags=tags,
            properties=self._vault_properties(client.tenant_id),
            opts=child,
        )
        account = automation.AutomationAccount(
            f"{name}-automation",
            automation_account_name=args.automation_account_name,
            resource_group_name=rg.name,
            location=args.location,
            sku={"name": "Basic"},
            identity={"type": automation.ResourceIdentityType.SYSTEM_ASSIGNED},  # the SDK types it as the enum
            public_network_access=False,
            disable_local_auth=True,
            tags=tags,
            opts=child,
        )
        self.private_dns_zone_groups: list[network.PrivateDnsZoneGroup] = []
        targets: tuple[tuple[str, pulumi.CustomResource, str, str], ...] = (
            ("kv", vault, KEY_VAULT_ZONE, "vault"),
            ("automation", account, AUTOMATION_ZONE, "DSCAndHybridWorker"),
        )
        for suffix, target, zone, subresource in targets:
            self._private_endpoint(
                f"{name}-{suffix}", rg, args.location, tags, subnet_id, vnet_id, target, zone, subresource
            )
            categories: list[monitor.DiagnosticsLogSettingsArgsDict] = [{"category_group": "allLogs", "enabled": True}]
            if suffix == "kv":
                categories.append({"category_group": "audit", "enabled": True})
            monitor.DiagnosticSetting(
                f"{name}-{suffix}-diag",
                name="to-log-analytics",
                resource_uri=target.id,
                workspace_id=logs_id,
                logs=categories,
                metrics=[{"category": "AllMetrics", "enabled": True}],
                opts=child,
            )

        in_account: _InAccount = {"resource_group_name": rg.name, "automation_account_name": account.name}
        group = automation.HybridRunbookWorkerGroup(
            f"{name}-workers", hybrid_runbook_worker_group_name=args.worker_group_name, **in_account, opts=child
        )
        for index, machine in enumerate(args.worker_machine_ids, start=1):
            worker = automation.HybridRunbookWorker(
                f"{name}-worker{index}",
                hybrid_runbook_worker_group_name=group.name,
                hybrid_runbook_worker_id=str(uuid.uuid5(_IDS, machine.lower())),
                vm_resource_id=machine,
                **in_account,
                opts=child,
            )
            if args.install_worker_extension:
                self._worker_extension(f"{name}-worker{index}", machine, account, worker, args.location, tags)

        variables: tuple[tuple[str, str | list[str]], ...] = (
            ("KeyVaultName", args.key_vault_name),
            ("DomainFqdn", args.domain_fqdn),
            ("AdminAccountsOu", args.admin_accounts_ou),
            ("DeliveryMailbox", args.password_delivery_sender),
            ("ManagedGroups", list(args.managed_groups)),
        )
        for key, value in variables:
            automation.Variable(
                f"{name}-var-{key}",
                variable_name=key,
                name=key,
                value=json.dumps(value),  # an Automation variable's value is a JSON literal
                is_encrypted=False,
                description="Not a secret: configuration the runbooks read.",
                **in_account,
                opts=child,
            )

        self.runbooks, self.contents, self.job_schedules = {}, {}, {}
        provider = args.content_provider or RunbookContentProvider()
        for spec in RUNBOOKS:
            rb_name = runbook_name(spec)
            runbook = automation.Runbook(
                f"{name}-{rb_name}",
                runbook_name=rb_name,
                runbook_type="PowerShell",
                description=spec.description,
                log_verbose=False,
                log_progress=False,
                location=args.location,
                tags=tags,
                **in_account,
                opts=child,
            )
            self.runbooks[rb_name] = runbook
            self.contents[rb_name] = RunbookContent(
                f"{name}-{rb_name}-content",
                runbook_id=runbook.id,
                content=args.runbooks[rb_name],
                provider=provider,
                opts=child,
            )
            schedule = args.schedules.get(spec.scheduled_as or "")
            if schedule is not None:
                self._schedule(name, rb_name, schedule, args, in_account, group)

        def role_id(guid: str) -> pulumi.Output[str]:
            return client.subscription_id.apply(
                lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
            )

        secrets_officer = role_id(AZURE_ROLE_KEY_VAULT_SECRETS_OFFICER)
        self.role_assignments: list[authorization.RoleAssignment] = []
        self.role_assignments.append(
            authorization.RoleAssignment(
                f"{name}-automation-secrets",
                principal_id=account.identity.apply(_principal_id),
                principal_type="ServicePrincipal",
                role_definition_id=secrets_officer,
                scope=vault.id,
                description="The Automation account's identity reads and rotates the runbooks' credentials.",
                opts=child,
            )
        )
        for index, principal in enumerate(args.worker_principal_ids, start=1):
            self.role_assignments.append(
                authorization.RoleAssignment(
                    f"{name}-worker{index}-secrets",
                    principal_id=principal,
                    principal_type="ServicePrincipal",
                    role_definition_id=secrets_officer,
                    scope=vault.id,
                    description="A domain worker's identity reads and rotates the runbooks' credentials.",
                    opts=child,
                )
            )
        for index, principal in enumerate(args.job_operator_principal_ids, start=1):
            self.role_assignments.append(
                authorization.RoleAssignment(
                    f"{name}-job-operator{index}",
                    principal_id=principal,
                    principal_type="ServicePrincipal",
                    role_definition_id=role_id(AZURE_ROLE_AUTOMATION_JOB_OPERATOR),
                    scope=account.id,
                    description="The journey automation starts the runbooks' jobs.",
                    opts=child,
                )
            )

        self.automation_account_id = account.id
        self.automation_account_name = account.name
        self.principal_id = account.identity.apply(_principal_id)
        self.key_vault_id = vault.id
        self.key_vault_uri = vault.properties.apply(lambda p: p.vault_uri)
        self.worker_group_name = group.name
        self.runbook_names = [runbook_name(spec) for spec in RUNBOOKS]
        self._account, self._client = account, client
        self.register_outputs(
            {
                "automationAccountId": self.automation_account_id,
                "automationAccountName": self.automation_account_name,
                "principalId": self.principal_id,
                "keyVaultId": self.key_vault_id,
                "keyVaultUri": self.key_vault_uri,
                "workerGroupName": self.worker_group_name,
                "runbookNames": self.runbook_names,
            }
        )

    @staticmethod
    def _vault_properties(tenant_id: pulumi.Output[str]) -> keyvault.VaultPropertiesArgsDict:
        """RBAC authorisation (no access policies), purge protection, soft delete, no public network path."""
        return {
            "tenant_id": tenant_id,
            "sku": {"family": keyvault.SkuFamily.A, "name": keyvault.SkuName.STANDARD},  # typed as the enums
            "enable_rbac_authorization": True,
            "enable_purge_protection": True,
            "enable_soft_delete": True,
            "soft_delete_retention_in_days": 90,
            "public_network_access": "Disabled",
            "network_acls": {"default_action": "Deny", "bypass": "None"},
            "enabled_for_deployment": False,
            "enabled_for_disk_encryption": False,
            "enabled_for_template_deployment": False,
        }

    def allow_job_operator(self, key: str, principal_id: pulumi.Input[str]) -> authorization.RoleAssignment:
        """Grant Automation Job Operator on this account (never wider) to a principal declared after this
        component, e.g. the journey automation's Logic App identity: `{name}-job-operator-{key}`."""
        guid = AZURE_ROLE_AUTOMATION_JOB_OPERATOR
        return authorization.RoleAssignment(
            f"{self._name}-job-operator-{key}",
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            role_definition_id=self._client.subscription_id.apply(
                lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
            ),
            scope=self._account.id,
            description="The journey automation starts the runbooks' jobs.",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _worker_extension(self, prefix, machine: str, account, worker, location: str, tags: dict[str, str]) -> None:
        """The Hybrid Worker extension on one machine (Arc-enabled server or Azure VM), pointed at the account's
        hybrid service URL (extension-based workers; Microsoft.Azure.Automation.HybridWorker)."""
        parts = machine.split("/")
        machine_rg, kind, machine_name = parts[4], parts[7].lower(), parts[8]
        opts = pulumi.ResourceOptions(parent=self, depends_on=[worker])
        settings = account.automation_hybrid_service_url.apply(lambda url: {"AutomationAccountURL": url})
        if kind == "machines":  # Microsoft.HybridCompute/machines: an Arc-enabled server
            hybridcompute.MachineExtension(
                f"{prefix}-extension",
                machine_name=machine_name,
                resource_group_name=machine_rg,
                extension_name=WORKER_EXTENSION,
                location=location,
                properties={
                    "publisher": WORKER_EXTENSION_PUBLISHER,
                    "type": "HybridWorkerForWindows",
                    "type_handler_version": WORKER_EXTENSION_VERSION,
                    "auto_upgrade_minor_version": True,
                    "enable_automatic_upgrade": True,
                    "settings": settings,
                },
                tags=tags,
                opts=opts,
            )
            return
        compute.VirtualMachineExtension(
            f"{prefix}-extension",
            vm_name=machine_name,
            resource_group_name=machine_rg,
            vm_extension_name=WORKER_EXTENSION,
            location=location,
            publisher=WORKER_EXTENSION_PUBLISHER,
            type="HybridWorkerForWindows",
            type_handler_version=WORKER_EXTENSION_VERSION,
            auto_upgrade_minor_version=True,
            enable_automatic_upgrade=True,
            settings=settings,
            tags=tags,
            opts=opts,
        )

    def _network(
        self, name: str, args: OnPremisesAutomationArgs, rg: resources.ResourceGroup, tags: dict[str, str]
    ) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        """(subnet for the private endpoints, its VNet): the given subnet, or a new VNet of address_space."""
        if args.private_endpoint_subnet_id is not None:
            subnet_id = args.private_endpoint_subnet_id
            return subnet_id, subnet_id.rsplit("/subnets/", 1)[0]
        child = pulumi.ResourceOptions(parent=self)
        space = str(args.address_space)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            resource_group_name=rg.name,
            location=args.location,
            address_space={"address_prefixes": [space]},
            tags=tags,
            opts=child,
        )
        subnet = network.Subnet(
            f"{name}-endpoints",
            resource_group_name=rg.name,
            virtual_network_name=vnet.name,
            address_prefixes=[space],
            default_outbound_access=False,
            opts=child,
        )
        return subnet.id, vnet.id

    def _private_endpoint(self, prefix, rg, location, tags, subnet_id, vnet_id, target, zone_name, group) -> None:
        """A private endpoint for `target` (sub-resource `group`) and the private DNS zone that names it."""
        child = pulumi.ResourceOptions(parent=self)
        zone = privatedns.PrivateZone(
            f"{prefix}-dns",
            private_zone_name=zone_name,
            location="global",
            resource_group_name=rg.name,
            tags=tags,
            opts=child,
        )
        privatedns.VirtualNetworkLink(
            f"{prefix}-dns-link",
            private_zone_name=zone.name,
            location="global",
            resource_group_name=rg.name,
            virtual_network={"id": vnet_id},
            registration_enabled=False,
            tags=tags,
            opts=child,
        )
        endpoint = network.PrivateEndpoint(
            f"{prefix}-pe",
            resource_group_name=rg.name,
            location=location,
            tags=tags,
            subnet={"id": subnet_id},
            private_link_service_connections=[
                {"name": f"{group.lower()}-connection", "private_link_service_id": target.id, "group_ids": [group]}
            ],
            opts=child,
        )
        self.private_dns_zone_groups.append(
            network.PrivateDnsZoneGroup(
                f"{prefix}-pe-dns",
                resource_group_name=rg.name,
                private_endpoint_name=endpoint.name,
                private_dns_zone_configs=[{"name": group.lower(), "private_dns_zone_id": zone.id}],
                opts=child,
            )
        )

    def _schedule(self, name, rb_name, schedule: ScheduleArgs, args, in_account, group) -> None:
        """A schedule for one runbook, its job running on the domain worker group."""
        schedule_name = f"{rb_name}-schedule"
        made = automation.Schedule(
            f"{name}-{rb_name}-schedule",
            schedule_name=schedule_name,
            name=schedule_name,
            frequency=schedule.frequency,
            interval=schedule.interval,
            time_zone=schedule.time_zone,
            start_time=args.schedule_start,
            description=f"Runs {rb_name} on the domain workers.",
            **in_account,
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["startTime"]),
        )
        self.job_schedules[rb_name] = automation.JobSchedule(
            f"{name}-{rb_name}-job-schedule",
            job_schedule_id=str(uuid.uuid5(_IDS, f"{args.automation_account_name}/{rb_name}")),
            runbook={"name": rb_name},
            schedule={"name": made.name},
            run_on=args.worker_group_name,  # literal: the plan shows the job runs on the domain workers, not in Azure
            **in_account,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.contents[rb_name], group]),
        )
