"""Display names of the groups a stack creates: two groups that would get the same name are a model error.

Every group the toolkit creates is declared with `prevent_duplicate_names` (or is found by name by the people who
use it: approvers in My Access, reviewers, the AD team nesting a written-back group), so two with one display name
would fail at `pulumi up` or, worse, be told apart by nobody. Entra compares display names case-insensitively.

The names are derived here exactly as components/stack.py and the components derive them (a test previews the
example stack and compares): a PIM or journey group is `groupDisplayName`, else `<tenant.namePrefix>-T<tier>-<role>`
plus ` (<administrative unit>)` when scoped to one; a cloud group is its `displayName`; the PAW's users group is
`PAW users (paw)`. An existing group (`principals.groups`) with a `displayName` counts too: a created group may not
take the name of one that is already there.
"""

from __future__ import annotations

from typing import Any

from .errors import Issue, format_path
from .pim import RoleBinding, binding_role

PAW_USERS_GROUP = "PAW users (paw)"
"""The display name of the PAW's users group (components/paw.py: `PAW users ({name})`, name `paw` in stack.py)."""


def binding_group_display_name(model: Any, binding: RoleBinding) -> str:
    """The display name of a pimGroup/eligibleGroup binding's group, as components/stack.py gives it."""
    if binding.group_display_name:
        return binding.group_display_name
    role = binding_role(binding)
    tier = binding.tier if binding.tier is not None else (0 if role.critical else 1)
    scoped = f" ({binding.scope})" if binding.scope != "/" else ""
    return f"{model.tenant.name_prefix}-T{tier}-{role.name}{scoped}"


def created_group_names(model: Any) -> list[tuple[tuple, str, str]]:
    """(stack-file path, display name, how to rename it) of every group the stack creates, in stack-file order."""
    names: list[tuple[tuple, str, str]] = []
    for index, binding in enumerate(model.pim.role_bindings):
        if binding.mode == "direct":
            continue  # no group: people are eligible for the role directly
        loc: tuple = ("pim", "roleBindings", index)
        if binding.group_display_name:
            names.append(((*loc, "groupDisplayName"), binding.group_display_name, "change groupDisplayName"))
        else:
            names.append((loc, binding_group_display_name(model, binding), "set groupDisplayName on the binding"))
    settings = model.access_packages
    for key, group in (settings.cloud_groups if settings else {}).items():
        loc = ("accessPackages", "cloudGroups", key, "displayName")
        names.append((loc, group.display_name, "change its displayName"))
    if model.paw is not None and model.paw.enabled:
        names.append((("paw",), PAW_USERS_GROUP, "rename the other group (the PAW's users group is fixed)"))
    methods = model.authentication_methods
    tap = methods.temporary_access_pass if methods else None
    if tap is not None and tap.enabled and any(p.admin_account for p in model.principals.people.values()):
        loc = ("authenticationMethods", "temporaryAccessPass", "groupDisplayName")
        names.append((loc, tap.group_display_name, "change its groupDisplayName"))
    return names


def display_name_issues(model: Any) -> list[Issue]:
    """One issue per group whose display name an earlier group (or an existing group) already has, naming both."""
    taken: dict[str, tuple] = {}
    for key, existing in model.principals.groups.items():
        if existing.display_name:
            taken.setdefault(existing.display_name.strip().casefold(), ("principals", "groups", key, "displayName"))
    issues: list[Issue] = []
    for loc, name, fix in created_group_names(model):
        folded = name.strip().casefold()
        if folded in taken:
            other = taken[folded]
            existing = other[:2] == ("principals", "groups")
            what = "the existing group declared at" if existing else "the group of"
            issues.append(
                Issue(
                    loc,
                    None,
                    f"would create a group named {name!r}, the display name of {what} {format_path(other)} "
                    "(Entra compares names case-insensitively); group display names must be unique: "
                    f"{fix}" + ("" if existing else ", or rename the other one"),
                )
            )
            continue
        taken[folded] = loc
    return issues
