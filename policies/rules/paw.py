"""Policies for the privileged access workstation: AVD host pools, session hosts, their NICs and public IPs.

A host pool is judged as a PAW when it is tagged `pum-role: paw` (key and value in any case: the tag the PawHostPool
component sets, privileged_facts.conventions.PAW_TAG_KEY) or when it serves privileged users whatever its tags: an
application group of the pool (hostPoolArmPath) is assigned, through an Azure role assignment at the application
group, the host pool, or (for Desktop Virtualization User) their resource group or subscription, to a principal the
stack makes privileged (access_packages.privileged_principals: it holds a directory role or a privileged Azure role,
is a role-assignable group, or is a member of one) or to a group with such a member. Relations are followed through
property dependencies (IDs unknown at preview only link resources) and literal object IDs.

Session hosts, NICs and public IPs are judged by the tag. When whether a resource is a PAW hangs on an unknown (its
tags, the principal or role of an assignment to its application group) and it would fail, or when a deciding
setting is unknown, the policy reports it through `common.unverified`. Messages name the resource and the setting
and show only what the policy parsed (RDP property names, allowed values), never a value as given.
"""

from __future__ import annotations

from privileged_facts.conventions import PAW_REDIRECTIONS_OFF, PAW_TAG_KEY, PAW_TAG_VALUE
from privileged_facts.roles import AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER, role_guid
from privileged_facts.values import UNKNOWN, is_guid, is_unknown
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from .access_packages import privileged_principals
from .common import (
    canonical_type,
    config_schema,
    declared,
    dependencies_of,
    elements,
    get,
    is_type,
    meta,
    unverified,
    verifying,
)

HOST_POOL = "azure-native:desktopvirtualization:HostPool"
APP_GROUP = "azure-native:desktopvirtualization:ApplicationGroup"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
VM = "azure-native:compute:VirtualMachine"
NIC = "azure-native:network:NetworkInterface"
PUBLIC_IP = "azure-native:network:PublicIPAddress"
GROUP = "azuread:index/group:Group"
GROUP_MEMBER = "azuread:index/groupMember:GroupMember"
PRINCIPALS = (GROUP, "azuread:index/user:User", "azuread:index/servicePrincipal:ServicePrincipal")

WHEN_UNKNOWN = {
    "paw-host-pool-personal": "An unknown hostPoolType on a PAW host pool, or an unknown PAW tag or application-group "
    "assignment on a pool that is not Personal, is a mandatory 'cannot be verified at preview' violation.",
    "paw-host-pool-no-redirection": "An unknown customRdpProperty on a PAW host pool, or an unknown PAW tag or "
    "assignment on a pool with redirections on, is a mandatory 'cannot be verified at preview' violation.",
    "paw-host-pool-entra-auth": "An unknown customRdpProperty on a PAW host pool, or an unknown PAW tag or assignment "
    "on a pool without enablerdsaadauth:i:1, is a mandatory 'cannot be verified at preview' violation.",
    "paw-host-pool-no-public-network": "An unknown publicNetworkAccess on a PAW host pool, or an unknown PAW tag or "
    "assignment on a publicly reachable pool, is a mandatory 'cannot be verified at preview' violation.",
    "paw-session-host-trusted-launch": "An unknown securityType or uefiSettings is not proven on and is reported "
    "(mandatory); an unknown PAW tag on a VM without Trusted Launch is a 'cannot be verified at preview' violation.",
    "paw-session-host-no-public-ip": "An unknown ipConfigurations list, IP configuration, public-IP setting, "
    "networkProfile or PAW tag is a mandatory 'cannot be verified at preview' violation; a public IP whose ID is "
    "unknown is a public IP.",
}


def paw_tag(props):
    """True when tagged as a PAW (key and value in any case), UNKNOWN when the tags or that tag are unknown."""
    tags = get(props, "tags")
    if is_unknown(tags):
        return UNKNOWN
    if not isinstance(tags, dict):
        return False
    for key, value in tags.items():
        if isinstance(key, str) and key.strip().lower() == PAW_TAG_KEY:
            if is_unknown(value):
                return UNKNOWN
            if isinstance(value, str) and value.strip().lower() == PAW_TAG_VALUE:
                return True
    return False


