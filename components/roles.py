"""Role lookups for the model and the components, answered from the pack's catalog (one source of facts).

Names resolve case-insensitively; a GUID resolves to itself (custom roles). Unknown names raise
ValueError with the closest known names, so the model can say "did you mean".
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Role:
    name: str
    id: str
    critical: bool
    privileged: bool
    au_scopable: bool = False


def _names(kind: str) -> dict[str, str]:
    from policies.rules import catalog  # imported when first needed: the model loads without the pack

    return catalog.ENTRA_ROLES if kind == "entra" else catalog.AZURE_ROLES


@lru_cache(maxsize=None)
def _table(kind: str) -> dict[str, str]:
    return {name.lower(): name for name in _names(kind)}


def _resolve(value: str, kind: str) -> tuple[str, str]:
    names = _names(kind)
    if _GUID.match(value):
        by_id = {role_id.lower(): name for name, role_id in names.items()}
        return by_id.get(value.lower(), value.lower()), value.lower()
    name = _table(kind).get(value.strip().lower())
    if name is None:
        close = difflib.get_close_matches(value, list(names), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        what = "an Entra built-in role" if kind == "entra" else "an Azure built-in role"
        raise ValueError(f"{value!r} is not {what} the catalog knows{hint} (or give the role's GUID)")
    return name, names[name].lower()


def entra_role(value: str) -> Role:
    """An Entra directory role by display name or template ID."""
    name, role_id = _resolve(value, "entra")
    return Role(name=name, id=role_id, critical=role_id in _ids("CRITICAL_ROLE_IDS"),
                privileged=role_id in _ids("PRIVILEGED_ROLE_IDS"), au_scopable=role_id in _ids("AU_SCOPABLE_ROLE_IDS"))


def azure_role(value: str) -> Role:
    """An Azure RBAC role by name or role-definition GUID."""
    name, role_id = _resolve(value, "azure")
    return Role(name=name, id=role_id, critical=role_id in _ids("CRITICAL_AZURE_ROLE_IDS"),
                privileged=role_id in _ids("PRIVILEGED_AZURE_ROLE_IDS"))


@lru_cache(maxsize=None)
def _ids(attribute: str) -> frozenset[str]:
    from policies.rules import catalog

    return frozenset(i.lower() for i in getattr(catalog, attribute))

