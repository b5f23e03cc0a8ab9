"""`[tool.pum] audit`: an export (or ScubaGear's provider export) as the resources pum audits (pum/audit.py).

``resources(source)`` returns {"tenant", "source", "exportedAt", "resources", "gaps", "notes", "principals"}
(``principals``: each directory object the export names, by ID: {"displayName", "userPrincipalName", "kind"}, for
tenant.drift and tenant.adopt): the resources of tenant.shapes;
one gap per request the export could not make (its manifest's ``errors``: the area is unverified, and pum reports
it as a mandatory finding); and a note for every exported collection the pack does not judge yet, so nobody reads
silence about it as a pass.
"""

from __future__ import annotations

from typing import Any

from . import shapes
from .bundle import InputError, load
from .scuba import KIND, NOT_COVERED


def _gap(error: dict) -> dict[str, str]:
    need = f"; grant {error['permission']}" if error.get("permission") else ""
    return {
        "area": str(error.get("name") or "?"),
        "message": f"{error.get('api', '?')} {error.get('request', '?')} answered {error.get('status')} "
        f"{error.get('code', '')}{need} and export again",
    }


def resources(source: str) -> dict[str, Any]:
    tenant = load(source)
    try:
        found = shapes.resources(tenant)
    except (AttributeError, TypeError, ValueError, KeyError, OverflowError) as exc:
        # a value of the wrong type where Graph or ARM answers an object, a list or a string
        raise InputError(
            f"{source}: holds a value of the wrong type or shape ({type(exc).__name__}: {str(exc)[:200]}); it is not "
            "what Graph or ARM answered: export again"
        ) from None
    notes = [f"ScubaGear's export holds no {what}: not audited" for what in NOT_COVERED] if tenant.kind == KIND else []
    notes += [
        f"{api} {name}: exported, not judged by the pack yet"
        for api, table in (("graph", tenant.graph), ("arm", tenant.arm))
        for name, value in sorted(table.items())
        if name not in shapes.JUDGED[api] and value
    ]
    if tenant.scopes == []:
        notes.append("Azure was not exported (no --scope): its role assignments, eligibilities and AVD are not audited")
    if tenant.scopes:
        notes.append("Azure role definitions are not exported: a custom role is judged by its GUID only")
    candidates = shapes.break_glass_candidates(tenant)
    if candidates:
        notes.append(
            "break-glass candidates (permanent Global Administrators a CA policy excludes): "
            + ", ".join(f"{upn} ({object_id})" for object_id, upn in candidates)
            + "; if they are, list their IDs in the pack's breakGlassObjectIds"
        )
    return {
        "tenant": tenant.tenant_id or "",
        "source": tenant.kind,
        "exportedAt": tenant.exported_at,
        "resources": found,
        "gaps": [_gap(e) for e in tenant.errors],
        "notes": notes,
        "principals": shapes.principals(tenant),
    }
