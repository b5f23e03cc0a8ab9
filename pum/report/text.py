"""`--format text`: a `pulumi preview`-like plan tree, then violations grouped by resource.

Every line fits the width (`Context.width`: the CLI takes it from `COLUMNS`, else the terminal, else 100): the
plan's Type and Name columns are shortened with `…` when they do not fit, messages are wrapped under their indent,
and anything still too long is cut with `…`. Widths are counted in terminal cells (an emoji takes two).
"""

from __future__ import annotations

import json
import textwrap
import unicodedata

from ..engine import Report
from . import drift as drift_report
from . import licences as licence_report
from . import locations
from .common import Context, Failure, diagnostics, display_path
from .tree import walk

DEFAULT_WIDTH = 100
MIN_WIDTH = 40  # narrower than this, the plan has no room for both columns: lines are cut instead


def cells(text: str) -> int:
    """How many terminal cells `text` takes: wide and emoji characters two, combining marks none."""
    count = 0
    for char in text:
        if char == "\ufe0f":  # emoji presentation: the character before it takes two cells
            count += 1
        elif unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            count += 2
        else:
            count += 1
    return count


def _cut(text: str, width: int) -> str:
    """`text` shortened to `width` cells, ending in `…` when anything was left out."""
    if cells(text) <= width:
        return text
    kept = ""
    for char in text:
        if cells(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


def _pad(text: str, width: int) -> str:
    text = _cut(text, width)
    return text + " " * (width - cells(text))


def _wrap(text: str, indent: str, width: int, hanging: str = "") -> list[str]:
    """`text` wrapped to `width` under `indent`, continuation lines indented by `hanging` more."""
    lines = textwrap.wrap(
        text,
        max(width - cells(indent), 10),
        subsequent_indent=hanging,
        break_on_hyphens=False,
        break_long_words=True,
    )
    return [indent + line for line in lines or [""]]


def _columns(rows: list[tuple[str, str]], width: int) -> tuple[int, int]:
    """Type and Name column widths (each with its two-space gap) that fit `width` with the plan's margins."""
    type_natural = max([cells("Type")] + [cells(t) for t, _ in rows]) + 2
    name_natural = max([cells("Name")] + [cells(n) for _, n in rows]) + 2
    room = width - 5 - len("create")
    if type_natural + name_natural <= room:
        return type_natural, name_natural
    name = min(name_natural, max(room // 2, room - type_natural))
    return max(room - name, 6), max(name, 6)


def _outputs(report: Report, width: int) -> list[str]:
    if not report.outputs:
        return []
    lines = ["Outputs:"]
    key_width = max(len(k) for k in report.outputs)
    for name, (state, value) in sorted(report.outputs.items()):
        shown = {"secret": "[secret]", "unknown": "output<string>"}.get(state) or json.dumps(value, sort_keys=True)
        lines.append(_cut(f"    {name:<{key_width}}: {shown}", width))
    return lines + [""]


def _width(context: Context | None) -> int:
    return max(context.width if context else DEFAULT_WIDTH, MIN_WIDTH)


def _fit(lines: list[str], width: int) -> str:
    return "\n".join(_cut(line, width) for line in lines) + "\n"


def render(report: Report, context: Context | None = None) -> str:
    width = _width(context)
    rows = [(prefix + r.type, r.name) for prefix, r in walk(report)]
    type_width, name_width = _columns(rows, width)
    audit = context is not None and context.audit is not None  # `pum audit`: what a tenant holds, not a plan
    lines = [
        f"Auditing a tenant against {report.project}'s policy packs [offline: pum audit]"
        if audit
        else f"Previewing update ({report.stack}) of {report.project} [offline: pum preview]",
        "",
    ]
    lines.append("     " + _pad("Type", type_width) + _pad("Name", name_width) + ("Held" if audit else "Plan"))
    mark, verb = ("     ", "exists") if audit else (" +   ", "create")
    for text_type, name in rows:
        lines.append(mark + _pad(text_type, type_width - 2) + "  " + _pad(name, name_width - 2) + "  " + verb)
    lines.append("")
    if report.diagnostics:
        lines.append("Diagnostics:")
        for level, message in diagnostics(report):
            lines.extend(_wrap(f"{level}: {message}", "    ", width, hanging="  "))
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
                for line in v.message.splitlines():
                    lines.extend(_wrap(line, "           ", width))
                found = locations.of(report, context.locations, v) if context else None
                if found is not None:
                    where = display_path(found.file, context.root) if context else found.file
                    at = f"{where}:{found.line}" if found.line else where
                    lines.extend(_wrap(f"at {at} ({found.path})", "           ", width))
        lines.append("")
    lines.extend(_outputs(report, width))
    lines.extend(licence_report.lines(context))
    lines.extend(drift_report.lines(context))
    lines.append("Resources:")
    lines.append(
        f"    {len(report.resources)} in the tenant"
        if context and context.audit is not None
        else f"    + {len(report.resources)} to create"
    )
    lines.append("")
    lines.append(f"Policies: {len(report.mandatory)} mandatory, {len(report.advisory)} advisory violation(s)")
    return _fit(lines, width)


def render_error(failure: Failure, context: Context) -> str:
    width = _width(context)
    what = "usage, config or model error" if failure.kind == "usage" else "program failure"
    lines = [f"{failure.title} ({what}, exit {failure.exit_code}):"]
    for line in failure.message.splitlines() or [""]:
        lines.extend(_wrap(line, "    ", width))
    return _fit(lines, width)
