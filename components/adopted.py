"""AdoptedObjects: what a tenant already holds, declared as it is (`privileged-access:adopted`).

Guarantees: every entry becomes exactly one resource of the provider shape the tenant object has, named
``<component>-<kind>-<key>`` and parented here, with the tenant's values (so `pulumi import` adopts it without a
change, and the policy pack judges what the tenant really holds); nothing is added that the entry does not say
(no owners, members, exclusions or end dates of our own). A permanent eligibility stays permanent (azuread
DirectoryRoleEligibilityScheduleRequest) and a standing assignment stays standing: the pack keeps reporting them
until the stack file changes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_azuread as azuread
from privileged_facts.pim_rules import group_policy_settings

from components.graph.conditional_access_policy import GraphConditionalAccessPolicy
from components.graph.role_eligibility import DirectoryRoleEligibility
from components.graph.role_settings import EntraRoleSettings
from components.model.adopted import Adopted

TYPE = "privileged-access:index:AdoptedObjects"
# the HostPool inputs an ARM answer's properties carry (the rest are read-only: registration info, references, ...)
HOST_POOL_INPUTS = frozenset(
    {
        "host_pool_type",
        "load_balancer_type",
        "preferred_app_group_type",
        "custom_rdp_property",
        "description",
        "friendly_name",
        "max_session_limit",
        "personal_desktop_assignment_type",
        "public_network_access",
        "start_vm_on_connect",
        "validation_environment",
    }
)


@dataclass(frozen=True, kw_only=True)
class AdoptedObjectsArgs:
    adopted: Adopted
    """The stack file's `privileged-access:adopted`."""


