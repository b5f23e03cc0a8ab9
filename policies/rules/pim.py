"""PIM resource policies: eligibility that expires, no permanent active group assignments, scoped
Azure roles, no device-local-admin role. Settings and stack policies live in pim_settings / pim_stack.

Eligibility resources: azuread PrivilegedAccessGroupEligibilitySchedule (duration / expirationDate /
permanentAssignment), azure-native PimRoleEligibilitySchedule (scheduleInfo.expiration), our Graph
resource graphKind directoryRoleEligibility (scheduleInfo.expiration), and azuread
DirectoryRoleEligibilityScheduleRequest, whose eligibility is ALWAYS permanent (the provider sends
expiration noExpiration and has no schedule inputs), so the type itself is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privileged_facts.defaults import MAX_ACTIVATION
from privileged_facts.roles import (
    AZURE_ROLE_NAMES,
    DEVICE_LOCAL_ADMINISTRATOR,
    ENTRA_ROLES,
    PRIVILEGED_AZURE_ROLE_IDS,
    role_guid,
)
from privileged_facts.values import is_unknown, parse_datetime, parse_duration
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from . import pim_settings, pim_stack
from .common import (
    DIRECTORY_ROLE,
    DYNAMIC,
    PIM_PLAN,
    ROLE_ELIGIBILITY_REQUEST,
    SCUBA,
    config_schema,
    directory_role_id,
    duration_setting,
    get,
    grant_shape,
    id_setting,
    is_break_glass,
    label,
    meta,
    now,
    setting,
)

GROUP_ELIGIBILITY = "azuread:index/privilegedAccessGroupEligibilitySchedule:PrivilegedAccessGroupEligibilitySchedule"
GROUP_ASSIGNMENT = "azuread:index/privilegedAccessGroupAssignmentSchedule:PrivilegedAccessGroupAssignmentSchedule"
AZURE_ELIGIBILITY = "azure-native:authorization:PimRoleEligibilitySchedule"
AZURE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"


@dataclass
class Lifetime:
    """How long a schedule lasts: permanent, a duration, or until an end date (from a start or now)."""

    permanent: bool = False
    why: str = ""  # for permanent: which field says so
    duration: str | None = None
    end: str | None = None
    start: str | None = None
    field: str = ""  # the wire path of duration/end, for messages


def _schedule_lifetime(expiration, start, prefix: str) -> Lifetime | None:
    """scheduleInfo.expiration of Graph (afterDuration...) and ARM (AfterDuration...) alike."""
    if is_unknown(expiration):
        return None
    kind = get(expiration, "type")
    if is_unknown(kind):
        return None
    kind = (kind or "").lower()
    start = start if isinstance(start, str) else None
    if kind == "afterduration":
        duration = get(expiration, "duration")
        return (
            None
            if is_unknown(duration)
            else Lifetime(duration=duration, start=start, field=f"{prefix}.expiration.duration")
        )
    if kind == "afterdatetime":
        end = get(expiration, "endDateTime")
        return None if is_unknown(end) else Lifetime(end=end, start=start, field=f"{prefix}.expiration.endDateTime")
    shown = f"is {get(expiration, 'type')!r}" if kind else "is not set"
    return Lifetime(permanent=True, why=f"{prefix}.expiration.type {shown} (no expiration)")


def lifetime(resource_type: str, props) -> Lifetime | None:
    """The lifetime an eligibility/assignment resource declares; None when not one, or unknown."""
    if resource_type == ROLE_ELIGIBILITY_REQUEST:
        return Lifetime(
            permanent=True,
            why="this resource type always creates permanent eligibility (the azuread "
            "provider sends expiration noExpiration and has no schedule inputs)",
        )
    if resource_type in (GROUP_ELIGIBILITY, GROUP_ASSIGNMENT):
        permanent, duration, end = (get(props, k) for k in ("permanentAssignment", "duration", "expirationDate"))
        start = get(props, "startDate")
        start = None if is_unknown(start) else start
        if permanent is True:
            return Lifetime(permanent=True, why="permanentAssignment is true")
        if duration is not None:
            return None if is_unknown(duration) else Lifetime(duration=duration, start=start, field="duration")
        if end is not None:
            return None if is_unknown(end) else Lifetime(end=end, start=start, field="expirationDate")
        if is_unknown(permanent):
            return None
        return Lifetime(permanent=True, why="neither duration nor expirationDate is set")
    if resource_type == AZURE_ELIGIBILITY or (
        resource_type == DYNAMIC and get(props, "graphKind") == "directoryRoleEligibility"
    ):
        schedule = get(props, "scheduleInfo")
        if schedule is None:
            return Lifetime(permanent=True, why="scheduleInfo is not set (no expiration)")
        return _schedule_lifetime(get(schedule, "expiration"), get(schedule, "startDateTime"), "scheduleInfo")
    return None


# --- eligibility ---------------------------------------------------------------------------------------

_FIX_PERMANENT = {
    ROLE_ELIGIBILITY_REQUEST: "use PIM for Groups (a role-assignable group holding the role, with "
    "PrivilegedAccessGroupEligibilitySchedule) or the time-bound directoryRoleEligibility "
    "resource (components.graph.DirectoryRoleEligibility, or the EntraRoleJit component)",
    GROUP_ELIGIBILITY: "remove permanentAssignment and set duration (e.g. 'P90D') or expirationDate",
    GROUP_ASSIGNMENT: f"remove permanentAssignment and set duration (e.g. '{MAX_ACTIVATION}') or expirationDate",
    AZURE_ELIGIBILITY: "set scheduleInfo.expiration to {type: 'AfterDuration', duration: 'P90D'} "
    "(or AfterDateTime with endDateTime)",
    DYNAMIC: "set scheduleInfo.expiration to {type: 'afterDuration', duration: 'P90D'} "
    "(or afterDateTime with endDateTime)",
}


def _eligibility_expires(args, report) -> None:
    if args.resource_type == GROUP_ASSIGNMENT:
        return
    life = lifetime(args.resource_type, args.props)
    if life and life.permanent:
        report(f"{label(args)} grants permanent eligibility: {life.why}. Fix: {_FIX_PERMANENT[args.resource_type]}.")


def _length(life: Lifetime) -> tuple[object, str]:
    """(timedelta length, shown value) of a bounded lifetime; raises ValueError on a malformed value."""
    if life.duration is not None:
        return parse_duration(life.duration, life.field), repr(life.duration)
    end = parse_datetime(life.end, life.field)
    start = parse_datetime(life.start, "start") if life.start else now()
    since = f"start {life.start}" if life.start else "today"
    return end - start, f"{life.end!r} ({(end - start).days} days from {since})"


def _eligibility_max(args, report) -> None:
    if args.resource_type == GROUP_ASSIGNMENT:
        return
    life = lifetime(args.resource_type, args.props)
    if life is None or life.permanent:
        return
    maximum = duration_setting(args, "maxEligibilityDuration")
    try:
        length, shown = _length(life)
    except ValueError as err:
        report(f"{label(args)}: {err}.")
        return
    if length > maximum:
        report(
            f"{label(args)}: {life.field} is {shown}, longer than the maximum eligibility "
            f"{setting(args, 'maxEligibilityDuration')}; shorten it to at most that "
            "and renew when it ends (policy config maxEligibilityDuration)."
        )


def _break_glass_principal(args) -> bool:
    """The grant's principalId is a break-glass object ID from the policy config."""
    return is_break_glass(args, "principalId", id_setting(args, "breakGlassObjectIds"), frozenset())


