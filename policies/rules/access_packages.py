"""Policies for entitlement-management access packages (privileged journeys).

- `access-package-assignment-expires`: every assignment policy expires, within the maximum; so does the lifetime
  an AssignmentPolicySettings writes over the azuread one (Graph ``expiration``, e.g. two hours).
- `access-package-external-requestors-approval`: policies open to external or guest requestors
  require approval with at least one approver.
- `access-package-privileged-group-controls` (stack): a package that grants a privileged group
  (role-assignable, or holding a directory role or a privileged Azure role in the stack, or listed
  in config) is requested only with approval and reviewed on a recurring schedule, and never grants
  membership of a group whose role assignment is *active* (that would be standing privilege for the
  assignment's lifetime: azuread can only grant `Member`, not PIM's "Eligible Member").
Relations are resolved through property dependencies (package -> grant -> catalog resource ->
group), with literal object IDs matched by value; every step is a dictionary lookup.
"""

from __future__ import annotations

import re
from datetime import timedelta

from privileged_facts.defaults import MAX_ELIGIBILITY
from privileged_facts.graph_kinds import ACCESS_PACKAGE_POLICY_SETTINGS
from privileged_facts.roles import PRIVILEGED_AZURE_ROLE_IDS, role_guid
from privileged_facts.values import is_guid, is_unknown, parse_datetime, parse_duration
from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy

from .common import (
    GROUP,
    PIM_PLAN,
    declared,
    dependencies_of,
    elements,
    get,
    graph_kind,
    is_type,
    meta,
    now,
    role_grants,
    unverified,
    verifying,
)

POLICY = "azuread:index/accessPackageAssignmentPolicy:AccessPackageAssignmentPolicy"
PACKAGE = "azuread:index/accessPackage:AccessPackage"
GRANT = "azuread:index/accessPackageResourcePackageAssociation:AccessPackageResourcePackageAssociation"
CATALOG_RESOURCE = "azuread:index/accessPackageResourceCatalogAssociation:AccessPackageResourceCatalogAssociation"
AZURE_ROLE_GRANTS = {
    "azure-native:authorization:RoleAssignment": "principalId",
    "azure-native:authorization:PimRoleEligibilitySchedule": "principalId",
}
EXTERNAL_SCOPES = frozenset(
    {
        "AllConfiguredConnectedOrganizationSubjects",
        "AllExistingConnectedOrganizationSubjects",
        "AllExistingDirectorySubjects",
        "AllExternalSubjects",
        "SpecificConnectedOrganizationSubjects",
    }
)
EXTERNAL_BY_LOWER = {s.lower(): s for s in EXTERNAL_SCOPES}
FREQUENCY_DAYS = {"weekly": 7, "monthly": 30, "quarterly": 91, "halfyearly": 182, "annual": 365}

DEFAULT_DAYS = parse_duration(MAX_ELIGIBILITY).days  # an assignment lasts no longer than an eligibility
MAX_DAYS = {
    "maxDurationInDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 3650,
        "default": DEFAULT_DAYS,
        "description": "Longest allowed assignment lifetime in days.",
    }
}
PRIVILEGED = {
    "privilegedGroupIds": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "Object IDs of existing groups to treat as privileged (e.g. a group "
        "written back to AD and nested into Domain Admins).",
    },
    "maxReviewFrequency": {
        "type": "string",
        "enum": list(FREQUENCY_DAYS),
        "default": "halfyearly",
        "description": "Reviews of privileged packages must recur at least this often.",
    },
}
WHEN_UNKNOWN = {
    "access-package-assignment-expires": "An unknown durationInDays or expirationDate is a mandatory 'cannot be "
    "verified at preview' violation (advisory with unknownAtPreview); neither set still fails. An unknown "
    "expiration, expiration.type or expiration.duration of an assignment policy's settings is one too.",
    "access-package-external-requestors-approval": "An unknown requestorSettings.scopeType, approvalSettings, "
    "approvalRequired, approvalStages or a stage's primaryApprovers is a mandatory 'cannot be verified at preview' "
    "violation; approvers with unknown object IDs count as declared.",
    "access-package-privileged-group-controls": "For a package granting a privileged group, an unknown approval "
    "field, assignmentReviewSettings, enabled or reviewFrequency is a mandatory 'cannot be verified at preview' "
    "violation; group and package IDs unknown at preview are linked through property dependencies.",
}
ENTITLEMENT = "Microsoft Entra ID Governance entitlement management guidance"
ENTITLEMENT_URL = (
    "https://learn.microsoft.com/entra/id-governance/entitlement-management-access-package-lifecycle-policy"
)