def _compact(value: Any) -> Any:
    """Graph JSON without its nulls and empty lists (what Graph answers for what was never set)."""
    if isinstance(value, dict):
        kept = {k: _compact(v) for k, v in value.items() if not k.startswith("@")}
        return {k: v for k, v in kept.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _snake(value: Any) -> Any:
    """Wire (camelCase) keys as the Python SDK's argument dicts spell them, without the unset values."""
    if isinstance(value, dict):
        out = {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): _snake(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_snake(v) for v in value]
    return value


class AdoptedObjects(pulumi.ComponentResource):
    """Existing tenant objects, declared as they are (module docstring). Outputs: ``group_object_ids``."""

    def __init__(self, name: str, args: AdoptedObjectsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE, name, None, opts)
        adopted = args.adopted
        child = pulumi.ResourceOptions(parent=self)
        self.resources: dict[str, pulumi.Resource] = {}
        groups: dict[str, azuread.Group] = {}
        for g in adopted.groups:
            groups[g.key] = azuread.Group(
                f"{name}-group-{g.key}",
                display_name=g.display_name,
                security_enabled=g.security_enabled,
                mail_enabled=g.mail_enabled,
                assignable_to_role=g.assignable_to_role,
                owners=list(g.owners),
                members=list(g.members),
                opts=child,
            )
            self.resources[f"group-{g.key}"] = groups[g.key]
        by_id = {g.object_id.lower(): groups[g.key] for g in adopted.groups}

        def principal(object_id: str) -> pulumi.Input[str]:
            """An adopted group's output (so the pack relates the grant to the group), else the ID as it is."""
            group = by_id.get(object_id.lower())
            return group.object_id if group is not None else object_id

        for settings in adopted.role_settings:
            self.resources[f"settings-{settings.key}"] = EntraRoleSettings(
                f"{name}-settings-{settings.key}",
                role_definition_id=settings.role,
                rules=list(settings.rules),
                opts=child,
            )
        for a in adopted.role_assignments:
            self.resources[f"role-{a.key}"] = azuread.DirectoryRoleAssignment(
                f"{name}-role-{a.key}",
                role_id=a.role,
                principal_object_id=principal(a.principal_id),
                directory_scope_id=a.scope,
                opts=child,
            )
        for e in adopted.role_eligibilities:
            if e.end is None:
                self.resources[f"eligible-{e.key}"] = azuread.DirectoryRoleEligibilityScheduleRequest(
                    f"{name}-eligible-{e.key}",
                    role_definition_id=e.role,
                    principal_id=principal(e.principal_id),
                    directory_scope_id=e.scope,
                    justification="adopted from the tenant (permanent)",
                    opts=child,
                )
            else:
                self.resources[f"eligible-{e.key}"] = DirectoryRoleEligibility(
                    f"{name}-eligible-{e.key}",
                    principal_id=principal(e.principal_id),
                    role_definition_id=e.role,
                    directory_scope_id=e.scope,
                    end_date_time=e.end,
                    start_date_time=e.start,
                    justification="adopted from the tenant",
                    opts=child,
                )
        for s in adopted.group_schedules:
            kind = (
                azuread.PrivilegedAccessGroupAssignmentSchedule
                if s.active
                else azuread.PrivilegedAccessGroupEligibilitySchedule
            )
            self.resources[f"group-schedule-{s.key}"] = kind(
                f"{name}-group-schedule-{s.key}",
                group_id=groups[s.group].object_id,
                principal_id=s.principal_id,
                assignment_type=s.access,
                start_date=s.start,
                expiration_date=s.end,
                permanent_assignment=True if s.end is None else None,
                opts=child,
            )
        for gp in adopted.group_policies:
            settings_ = _snake(group_policy_settings(gp.rules))
            self.resources[f"group-policy-{gp.key}"] = azuread.GroupRoleManagementPolicy(
                f"{name}-group-policy-{gp.key}",
                group_id=groups[gp.group].object_id,
                role_id=gp.role,
                **{k: v for k, v in settings_.items() if v},
                opts=child,
            )
        for p in adopted.conditional_access_policies:
            self.resources[f"ca-{p.key}"] = GraphConditionalAccessPolicy(
                f"{name}-ca-{p.key}",
                display_name=p.display_name,
                state=p.state,
                conditions=_compact(p.conditions),
                grant_controls=_compact(p.grant_controls) if p.grant_controls else None,
                session_controls=_compact(p.session_controls) if p.session_controls else None,
                opts=child,
            )
        if adopted.azure_role_assignments or adopted.azure_role_eligibilities:
            from pulumi_azure_native import authorization

            for r in adopted.azure_role_assignments:
                self.resources[f"azure-role-{r.key}"] = authorization.RoleAssignment(
                    f"{name}-azure-role-{r.key}",
                    role_assignment_name=r.name,
                    role_definition_id=r.role_definition_id,
                    principal_id=r.principal_id,
                    principal_type=r.principal_type,
                    scope=r.scope,
                    opts=child,
                )
            for z in adopted.azure_role_eligibilities:
                expiration: authorization.RoleEligibilityScheduleRequestPropertiesExpirationArgsDict = (
                    {"type": "AfterDateTime", "end_date_time": z.end} if z.end else {"type": "NoExpiration"}
                )
                self.resources[f"azure-eligible-{z.key}"] = authorization.PimRoleEligibilitySchedule(
                    f"{name}-azure-eligible-{z.key}",
                    principal_id=z.principal_id,
                    role_definition_id=z.role_definition_id,
                    scope=z.scope,
                    justification="adopted from the tenant",
                    schedule_info={"expiration": expiration, **({"start_date_time": z.start} if z.start else {})},
                    opts=child,
                )
        if adopted.host_pools:
            from pulumi_azure_native import desktopvirtualization

            for pool in adopted.host_pools:
                settings_ = {k: v for k, v in _snake(pool.settings).items() if k in HOST_POOL_INPUTS}
                self.resources[f"host-pool-{pool.key}"] = desktopvirtualization.HostPool(
                    f"{name}-host-pool-{pool.key}",
                    host_pool_name=pool.name,
                    resource_group_name=pool.resource_group_name,
                    location=pool.location,
                    tags=dict(pool.tags),
                    **settings_,
                    opts=child,
                )
        self.group_object_ids = {key: group.object_id for key, group in groups.items()}
        self.register_outputs({"groupObjectIds": self.group_object_ids})
