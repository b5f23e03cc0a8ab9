"""Policies for Entra Private Access apps (the Graph layer's dynamic resource, graphKind `privateAccessApp`).

- `private-access-no-catch-all-segments` (stack): judged by coverage. Per segment: no `*`/wildcard hosts,
  no CIDR or range broader than the configured prefix (default /16, as Maester MT.1193), no bare-TLD,
  single-label or public-suffix DNS destination (`com`, `co.uk`, `azurewebsites.net`:
  privileged_facts.public_suffixes), every port and every destination type parsed (case-insensitively).
  Combined: the union of the ports, and of the IPv4 addresses, that one app's segments open stays within a
  share of all ports (default 2%: 1310 of 65535) and of a /8 (default 2%: 335544 addresses, about five /16s);
  and so does the union over the apps that share an assigned group, since that is what one group's members
  reach (the apps' groups are matched by property dependency or literal object ID).
- `private-access-assigned-to-groups`: the app is assigned to named groups, never to no one
  (everyone, when assignment is not required) or to a configured all-users group.
- `private-access-dedicated-connector-group`: the app names a connector group that is not the Default one.
- `private-access-compliant-device-ca` (stack): an enabled CA policy covers every app (its appId,
  through a property dependency, or All applications) and requires a compliant device (MT.1188).

A deciding value unknown at preview (the segments, a segment or its host, type or ports, the assigned groups, the
connector group) is reported through `common.unverified`; group IDs in assignedGroupIds only link resources.
Messages never echo a host, port or ID as given: they name the app and the field and show parsed numbers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from privileged_facts.public_suffixes import is_public_suffix
from privileged_facts.values import is_guid, is_unknown
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from .common import CA, config_schema, dependencies_of, elements, get, meta, setting, unverified, verifying

DYNAMIC_PREFIX = "pulumi-python:dynamic"
GRAPH_KIND = "privateAccessApp"
ALL_PORTS = 65535
SLASH_8 = 2**24
DESTINATION_TYPES = {k.lower(): k for k in ("ipAddress", "ipRange", "ipRangeCidr", "fqdn", "dnsSuffix")}
IP_TYPES = frozenset({"ipAddress", "ipRange", "ipRangeCidr"})

SEGMENTS = {
    "minPrefixLength": {
        "type": "integer",
        "minimum": 0,
        "maximum": 32,
        "default": 16,
        "description": "IPv4 CIDRs and ranges must be at least this specific (/16 passes).",
    },
    "maxPortPercent": {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "default": 2,
        "description": "The ports one app (or the apps of one group) opens, together, are at most this share of "
        "the 65535 ports (2: 1310 ports; a service needs a few, not a range that amounts to all).",
    },
    "maxAddressPercent": {
        "type": "number",
        "minimum": 0,
        "maximum": 100,
        "default": 2,
        "description": "The IPv4 addresses one app (or the apps of one group) reaches, together, are at most this "
        "share of a /8 (2: 335544 addresses, about five /16s).",
    },
}
ASSIGNMENT = {
    "allUsersGroupIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Object IDs of groups that mean everyone (e.g. a dynamic all-users group).",
    }
}
CONNECTOR = {
    "defaultConnectorGroupIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Object IDs of the tenant's Default connector group(s).",
    }
}
COVERAGE = {
    "deviceControls": {
        "type": "array",
        "items": {"type": "string", "enum": ["compliantDevice", "domainJoinedDevice"]},
        "default": ["compliantDevice"],
        "description": "Grant controls that count as a managed-device requirement.",
    }
}

WHEN_UNKNOWN = {
    "private-access-no-catch-all-segments": "An unknown segments list, segment, destinationHost, destinationType, "
    "ports list or port is a mandatory 'cannot be verified at preview' violation on the app (advisory with "
    "unknownAtPreview); what is known is still judged.",
    "private-access-assigned-to-groups": "An unknown assignedGroupIds list is a mandatory 'cannot be verified at "
    "preview' violation; unknown members are group IDs that only link resources and are accepted.",
    "private-access-dedicated-connector-group": "An unknown connectorGroupId is a mandatory 'cannot be verified at "
    "preview' violation (it may be empty or the Default connector group).",
    "private-access-compliant-device-ca": "An unknown CA state, grant control or application list does not count "
    "as coverage, so the app is reported as not covered (mandatory); an unknown appId is matched through the CA "
    "policy's property dependency on the app.",
}


def is_private_access_app(resource_type: str, props) -> bool:
    return resource_type.startswith(DYNAMIC_PREFIX) and get(props, "graphKind") == GRAPH_KIND


def _app_label(name: str) -> str:
    return f"Private Access app '{name}'"


# --- segment coverage ----------------------------------------------------------------------------------


def span(ranges: list[tuple[int, int]]) -> int:
    """How many integers the union of the closed ranges covers (overlaps counted once)."""
    total, end = 0, None
    for low, high in sorted(ranges):
        if end is None or low > end:
            total += high - low + 1
            end = high
        elif high > end:
            total += high - end
            end = high
    return total


def _dotted(text: str) -> bool:
    return bool(text) and all(c.isdigit() or c == "." for c in text)


def parse_addresses(host: str) -> tuple[int, int] | None:
    """The (first, last) IPv4 address a CIDR, range 'a-b' or address covers; None when `host` is a name.
    Raises ValueError for an IP form that does not parse (a bad address, a range that ends before it starts)."""
    host = host.strip()
    if "/" in host:  # no DNS name has one
        net = ipaddress.IPv4Network(host, strict=False)
        return int(net.network_address), int(net.broadcast_address)
    first, dash, last = (part.strip() for part in host.partition("-"))
    if dash and _dotted(first) and _dotted(last):
        low, high = int(ipaddress.IPv4Address(first)), int(ipaddress.IPv4Address(last))
        if high < low:
            raise ValueError("the range ends before it starts")
        return low, high
    if not dash and _dotted(first):
        low = int(ipaddress.IPv4Address(first))
        return low, low
    return None


def parse_port(value) -> tuple[int, int] | None:
    """'22', 22 or '1000-2000' -> (low, high) within 1..65535; None when it is not a port or port range."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    low, _, high = value.strip().partition("-")
    low, high = low.strip(), (high.strip() or low.strip())
    if not (low.isdigit() and high.isdigit()):
        return None
    low_port, high_port = int(low), int(high)
    return (low_port, high_port) if 1 <= low_port <= high_port <= ALL_PORTS else None


