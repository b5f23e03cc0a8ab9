"""PawHostPool: an Azure Virtual Desktop personal host pool used as the admins' privileged access workstation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypedDict

import pulumi
import pulumi_azuread as azuread
import pulumi_random as random
from privileged_facts.apps import INTUNE_MDM_ID
from privileged_facts.conventions import PAW_RDP_PROPERTIES, PAW_TAG_KEY, PAW_TAG_VALUE
from privileged_facts.roles import AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER, AZURE_ROLE_VM_USER_LOGIN
from pulumi_azure_native import (
    authorization,
    compute,
    desktopvirtualization,
    monitor,
    network,
    operationalinsights,
    privatedns,
    resources,
    security,
)

from components.model.paw import RESERVED_ADMIN_USERNAMES


class _Placement(TypedDict):
    """Where every PAW resource goes and the tags it carries (passed as keyword arguments)."""

    location: str
    tags: dict[str, str]


class _InResourceGroup(_Placement):
    resource_group_name: pulumi.Output[str]


class _OnVm(_InResourceGroup):
    """The keyword arguments every session-host extension shares."""

    vm_name: pulumi.Output[str]
    auto_upgrade_minor_version: bool


class _InVnet(TypedDict):
    """The keyword arguments both subnets share."""

    resource_group_name: pulumi.Output[str]
    virtual_network_name: pulumi.Output[str]
    network_security_group: network.NetworkSecurityGroupArgsDict


MONITOR_PRIVATE_ZONES = (
    ("monitor", "privatelink.monitor.azure.com"),
    ("oms", "privatelink.oms.opinsights.azure.com"),
    ("ods", "privatelink.ods.opinsights.azure.com"),
    ("agentsvc", "privatelink.agentsvc.azure-automation.net"),
    ("blob", "privatelink.blob.core.windows.net"),
)
"""The private DNS zones of Azure Monitor Private Link (azure-monitor logs/private-link-configure: "DNS zones")."""


def _secret(value: pulumi.Input[str]) -> pulumi.Output[str]:
    """pulumi.Output.secret, typed for an Output argument too: its stub, unlike from_input's, has no
    Output[U] overload, so mypy cannot solve U for an Output (it infers Never)."""
    return pulumi.Output.secret(value)


def registration_expiry(hours: int, now: datetime | None = None) -> str:
    """Token expiry `hours` from now, truncated to the hour so repeated previews within an hour agree."""
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    return (now + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def device_filter_rule(prefix: str) -> str:
    """The CA device filter that matches this pool's session hosts: Entra-joined, compliant, our names."""
    return (
        f'device.displayName -startsWith "{prefix}-" -and device.trustType -eq "AzureAD" '
        f"-and device.isCompliant -eq True"
    )