def is_paw(props) -> bool:
    """True when the resource is tagged as a PAW; an unknown tag is not (callers that decide on it use `paw_tag`)."""
    return paw_tag(props) is True


def rdp_properties(value: str) -> dict[str, str]:
    """'name:type:value;…' -> {name: value}, names lower-cased as AVD treats them."""
    pairs = (item.split(":", 2) for item in value.split(";") if item.strip())
    return {p[0].strip().lower(): p[2].strip() if len(p) == 3 else "" for p in pairs}


def _refs(resource, key: str) -> set[str]:
    """What a property points at: the URNs it depends on, plus its literal GUIDs (lower case)."""
    literals = {v.strip().lower() for v in elements(resource.props, key) if is_guid(v)}
    return {d.urn for d in dependencies_of(resource, key)} | literals


def _members(resources) -> dict[str, set[str]]:
    """group ref -> member refs, from Group.members and GroupMember resources."""
    members: dict[str, set[str]] = {}
    for r in resources:
        kind = canonical_type(r.resource_type)
        if kind == canonical_type(GROUP):
            refs = _refs(r, "members")
            if refs:
                members.setdefault(r.urn, set()).update(refs)
        elif kind == canonical_type(GROUP_MEMBER):
            for group in _refs(r, "groupObjectId"):
                members.setdefault(group, set()).update(_refs(r, "memberObjectId"))
    return members


class PawUse:
    """Which host pools serve privileged users (built once per stack policy run)."""

    def __init__(self, resources) -> None:
        self.resources = list(resources)
        privileged = set(privileged_principals(self.resources)[0])
        members = _members(self.resources)
        # Members of privileged groups hold their roles; a group with a privileged member serves privileged users.
        changed = True
        while changed:
            changed = False
            for group, refs in members.items():
                if group in privileged and not refs <= privileged:
                    privileged |= refs
                    changed = True
                elif group not in privileged and refs & privileged:
                    privileged.add(group)
                    changed = True
        self.privileged = privileged
        self.assignments = [r for r in self.resources if is_type(r, ROLE_ASSIGNMENT)]
        self.app_groups = [r for r in self.resources if is_type(r, APP_GROUP)]

    def serves_privileged(self, pool):
        """True, False, or UNKNOWN (an assignment to its application group whose principal or role is unknown)."""
        groups = [g for g in self.app_groups if pool.urn in _refs(g, "hostPoolArmPath")]
        targets = {pool.urn} | {g.urn for g in groups}
        places = {d.urn for g in groups for d in dependencies_of(g, "resourceGroupName")}
        rg_names = {
            n.strip().lower() for g in groups for n in [get(g.props, "resourceGroupName")] if isinstance(n, str)
        }
        verdict = False
        for ra in self.assignments:
            role = get(ra.props, "roleDefinitionId")
            scope = get(ra.props, "scope")
            scoped = _refs(ra, "scope")
            direct = bool(scoped & targets)
            if (
                not direct
                and groups
                and (is_unknown(role) or role_guid(role) == AZURE_ROLE_DESKTOP_VIRTUALIZATION_USER)
            ):
                direct = bool(scoped & places) or (isinstance(scope, str) and _contains(scope, rg_names))
            if not direct:
                continue
            principals = _refs(ra, "principalId")
            if principals & self.privileged:
                return True
            linked = any(is_type(d, *PRINCIPALS) for d in dependencies_of(ra, "principalId"))
            if not principals or (is_unknown(get(ra.props, "principalId")) and not linked):
                verdict = UNKNOWN  # computed from something that is not a declared principal: who it is, is unknown
        return verdict

    def verdict(self, pool):
        """Whether `pool` is a PAW: True, False, or UNKNOWN."""
        tagged = paw_tag(declared(pool))
        if tagged is True:
            return True
        used = self.serves_privileged(pool)
        if used is True:
            return True
        return UNKNOWN if is_unknown(tagged) or is_unknown(used) else False


def _contains(scope: str, rg_names: set[str]) -> bool:
    """An ARM scope that holds an application group in one of `rg_names`: '/', a management group, a subscription,
    or the group's resource group."""
    parts = [p.lower() for p in scope.strip().split("/") if p]
    if not parts or (len(parts) == 2 and parts[0] == "subscriptions"):
        return True
    if parts[:3] == ["providers", "microsoft.management", "managementgroups"]:
        return True
    return len(parts) == 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups" and parts[3] in rg_names


