"""`pum graph` stays bounded and never crashes: paths are aggregated (one per principal, end and kind of access), so
nested groups cost edges, not the number of distinct paths; and any shape of inputs draws a map."""

import importlib
import os
import time

from conftest import ROOT  # noqa: F401  (puts the pack's facts on sys.path)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privilege_map import map as pmap
from privilege_map import render
from privilege_map.map import Edge, Node, PrivilegeMap, path_is_standing
from privilege_map.render import render_html, render_mermaid
from pum.engine import UNKNOWN, Report, Resource


def _nested(levels: int, width: int = 2) -> PrivilegeMap:
    """A principal in `width` groups, each a member of every group of the next level, `levels` deep, then a role."""
    nodes = {"p": Node("p", "principal", "someone")}
    edges = []
    previous = ["p"]
    for level in range(levels):
        layer = [f"g{level}.{i}" for i in range(width)]
        for node_id in layer:
            nodes[node_id] = Node(node_id, "group", node_id)
            for src in previous:
                edges.append(Edge(src, node_id, "member", jit=(level == 3 and node_id.endswith(".0"))))
        previous = layer
    nodes["role"] = Node("role", "role", "Global Administrator")
    nodes["scope"] = Node("scope", "scope", "tenant")
    edges += [Edge(src, "role", "role", jit=False) for src in previous] + [Edge("role", "scope", "scope")]
    return PrivilegeMap(nodes, edges)


def test_nested_groups_aggregate_into_one_row_per_kind_of_access():
    privilege_map = _nested(18)  # 2**18 distinct paths; enumerating them wrote 117 MB of HTML
    started = time.monotonic()
    paths = privilege_map.paths()
    page = render_html(privilege_map)
    assert time.monotonic() - started < 5
    assert len(paths) == 2  # someone -> ... -> tenant, standing and just in time
    assert sorted(path_is_standing(p) for p in paths) == [False, True]
    assert page.count('<tr class="path">') == 2 and len(page) < 100_000
    assert len(render_mermaid(privilege_map)) < 20_000


def test_the_table_is_capped(monkeypatch):
    nodes = {f"p{i}": Node(f"p{i}", "principal", f"p{i}") for i in range(30)}
    nodes.update({f"s{i}": Node(f"s{i}", "scope", f"s{i}") for i in range(30)})
    edges = [Edge(f"p{i}", f"s{j}", "role", jit=False) for i in range(30) for j in range(30)]
    render_module = importlib.import_module("privilege_map.render")
    monkeypatch.setattr(render_module, "MAX_ROWS", 100)
    page = render_module.render_html(PrivilegeMap(nodes, edges))
    assert page.count('<tr class="path">') == 100 and 'class="more"' in page


_TYPES = [getattr(pmap, name) for name in dir(pmap) if name.startswith("T_")] + [pmap.DYNAMIC + ":x:Y"]
_URNS = [f"urn:pulumi:s::p::t::r{i}" for i in range(8)]
_scalars = st.one_of(
    st.sampled_from(_URNS),
    st.none(),
    st.just(UNKNOWN),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=6),
    st.sampled_from(["/", "P1D", "PT2H", "member", "enabled", "AllExistingDirectoryMemberUsers", "noExpiration"]),
)
_keys = st.sampled_from(
    [
        "groupId", "principalId", "principalObjectId", "roleId", "roleDefinitionId", "directoryScopeId", "scope",
        "accessPackageId", "requestorSettings", "requestors", "scopeType", "objectId", "subjectType", "graphKind",
        "rules", "activationRules", "maximumDuration", "grantControls", "builtInControls", "state", "segments",
        "ports", "assignedGroupIds", "approvalSettings", "approvalStages", "primaryApprovers", "scheduleInfo",
        "expiration", "type", "duration", "catalogResourceAssociationId", "resourceOriginId", "memberObjectId",
        "groupObjectId", "displayName", "id", "enabledRules", "setting", "assignmentReviewSettings", "questions",
    ]
)  # fmt: skip
_values = st.recursive(
    _scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12,
)  # fmt: skip


@st.composite
def _reports(draw):
    count = draw(st.integers(1, 8))
    urns = _URNS[:count]
    resources = []
    for urn in urns:
        inputs = draw(st.dictionaries(_keys, _values, max_size=6))
        deps = draw(st.dictionaries(_keys, st.lists(st.sampled_from(urns), max_size=2), max_size=3))
        resources.append(Resource(urn, draw(st.sampled_from(_TYPES)), urn[-2:], None, True, False, inputs, [], deps))
    return Report("p", "s", resources, [])


@settings(
    max_examples=int(os.environ.get("PUM_FUZZ_EXAMPLES", "200")), deadline=None, suppress_health_check=list(HealthCheck)
)
@given(report=_reports(), fmt=st.sampled_from(["html", "mermaid"]))
def test_any_input_shape_draws_a_map(report, fmt):
    assert render(report, fmt)
