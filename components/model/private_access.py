"""Stack model for Entra Private Access apps: `privileged-access:privateAccess`.

One app per target (SSH to a Linux subnet, RDP to the domain controllers), reached through the
Global Secure Access client instead of a VPN, assigned to groups (never everyone) and targeted by
conditional access through its appId. The schema refuses catch-all segments (`*`, 0.0.0.0/0, all
ports); the policy pack also flags ranges broader than its configured prefix (default /16).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from privileged_facts.values import GUID_PATTERN
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .errors import unique_keys
from .scalars import Bool

_KEY = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
_FQDN = re.compile(r"^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


def _port_range(port: str) -> tuple[int, int]:
    low, _, high = str(port).partition("-")
    high = high or low
    if not (low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 65535):
        raise ValueError(f"port {port!r} is not a port or range; write '22' or '3389-3389'")
    return int(low), int(high)


class Segment(_Model):
    """One application segment: where the app lets the client connect."""

    destination_host: str = Field(min_length=1, description="IP, range (a-b), CIDR, FQDN or DNS suffix.")
    destination_type: Literal["ipAddress", "ipRange", "ipRangeCidr", "fqdn", "dnsSuffix"]
    ports: list[str] = Field(min_length=1, description="Ports or ranges, e.g. ['22'] or ['3389-3389'].")
    protocol: Literal["tcp", "udp", "tcp,udp"] = "tcp"

    @field_validator("ports", mode="before")
    @classmethod
    def _ports(cls, ports):
        return [str(p) for p in ports] if isinstance(ports, list) else ports

    @model_validator(mode="after")
    def _destination(self):
        host, kind = self.destination_host, self.destination_type
        if "*" in host:
            raise ValueError(f"destinationHost {host!r}: wildcards are catch-all segments; name the hosts")
        try:
            if kind == "ipAddress":
                ipaddress.IPv4Address(host)
            elif kind == "ipRangeCidr":
                net = ipaddress.IPv4Network(host, strict=True)
                if net.prefixlen == 0:
                    raise ValueError("0.0.0.0/0 is a catch-all segment")
            elif kind == "ipRange":
                first, _, last = host.partition("-")
                if int(ipaddress.IPv4Address(last)) < int(ipaddress.IPv4Address(first)):
                    raise ValueError("the range ends before it starts")
            elif kind in ("fqdn", "dnsSuffix") and not _FQDN.match(host.lstrip(".")):
                raise ValueError("is not a DNS name with at least two labels")
        except ValueError as err:
            raise ValueError(f"destinationHost {host!r} ({kind}): {err}") from None
        for port in self.ports:
            low, high = _port_range(port)
            if (low, high) == (1, 65535):
                raise ValueError(f"ports {port!r} opens every port; list the service's ports (e.g. '22')")
        return self

    def wire(self) -> dict:
        return {
            "destinationHost": self.destination_host,
            "destinationType": self.destination_type,
            "ports": ["{}-{}".format(*_port_range(p)) for p in self.ports],
            "protocol": self.protocol,
        }


class PrivateAccessAppSettings(_Model):
    """One Private Access app (one target), its connector group and the groups allowed to use it."""

    key: str = Field(pattern=_KEY, description="Stable short name (kebab-case); resource names derive from it.")
    display_name: str = Field(min_length=1, description="Enterprise application name.")
    segments: list[Segment] = Field(min_length=1)
    connector_group_id: str = Field(
        pattern=GUID_PATTERN, description="Object ID of a dedicated (not Default) private network connector group."
    )
    assigned_groups: list[str] = Field(
        min_length=1, description="Groups (name or object ID) assigned to the app; nested groups do not inherit."
    )
    application_type: Literal["nonwebapp"] = "nonwebapp"
    require_compliant_device: Bool = Field(
        True,
        description="Declare an enabled CA policy for this app: its assigned groups must use a compliant "
        "device and phishing-resistant MFA. Turn off only when another policy covers the app.",
    )


class PrivateAccessSettings(_Model):
    apps: list[PrivateAccessAppSettings] = Field(default_factory=list)

    @field_validator("apps")
    @classmethod
    def _unique(cls, apps: list[PrivateAccessAppSettings]) -> list[PrivateAccessAppSettings]:
        return unique_keys(apps, "app")
