"""Draws the privilege map (`pum graph`): "html" is one self-contained page (inline CSS and SVG, no external
URL); "mermaid" is a flowchart for pull-request comments."""

from __future__ import annotations

import html

from pum.engine import Report

from .map import ACCESS_EDGES, PrivilegeMap, build_map, path_is_standing


def render(report: Report, fmt: str = "html") -> str:
    privilege_map = build_map(report)
    if fmt == "mermaid":
        return render_mermaid(privilege_map)
    if fmt == "html":
        return render_html(privilege_map, title=f"Privilege map: {report.project} / {report.stack}")
    raise ValueError(f"unknown format {fmt!r}; use 'html' or 'mermaid'")


# --- Mermaid -------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(privilege_map: PrivilegeMap) -> str:
    ids = {node_id: f"n{i}" for i, node_id in enumerate(privilege_map.nodes)}
    lines = ["flowchart LR"]
    for kind, style in (
        ("principal", "fill:#e8f0fe,stroke:#1a73e8"),
        ("journey", "fill:#fef7e0,stroke:#b06000"),
        ("group", "fill:#e6f4ea,stroke:#137333"),
        ("role", "fill:#fce8e6,stroke:#c5221f"),
        ("scope", "fill:#f1f3f4,stroke:#5f6368"),
        ("app", "fill:#f3e8fd,stroke:#8430ce"),
        ("reach", "fill:#fff4e5,stroke:#e37400"),
    ):
        lines.append(f"  classDef {kind} {style}")
    for node_id, node in privilege_map.nodes.items():
        lines.append(f'  {ids[node_id]}["{_mermaid_text(node.label)}"]:::{node.kind}')
    for edge in privilege_map.edges:
        label = _mermaid_text("; ".join(edge.controls))
        src, dst = ids[edge.src], ids[edge.dst]
        if edge.jit is True:
            lines.append(f'  {src} -. "JIT: {label}" .-> {dst}')
        elif edge.jit is False:
            lines.append(f'  {src} == "standing: {label}" ==> {dst}')
        elif label:
            lines.append(f'  {src} -- "{label}" --> {dst}')
        else:
            lines.append(f"  {src} --> {dst}")
    return "\n".join(lines) + "\n"


MAX_ROWS = 5000  # rows of the paths table: one per principal, end and kind of access (PrivilegeMap.paths)