def approval_gap(approval) -> tuple[str | None, list[str]]:
    """Why requests under a policy whose approvalSettings are `approval` are not approved (None when they are), and
    the deciding approval fields that are unknown at preview (approvalSettings, approvalRequired, approvalStages, a
    stage's primaryApprovers). Approvers whose object IDs are unknown still count: they are declared."""
    if is_unknown(approval):
        return None, ["approvalSettings"]
    if approval is None:
        return "no approvalSettings: requests are granted without approval", []
    unknown = []
    required = get(approval, "approvalRequired")
    if is_unknown(required):
        unknown.append("approvalSettings.approvalRequired")
    elif required is not True:
        return "approvalSettings.approvalRequired is not true", []
    stages = get(approval, "approvalStages")
    if is_unknown(stages):
        return None, [*unknown, "approvalSettings.approvalStages"]
    approvers = 0
    for index, stage in enumerate(elements(stages)):
        listed = get(stage, "primaryApprovers")
        if is_unknown(stage) or is_unknown(listed):
            unknown.append(f"approvalSettings.approvalStages[{index}].primaryApprovers")
        else:
            approvers += len(elements(listed))
    if approvers == 0 and not unknown:
        return "approvalSettings names no approval stage with a primary approver", []
    return None, unknown


def _settings_expire(args, report_violation, limit: int) -> None:
    """The lifetime an AssignmentPolicySettings (or anything shaped like one) writes over the azuread policy's: it
    replaces the policy's expiration in Graph, so it is judged as the policy's own."""
    expiration = get(args.props, "expiration")
    what = f"assignment policy settings '{args.name}'"
    if expiration is None:
        return
    if is_unknown(expiration):
        unverified(args, report_violation, f"{what} expiration")
        return
    kind, duration = get(expiration, "type"), get(expiration, "duration")
    if is_unknown(kind):
        unverified(args, report_violation, f"{what} expiration.type")
    elif kind != "afterDuration":
        report_violation(
            f"{what}: expiration.type {kind!r} does not end assignments after a duration; use "
            f"{{type: afterDuration, duration: ...}} of at most {limit} days"
        )
        return
    if is_unknown(duration):
        unverified(args, report_violation, f"{what} expiration.duration")
        return
    try:
        lifetime = parse_duration(duration, "expiration.duration", positive=True)
    except ValueError as err:
        report_violation(f"{what}: {err}")
        return
    if re.match(r"^P[^T]*[YM]", duration.strip().upper()):  # Graph counts calendar months; the pack counts 30 days
        report_violation(f"{what}: expiration.duration {duration} counts years or months; give days or hours")
        return
    if lifetime > timedelta(days=limit):
        report_violation(f"{what}: expiration.duration {duration} exceeds the maximum of {limit} days")


@verifying
def _expires(args, report_violation) -> None:
    limit = int(args.get_config().get("maxDurationInDays", DEFAULT_DAYS))
    if graph_kind(args.resource_type, args.props, ACCESS_PACKAGE_POLICY_SETTINGS) is not None:
        _settings_expire(args, report_violation, limit)
        return
    if not is_type(args.resource_type, POLICY):
        return
    days = get(args.props, "durationInDays")
    date = get(args.props, "expirationDate")
    what = f"AccessPackageAssignmentPolicy '{args.name}'"
    if days is None and date is None:
        report_violation(
            f"assignments never expire (neither durationInDays nor expirationDate); "
            f"set durationInDays to at most {limit}"
        )
        return
    if is_unknown(days):
        unverified(args, report_violation, f"{what} durationInDays")
    elif isinstance(days, (int, float)) and not isinstance(days, bool) and days > limit:
        report_violation(f"durationInDays {int(days)} exceeds the maximum of {limit} days")
    elif isinstance(days, (int, float)) and not isinstance(days, bool) and days < 1 and date is None:
        # the provider sends 0 (and an unset field) as durationInDays 0: assignments that never expire
        report_violation(f"durationInDays {int(days)} means assignments never expire; set 1 to {limit}")
    elif days is not None and not (isinstance(days, (int, float)) and not isinstance(days, bool)):
        report_violation(f"durationInDays is not a number of days; set it to at most {limit}")
    if is_unknown(date):
        unverified(args, report_violation, f"{what} expirationDate")
    elif isinstance(date, str):
        try:
            end = parse_datetime(date, "expirationDate")
        except ValueError:
            report_violation("expirationDate is not an RFC 3339 timestamp")
            return
        if end - now() > timedelta(days=limit):
            report_violation(f"expirationDate {end.isoformat()} is more than {limit} days away")


