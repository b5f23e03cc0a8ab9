"""`privileged-access:adopted`: objects a tenant already holds, declared exactly as they are (`pum import` writes it).

What the rest of the model cannot express (standing access given by hand, a permanent eligibility, a group with
static owners or members, a CA policy outside the baseline, an Azure role assignment) is adopted here instead of
being dropped: `pulumi import` takes each over without re-creating it, and the policy pack judges it like anything
else, so its problems are reported on every preview until the entry is fixed or removed (removing an entry removes
the object from the tenant on the next `pulumi up`). Nothing here is created that the tenant does not hold already.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from .pim import Guid, Key, _Model
from .scalars import Bool

_KEY = "Stable key of the entry (names its resource); keep it when editing."
_WHEN = "UTC date-time as the tenant holds it"


class AdoptedRoleAssignment(_Model):
    """An active directory role assignment (azuread DirectoryRoleAssignment)."""

    key: Key = Field(description=_KEY)
    role: Guid = Field(description="Role template ID.")
    principal_id: Guid
    scope: str = Field("/", min_length=1, description="'/' or '/administrativeUnits/<id>'.")
    note: str | None = Field(None, max_length=500, description="Who or what it is (display names), for reviewers.")


class AdoptedRoleEligibility(_Model):
    """A directory role eligibility: with `end`, the time-bound directoryRoleEligibility; without, permanent (the
    azuread DirectoryRoleEligibilityScheduleRequest, which the pack refuses until an end is set)."""

    key: Key = Field(description=_KEY)
    role: Guid = Field(description="Role template ID.")
    principal_id: Guid
    scope: str = Field("/", min_length=1)
    start: str | None = Field(None, description=_WHEN)
    end: str | None = Field(None, description=_WHEN + "; none: permanent")
    note: str | None = Field(None, max_length=500)


class AdoptedRoleSettings(_Model):
    """A directory role's PIM settings as the tenant holds them: its rules in Graph's shape (our entraRoleSettings)."""

    key: Key = Field(description=_KEY)
    role: Guid = Field(description="Role template ID.")
    rules: list[dict[str, Any]] = Field(min_length=1)


class AdoptedGroup(_Model):
    """A group (azuread Group) with its owners and members as the tenant holds them."""

    key: Key = Field(description=_KEY)
    object_id: Guid
    display_name: str = Field(min_length=1, max_length=256)
    assignable_to_role: Bool = False
    security_enabled: Bool = True
    mail_enabled: Bool = False
    owners: list[Guid] = Field(default_factory=list)
    members: list[Guid] = Field(default_factory=list)


class AdoptedGroupSchedule(_Model):
    """A PIM for Groups eligibility or active assignment of an adopted group."""

    key: Key = Field(description=_KEY)
    group: Key = Field(description="Key of the adopted group.")
    principal_id: Guid
    access: Literal["member", "owner"] = "member"
    active: Bool = Field(False, description="An active assignment (PrivilegedAccessGroupAssignmentSchedule).")
    start: str | None = Field(None, description=_WHEN)
    end: str | None = Field(None, description=_WHEN + "; none: permanent")


class AdoptedGroupPolicy(_Model):
    """An adopted group's PIM for Groups policy, its rules in Graph's shape (azuread GroupRoleManagementPolicy)."""

    key: Key = Field(description=_KEY)
    group: Key = Field(description="Key of the adopted group.")
    role: Literal["member", "owner"] = "member"
    rules: list[dict[str, Any]] = Field(min_length=1)


class AdoptedConditionalAccessPolicy(_Model):
    """A CA policy in Graph's own JSON (our conditionalAccessPolicy provider)."""

    key: Key = Field(description=_KEY)
    display_name: str = Field(min_length=1, max_length=256)
    state: Literal["enabled", "disabled", "enabledForReportingButNotEnforced"]
    conditions: dict[str, Any]
    grant_controls: dict[str, Any] | None = None
    session_controls: dict[str, Any] | None = None


class AdoptedAzureRoleAssignment(_Model):
    """An Azure role assignment (azure-native authorization RoleAssignment)."""

    key: Key = Field(description=_KEY)
    name: Guid = Field(description="The assignment's name (a GUID).")
    role_definition_id: str = Field(min_length=1)
    principal_id: Guid
    principal_type: Literal["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"] = "User"
    scope: str = Field(min_length=1)


class AdoptedAzureRoleEligibility(_Model):
    """An Azure PIM eligibility (azure-native PimRoleEligibilitySchedule); without `end`, permanent."""

    key: Key = Field(description=_KEY)
    role_definition_id: str = Field(min_length=1)
    principal_id: Guid
    scope: str = Field(min_length=1)
    start: str | None = Field(None, description=_WHEN)
    end: str | None = Field(None, description=_WHEN + "; none: permanent")


class AdoptedHostPool(_Model):
    """An AVD host pool (azure-native HostPool): its ARM settings as the tenant holds them, so a PAW-tagged pool is
    judged by the PAW policies."""

    key: Key = Field(description=_KEY)
    name: str = Field(min_length=1, max_length=64)
    resource_group_name: str = Field(min_length=1, max_length=90)
    location: str = Field(min_length=1)
    tags: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(
        description="The pool's ARM properties the provider takes as inputs (hostPoolType, customRdpProperty, ...)."
    )


class Adopted(_Model):
    """`privileged-access:adopted` (module docstring)."""

    role_assignments: list[AdoptedRoleAssignment] = Field(default_factory=list)
    role_eligibilities: list[AdoptedRoleEligibility] = Field(default_factory=list)
    role_settings: list[AdoptedRoleSettings] = Field(default_factory=list)
    groups: list[AdoptedGroup] = Field(default_factory=list)
    group_schedules: list[AdoptedGroupSchedule] = Field(default_factory=list)
    group_policies: list[AdoptedGroupPolicy] = Field(default_factory=list)
    conditional_access_policies: list[AdoptedConditionalAccessPolicy] = Field(default_factory=list)
    azure_role_assignments: list[AdoptedAzureRoleAssignment] = Field(default_factory=list)
    azure_role_eligibilities: list[AdoptedAzureRoleEligibility] = Field(default_factory=list)
    host_pools: list[AdoptedHostPool] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keys(self) -> Adopted:
        for field in (
            "role_assignments",
            "role_eligibilities",
            "groups",
            "group_schedules",
            "conditional_access_policies",
            "azure_role_assignments",
        ):
            keys = [entry.key for entry in getattr(self, field)]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"{field}: keys {twice} are used twice; give each entry its own key")
        groups = {g.key for g in self.groups}
        named = [s.group for s in self.group_schedules] + [p.group for p in self.group_policies]
        stray = sorted(set(named) - groups)
        if stray:
            raise ValueError(f"groupSchedules/groupPolicies name groups {stray} that adopted.groups does not declare")
        return self
