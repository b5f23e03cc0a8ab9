"""Policies for Entra Private Access apps (the Graph layer's dynamic resource, graphKind `privateAccessApp`).

- `private-access-no-catch-all-segments`: no `*`/wildcard hosts, 0.0.0.0/0, CIDRs or ranges broader
  than the configured prefix (default /16, as Maester MT.1193), bare-TLD or single-label DNS
  destinations, or every port.
- `private-access-assigned-to-groups`: the app is assigned to named groups, never to no one
  (everyone, when assignment is not required) or to a configured all-users group.
- `private-access-dedicated-connector-group`: the app names a connector group that is not the Default one.
- `private-access-compliant-device-ca` (stack): an enabled CA policy covers every app (its appId,
  through a property dependency, or All applications) and requires a compliant device (MT.1188).
"""

from __future__ import annotations

import ipaddress

from privileged_facts.values import is_unknown
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from .common import CA, dependencies_of, elements, get, meta

DYNAMIC_PREFIX = "pulumi-python:dynamic"
GRAPH_KIND = "privateAccessApp"

SEGMENTS = {
    "minPrefixLength": {
        "type": "integer",
        "minimum": 0,
        "maximum": 32,
        "default": 16,
        "description": "IPv4 CIDRs and ranges must be at least this specific (/16 passes).",
    }
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


def is_private_access_app(resource_type: str, props) -> bool:
    return resource_type.startswith(DYNAMIC_PREFIX) and get(props, "graphKind") == GRAPH_KIND


def _addresses(host: str, kind: str):
    """The IPv4 network or (first, last) range a segment covers, or None for names."""
    if kind == "ipRangeCidr":
        return ipaddress.IPv4Network(host, strict=False)
    if kind == "ipRange":
        low, _, high = host.partition("-")
        return int(ipaddress.IPv4Address(low.strip())), int(ipaddress.IPv4Address(high.strip()))
    return None


def segment_problems(segment, min_prefix: int) -> list[str]:
    """Why one segment is a catch-all (empty when it is specific). Unknown fields are skipped."""
    problems = []
    host, kind = get(segment, "destinationHost"), get(segment, "destinationType")
    if isinstance(host, str):
        label = f"destination {host!r}"
        if "*" in host:
            problems.append(f"{label} is a wildcard")
        elif kind in ("ipRangeCidr", "ipRange"):
            try:
                covered = _addresses(host, kind)
            except ValueError:
                covered = None
                problems.append(f"{label} is not a valid {kind}")
            if isinstance(covered, ipaddress.IPv4Network) and covered.prefixlen < min_prefix:
                problems.append(f"{label} is broader than /{min_prefix}")
            elif isinstance(covered, tuple) and covered[1] - covered[0] + 1 > 2 ** (32 - min_prefix):
                problems.append(f"{label} spans more addresses than a /{min_prefix}")
        elif kind in ("fqdn", "dnsSuffix") and "." not in host.strip("."):
            problems.append(f"{label} is a single label (a bare TLD or host name matches too much)")
    for port in elements(segment, "ports"):
        if is_unknown(port):
            continue
        low, _, high = str(port).partition("-")
        high = high or low
        if low.isdigit() and high.isdigit() and int(low) <= 1 and int(high) >= 65535:
            problems.append(f"ports {port!r} open every port")
    return problems


def _segments(args, report_violation) -> None:
    if not is_private_access_app(args.resource_type, args.props):
        return
    min_prefix = int(args.get_config().get("minPrefixLength", 16))
    for index, segment in enumerate(elements(args.props, "segments")):
        for problem in segment_problems(segment, min_prefix):
            report_violation(f"segments[{index}]: {problem}")


def _assigned(args, report_violation) -> None:
    if not is_private_access_app(args.resource_type, args.props):
        return
    assigned = get(args.props, "assignedGroupIds")
    if is_unknown(assigned):
        return
    groups = elements(assigned)
    if not groups:
        report_violation(
            "assignedGroupIds is empty: the app is assigned to no group, so either nobody or, "
            "without assignment required, everyone can use it"
        )
        return
    everyone = {g.lower() for g in args.get_config().get("allUsersGroupIds", [])}
    for group in groups:
        if isinstance(group, str) and group.lower() in everyone:
            report_violation(f"assigned to {group}, a group configured as all users")


def _connector(args, report_violation) -> None:
    if not is_private_access_app(args.resource_type, args.props):
        return
    connector = get(args.props, "connectorGroupId")
    if connector is None or connector == "":
        report_violation("no connectorGroupId: the app would be served by the Default connector group")
    elif isinstance(connector, str) and connector.lower() in {
        c.lower() for c in args.get_config().get("defaultConnectorGroupIds", [])
    }:
        report_violation(f"connectorGroupId {connector} is the Default connector group")


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
            name = get(app.props, "displayName")
            label = name if isinstance(name, str) else app.name
            report_violation(
                f"Private Access app {label} is not covered by an enabled conditional access policy "
                f"that targets its appId (or All) and requires {' or '.join(sorted(device_controls))}",
                app.urn,
            )


POLICIES = [
    ResourceValidationPolicy(
        name="private-access-no-catch-all-segments",
        description="Private Access app segments name specific hosts and ports, never catch-all ranges.",
        validate=_segments,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(SEGMENTS),
        **meta(
            "high",
            "Split the segment into the hosts or subnets (at most /16) and the service ports the "
            "target needs, e.g. 10.20.0.0/24 port 22.",
            "Maester",
            "MT.1193",
        ),
    ),
    ResourceValidationPolicy(
        name="private-access-assigned-to-groups",
        description="Private Access apps are assigned to named groups, not to everyone.",
        validate=_assigned,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(ASSIGNMENT),
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
        config_schema=PolicyConfigSchema(CONNECTOR),
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
        config_schema=PolicyConfigSchema(COVERAGE),
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