@verifying
def _external_approval(args, report_violation) -> None:
    if not is_type(args.resource_type, POLICY):
        return
    what = f"AccessPackageAssignmentPolicy '{args.name}'"
    scope = get(args.props, "requestorSettings", "scopeType")
    if is_unknown(scope):
        unverified(args, report_violation, f"{what} requestorSettings.scopeType")
        return
    scope = EXTERNAL_BY_LOWER.get(scope.strip().lower()) if isinstance(scope, str) else None
    if scope is None:
        return
    gap, unknown = approval_gap(get(args.props, "approvalSettings"))
    if gap:
        report_violation(f"requestors outside the directory's members (scopeType {scope}) and {gap}")
    for field in unknown:
        unverified(args, report_violation, f"{what} {field}")


def _refs(resource, prop) -> list[str]:
    """What a property points at: the URNs it depends on, plus its literal GUID values (lower case)."""
    urns = [d.urn for d in dependencies_of(resource, prop)]
    return urns + [v.lower() for v in elements(resource.props, prop) if is_guid(v)]


def privileged_principals(resources) -> tuple[dict[str, str], dict[str, str]]:
    """The principals the stack makes privileged, by ref (URN or lower-case object ID) -> why: those holding a
    directory role (active or eligible, common.role_grants) or a privileged Azure role, and role-assignable groups;
    and, second, those whose role is held actively (ref -> the grant's name)."""
    resources = list(resources)
    privileged: dict[str, str] = {}
    active: dict[str, str] = {}
    for grant in role_grants(resources):
        refs = [s.urn for s in grant.principal_sources]
        if isinstance(grant.principal, str) and (is_guid(grant.principal) or grant.principal.startswith("urn:")):
            refs.append(grant.principal)
        for ref in refs:
            privileged.setdefault(ref, f"holds a directory role ({grant.resource.name})")
            if grant.active:
                active.setdefault(ref, grant.resource.name)
    for r in resources:
        if is_type(r, GROUP) and get(r.props, "assignableToRole") is True:
            privileged.setdefault(r.urn, "role-assignable group")
            continue
        prop = next((p for t, p in AZURE_ROLE_GRANTS.items() if is_type(r, t)), None)
        role = get(r.props, "roleDefinitionId") if prop else None
        if role_guid(role) in PRIVILEGED_AZURE_ROLE_IDS:
            for ref in _refs(r, prop):
                privileged.setdefault(ref, f"holds a privileged Azure role ({r.name})")
                if is_type(r, "azure-native:authorization:RoleAssignment"):
                    active.setdefault(ref, r.name)
    return privileged, active


class _Stack:
    """Index of the stack's resources by URN and the relations the rules follow (built once)."""

    def __init__(self, resources) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self.privileged_groups, self.active_groups = privileged_principals(resources)

    refs = staticmethod(_refs)


def _frequency(value) -> str:
    """A review frequency as parsed: one of FREQUENCY_DAYS, else 'at an unrecognised frequency' (never echoed)."""
    known = value.strip().lower() if isinstance(value, str) else None
    return known if known in FREQUENCY_DAYS else "at an unrecognised frequency"


