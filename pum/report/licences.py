"""The licence section of the reports: what `[tool.pum] licences` returned for the plan (the project's hook: for
this project privilege_map.licences, docs/licences.md), as the JSON report's `licences` field and a section of the
text and markdown reports. Entries are {"licence", "name", "features", "identities", "unresolved"} and, when the
stack declares what it holds, "held" and "shortfall"; without the hook the list is empty."""

from __future__ import annotations

from typing import Any

from .common import Context


def entries(context: Context | None) -> list[dict[str, Any]]:
    return list(context.licences) if context else []


def lines(context: Context | None) -> list[str]:
    """The text report's section."""
    found = entries(context)
    if not found:
        return []
    out = ["Licences (from the plan; docs/licences.md):"]
    for entry in found:
        tail = ""
        if "held" in entry:
            tail = f", {entry['held']} held" + (f", {entry['shortfall']} short" if entry["shortfall"] else "")
        more = f" + {len(entry['unresolved'])} unresolved" if entry["unresolved"] else ""
        out.append(f"    {entry['licence']}: {entry['identities']} identities{more}{tail}")
    out.append("")
    return out


def markdown(context: Context | None) -> list[str]:
    """The markdown report's table."""
    found = entries(context)
    if not found:
        return []
    out = ["| Licence | Identities | Unresolved | Held | Short |", "| --- | --- | --- | --- | --- |"]
    for e in found:
        out.append(
            f"| {e['name']} (`{e['licence']}`) | {e['identities']} | {len(e['unresolved'])} | "
            f"{e.get('held', '')} | {e.get('shortfall', '')} |"
        )
    return [*out, ""]
