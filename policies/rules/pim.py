"""PIM resource policies: eligibility that expires, no permanent active group assignments, scoped
Azure roles, no device-local-admin role. Settings and stack policies live in pim_settings / pim_stack.

Eligibility resources: azuread PrivilegedAccessGroupEligibilitySchedule (duration / expirationDate /
permanentAssignment), azure-native PimRoleEligibilitySchedule (scheduleInfo.expiration), our Graph
resource graphKind directoryRoleEligibility (scheduleInfo.expiration), and azuread
DirectoryRoleEligibilityScheduleRequest, whose eligibility is ALWAYS permanent (the provider sends
expiration noExpiration and has no schedule inputs), so the type itself is flagged. Types match in any module path
or API version (`common.is_type`). A lifetime, role or scope unknown at preview is unverified (`common.unverified`);
messages show durations, dates and scopes only as parsed, never as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from privileged_facts.defaults import MAX_ACTIVATION
from privileged_facts.roles import (
    AZURE_ROLE_NAMES,
    DEVICE_LOCAL_ADMINISTRATOR,
    PRIVILEGED_AZURE_ROLE_IDS,
    entra_role_by_name,
    role_guid,
)
from privileged_facts.values import format_duration, is_unknown, parse_datetime, parse_duration
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from . import pim_settings, pim_stack
from .common import (
    DIRECTORY_ROLE,
    DYNAMIC,
    GROUP_TYPES,
    PIM_PLAN,
    ROLE_ELIGIBILITY_REQUEST,
    SCUBA,
    config_schema,
    directory_role_id,
    duration_setting,
    elements,
    get,
    grant_shape,
    id_setting,
    is_break_glass,
    is_type,
    label,
    meta,
    normal_scope,
    now,
    setting,
    unverified,
    verifying,
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
    unknown: str | None = None  # the deciding field unknown at preview (nothing else is known then)


def _schedule_lifetime(expiration, start, prefix: str) -> Lifetime:
    """scheduleInfo.expiration of Graph (afterDuration...) and ARM (AfterDuration...) alike."""
    if is_unknown(expiration):
        return Lifetime(unknown=f"{prefix}.expiration")
    kind = get(expiration, "type")
    if is_unknown(kind):
        return Lifetime(unknown=f"{prefix}.expiration.type")
    kind = kind.strip().lower() if isinstance(kind, str) else ""
    start = start if isinstance(start, str) else None
    if kind == "afterduration":
        duration = get(expiration, "duration")
        if is_unknown(duration):
            return Lifetime(unknown=f"{prefix}.expiration.duration")
        return Lifetime(duration=duration, start=start, field=f"{prefix}.expiration.duration")
    if kind == "afterdatetime":
        end = get(expiration, "endDateTime")
        if is_unknown(end):
            return Lifetime(unknown=f"{prefix}.expiration.endDateTime")
        return Lifetime(end=end, start=start, field=f"{prefix}.expiration.endDateTime")
    shown = "is not afterDuration or afterDateTime" if kind else "is not set"
    return Lifetime(permanent=True, why=f"{prefix}.expiration.type {shown} (no expiration)")


GROUP_SCHEDULES = (GROUP_ELIGIBILITY, GROUP_ASSIGNMENT)


def lifetime(resource_type: str, props) -> Lifetime | None:
    """The lifetime an eligibility/assignment resource declares; None when it is not one."""
    if is_type(resource_type, ROLE_ELIGIBILITY_REQUEST):
        return Lifetime(
            permanent=True,
            why="this resource type always creates permanent eligibility (the azuread "
            "provider sends expiration noExpiration and has no schedule inputs)",
        )
    if is_type(resource_type, *GROUP_SCHEDULES):
        permanent, duration, end = (get(props, k) for k in ("permanentAssignment", "duration", "expirationDate"))
        start = get(props, "startDate")
        start = None if is_unknown(start) else start
        if permanent is True:
            return Lifetime(permanent=True, why="permanentAssignment is true")
        if is_unknown(permanent):
            return Lifetime(unknown="permanentAssignment")
        if duration is not None:
            return (
                Lifetime(unknown="duration")
                if is_unknown(duration)
                else Lifetime(duration=duration, start=start, field="duration")
            )
        if end is not None:
            return (
                Lifetime(unknown="expirationDate")
                if is_unknown(end)
                else Lifetime(end=end, start=start, field="expirationDate")
            )
        return Lifetime(permanent=True, why="neither duration nor expirationDate is set")
    if is_type(resource_type, AZURE_ELIGIBILITY) or (
        resource_type == DYNAMIC and get(props, "graphKind") == "directoryRoleEligibility"
    ):
        schedule = get(props, "scheduleInfo")
        if is_unknown(schedule):
            return Lifetime(unknown="scheduleInfo")
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
    GROUP_ASSIGNMENT: f"remove permanentAssignment and set duration (at most '{MAX_ACTIVATION}') or expirationDate",
    AZURE_ELIGIBILITY: "set scheduleInfo.expiration to {type: 'AfterDuration', duration: 'P90D'} "
    "(or AfterDateTime with endDateTime)",
    DYNAMIC: "set scheduleInfo.expiration to {type: 'afterDuration', duration: 'P90D'} "
    "(or afterDateTime with endDateTime)",
}


def _fix_permanent(resource_type: str) -> str:
    for token, fix in _FIX_PERMANENT.items():
        if is_type(resource_type, token):
            return fix
    return _FIX_PERMANENT[DYNAMIC]


_BOUNDED = ("duration", "expirationDate", "endDateTime")


@verifying
def _eligibility_expires(args, report) -> None:
    if is_type(args.resource_type, GROUP_ASSIGNMENT):
        return
    life = lifetime(args.resource_type, args.props)
    if life is None:
        return
    if life.unknown and not life.unknown.endswith(_BOUNDED):  # an unknown duration or end date still expires
        unverified(args, report, f"{label(args)} {life.unknown}")
    elif life.permanent:
        report(f"{label(args)} grants permanent eligibility: {life.why}. Fix: {_fix_permanent(args.resource_type)}.")


def _length(life: Lifetime) -> tuple[object, str]:
    """(timedelta length, shown value) of a bounded lifetime, shown as parsed; raises ValueError (naming only the
    field, never the value) on a malformed one."""
    if life.duration is not None:
        try:
            length = parse_duration(life.duration, life.field)
        except ValueError:
            raise ValueError(f"{life.field} is not an ISO 8601 duration (use a form like 'P90D')") from None
        return length, format_duration(length)
    try:
        end = parse_datetime(life.end, life.field)
    except ValueError:
        raise ValueError(
            f"{life.field} is not an ISO 8601 date-time (use a form like '2026-12-31T00:00:00Z')"
        ) from None
    try:
        start = parse_datetime(life.start, "start") if life.start else now()
    except ValueError:
        raise ValueError("the start date is not an ISO 8601 date-time") from None
    since = f"start {start:%Y-%m-%d}" if life.start else "today"
    return end - start, f"{end:%Y-%m-%dT%H:%M:%SZ} ({(end - start).days} days from {since})"


def _judge_length(args, report, life: Lifetime, tunable: str, what: str) -> None:
    """Report a bounded lifetime longer than the tunable `tunable` (or malformed)."""
    maximum = duration_setting(args, tunable)
    try:
        length, shown = _length(life)
    except ValueError as err:
        report(f"{label(args)}: {err}.")
        return
    if length > maximum:
        report(
            f"{label(args)}: {life.field} is {shown}, longer than the maximum {what} {setting(args, tunable)}; "
            f"shorten it to at most that (policy config {tunable})."
        )


@verifying
def _eligibility_max(args, report) -> None:
    if is_type(args.resource_type, GROUP_ASSIGNMENT):
        return
    life = lifetime(args.resource_type, args.props)
    if life is None or life.permanent:
        return
    if life.unknown:
        unverified(args, report, f"{label(args)} {life.unknown}")
        return
    _judge_length(args, report, life, "maxEligibilityDuration", "eligibility (renew it when it ends)")


def _break_glass_principal(args) -> bool:
    """The grant's principalId is a break-glass object ID from the policy config."""
    return is_break_glass(args, "principalId", id_setting(args, "breakGlassObjectIds"), frozenset())


