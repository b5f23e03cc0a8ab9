"""ScubaGear's provider export (``ProviderSettingsExport.json``) as a Tenant, for the parts it covers.

ScubaGear (cisagov/ScubaGear, read at 4d34e9a, module 1.8.0; docs/existing-tenants.md has the sources) writes one
flat JSON object: its metadata, then each product's keys. Graph objects are converted to PascalCase
(``ConvertFrom-GraphHashtable``), dates may be ``/Date(epoch-ms)/``, and one-item lists may be bare objects. What we
read of it, back in Graph's camelCase:

- ``tenant_details[0].TenantId``: the tenant.
- ``conditional_access_policies``: the beta CA policies, whole.
- ``privileged_roles[].Assignments``: the active assignment schedule instances of ScubaGear's privileged roles
  (flat: StartDateTime, EndDateTime, AssignmentType, PrincipalId, RoleDefinitionId, DirectoryScopeId); an
  ``Activated`` one is a PIM activation and left out, as in a pum export.
- ``privileged_roles[].Rules`` whose ``RuleSourceType`` is the directory role's: its PIM settings.
- ``privileged_users``: display names.

ScubaGear does not export eligibilities, PIM for Groups (its group rules are merged into the role's), groups' owners,
administrative units, access packages or anything of Azure: `pum audit` says so in its notes, and a cmdlet ScubaGear
lists in ``aad_unsuccessful_commands`` is a gap (a mandatory "not exported" finding).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from privileged_facts.values import is_guid

from .bundle import MAX_FILE_BYTES, InputError, Tenant, read_json

KIND = "scubagear"
_DATE = re.compile(r"/Date\((-?\d{1,15})([+-]\d{4})?\)/")
NOT_COVERED = (
    "eligibilities (ScubaGear exports active assignments only)",
    "PIM for Groups schedules and policies",
    "role-assignable groups and their owners and members",
    "administrative units, access packages, Private Access apps",
    "Azure role assignments, eligibilities and policies, AVD host pools",
)


def camel(value: Any) -> Any:
    """ScubaGear's PascalCase back to Graph's camelCase (keys only; ``@odata.*`` as they are), dates as ISO."""
    if isinstance(value, dict):
        return {(k if k.startswith("@") else k[:1].lower() + k[1:]): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    if isinstance(value, str):
        match = _DATE.fullmatch(value)
        if match:
            try:
                moment = datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
            except (OverflowError, ValueError, OSError):
                return value  # out of range: kept as written (a date the policies then refuse to read)
            return moment.isoformat().replace("+00:00", "Z")
    return value


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _objects(document: dict, key: str, path: str, where: str = "") -> list[dict]:
    """ScubaGear's list (or, for one item, bare object) of objects under ``key``; anything else is refused: a value
    we cannot read must not read as an empty, clean area."""
    value = document.get(key)
    if value is None and key not in document:
        return []
    items = _list(value)
    if not (isinstance(value, (list, dict))) or not all(isinstance(i, dict) for i in items):
        raise InputError(f"{path}: {where}{key} is not a list of objects as ScubaGear writes it; run ScubaGear again")
    return items


def _assignment(item: dict, role: dict) -> dict:
    end = item.get("endDateTime")
    return {
        "id": item.get("roleAssignmentScheduleId") or item.get("id"),
        "principalId": item.get("principalId"),
        "roleDefinitionId": role.get("roleTemplateId") or item.get("roleDefinitionId"),  # the role it is listed under
        "directoryScopeId": item.get("directoryScopeId") or "/",
        "assignmentType": item.get("assignmentType") or "Assigned",
        "memberType": item.get("memberType"),
        "scheduleInfo": {
            "startDateTime": item.get("startDateTime"),
            "expiration": {"type": "afterDateTime", "endDateTime": end} if end else {"type": "noExpiration"},
        },
    }


def _commands(document: dict, path: str) -> list[str]:
    value = document.get("aad_unsuccessful_commands") or []
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise InputError(f"{path}: aad_unsuccessful_commands is not a list of cmdlet names; run ScubaGear again")
    return value


def load_scuba(path: str) -> Tenant:
    _, document = read_json(path, path, MAX_FILE_BYTES)
    if (
        not isinstance(document, dict)
        or "privileged_roles" not in document
        and "conditional_access_policies" not in (document)
    ):
        raise InputError(
            f"{path}: neither a pum export directory nor ScubaGear's ProviderSettingsExport.json with its AAD keys "
            "(privileged_roles, conditional_access_policies); run ScubaGear with -ProductNames aad, or `pum export`"
        )
    details = _list(document.get("tenant_details"))
    tenant_id = details[0].get("TenantId") if details and isinstance(details[0], dict) else None
    tenant = Tenant(
        path,
        KIND,
        str(tenant_id).lower() if is_guid(tenant_id) else None,
        document.get("timestamp_zulu") if isinstance(document.get("timestamp_zulu"), str) else None,
    )
    raw_roles = _objects(document, "privileged_roles", path)
    for index, role in enumerate(raw_roles):
        _objects(role, "Assignments", path, f"privileged_roles[{index}].")
        _objects(role, "Rules", path, f"privileged_roles[{index}].")
    roles = [camel(r) for r in raw_roles]
    tenant.graph["roleAssignmentSchedules"] = [
        _assignment(a, role) for role in roles for a in _list(role.get("assignments"))
    ]
    tenant.graph["roleDefinitions"] = [
        {"id": r.get("roleTemplateId"), "templateId": r.get("roleTemplateId"), "displayName": r.get("displayName")}
        for r in roles
    ]
    tenant.graph["roleManagementPolicyAssignments"] = [
        {
            "roleDefinitionId": r.get("roleTemplateId"),
            "policyId": f"scubagear-{r.get('roleTemplateId')}",
            "policy": {
                "rules": [
                    rule
                    for rule in _list(r.get("rules"))
                    if isinstance(rule, dict) and rule.get("ruleSourceType") in (None, "Directory Role")
                ]
            },
        }
        for r in roles
        if _list(r.get("rules"))
    ]
    tenant.graph["conditionalAccessPolicies"] = [
        camel(p) for p in _objects(document, "conditional_access_policies", path)
    ]
    found = document.get("privileged_users")
    users: dict[str, Any] = found if isinstance(found, dict) else {}
    tenant.graph["directoryObjects"] = {
        key: {"id": key, "displayName": value.get("DisplayName")}
        for key, value in users.items()
        if isinstance(value, dict) and is_guid(key)
    }
    tenant.errors = [
        {"name": command, "api": "graph", "request": f"ScubaGear {command}", "status": "failed", "code": ""}
        for command in _commands(document, path)
    ]
    for key in ("privileged_roles", "conditional_access_policies"):
        if key not in document:  # ScubaGear always writes both: an export without one did not read it
            tenant.errors.append(
                {"name": key, "api": "graph", "request": f"ScubaGear {key}", "status": "missing", "code": ""}
            )
    return tenant
