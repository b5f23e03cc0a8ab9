"""`--format markdown`: a pull-request comment (summary, violations table, collapsible plan)."""

from __future__ import annotations

from ..engine import Report
from .tree import walk


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render(report: Report) -> str:
    status = "❌ blocked by mandatory policy violations" if report.mandatory else "✅ no mandatory policy violation"
    lines = [
        f"### `pum preview` of {report.project}/{report.stack}: {status}",
        "",
        f"**{len(report.resources)}** resources to create · **{len(report.mandatory)}** mandatory · "
        f"**{len(report.advisory)}** advisory violations",
        "",
    ]
    if report.violations:
        lines += ["| Level | Policy | Resource | Message |", "| --- | --- | --- | --- |"]
        ordered = sorted(report.violations, key=lambda v: (v.enforcement_level != "mandatory", v.policy))
        for v in ordered:
            resource = report.resource(v.urn) if v.urn else None
            where = f"`{resource.type}` {resource.name}" if resource else f"`{v.urn}`" if v.urn else "stack"
            lines.append(f"| {v.enforcement_level} | `{v.policy}` | {_cell(where)} | {_cell(v.message)} |")
        lines.append("")
    lines += ["<details><summary>Plan</summary>", "", "```"]
    lines += [f"+ {prefix}{r.type}  {r.name}" for prefix, r in walk(report)]
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)