@verifying
def _group_assignment_expires(args, report) -> None:
    """Active PIM-group assignments (members and owners): never permanent, at most maxActiveAssignmentDuration."""
    if not is_type(args.resource_type, GROUP_ASSIGNMENT):
        return
    life = lifetime(args.resource_type, args.props)
    if _break_glass_principal(args):
        return
    if life.unknown:
        unverified(args, report, f"{label(args)} {life.unknown}")
    elif life.permanent:
        report(
            f"{label(args)} is a permanent ACTIVE assignment to a PIM group ({life.why}): standing access. "
            f"Fix: make the principal eligible with PrivilegedAccessGroupEligibilitySchedule instead, or "
            f"{_FIX_PERMANENT[GROUP_ASSIGNMENT]}."
        )
    else:
        _judge_length(args, report, life, "maxActiveAssignmentDuration", "active assignment")


# --- Azure RBAC scope ----------------------------------------------------------------------------------


_MANAGEMENT_GROUP = re.compile(r"^/providers/microsoft\.management/managementgroups/[^/]+$")
_SUBSCRIPTION = re.compile(r"^/subscriptions/[^/]+$")
AZURE_GRANTS = (AZURE_ASSIGNMENT, AZURE_ELIGIBILITY)


def azure_role(args, report, need_scope: bool = True):
    """(role GUID, role name, normal scope) of a privileged Azure role grant, else None. A role (or, when the role
    is privileged, a scope) unknown at preview is reported as unverified."""
    if not is_type(args.resource_type, *AZURE_GRANTS):
        return None
    value = get(args.props, "roleDefinitionId")
    if is_unknown(value):
        unverified(args, report, f"{label(args)} roleDefinitionId")
        return None
    role = role_guid(value)
    if role is None or role not in PRIVILEGED_AZURE_ROLE_IDS | id_setting(args, "privilegedAzureRoleIds"):
        return None
    scope = get(args.props, "scope")
    if is_unknown(scope):
        if need_scope:
            unverified(args, report, f"{label(args)} scope")
        return None
    return (role, AZURE_ROLE_NAMES.get(role, role), normal_scope(scope)) if isinstance(scope, str) else None


