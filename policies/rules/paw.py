"""Policies for the privileged access workstation: AVD host pools and session hosts tagged `pum-role: paw`.

Only resources carrying the PAW tag are judged: a general-purpose host pool is not a PAW. The tag
is what the PawHostPool component sets on everything it declares (privileged_facts.conventions.PAW_TAG_KEY).
"""

from __future__ import annotations

from privileged_facts.conventions import PAW_REDIRECTIONS_OFF, PAW_TAG_KEY, PAW_TAG_VALUE
from privileged_facts.values import is_unknown
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from .common import dependencies_of, elements, get, meta, undecided

HOST_POOL = "azure-native:desktopvirtualization:HostPool"
VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
PUBLIC_IP = "azure-native:network:PublicIPAddress"


def is_paw(props) -> bool:
    """True when the resource is tagged as a PAW; unknown tags count as not (yet) a PAW."""
    return get(props, "tags", PAW_TAG_KEY) == PAW_TAG_VALUE


def rdp_properties(value: str) -> dict[str, str]:
    """'name:type:value;…' -> {name: value}, names lower-cased as AVD treats them."""
    pairs = (item.split(":", 2) for item in value.split(";") if item.strip())
    return {p[0].strip().lower(): p[2].strip() if len(p) == 3 else "" for p in pairs}


def _is_paw(args, resource_type: str) -> bool:
    return args.resource_type == resource_type and is_paw(args.props)


def _setting(args, key: str):
    """A host pool's `key` (None when not set). Each host-pool policy's verdict hangs on its one setting, so
    an unknown one is left undecided: the advisory "can't run during preview" note."""
    value = get(args.props, key)
    if is_unknown(value):
        undecided(args.props, key)
    return value


def _host_pool_personal(args, report) -> None:
    if not _is_paw(args, HOST_POOL):
        return
    kind = _setting(args, "hostPoolType")
    if kind != "Personal":
        report(
            f"hostPoolType is {kind!r}: a pooled PAW shares one VM between admins; use Personal "
            "with personalDesktopAssignmentType Direct."
        )


def _rdp_properties_of_paw(args) -> dict[str, str] | None:
    """The customRdpProperty of a PAW host pool as {name: value}; None when not a PAW host pool."""
    return rdp_properties(_setting(args, "customRdpProperty") or "") if _is_paw(args, HOST_POOL) else None


def _host_pool_no_redirection(args, report) -> None:
    found = _rdp_properties_of_paw(args)
    if found is None:
        return
    on = [
        f"{name} (want {name}:{want or '<empty>'})"
        for name, want in PAW_REDIRECTIONS_OFF.items()
        if found.get(name) != want
    ]
    if on:
        report("customRdpProperty leaves these redirections on or at their default: " + ", ".join(on) + ".")


def _host_pool_entra_auth(args, report) -> None:
    found = _rdp_properties_of_paw(args)
    if found is not None and found.get("enablerdsaadauth") != "1":
        report(
            "customRdpProperty lacks enablerdsaadauth:i:1, so hosts are reached without Entra ID "
            "authentication and conditional access never sees the session sign-in."
        )


def _host_pool_private(args, report) -> None:
    if not _is_paw(args, HOST_POOL):
        return
    allowed = {"Disabled"} | ({"EnabledForClientsOnly"} if args.get_config().get("allowClientsOnly", True) else set())
    access = _setting(args, "publicNetworkAccess") or "Enabled (the default)"
    if access not in allowed:
        report(
            f"publicNetworkAccess is {access}; allowed: {sorted(allowed)} (with a private endpoint for "
            "the host pool's connection sub-resource)."
        )


def _trusted_launch(args, report) -> None:
    if not _is_paw(args, VM):
        return
    kind = get(args.props, "securityProfile", "securityType")
    uefi = get(args.props, "securityProfile", "uefiSettings")
    missing = [
        what
        for what, ok in (  # an unknown setting is not proven on: reported
            ("securityType TrustedLaunch (or ConfidentialVM)", kind in ("TrustedLaunch", "ConfidentialVM")),
            ("uefiSettings.secureBootEnabled true", get(uefi, "secureBootEnabled") is True),
            ("uefiSettings.vTpmEnabled true", get(uefi, "vTpmEnabled") is True),
        )
        if not ok
    ]
    if missing:
        report("PAW session host lacks " + ", ".join(missing) + ".")


def _declared(value) -> bool:
    """A public IP (or its configuration) is set: unknown counts as set (it may well be one)."""
    return is_unknown(value) or bool(value)


