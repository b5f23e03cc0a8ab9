"""`[tool.pum] adopt` (`pum import --from EXPORT --stack NAME`): the stack file and the `pulumi import` file that adopt
what a tenant holds, and a report of what could not be expressed (never silently dropped).

What becomes what:
- break-glass: the candidates (shapes.break_glass_candidates) that ``--break-glass`` names, two or more ->
  ``breakGlass.accounts``; a candidate nobody named stays a standing assignment under adopted;
- administrative units -> ``administrativeUnits`` by object ID (used as they are, never re-created);
- a time-bound eligibility of a user for a directory role that is not critical, starting at 00:00 UTC and lasting
  whole days (at most the model's maximum) -> the person (``principals.people``, the account as ``adminAccount``)
  and a ``direct`` role binding with that ``eligibilityStart`` and ``eligibilityLifetime`` (same start, same end:
  the provider adopts the live schedule instead of creating one), its role settings left as the tenant has them
  (``directoryRoleSettings: false``);
- everything else the pack judges -> ``privileged-access:adopted`` as it is (standing assignments, permanent
  eligibilities, role PIM settings, role-assignable groups with their owners, members and PIM for Groups
  schedules and policies, CA policies, Azure role assignments and eligibilities, AVD host pools): adopted, judged,
  reported until fixed.

The import file lists, for each resource of the new stack's plan that a tenant object backs and that `pulumi import`
can take over, {type, name, logicalName, id, parent} (parents: component entries of the same file). Our Graph
providers' resources (the eligibilities, CA policies) are not in it: their create looks the object up and adopts it
when it matches.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import yaml
from privileged_facts.roles import CRITICAL_ROLE_IDS, GLOBAL_ADMINISTRATOR
from privileged_facts.values import is_guid, parse_datetime

from . import shapes
from .bundle import Tenant, load

MAX_LIFETIME_DAYS = 180


def _slug(text: Any, object_id: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")[:30].strip("-") or "object"
    return f"{base}-{object_id.replace('-', '')[:8]}".lower()


def _whole_days(start: str | None, end: str | None) -> tuple[str, str] | None:
    """(YYYY-MM-DD, PnD) when the schedule starts at 00:00 UTC and lasts whole days within the maximum."""
    if not start or not end:
        return None
    try:
        begins, ends = parse_datetime(start, "start"), parse_datetime(end, "end")
    except ValueError:
        return None
    length = ends - begins
    if (begins.hour, begins.minute, begins.second, begins.microsecond) != (0, 0, 0, 0):
        return None
    if length <= timedelta(0) or length % timedelta(days=1) or length.days > MAX_LIFETIME_DAYS:
        return None
    return f"{begins:%Y-%m-%d}", f"P{length.days}D"


class _Import:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.names = shapes.Names(tenant)
        self.principals = shapes.principals(tenant)
        self.config: dict[str, Any] = {}
        self.adopted: dict[str, list] = {}
        self.people: dict[str, dict] = {}
        self.person_of: dict[str, str] = {}
        self.bindings: list[dict] = []
        self.units: dict[str, dict] = {}
        self.unit_key: dict[str, str] = {}
        self.unexpressed: list[str] = []
        self.declared: list[str] = []
        self.ids: dict[str, str] = {}  # adopted child resource name suffix -> tenant ID

    def assignment(self, principal: str, role: Any, scope: Any) -> str | None:
        """The azuread import ID of the role assignment a schedule is (its roleAssignments entry), or None."""
        for item in self.tenant.items("graph", "roleAssignments"):
            if (
                str(item.get("principalId") or "").lower() == principal
                and str(item.get("roleDefinitionId") or "").lower() == str(role or "").lower()
                and (item.get("directoryScopeId") or "/") == (scope or "/")
                and item.get("id")
            ):
                return f"/roleManagement/directory/roleAssignments/{item['id']}"
        return None

    def upn(self, object_id: str) -> str | None:
        return (self.principals.get(object_id.lower()) or {}).get("userPrincipalName")

    def kind(self, object_id: str) -> str:
        return str((self.principals.get(object_id.lower()) or {}).get("kind") or "unknown")

    def add(self, area: str, entry: dict, resource: str, tenant_id: Any) -> None:
        self.adopted.setdefault(area, []).append(entry)
        if tenant_id:
            self.ids[resource] = str(tenant_id)

    # --- classification ----------------------------------------------------------------------------------
    def break_glass(self, confirmed: list[str]) -> set[str]:
        """The break-glass accounts the person importing named (``--break-glass``): each must be a candidate
        (shapes.break_glass_candidates). A candidate nobody confirmed stays a standing assignment under adopted (the
        pack keeps reporting it): an import never turns standing Global Administrator into break-glass by itself."""
        candidates = dict(shapes.break_glass_candidates(self.tenant))
        wanted = [c.strip().lower() for c in confirmed]
        strays = [c for c in wanted if c not in candidates]
        if strays:
            raise AdoptError(
                f"--break-glass {strays[0]} is not a break-glass candidate of this export (a user holding Global "
                "Administrator permanently at the tenant, on an *.onmicrosoft.com UPN, excluded by ID from an enabled "
                f"CA policy); candidates: {', '.join(f'{u} ({i})' for i, u in candidates.items()) or 'none'}"
            )
        for object_id, upn in candidates.items():
            if object_id not in wanted:
                self.unexpressed.append(
                    f"break-glass candidate {upn} ({object_id}): kept as standing Global Administrator under adopted; "
                    f"if it is an emergency account, import again with --break-glass {object_id}"
                )
        found = [(p, candidates[p], self.assignment(p, GLOBAL_ADMINISTRATOR, "/")) for p in dict.fromkeys(wanted)]
        if len(found) == 1:
            raise AdoptError("--break-glass names one account; the model needs two or more break-glass accounts")
        if not found:
            return set()
        self.config["privileged-access:breakGlass"] = {
            "accounts": [
                {"upn": upn, "displayName": (self.principals.get(p) or {}).get("displayName") or upn}
                for p, upn, _ in found
            ]
        }
        domain = found[0][1].split("@", 1)[1]
        self.config["privileged-access:tenant"] = {"initialDomain": domain}
        self.declared.append(f"break-glass accounts: {', '.join(u for _, u, _ in found)}")
        self.break_glass_ids = {p: schedule for p, _, schedule in found}
        return {p for p, _, _ in found}

    def units_(self) -> None:
        for unit in self.tenant.items("graph", "administrativeUnits"):
            if is_guid(unit.get("id")):
                key = _slug(unit.get("displayName"), unit["id"])
                self.units[key] = {"objectId": str(unit["id"]).lower()}
                self.unit_key[str(unit["id"]).lower()] = key
        if self.units:
            self.config["privileged-access:administrativeUnits"] = self.units
            self.declared.append(f"administrative units (existing, by object ID): {', '.join(self.units)}")

    def person(self, object_id: str) -> str | None:
        upn = self.upn(object_id)
        if self.kind(object_id) != "user" or not upn:
            return None
        key = self.person_of.get(object_id.lower())
        if key is None:
            key = _slug((self.principals.get(object_id.lower()) or {}).get("displayName") or upn, object_id)
            name = (self.principals.get(object_id.lower()) or {}).get("displayName") or upn
            self.people[key] = {"displayName": name, "adminAccount": {"upn": upn}}
            self.person_of[object_id.lower()] = key
        return key

    def roles(self, break_glass: set[str]) -> None:
        for item in self.tenant.items("graph", "roleAssignmentSchedules"):
            if shapes.is_activation(item):
                continue
            principal = str(item.get("principalId") or "").lower()
            if principal in break_glass and str(item.get("roleDefinitionId")).lower() == GLOBAL_ADMINISTRATOR:
                continue
            key = _slug(
                self.names.role(item.get("roleDefinitionId")) + "-" + (self.upn(principal) or ""), str(item.get("id"))
            )
            self.add(
                "roleAssignments",
                {
                    "key": key,
                    "role": str(item.get("roleDefinitionId")).lower(),
                    "principalId": principal,
                    "scope": item.get("directoryScopeId") or "/",
                    "note": f"{self.names.role(item.get('roleDefinitionId'))} for {self.names.object(principal)}",
                },
                f"role-{key}",
                self.assignment(principal, item.get("roleDefinitionId"), item.get("directoryScopeId")),
            )
            self.unexpressed.append(
                f"standing {self.names.role(item.get('roleDefinitionId'))} held by {self.names.object(principal)}: "
                "adopted as it is (privileged-access:adopted.roleAssignments); the pack reports it until it is "
                "replaced by a just-in-time binding"
            )
        grouped: dict[tuple, dict] = {}
        for item in self.tenant.items("graph", "roleEligibilitySchedules"):
            principal = str(item.get("principalId") or "").lower()
            info = item.get("scheduleInfo") or {}
            expiration = info.get("expiration") or {}
            days = _whole_days(info.get("startDateTime"), expiration.get("endDateTime"))
            person = self.person(principal) if days else None
            scope = item.get("directoryScopeId") or "/"
            unit = scope.rsplit("/", 1)[-1].lower() if scope != "/" else None
            critical = str(item.get("roleDefinitionId")).lower() in CRITICAL_ROLE_IDS  # needs approvers we lack
            if person is not None and days is not None and not critical and (unit is None or unit in self.unit_key):
                role = str(item.get("roleDefinitionId")).lower()
                binding_scope = self.unit_key[unit] if unit else "/"
                group = grouped.setdefault(
                    (role, binding_scope, days),
                    {
                        "role": self.names.role(role),
                        "mode": "direct",
                        "scope": binding_scope,
                        "eligible": [],
                        "eligibilityStart": days[0],
                        "eligibilityLifetime": days[1],
                        "directoryRoleSettings": False,
                    },
                )
                group["eligible"].append(person)
                continue
            key = _slug(
                self.names.role(item.get("roleDefinitionId")) + "-" + (self.upn(principal) or ""), str(item.get("id"))
            )
            end = expiration.get("endDateTime")
            self.add(
                "roleEligibilities",
                {
                    "key": key,
                    "role": str(item.get("roleDefinitionId")).lower(),
                    "principalId": principal,
                    "scope": scope,
                    "start": info.get("startDateTime"),
                    "end": end,
                    "note": f"{self.names.role(item.get('roleDefinitionId'))} for {self.names.object(principal)}",
                },
                f"eligible-{key}",
                None if end else item.get("id"),  # permanent: the azuread request resource (its ID is the schedule's)
            )
            why = (
                "permanent"
                if not end
                else "a critical role: its binding needs approvers the export does not name"
                if critical
                else "not a whole-day schedule from 00:00 UTC within the maximum lifetime, or not a user"
            )
            self.unexpressed.append(
                f"eligibility for {self.names.role(item.get('roleDefinitionId'))} of {self.names.object(principal)} "
                f"({why}): adopted as it is (privileged-access:adopted.roleEligibilities)"
            )
        for binding in grouped.values():
            binding["eligible"] = sorted(set(binding["eligible"]))
            self.bindings.append(binding)
            self.declared.append(
                f"role binding {binding['role']} ({binding['scope']}) for {', '.join(binding['eligible'])}, "
                f"from {binding['eligibilityStart']} for {binding['eligibilityLifetime']}"
            )

    def role_settings(self) -> None:
        for item in self.tenant.items("graph", "roleManagementPolicyAssignments"):
            rules = [r for r in (item.get("policy") or {}).get("rules") or [] if isinstance(r, dict)]
            role = str(item.get("roleDefinitionId") or "").lower()
            if not rules or not is_guid(role):
                continue
            key = _slug(f"{self.names.role(role)}-settings", role)
            self.add("roleSettings", {"key": key, "role": role, "rules": rules}, f"settings-{key}", None)
        if self.adopted.get("roleSettings"):
            self.unexpressed.append(
                f"PIM settings of {len(self.adopted['roleSettings'])} directory role(s): adopted as the tenant holds "
                "them (privileged-access:adopted.roleSettings), judged by the pack; tighten them there"
            )

    def groups(self) -> None:
        for group in self.tenant.items("graph", "groups"):
            gid = str(group.get("id") or "").lower()
            if not is_guid(gid):
                continue
            key = _slug(group.get("displayName"), gid)
            owners = [
                str(o["id"]).lower() for o in self.tenant.items("graph", "groupOwners", gid) if is_guid(o.get("id"))
            ]
            members = [
                str(m["id"]).lower() for m in self.tenant.items("graph", "groupMembers", gid) if is_guid(m.get("id"))
            ]
            self.add(
                "groups",
                {
                    "key": key,
                    "objectId": gid,
                    "displayName": group.get("displayName"),
                    "assignableToRole": bool(group.get("isAssignableToRole")),
                    "securityEnabled": bool(group.get("securityEnabled")),
                    "mailEnabled": bool(group.get("mailEnabled")),
                    "owners": owners,
                    "members": members,
                },
                f"group-{key}",
                f"/groups/{gid}",
            )
            self.unexpressed.append(
                f"role-assignable group {self.names.object(gid)}"
                + (f" with {len(owners)} owner(s) and {len(members)} member(s)" if owners or members else "")
                + ": adopted as it is (privileged-access:adopted.groups); declare it as a pimGroup role binding "
                "(groupDisplayName) to manage it as code"
            )
            for item in self.tenant.items("graph", "groupPolicyAssignments", gid):
                rules = [r for r in (item.get("policy") or {}).get("rules") or [] if isinstance(r, dict)]
                access = str(item.get("roleDefinitionId") or "member").lower()
                if rules and access in ("member", "owner"):
                    pkey = _slug(f"{group.get('displayName')}-{access}-policy", gid)
                    self.add(
                        "groupPolicies",
                        {"key": pkey, "group": key, "role": access, "rules": rules},
                        f"group-policy-{pkey}",
                        None,
                    )
            for name, active in (("groupEligibilitySchedules", False), ("groupAssignmentSchedules", True)):
                for item in self.tenant.items("graph", name, gid):
                    info = item.get("scheduleInfo") or {}
                    skey = _slug(f"{group.get('displayName')}-{item.get('accessId')}", str(item.get("id")))
                    self.add(
                        "groupSchedules",
                        {
                            "key": skey,
                            "group": key,
                            "principalId": str(item.get("principalId") or "").lower(),
                            "access": item.get("accessId") or "member",
                            "active": active,
                            "start": info.get("startDateTime"),
                            "end": (info.get("expiration") or {}).get("endDateTime"),
                        },
                        f"group-schedule-{skey}",
                        item.get("id"),
                    )

    def conditional_access(self) -> None:
        for policy in self.tenant.items("graph", "conditionalAccessPolicies"):
            pid = str(policy.get("id") or "")
            key = _slug(policy.get("displayName"), pid or "0")
            self.add(
                "conditionalAccessPolicies",
                {
                    "key": key,
                    "displayName": policy.get("displayName"),
                    "state": policy.get("state"),
                    "conditions": policy.get("conditions") or {},
                    "grantControls": policy.get("grantControls"),
                    "sessionControls": policy.get("sessionControls"),
                },
                f"ca-{key}",
                None,  # our provider adopts it by display name when its content matches
            )
        if self.tenant.items("graph", "conditionalAccessPolicies"):
            self.unexpressed.append(
                "conditional access: the tenant's policies are adopted as they are (privileged-access:adopted."
                "conditionalAccessPolicies); the project's baseline (privileged-access:conditionalAccess) is not "
                "declared, as adopting the tenant's policies into it would change them"
            )

    def azure(self) -> None:
        for scope_items in (self.tenant.arm.get("roleAssignments") or {}).values():
            for item in scope_items if isinstance(scope_items, list) else []:
                p = item.get("properties") or {} if isinstance(item, dict) else {}
                name = str(item.get("name") or "")
                if not is_guid(name) or not is_guid(p.get("principalId")):
                    continue
                key = _slug(f"azure-{self.upn(p['principalId']) or ''}", name)
                if any(e["key"] == key for e in self.adopted.get("azureRoleAssignments", [])):
                    continue
                self.add(
                    "azureRoleAssignments",
                    {
                        "key": key,
                        "name": name.lower(),
                        "roleDefinitionId": p.get("roleDefinitionId"),
                        "principalId": str(p["principalId"]).lower(),
                        "principalType": p.get("principalType") or "User",
                        "scope": p.get("scope"),
                    },
                    f"azure-role-{key}",
                    item.get("id"),
                )
        seen: set[str] = set()
        for scope_items in (self.tenant.arm.get("roleEligibilitySchedules") or {}).values():
            for item in scope_items if isinstance(scope_items, list) else []:
                p = (item.get("properties") or {}) if isinstance(item, dict) else {}
                name = str(item.get("name") or "") if isinstance(item, dict) else ""
                if not is_guid(p.get("principalId")) or name in seen:
                    continue
                seen.add(name)
                key = _slug(f"azure-eligible-{self.upn(p['principalId']) or ''}", name or "0")
                self.add(
                    "azureRoleEligibilities",
                    {
                        "key": key,
                        "roleDefinitionId": p.get("roleDefinitionId"),
                        "principalId": str(p["principalId"]).lower(),
                        "scope": p.get("scope"),
                        "start": p.get("startDateTime"),
                        "end": p.get("endDateTime"),
                    },
                    f"azure-eligible-{key}",
                    None,
                )
                self.unexpressed.append(
                    f"Azure eligibility of {self.names.object(p.get('principalId'))} at {p.get('scope')}: declared as "
                    "it is (adopted.azureRoleEligibilities) so the pack judges it; `pulumi import` cannot adopt it "
                    "(azure-native reads it from state only), so move it to pim.azureRoleBindings or remove it in "
                    "PIM before `pulumi up`, which would otherwise fail on the existing one"
                )

    def rest(self) -> None:
        """What the export holds that the import does not declare at all: said, never dropped silently."""
        for item in _arm_list(self.tenant, "hostPools"):
            parts = str(item.get("id") or "").split("/")
            properties: dict = item["properties"] if isinstance(item.get("properties"), dict) else {}
            tags: dict = item["tags"] if isinstance(item.get("tags"), dict) else {}
            if len(parts) < 9 or parts[3].lower() != "resourcegroups" or not item.get("name"):
                continue
            key = _slug(f"pool-{item['name']}", hashlib.sha256(str(item["id"]).encode()).hexdigest())
            self.add(
                "hostPools",
                {
                    "key": key,
                    "name": item["name"],
                    "resourceGroupName": parts[4],
                    "location": item.get("location") or "",
                    "tags": {str(k): str(v) for k, v in tags.items()},
                    "settings": properties,
                },
                f"host-pool-{key}",
                item.get("id"),
            )
            self.unexpressed.append(
                f"AVD host pool {item['name']}: adopted as it is (privileged-access:adopted.hostPools); the PAW as "
                "code is privileged-access:paw"
            )
        for name, what in (
            ("roleAssignmentSchedules", "Azure active assignment schedule"),
            ("roleManagementPolicies", "Azure role management policy"),
        ):
            for key, items in (self.tenant.arm.get(name) or {}).items():
                for item in items if isinstance(items, list) else []:
                    self.unexpressed.append(
                        f"{what} {item.get('name') if isinstance(item, dict) else '?'} ({key}): not declared by the "
                        "import (the PAW is privileged-access:paw; Azure settings are pim.azureRoleBindings)"
                    )
        for name in (
            "namedLocations",
            "authenticationStrengthPolicies",
            "authenticationContextClassReferences",
            "accessPackages",
            "assignmentPolicies",
            "privateAccessApplications",
        ):
            count = len(self.tenant.items("graph", name))
            if count:
                self.unexpressed.append(f"{count} {name}: exported, not declared by the import")

    def build(self, break_glass_ids: list[str]) -> dict[str, Any]:
        if self.tenant.tenant_id:
            self.config["azuread:tenantId"] = self.tenant.tenant_id
        break_glass = self.break_glass(break_glass_ids)
        self.units_()
        self.roles(break_glass)
        self.role_settings()
        self.groups()
        self.conditional_access()
        self.azure()
        self.rest()
        if self.people:
            self.config["privileged-access:principals"] = {"people": self.people}
        if self.bindings:
            self.config["privileged-access:pim"] = {"roleBindings": self.bindings}
        if self.adopted:
            self.config["privileged-access:adopted"] = self.adopted
        return self.config


def _arm_list(tenant: Tenant, name: str) -> list[dict]:
    """An ARM collection over every exported scope, each object once."""
    found: dict[str, dict] = {}
    for items in (tenant.arm.get(name) or {}).values():
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                found.setdefault(str(item.get("id") or "").lower(), item)
    return list(found.values())


def _import_entries(plan: dict[str, Any], made: _Import) -> tuple[list[dict], dict[str, str], list[str]]:
    """The `pulumi import --file` entries for the plan's resources a tenant object backs (by stable name)."""
    by_urn = {r["urn"]: r for r in plan.get("resources") or []}
    users = {
        str(v.get("userPrincipalName") or "").lower(): k for k, v in made.principals.items() if v.get("kind") == "user"
    }
    resources: list[dict] = []
    components: dict[str, str] = {}
    new: list[str] = []
    for r in plan.get("resources") or []:
        if not r.get("custom") or r.get("type", "").startswith("pulumi:providers:"):
            continue
        parent = by_urn.get(r.get("parent") or "")
        parent_name = (
            parent["name"] if parent and not parent.get("custom") and parent["type"] != "pulumi:pulumi:Stack" else None
        )
        object_id: str | None = None
        name, inputs = r["name"], r.get("inputs") or {}
        if parent_name == "adopted":
            object_id = made.ids.get(name[len("adopted-") :])
        elif r["type"] == "azuread:index/user:User":
            user_id = users.get(str(inputs.get("userPrincipalName") or "").lower())
            object_id = f"/users/{user_id}" if user_id else None
        elif r["type"] == shapes.ROLE_ASSIGNMENT and parent and parent.get("type", "").endswith("BreakGlassAccounts"):
            deps = (r.get("propertyDependencies") or {}).get("principalObjectId") or []
            user = by_urn.get(deps[0]) if len(deps) == 1 else None
            principal = users.get(str((user or {}).get("inputs", {}).get("userPrincipalName") or "").lower())
            object_id = getattr(made, "break_glass_ids", {}).get(principal or "")
        if object_id:
            entry = {"type": r["type"], "name": _handle(name), "logicalName": name, "id": object_id}
            if parent is not None and parent_name:
                entry["parent"] = _handle(parent_name)
                components.setdefault(parent_name, parent["type"])
            resources.append(entry)
        elif r["type"] != shapes.DYNAMIC:
            new.append(f"{r['type']} {name}")
    # the components the adopted resources sit in: created by the same import when the stack does not hold them yet
    parents = [
        {"type": kind, "name": _handle(name), "logicalName": name, "component": True}
        for name, kind in sorted(components.items())
    ]
    return parents + resources, {}, new


