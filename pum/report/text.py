"""`--format text`: a `pulumi preview`-like plan tree, then violations grouped by resource."""

from __future__ import annotations

import json

from ..engine import Report
from .common import Context, Failure, diagnostics
from .tree import walk


def _outputs(report: Report) -> list[str]:
    if not report.outputs:
        return []
    lines = ["Outputs:"]
    width = max(len(k) for k in report.outputs)
    for name, (state, value) in sorted(report.outputs.items()):
        shown = {"secret": "[secret]", "unknown": "output<string>"}.get(state) or json.dumps(value, sort_keys=True)
        lines.append(f"    {name:<{width}}: {shown}")
    return lines + [""]


def render(report: Report, context: Context | None = None) -> str:
    rows = [(prefix + r.type, r.name) for prefix, r in walk(report)]
    type_width = max([len("Type")] + [len(t) for t, _ in rows]) + 2
    name_width = max([len("Name")] + [len(n) for _, n in rows]) + 2
    lines = [f"Previewing update ({report.stack}) of {report.project} [offline: pum preview]", ""]
    lines.append(f"     {'Type':<{type_width}}{'Name':<{name_width}}Plan")
    for text_type, name in rows:
        lines.append(" +   " + text_type.ljust(type_width) + name.ljust(name_width) + "create")
    lines.append("")
    if report.diagnostics:
        lines.append("Diagnostics:")
        lines.extend(f"    {level}: {message}" for level, message in diagnostics(report))
        lines.append("")
    if report.violations:
        lines.append("Policy Violations:")
        by_urn: dict[str | None, list] = {}
        for violation in report.violations:
            by_urn.setdefault(violation.urn, []).append(violation)
        for urn, group in sorted(by_urn.items(), key=lambda item: item[0] or ""):
            resource = report.resource(urn) if urn else None
            title = f"{resource.type} ({resource.name})" if resource else (urn or "stack")
            lines.append(f"    {title}")
            for v in sorted(group, key=lambda v: (v.enforcement_level != "mandatory", v.policy)):
                mark = "❌" if v.enforcement_level == "mandatory" else "⚠️ "
                lines.append(f"      {mark} [{v.enforcement_level}] {v.policy_pack}: {v.policy}")
                lines.extend(f"           {line}" for line in v.message.splitlines())
        lines.append("")
    lines.extend(_outputs(report))
    lines.append("Resources:")
    lines.append(f"    + {len(report.resources)} to create")
    lines.append("")
    lines.append(f"Policies: {len(report.mandatory)} mandatory, {len(report.advisory)} advisory violation(s)")
    return "\n".join(lines) + "\n"


def render_error(failure: Failure, context: Context) -> str:
    what = "usage, config or model error" if failure.kind == "usage" else "program failure"
    lines = [f"{failure.title} ({what}, exit {failure.exit_code}):"]
    lines += [f"    {line}" for line in failure.message.splitlines() or [""]]
    return "\n".join(lines) + "\n"