def _prefix_of(count: int) -> str:
    """The smallest CIDR prefix that holds `count` addresses, for messages ('/1', '/16')."""
    return f"/{32 - max(count - 1, 0).bit_length()}"


@dataclass
class Reach:
    """What a set of segments opens: address ranges (IPv4 as ints), port ranges, and what could not be read."""

    addresses: list[tuple[int, int]] = field(default_factory=list)
    ports: list[tuple[int, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "segments[i]...: why"
    unknown: list[str] = field(default_factory=list)  # "segments[i].field"

    def add(self, other: Reach) -> None:
        self.addresses += other.addresses
        self.ports += other.ports


def _dns_problem(host: str) -> str | None:
    name = host.strip().lower().strip(".")
    labels = name.split(".")
    if not name or any(not label for label in labels):
        return "is not a DNS name"
    if len(labels) == 1:
        return "is a single label (a bare top-level domain or host name matches too much)"
    if is_public_suffix(name):
        return "is a public suffix (anyone can register names under it, e.g. co.uk or azurewebsites.net)"
    return None


def segment_reach(segment, where: str, min_prefix: int) -> Reach:
    """Read one segment: its addresses and ports, why it is a catch-all, and which deciding fields are unknown."""
    reach = Reach()
    if is_unknown(segment):
        reach.unknown.append(where)
        return reach
    host, kind = get(segment, "destinationHost"), get(segment, "destinationType")
    if is_unknown(kind):
        reach.unknown.append(f"{where}.destinationType")
        kind = None
    elif not isinstance(kind, str) or kind.strip().lower() not in DESTINATION_TYPES:
        reach.problems.append(f"{where}.destinationType is not one of {', '.join(DESTINATION_TYPES.values())}")
        kind = None
    else:
        kind = DESTINATION_TYPES[kind.strip().lower()]
    if is_unknown(host):
        reach.unknown.append(f"{where}.destinationHost")
    elif not isinstance(host, str) or not host.strip():
        reach.problems.append(f"{where}.destinationHost is empty")
    elif "*" in host:
        reach.problems.append(f"{where}.destinationHost is a wildcard")
    else:
        try:
            covered = parse_addresses(host)
        except ValueError:
            covered = None
            reach.problems.append(f"{where}.destinationHost is not a valid IPv4 address, range or CIDR")
        else:
            if covered is None and kind in IP_TYPES:
                reach.problems.append(f"{where}.destinationHost is not a valid IPv4 {kind}")
            elif covered is None:
                problem = _dns_problem(host)
                if problem:
                    reach.problems.append(f"{where}.destinationHost {problem}")
        if covered is not None:
            reach.addresses.append(covered)
            count = covered[1] - covered[0] + 1
            if count > 2 ** (32 - min_prefix):
                reach.problems.append(
                    f"{where}.destinationHost covers {count} addresses (a {_prefix_of(count)}), broader than "
                    f"/{min_prefix}"
                )
    ports = get(segment, "ports")
    if is_unknown(ports):
        reach.unknown.append(f"{where}.ports")
    elif not elements(ports):
        reach.problems.append(f"{where}.ports is empty: name the service ports")
    else:
        for index, port in enumerate(elements(ports)):
            if is_unknown(port):
                reach.unknown.append(f"{where}.ports[{index}]")
                continue
            parsed = parse_port(port)
            if parsed is None:
                reach.problems.append(f"{where}.ports[{index}] is not a port or port range within 1-65535")
            else:
                reach.ports.append(parsed)
    return reach


def app_reach(props, min_prefix: int) -> Reach:
    """The union of an app's segments (each segment read by `segment_reach`)."""
    reach = Reach()
    segments = get(props, "segments")
    if is_unknown(segments):
        reach.unknown.append("segments")
        return reach
    for index, segment in enumerate(elements(segments)):
        one = segment_reach(segment, f"segments[{index}]", min_prefix)
        reach.add(one)
        reach.problems += one.problems
        reach.unknown += one.unknown
    return reach


def coverage_problems(reach: Reach, max_port_percent: float, max_address_percent: float) -> list[str]:
    """Why a union of segments is a catch-all by coverage: too large a share of the ports or of a /8."""
    problems = []
    ports, addresses = span(reach.ports), span(reach.addresses)
    if ports > ALL_PORTS * max_port_percent / 100:
        problems.append(
            f"open {ports} of the {ALL_PORTS} ports ({100 * ports / ALL_PORTS:.1f}%), more than maxPortPercent "
            f"{max_port_percent:g}%"
        )
    if addresses > SLASH_8 * max_address_percent / 100:
        problems.append(
            f"reach {addresses} IPv4 addresses ({100 * addresses / SLASH_8:.1f}% of a /8), more than "
            f"maxAddressPercent {max_address_percent:g}%"
        )
    return problems


def _group_refs(app) -> frozenset[str]:
    """The groups an app is assigned to: URNs its assignedGroupIds depend on, and literal object IDs."""
    literals = {g.lower() for g in elements(app.props, "assignedGroupIds") if is_guid(g)}
    return frozenset({d.urn for d in dependencies_of(app, "assignedGroupIds")} | literals)


@verifying
def _segments(args, report) -> None:
    min_prefix = int(setting(args, "minPrefixLength", SEGMENTS))
    max_ports = float(setting(args, "maxPortPercent", SEGMENTS))
    max_addresses = float(setting(args, "maxAddressPercent", SEGMENTS))
    apps = [r for r in args.resources if is_private_access_app(r.resource_type, r.props)]
    reaches = {}
    for app in apps:
        reach = reaches[app.urn] = app_reach(app.props, min_prefix)
        for problem in reach.problems:
            report(f"{_app_label(app.name)}: {problem}.", app.urn)
        for problem in coverage_problems(reach, max_ports, max_addresses):
            report(f"{_app_label(app.name)}: its segments together {problem}.", app.urn)
        for what in reach.unknown:
            unverified(args, report, f"{_app_label(app.name)} {what}", app.urn)
    # Across apps: what the members of one group reach through every app assigned to it.
    by_group: dict[str, list] = {}
    for app in apps:
        for ref in _group_refs(app):
            by_group.setdefault(ref, []).append(app)
    reported: set[tuple[str, ...]] = set()
    for members in by_group.values():
        key = tuple(sorted(a.urn for a in members))
        if len(members) < 2 or key in reported:
            continue
        reported.add(key)
        union = Reach()
        for app in members:
            union.add(reaches[app.urn])
        alone = {p.split(" ")[0] for a in members for p in coverage_problems(reaches[a.urn], max_ports, max_addresses)}
        names = ", ".join(sorted(f"'{a.name}'" for a in members))
        for problem in coverage_problems(union, max_ports, max_addresses):
            if problem.split(" ")[0] not in alone:  # when one app alone exceeds it, that app is reported
                report(f"Private Access apps {names}, assigned to the same group, together {problem}.", members[0].urn)


# --- assignment and connector ----------------------------------------------------------------------------


@verifying
def _assigned(args, report) -> None:
    if not is_private_access_app(args.resource_type, args.props):
        return
    assigned = get(args.props, "assignedGroupIds")
    if is_unknown(assigned):
        unverified(args, report, f"{_app_label(args.name)} assignedGroupIds")
        return
    groups = elements(assigned)
    if not groups:
        report(
            "assignedGroupIds is empty: the app is assigned to no group, so either nobody or, "
            "without assignment required, everyone can use it"
        )
        return
    everyone = {str(g).strip().lower() for g in setting(args, "allUsersGroupIds", ASSIGNMENT)}
    for index, group in enumerate(groups):  # unknown members are IDs of groups the stack declares: links
        if isinstance(group, str) and group.strip().lower() in everyone:
            report(f"assignedGroupIds[{index}] is a group configured as all users (allUsersGroupIds)")


@verifying
def _connector(args, report) -> None:
    if not is_private_access_app(args.resource_type, args.props):
        return
    connector = get(args.props, "connectorGroupId")
    if is_unknown(connector):
        unverified(args, report, f"{_app_label(args.name)} connectorGroupId")
    elif not isinstance(connector, str) or not connector.strip():
        report("no connectorGroupId: the app would be served by the Default connector group")
    elif connector.strip().lower() in {
        str(c).strip().lower() for c in setting(args, "defaultConnectorGroupIds", CONNECTOR)
    }:
        report("connectorGroupId is the Default connector group (one of the configured defaultConnectorGroupIds)")


def _covers(policy, app_urn: str, app_id, device_controls: set[str]) -> bool:
    """Whether one CA policy is enabled, targets the app (All, its appId, or a reference to it) and
    requires a managed device that no other control can replace."""
    props = policy.props
    if get(props, "state") != "enabled":
        return False
    grant = get(props, "grantControls")
    controls = {c for c in elements(grant, "builtInControls") if not is_unknown(c)}
    if not controls & device_controls:
        return False
    if get(grant, "operator") != "AND" and controls - device_controls:
        return False  # OR with e.g. mfa: the device is optional
    apps = get(props, "conditions", "applications")
    included = elements(apps, "includedApplications")
    excluded = elements(apps, "excludedApplications")
    references_app = app_urn in {d.urn for d in dependencies_of(policy, "conditions")}
    if references_app and any(is_unknown(e) for e in excluded):
        return False  # it may be the app that is excluded: not proven covered
    if isinstance(app_id, str) and app_id in excluded:
        return False
    if "All" in included:
        return True
    if isinstance(app_id, str) and app_id in included:
        return True
    return references_app and any(is_unknown(i) for i in included)


def _coverage(args, report_violation) -> None:
    apps = [r for r in args.resources if is_private_access_app(r.resource_type, r.props)]
    if not apps:
        return
    device_controls = set(args.get_config().get("deviceControls", ["compliantDevice"]))
    policies = [r for r in args.resources if r.resource_type == CA]
    for app in apps:
        app_id = get(app.props, "appId")
        if not any(_covers(p, app.urn, app_id, device_controls) for p in policies):
            report_violation(
                f"Private Access app {app.name} is not covered by an enabled conditional access policy "
                f"that targets its appId (or All) and requires {' or '.join(sorted(device_controls))}",
                app.urn,
            )


POLICIES = [
    StackValidationPolicy(
        name="private-access-no-catch-all-segments",
        description="Private Access app segments name specific hosts and ports, never catch-all ranges.",
        validate=_segments,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=SEGMENTS),
        **meta(
            "high",
            "Split the segment into the hosts or subnets (at most /16) and the service ports the "
            "target needs, e.g. 10.20.0.0/24 port 22; name DNS suffixes below a registrable domain "
            "(corp.example.com, never com or co.uk); one app, or the apps of one group, stays within "
            "maxPortPercent of the ports and maxAddressPercent of a /8.",
            "Maester",
            "MT.1193",
        ),
    ),
    ResourceValidationPolicy(
        name="private-access-assigned-to-groups",
        description="Private Access apps are assigned to named groups, not to everyone.",
        validate=_assigned,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=ASSIGNMENT),
        **meta(
            "high",
            "List the admin groups (PIM or journey groups) in assignedGroups; do not use an all-users group.",
            "Maester",
            "MT.1192",
        ),
    ),
    ResourceValidationPolicy(
        name="private-access-dedicated-connector-group",
        description="Private Access apps are served by a dedicated connector group, not the Default one.",
        validate=_connector,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=CONNECTOR),
        **meta(
            "medium",
            "Create a connector group for the target's network and set connectorGroupId.",
            "Maester",
            "MT.1190",
        ),
    ),
    StackValidationPolicy(
        name="private-access-compliant-device-ca",
        description="Every Private Access app is covered by an enabled conditional access policy that requires a "
        "compliant device.",
        validate=_coverage,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(own=COVERAGE),
        **meta(
            "high",
            "Keep PrivateAccessApp's requireCompliantDevice (it declares the policy), or declare an "
            "enabled ConditionalAccessPolicy with includedApplications [app.app_id] (or All) and "
            "builtInControls compliantDevice (operator AND with other controls).",
            "Maester",
            "MT.1188",
        ),
    ),
]