# --- HTML ----------------------------------------------------------------------------------
_COLUMNS = {"principal": 0, "journey": 1, "group": 2, "role": 3, "app": 3, "scope": 4, "reach": 5}
_COLORS = {
    "principal": ("#e8f0fe", "#1a73e8"),
    "journey": ("#fef7e0", "#b06000"),
    "group": ("#e6f4ea", "#137333"),
    "role": ("#fce8e6", "#c5221f"),
    "scope": ("#f1f3f4", "#5f6368"),
    "app": ("#f3e8fd", "#8430ce"),
    "reach": ("#fff4e5", "#e37400"),
}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#202124}
h1{font-size:20px} h2{font-size:16px;margin-top:28px}
.legend span{display:inline-block;margin-right:16px;font-size:13px}
svg text{font-size:12px} .node rect{rx:6;ry:6;stroke-width:1.5}
.edge{fill:none;stroke-width:1.6} .edge.jit{stroke:#1a73e8;stroke-dasharray:6 4}
.edge.standing{stroke:#c5221f;stroke-width:2.4} .edge.other{stroke:#9aa0a6}
table{border-collapse:collapse;font-size:13px;margin-top:8px} th,td{border:1px solid #dadce0;padding:4px 8px;
text-align:left;vertical-align:top} th{background:#f8f9fa} td.standing{color:#c5221f;font-weight:600}
td.jit{color:#1a73e8;font-weight:600}
"""


def render_html(privilege_map: PrivilegeMap, title: str = "Privilege map") -> str:
    width, height_row, box_w, box_h, gap = 230, 56, 200, 40, 50
    rows: dict[int, int] = {}
    pos: dict[str, tuple[float, float]] = {}
    for node_id, node in privilege_map.nodes.items():
        col = _COLUMNS.get(node.kind, 4)
        row = rows.get(col, 0)
        rows[col] = row + 1
        pos[node_id] = (20 + col * (width + gap), 40 + row * height_row)
    svg_h = 60 + max(rows.values(), default=1) * height_row
    svg_w = 40 + 6 * (width + gap)
    esc = html.escape
    parts = [
        f'<svg id="privilege-map" xmlns="http://www.w3.org/2000/svg" width="{svg_w}" height="{svg_h}" '
        f'viewBox="0 0 {svg_w} {svg_h}" role="img" aria-label="{esc(title)}">'
    ]
    for i, heading in enumerate(
        ("Principal", "Journey", "Group", "Role / Private Access app", "Scope", "Beyond Entra")
    ):
        parts.append(f'<text x="{20 + i * (width + gap)}" y="20" font-weight="600">{heading}</text>')
    for edge in privilege_map.edges:
        (x1, y1), (x2, y2) = pos[edge.src], pos[edge.dst]
        sx, sy, tx, ty = x1 + box_w, y1 + box_h / 2, x2, y2 + box_h / 2
        if tx <= sx:  # same or earlier column: loop around
            tx, ty = x2 + box_w / 2, y2
        mid = (sx + tx) / 2
        css = "jit" if edge.jit is True else "standing" if edge.jit is False else "other"
        parts.append(
            f'<path class="edge {css}" data-kind="{edge.kind}" d="M{sx},{sy} C{mid},{sy} {mid},{ty} {tx},{ty}">'
            f"<title>{esc(edge.kind)}: {esc('; '.join(edge.controls))}</title></path>"
        )
    for node_id, node in privilege_map.nodes.items():
        x, y = pos[node_id]
        fill, stroke = _COLORS.get(node.kind, ("#fff", "#000"))
        label = node.label if len(node.label) <= 30 else node.label[:29] + "…"
        parts.append(
            f'<g class="node" data-kind="{node.kind}" data-label="{esc(node.label)}">'
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{x + 8}" y="{y + 25}">{esc(label)}</text>'
            f"<title>{esc(node.label)}{(': ' + esc(', '.join(node.details))) if node.details else ''}</title></g>"
        )
    parts.append("</svg>")

    table = [
        '<table id="paths"><thead><tr><th>Principal</th><th>Path</th><th>Access</th><th>Controls</th>'
        "</tr></thead><tbody>"
    ]
    paths = privilege_map.paths(limit=MAX_ROWS + 1)
    for path in paths[:MAX_ROWS]:
        nodes = [privilege_map.nodes[path[0].src]] + [privilege_map.nodes[e.dst] for e in path]
        if not any(e.kind in ACCESS_EDGES for e in path):
            continue
        standing = path_is_standing(path)
        access = "standing" if standing else "just in time"
        controls = "; ".join(dict.fromkeys(c for e in path for c in e.controls))
        table.append(
            f'<tr class="path"><td>{esc(nodes[0].label)}</td>'
            f"<td>{' → '.join(esc(n.label) for n in nodes[1:])}</td>"
            f'<td class="{"standing" if standing else "jit"}">{access}</td><td>{esc(controls)}</td></tr>'
        )
    if len(paths) > MAX_ROWS:
        table.append(
            f'<tr class="more"><td colspan="4">more than {MAX_ROWS} paths: the first {MAX_ROWS} are shown; '
            "preview a smaller part of the plan to see the rest</td></tr>"
        )
    table.append("</tbody></table>")
    legend = (
        '<p class="legend"><span style="color:#c5221f">━ standing access</span>'
        '<span style="color:#1a73e8">╌ just in time (eligible, activated on demand)</span>'
        '<span style="color:#9aa0a6">─ request / scope</span></p>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>{legend}{''.join(parts)}<h2>Paths</h2>{''.join(table)}</body></html>\n"
    )
