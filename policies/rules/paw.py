"""Policies for the privileged access workstation: AVD host pools and session hosts tagged `pum-role: paw`.

Only resources carrying the PAW tag are judged: a general-purpose host pool is not a PAW. The tag
is what the PawHostPool component sets on everything it declares (privileged_facts.conventions.PAW_TAG_KEY).
"""
from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from privileged_facts.conventions import PAW_REDIRECTIONS_OFF, PAW_TAG_KEY, PAW_TAG_VALUE
from .common import is_unknown, meta, raw

HOST_POOL = "azure-native:desktopvirtualization:HostPool"
VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
PUBLIC_IP = "azure-native:network:PublicIPAddress"


def is_paw(props) -> bool:
    """True when the resource is tagged as a PAW; unknown tags count as not (yet) a PAW."""
    tags = raw(props).get("tags")
    if not tags or is_unknown(tags):
        return False
    return raw(tags).get(PAW_TAG_KEY) == PAW_TAG_VALUE


def rdp_properties(value: str) -> dict[str, str]:
    """'name:type:value;…' -> {name: value}, names lower-cased as AVD treats them."""
    pairs = (item.split(":", 2) for item in value.split(";") if item.strip())
    return {p[0].strip().lower(): p[2].strip() if len(p) == 3 else "" for p in pairs}


def _host_pool_personal(args, report) -> None:
    if args.resource_type != HOST_POOL or not is_paw(args.props):
        return
    kind = args.props.get("hostPoolType")
    if kind != "Personal":
        report(f"hostPoolType is {kind!r}: a pooled PAW shares one VM between admins; use Personal "
               "with personalDesktopAssignmentType Direct.")


def _host_pool_no_redirection(args, report) -> None:
    if args.resource_type != HOST_POOL or not is_paw(args.props):
        return
    found = rdp_properties(args.props.get("customRdpProperty") or "")
    on = [f"{name} (want {name}:{want or '<empty>'})" for name, want in PAW_REDIRECTIONS_OFF.items()
          if found.get(name) != want]
    if on:
        report("customRdpProperty leaves these redirections on or at their default: " + ", ".join(on) + ".")


def _host_pool_entra_auth(args, report) -> None:
    if args.resource_type != HOST_POOL or not is_paw(args.props):
        return
    if rdp_properties(args.props.get("customRdpProperty") or "").get("enablerdsaadauth") != "1":
        report("customRdpProperty lacks enablerdsaadauth:i:1, so hosts are reached without Entra ID "
               "authentication and conditional access never sees the session sign-in.")


def _host_pool_private(args, report) -> None:
    if args.resource_type != HOST_POOL or not is_paw(args.props):
        return
    allowed = {"Disabled"} | ({"EnabledForClientsOnly"} if args.get_config().get("allowClientsOnly", True) else set())
    access = args.props.get("publicNetworkAccess") or "Enabled (the default)"
    if access not in allowed:
        report(f"publicNetworkAccess is {access}; allowed: {sorted(allowed)} (with a private endpoint for "
               "the host pool's connection sub-resource).")


def _trusted_launch(args, report) -> None:
    if args.resource_type != VM or not is_paw(args.props):
        return
    profile = raw(args.props).get("securityProfile")
    profile = raw(profile) if profile and not is_unknown(profile) else {}
    kind = profile.get("securityType")
    uefi = profile.get("uefiSettings")
    uefi = raw(uefi) if uefi and not is_unknown(uefi) else {}
    missing = [what for what, ok in (
        ("securityType TrustedLaunch (or ConfidentialVM)", kind in ("TrustedLaunch", "ConfidentialVM")),
        ("uefiSettings.secureBootEnabled true", uefi.get("secureBootEnabled") is True),
        ("uefiSettings.vTpmEnabled true", uefi.get("vTpmEnabled") is True)) if not ok]
    if missing:
        report("PAW session host lacks " + ", ".join(missing) + ".")


def _public_ips_of_nic(nic) -> list[str]:
    configs = raw(nic.props).get("ipConfigurations")
    if not configs or is_unknown(configs):
        return []
    return [str(raw(c).get("name") or i) for i, c in enumerate(raw(configs))
            if not is_unknown(c) and raw(c).get("publicIPAddress")]


