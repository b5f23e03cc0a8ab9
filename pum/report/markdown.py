"""`--format markdown`: a pull-request comment (summary, violations table, collapsible plan)."""

from __future__ import annotations

import re

from ..engine import Report
from .common import Context, Failure
from .tree import walk


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render(report: Report, context: Context | None = None) -> str:
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


def _fenced(text: str) -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *text.splitlines(), fence]


def render_error(failure: Failure, context: Context) -> str:
    what = "a usage, config or model error" if failure.kind == "usage" else "the program failed"
    lines = [
        f"### ❌ {failure.title}",
        "",
        f"No plan and no policy result: {what} (exit {failure.exit_code}).",
        "",
        *_fenced(failure.message),
        "",
    ]
    return "\n".join(lines)
