"""Role lookups for the model and the components, answered from the shared facts.

Names resolve case-insensitively; a GUID resolves to itself (custom roles). Unknown names raise
ValueError with the closest known names, so the model can say "did you mean".
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from privileged_facts import roles as facts
from privileged_facts.values import is_guid


@dataclass(frozen=True)
class Role:
    name: str
    id: str
    critical: bool
    privileged: bool
    au_scopable: bool = False


_TABLES = {"entra": facts.ENTRA_ROLES, "azure": facts.AZURE_ROLES}
_BY_LOWER_NAME = {kind: {name.lower(): name for name in table} for kind, table in _TABLES.items()}
_BY_ID = {kind: {role_id: name for name, role_id in table.items()} for kind, table in _TABLES.items()}


def _resolve(value: str, kind: str) -> tuple[str, str]:
    if is_guid(value):
        return _BY_ID[kind].get(value.lower(), value.lower()), value.lower()
    name = _BY_LOWER_NAME[kind].get(value.strip().lower())
    if name is None:
        close = difflib.get_close_matches(value, list(_TABLES[kind]), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        what = "an Entra built-in role" if kind == "entra" else "an Azure built-in role"
        raise ValueError(f"{value!r} is not {what} the catalog knows{hint} (or give the role's GUID)")
    return name, _TABLES[kind][name]


def entra_role(value: str) -> Role:
    """An Entra directory role by display name or template ID."""
    name, role_id = _resolve(value, "entra")
    return Role(
        name=name,
        id=role_id,
        critical=role_id in facts.CRITICAL_ROLE_IDS,
        privileged=role_id in facts.PRIVILEGED_ROLE_IDS,
        au_scopable=role_id in facts.AU_SCOPABLE_ROLE_IDS,
    )


def azure_role(value: str) -> Role:
    """An Azure RBAC role by name or role-definition GUID."""
    name, role_id = _resolve(value, "azure")
    return Role(
        name=name,
        id=role_id,
        critical=role_id in facts.CRITICAL_AZURE_ROLE_IDS,
        privileged=role_id in facts.PRIVILEGED_AZURE_ROLE_IDS,
    )