@verifying
def _privileged_controls(args, report_violation) -> None:
    config = args.get_config()
    stack = _Stack(args.resources)
    for object_id in config.get("privilegedGroupIds", []):
        stack.privileged_groups.setdefault(object_id.lower(), "listed in privilegedGroupIds")
    if not stack.privileged_groups:
        return
    max_days = FREQUENCY_DAYS[config.get("maxReviewFrequency", "halfyearly")]
    # package key (URN or ID) -> [(group ref, why)] of privileged groups it grants
    privileged_by_package: dict[str, list[tuple[str, str]]] = {}
    for grant in (r for r in args.resources if is_type(r, GRANT)):
        granted = []
        for resource_ref in stack.refs(grant, "catalogResourceAssociationId"):
            resource = stack.by_urn.get(resource_ref)
            group_refs = stack.refs(resource, "resourceOriginId") if resource is not None else []
            granted += [(g, stack.privileged_groups[g]) for g in group_refs if g in stack.privileged_groups]
        if granted:
            for package_ref in stack.refs(grant, "accessPackageId"):
                privileged_by_package.setdefault(package_ref, []).extend(granted)
    if not privileged_by_package:
        return
    for policy in (r for r in args.resources if is_type(r, POLICY)):
        granted = [g for ref in stack.refs(policy, "accessPackageId") for g in privileged_by_package.get(ref, [])]
        if not granted:
            continue
        group_ref, why = granted[0]
        group = stack.by_urn.get(group_ref)
        what = f"group {group.name if group is not None else group_ref} ({why})"
        for ref, _why in granted:
            if ref in stack.active_groups:
                name = stack.by_urn[ref].name if ref in stack.by_urn else ref
                report_violation(
                    f"assignment policy {policy.name} grants membership of {name}, whose role assignment "
                    f"{stack.active_groups[ref]} is active: every assignee holds the role standing for "
                    "the assignment's lifetime; grant a group that is only ELIGIBLE for its roles "
                    "(EntraRoleJit mode eligibleGroup: a journey group), so members still activate in "
                    "PIM",
                    policy.urn,
                )
                break
        # what the program declares: a setting it leaves out is the provider's computed output (`declared`)
        gap, unknown = approval_gap(declared(policy, "approvalSettings"))
        if gap:
            report_violation(f"assignment policy {policy.name} grants privileged {what} and {gap}", policy.urn)
        label = f"AccessPackageAssignmentPolicy '{policy.name}'"
        for field in unknown:
            unverified(args, report_violation, f"{label} {field}", policy.urn)
        review = declared(policy, "assignmentReviewSettings")
        enabled = get(review, "enabled")
        frequency = get(review, "reviewFrequency")
        if is_unknown(review) or is_unknown(enabled):
            unverified(args, report_violation, f"{label} assignmentReviewSettings.enabled", policy.urn)
        elif review is None or enabled is not True:
            report_violation(
                f"assignment policy {policy.name} grants privileged {what} without a recurring "
                "access review (assignmentReviewSettings.enabled)",
                policy.urn,
            )
        elif is_unknown(frequency):
            unverified(args, report_violation, f"{label} assignmentReviewSettings.reviewFrequency", policy.urn)
        elif not isinstance(frequency, str) or FREQUENCY_DAYS.get(frequency.strip().lower(), 999) > max_days:
            report_violation(
                f"assignment policy {policy.name} grants privileged {what} but reviews it "
                f"{_frequency(frequency)}; review at least every {max_days} days",
                policy.urn,
            )


POLICIES = [
    ResourceValidationPolicy(
        name="access-package-assignment-expires",
        description="Access-package assignments expire, no later than the configured maximum, including a lifetime an "
        "assignment policy's settings write over the azuread policy's.",
        validate=_expires,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(MAX_DAYS),
        **meta(
            "high",
            f"Set durationInDays (AccessPackageJourneys: durationInDays, default {DEFAULT_DAYS}) or an "
            "expirationDate within the maximum.",
            ENTITLEMENT,
            "expiration",
            ENTITLEMENT_URL,
        ),
    ),
    ResourceValidationPolicy(
        name="access-package-external-requestors-approval",
        description="Assignment policies open to external or guest requestors require approval.",
        validate=_external_approval,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Set approvalSettings.approvalRequired and a stage whose primaryApprovers are the "
            "connected organisation's sponsors (AccessPackageJourneys vendors).",
            "Maester",
            "MT.1109",
            ENTITLEMENT_URL,
        ),
    ),
    StackValidationPolicy(
        name="access-package-privileged-group-controls",
        description="Access packages that grant privileged groups require approval and a recurring access review, "
        "and never grant standing role holders.",
        validate=_privileged_controls,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(PRIVILEGED),
        **meta(
            "critical",
            "On every assignment policy of the package require approval (a stage with primary "
            "approvers) and enable assignmentReviewSettings with reviewFrequency halfyearly or more often.",
            PIM_PLAN,
            "access reviews of privileged access; Maester MT.1109",
        ),
    ),
]
