"""The audit sections of the reports (`pum audit`): which tenant and export were judged (`audit`), and with --stack
what the tenant holds that the stack does not declare and the reverse (`drift`, from `[tool.pum] drift`: entries
{"direction": "unmanaged" | "missing", "kind", "object", "summary"}). The JSON report's `drift` is [] and `audit`
null for a preview."""

from __future__ import annotations

from typing import Any

from .common import Context

_HEADINGS = {"unmanaged": "In the tenant, not in the stack", "missing": "In the stack, not in the tenant"}


def entries(context: Context | None) -> list[dict[str, Any]]:
    return list(context.drift) if context else []


def audit(context: Context | None) -> dict[str, Any] | None:
    return dict(context.audit) if context and context.audit is not None else None


def _header(seen: dict[str, Any]) -> str:
    return f"{seen.get('tenant') or '(unknown)'} ({seen.get('source')}, exported {seen.get('exportedAt')})"


def _groups(found: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    directions = [*_HEADINGS, *sorted({str(e.get("direction")) for e in found} - set(_HEADINGS))]
    return [(d, [e for e in found if e.get("direction") == d]) for d in directions]


def lines(context: Context | None) -> list[str]:
    out: list[str] = []
    seen = audit(context)
    if seen is not None:
        out += [
            f"Audit of tenant {seen.get('tenant') or '(unknown)'} ({seen.get('source')}, {seen.get('exportedAt')})",
            "",
        ]
    found = entries(context)
    if found:
        out.append("Drift:")
        for direction, group in _groups(found):
            if group:
                out.append(f"    {_HEADINGS.get(direction, direction)}:")
                out += [f"        {e.get('kind')}: {e.get('summary')}" for e in group]
        out.append("")
    return out


def markdown(context: Context | None) -> list[str]:
    out: list[str] = []
    seen = audit(context)
    if seen is not None:
        out += [
            f"Audit of tenant `{seen.get('tenant') or '(unknown)'}` ({seen.get('source')}, {seen.get('exportedAt')})",
            "",
        ]
    found = entries(context)
    if found:
        out += ["| Drift | Kind | What |", "| --- | --- | --- |"]
        for direction, group in _groups(found):
            heading = _HEADINGS.get(direction, direction)
            out += [f"| {heading} | {e.get('kind')} | {str(e.get('summary')).replace('|', '/')} |" for e in group]
        out.append("")
    return out