def _handle(name: str) -> str:
    """A resource's handle inside the import file (the variable name of generated code)."""
    return re.sub(r"\W", "_", name)


HEADER = (
    "# Written by `pum import` from an export of tenant {tenant} ({source}, exported {when}).\n"
    "# It declares what the tenant holds; privileged-access:adopted keeps, as they are, the objects the model has no\n"
    "# better form for: the policy pack reports their problems until you fix them here. See {report}.\n"
)


class AdoptError(ValueError):
    """What the person importing asked for cannot be done (pum exits 2 with the message)."""

    pum_exit_code = 2


def adopt(
    source: str, stack: str, preview: Callable[[dict], dict], break_glass: list[str] | tuple = ()
) -> dict[str, Any]:
    tenant = load(source)
    made = _Import(tenant)
    config = made.build(list(break_glass))
    plan = preview(config)
    entries, names, new = _import_entries(plan, made)
    stack_text = HEADER.format(
        tenant=tenant.tenant_id or "(unknown)",
        source=tenant.kind,
        when=tenant.exported_at,
        report=f"{stack}.import-report.md",
    ) + yaml.safe_dump({"config": config}, sort_keys=False, allow_unicode=True, width=120)
    import_text = json.dumps({"nameTable": names, "resources": entries}, indent=2) + "\n"
    lines = [
        f"# Import of tenant {tenant.tenant_id or '(unknown)'} into stack {stack}",
        "",
        f"From {tenant.kind} {source} (exported {tenant.exported_at}).",
        "",
        "## Declared",
        "",
        *[f"- {d}" for d in made.declared or ["(nothing the model expresses directly)"]],
        "",
        "## Adopted as they are, or not expressed",
        "",
        *[f"- {u}" for u in made.unexpressed or ["(nothing)"]],
        "",
        "## Import",
        "",
        f"- `pulumi import --file {stack}.import.json` adopts {len(entries)} resources without re-creating them.",
        "- The eligibilities and CA policies (our Graph providers) are adopted by their first `pulumi up`: each looks "
        "the object up and takes it over when it matches, and refuses (never overwrites) one that does not.",
        "- Passwords: BreakGlassAccounts and PrivilegedAccounts manage their accounts' passwords, so the first "
        "`pulumi up` after adoption sets new ones on the adopted break-glass and admin accounts. Record the "
        "break-glass passwords by your break-glass procedure in that same change.",
        "- Offline previews (`pum preview`) give the break-glass users mock object IDs, so CA exclusions of their "
        "real IDs do not match them there: list those IDs in the pack's breakGlassObjectIds for offline runs.",
        "",
        "## Created new by the first `pulumi up` (nothing in the tenant backs them)",
        "",
        *[f"- {n}" for n in new or ["(none)"]],
        "",
    ]
    summary = [
        f"declared {len(made.declared)} item(s), adopted {sum(len(v) for v in made.adopted.values())} as they are, "
        f"{len(entries)} import entries; see {stack}.import-report.md",
    ]
    return {"stack": stack_text, "import": import_text, "report": "\n".join(lines), "summary": summary}
