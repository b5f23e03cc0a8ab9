"""`--format markdown`: a pull-request comment (summary, a table of distinct findings with counts, collapsible plan),
under 65,000 characters."""

from __future__ import annotations

import re

from ..engine import Report
from . import drift as drift_report
from . import licences as licence_report
from .common import Context, Failure
from .tree import walk

LIMIT = 65_000  # GitHub refuses a comment over 65,536 characters; this leaves room for what a workflow adds
_SHOWN_RESOURCES = 3  # a collapsed finding names this many resources, then "and N more"


def _cell(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", "<br>")


def _where(report: Report, urn: str | None) -> str:
    resource = report.resource(urn) if urn else None
    return f"`{resource.type}` {resource.name}" if resource else f"`{urn}`" if urn else "stack"


def _rows(report: Report) -> list[str]:
    """One row per distinct finding (level, policy, message): the same finding on many resources is one row
    with its count, mandatory first."""
    groups: dict[tuple[str, str, str], list[str | None]] = {}
    for v in report.violations:
        groups.setdefault((v.enforcement_level, v.policy, v.message), []).append(v.urn)
    ordered = sorted(groups.items(), key=lambda item: (item[0][0] != "mandatory", item[0][1]))
    rows = []
    for (level, policy, message), urns in ordered:
        places = [_where(report, urn) for urn in urns[:_SHOWN_RESOURCES]]
        if len(urns) > _SHOWN_RESOURCES:
            places.append(f"and {len(urns) - _SHOWN_RESOURCES} more")
        count = f" (×{len(urns)})" if len(urns) > 1 else ""
        rows.append(f"| {level} | `{policy}`{count} | {_cell(', '.join(places))} | {_cell(message)} |")
    return rows


def _full(context: Context | None) -> str:
    if context and context.full_report:
        return f"the full report is `{context.full_report}`"
    return "the full report: `pum preview --format json`"


def render(report: Report, context: Context | None = None) -> str:
    status = "❌ blocked by mandatory policy violations" if report.mandatory else "✅ no mandatory policy violation"
    head = [
        f"### `pum preview` of {report.project}/{report.stack}: {status}",
        "",
        f"**{len(report.resources)}** resources {_verb(context)} · **{len(report.mandatory)}** mandatory · "
        f"**{len(report.advisory)}** advisory violations",
        "",
    ]
    budget = LIMIT - 1_000  # room for the notes and the plan's frame
    used = sum(len(line) + 1 for line in head)
    table: list[str] = []
    rows = _rows(report)
    if rows:
        table = ["| Level | Policy | Resource | Message |", "| --- | --- | --- | --- |"]
        used += sum(len(line) + 1 for line in table)
        kept = 0
        for row in rows:
            if used + len(row) + 1 > budget:
                break
            table.append(row)
            used += len(row) + 1
            kept += 1
        if kept < len(rows):
            table += [
                "",
                f"_{len(rows) - kept} of {len(rows)} findings left out to stay under 65,000 characters; "
                f"{_full(context)}._",
            ]
        table.append("")
    plan = [f"+ {prefix}{r.type}  {r.name}" for prefix, r in walk(report)]
    shown = []
    for line in plan:
        if used + len(line) + 1 > budget:
            break
        shown.append(line)
        used += len(line) + 1
    if len(shown) < len(plan):
        shown.append(f"… {len(plan) - len(shown)} more resources left out ({_full(context)})")
    body = "\n".join(shown)
    lines = [
        *head,
        *table,
        *licence_report.markdown(context),
        *drift_report.markdown(context),
        "<details><summary>Plan</summary>",
        "",
        *_fenced(body),
        "",
        "</details>",
        "",
    ]
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


def _verb(context: Context | None) -> str:
    return "in the tenant" if context and context.audit is not None else "to create"
