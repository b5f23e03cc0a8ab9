"""Stack model for the on-premises reach: `privileged-access:onPremises`.

An Azure Automation account whose runbooks run on a Hybrid Runbook Worker group inside the domain (add and
remove AD group membership, create and disable the on-premises admin account, reset its password and deliver it
out of band, rotate the credentials the runbooks use), and a Key Vault for those credentials. What makes it safe
is not configurable: system-assigned managed identity only, no Run As account, no credential assets, public
network access and local (key) authentication off on the account, and a Key Vault with RBAC authorisation, purge
protection, soft delete, no public network access and diagnostics. The policy pack checks all of it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from privileged_facts.values import GUID_PATTERN
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .paw import RESOURCE_GROUP_PATTERN
from .scalars import Bool, Int

_FQDN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Microsoft.Automation/automationAccounts: 6-50 characters, letters, digits and '-', starting with a letter and
# ending with a letter or digit (Azure naming rules, "Microsoft.Automation" in resource-name-rules.md).
_AUTOMATION_ACCOUNT = re.compile(r"^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$")
# Microsoft.KeyVault/vaults: 3-24 characters, letters, digits and '-', starting with a letter, ending with a letter
# or digit, no '--' (resource-name-rules.md, "Microsoft.KeyVault"); globally unique.
_KEY_VAULT = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]$")
_WORKER_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_SUBNET_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w.()]+/providers/Microsoft\.Network/virtualNetworks/"
    r"[-\w.]+/subnets/[-\w.]+$"
)
_MACHINE_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w.()]+/providers/"
    r"(Microsoft\.Compute/virtualMachines|Microsoft\.HybridCompute/machines)/[-\w.]+$",
    re.IGNORECASE,
)
_GROUP_NAME = re.compile(r"^[A-Za-z0-9 ._-]{1,64}$")
TIER0_AD_GROUPS = frozenset(
    {"domain admins", "enterprise admins", "schema admins", "administrators", "enterprise key admins", "key admins"}
)
"""Built-in AD groups whose members control the domain or forest; the runbooks never write their membership."""
_DISTINGUISHED_NAME = re.compile(r"^(OU|CN)=[^,=]+(,(OU|CN)=[^,=]+)*(,DC=[A-Za-z0-9-]+)+$", re.IGNORECASE)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class ScheduleSettings(_Model):
    """When a scheduled runbook runs (an Automation schedule linked to the runbook, run on the worker group)."""

    frequency: Literal["Hour", "Day", "Week", "Month"] = Field(
        description="Automation schedule frequency (Hour, Day, Week or Month)."
    )
    interval: Int = Field(1, ge=1, le=100, description="Run every <interval> <frequency>s.")
    time_zone: str = Field("UTC", min_length=1, description="IANA or Windows time zone name of the schedule.")


ScheduledRunbook = Literal["rotate-credentials", "remove-expired-membership"]
"""The runbooks that run on a schedule (all runbooks also run on demand)."""


def _default_schedules() -> dict[ScheduledRunbook, ScheduleSettings]:
    return {
        "rotate-credentials": ScheduleSettings(frequency="Week", interval=1),
        "remove-expired-membership": ScheduleSettings(frequency="Hour", interval=1),
    }


class OnPremisesSettings(_Model):
    """`privileged-access:onPremises`: the Automation account, its domain worker group and its Key Vault."""

    enabled: Bool = Field(True, description="Declare the on-premises automation at all.")
    resource_group_name: str = Field(
        pattern=RESOURCE_GROUP_PATTERN,
        max_length=90,
        description="Resource group the component creates for the Automation account and its Key Vault.",
    )
    location: str = Field(pattern=r"^[a-z0-9]+$", description="Azure region, e.g. westeurope.")
    domain_fqdn: str = Field(
        description="DNS name of the Active Directory domain the runbooks manage, e.g. contoso.com."
    )
    admin_accounts_ou: str = Field(
        description="Distinguished name of the OU where the runbooks create on-premises admin accounts, e.g. "
        "OU=Admins,DC=contoso,DC=com."
    )
    automation_account_name: str = Field(description="Name of the Automation account (6-50 letters, digits, '-').")
    managed_groups: list[str] = Field(
        default_factory=lambda: ["Account Operators"],
        min_length=1,
        description="The AD groups the runbooks may add admin accounts to and remove them from (the journeys' "
        "onPremises groups and sudoGroups); any other group name a job is started with is refused.",
    )
    worker_group_name: str = Field(
        "domain-workers", description="Name of the Hybrid Runbook Worker group the runbooks run on."
    )
    worker_machine_ids: list[str] = Field(
        default_factory=list,
        description="ARM IDs of the domain servers (Arc-enabled machines or Azure VMs) that become workers of the "
        "group. The Hybrid Worker extension is installed on each in a separate step (docs/on-premises.md).",
    )
    install_worker_extension: Bool = Field(
        True,
        description="Install the Hybrid Worker extension on each worker machine (which must be in `location`); "
        "false when the machine's owners install it themselves (docs/on-premises.md).",
    )
    worker_principal_ids: list[str] = Field(
        default_factory=list,
        description="Object IDs of the worker machines' system-assigned managed identities: a job on a hybrid "
        "worker authenticates to Azure as the machine, so these read and rotate the Key Vault's secrets.",
    )
    key_vault_name: str = Field(description="Name of the Key Vault for the runbooks' credentials (3-24, unique).")
    private_endpoint_subnet_id: str | None = Field(
        None,
        description="ARM ID of an existing subnet (reachable from the domain) for the Key Vault's and Automation "
        "account's private endpoints. Give this or addressSpace.",
    )
    address_space: str | None = Field(
        None,
        description="A new VNet range (IPv4, /28 or larger) for the private endpoints, peered or connected to the "
        "domain's network in a separate step. Give this or privateEndpointSubnetId.",
    )
    password_delivery_sender: str = Field(
        description="Mailbox (UPN) the reset password is sent from by encrypted mail, e.g. pam-notify@contoso.com; "
        "an Exchange transport rule encrypts its messages (docs/on-premises.md)."
    )
    schedules: dict[ScheduledRunbook, ScheduleSettings] = Field(
        default_factory=_default_schedules,
        description="How often rotate-credentials and remove-expired-membership run (both also run on demand).",
    )
    log_retention_days: Int = Field(90, ge=30, le=730)
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags (pum-role is always set).")

    @field_validator("domain_fqdn")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not _FQDN.match(value):
            raise ValueError(f"{value!r} is not a domain name; write it in lower case like contoso.com")
        return value

    @field_validator("admin_accounts_ou")
    @classmethod
    def _ou(cls, value: str) -> str:
        if not _DISTINGUISHED_NAME.match(value):
            raise ValueError(f"{value!r} is not a distinguished name; write it like OU=Admins,DC=contoso,DC=com")
        return value

    @field_validator("automation_account_name")
    @classmethod
    def _account(cls, value: str) -> str:
        if not _AUTOMATION_ACCOUNT.match(value):
            raise ValueError(
                f"{value!r} is not an Automation account name: 6-50 letters, digits or '-', starting with a letter "
                "and ending with a letter or digit, e.g. aa-contoso-pam"
            )
        return value

    @field_validator("managed_groups")
    @classmethod
    def _managed(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _GROUP_NAME.match(value):
                raise ValueError(f"{value!r} is not an AD group name: letters, digits, spaces, '.', '_' or '-'")
            if value.lower() in TIER0_AD_GROUPS:
                raise ValueError(
                    f"{value!r} controls the domain: a runbook that writes its membership makes its service account "
                    "tier 0. Grant it through group writeback and the AD team's nesting instead"
                )
        if len({v.lower() for v in values}) != len(values):
            raise ValueError("lists a group twice")
        return values

    @field_validator("worker_group_name")
    @classmethod
    def _group(cls, value: str) -> str:
        if not _WORKER_GROUP.match(value):
            raise ValueError(
                f"{value!r} is not a worker group name: letters, digits, '_', '.' or '-', e.g. domain-workers"
            )
        return value

    @field_validator("key_vault_name")
    @classmethod
    def _vault(cls, value: str) -> str:
        if not _KEY_VAULT.match(value):
            raise ValueError(
                f"{value!r} is not a Key Vault name: 3-24 letters, digits or '-', starting with a letter, ending "
                "with a letter or digit, without '--', e.g. kv-contoso-pam"
            )
        return value

    @field_validator("worker_machine_ids")
    @classmethod
    def _machines(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _MACHINE_ID.match(value):
                raise ValueError(
                    f"{value!r} is not a machine's ARM ID; write /subscriptions/<id>/resourceGroups/<rg>/providers/"
                    "Microsoft.HybridCompute/machines/<name> (Arc-enabled server) or .../Microsoft.Compute/"
                    "virtualMachines/<name>"
                )
        if len({v.lower() for v in values}) != len(values):
            raise ValueError("lists a machine twice; each machine is one worker")
        return values

    @field_validator("worker_principal_ids")
    @classmethod
    def _principals(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.match(GUID_PATTERN, value):
                raise ValueError(
                    f"{value!r} is not an object ID; give the machine identity's object (principal) ID, a GUID such "
                    "as 62e90394-69f5-4237-9190-012177145e10"
                )
        return values

    @field_validator("private_endpoint_subnet_id")
    @classmethod
    def _subnet(cls, value: str | None) -> str | None:
        if value is not None and not _SUBNET_ID.match(value):
            raise ValueError(
                f"{value!r} is not a subnet's ARM ID; write /subscriptions/<id>/resourceGroups/<rg>/providers/"
                "Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>"
            )
        return value

    @field_validator("address_space")
    @classmethod
    def _space(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise ValueError(f"{value!r} is not a CIDR range; write it like 10.91.0.0/27") from None
        if net.version != 4 or net.prefixlen > 28:
            raise ValueError(f"{value!r} is too small: use an IPv4 range of /28 or larger")
        return value

    @field_validator("password_delivery_sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        local, at, domain = value.rpartition("@")
        if not at or not local or not _FQDN.match(domain.lower()):
            raise ValueError(f"{value!r} is not a mailbox address; write it like pam-notify@contoso.com")
        return value

    @model_validator(mode="after")
    def _network_and_tags(self) -> OnPremisesSettings:
        if (self.private_endpoint_subnet_id is None) == (self.address_space is None):
            raise ValueError(
                "give exactly one of privateEndpointSubnetId (an existing subnet reachable from the domain) or "
                "addressSpace (a new VNet for the private endpoints, e.g. 10.91.0.0/27)"
            )
        if "pum-role" in self.tags:
            raise ValueError("tags must not set pum-role: the component sets it to 'on-premises-automation'")
        return self
