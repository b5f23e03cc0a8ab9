"""Stack model for the privileged access workstation: `privileged-access:paw`.

An Azure Virtual Desktop personal host pool whose session hosts are Entra-joined, Intune-enrolled
and reachable only through AVD. The hardening (RDP properties, Trusted Launch, no public IPs) is
not configurable: it is what makes the host pool a PAW, and the policy pack checks it.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .scalars import Bool, Int

# Azure's rule for resource group names (1-90 word characters, '-', '.', '(' or ')', not ending in '.'), written
# with max_length and not as {1,89}: a bounded repeat of the Unicode \w class made pydantic-core build a regex
# that cost every preview about 40 ms.
RESOURCE_GROUP_PATTERN = r"^[-\w.()]*[-\w()]$"


RESERVED_ADMIN_USERNAMES = frozenset(
    {
        "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a",
        "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root",
        "server", "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
    }
)  # fmt: skip
"""Names Azure refuses as a VM's osProfile.adminUsername: the "Disallowed values" of OSProfile.adminUsername in the
Compute API spec (Azure/azure-rest-api-specs, specification/compute/resource-manager/Microsoft.Compute, the
virtualMachine OSProfile definition), as the installed pulumi-azure-native SDK states it (compute
OSProfileArgs.admin_username: also "Max-length (Windows): 20 characters", "Cannot end in '.'", which the pattern
of PawSettings.admin_username already keeps to). Compared lower-cased; the pattern admits only lower case anyway."""


class PawSettings(BaseModel):
    """One AVD personal host pool used as the admins' PAW."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    enabled: Bool = Field(True, description="Declare the PAW host pool at all.")
    resource_group_name: str = Field(
        pattern=RESOURCE_GROUP_PATTERN, max_length=90, description="Resource group the component creates for the PAW."
    )
    location: str = Field(pattern=r"^[a-z0-9]+$", description="Azure region, e.g. westeurope.")
    host_count: Int = Field(2, ge=1, le=50, description="Number of personal session hosts.")
    vm_size: str = Field("Standard_D4s_v5", pattern=r"^Standard_[A-Za-z0-9_]+$")
    computer_name_prefix: str = Field(
        "paw",
        pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,10}$",
        description="Session host names are <prefix>-<n>; the CA device filter matches this prefix.",
    )
    admin_username: str = Field(
        "pawadmin",
        pattern=r"^[a-z][a-z0-9]{2,19}$",
        description="Local break-fix account; its password is generated and secret. Not a name Azure reserves "
        "(administrator, admin, admin1, root, guest, ...).",
    )
    address_space: str = Field("10.90.0.0/24", description="VNet range; split into hosts and endpoints subnets.")
    public_network_access: Literal["Disabled", "EnabledForClientsOnly"] = Field(
        "EnabledForClientsOnly",
        description="Disabled: clients and hosts only over Private Link; EnabledForClientsOnly: admins "
        "connect over the internet, session hosts only over Private Link.",
    )
    users: list[str] = Field(
        min_length=1,
        description="Keys of people (principals.people) whose admin accounts use the PAW. The "
        "component puts them in a standing 'PAW users' group, the only principal given "
        "Desktop Virtualization User and VM User Login (not a PIM group: roles are "
        "activated from the PAW, so reaching it cannot need an activation).",
    )
    image_sku: str = Field("win11-24h2-ent", description="MicrosoftWindowsDesktop/windows-11 image SKU (Gen2).")
    registration_token_hours: Int = Field(
        8, ge=2, le=720, description="Lifetime of the host-pool registration token made on each deployment."
    )
    log_retention_days: Int = Field(90, ge=30, le=730)
    agent_modules_url: str = Field(
        "https://wvdportalstorageblob.blob.core.windows.net/galleryartifacts/Configuration_1.0.03266.1110.zip",
        pattern=r"^https://",
        description="AVD agent DSC package that registers the hosts.",
    )
    tags: dict[str, str] = Field(default_factory=dict, description="Extra tags (pum-role is always set).")

    @field_validator("address_space")
    @classmethod
    def _space(cls, value: str) -> str:
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError:
            raise ValueError(f"{value!r} is not a CIDR range; write it like 10.90.0.0/24") from None
        if net.version != 4 or net.prefixlen > 26:
            raise ValueError(f"{value!r} is too small: use an IPv4 range of /26 or larger")
        return value

    @field_validator("admin_username")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.lower() in RESERVED_ADMIN_USERNAMES:
            raise ValueError(
                f"{value!r} is a name Azure reserves for a VM's admin account (osProfile.adminUsername); "
                "choose another, e.g. pawadmin"
            )
        return value

    @model_validator(mode="after")
    def _tags(self) -> PawSettings:
        if "pum-role" in self.tags:
            raise ValueError("tags must not set pum-role: the component sets it to 'paw' for the pack")
        return self

    def subnets(self) -> tuple[str, str]:
        """(session hosts, private endpoints): the two halves of the address space."""
        hosts, endpoints = list(ipaddress.ip_network(self.address_space).subnets(prefixlen_diff=1))
        return str(hosts), str(endpoints)