def _inline_public_ips(vm) -> list[str]:
    profile = raw(vm.props).get("networkProfile")
    configs = raw(profile).get("networkInterfaceConfigurations") if profile and not is_unknown(profile) else None
    if not configs or is_unknown(configs):
        return []
    found = []
    for nic in raw(configs):
        ips = raw(nic).get("ipConfigurations") if not is_unknown(nic) else None
        for ip in raw(ips) if ips and not is_unknown(ips) else []:
            if not is_unknown(ip) and raw(ip).get("publicIPAddressConfiguration"):
                found.append(str(raw(nic).get("name") or "inline NIC"))
    return found


def _no_public_ip(args, report) -> None:
    by_urn = {r.urn: r for r in args.resources}
    for res in args.resources:
        if res.resource_type == PUBLIC_IP and is_paw(res.props):
            report(f"{res.name}: a public IP address is declared for the PAW.", res.urn)
        elif res.resource_type == VM and is_paw(res.props):
            nics = {d.urn for d in (res.property_dependencies or {}).get("networkProfile", [])}
            nics |= {r.urn for r in args.resources if r.resource_type == NIC and is_paw(r.props)
                     and r.urn in {d.urn for d in res.dependencies or []}}
            bad = _inline_public_ips(res) + [
                f"{by_urn[u].name}/{ip}" for u in sorted(nics)
                if u in by_urn and by_urn[u].resource_type == NIC for ip in _public_ips_of_nic(by_urn[u])]
            if bad:
                report(f"{res.name}: PAW session host has a public IP on {', '.join(bad)}.", res.urn)
        elif res.resource_type == NIC and is_paw(res.props) and _public_ips_of_nic(res):
            report(f"{res.name}: PAW network interface has a public IP.", res.urn)


POLICIES = [
    ResourceValidationPolicy(
        name="paw-host-pool-personal",
        description="A PAW host pool is Personal: one admin per session host, never a pooled VM.",
        validate=_host_pool_personal, enforcement_level=EnforcementLevel.MANDATORY,
        **meta("high", "Set hostPoolType Personal, personalDesktopAssignmentType Direct and "
               "loadBalancerType Persistent, or use the PawHostPool component.",
               "Microsoft privileged access", "intermediaries: dedicated admin session hosts")),
    ResourceValidationPolicy(
        name="paw-host-pool-no-redirection",
        description="A PAW host pool turns off clipboard, drive, USB, printer, COM, camera and audio-capture redirection.",
        validate=_host_pool_no_redirection, enforcement_level=EnforcementLevel.MANDATORY,
        **meta("high", "Add each listed property to customRdpProperty with the value shown "
               "(the PawHostPool component sets them all).",
               "Microsoft privileged access", "intermediaries; AVD screen-capture protection guidance")),
    ResourceValidationPolicy(
        name="paw-host-pool-entra-auth",
        description="A PAW host pool authenticates users to session hosts with Entra ID (enablerdsaadauth:i:1).",
        validate=_host_pool_entra_auth, enforcement_level=EnforcementLevel.MANDATORY,
        **meta("high", "Add enablerdsaadauth:i:1 to customRdpProperty and join the hosts to Entra ID "
               "(AADLoginForWindows extension).", "Microsoft AVD", "single sign-on with Entra ID")),
    ResourceValidationPolicy(
        name="paw-host-pool-no-public-network",
        description="A PAW host pool is not reachable over public networks (Disabled, or EnabledForClientsOnly with Private Link for the hosts).",
        validate=_host_pool_private, enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema({"allowClientsOnly": {
            "type": "boolean", "default": True,
            "description": "Accept EnabledForClientsOnly (admins connect over the internet, hosts over Private Link)."}}),
        **meta("high", "Set publicNetworkAccess to Disabled or EnabledForClientsOnly and add a private "
               "endpoint for the host pool (sub-resource connection).", "Microsoft AVD", "Private Link")),
    ResourceValidationPolicy(
        name="paw-session-host-trusted-launch",
        description="A PAW session host boots with Trusted Launch: secure boot and vTPM on.",
        validate=_trusted_launch, enforcement_level=EnforcementLevel.MANDATORY,
        **meta("high", "Set securityProfile.securityType TrustedLaunch with uefiSettings.secureBootEnabled "
               "and vTpmEnabled true on a Gen2 image.", "Microsoft privileged access", "devices: hardware root of trust")),
    StackValidationPolicy(
        name="paw-session-host-no-public-ip",
        description="A PAW session host has no public IP address, on its own or its network interfaces.",
        validate=_no_public_ip, enforcement_level=EnforcementLevel.MANDATORY,
        **meta("high", "Remove publicIPAddress from the session host's NIC IP configurations; admins reach "
               "the host only through AVD.", "Microsoft privileged access", "intermediaries")),
]