def _host_pool_policy(check):
    """A stack policy judging each host pool that is (or may be) a PAW with `check(props) -> (problems, unknown)`:
    problems are violations, unknown the deciding settings that are unknown."""

    @verifying
    def validate(args, report) -> None:
        use = PawUse(args.resources)
        for pool in use.resources:
            if not is_type(pool, HOST_POOL):
                continue
            verdict = use.verdict(pool)
            if verdict is False:
                continue
            problems, unknown = check(args, declared(pool))  # a setting the program leaves out: the default
            if verdict is True:
                for problem in problems:
                    report(f"HostPool '{pool.name}': {problem}", pool.urn)
                for what in unknown:
                    unverified(args, report, f"HostPool '{pool.name}' {what}", pool.urn)
            elif problems or unknown:
                unverified(args, report, f"Whether HostPool '{pool.name}' is a PAW (its tags or assignments)", pool.urn)

    return validate


def _personal(args, props):
    kind = get(props, "hostPoolType")
    if is_unknown(kind):
        return [], ["hostPoolType"]
    if kind != "Personal":
        return [
            "hostPoolType is not Personal: a pooled PAW shares one VM between admins; use Personal "
            "with personalDesktopAssignmentType Direct."
        ], []
    return [], []


def _rdp(props):
    value = get(props, "customRdpProperty")
    if is_unknown(value):
        return None
    return rdp_properties(value if isinstance(value, str) else "")


def _no_redirection(args, props):
    found = _rdp(props)
    if found is None:
        return [], ["customRdpProperty"]
    on = [
        f"{name} (want {name}:{want or '<empty>'})"
        for name, want in PAW_REDIRECTIONS_OFF.items()
        if found.get(name) != want
    ]
    if on:
        return ["customRdpProperty leaves these redirections on or at their default: " + ", ".join(on) + "."], []
    return [], []


def _entra_auth(args, props):
    found = _rdp(props)
    if found is None:
        return [], ["customRdpProperty"]
    if found.get("enablerdsaadauth") != "1":
        return [
            "customRdpProperty lacks enablerdsaadauth:i:1, so hosts are reached without Entra ID "
            "authentication and conditional access never sees the session sign-in."
        ], []
    return [], []


def _private(args, props):
    allowed = {"Disabled"} | (
        {"EnabledForClientsOnly"} if (args.get_config() or {}).get("allowClientsOnly", True) else set()
    )
    access = get(props, "publicNetworkAccess")
    if is_unknown(access):
        return [], ["publicNetworkAccess"]
    if access not in allowed:
        shown = "not set (Enabled, the default)" if access is None else "not one of the allowed values"
        return [
            f"publicNetworkAccess is {shown}; allowed: {sorted(allowed)} (with a private endpoint for the host "
            "pool's connection sub-resource)."
        ], []
    return [], []


@verifying
def _trusted_launch(args, report) -> None:
    if not is_type(args.resource_type, VM):
        return
    tagged = paw_tag(args.props)
    if tagged is False:
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
    if missing and tagged is True:
        report("PAW session host lacks " + ", ".join(missing) + ".")
    elif missing:
        unverified(args, report, f"VirtualMachine '{args.name}' PAW tag")


def _public_ips(configs, key: str, where: str) -> tuple[list[str], list[str]]:
    """(IP configurations with a public IP, unknown fields) of an ipConfigurations list; a public IP whose ID is
    unknown is still one. Named by position, never by a name as given."""
    if is_unknown(configs):
        return [], [f"{where}.ipConfigurations"]
    found, unknown = [], []
    for index, config in enumerate(elements(configs)):
        value = get(config, key)
        if is_unknown(config) or is_unknown(value):
            unknown.append(f"{where}.ipConfigurations[{index}]" + ("" if is_unknown(config) else f".{key}"))
        elif value:
            found.append(f"{where}.ipConfigurations[{index}]")
    return found, unknown