def _group_assignment_expires(args, report) -> None:
    if args.resource_type != GROUP_ASSIGNMENT:
        return
    life = lifetime(args.resource_type, args.props)
    if not (life and life.permanent):
        return
    if _break_glass_principal(args):
        return
    report(
        f"{label(args)} is a permanent ACTIVE membership of a PIM group ({life.why}): standing access. "
        f"Fix: make the principal eligible with PrivilegedAccessGroupEligibilitySchedule instead, or "
        f"{_FIX_PERMANENT[GROUP_ASSIGNMENT]}."
    )


# --- Azure RBAC scope ----------------------------------------------------------------------------------

_MANAGEMENT_GROUP = re.compile(r"^/providers/microsoft\.management/managementgroups/[^/]+/?$", re.I)
_SUBSCRIPTION = re.compile(r"^/subscriptions/[^/]+/?$", re.I)


def _azure_role(args):
    """(role GUID, role name, scope) of a privileged Azure role grant, else None (unknown role: None)."""
    if args.resource_type not in (AZURE_ASSIGNMENT, AZURE_ELIGIBILITY):
        return None
    role = role_guid(get(args.props, "roleDefinitionId"))
    if role is None or role not in PRIVILEGED_AZURE_ROLE_IDS | id_setting(args, "privilegedAzureRoleIds"):
        return None
    scope = get(args.props, "scope")
    return (role, AZURE_ROLE_NAMES.get(role, role), scope) if isinstance(scope, str) else None


def _azure_broad_scope(args, report) -> None:
    found = _azure_role(args)
    if found is None:
        return
    role, name, scope = found
    where = (
        "the root scope '/'"
        if scope.strip() == "/"
        else (f"management group scope {scope!r}" if _MANAGEMENT_GROUP.match(scope) else None)
    )
    if where:
        report(
            f"{label(args)} grants privileged Azure role {name} ({role}) at {where}: it reaches every "
            "subscription below. Fix: set scope to the narrowest resource group (or at most one subscription, "
            "as an eligibility)."
        )


def _azure_standing_subscription(args, report) -> None:
    if args.resource_type != AZURE_ASSIGNMENT:
        return
    found = _azure_role(args)
    if found is None or not _SUBSCRIPTION.match(found[2]):
        return
    if _break_glass_principal(args):
        return
    role, name, scope = found
    report(
        f"{label(args)} is a standing assignment of privileged Azure role {name} ({role}) at subscription "
        f"scope {scope!r}. Fix: replace it with a PimRoleEligibilitySchedule (expiring) at a resource group, "
        "or the AzureRoleJit component."
    )