def _public_ips_of_nic(nic) -> list[str]:
    return [
        str(get(c, "name") or i)
        for i, c in enumerate(elements(nic.props, "ipConfigurations"))
        if not is_unknown(c) and _declared(get(c, "publicIPAddress"))
    ]


def _inline_public_ips(vm) -> list[str]:
    return [
        str(get(nic, "name") or "inline NIC")
        for nic in elements(vm.props, "networkProfile", "networkInterfaceConfigurations")
        for ip in elements(nic, "ipConfigurations")
        if not is_unknown(ip) and _declared(get(ip, "publicIPAddressConfiguration"))
    ]


def _no_public_ip(args, report) -> None:
    by_urn = {r.urn: r for r in args.resources}
    for res in args.resources:
        if res.resource_type == PUBLIC_IP and is_paw(res.props):
            report(f"{res.name}: a public IP address is declared for the PAW.", res.urn)
        elif res.resource_type == VM and is_paw(res.props):
            nics = {d.urn for d in dependencies_of(res, "networkProfile")}
            nics |= {
                r.urn
                for r in args.resources
                if r.resource_type == NIC and is_paw(r.props) and r.urn in {d.urn for d in res.dependencies or []}
            }
            bad = _inline_public_ips(res) + [
                f"{by_urn[u].name}/{ip}"
                for u in sorted(nics)
                if u in by_urn and by_urn[u].resource_type == NIC
                for ip in _public_ips_of_nic(by_urn[u])
            ]
            if bad:
                report(f"{res.name}: PAW session host has a public IP on {', '.join(bad)}.", res.urn)
        elif res.resource_type == NIC and is_paw(res.props) and _public_ips_of_nic(res):
            report(f"{res.name}: PAW network interface has a public IP.", res.urn)


POLICIES = [
    ResourceValidationPolicy(
        name="paw-host-pool-personal",
        description="A PAW host pool is Personal: one admin per session host, never a pooled VM.",
        validate=_host_pool_personal,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Set hostPoolType Personal, personalDesktopAssignmentType Direct and "
            "loadBalancerType Persistent, or use the PawHostPool component.",
            "Microsoft privileged access",
            "intermediaries: dedicated admin session hosts",
        ),
    ),
    ResourceValidationPolicy(
        name="paw-host-pool-no-redirection",
        description="A PAW host pool turns off clipboard, drive, USB, printer, COM, camera and audio-capture "
        "redirection.",
        validate=_host_pool_no_redirection,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Add each listed property to customRdpProperty with the value shown "
            "(the PawHostPool component sets them all).",
            "Microsoft privileged access",
            "intermediaries; AVD screen-capture protection guidance",
        ),
    ),
    ResourceValidationPolicy(
        name="paw-host-pool-entra-auth",
        description="A PAW host pool authenticates users to session hosts with Entra ID (enablerdsaadauth:i:1).",
        validate=_host_pool_entra_auth,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Add enablerdsaadauth:i:1 to customRdpProperty and join the hosts to Entra ID "
            "(AADLoginForWindows extension).",
            "Microsoft AVD",
            "single sign-on with Entra ID",
        ),
    ),
    ResourceValidationPolicy(
        name="paw-host-pool-no-public-network",
        description="A PAW host pool is not reachable over public networks (Disabled, or EnabledForClientsOnly with "
        "Private Link for the hosts).",
        validate=_host_pool_private,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            {
                "allowClientsOnly": {
                    "type": "boolean",
                    "default": True,
                    "description": "Accept EnabledForClientsOnly (admins connect over the internet, hosts over "
                    "Private Link).",
                }
            }
        ),
        **meta(
            "high",
            "Set publicNetworkAccess to Disabled or EnabledForClientsOnly and add a private "
            "endpoint for the host pool (sub-resource connection).",
            "Microsoft AVD",
            "Private Link",
        ),
    ),
    ResourceValidationPolicy(
        name="paw-session-host-trusted-launch",
        description="A PAW session host boots with Trusted Launch: secure boot and vTPM on.",
        validate=_trusted_launch,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Set securityProfile.securityType TrustedLaunch with uefiSettings.secureBootEnabled "
            "and vTpmEnabled true on a Gen2 image.",
            "Microsoft privileged access",
            "devices: hardware root of trust",
        ),
    ),
    StackValidationPolicy(
        name="paw-session-host-no-public-ip",
        description="A PAW session host has no public IP address, on its own or its network interfaces.",
        validate=_no_public_ip,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Remove publicIPAddress from the session host's NIC IP configurations; admins reach "
            "the host only through AVD.",
            "Microsoft privileged access",
            "intermediaries",
        ),
    ),
]