@dataclass(frozen=True, kw_only=True)
class PawHostPoolArgs:
    """The arguments of a PawHostPool (components/stack.py maps the model's paw area)."""

    user_object_ids: Sequence[pulumi.Input[str]]
    """Admin accounts put in the standing "PAW users" group."""
    resource_group_name: str
    location: str
    host_count: int
    vm_size: str
    computer_name_prefix: str
    """Session hosts are <prefix>-<n>; the CA device filter matches it."""
    admin_username: str
    address_space: str
    hosts_prefix: str
    """The session hosts' subnet (within address_space)."""
    endpoints_prefix: str
    """The private endpoints' subnet (within address_space)."""
    public_network_access: str
    image_sku: str
    registration_token_hours: int
    log_retention_days: int
    agent_modules_url: str
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags; pum-role: paw is always set."""
    log_workspace_id: pulumi.Input[str] | None = None
    """The stack's monitoring workspace (PrivilegedMonitoring), which then also holds the SecurityEvent table;
    without it the PAW keeps its own workspace."""
    monitor_private_link_scope_id: pulumi.Input[str] | None = None
    """The Azure Monitor Private Link Scope of a private monitoring workspace: its endpoint goes in the PAW's
    endpoints subnet, so the agents send and the admins query over Private Link."""


class PawHostPool(pulumi.ComponentResource):
    """Declares the PAW: an AVD personal host pool that only the admin group can use.

    Guarantees: Personal pool with Direct assignment and Persistent load balancing; Entra ID
    authentication to the hosts (`enablerdsaadauth:i:1`) with clipboard, drive, USB, printer, COM,
    camera and audio-capture redirection off and WebAuthn redirection on; no public network path to
    the session hosts (Private Link, NSG denying internet inbound, no public IPs); Trusted Launch
    hosts (secure boot, vTPM), Entra-joined and Intune-enrolled; per-host local admin passwords
    generated as secrets; host pool, application group and workspace logs in a Log Analytics
    workspace; on every session host the Azure Monitor Agent, associated with a data collection rule that sends
    all Security event-log events to that workspace, Microsoft Defender for Servers (Plan 1, with Defender for
    Endpoint) enabled on the host, and boot diagnostics; `Desktop Virtualization User` and
    `Virtual Machine User Login` granted to the admin group only: a standing "PAW users" group of the admin
    accounts it is given. Every taggable resource carries `pum-role: paw`, which the policy pack checks.
    """

    host_pool: desktopvirtualization.HostPool
    session_hosts: list[compute.VirtualMachine]
    extensions: list[compute.VirtualMachineExtension]
    data_collection_rule: monitor.DataCollectionRule
    users_group_id: pulumi.Output[str]
    host_pool_id: pulumi.Output[str]
    workspace_id: pulumi.Output[str]
    device_filter: str

    def __init__(self, name: str, args: PawHostPoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        if not args.user_object_ids:
            raise ValueError(f"PawHostPool {name!r}: give the object IDs of the admin accounts that use the PAW")
        if args.admin_username.lower() in RESERVED_ADMIN_USERNAMES:
            raise ValueError(
                f"PawHostPool {name!r}: admin_username {args.admin_username!r} is a name Azure reserves for a VM's "
                "admin account (osProfile.adminUsername); choose another, e.g. pawadmin"
            )
        super().__init__("privileged-access:index:PawHostPool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        users = azuread.Group(
            f"{name}-users",
            display_name=f"PAW users ({name})",
            security_enabled=True,
            description="Admin accounts allowed to sign in to the PAW host pool.",
            members=list(args.user_object_ids),
            opts=child,
        )
        admin_group_object_id = users.object_id
        self.users_group_id = users.object_id
        tags = {**args.tags, PAW_TAG_KEY: PAW_TAG_VALUE}
        where: _Placement = {"location": args.location, "tags": tags}

        rg = resources.ResourceGroup(f"{name}-rg", resource_group_name=args.resource_group_name, **where, opts=child)
        in_rg: _InResourceGroup = {"resource_group_name": rg.name, **where}
        if args.log_workspace_id is None:
            own = operationalinsights.Workspace(
                f"{name}-logs",
                sku={"name": "PerGB2018"},
                retention_in_days=args.log_retention_days,
                **in_rg,
                opts=child,
            )
            logs_id: pulumi.Input[str] = own.id
        else:
            logs_id = args.log_workspace_id
        # With Sentinel on the stack's workspace the Security events go to SecurityEvent; a workspace without it
        # has no such table, so the PAW's own workspace keeps them in Event.
        stream = "Microsoft-Event" if args.log_workspace_id is None else "Microsoft-SecurityEvent"
        self.data_collection_rule = monitor.DataCollectionRule(
            f"{name}-security-events",
            kind="Windows",
            description="All Security event-log events of the PAW session hosts.",
            data_sources={
                "windows_event_logs": [{"name": "security", "streams": [stream], "x_path_queries": ["Security!*"]}]
            },
            destinations={"log_analytics": [{"name": "workspace", "workspace_resource_id": logs_id}]},
            data_flows=[{"streams": [stream], "destinations": ["workspace"]}],
            **in_rg,
            opts=child,
        )

        hosts_prefix, endpoints_prefix = args.hosts_prefix, args.endpoints_prefix
        nsg = network.NetworkSecurityGroup(
            f"{name}-nsg",
            security_rules=[
                {
                    "name": "deny-internet-inbound",
                    "priority": 4000,
                    "direction": "Inbound",
                    "access": "Deny",
                    "protocol": "*",
                    "source_address_prefix": "Internet",
                    "source_port_range": "*",
                    "destination_address_prefix": "*",
                    "destination_port_range": "*",
                    "description": "PAW hosts are reached only through AVD reverse connect, never inbound.",
                }
            ],
            **in_rg,
            opts=child,
        )
        vnet = network.VirtualNetwork(
            f"{name}-vnet", address_space={"address_prefixes": [args.address_space]}, **in_rg, opts=child
        )
        subnet_args: _InVnet = {
            "resource_group_name": rg.name,
            "virtual_network_name": vnet.name,
            "network_security_group": {"id": nsg.id},
        }
        hosts_subnet = network.Subnet(
            f"{name}-hosts", address_prefixes=[hosts_prefix], default_outbound_access=False, **subnet_args, opts=child
        )
        endpoints_subnet = network.Subnet(
            f"{name}-endpoints",
            address_prefixes=[endpoints_prefix],
            **subnet_args,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hosts_subnet]),
        )

        pool_name = f"{name}-hostpool"
        self.host_pool = desktopvirtualization.HostPool(
            pool_name,
            host_pool_name=pool_name,
            friendly_name="Privileged access workstation",
            host_pool_type="Personal",
            personal_desktop_assignment_type="Direct",
            load_balancer_type="Persistent",
            preferred_app_group_type="Desktop",
            max_session_limit=1,
            start_vm_on_connect=False,
            validation_environment=False,
            custom_rdp_property=PAW_RDP_PROPERTIES,
            public_network_access=args.public_network_access,
            registration_info={
                "expiration_time": registration_expiry(args.registration_token_hours),
                "registration_token_operation": "Update",
            },
            **in_rg,
            opts=child,
        )
        app_group = desktopvirtualization.ApplicationGroup(
            f"{name}-desktop",
            application_group_type="Desktop",
            host_pool_arm_path=self.host_pool.id,
            friendly_name="PAW desktop",
            **in_rg,
            opts=child,
        )
        workspace = desktopvirtualization.Workspace(
            f"{name}-workspace",
            application_group_references=[app_group.id],
            friendly_name="Admin PAW",
            public_network_access="Disabled" if args.public_network_access == "Disabled" else "Enabled",
            **in_rg,
            opts=child,
        )
        self._private_link(name, rg, vnet, endpoints_subnet, tags, args.location)
        if args.monitor_private_link_scope_id is not None:
            self._monitor_private_link(name, rg, vnet, endpoints_subnet, tags, args)

        for suffix, target in (("hostpool", self.host_pool), ("desktop", app_group), ("workspace", workspace)):
            monitor.DiagnosticSetting(
                f"{name}-{suffix}-diag",
                name="to-log-analytics",
                resource_uri=target.id,
                workspace_id=logs_id,
                logs=[{"category_group": "allLogs", "enabled": True}],
                opts=child,
            )

        subscription = authorization.get_client_config_output().subscription_id

        def role_id(guid: str) -> pulumi.Output[str]:
            return subscription.apply(
                lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
            )

        authorization.RoleAssignment(
            f"{name}-desktop-users",
            principal_id=admin_group_object_id,
            principal_type="Group",
            role_definition_id=role_id(AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER),
            scope=app_group.id,
            description="Admins may open the PAW desktop.",
            opts=child,
        )

        token = desktopvirtualization.get_host_pool_registration_token_output(
            host_pool_name=pool_name,
            resource_group_name=rg.name,
            opts=pulumi.InvokeOutputOptions(parent=self, depends_on=[self.host_pool]),
        ).token
        self.session_hosts, self.extensions = [], []
        for i in range(1, args.host_count + 1):
            vm = self._session_host(f"{name}-host{i}", i, args, in_rg, hosts_subnet, pool_name, token, child)
            self.session_hosts.append(vm)
            authorization.RoleAssignment(
                f"{name}-host{i}-user-login",
                principal_id=admin_group_object_id,
                principal_type="Group",
                role_definition_id=role_id(AZURE_ROLE_VM_USER_LOGIN),
                scope=vm.id,
                description="Admins sign in to their PAW host with Entra ID, without local admin.",
                opts=child,
            )

        self.host_pool_id = self.host_pool.id
        self.workspace_id = workspace.id
        self.device_filter = device_filter_rule(args.computer_name_prefix)
        self.register_outputs(
            {
                "usersGroupId": self.users_group_id,
                "hostPoolId": self.host_pool_id,
                "workspaceId": self.workspace_id,
                "deviceFilter": self.device_filter,
                "sessionHostIds": [vm.id for vm in self.session_hosts],
            }
        )

    def _private_link(self, name, rg, vnet, subnet, tags, location) -> None:
        """Session hosts reach the AVD service over a private endpoint (`connection` sub-resource)."""
        child = pulumi.ResourceOptions(parent=self)
        zone = self._linked_zone(f"{name}-dns", "privatelink.wvd.microsoft.com", rg, vnet, tags)
        endpoint = network.PrivateEndpoint(
            f"{name}-hostpool-pe",
            resource_group_name=rg.name,
            location=location,
            tags=tags,
            subnet={"id": subnet.id},
            private_link_service_connections=[
                {
                    "name": "hostpool-connection",
                    "private_link_service_id": self.host_pool.id,
                    "group_ids": ["connection"],
                }
            ],
            opts=child,
        )
        network.PrivateDnsZoneGroup(
            f"{name}-hostpool-pe-dns",
            resource_group_name=rg.name,
            private_endpoint_name=endpoint.name,
            private_dns_zone_configs=[{"name": "wvd", "private_dns_zone_id": zone.id}],
            opts=child,
        )

    def _linked_zone(self, resource_name: str, zone_name: str, rg, vnet, tags) -> privatedns.PrivateZone:
        """A private DNS zone linked (without auto-registration) to the PAW's network; the link is
        `<resource_name>-link`."""
        child = pulumi.ResourceOptions(parent=self)
        zone = privatedns.PrivateZone(
            resource_name,
            private_zone_name=zone_name,
            location="global",
            resource_group_name=rg.name,
            tags=tags,
            opts=child,
        )
        privatedns.VirtualNetworkLink(
            f"{resource_name}-link",
            private_zone_name=zone.name,
            location="global",
            resource_group_name=rg.name,
            virtual_network={"id": vnet.id},
            registration_enabled=False,
            tags=tags,
            opts=child,
        )
        return zone

    def _monitor_private_link(self, name, rg, vnet, subnet, tags, args: PawHostPoolArgs) -> None:
        """The Azure Monitor Private Link Scope's endpoint (`azuremonitor`) in the endpoints subnet, with the DNS
        zones Azure Monitor Private Link needs, linked to the PAW's network."""
        child = pulumi.ResourceOptions(parent=self)
        endpoint = network.PrivateEndpoint(
            f"{name}-monitor-pe",
            resource_group_name=rg.name,
            location=args.location,
            tags=tags,
            subnet={"id": subnet.id},
            private_link_service_connections=[
                {
                    "name": "monitor-connection",
                    "private_link_service_id": args.monitor_private_link_scope_id,
                    "group_ids": ["azuremonitor"],
                }
            ],
            opts=child,
        )
        configs: list[network.PrivateDnsZoneConfigArgsDict] = []
        for key, zone_name in MONITOR_PRIVATE_ZONES:
            zone = self._linked_zone(f"{name}-monitor-dns-{key}", zone_name, rg, vnet, tags)
            configs.append({"name": key, "private_dns_zone_id": zone.id})
        network.PrivateDnsZoneGroup(
            f"{name}-monitor-pe-dns",
            resource_group_name=rg.name,
            private_endpoint_name=endpoint.name,
            private_dns_zone_configs=configs,
            opts=child,
        )

    def _session_host(
        self,
        vm_name: str,
        index: int,
        args: PawHostPoolArgs,
        in_rg: _InResourceGroup,
        subnet: network.Subnet,
        pool_name: str,
        token: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> compute.VirtualMachine:
        """One Trusted Launch, Entra-joined, Intune-enrolled session host with no public IP."""
        nic = network.NetworkInterface(
            f"{vm_name}-nic",
            ip_configurations=[
                {"name": "ipconfig1", "subnet": {"id": subnet.id}, "private_ip_allocation_method": "Dynamic"}
            ],
            **in_rg,
            opts=child,
        )
        password = random.RandomPassword(
            f"{vm_name}-password",
            length=28,
            special=True,
            min_lower=2,
            min_upper=2,
            min_numeric=2,
            min_special=2,
            opts=child,
        )
        vm = compute.VirtualMachine(
            vm_name,
            vm_name=f"{args.computer_name_prefix}-{index}",
            identity={"type": compute.ResourceIdentityType.SYSTEM_ASSIGNED},  # the SDK types it as the enum only
            license_type="Windows_Client",
            hardware_profile={"vm_size": args.vm_size},
            security_profile={
                "security_type": "TrustedLaunch",
                "uefi_settings": {"secure_boot_enabled": True, "v_tpm_enabled": True},
            },
            storage_profile={
                "image_reference": {
                    "publisher": "MicrosoftWindowsDesktop",
                    "offer": "windows-11",
                    "sku": args.image_sku,
                    "version": "latest",
                },
                "os_disk": {
                    "create_option": "FromImage",
                    "delete_option": "Delete",
                    "managed_disk": {"storage_account_type": "Premium_LRS"},
                },
            },
            os_profile={
                "computer_name": f"{args.computer_name_prefix}-{index}",
                "admin_username": args.admin_username,
                "admin_password": _secret(password.result),
                "windows_configuration": {"enable_automatic_updates": True, "provision_vm_agent": True},
            },
            network_profile={"network_interfaces": [{"id": nic.id, "primary": True}]},
            diagnostics_profile={"boot_diagnostics": {"enabled": True}},
            **in_rg,
            opts=child,
        )
        ext: _OnVm = {
            "resource_group_name": in_rg["resource_group_name"],
            "location": args.location,
            "tags": in_rg["tags"],
            "vm_name": vm.name,
            "auto_upgrade_minor_version": True,
        }
        join = compute.VirtualMachineExtension(
            f"{vm_name}-entra-join",
            vm_extension_name="AADLoginForWindows",
            publisher="Microsoft.Azure.ActiveDirectory",
            type="AADLoginForWindows",
            type_handler_version="2.0",
            settings={"mdmId": INTUNE_MDM_ID},
            **ext,
            opts=child,
        )
        agent = compute.VirtualMachineExtension(
            f"{vm_name}-avd-agent",
            vm_extension_name="AddSessionHost",
            publisher="Microsoft.Powershell",
            type="DSC",
            type_handler_version="2.83",
            provision_after_extensions=["AADLoginForWindows"],
            settings={
                "modulesUrl": args.agent_modules_url,
                "configurationFunction": "Configuration.ps1\\AddSessionHost",
                "properties": {
                    "hostPoolName": pool_name,
                    "aadJoin": True,
                    "registrationInfoTokenCredential": {
                        "UserName": "PLACEHOLDER_DO_NOT_USE",
                        "Password": "PrivateSettingsRef:RegistrationInfoToken",
                    },
                },
            },
            protected_settings=_secret(token).apply(lambda t: {"Items": {"RegistrationInfoToken": t}}),
            **ext,
            opts=child,
        )
        monitoring = compute.VirtualMachineExtension(
            f"{vm_name}-monitor-agent",
            vm_extension_name="AzureMonitorWindowsAgent",
            publisher="Microsoft.Azure.Monitor",
            type="AzureMonitorWindowsAgent",
            type_handler_version="1.0",
            enable_automatic_upgrade=True,
            **ext,
            opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{vm_name}-security-events",
            association_name="pum-security-events",
            resource_uri=vm.id,
            data_collection_rule_id=self.data_collection_rule.id,
            description="The PAW's Security events to the monitoring workspace.",
            opts=child,
        )
        security.Pricing(
            f"{vm_name}-defender",
            scope_id=vm.id,
            pricing_name="virtualMachines",
            pricing_tier="Standard",
            sub_plan="P1",
            opts=child,
        )
        self.extensions += [join, agent, monitoring]
        return vm