@verifying
def _azure_broad_scope(args, report) -> None:
    found = azure_role(args, report)
    if found is None:
        return
    role, name, scope = found
    where = (
        "the root scope '/'"
        if scope == "/"
        else ("a management group scope" if _MANAGEMENT_GROUP.match(scope) else None)
    )
    if where:
        report(
            f"{label(args)} grants privileged Azure role {name} ({role}) at {where} (scope): it reaches every "
            "subscription below. Fix: set scope to the narrowest resource group (or at most one subscription, "
            "as an eligibility)."
        )


@verifying
def _azure_standing_subscription(args, report) -> None:
    if not is_type(args.resource_type, AZURE_ASSIGNMENT):
        return
    if _break_glass_principal(args):
        return
    found = azure_role(args, report)
    if found is None or not _SUBSCRIPTION.match(found[2]):
        return
    role, name, _ = found
    report(
        f"{label(args)} is a standing assignment of privileged Azure role {name} ({role}) at subscription "
        "scope. Fix: replace it with a PimRoleEligibilitySchedule (expiring) at a resource group, "
        "or the AzureRoleJit component."
    )


# --- device local administrator ------------------------------------------------------------------------


@verifying
def _device_local_admin(args, report) -> None:
    if is_type(args.resource_type, DIRECTORY_ROLE):
        template, name = get(args.props, "templateId"), get(args.props, "displayName")
        if DEVICE_LOCAL_ADMINISTRATOR in (role_guid(template), entra_role_by_name(name)):
            report(
                f"{label(args)} activates Microsoft Entra Joined Device Local Administrator for membership. "
                "Fix: remove it; grant local admin per device through Intune (Local user group membership) "
                "for the few devices that need it."
            )
        return
    shape = grant_shape(args)
    if shape and directory_role_id(args, shape.role_key) == DEVICE_LOCAL_ADMINISTRATOR:
        report(
            f"{label(args)} grants Microsoft Entra Joined Device Local Administrator ({DEVICE_LOCAL_ADMINISTRATOR}):"
            " its holders are local administrators on EVERY Entra-joined device, PAWs and AVD session hosts "
            "included. Fix: remove it; grant local admin per device through Intune instead."
        )


