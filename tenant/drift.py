"""`[tool.pum] drift`: what the tenant holds that the stack does not declare, and what the stack declares that the
tenant lacks (`pum audit --from EXPORT --stack NAME`).

Both sides become facts with keys that mean the same in a tenant and in a plan, where object IDs are the mocks'
(offline) or not yet known: a principal is its UPN (users) or ``group:<display name>`` (groups), found in the plan
through the property's dependency on the declared User or Group (or a literal object ID the export names); a role is
its template ID; a directory scope is ``/`` or the administrative unit's display name; a CA policy and a
role-assignable group are their display names; an Azure grant is (role GUID, principal, scope). Kinds:

- ``standing role`` (active directory role assignments), ``eligible role`` (role eligibilities), ``PIM group
  eligibility`` (eligible membership or ownership of a group), ``role-assignable group``, ``CA policy``,
  ``Azure role`` (standing) and ``Azure eligibility``.

Each difference is {"direction": "unmanaged" (in the tenant only) | "missing" (in the stack only), "kind",
"object": {"id", "displayName"} (tenant side), "summary"}. Not compared: PIM settings (their content is judged by the
pack), administrative units, access packages, Private Access and AVD (listed by the audit's notes).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from privileged_facts.graph_kinds import CONDITIONAL_ACCESS_POLICY
from privileged_facts.roles import role_guid
from privileged_facts.values import is_guid

from . import shapes

Fact = tuple[str, tuple]  # (kind, key)
_USER_TYPES = ("azuread:index/user:User",)
_GROUP_TYPES = ("azuread:index/group:Group", "azuread:index/groupWithoutMembers:GroupWithoutMembers")
_CA_TYPES = ("azuread:index/conditionalAccessPolicy:ConditionalAccessPolicy",)
_AU_TYPES = ("azuread:index/administrativeUnit:AdministrativeUnit",)
_AZURE_ELIGIBILITY = shapes.AZURE_ELIGIBILITY
_PERMANENT_ELIGIBILITY = "azuread:index/directoryRoleEligibilityScheduleRequest:DirectoryRoleEligibilityScheduleRequest"


def _lower(value: Any) -> str:
    return str(value or "").strip().lower()


class _Tenant:
    def __init__(self, found: dict[str, Any]) -> None:
        self.principals = {k.lower(): v for k, v in (found.get("principals") or {}).items() if isinstance(v, dict)}

    def principal(self, object_id: Any) -> str:
        info = self.principals.get(_lower(object_id)) or {}
        if info.get("userPrincipalName"):
            return _lower(info["userPrincipalName"])
        if info.get("kind") == "group" and info.get("displayName"):
            return f"group:{_lower(info['displayName'])}"
        return _lower(object_id)

    def label(self, object_id: Any) -> dict[str, Any]:
        info = self.principals.get(_lower(object_id)) or {}
        return {"id": object_id, "displayName": info.get("displayName") or info.get("userPrincipalName")}


def _scope(value: Any, au_names: dict[str, str]) -> str:
    text = str(value or "/")
    if text == "/":
        return "/"
    au = text.rsplit("/", 1)[-1].lower()
    return f"administrative unit {au_names.get(au, au)}"


def tenant_facts(found: dict[str, Any]) -> list[tuple[Fact, dict[str, Any]]]:
    """The tenant's facts, each with the object it is about and a sentence."""
    t = _Tenant(found)
    units = {k: _lower(v.get("displayName")) for k, v in t.principals.items() if v.get("kind") == "administrativeUnit"}
    out: list[tuple[Fact, dict[str, Any]]] = []
    for r in found.get("resources") or []:
        p, kind = r.get("properties") or {}, r.get("type")
        fact: Fact | None = None
        subject: Any = None
        if kind == shapes.ROLE_ASSIGNMENT:
            subject = p.get("principalObjectId")
            fact = (
                "standing role",
                (_lower(p.get("roleId")), t.principal(subject), _scope(p.get("directoryScopeId"), units)),
            )
        elif kind == shapes.DYNAMIC and p.get("graphKind") == shapes.ELIGIBILITY_KIND:
            subject = p.get("principalId")
            fact = (
                "eligible role",
                (_lower(p.get("roleDefinitionId")), t.principal(subject), _scope(p.get("directoryScopeId"), units)),
            )
        elif kind == shapes.GROUP_ELIGIBILITY:
            subject = p.get("principalId")
            fact = (
                "PIM group eligibility",
                (t.principal(p.get("groupId")), t.principal(subject), _lower(p.get("assignmentType"))),
            )
        elif kind == shapes.GROUP:
            subject = p.get("objectId")
            fact = ("role-assignable group", (_lower(p.get("displayName")),))
        elif kind == shapes.DYNAMIC and p.get("graphKind") == CONDITIONAL_ACCESS_POLICY:
            subject = p.get("policyId")
            fact = ("CA policy", (_lower(p.get("displayName")),))
        elif kind in (shapes.AZURE_ASSIGNMENT, _AZURE_ELIGIBILITY):
            subject = p.get("principalId")
            what = "Azure role" if kind == shapes.AZURE_ASSIGNMENT else "Azure eligibility"
            fact = (what, (role_guid(p.get("roleDefinitionId")) or "", t.principal(subject), _lower(p.get("scope"))))
        if fact is not None:
            label = t.label(subject)
            if kind in (shapes.GROUP,) or fact[0] == "CA policy":
                label = {"id": subject, "displayName": p.get("displayName")}
            out.append((fact, {"object": label, "summary": r.get("name")}))
    return out