# --- device local administrator ------------------------------------------------------------------------


def _device_local_admin(args, report) -> None:
    if args.resource_type == DIRECTORY_ROLE:
        template, name = get(args.props, "templateId"), get(args.props, "displayName")
        if (isinstance(template, str) and template.lower() == DEVICE_LOCAL_ADMINISTRATOR) or (
            isinstance(name, str) and ENTRA_ROLES.get(name) == DEVICE_LOCAL_ADMINISTRATOR
        ):
            report(
                f"{label(args)} activates Microsoft Entra Joined Device Local Administrator for membership. "
                "Fix: remove it; grant local admin per device through Intune (Local user group membership) "
                "for the few devices that need it."
            )
        return
    shape = grant_shape(args)
    if shape and directory_role_id(args, shape[0]) == DEVICE_LOCAL_ADMINISTRATOR:
        report(
            f"{label(args)} grants Microsoft Entra Joined Device Local Administrator ({DEVICE_LOCAL_ADMINISTRATOR}):"
            " its holders are local administrators on EVERY Entra-joined device, PAWs and AVD session hosts "
            "included. Fix: remove it; grant local admin per device through Intune instead."
        )


ELIGIBILITY_TYPES = "PrivilegedAccessGroupEligibilitySchedule, PimRoleEligibilitySchedule, directoryRoleEligibility"

POLICIES = [
    ResourceValidationPolicy(
        name="pim-eligibility-must-expire",
        description="Every PIM eligibility expires: no permanent or unbounded eligibility, and no azuread "
        "DirectoryRoleEligibilityScheduleRequest (always permanent); stricter than SCuBA, which does not "
        "check eligibility expiry.",
        validate=_eligibility_expires,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "critical",
            f"Give each eligibility ({ELIGIBILITY_TYPES}) a duration or end date; replace "
            "DirectoryRoleEligibilityScheduleRequest with PIM for Groups or the time-bound directoryRoleEligibility "
            "resource.",
            PIM_PLAN,
            "Eligible assignments expire (role settings: expire eligible assignments after)",
        ),
    ),
    ResourceValidationPolicy(
        name="pim-eligibility-max-duration",
        description="A PIM eligibility lasts no longer than the configured maximum (default 180 days), by duration "
        "or end date.",
        validate=_eligibility_max,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("maxEligibilityDuration"),
        **meta(
            "high",
            "Shorten the duration or move the end date so the eligibility lasts at most "
            "maxEligibilityDuration; renew it through a reviewed change when it ends.",
            PIM_PLAN,
            "Eligible expiration three months for critical roles",
        ),
    ),
    ResourceValidationPolicy(
        name="pim-group-no-permanent-active-assignment",
        description="A PIM-group active assignment (PrivilegedAccessGroupAssignmentSchedule) is never permanent.",
        validate=_group_assignment_expires,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("breakGlassObjectIds"),
        **meta(
            "high",
            "Use PrivilegedAccessGroupEligibilitySchedule for people; if an active assignment is really "
            "needed, give it a short duration or expirationDate.",
            SCUBA,
            "MS.AAD.7.4v1",
        ),
    ),
    ResourceValidationPolicy(
        name="azure-privileged-role-broad-scope",
        description="No privileged Azure role (Owner, Contributor, User Access Administrator, RBAC Administrator, "
        "Reservations Administrator) is assigned or made eligible at '/' or management-group scope.",
        validate=_azure_broad_scope,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("privilegedAzureRoleIds"),
        **meta(
            "critical",
            "Set scope to a resource group (or a single subscription for an eligibility).",
            PIM_PLAN,
            "Least privilege scope; Sonar S6387",
        ),
    ),
    ResourceValidationPolicy(
        name="azure-no-standing-privileged-role-subscription",
        description="No standing (RoleAssignment) privileged Azure role at subscription scope; use an expiring "
        "PIM eligibility instead.",
        validate=_azure_standing_subscription,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema("privilegedAzureRoleIds", "breakGlassObjectIds"),
        **meta(
            "high",
            "Replace the RoleAssignment with a PimRoleEligibilitySchedule at the narrowest scope "
            "(AzureRoleJit component).",
            PIM_PLAN,
            "Manage subscription Owner and User Access Administrator with PIM",
        ),
    ),
    ResourceValidationPolicy(
        name="entra-no-device-local-admin-role",
        description="Nobody is assigned or made eligible for Microsoft Entra Joined Device Local Administrator "
        "(local admin on every Entra-joined device, PAWs included).",
        validate=_device_local_admin,
        enforcement_level=EnforcementLevel.MANDATORY,
        **meta(
            "high",
            "Remove the assignment or eligibility; grant local administrator per device with Intune.",
            "Microsoft privileged access devices",
            "Remove local admin rights on privileged workstations",
        ),
    ),
    *pim_settings.POLICIES,
    *pim_stack.POLICIES,
]