# --- role-assignable groups ---------------------------------------------------------------------------


_LISTS = (("members", "members"), ("owners", "owners (who manage its membership)"))


@verifying
def _no_declared_members(args, report) -> None:
    """A role-assignable group (the only kind Entra lets hold a directory role) declares no members or owners: its
    holders come from PIM eligibility. Judged on the inputs Analyze gets, so what the program declares is told apart
    from the tenant's activated members (pim-group-no-static-members, the stack half, judges GroupMember resources)."""
    if not is_type(args.resource_type, *GROUP_TYPES):
        return
    lists = [(prop, who, get(args.props, prop)) for prop, who in _LISTS]
    lists = [(prop, who, listed) for prop, who, listed in lists if elements(listed)]
    if not lists:
        return
    assignable = get(args.props, "assignableToRole")
    if is_unknown(assignable):
        unverified(args, report, f"{label(args)} assignableToRole (it declares {lists[0][0]})")
        return
    if assignable is not True:
        return
    for prop, who, listed in lists:
        if is_unknown(listed) or any(is_unknown(m) for m in elements(listed)):
            unverified(args, report, f"{label(args)} {prop}")
        else:
            report(
                f"{label(args)} is role-assignable and lists static {who} in its {prop} input: whoever it lists "
                f"holds every role the group holds, standing. Fix: remove {prop} and make each principal eligible "
                "with PrivilegedAccessGroupEligibilitySchedule (owners with assignment_type 'owner', governed by an "
                "owner GroupRoleManagementPolicy)."
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
        config_schema=config_schema("breakGlassObjectIds", "maxActiveAssignmentDuration"),
        **meta(
            "high",
            "Use PrivilegedAccessGroupEligibilitySchedule for people; if an active assignment (member or owner) "
            "is really needed, give it a duration or expirationDate within maxActiveAssignmentDuration.",
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
    ResourceValidationPolicy(
        name="role-assignable-group-no-static-members",
        description="A role-assignable group declares no members or owners (Group.members, Group.owners, "
        "GroupWithoutMembers.owners): whoever a group that holds a directory role lists holds the role standing. "
        "The declared-list half of pim-group-no-static-members, judged on the program's inputs.",
        validate=_no_declared_members,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=config_schema(),
        **meta(
            "high",
            "Remove members and owners from the group and make each principal eligible for it with "
            "PrivilegedAccessGroupEligibilitySchedule (the EntraRoleJit component does).",
            SCUBA,
            "MS.AAD.7.4v1",
        ),
    ),
    *pim_settings.POLICIES,
    *pim_stack.POLICIES,
]

WHEN_UNKNOWN = {
    "pim-eligibility-must-expire": "A permanent flag or expiration type unknown at preview is reported as "
    "unverified (mandatory unless unknownAtPreview is advisory).",
    "pim-eligibility-max-duration": "A duration or end date unknown at preview is reported as unverified.",
    "pim-group-no-permanent-active-assignment": "A permanent flag, duration or end date unknown at preview is "
    "reported as unverified.",
    "azure-privileged-role-broad-scope": "A role definition unknown at preview, or the scope of a privileged role, "
    "is reported as unverified.",
    "azure-no-standing-privileged-role-subscription": "A role definition unknown at preview, or the scope of a "
    "privileged role, is reported as unverified.",
    "entra-no-device-local-admin-role": "A role unknown at preview is left to entra-no-standing-privileged-role "
    "(which reports it as unverified); a known one is judged.",
    "role-assignable-group-no-static-members": "A members or owners input unknown at preview, or an unknown "
    "member of one, is reported as unverified, as is an unknown assignableToRole on a group declaring either.",
    **pim_settings.WHEN_UNKNOWN,
    **pim_stack.WHEN_UNKNOWN,
}