class _Plan:
    def __init__(self, plan: dict[str, Any], tenant: _Tenant) -> None:
        self.resources = [r for r in plan.get("resources") or [] if isinstance(r, dict)]
        self.by_urn = {r.get("urn"): r for r in self.resources}
        self.tenant = tenant

    def _source(self, r: dict, key: str) -> dict | None:
        found = [self.by_urn.get(u) for u in (r.get("propertyDependencies") or {}).get(key) or []]
        found = [f for f in found if f is not None]
        return found[0] if len(found) == 1 else None

    def principal(self, r: dict, key: str) -> str:
        value = (r.get("inputs") or {}).get(key)
        if isinstance(value, str) and is_guid(value):
            return self.tenant.principal(value)
        source = self._source(r, key)
        if source is None:
            return f"(unresolved {key} of {r.get('name')})"
        inputs = source.get("inputs") or {}
        if source.get("type") in _USER_TYPES:
            return _lower(inputs.get("userPrincipalName"))
        if source.get("type") in _GROUP_TYPES:
            return f"group:{_lower(inputs.get('displayName'))}"
        return f"(unresolved {key} of {r.get('name')})"

    def scope(self, r: dict, key: str) -> str:
        value = (r.get("inputs") or {}).get(key)
        if value in (None, "/"):
            return "/"
        source = self._source(r, key)
        if source is not None and source.get("type") in _AU_TYPES:
            return f"administrative unit {_lower((source.get('inputs') or {}).get('displayName'))}"
        return _scope(value, {})


def plan_facts(plan: dict[str, Any], found: dict[str, Any]) -> Iterator[tuple[Fact, str]]:
    view = _Plan(plan, _Tenant(found))
    for r in view.resources:
        inputs, kind = r.get("inputs") or {}, r.get("type")
        name = str(r.get("name"))
        if kind == shapes.ROLE_ASSIGNMENT:
            yield (
                (
                    "standing role",
                    (
                        _lower(inputs.get("roleId")),
                        view.principal(r, "principalObjectId"),
                        view.scope(r, "directoryScopeId"),
                    ),
                ),
                name,
            )
        elif kind == _PERMANENT_ELIGIBILITY or (
            kind == shapes.DYNAMIC and inputs.get("graphKind") == shapes.ELIGIBILITY_KIND
        ):
            yield (
                (
                    "eligible role",
                    (
                        _lower(inputs.get("roleDefinitionId")),
                        view.principal(r, "principalId"),
                        view.scope(r, "directoryScopeId"),
                    ),
                ),
                name,
            )
        elif kind == shapes.GROUP_ELIGIBILITY:
            yield (
                (
                    "PIM group eligibility",
                    (
                        view.principal(r, "groupId"),
                        view.principal(r, "principalId"),
                        _lower(inputs.get("assignmentType")),
                    ),
                ),
                name,
            )
        elif kind in _GROUP_TYPES and inputs.get("assignableToRole"):
            yield ("role-assignable group", (_lower(inputs.get("displayName")),)), name
        elif kind in _CA_TYPES or (kind == shapes.DYNAMIC and inputs.get("graphKind") == CONDITIONAL_ACCESS_POLICY):
            yield ("CA policy", (_lower(inputs.get("displayName")),)), name
        elif kind in (shapes.AZURE_ASSIGNMENT, _AZURE_ELIGIBILITY):
            what = "Azure role" if kind == shapes.AZURE_ASSIGNMENT else "Azure eligibility"
            yield (
                (
                    what,
                    (
                        role_guid(inputs.get("roleDefinitionId")) or "",
                        view.principal(r, "principalId"),
                        _lower(inputs.get("scope")),
                    ),
                ),
                name,
            )


def compare(found: dict[str, Any], plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The differences, counted: two tenant objects with the same key (two groups of one display name) need two
    declarations, so one declaration cannot hide a second object."""
    declared: dict[Fact, list[str]] = {}
    for fact, name in plan_facts(plan, found):
        declared.setdefault(fact, []).append(name)
    out: list[dict[str, Any]] = []
    for fact, seen in tenant_facts(found):
        names = declared.get(fact)
        if names:
            names.pop(0)
            continue
        out.append(
            {
                "direction": "unmanaged",
                "kind": fact[0],
                "object": seen["object"],
                "summary": f"{seen['summary']}: held by the tenant, not declared by the stack",
            }
        )
    for fact, names in declared.items():
        for name in names:
            out.append(
                {
                    "direction": "missing",
                    "kind": fact[0],
                    "object": None,
                    "summary": f"{name} ({', '.join(fact[1])}): declared by the stack, not in the tenant",
                }
            )
    return sorted(out, key=lambda d: (d["direction"] != "unmanaged", d["kind"], d["summary"]))