@verifying
def _no_public_ip(args, report) -> None:
    by_urn = {r.urn: r for r in args.resources}
    for res in args.resources:
        props = declared(res)  # what the program declares (AnalyzeStack gets outputs)
        kind, tagged = canonical_type(res.resource_type), paw_tag(props)
        if kind not in {canonical_type(t) for t in (PUBLIC_IP, VM, NIC)} or tagged is False:
            continue
        if kind == canonical_type(PUBLIC_IP):
            if tagged is True:
                report(f"PublicIPAddress '{res.name}': a public IP address is declared for the PAW.", res.urn)
            else:
                unverified(args, report, f"PublicIPAddress '{res.name}' PAW tag", res.urn)
            continue
        if kind == canonical_type(NIC):
            bad, unknown = _public_ips(get(props, "ipConfigurations"), "publicIPAddress", "ipConfigurations")
        else:
            profile = get(props, "networkProfile")
            if is_unknown(profile):
                bad, unknown = [], ["networkProfile"]
            else:
                bad, unknown = [], []
                for index, inline in enumerate(elements(profile, "networkInterfaceConfigurations")):
                    where = f"networkProfile.networkInterfaceConfigurations[{index}]"
                    if is_unknown(inline):
                        unknown.append(where)
                        continue
                    more, unsure = _public_ips(get(inline, "ipConfigurations"), "publicIPAddressConfiguration", where)
                    bad, unknown = bad + more, unknown + unsure
                nics = {d.urn for d in dependencies_of(res, "networkProfile")}
                nics |= {d.urn for d in res.dependencies or [] if d.urn in by_urn}
                for urn in sorted(nics):
                    nic = by_urn.get(urn)
                    if nic is None or not is_type(nic, NIC):
                        continue
                    more, unsure = _public_ips(declared(nic, "ipConfigurations"), "publicIPAddress", "ipConfigurations")
                    bad += [f"NetworkInterface '{nic.name}' {m}" for m in more]
                    unknown += [f"NetworkInterface '{nic.name}' {u}" for u in unsure]
        what = "PAW network interface" if kind == canonical_type(NIC) else "PAW session host"
        label = f"{'NetworkInterface' if kind == canonical_type(NIC) else 'VirtualMachine'} '{res.name}'"
        if tagged is True:
            if bad:
                report(f"{label}: {what} has a public IP on {', '.join(bad)}.", res.urn)
            for field in unknown:
                unverified(args, report, f"{label} {field}", res.urn)
        elif bad or unknown:
            unverified(args, report, f"{label} PAW tag", res.urn)


POLICIES = [
    StackValidationPolicy(
        name="paw-host-pool-personal",
        description="A PAW host pool is Personal: one admin per session host, never a pooled VM.",
        validate=_host_pool_policy(_personal),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Set hostPoolType Personal, personalDesktopAssignmentType Direct and "
            "loadBalancerType Persistent, or use the PawHostPool component.",
            "Microsoft privileged access",
            "intermediaries: dedicated admin session hosts",
        ),
    ),
    StackValidationPolicy(
        name="paw-host-pool-no-redirection",
        description="A PAW host pool turns off clipboard, drive, USB, printer, COM, camera and audio-capture "
        "redirection.",
        validate=_host_pool_policy(_no_redirection),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Add each listed property to customRdpProperty with the value shown "
            "(the PawHostPool component sets them all).",
            "Microsoft privileged access",
            "intermediaries; AVD screen-capture protection guidance",
        ),
    ),
    StackValidationPolicy(
        name="paw-host-pool-entra-auth",
        description="A PAW host pool authenticates users to session hosts with Entra ID (enablerdsaadauth:i:1).",
        validate=_host_pool_policy(_entra_auth),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Add enablerdsaadauth:i:1 to customRdpProperty and join the hosts to Entra ID "
            "(AADLoginForWindows extension).",
            "Microsoft AVD",
            "single sign-on with Entra ID",
        ),
    ),
    StackValidationPolicy(
        name="paw-host-pool-no-public-network",
        description="A PAW host pool is not reachable over public networks (Disabled, or EnabledForClientsOnly with "
        "Private Link for the hosts).",
        validate=_host_pool_policy(_private),
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(
            own={
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
        config_schema=config_schema(),
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
        config_schema=config_schema(),
        **meta(
            "high",
            "Remove publicIPAddress from the session host's NIC IP configurations; admins reach "
            "the host only through AVD.",
            "Microsoft privileged access",
            "intermediaries",
        ),
    ),
]
